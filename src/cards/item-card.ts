import type { PendingItem } from '../domain';
import { finishCard } from './actions';
import type { ItemView } from './item-view';
import { itemView, shortItemView } from './item-view';
import { firstThatFits, TEXT_LEVELS } from './size-guard';
import { expandTemplate } from './templates';
import type { AdaptiveCard, ItemCardOptions } from './types';

/** The card for one pending item, as one viewer (approver or onlooker) should see it. */
export function renderItemCard(item: PendingItem, options: ItemCardOptions): AdaptiveCard {
  const submitOnly = !!options.submitOnly;
  const render = (view: ItemView): AdaptiveCard => {
    // A closed item's card is final: nobody needs it refreshed automatically any more.
    const userIds = view.final ? [] : options.refreshUserIds;
    return finishCard(expandTemplate(view.template, view.data), {
      refresh: { target: item.target, rev: options.rev, userIds },
      submitOnly,
    });
  };
  return firstThatFits([
    ...TEXT_LEVELS.map((limits) => () => render(itemView(item, options, limits))),
    () => render(shortItemView(item, options, false)),
    // Without user text or the refresh list this always fits, and its buttons still decide.
    () => finishCard(expandTemplate('item-short', shortItemView(item, options, true).data), { submitOnly }),
  ]);
}
