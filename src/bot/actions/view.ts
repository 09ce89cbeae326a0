import { itemKey, sameTarget } from '../../domain';
import type { ViewPress } from '../action-data';
import { decisionOfFinal } from '../views';
import { message } from '../../messages';
import type { ActionHandler } from './types';

/**
 * refresh, change: show the card again, from stored state only (an automatic refresh never calls Graph
 * nor updates a message, design rule 4).
 */

/** The card as this viewer should see it now. */
export const refresh: ActionHandler<ViewPress> = async (action, press, deps) => {
  const stored = await deps.store.getItem(itemKey(action.target));
  if (!stored) return { kind: 'message', text: message('approvals.bot.cardOutOfDate') };
  if (!sameTarget(stored.item.target, action.target))
    return { kind: 'message', text: message('approvals.bot.cardMismatchShown') };
  return {
    kind: 'card',
    card: deps.views.forViewer(stored, press.viewer, await deps.refreshUsers(stored, press.context.activity)),
  };
};

/**
 * "Change decision" on a decided access review item: the buttons come back for this viewer, showing the
 * decision Graph holds. An approval stage's decision cannot change in Graph, so it only shows the card.
 */
export const change: ActionHandler<ViewPress> = async (action, press, deps) => {
  const stored = await deps.store.getItem(itemKey(action.target));
  if (!stored || !sameTarget(stored.item.target, action.target) || !stored.final?.changeable)
    return refresh(action, press, deps);
  return {
    kind: 'card',
    card: deps.views.itemCard(stored.item, {
      canAct: true,
      refreshUserIds: await deps.refreshUsers(stored, press.context.activity),
      shared: press.viewer.shared === true,
      recordedDecision: decisionOfFinal(stored.final),
      prompt: message('approvals.bot.changePrompt'),
    }),
  };
};
