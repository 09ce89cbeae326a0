import type { CardAction } from '../action-data';
import { bulk } from './bulk';
import { decide } from './decide';
import type {
  ActionDeps,
  ActionHandler,
  ActionResult,
  Press,
  RefreshHandler,
  RoutedAction,
  TableFor,
  VerbTable,
} from './types';
import { change, refresh } from './view';

export type {
  ActionDeps,
  ActionHandler,
  ActionResult,
  Press,
  RoutedAction,
  TableFor,
  VerbTable,
} from './types';
export { actingUser } from './decide';

/** The verb table of the cards this bot sends: a file per verb family (decide.ts, view.ts). */
export const VERB_TABLE: VerbTable = {
  approve: decide,
  deny: decide,
  dontKnow: decide,
  reset: decide,
  retry: decide,
  refresh,
  change,
  bulk,
};

export interface ActionRouter<A extends RoutedAction = CardAction> {
  /** Routes one parsed press to its verb's handler; an automatic refresh only ever renders. */
  route(action: A, press: Press, automatic: boolean): Promise<ActionResult>;
}

export function createActionRouter<A extends RoutedAction = CardAction>(
  table: TableFor<A> & { readonly refresh: RefreshHandler },
  deps: ActionDeps,
): ActionRouter<A> {
  return {
    route(action, press, automatic) {
      // An automatic refresh renders from stored state whatever verb it carries: no Graph call, no message
      // update (design rule 4).
      if (automatic)
        return table.refresh({ verb: 'refresh', target: action.target, rev: action.rev }, press, deps);
      // TableFor pairs each verb with its handler; TypeScript cannot follow that pairing through an index.
      const handler = table[action.verb as A['verb']] as unknown as ActionHandler<A>;
      return handler(action, press, deps);
    },
  };
}
