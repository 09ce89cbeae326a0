import type { DecidedResult } from './decisions';
import type { Person } from './items';

/**
 * How an item ended, as every copy of its card should end up showing it (design rule 7), and only as
 * Graph showed it: the decider and the time are Graph's (`reviewedBy`, `reviewedDateTime`), or null while
 * Graph has not said them.
 */
export interface FinalState {
  readonly result: DecidedResult | 'gone' | 'closed';
  readonly by: Person | null;
  readonly at: string | null;
  /** The decider's justification as Graph returned it; null when unknown. */
  readonly justification: string | null;
  /**
   * A reviewer may still change it (an access review decision while the review is in progress); an approval
   * stage's decision is final.
   */
  readonly changeable: boolean;
}
