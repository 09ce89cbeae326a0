import type { DecidedResult, Decision } from './decisions';
import type { Person } from './items';

/**
 * One result for every decision attempt (graph-contract.md §5.5). Expected failures are values: callers
 * `switch (outcome.kind)` and end with `assertNever`. `requestId` is Graph's request-id of the call that
 * decided the outcome; null when nothing reached Graph.
 *
 * Every outcome says whose view it is (docs/design.md, "Shared state changes only on evidence"):
 * - `item`: Graph showed how the item stands for everyone (our write answered 2xx, or a read returned the
 *   decision and who made it, or the review's closed status). Only these may change what other viewers of
 *   the item see, and what the store keeps about it.
 * - `caller`: what happened to this one attempt (refused, not found for this user, throttled, not sent).
 *   It is the answer to the person who pressed, and changes nothing for anyone else.
 */
export type OutcomeView = 'item' | 'caller';

export type Outcome =
  | {
      readonly kind: 'recorded';
      readonly view: 'item';
      readonly decision: Decision;
      /** The caller's justification as sent (cleaned), '' when none. */
      readonly justification: string;
      /** True when Graph did not say 2xx and a read showed our own (earlier, retried) write had landed. */
      readonly reconciled: boolean;
      /** When Graph recorded it and as whom, where a read said so; null straight after a 204. */
      readonly at: string | null;
      readonly by: Person | null;
      readonly requestId: string | null;
    }
  | {
      readonly kind: 'alreadyDecided';
      /**
       * `item` when a read returned the decision and its decider; `caller` when Graph answered 409 (someone
       * decided the stage) but the read that followed could not say who or what.
       */
      readonly view: OutcomeView;
      readonly result: DecidedResult | null;
      readonly by: Person | null;
      readonly at: string | null;
      /** The decider's justification, when Graph returned it. */
      readonly justification: string | null;
      readonly requestId: string | null;
    }
  | {
      readonly kind: 'reviewClosed';
      readonly view: 'item';
      readonly status: string;
      readonly requestId: string | null;
    }
  | {
      readonly kind: 'forbidden';
      readonly view: 'caller';
      /** missingConsent: the app lacks a delegated scope; notApprover: the user may not decide this item. */
      readonly reason: 'missingConsent' | 'notApprover';
      readonly message: string;
      readonly requestId: string | null;
    }
  | {
      readonly kind: 'notFound';
      readonly view: 'caller';
      readonly message: string;
      readonly requestId: string | null;
    }
  | {
      readonly kind: 'invalid';
      readonly view: 'caller';
      readonly problems: readonly string[];
      /** False when the bot refused before sending anything to Graph. */
      readonly reachedGraph: boolean;
      readonly requestId: string | null;
    }
  | {
      /** The decision needs the approver's own words: required by the review, the stage (Graph's 400) or a Deny. */
      readonly kind: 'needsJustification';
      readonly view: 'caller';
      readonly reason: 'review' | 'stage' | 'deny';
      readonly reachedGraph: boolean;
      readonly requestId: string | null;
    }
  | {
      readonly kind: 'throttled';
      readonly view: 'caller';
      readonly retryAfterSeconds: number;
      readonly requestId: string | null;
    }
  /** Graph answered 401: the token is no good any more; sign the user in again. */
  | {
      readonly kind: 'signInRequired';
      readonly view: 'caller';
      readonly message: string;
      readonly requestId: string | null;
    }
  | {
      readonly kind: 'unavailable';
      readonly view: 'caller';
      /** HTTP status, or null for a network failure or a timeout. */
      readonly status: number | null;
      readonly message: string;
      readonly requestId: string | null;
    };

export type OutcomeKind = Outcome['kind'];

export function assertNever(value: never): never {
  throw new Error(`Unhandled case: ${JSON.stringify(value)}`);
}
