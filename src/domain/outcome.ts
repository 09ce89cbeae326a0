import type { DecidedResult, Decision } from './decisions';
import type { Person } from './items';

/**
 * One result for every Graph call the bot makes on a user's behalf (graph-contract.md §5.5). Expected
 * failures are values: callers `switch (outcome.kind)` and end with `assertNever`.
 * `requestId` is Graph's request-id of the call that decided the outcome; null when nothing reached Graph.
 */
export type Outcome =
  | {
      readonly kind: 'recorded';
      readonly decision: Decision;
      /** True when Graph did not say 204 and a read showed our own (earlier, retried) write had landed. */
      readonly reconciled: boolean;
      readonly requestId: string | null;
    }
  | {
      readonly kind: 'alreadyDecided';
      readonly result: DecidedResult;
      readonly by: Person | null;
      readonly at: string | null;
      readonly requestId: string | null;
    }
  | {
      readonly kind: 'forbidden';
      /** missingConsent: the app lacks a delegated scope; notApprover: the user may not decide this item. */
      readonly reason: 'missingConsent' | 'notApprover';
      readonly message: string;
      readonly requestId: string | null;
    }
  | { readonly kind: 'notFound'; readonly message: string; readonly requestId: string | null }
  | { readonly kind: 'invalid'; readonly problems: readonly string[]; readonly requestId: string | null }
  | { readonly kind: 'reviewClosed'; readonly status: string; readonly requestId: string | null }
  | { readonly kind: 'throttled'; readonly retryAfterSeconds: number; readonly requestId: string | null }
  /** Graph answered 401: the token is no good any more; sign the user in again. */
  | { readonly kind: 'signInRequired'; readonly message: string; readonly requestId: string | null }
  | {
      readonly kind: 'unavailable';
      /** HTTP status, or null for a network failure or a timeout. */
      readonly status: number | null;
      readonly message: string;
      readonly requestId: string | null;
    };

export type OutcomeKind = Outcome['kind'];

export function assertNever(value: never): never {
  throw new Error(`Unhandled case: ${JSON.stringify(value)}`);
}
