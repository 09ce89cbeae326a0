import type {
  Decision,
  FinalState,
  FollowKind,
  ItemKind,
  Outcome,
  OutcomeKind,
  PendingItem,
} from '../domain';

export interface StoredItem {
  readonly key: string;
  readonly item: PendingItem;
  /** Entra object ids (lower case) of the people known to be asked to decide it. */
  readonly approverIds: readonly string[];
  readonly final: FinalState | null;
  readonly updatedAt: string;
}

/** One item seen in discovery, and who it was seen for: the unit of `putItems`. */
export interface ItemSighting {
  readonly item: PendingItem;
  readonly approverId: string | null;
}

export type ConversationScope = 'personal' | 'channel' | 'groupChat';

/** A conversation the bot can post to, kept as the opaque JSON of botbuilder's ConversationReference. */
export interface StoredReference {
  /** `user:{aadObjectId}` for a personal chat, `channel:{conversationId}` for a channel or group chat. */
  readonly key: string;
  readonly scope: ConversationScope;
  readonly tenantId: string | null;
  readonly userId: string | null;
  /** The user's Teams id (29:…), used for refresh.userIds. */
  readonly userMri: string | null;
  readonly conversationId: string;
  readonly reference: Readonly<Record<string, unknown>>;
  readonly updatedAt: string;
}

export interface ReferencePage {
  readonly scope?: ConversationScope;
  /** Keys are listed in ascending order; pass the last key of a page to get the next one. */
  readonly afterKey?: string | null;
  readonly limit?: number;
}

/** One posted copy of an item's card: enough to update it later. */
export interface CardCopy {
  readonly itemKey: string;
  readonly conversationId: string;
  readonly activityId: string;
  readonly scope: ConversationScope;
  /** For a personal chat, whose chat it is. */
  readonly recipientId: string | null;
  readonly reference: Readonly<Record<string, unknown>>;
  readonly sentAt: string;
}

export interface AuditEntry {
  readonly at: string;
  readonly userId: string;
  readonly userName: string;
  readonly itemKey: string;
  readonly kind: ItemKind;
  readonly title: string;
  readonly decision: Decision;
  readonly outcome: OutcomeKind;
  readonly requestId: string | null;
  /** Length only: the text itself stays in Graph, not in our audit log. */
  readonly justificationLength: number;
}

// ---- Outbox ----

/**
 * send: a new card to a conversation; update: an existing card copy to a new card; reminder: a card before
 * a stage or review ends; digest: one card for many items.
 */
export type OutboxKind = 'send' | 'update' | 'reminder' | 'digest' | 'notice';

/** pending → inflight (claimed, leased) → done | dead; a retry or an expired lease makes it claimable again. */
export type OutboxState = 'pending' | 'inflight' | 'done' | 'dead';

export const OUTBOX_STATES: readonly OutboxState[] = ['pending', 'inflight', 'done', 'dead'];

export interface NewOutboxEntry {
  readonly kind: OutboxKind;
  /** The StoredReference key of the conversation to post to. */
  readonly conversationKey: string;
  readonly itemKey: string | null;
  /** JSON: the card and whatever the sender needs (e.g. the activity id of the copy to update). */
  readonly payload: Readonly<Record<string, unknown>>;
  /** The same send is enqueued once, ever: a second entry with this key is ignored. */
  readonly dedupeKey: string;
  /** Not before this time (ms since epoch): now, or the end of the recipient's quiet hours. */
  readonly notBefore: number;
}

export interface OutboxEntry extends NewOutboxEntry {
  readonly id: string;
  readonly state: OutboxState;
  /** How many times it was claimed: a claim that crashed counts as an attempt. */
  readonly attempts: number;
  readonly claimOwner: string | null;
  /** ms since epoch; after it, the claim is void and another owner may take the entry. */
  readonly claimExpiresAt: number | null;
  readonly lastError: string | null;
  /** The activity id Teams gave the sent card, once done. */
  readonly activityId: string | null;
  readonly createdAt: number;
  readonly updatedAt: number;
}

export interface ClaimRequest {
  readonly now: number;
  readonly limit: number;
  /** Who claims: one id per process (instance id + pid), so a restarted process is a new owner. */
  readonly owner: string;
  readonly leaseMs: number;
}

export type OutboxCounts = Readonly<Record<OutboxState, number>>;

// ---- Channel subscriptions ----

export type SubscriptionKind = FollowKind;

/** What a channel follows: every item about this access package, catalog, group, role or review. */
export interface SubscriptionFilter {
  readonly kind: SubscriptionKind;
  readonly id: string;
  readonly displayName: string;
}

/** One thing an item is about, as a subscription can match it. */
export type SubscriptionTarget = Pick<SubscriptionFilter, 'kind' | 'id'>;

export interface ChannelSubscription {
  readonly conversationId: string;
  readonly teamId: string | null;
  readonly channelName: string | null;
  /** The channel's conversation reference, so a card can be posted without another lookup. */
  readonly reference: Readonly<Record<string, unknown>>;
  readonly filter: SubscriptionFilter;
  readonly createdBy: string | null;
  readonly createdAt: string;
}

// ---- Per-user bookkeeping ----

export interface QuietHours {
  /** HH:MM, 24-hour clock, in `timeZone`; a window may wrap midnight (22:00 to 07:00). */
  readonly start: string;
  readonly end: string;
  /** IANA time zone, e.g. Europe/Berlin. */
  readonly timeZone: string;
}

export interface UserPreferences {
  readonly delivery: 'instant' | 'digest';
  readonly quietHours: QuietHours | null;
  /** As a requester: a message when an approver decides your request through the bot. */
  readonly requesterUpdates: boolean;
}

export const DEFAULT_PREFERENCES: UserPreferences = Object.freeze({
  delivery: 'instant',
  quietHours: null,
  requesterUpdates: true,
});

/** What an approver's pending set became: the diff discovery acts on (new → send, vanished → update). */
/** What one retention pass deleted. */
export interface Forgotten {
  readonly items: number;
  readonly outbox: number;
  readonly audit: number;
}

export interface PendingDiff {
  readonly added: readonly string[];
  readonly vanished: readonly string[];
}

export interface StoreSize {
  readonly items: number;
  readonly copies: number;
  readonly outbox: number;
  /** Bytes on disk, where the store has a disk; null in memory or on remote storage. */
  readonly bytes: number | null;
}

/**
 * What the store found about its own data when it opened (for the start-up log and a readiness probe):
 * - `ok`: the data is as it was left;
 * - `first start`: there was no data yet;
 * - `marker missing`: there is data but nothing to compare it with, so a loss before this start would go
 *   unnoticed (the marker was deleted, or the data was written by a version without one);
 * - `lost recent writes`: the data is older than it was (a lost write-ahead log, an older file restored);
 * - `not checked`: the engine has nothing of its own to check (memory, Azure Storage).
 */
export type IntegrityStatus = 'ok' | 'first start' | 'marker missing' | 'lost recent writes' | 'not checked';

export interface StoreIntegrity {
  readonly status: IntegrityStatus;
  /** What was found, what it means and what the bot does about it, in a sentence or three. */
  readonly detail: string;
  /** ISO time of the check. */
  readonly checkedAt: string;
}

/**
 * The store port: what the bot keeps between turns and across restarts (design rule 9). Every
 * implementation passes tests/store/store-contract.ts. User ids are Entra object ids, compared without case.
 */
export interface Store {
  // Items

  /** Records (or refreshes) an item and adds `approverId` to the people asked; a final state is kept. */
  putItem(item: PendingItem, approverId: string | null): Promise<StoredItem>;
  /** The same as `putItem` for many sightings at once (one transaction where the engine has them). */
  putItems(sightings: readonly ItemSighting[]): Promise<void>;
  getItem(key: string): Promise<StoredItem | null>;
  /**
   * Records how an item ended (null: open again, after a reviewer reset a decision they may change), by
   * the rules of `nextFinal`. True when this call changed the final state.
   */
  finishItem(key: string, final: FinalState | null): Promise<boolean>;

  // Card copies

  /** Adds a copy once per (item, conversation, activity). */
  addCopy(copy: CardCopy): Promise<void>;
  /** In the order they were added. */
  copiesOf(itemKey: string): Promise<readonly CardCopy[]>;
  /**
   * The items that had a card in `userId`'s own chat (a copy with them as recipient) and have a final
   * state, whoever decided them: the most recently changed first (`updatedAt`), at most `limit`.
   */
  finishedShownTo(userId: string, limit: number): Promise<readonly StoredItem[]>;

  // Conversation references

  saveReference(reference: StoredReference): Promise<void>;
  getReference(key: string): Promise<StoredReference | null>;
  removeReference(key: string): Promise<void>;
  listReferences(page?: ReferencePage): Promise<readonly StoredReference[]>;

  // Audit

  appendAudit(entry: AuditEntry): Promise<void>;
  /** The user's newest `limit` entries, newest first. */
  auditFor(userId: string, limit: number): Promise<readonly AuditEntry[]>;

  // Outbox

  /** Adds the entries whose dedupe key is new (atomically) and returns them; the rest are ignored. */
  enqueue(entries: readonly NewOutboxEntry[]): Promise<readonly OutboxEntry[]>;
  /**
   * Atomically claims up to `limit` entries that are due (pending, notBefore ≤ now) or whose lease expired,
   * for `owner` until now + leaseMs. Two claimers never get the same entry while its lease runs.
   */
  claimDue(request: ClaimRequest): Promise<readonly OutboxEntry[]>;
  /**
   * Marks a claimed entry delivered. False (and nothing changes) when `owner` no longer holds a live lease
   * on it at `now`. A done entry keeps its dedupe key and result, not its payload.
   */
  completeOutbox(
    id: string,
    owner: string,
    result: { readonly activityId: string | null; readonly now: number },
  ): Promise<boolean>;
  /** Puts a claimed entry back to pending until `notBefore`; false when the lease is no longer the owner's. */
  retryOutbox(
    id: string,
    owner: string,
    retry: { readonly notBefore: number; readonly error: string; readonly now: number },
  ): Promise<boolean>;
  /** Dead-letters a claimed entry: it will not be tried again. False when the lease is not the owner's. */
  failOutbox(
    id: string,
    owner: string,
    failure: { readonly error: string; readonly now: number },
  ): Promise<boolean>;
  getOutboxEntry(id: string): Promise<OutboxEntry | null>;
  outboxCounts(): Promise<OutboxCounts>;
  /** When the oldest entry still waiting (pending or in flight) was enqueued (ms); null when none waits. */
  oldestWaiting(): Promise<number | null>;

  // Channel subscriptions

  /** Idempotent per (channel, kind, id): a repeat refreshes names and reference and returns false. */
  addSubscription(subscription: ChannelSubscription): Promise<boolean>;
  removeSubscription(conversationId: string, target: SubscriptionTarget): Promise<boolean>;
  subscriptionsOf(conversationId: string): Promise<readonly ChannelSubscription[]>;
  /** Every subscription whose filter is one of `targets` (see `subscriptionTargetsOf`). */
  subscriptionsMatching(targets: readonly SubscriptionTarget[]): Promise<readonly ChannelSubscription[]>;

  // Decision dedupe (design rule 5, across restarts)

  rememberDecision(key: string, outcome: Outcome, expiresAt: number): Promise<void>;
  recalledDecision(key: string, now: number): Promise<Outcome | null>;
  /** Drops remembered decisions that expired before `now`; returns how many. */
  forgetExpiredDecisions(now: number): Promise<number>;
  /**
   * Retention: deletes what ended before `cutoff` (ms): items with a final state last changed before it, with
   * their card copies and reminder marks; done and dead outbox entries settled before it whose item is gone
   * or final; audit entries recorded before it. Nothing open, pending or in flight is ever deleted.
   */
  forgetBefore(cutoff: number): Promise<Forgotten>;

  // Discovery bookkeeping

  /** Replaces the keys last seen pending for an approver and returns what changed since. */
  setPendingFor(approverId: string, itemKeys: readonly string[]): Promise<PendingDiff>;
  pendingFor(approverId: string): Promise<readonly string[]>;
  /** Teams said MessageWritesBlocked: stop sending to this user until they come back. */
  markUnreachable(userId: string, reason: string): Promise<void>;
  clearUnreachable(userId: string): Promise<void>;
  isUnreachable(userId: string): Promise<boolean>;
  /** Defaults (instant, no quiet hours) until the user sets their own. */
  preferencesOf(userId: string): Promise<UserPreferences>;
  setPreferences(userId: string, preferences: UserPreferences): Promise<void>;
  /** True the first time for (item, approver), false ever after: one reminder each. */
  markReminded(itemKey: string, approverId: string): Promise<boolean>;

  /** What the store found about its data when it opened. */
  readonly integrity: StoreIntegrity;

  /** Counts for health and the benchmark. */
  size(): Promise<StoreSize>;
  close(): Promise<void>;
}
