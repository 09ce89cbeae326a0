/**
 * The shape every inbound activity must have before botbuilder sees it: malformed input gets a 400 here
 * instead of an exception (and a 500) deeper down.
 */

type Json = Readonly<Record<string, unknown>>;
const obj = (v: unknown): Json | null =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json) : null;

const TYPES = new Set([
  'message',
  'invoke',
  'conversationUpdate',
  'installationUpdate',
  'messageReaction',
  'messageUpdate',
  'messageDelete',
  'event',
  'typing',
  'endOfConversation',
]);

const OPTIONAL_TEXT = [
  'id',
  'replyToId',
  'timestamp',
  'localTimestamp',
  'localTimezone',
  'locale',
  'text',
  'textFormat',
  'name',
  'action',
  'summary',
  'inputHint',
  'deliveryMode',
] as const;

function shortString(value: unknown, max: number): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= max;
}

// Ids end up in URLs and HTTP headers (x-ms-conversation-id): control characters are never valid there.
const UNSAFE_ID = /[\u0000-\u001f\u007f]|^\s*$/;

function safeId(value: unknown, max: number): value is string {
  return shortString(value, max) && !UNSAFE_ID.test(value);
}

/** Null when the activity may be processed; otherwise what is wrong with it. */
export function activityProblem(body: unknown): string | null {
  const activity = obj(body);
  if (!activity) return 'The request body must be a JSON activity object.';
  if (!shortString(activity.type, 64) || !TYPES.has(activity.type))
    return 'The activity type is missing or not supported.';
  if (!safeId(activity.channelId, 64)) return 'The activity has no channelId.';
  if (!shortString(activity.serviceUrl, 2048)) return 'The activity has no serviceUrl.';
  try {
    const url = new URL(activity.serviceUrl);
    if (url.protocol !== 'https:' && url.protocol !== 'http:')
      return 'The serviceUrl must be an http(s) URL.';
  } catch {
    return 'The serviceUrl is not a URL.';
  }
  const conversation = obj(activity.conversation);
  if (!conversation || !safeId(conversation.id, 1024)) return 'The activity has no conversation id.';
  const from = obj(activity.from);
  if (!from || !safeId(from.id, 1024)) return 'The activity does not say who sent it.';
  if (from.aadObjectId !== undefined && from.aadObjectId !== null && !shortString(from.aadObjectId, 64)) {
    return 'from.aadObjectId must be text.';
  }
  const recipient = obj(activity.recipient);
  if (activity.recipient !== undefined && (!recipient || !safeId(recipient.id, 1024)))
    return 'The recipient is malformed.';
  if (activity.type === 'invoke' && !shortString(activity.name, 128))
    return 'An invoke activity needs a name.';
  for (const key of ['id', 'replyToId'] as const) {
    if (activity[key] !== undefined && activity[key] !== null && !safeId(activity[key], 1024))
      return `${key} is malformed.`;
  }
  for (const key of OPTIONAL_TEXT) {
    const value = activity[key];
    if (value !== undefined && value !== null && typeof value !== 'string') return `${key} must be text.`;
  }
  for (const [name, part] of [
    ['conversation', conversation],
    ['from', from],
    ['recipient', recipient],
  ] as const) {
    for (const key of ['name', 'conversationType', 'tenantId', 'role', 'aadObjectId'] as const) {
      const value = part?.[key];
      if (value !== undefined && value !== null && typeof value !== 'string')
        return `${name}.${key} must be text.`;
    }
  }
  for (const key of ['membersAdded', 'membersRemoved', 'entities', 'attachments'] as const) {
    const list = activity[key];
    if (list !== undefined && list !== null && (!Array.isArray(list) || list.some((m) => !obj(m))))
      return `${key} must be a list of objects.`;
  }
  if (activity.channelData !== undefined && activity.channelData !== null && !obj(activity.channelData))
    return 'channelData must be an object.';
  return null;
}
