import type { DecisionTarget } from './items';

/** A stable key for an item: what dedupe, the store and the cards agree on. */
export function itemKey(target: DecisionTarget): string {
  switch (target.kind) {
    case 'accessPackage':
    case 'pimGroup':
    case 'pimRole':
      return `${target.kind}:${target.approvalId}:${target.stageId}`;
    case 'accessReview':
      return `accessReview:${target.instanceId}:${target.stageId ?? '-'}:${target.decisionId}`;
  }
}
