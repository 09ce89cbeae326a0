import type { DecidedResult } from './decisions';
import type { Person } from './items';

/** How an item ended, as every copy of its card should end up showing it (design rule 7). */
export interface FinalState {
  readonly result: DecidedResult | 'gone' | 'closed';
  readonly by: Person | null;
  readonly at: string | null;
}
