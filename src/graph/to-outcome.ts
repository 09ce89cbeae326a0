import type { Outcome } from '../domain';
import type { GraphResponse, Sent } from './transport';
import { asObject, str } from './wire';

/** Every outcome that says the call did not do its job. */
export type Failure = Exclude<Outcome, { kind: 'recorded' | 'alreadyDecided' | 'needsJustification' }>;

/** Used when Graph throttles without saying for how long. */
export const DEFAULT_RETRY_AFTER_SECONDS = 10;

export function graphError(body: unknown): { readonly code: string; readonly message: string } {
  const error = asObject(asObject(body)?.error);
  return { code: str(error?.code) ?? '', message: str(error?.message) ?? '' };
}

/** Retry-After in seconds (delta or HTTP date, §5.3); null when absent or unreadable. */
export function retryAfterSeconds(headers: Headers, now: number = Date.now()): number | null {
  const value = headers.get('retry-after');
  if (value === null) return null;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.ceil(seconds);
  const date = Date.parse(value);
  return Number.isNaN(date) ? null : Math.max(0, Math.ceil((date - now) / 1000));
}

/**
 * A 403 is a missing delegated permission when Graph's message says so ("Valid permissions not present",
 * graph-contract.md §5.2/G4, or names the permissions or scopes the token lacks); otherwise the user may not
 * decide this item. The code alone does not tell: Authorization_RequestDenied answers both.
 */
export function isConsentProblem(_code: string, message: string): boolean {
  return /valid permissions not present|permissions?:|consent|scopes?\b/i.test(message);
}

export function failureOf(response: GraphResponse): Failure {
  const { code, message } = graphError(response.body);
  const requestId = response.requestId;
  const detail = message || code || `HTTP ${response.status}`;
  switch (response.status) {
    case 400:
    case 405:
    case 409:
    case 412:
    case 422:
      return { kind: 'invalid', view: 'caller', problems: [detail], reachedGraph: true, requestId };
    case 401:
      return { kind: 'signInRequired', view: 'caller', message: detail, requestId };
    case 403:
      return {
        kind: 'forbidden',
        view: 'caller',
        reason: isConsentProblem(code, message) ? 'missingConsent' : 'notApprover',
        message: detail,
        requestId,
      };
    case 404:
      return { kind: 'notFound', view: 'caller', message: detail, requestId };
    case 429:
      return {
        kind: 'throttled',
        view: 'caller',
        retryAfterSeconds: retryAfterSeconds(response.headers) ?? DEFAULT_RETRY_AFTER_SECONDS,
        requestId,
      };
    default:
      return { kind: 'unavailable', view: 'caller', status: response.status, message: detail, requestId };
  }
}

export function failureOfSent(sent: Extract<Sent, { ok: false }>): Failure {
  return { kind: 'unavailable', view: 'caller', status: null, message: sent.message, requestId: null };
}

export function isSuccess(status: number): boolean {
  return status >= 200 && status < 300;
}

/** Statuses after which a write may or may not have landed, and a retry may help. */
export function isTransient(status: number): boolean {
  return status === 429 || status === 500 || status === 502 || status === 503 || status === 504;
}

/** A refusal before anything reached Graph (ids, decisions, justifications the client will not send). */
export function refusedLocally(problems: readonly string[]): Failure {
  return { kind: 'invalid', view: 'caller', problems, reachedGraph: false, requestId: null };
}
