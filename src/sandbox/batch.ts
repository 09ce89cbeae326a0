import { randomUUID } from 'node:crypto';
import { badRequest, HttpError } from './errors';
import type { Json, JsonObject } from './json';
import { isRecord } from './json';
import type { Call, Caller, Outcome, Pipeline } from './pipeline';
import type { Reply } from './routes';
import type { GraphVersion } from './types';

/** JSON batching's documented limit (graph-contract.md §4). */
export const MAX_BATCH_REQUESTS = 20;
const METHODS = new Set(['GET', 'POST', 'PATCH', 'PUT', 'DELETE']);

interface BatchItem {
  readonly id: string;
  readonly method: string;
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: unknown;
  readonly dependsOn: readonly string[];
}

interface Envelope {
  readonly version: GraphVersion;
  readonly caller: Caller;
  readonly headers: Readonly<Record<string, string | undefined>>;
}

const isIdList = (value: unknown): value is string[] =>
  Array.isArray(value) && value.every((item) => typeof item === 'string');

function parseItem(raw: unknown, index: number): BatchItem {
  const where = `request at index ${index}`;
  if (!isRecord(raw)) throw badRequest(`Invalid batch payload: the ${where} is not an object.`);
  const { id, method, url, headers, body, dependsOn } = raw;
  if (typeof id !== 'string' || id.trim() === '')
    throw badRequest(`Invalid batch payload: the ${where} has no id.`);
  if (typeof method !== 'string' || !METHODS.has(method.toUpperCase())) {
    throw badRequest(`Invalid batch payload: request '${id}' has an invalid method.`);
  }
  if (typeof url !== 'string' || url.trim() === '')
    throw badRequest(`Invalid batch payload: request '${id}' has no url.`);
  if (/^[a-z]+:\/\//i.test(url))
    throw badRequest(`Invalid batch payload: request '${id}' must use a relative url.`);
  const headerMap: Record<string, string> = {};
  if (headers !== undefined) {
    if (!isRecord(headers)) throw badRequest(`Invalid batch payload: request '${id}' has invalid headers.`);
    for (const [name, value] of Object.entries(headers))
      if (typeof value === 'string') headerMap[name.toLowerCase()] = value;
  }
  if (body !== undefined && headerMap['content-type'] === undefined) {
    throw badRequest(`Invalid batch payload: request '${id}' has a body but no Content-Type header.`);
  }
  if (dependsOn !== undefined && !isIdList(dependsOn)) {
    throw badRequest(`Invalid batch payload: dependsOn of request '${id}' must be an array of ids.`);
  }
  return {
    id,
    method: method.toUpperCase(),
    url,
    headers: headerMap,
    body,
    dependsOn: dependsOn ?? [],
  };
}

function parseBatch(body: unknown): BatchItem[] {
  if (!isRecord(body) || !Array.isArray(body.requests)) {
    throw badRequest("Invalid batch payload: the body must be a JSON object with a 'requests' array.");
  }
  if (body.requests.length === 0) throw badRequest('Invalid batch payload: the batch holds no requests.');
  if (body.requests.length > MAX_BATCH_REQUESTS) {
    throw badRequest(
      `Invalid batch payload: a batch can hold at most ${MAX_BATCH_REQUESTS} requests (got ${body.requests.length}).`,
    );
  }
  const items = body.requests.map(parseItem);
  const seen = new Set<string>();
  for (const item of items) {
    // Ids are unique case-insensitively; a duplicate fails the whole batch.
    const key = item.id.toLowerCase();
    if (seen.has(key))
      throw badRequest(`Invalid batch payload: the request id '${item.id}' is used more than once.`);
    seen.add(key);
  }
  for (const item of items) {
    for (const dep of item.dependsOn) {
      if (!seen.has(dep.toLowerCase()) || dep.toLowerCase() === item.id.toLowerCase()) {
        throw badRequest(`Invalid batch payload: request '${item.id}' depends on unknown request '${dep}'.`);
      }
    }
  }
  return items;
}

/** Dependencies first, otherwise in the order given; a cycle is a malformed batch. */
function executionOrder(items: readonly BatchItem[]): BatchItem[] {
  const done = new Set<string>();
  const order: BatchItem[] = [];
  while (order.length < items.length) {
    const next = items.find(
      (item) =>
        !done.has(item.id.toLowerCase()) && item.dependsOn.every((dep) => done.has(dep.toLowerCase())),
    );
    if (!next) throw badRequest('Invalid batch payload: dependsOn forms a cycle.');
    done.add(next.id.toLowerCase());
    order.push(next);
  }
  return order;
}

function innerCall(item: BatchItem, envelope: Envelope): Call {
  const cut = item.url.indexOf('?');
  const pathPart = cut < 0 ? item.url : item.url.slice(0, cut);
  const body =
    item.body === undefined
      ? ({ kind: 'none' } as const)
      : typeof item.body === 'string'
        ? ({ kind: 'text', text: item.body } as const)
        : ({ kind: 'json', value: item.body } as const);
  return {
    method: item.method,
    rawUrl: item.url,
    // The version comes from the batch URL (graph-contract.md §4).
    version: envelope.version,
    rawPath: pathPart.replace(/^\//, ''),
    rawQuery: cut < 0 ? '' : item.url.slice(cut + 1),
    headers: item.headers,
    body,
    batched: true,
    caller: envelope.caller,
  };
}

function toResponse(id: string, outcome: Extract<Outcome, { kind: 'answer' }>): JsonObject {
  return {
    id,
    status: outcome.status,
    headers: { ...outcome.headers },
    ...(outcome.body !== undefined ? { body: outcome.body } : {}),
  };
}

export async function runBatch(
  body: unknown,
  envelope: Envelope,
  pipeline: Pipeline,
): Promise<Reply | 'drop'> {
  const items = parseBatch(body);
  const sequential = items.some((item) => item.dependsOn.length > 0);
  const responses = new Map<string, JsonObject>();
  const statuses = new Map<string, number>();

  const run = async (item: BatchItem): Promise<'drop' | undefined> => {
    const call = innerCall(item, envelope);
    const failed = item.dependsOn.find((dep) => (statuses.get(dep.toLowerCase()) ?? 0) >= 400);
    if (failed !== undefined) {
      pipeline.recordOnly(call, 424);
      const requestId = randomUUID();
      const reply = pipeline.errorReply(
        new HttpError(424, 'FailedDependency', `The request depends on request '${failed}', which failed.`),
        { requestId, clientRequestId: requestId },
        pipeline.now(),
      );
      statuses.set(item.id.toLowerCase(), 424);
      responses.set(item.id, {
        id: item.id,
        status: 424,
        headers: { 'Content-Type': 'application/json' },
        ...(reply.body ? { body: reply.body } : {}),
      });
      return undefined;
    }
    const outcome = await pipeline.execute(call);
    if (outcome.kind === 'drop') return 'drop';
    statuses.set(item.id.toLowerCase(), outcome.status);
    responses.set(
      item.id,
      outcome.kind === 'text'
        ? {
            id: item.id,
            status: outcome.status,
            headers: { 'Content-Type': 'text/plain' },
            body: outcome.text,
          }
        : toResponse(item.id, outcome),
    );
    return undefined;
  };

  if (sequential) {
    for (const item of executionOrder(items)) if ((await run(item)) === 'drop') return 'drop';
  } else {
    // Without dependsOn Graph runs requests in parallel, in no set order.
    const results = await Promise.all(items.map(run));
    if (results.includes('drop')) return 'drop';
  }
  const ordered: Json[] = items.map((item) => responses.get(item.id) ?? null);
  return { status: 200, body: { responses: ordered } };
}
