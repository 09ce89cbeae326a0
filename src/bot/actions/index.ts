import type { CardAction } from '../action-data';
import { decide } from './decide';
import type { ActionDeps, ActionHandler, ActionResult, Press, VerbTable } from './types';
import { change, refresh } from './view';

export type { ActionDeps, ActionHandler, ActionResult, Press, VerbTable } from './types';
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
};

export interface ActionRouter {
  /** Routes one parsed press to its verb's handler; an automatic refresh only ever renders. */
  route(action: CardAction, press: Press, automatic: boolean): Promise<ActionResult>;
}

export function createActionRouter(table: VerbTable, deps: ActionDeps): ActionRouter {
  return {
    route(action, press, automatic) {
      // An automatic refresh renders from stored state whatever verb it carries: no Graph call, no message
      // update (design rule 4).
      if (automatic)
        return table.refresh({ verb: 'refresh', target: action.target, rev: action.rev }, press, deps);
      const handler = table[action.verb] as ActionHandler;
      return handler(action, press, deps);
    },
  };
}
