import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import type { DecisionTarget } from '../domain';

/**
 * /api/notify: an external trigger (for example an entitlement-management custom extension calling a
 * Logic App) says "this item changed" or "these approvers have something new", and the bot discovers for
 * them at once instead of at the next cycle. The caller signs each request with a shared secret:
 *
 *   X-Approvals-Timestamp: <unix seconds>
 *   X-Approvals-Signature: sha256=<hex HMAC-SHA256 of "<timestamp>.<raw body>" with the secret>
 *
 * A request is refused, and nothing changes, when a header is missing, the signature is wrong, the
 * timestamp is more than five minutes off, the same signature was seen before within that window
 * (replay), or the body is not the JSON below.
 */

export const TIMESTAMP_HEADER = 'x-approvals-timestamp';
export const SIGNATURE_HEADER = 'x-approvals-signature';
export const PUSH_TOLERANCE_MS = 5 * 60_000;
const SIGNATURE = /^sha256=([0-9a-f]{64})$/i;
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const guid = z.string().regex(GUID, 'must be a GUID');
const target = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.enum(['accessPackage', 'pimGroup']),
    approvalId: guid,
    stageId: guid,
    api: z.enum(['v1.0', 'beta']).default('v1.0'),
  }),
  z.strictObject({
    kind: z.literal('pimRole'),
    approvalId: guid,
    stageId: guid,
    api: z.literal('beta').default('beta'),
  }),
  z.strictObject({
    kind: z.literal('accessReview'),
    definitionId: guid,
    instanceId: guid,
    stageId: guid.nullable().default(null),
    decisionId: guid,
  }),
]);

/** The body: who to discover for, and/or which item changed (its known approvers are discovered). */
export const pushBody = z
  .strictObject({
    approverIds: z.array(guid).max(100).optional(),
    target: target.optional(),
  })
  .refine((b) => (b.approverIds?.length ?? 0) > 0 || b.target !== undefined, {
    message: 'give approverIds, a target, or both',
  });

export interface PushRequest {
  readonly approverIds: readonly string[];
  readonly target: DecisionTarget | null;
}

export interface PushRefusal {
  readonly status: 400 | 401 | 409 | 429 | 503;
  readonly code: string;
  readonly message: string;
}

export type Verified =
  { readonly ok: true; readonly request: PushRequest } | ({ readonly ok: false } & PushRefusal);

/** The signature header value for `body` sent at `timestamp` (unix seconds): for callers and tests. */
export function signPush(secret: string, timestamp: number | string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

function header(headers: Readonly<Record<string, unknown>>, name: string): string | null {
  const value = headers[name];
  const first = Array.isArray(value) ? (value[0] as unknown) : value;
  return typeof first === 'string' ? first : null;
}

/**
 * Accepted signatures are remembered until their timestamp could no longer pass the check: at most this
 * many at once (a push every 60 ms, sustained for ten minutes); beyond it pushes are refused for a while,
 * never accepted unchecked.
 */
export const MAX_REMEMBERED_PUSHES = 10_000;

/** Checks signature, freshness and replays, then the body. Remembers accepted signatures in memory. */
export class PushGate {
  /** Accepted signatures, in the order accepted, until they could no longer pass the timestamp check. */
  private readonly seen = new Map<string, number>();

  constructor(
    private readonly secret: string | null,
    private readonly now: () => number = Date.now,
  ) {}

  verify(headers: Readonly<Record<string, unknown>>, rawBody: string): Verified {
    if (!this.secret) {
      return {
        ok: false,
        status: 503,
        code: 'notConfigured',
        message: 'Pushes are off: the bot has no NOTIFY_SECRET.',
      };
    }
    const timestamp = header(headers, TIMESTAMP_HEADER);
    const signature = SIGNATURE.exec(header(headers, SIGNATURE_HEADER) ?? '')?.[1]?.toLowerCase();
    if (!timestamp || !/^\d{1,12}$/.test(timestamp) || !signature) {
      return {
        ok: false,
        status: 401,
        code: 'unsigned',
        message: `Sign the request: ${TIMESTAMP_HEADER} (unix seconds) and ${SIGNATURE_HEADER} (sha256=<hex HMAC-SHA256 of "<timestamp>.<body>">).`,
      };
    }
    const expected = Buffer.from(signPush(this.secret, timestamp, rawBody).slice(7), 'hex');
    const given = Buffer.from(signature, 'hex');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      return {
        ok: false,
        status: 401,
        code: 'badSignature',
        message: 'The signature does not match the body.',
      };
    }
    const now = this.now();
    if (Math.abs(now - Number(timestamp) * 1000) > PUSH_TOLERANCE_MS) {
      return {
        ok: false,
        status: 401,
        code: 'stale',
        message: "The timestamp is more than five minutes away from the bot's clock; sign the request again.",
      };
    }
    this.forgetOld(now);
    if (this.seen.size >= MAX_REMEMBERED_PUSHES) {
      return {
        ok: false,
        status: 429,
        code: 'tooManyPushes',
        message: 'Too many pushes in the last ten minutes; send fewer, or try again in a minute.',
      };
    }
    if (this.seen.has(signature)) {
      return {
        ok: false,
        status: 409,
        code: 'replayed',
        message: 'This signed request was already accepted.',
      };
    }
    let json: unknown;
    try {
      json = JSON.parse(rawBody);
    } catch {
      return { ok: false, status: 400, code: 'malformed', message: 'The body is not JSON.' };
    }
    const parsed = pushBody.safeParse(json);
    if (!parsed.success) {
      return { ok: false, status: 400, code: 'malformed', message: z.prettifyError(parsed.error) };
    }
    this.seen.set(signature, now + 2 * PUSH_TOLERANCE_MS);
    return {
      ok: true,
      request: {
        approverIds: (parsed.data.approverIds ?? []).map((id) => id.toLowerCase()),
        target: (parsed.data.target as DecisionTarget | undefined) ?? null,
      },
    };
  }

  /** Entries expire in the order they were accepted: stop at the first that is still live. */
  private forgetOld(now: number): void {
    for (const [signature, until] of this.seen) {
      if (until > now) break;
      this.seen.delete(signature);
    }
  }
}
