import type { AccessReviewPending, DecisionTarget } from '../domain';
import { itemKey } from '../domain';
import type { ReviewBatch } from '../cards';
import type { Store, StoredItem } from '../store';

/** From this many items of one review waiting on a reviewer, they come as one card to decide together. */
export const BULK_MIN_ITEMS = 3;

type ReviewTarget = Extract<DecisionTarget, { kind: 'accessReview' }>;

/** One review as far as a reviewer sees it: its instance and stage. */
function reviewOf(t: ReviewTarget): string {
  return `${t.definitionId}:${t.instanceId}:${t.stageId ?? ''}`;
}

/** The copy key of a review's one card in a chat: not an item's, so no item's update ever replaces it. */
export function bulkCopyKey(target: ReviewTarget): string {
  return `bulk:${reviewOf(target)}`;
}

/** The review items among `stored`, by review, where there are enough to come as one card. */
export function reviewBatches(stored: readonly StoredItem[]): ReviewBatch[] {
  const groups = new Map<string, AccessReviewPending[]>();
  for (const s of stored) {
    if (s.item.kind !== 'accessReview') continue;
    const key = reviewOf(s.item.target);
    groups.set(key, [...(groups.get(key) ?? []), s.item]);
  }
  return [...groups.values()]
    .filter((items) => items.length >= BULK_MIN_ITEMS)
    .map((items) => ({ target: (items[0] as AccessReviewPending).target, items }));
}

/** The open items of `item`'s review (same instance and stage) that the store has waiting on `userId`. */
export async function openReviewBatch(
  store: Store,
  item: AccessReviewPending,
  userId: string,
): Promise<ReviewBatch> {
  return openBatchOf(store, item, [itemKey(item.target), ...(await store.pendingFor(userId))], userId);
}

/** Of the items under `keys`, those of `item`'s review still open and waiting on `userId`. */
export async function openBatchOf(
  store: Store,
  item: AccessReviewPending,
  keys: readonly string[],
  userId: string,
): Promise<ReviewBatch> {
  const review = reviewOf(item.target);
  const items: AccessReviewPending[] = [];
  for (const key of new Set(keys)) {
    const stored = await store.getItem(key);
    const found = stored?.item;
    if (!stored || stored.final || found?.kind !== 'accessReview') continue;
    if (!stored.approverIds.includes(userId.toLowerCase())) continue;
    if (reviewOf(found.target) === review) items.push(found);
  }
  return { target: item.target, items };
}
