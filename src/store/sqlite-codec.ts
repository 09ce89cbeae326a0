import { deflateRawSync, inflateRawSync } from 'node:zlib';

/**
 * How the SQLite store packs its larger JSON columns (items, card copies): raw deflate primed with a
 * dictionary of the property names and fixed values our own types write, so that a 1 KB item takes about
 * a quarter of that on disk. A packed value is a BLOB whose first byte names the dictionary; a TEXT value
 * is plain JSON (rows written before packing, or by the schema 2 build), and both read back the same.
 *
 * The dictionaries are frozen: rows in the field were packed with them. A new one gets the next number.
 */
const DICTIONARIES: Readonly<Record<number, Buffer>> = {
  1: Buffer.from(
    [
      // Card copies (src/store/types.ts CardCopy, without the columns kept beside it) and their references.
      '{"scope":"channel","recipientId":null,"reference":{"activityId":"","user":{"id":"29:","name":"","aadObjectId":""},',
      '"bot":{"id":"28:","name":""},"conversation":{"isGroup":true,"conversationType":"channel","tenantId":"","id":"19:',
      '@thread.tacv2;messageid="},"channelId":"msteams","locale":"en-US","serviceUrl":"https://smba.trafficmanager.net/"},',
      '"sentAt":"202',
      // Items (src/domain/items.ts), every kind.
      '{"kind":"accessReview","target":{"kind":"accessReview","definitionId":"","instanceId":"","decisionId":""},',
      '"reviewName":"","descriptionForReviewers":"","principal":{"id":"","displayName":"","userPrincipalName":"",',
      '"type":"servicePrincipal"},"resource":{"id":"","displayName":"","type":null},"recommendation":"NoInfoAvailable",',
      '"lastSignInDateTime":null,"dueDateTime":null,',
      '{"kind":"pimRole","target":{"kind":"pimRole","approvalId":"","stageId":"","api":"beta"},"requestId":"",',
      '"role":{"id":"","displayName":""},"directoryScopeId":"/","accessId":"member","action":"selfActivate",',
      '"ticket":{"ticketNumber":null,"ticketSystem":null},',
      '{"kind":"pimGroup","target":{"kind":"pimGroup","approvalId":"","stageId":"","api":"v1.0"},',
      '"group":{"id":"","displayName":""},"accessId":"owner","action":"adminAssign",',
      '"earlierStages":[{"stageId":"","decision":"Approve","reviewedBy":null,"justification":""}],',
      '{"kind":"accessPackage","target":{"kind":"accessPackage","approvalId":"","stageId":"","api":"v1.0"},',
      '"stageNumber":1,"stageCount":1,"stageStatus":"InProgress","stageName":null,"justificationRequired":false,',
      '"requestor":{"id":"","displayName":"","userPrincipalName":""},"accessPackage":{"id":"","displayName":"",',
      '"description":""},"requestType":"userAdd","justification":"","answers":[{"question":"","answer":""}],',
      '"schedule":{"startDateTime":"","duration":null,"endDateTime":null,"expirationType":"notSpecified"},',
      '"createdDateTime":"202',
    ].join(''),
  ),
};
const CURRENT = 1;

/** JSON of `value`, packed with the current dictionary. */
export function pack(value: unknown): Uint8Array {
  const packed = deflateRawSync(JSON.stringify(value), { dictionary: DICTIONARIES[CURRENT] });
  const out = new Uint8Array(packed.length + 1);
  out[0] = CURRENT;
  out.set(packed, 1);
  return out;
}

/** The JSON text of a column written by `pack`, or as plain TEXT. */
export function unpackText(stored: string | Uint8Array): string {
  if (typeof stored === 'string') return stored;
  const dictionary = DICTIONARIES[stored[0] ?? 0];
  if (!dictionary) throw new Error(`a packed column names dictionary ${stored[0]}, which this build lacks`);
  return inflateRawSync(stored.subarray(1), { dictionary }).toString('utf8');
}
