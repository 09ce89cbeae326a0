import type { FinalState } from '../domain';
import { randomUUID } from 'node:crypto';
import { itemKey } from '../domain';
import type { Outcome, PendingItem } from '../domain';
import {
  checkClaim,
  mergeApprovers,
  mergeItem,
  newestFirst,
  nextFinal,
  pendingDiff,
  targetKey,
  uniqueKeys,
  userKey,
} from './rules';
import type {
  AuditEntry,
  CardCopy,
  ChannelSubscription,
  ClaimRequest,
  Forgotten,
  ItemSighting,
  NewOutboxEntry,
  OutboxCounts,
  OutboxEntry,
  PendingDiff,
  ReferencePage,
  Store,
  StoredItem,
  StoredReference,
  StoreIntegrity,
  StoreSize,
  SubscriptionTarget,
  UserPreferences,
} from './types';
import { DEFAULT_PREFERENCES } from './types';

interface UserFlags {
  unreachable: string | null;
  preferences: UserPreferences | null;
}

/**
 * A complete in-memory Store: for tests and single-process local mode, not a mock. Every operation runs to
 * completion without awaiting, so each is atomic the way the SQLite transactions are. JSON the caller
 * hands in is copied, so later changes to the caller's objects do not leak in (as with a real database).
 */
export class MemoryStore implements Store {
  private readonly items = new Map<string, StoredItem>();
  private readonly copies = new Map<string, CardCopy[]>();
  private readonly references = new Map<string, StoredReference>();
  private readonly audit: AuditEntry[] = [];
  private readonly outbox = new Map<string, OutboxEntry>();
  private readonly outboxByDedupe = new Map<string, string>();
  /** Pending and inflight ids in enqueue order: what a claim has to look at. */
  private readonly live = new Set<string>();
  private readonly subscriptions = new Map<string, ChannelSubscription>();
  private readonly decisions = new Map<string, { outcome: Outcome; expiresAt: number }>();
  private readonly pending = new Map<string, readonly string[]>();
  private readonly users = new Map<string, UserFlags>();
  private readonly reminded = new Set<string>();
  private copyCount = 0;
  readonly integrity: StoreIntegrity;

  constructor(private readonly now: () => Date = () => new Date()) {
    this.integrity = {
      status: 'not checked',
      detail: 'The memory store keeps nothing across restarts: there is nothing to check.',
      checkedAt: now().toISOString(),
    };
  }

  // ---- Items ----

  async putItem(item: PendingItem, approverId: string | null): Promise<StoredItem> {
    return this.put(item, approverId);
  }

  async putItems(sightings: readonly ItemSighting[]): Promise<void> {
    for (const s of sightings) this.put(s.item, s.approverId);
  }

  private put(item: PendingItem, approverId: string | null): StoredItem {
    const key = itemKey(item.target);
    const existing = this.items.get(key);
    const stored: StoredItem = {
      key,
      item: structuredClone(mergeItem(existing?.item ?? null, item)),
      approverIds: mergeApprovers(existing?.approverIds ?? [], approverId),
      final: existing?.final ?? null,
      updatedAt: this.now().toISOString(),
    };
    this.items.set(key, stored);
    return stored;
  }

  async getItem(key: string): Promise<StoredItem | null> {
    return this.items.get(key) ?? null;
  }

  async finishItem(key: string, final: FinalState | null): Promise<boolean> {
    const existing = this.items.get(key);
    if (!existing) return false;
    const change = nextFinal(existing.final, final);
    if (!change.changed) return false;
    this.items.set(key, {
      ...existing,
      final: structuredClone(change.next),
      updatedAt: this.now().toISOString(),
    });
    return true;
  }

  // ---- Card copies ----

  async addCopy(copy: CardCopy): Promise<void> {
    const list = this.copies.get(copy.itemKey) ?? [];
    if (list.some((c) => c.conversationId === copy.conversationId && c.activityId === copy.activityId))
      return;
    list.push(structuredClone(copy));
    this.copies.set(copy.itemKey, list);
    this.copyCount += 1;
  }

  async copiesOf(itemKey: string): Promise<readonly CardCopy[]> {
    return [...(this.copies.get(itemKey) ?? [])];
  }

  async finishedShownTo(userId: string, limit: number): Promise<readonly StoredItem[]> {
    if (limit <= 0) return [];
    const id = userKey(userId);
    const shown: StoredItem[] = [];
    for (const [key, copies] of this.copies) {
      const stored = this.items.get(key);
      if (stored?.final && copies.some((c) => c.recipientId !== null && userKey(c.recipientId) === id))
        shown.push(stored);
    }
    return newestFirst(shown).slice(0, limit);
  }

  // ---- Conversation references ----

  async saveReference(reference: StoredReference): Promise<void> {
    this.references.set(reference.key, structuredClone(reference));
  }

  async getReference(key: string): Promise<StoredReference | null> {
    return this.references.get(key) ?? null;
  }

  async removeReference(key: string): Promise<void> {
    this.references.delete(key);
  }

  async listReferences(page: ReferencePage = {}): Promise<readonly StoredReference[]> {
    const after = page.afterKey ?? null;
    const limit = page.limit ?? Number.POSITIVE_INFINITY;
    const out: StoredReference[] = [];
    // Sorted by key so paging means the same here as in SQL (binary order, like SQLite's default).
    for (const key of [...this.references.keys()].sort(compareBinary)) {
      if (out.length >= limit) break;
      if (after !== null && compareBinary(key, after) <= 0) continue;
      const reference = this.references.get(key);
      if (reference && (page.scope === undefined || reference.scope === page.scope)) out.push(reference);
    }
    return out;
  }

  // ---- Audit ----

  async appendAudit(entry: AuditEntry): Promise<void> {
    this.audit.push(structuredClone(entry));
  }

  async auditFor(userId: string, limit: number): Promise<readonly AuditEntry[]> {
    if (limit <= 0) return [];
    const id = userKey(userId);
    return this.audit
      .filter((e) => userKey(e.userId) === id)
      .slice(-limit)
      .reverse();
  }

  // ---- Outbox ----

  async enqueue(entries: readonly NewOutboxEntry[]): Promise<readonly OutboxEntry[]> {
    const at = this.now().getTime();
    const added: OutboxEntry[] = [];
    for (const e of entries) {
      if (this.outboxByDedupe.has(e.dedupeKey)) continue;
      const entry: OutboxEntry = {
        id: randomUUID(),
        kind: e.kind,
        conversationKey: e.conversationKey,
        itemKey: e.itemKey,
        payload: structuredClone(e.payload),
        dedupeKey: e.dedupeKey,
        notBefore: e.notBefore,
        state: 'pending',
        attempts: 0,
        claimOwner: null,
        claimExpiresAt: null,
        lastError: null,
        activityId: null,
        createdAt: at,
        updatedAt: at,
      };
      this.outbox.set(entry.id, entry);
      this.outboxByDedupe.set(entry.dedupeKey, entry.id);
      this.live.add(entry.id);
      added.push(entry);
    }
    return added;
  }

  async claimDue(request: ClaimRequest): Promise<readonly OutboxEntry[]> {
    checkClaim(request);
    const { now } = request;
    const expired: OutboxEntry[] = [];
    const due: OutboxEntry[] = [];
    for (const id of this.live) {
      const e = this.outbox.get(id);
      if (!e) continue;
      if (e.state === 'inflight' && (e.claimExpiresAt ?? 0) <= now) expired.push(e);
      else if (e.state === 'pending' && e.notBefore <= now) due.push(e);
    }
    // Abandoned claims first (they are the oldest work), then due entries by time; ties keep enqueue order.
    expired.sort((a, b) => (a.claimExpiresAt ?? 0) - (b.claimExpiresAt ?? 0));
    due.sort((a, b) => a.notBefore - b.notBefore);
    const claimed = [...expired, ...due].slice(0, request.limit).map((e) => {
      const next: OutboxEntry = {
        ...e,
        state: 'inflight',
        attempts: e.attempts + 1,
        claimOwner: request.owner,
        claimExpiresAt: now + request.leaseMs,
        updatedAt: now,
      };
      this.outbox.set(e.id, next);
      return next;
    });
    return claimed;
  }

  /** The entry when `owner` holds a live lease on it at `now`, else null. */
  private held(id: string, owner: string, now: number): OutboxEntry | null {
    const e = this.outbox.get(id);
    if (!e || e.state !== 'inflight' || e.claimOwner !== owner) return null;
    return (e.claimExpiresAt ?? 0) > now ? e : null;
  }

  async completeOutbox(
    id: string,
    owner: string,
    result: { readonly activityId: string | null; readonly now: number },
  ): Promise<boolean> {
    const e = this.held(id, owner, result.now);
    if (!e) return false;
    this.outbox.set(id, {
      ...e,
      state: 'done',
      payload: {},
      claimOwner: null,
      claimExpiresAt: null,
      activityId: result.activityId,
      updatedAt: result.now,
    });
    this.live.delete(id);
    return true;
  }

  async retryOutbox(
    id: string,
    owner: string,
    retry: { readonly notBefore: number; readonly error: string; readonly now: number },
  ): Promise<boolean> {
    const e = this.held(id, owner, retry.now);
    if (!e) return false;
    this.outbox.set(id, {
      ...e,
      state: 'pending',
      notBefore: retry.notBefore,
      lastError: retry.error,
      claimOwner: null,
      claimExpiresAt: null,
      updatedAt: retry.now,
    });
    return true;
  }

  async failOutbox(
    id: string,
    owner: string,
    failure: { readonly error: string; readonly now: number },
  ): Promise<boolean> {
    const e = this.held(id, owner, failure.now);
    if (!e) return false;
    this.outbox.set(id, {
      ...e,
      state: 'dead',
      lastError: failure.error,
      claimOwner: null,
      claimExpiresAt: null,
      updatedAt: failure.now,
    });
    this.live.delete(id);
    return true;
  }

  async getOutboxEntry(id: string): Promise<OutboxEntry | null> {
    return this.outbox.get(id) ?? null;
  }

  async outboxCounts(): Promise<OutboxCounts> {
    const counts = { pending: 0, inflight: 0, done: 0, dead: 0 };
    for (const e of this.outbox.values()) counts[e.state] += 1;
    return counts;
  }

  async oldestWaiting(): Promise<number | null> {
    let oldest: number | null = null;
    for (const id of this.live) {
      const created = this.outbox.get(id)?.createdAt;
      if (created !== undefined && (oldest === null || created < oldest)) oldest = created;
    }
    return oldest;
  }

  // ---- Channel subscriptions ----

  private subscriptionKey(conversationId: string, target: SubscriptionTarget): string {
    return `${conversationId}\n${targetKey(target)}`;
  }

  async addSubscription(subscription: ChannelSubscription): Promise<boolean> {
    const key = this.subscriptionKey(subscription.conversationId, subscription.filter);
    const existing = this.subscriptions.get(key);
    const stored = structuredClone(subscription);
    // A repeat keeps who subscribed first and when, and takes the fresh names and reference.
    this.subscriptions.set(
      key,
      existing ? { ...stored, createdBy: existing.createdBy, createdAt: existing.createdAt } : stored,
    );
    return !existing;
  }

  async removeSubscription(conversationId: string, target: SubscriptionTarget): Promise<boolean> {
    return this.subscriptions.delete(this.subscriptionKey(conversationId, target));
  }

  async subscriptionsOf(conversationId: string): Promise<readonly ChannelSubscription[]> {
    return [...this.subscriptions.values()].filter((s) => s.conversationId === conversationId);
  }

  async subscriptionsMatching(
    targets: readonly SubscriptionTarget[],
  ): Promise<readonly ChannelSubscription[]> {
    const wanted = new Set(targets.map(targetKey));
    return [...this.subscriptions.values()].filter((s) => wanted.has(targetKey(s.filter)));
  }

  // ---- Decision dedupe ----

  async rememberDecision(key: string, outcome: Outcome, expiresAt: number): Promise<void> {
    this.decisions.set(key, { outcome: structuredClone(outcome), expiresAt });
  }

  async recalledDecision(key: string, now: number): Promise<Outcome | null> {
    const remembered = this.decisions.get(key);
    return remembered && remembered.expiresAt > now ? remembered.outcome : null;
  }

  async forgetExpiredDecisions(now: number): Promise<number> {
    let count = 0;
    for (const [key, remembered] of this.decisions) {
      if (remembered.expiresAt <= now) {
        this.decisions.delete(key);
        count += 1;
      }
    }
    return count;
  }

  // ---- Discovery bookkeeping ----

  async setPendingFor(approverId: string, itemKeys: readonly string[]): Promise<PendingDiff> {
    const id = userKey(approverId);
    const next = uniqueKeys(itemKeys);
    const diff = pendingDiff(this.pending.get(id) ?? [], next);
    this.pending.set(id, next);
    return diff;
  }

  async pendingFor(approverId: string): Promise<readonly string[]> {
    return this.pending.get(userKey(approverId)) ?? [];
  }

  private flags(userId: string): UserFlags {
    const id = userKey(userId);
    const existing = this.users.get(id);
    if (existing) return existing;
    const created: UserFlags = { unreachable: null, preferences: null };
    this.users.set(id, created);
    return created;
  }

  async markUnreachable(userId: string, reason: string): Promise<void> {
    this.flags(userId).unreachable = reason;
  }

  async clearUnreachable(userId: string): Promise<void> {
    const flags = this.users.get(userKey(userId));
    if (flags) flags.unreachable = null;
  }

  async isUnreachable(userId: string): Promise<boolean> {
    return (this.users.get(userKey(userId))?.unreachable ?? null) !== null;
  }

  async preferencesOf(userId: string): Promise<UserPreferences> {
    return this.users.get(userKey(userId))?.preferences ?? DEFAULT_PREFERENCES;
  }

  async setPreferences(userId: string, preferences: UserPreferences): Promise<void> {
    this.flags(userId).preferences = structuredClone(preferences);
  }

  async forgetBefore(cutoff: number): Promise<Forgotten> {
    const forgotten = { items: 0, outbox: 0, audit: 0 };
    for (const [id, entry] of this.outbox) {
      if (entry.state !== 'done' && entry.state !== 'dead') continue;
      if (entry.updatedAt >= cutoff) continue;
      const item = entry.itemKey ? this.items.get(entry.itemKey) : undefined;
      if (item && !item.final) continue;
      this.outbox.delete(id);
      this.outboxByDedupe.delete(entry.dedupeKey);
      forgotten.outbox += 1;
    }
    for (const [key, item] of this.items) {
      if (!item.final || Date.parse(item.updatedAt) >= cutoff) continue;
      this.items.delete(key);
      this.copyCount -= this.copies.get(key)?.length ?? 0;
      this.copies.delete(key);
      for (const mark of this.reminded) if (mark.startsWith(`${key}\n`)) this.reminded.delete(mark);
      forgotten.items += 1;
    }
    const kept = this.audit.filter((a) => Date.parse(a.at) >= cutoff);
    forgotten.audit = this.audit.length - kept.length;
    this.audit.splice(0, this.audit.length, ...kept);
    return forgotten;
  }

  async markReminded(itemKey: string, approverId: string): Promise<boolean> {
    const key = `${itemKey}\n${userKey(approverId)}`;
    if (this.reminded.has(key)) return false;
    this.reminded.add(key);
    return true;
  }

  async size(): Promise<StoreSize> {
    return { items: this.items.size, copies: this.copyCount, outbox: this.outbox.size, bytes: null };
  }

  async close(): Promise<void> {}
}

function compareBinary(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
