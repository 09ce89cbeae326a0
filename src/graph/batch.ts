import type { Failure } from './to-outcome';
import type { GraphResponse, GraphTransport } from './transport';
import type { ApiVersion } from '../domain';
import { failureOf, failureOfSent, isSuccess, retryAfterSeconds } from './to-outcome';
import { asArray, asObject, str } from './wire';

/** Graph takes at most 20 requests in one JSON batch (graph-contract.md §4). */
export const MAX_BATCH_SIZE = 20;
/** How many times throttled inner requests are sent again before giving up on them. */
const MAX_THROTTLE_ROUNDS = 3;
/** Longest we wait on an inner Retry-After during background discovery. */
const MAX_THROTTLE_WAIT_MS = 30_000;
const BACKGROUND_TIMEOUT_MS = 30_000;

export interface BatchGet {
  readonly id: string;
  /** Path below the version, with query. */
  readonly path: string;
}

export type BatchResult =
  { readonly ok: true; readonly response: GraphResponse } | { readonly ok: false; readonly failure: Failure };

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function innerResponse(value: unknown): { id: string; response: GraphResponse } | null {
  const o = asObject(value);
  const id = o && str(o.id);
  if (!o || !id || typeof o.status !== 'number') return null;
  const headers = new Headers();
  for (const [name, v] of Object.entries(asObject(o.headers) ?? {}))
    if (typeof v === 'string') headers.set(name, v);
  const body = o.body ?? null;
  const inner = asObject(asObject(asObject(body)?.error)?.innerError);
  const requestId = headers.get('request-id') ?? str(inner?.['request-id']);
  return { id, response: { status: o.status, headers, body, requestId } };
}

/**
 * GETs many paths through `$batch`, 20 at a time. Inner 429s are invisible to the SDK's RetryHandler
 * (§4), so throttled ids are sent again here after their own Retry-After.
 */
export async function batchGet(
  transport: GraphTransport,
  version: ApiVersion,
  requests: readonly BatchGet[],
): Promise<Map<string, BatchResult>> {
  const results = new Map<string, BatchResult>();
  let pending = [...requests];
  for (let round = 0; pending.length > 0; round++) {
    const throttled: BatchGet[] = [];
    let waitMs = 0;
    for (let start = 0; start < pending.length; start += MAX_BATCH_SIZE) {
      const chunk = pending.slice(start, start + MAX_BATCH_SIZE);
      const sent = await transport.send({
        method: 'POST',
        version,
        path: '/$batch',
        body: { requests: chunk.map((r) => ({ id: r.id, method: 'GET', url: r.path })) },
        mode: 'background',
        timeoutMs: BACKGROUND_TIMEOUT_MS,
      });
      if (!sent.ok || !isSuccess(sent.response.status)) {
        const failure = sent.ok ? failureOf(sent.response) : failureOfSent(sent);
        for (const r of chunk) results.set(r.id, { ok: false, failure });
        continue;
      }
      const answered = new Map<string, GraphResponse>();
      for (const value of asArray(asObject(sent.response.body)?.responses)) {
        const inner = innerResponse(value);
        if (inner) answered.set(inner.id, inner.response);
      }
      for (const r of chunk) {
        const response = answered.get(r.id);
        if (!response) {
          const failure: Failure = {
            kind: 'unavailable',
            view: 'caller',
            status: null,
            message: 'Missing from the batch response',
            requestId: sent.response.requestId,
          };
          results.set(r.id, { ok: false, failure });
        } else if (response.status === 429 && round < MAX_THROTTLE_ROUNDS) {
          throttled.push(r);
          waitMs = Math.max(waitMs, (retryAfterSeconds(response.headers) ?? 1) * 1000);
        } else if (isSuccess(response.status)) {
          results.set(r.id, { ok: true, response });
        } else {
          results.set(r.id, { ok: false, failure: failureOf(response) });
        }
      }
    }
    if (throttled.length > 0) await sleep(Math.min(waitMs, MAX_THROTTLE_WAIT_MS));
    pending = throttled;
  }
  return results;
}
