import type { DecisionTarget } from './items';

/**
 * A stable key for an item: what dedupe, the store and the cards agree on. It covers every id of the
 * target, so a card whose ids were altered names another item (one the store does not know), never this
 * one; the write itself always takes its ids from the stored item.
 */
export function itemKey(target: DecisionTarget): string {
  switch (target.kind) {
    case 'accessPackage':
    case 'pimGroup':
    case 'pimRole':
      return `${target.kind}:${target.approvalId}:${target.stageId}`;
    case 'accessReview':
      return `accessReview:${target.definitionId}:${target.instanceId}:${target.stageId ?? '-'}:${target.decisionId}`;
  }
}

/** True when a card's target names exactly the stored item's target (every id, and the API version). */
export function sameTarget(a: DecisionTarget, b: DecisionTarget): boolean {
  const ids = (t: DecisionTarget): string =>
    t.kind === 'accessReview'
      ? [t.kind, t.definitionId, t.instanceId, t.stageId ?? '-', t.decisionId].join('|')
      : [t.kind, t.approvalId, t.stageId, t.api].join('|');
  return ids(a).toLowerCase() === ids(b).toLowerCase();
}
