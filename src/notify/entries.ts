import type { CardCopy, ConversationScope, NewOutboxEntry, OutboxEntry, Store, StoredItem } from '../store';
import { MAX_REFRESH_USERS } from '../cards';
import type { ReviewBatch } from '../cards';
import type { FinalState } from '../domain';
import { itemKey } from '../domain';
import { bulkCopyKey } from './review-batches';
import type { ReferenceJson } from './types';

/**
 * What each kind of outbox entry carries. Cards are rendered when the entry is delivered, not when it is
 * enqueued, so that a late delivery shows the item as it is then (and one decided meanwhile is not sent).
 */

/** send / reminder: the item card for one conversation (`conversationKey`); the viewer is the recipient. */
export interface ItemPayload {
  readonly recipientId: string | null;
  /** reminder: the line above the buttons, e.g. "Reminder: this review ends on 3 Dec 17:00". */
  readonly prompt?: string;
  /** send: one card for these items of this item's review, those still waiting on the recipient. */
  readonly reviewItems?: readonly string[];
}

/** update: one posted copy, to be brought to the item's final state. */
export interface UpdatePayload {
  readonly conversationId: string;
  readonly activityId: string;
  readonly scope: ConversationScope;
  readonly recipientId: string | null;
  readonly reference: ReferenceJson;
}

/** digest: one card for many items; `itemKeys` null = everything open that waits on the approver. */
export interface DigestPayload {
  readonly approverId: string;
  readonly itemKeys: readonly string[] | null;
}

export const personalKey = (userId: string): string => `user:${userId.toLowerCase()}`;
export const channelKey = (conversationId: string): string => `channel:${conversationId}`;

/**
 * The Teams users whose clients refresh an item's card by themselves: its approvers the bot can reach,
 * then `also` (the person the card is for), at most Teams' limit.
 */
export async function refreshUsersOf(
  store: Store,
  stored: StoredItem,
  also: string | null,
): Promise<string[]> {
  const users = new Set<string>();
  for (const approverId of stored.approverIds) {
    if (users.size >= MAX_REFRESH_USERS) break;
    const reference = await store.getReference(personalKey(approverId));
    if (reference?.userMri) users.add(reference.userMri);
  }
  if (also && users.size < MAX_REFRESH_USERS) users.add(also);
  return [...users];
}

function str(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

/** notice: what one approver decided on a request, for its requester. */
export interface NoticePayload {
  readonly requesterId: string;
  readonly result: 'Approved' | 'Denied';
  readonly by: string | null;
  readonly at: string | null;
  readonly justification: string | null;
}

export function noticePayload(entry: OutboxEntry): NoticePayload | null {
  const p = entry.payload;
  const requesterId = str(p.requesterId);
  if (!requesterId || (p.result !== 'Approved' && p.result !== 'Denied')) return null;
  return { requesterId, result: p.result, by: str(p.by), at: str(p.at), justification: str(p.justification) };
}

/** One message to the requester per item and decision, ever (the dedupe key). */
export function noticeEntry(itemKey: string, notice: NoticePayload, notBefore: number): NewOutboxEntry {
  return {
    kind: 'notice',
    conversationKey: personalKey(notice.requesterId),
    itemKey,
    payload: { ...notice },
    dedupeKey: `notice:${itemKey}:${notice.result}:${notice.by ?? ''}`,
    notBefore,
  };
}

// The payloads below were written by this module from the typed values above (the outbox keeps JSON).
export function itemPayload(entry: OutboxEntry): ItemPayload {
  const p = entry.payload;
  const prompt = str(p.prompt);
  return {
    recipientId: str(p.recipientId),
    ...(prompt ? { prompt } : {}),
    ...(Array.isArray(p.reviewItems)
      ? { reviewItems: p.reviewItems.filter((k): k is string => typeof k === 'string') }
      : {}),
  };
}

export function updatePayload(entry: OutboxEntry): UpdatePayload | null {
  const p = entry.payload;
  const conversationId = str(p.conversationId);
  const activityId = str(p.activityId);
  const reference = p.reference;
  if (!conversationId || !activityId || !reference || typeof reference !== 'object') return null;
  return {
    conversationId,
    activityId,
    scope: p.scope === 'channel' || p.scope === 'groupChat' ? p.scope : 'personal',
    recipientId: str(p.recipientId),
    reference: reference as ReferenceJson,
  };
}

export function digestPayload(entry: OutboxEntry): DigestPayload | null {
  const p = entry.payload;
  const approverId = str(p.approverId);
  if (!approverId) return null;
  const keys = Array.isArray(p.itemKeys)
    ? p.itemKeys.filter((k): k is string => typeof k === 'string')
    : null;
  return { approverId, itemKeys: keys };
}

// ---- Entries (each with the dedupe key that makes it happen once, ever) ----

export function sendEntry(
  itemKey: string,
  conversationKey: string,
  recipientId: string | null,
  notBefore: number,
): NewOutboxEntry {
  const payload: ItemPayload = { recipientId };
  return {
    kind: 'send',
    conversationKey,
    itemKey,
    payload: { ...payload },
    dedupeKey: `send:${itemKey}:${conversationKey}`,
    notBefore,
  };
}

export function reminderEntry(
  itemKey: string,
  approverId: string,
  prompt: string,
  notBefore: number,
): NewOutboxEntry {
  const payload: ItemPayload = { recipientId: approverId.toLowerCase(), prompt };
  return {
    kind: 'reminder',
    conversationKey: personalKey(approverId),
    itemKey,
    payload: { ...payload },
    dedupeKey: `reminder:${itemKey}:${approverId.toLowerCase()}`,
    notBefore,
  };
}

/**
 * One update per copy and state of its item: "gone" giving way to "Approved by …", Graph's time arriving
 * after the write, a reviewer's changed decision, or an item open again (null) each update the copy again.
 */
export function finalUpdateEntry(
  copy: CardCopy,
  final: FinalState | null,
  itemUpdatedAt: string,
  notBefore: number,
): NewOutboxEntry {
  const state = final
    ? `${final.result}:${final.at ?? '-'}:${final.by?.id?.toLowerCase() ?? '-'}`
    : `open:${itemUpdatedAt}`;
  const payload: UpdatePayload = {
    conversationId: copy.conversationId,
    activityId: copy.activityId,
    scope: copy.scope,
    recipientId: copy.recipientId,
    reference: copy.reference,
  };
  return {
    kind: 'update',
    conversationKey:
      copy.scope === 'personal' && copy.recipientId
        ? personalKey(copy.recipientId)
        : channelKey(copy.conversationId),
    itemKey: copy.itemKey,
    payload: { ...payload },
    dedupeKey: `final:${copy.itemKey}:${state}:${copy.conversationId}:${copy.activityId}`,
    notBefore,
  };
}

/**
 * The item key under which a digest card's copy is recorded: a digest is a message too, and a recorded copy
 * is what stops it from being sent twice (after a crash between the send and completing the entry, or an
 * outbox rolled back with a lost write-ahead log). Item keys start with an item kind (`accessPackage:`,
 * `pimGroup:`, `pimRole:`, `accessReview:`), never `digest:`, and copies are only ever looked up by key, so
 * no item's copies (final-state updates, "already carded" checks) can include a digest.
 */
export const digestCopyKey = (dedupeKey: string): string => `digest:${dedupeKey}`;

/** `round` names the occasion: a discovery cycle for a flood, a day for a digest-preferring approver. */
/** The one card for a review's items waiting on `approverId`, sent once per review and chat. */
export function reviewSendEntry(batch: ReviewBatch, approverId: string, notBefore: number): NewOutboxEntry {
  const entry = sendEntry(itemKey(batch.target), personalKey(approverId), approverId, notBefore);
  const payload: ItemPayload = {
    recipientId: approverId,
    reviewItems: batch.items.map((i) => itemKey(i.target)),
  };
  // One card per review and chat, which of its items it first went out for aside.
  return {
    ...entry,
    payload: { ...payload },
    dedupeKey: `send:${bulkCopyKey(batch.target)}:${entry.conversationKey}`,
  };
}

export function digestEntry(
  approverId: string,
  itemKeys: readonly string[] | null,
  round: string,
  notBefore: number,
): NewOutboxEntry {
  const payload: DigestPayload = { approverId: approverId.toLowerCase(), itemKeys };
  return {
    kind: 'digest',
    conversationKey: personalKey(approverId),
    itemKey: null,
    payload: { ...payload },
    dedupeKey: `digest:${approverId.toLowerCase()}:${round}`,
    notBefore,
  };
}
