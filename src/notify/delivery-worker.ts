import type { Logger } from '../log';
import { BoundedMap } from '../bounded';
import { measure, traced } from '../telemetry';
import type { AdaptiveCard } from '../cards';
import type { OutboxEntry, Store, StoredItem, StoredReference } from '../store';
import { itemKey as keyOf } from '../domain';
import {
  digestCopyKey,
  digestPayload,
  itemPayload,
  noticePayload,
  refreshUsersOf,
  sendEntry,
  updatePayload,
} from './entries';
import type { RateLimiter, SendScope } from './rate-limit';
import type { Delivered, DeliveryFailure, NotifyCards, ReferenceJson, TeamsDelivery } from './types';
import { bulkCopyKey, openBatchOf } from './review-batches';

export interface WorkerOptions {
  /** This process's claim owner (instance id + pid): a restarted process is a new owner. */
  readonly owner: string;
  /** How long a claim holds; an owner that dies loses its entries to others after this. */
  readonly leaseMs: number;
  /** Entries in flight at once. */
  readonly concurrency: number;
  /** How often an idle worker looks for due entries (it is also woken on enqueue). */
  readonly pollMs: number;
  /** Waits for a rate budget up to this long in process; longer waits go back to the outbox. */
  readonly maxWaitMs: number;
  /** A failing entry is retried with back-off until it is this old, then dead-lettered. */
  readonly maxAgeMs: number;
  /** Claims of one entry (crashes included) before it is dead-lettered whatever its age. */
  readonly maxAttempts: number;
  readonly backoffBaseMs: number;
  readonly backoffMaxMs: number;
  /** How many of a digest's items follow it as cards. */
  readonly digestCards: number;
}

/** Entries put back for one conversation come back at most this far apart (Teams' 60 per 30 s). */
const FOLLOWER_STEP_MS = 500;

export const DEFAULT_WORKER_OPTIONS: Omit<WorkerOptions, 'owner'> = {
  leaseMs: 60_000,
  concurrency: 32,
  pollMs: 1000,
  maxWaitMs: 2000,
  maxAgeMs: 24 * 3_600_000,
  maxAttempts: 100,
  backoffBaseMs: 2000,
  backoffMaxMs: 60_000,
  digestCards: 5,
};

export interface WorkerDeps {
  readonly store: Store;
  readonly delivery: TeamsDelivery;
  readonly limiter: RateLimiter;
  readonly cards: NotifyCards;
  readonly log: Logger;
  readonly now: () => number;
  readonly random?: () => number;
  readonly options: WorkerOptions;
}

/** What the worker did so far, for logs, tests and the benchmark. */
export interface WorkerStats {
  readonly sent: number;
  readonly updated: number;
  readonly created: number;
  readonly throttled: number;
  readonly retried: number;
  readonly deferred: number;
  readonly skipped: number;
  readonly dead: number;
}

type Counters = { -readonly [K in keyof WorkerStats]: WorkerStats[K] };

type Settlement =
  | { readonly kind: 'done'; readonly activityId: string | null; readonly note?: string }
  | { readonly kind: 'retry'; readonly notBefore: number; readonly error: string }
  | { readonly kind: 'dead'; readonly error: string };

const done = (activityId: string | null, note?: string): Settlement => ({
  kind: 'done',
  activityId,
  ...(note ? { note } : {}),
});

function tenantOf(reference: ReferenceJson, fallback: string | null): string {
  const conversation = reference.conversation as { tenantId?: unknown } | undefined;
  const tenant = typeof conversation?.tenantId === 'string' ? conversation.tenantId : fallback;
  return tenant ?? 'unknown-tenant';
}

function describe(failure: DeliveryFailure): string {
  switch (failure.kind) {
    case 'throttled':
      return `429 (Retry-After ${failure.retryAfterMs ?? 'none'} ms): ${failure.detail}`;
    case 'transient':
    case 'rejected':
      return `${failure.status ?? 'no status'} ${failure.kind}: ${failure.detail}`;
    default:
      return `${failure.kind}: ${failure.detail}`;
  }
}

/**
 * Delivers the outbox: claims due entries under a lease, renders each card from the stored item, waits for
 * the conversation's and the tenant's rate budget, sends through the Teams port, records every copy, and
 * settles the entry (design rules 7, 9, 10). A copy is recorded before the entry is completed, and a send
 * whose copy already exists is not repeated, so a crash repeats at most the sends that were in flight.
 */
export class DeliveryWorker {
  private readonly counters: Counters = {
    sent: 0,
    updated: 0,
    created: 0,
    throttled: 0,
    retried: 0,
    deferred: 0,
    skipped: 0,
    dead: 0,
  };
  private readonly inFlight = new Set<Promise<void>>();

  get stats(): WorkerStats {
    return { ...this.counters };
  }

  private running = false;
  private loop: Promise<void> | null = null;
  private wakeUp: (() => void) | null = null;
  private woken = false;
  private idleWaiters: (() => void)[] = [];
  private readonly random: () => number;
  /**
   * The latest slot given to a deferred entry, per conversation: past slots are dropped as time passes,
   * and at most 10,000 are kept (a dropped one only lets entries come back closer together; the rate
   * limiter still holds them to Teams' limits).
   */
  private readonly slots = new BoundedMap<string, number>(10_000);
  private slotsPrunedAt = 0;
  /** Conversations an entry waits in process for; others for the same conversation go back instead. */
  private readonly waiting = new Set<string>();
  private readonly creating = new Map<
    string,
    Promise<{ ok: true; reference: StoredReference } | { ok: false; settlement: Settlement }>
  >();

  constructor(private readonly deps: WorkerDeps) {
    this.random = deps.random ?? Math.random;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run().catch((error: unknown) => {
      this.deps.log.error({ err: error }, 'outbox worker stopped on an error');
      this.running = false;
    });
  }

  /** New entries are due: look now rather than at the next poll. */
  wake(): void {
    this.woken = true;
    this.wakeUp?.();
  }

  /** Stops claiming and waits for the entries in flight to settle. */
  async stop(): Promise<void> {
    this.running = false;
    this.wake();
    await this.loop;
    await Promise.allSettled([...this.inFlight]);
  }

  /** Resolves once nothing is due and nothing is in flight (tests and the benchmark). */
  idle(): Promise<void> {
    return new Promise((resolve) => {
      this.idleWaiters.push(resolve);
      this.wake();
    });
  }

  private async run(): Promise<void> {
    while (this.running) {
      const free = this.deps.options.concurrency - this.inFlight.size;
      if (free <= 0) {
        await Promise.race(this.inFlight);
        continue;
      }
      this.woken = false;
      let claimed: readonly OutboxEntry[] = [];
      try {
        claimed = await this.deps.store.claimDue({
          now: this.deps.now(),
          limit: free,
          owner: this.deps.options.owner,
          leaseMs: this.deps.options.leaseMs,
        });
      } catch (error) {
        this.deps.log.error({ err: error }, 'could not claim outbox entries');
      }
      for (const entry of claimed) this.track(this.settle(entry));
      if (claimed.length > 0) continue;
      if (this.inFlight.size === 0) this.notifyIdle();
      if (this.woken) continue;
      await this.pause();
    }
  }

  private notifyIdle(): void {
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    waiters.forEach((resolve) => resolve());
  }

  private pause(): Promise<void> {
    return new Promise((resolve) => {
      let timer: NodeJS.Timeout | undefined = undefined;
      // Settling entries also wakes the loop, so a free slot is filled at once.
      const finish = () => {
        clearTimeout(timer);
        this.wakeUp = null;
        resolve();
      };
      timer = setTimeout(finish, this.deps.options.pollMs);
      this.wakeUp = finish;
    });
  }

  private track(work: Promise<void>): void {
    this.inFlight.add(work);
    void work.finally(() => {
      this.inFlight.delete(work);
      this.wakeUp?.();
    });
  }

  // ---- One entry ----

  private async settle(entry: OutboxEntry): Promise<void> {
    let settlement: Settlement;
    try {
      settlement = await this.deliver(entry);
    } catch (error) {
      // A bug or a store failure: keep the entry and try again later, like a transient failure.
      this.deps.log.error({ err: error, entryId: entry.id, kind: entry.kind }, 'outbox entry failed');
      settlement = this.retryOrDead(entry, error instanceof Error ? error.message : String(error), null);
    }
    try {
      if (!(await this.record(entry, settlement))) {
        // Our lease ran out and another owner may have the entry now; it decides what happens to it.
        this.deps.log.warn({ entryId: entry.id }, 'outbox lease lost before the entry was settled');
      }
    } catch (error) {
      // The store failed: the lease runs out and the entry is claimed again (a send may then repeat).
      this.deps.log.error({ err: error, entryId: entry.id }, 'could not settle an outbox entry');
    }
  }

  /** Writes the settlement; false when the lease was no longer ours. */
  private async record(entry: OutboxEntry, settlement: Settlement): Promise<boolean> {
    const { store, options } = this.deps;
    const now = this.deps.now();
    measure().deliveries.add(1, { 'outbox.kind': entry.kind, result: settlement.kind });
    switch (settlement.kind) {
      case 'done':
        if (settlement.note)
          this.deps.log.debug({ entryId: entry.id, note: settlement.note }, 'outbox entry done');
        return store.completeOutbox(entry.id, options.owner, { activityId: settlement.activityId, now });
      case 'retry':
        return store.retryOutbox(entry.id, options.owner, {
          notBefore: settlement.notBefore,
          error: settlement.error,
          now,
        });
      case 'dead':
        this.counters.dead += 1;
        this.deps.log.warn(
          { entryId: entry.id, kind: entry.kind, error: settlement.error },
          'outbox entry dead',
        );
        return store.failOutbox(entry.id, options.owner, { error: settlement.error, now });
    }
  }

  private deliver(entry: OutboxEntry): Promise<Settlement> {
    return traced(`teams.${entry.kind}`, { 'outbox.kind': entry.kind }, () => this.deliverEntry(entry));
  }

  private deliverEntry(entry: OutboxEntry): Promise<Settlement> {
    switch (entry.kind) {
      case 'send':
      case 'reminder':
        return this.deliverItem(entry);
      case 'update':
        return this.deliverUpdate(entry);
      case 'digest':
        return this.deliverDigest(entry);
      case 'notice':
        return this.deliverNotice(entry);
    }
  }

  /** A transient failure: back off (exponential, with jitter) unless the entry is too old or too tried. */
  private retryOrDead(entry: OutboxEntry, error: string, retryAfterMs: number | null): Settlement {
    const { options } = this.deps;
    const now = this.deps.now();
    if (now - entry.createdAt >= options.maxAgeMs || entry.attempts >= options.maxAttempts)
      return { kind: 'dead', error: `gave up after ${entry.attempts} attempts: ${error}` };
    this.counters.retried += 1;
    if (retryAfterMs !== null) return { kind: 'retry', notBefore: now + retryAfterMs, error };
    const exponent = Math.min(Math.max(entry.attempts - 1, 0), 16);
    const delay = Math.min(options.backoffMaxMs, options.backoffBaseMs * 2 ** exponent);
    const jitter = 0.8 + 0.4 * this.random();
    return { kind: 'retry', notBefore: now + Math.round(delay * jitter), error };
  }

  /**
   * Waits for the rate budget of `scope`: in process when the wait is short and no other entry already
   * waits for this conversation; otherwise (and when stopping) the caller puts the entry back until then.
   */
  private async budget(scope: SendScope): Promise<{ ok: true } | { ok: false; until: number }> {
    let waiting = false;
    try {
      for (;;) {
        const now = this.deps.now();
        const wait = await this.deps.limiter.take(scope, now);
        if (wait === 0) return { ok: true };
        const queued = !waiting && this.waiting.has(scope.conversationId);
        if (!this.running || queued || wait > this.deps.options.maxWaitMs)
          return { ok: false, until: now + wait };
        waiting = true;
        this.waiting.add(scope.conversationId);
        await new Promise((resolve) => setTimeout(resolve, wait));
      }
    } finally {
      if (waiting) this.waiting.delete(scope.conversationId);
    }
  }

  /**
   * Sends (or updates) within the budget; a 429 holds the conversation for its Retry-After. An entry whose
   * claim is about to run out (it waited long for the budget) is put back unsent: once the claim lapses,
   * another instance may take the entry and send it too.
   */
  private async limited(
    entry: OutboxEntry,
    scope: SendScope,
    call: () => Promise<Delivered>,
  ): Promise<Delivered | { deferUntil: number }> {
    const budget = await this.budget(scope);
    if (!budget.ok) return { deferUntil: budget.until };
    const now = this.deps.now();
    const margin = Math.min(2000, this.deps.options.leaseMs / 4);
    if (entry.claimExpiresAt !== null && entry.claimExpiresAt - now < margin) return { deferUntil: now };
    const result = await call();
    if (!result.ok && result.failure.kind === 'throttled') {
      this.counters.throttled += 1;
      measure().teamsThrottled.add(1, { 'outbox.kind': entry.kind });
      const now = this.deps.now();
      const retryAfter = result.failure.retryAfterMs ?? this.deps.options.backoffBaseMs;
      await this.deps.limiter.hold(scope, now + retryAfter, now);
    }
    return result;
  }

  /**
   * Puts an entry back until its conversation has budget again. Entries for the same conversation are
   * given successive slots, one budget step apart, so they come back one by one rather than all at once.
   */
  private deferred(scope: SendScope, until: number): Settlement {
    this.counters.deferred += 1;
    const now = this.deps.now();
    // Never further apart than a conversation's sustained rate (60/30 s): a full 30-second window frees
    // its sends one by one as the earlier ones age out, not all at `until`.
    const step = Math.min(Math.max(until - now, 50), FOLLOWER_STEP_MS);
    const slot = Math.max(until, (this.slots.get(scope.conversationId) ?? 0) + step);
    this.slots.set(scope.conversationId, slot);
    if (now - this.slotsPrunedAt > 60_000) {
      this.slotsPrunedAt = now;
      this.slots.prune((last) => last < now);
    }
    return { kind: 'retry', notBefore: slot, error: 'deferred: rate budget' };
  }

  /** A settlement for a failed send or update, after the cases the caller handles itself. */
  private failed(entry: OutboxEntry, failure: DeliveryFailure): Settlement {
    switch (failure.kind) {
      case 'throttled':
        return this.retryOrDead(
          entry,
          describe(failure),
          failure.retryAfterMs ?? this.deps.options.backoffBaseMs,
        );
      case 'transient':
        return this.retryOrDead(entry, describe(failure), null);
      default:
        return { kind: 'dead', error: describe(failure) };
    }
  }

  private refreshUsers(stored: StoredItem, recipientMri: string | null): Promise<string[]> {
    return refreshUsersOf(this.deps.store, stored, recipientMri);
  }

  /** Where a personal entry goes: the user's chat, created first when they have the app but no chat yet. */
  private async conversationFor(
    reference: StoredReference,
  ): Promise<{ ok: true; reference: StoredReference } | { ok: false; settlement: Settlement }> {
    if (reference.conversationId !== '') return { ok: true, reference };
    return this.createChat(reference);
  }

  /** One creation per user at a time: entries for the same user wait for it and share its chat. */
  private createChat(
    reference: StoredReference,
  ): Promise<{ ok: true; reference: StoredReference } | { ok: false; settlement: Settlement }> {
    const running = this.creating.get(reference.key);
    if (running) return running;
    const work = this.openChat(reference).finally(() => this.creating.delete(reference.key));
    this.creating.set(reference.key, work);
    return work;
  }

  private async openChat(
    stale: StoredReference,
  ): Promise<{ ok: true; reference: StoredReference } | { ok: false; settlement: Settlement }> {
    // Another entry may have opened it since this one read the reference.
    const reference = (await this.deps.store.getReference(stale.key)) ?? stale;
    if (reference.conversationId !== '' && reference.conversationId !== stale.conversationId)
      return { ok: true, reference };
    const scope: SendScope = {
      conversationId: `create:${reference.key}`,
      tenantId: reference.tenantId ?? 'unknown-tenant',
    };
    const budget = await this.budget(scope);
    if (!budget.ok) return { ok: false, settlement: this.deferred(scope, budget.until) };
    const created = await this.deps.delivery.createPersonal(reference.reference);
    if (!created.ok) {
      if (created.failure.kind === 'blocked' && reference.userId)
        await this.unreachable(reference.userId, created.failure);
      return {
        ok: false,
        settlement: { kind: 'dead', error: `could not open a chat: ${describe(created.failure)}` },
      };
    }
    this.counters.created += 1;
    const saved: StoredReference = {
      ...reference,
      conversationId: created.conversationId,
      reference: created.reference,
      updatedAt: new Date(this.deps.now()).toISOString(),
    };
    await this.deps.store.saveReference(saved);
    this.deps.log.info(
      { userId: reference.userId, conversationId: created.conversationId },
      'opened a 1:1 chat',
    );
    return { ok: true, reference: saved };
  }

  private async unreachable(userId: string, failure: DeliveryFailure): Promise<void> {
    await this.deps.store.markUnreachable(userId, describe(failure));
    this.deps.log.warn({ userId }, 'Teams blocks messages to this user; no more cards go to them');
  }

  // send and reminder: a new message with the item card.
  private async deliverItem(entry: OutboxEntry): Promise<Settlement> {
    const { store } = this.deps;
    const key = entry.itemKey;
    const stored = key ? await store.getItem(key) : null;
    if (!key || !stored) return { kind: 'dead', error: `no stored item ${key ?? '(none)'}` };
    const payload = itemPayload(entry);
    if (stored.final && !payload.reviewItems) {
      this.counters.skipped += 1;
      return done(null, 'decided before its card went out');
    }
    const target = await store.getReference(entry.conversationKey);
    if (!target) return { kind: 'dead', error: `no conversation ${entry.conversationKey} (uninstalled?)` };
    if (target.userId && (await store.isUnreachable(target.userId)))
      return { kind: 'dead', error: 'the user blocked the bot (MessageWritesBlocked)' };

    // A review's one card stands for its items still open and waiting on the recipient when it goes out.
    const batch =
      payload.reviewItems && payload.recipientId && stored.item.kind === 'accessReview'
        ? await openBatchOf(store, stored.item, payload.reviewItems, payload.recipientId)
        : null;
    const copyKey = batch ? bulkCopyKey(batch.target) : key;
    if (batch?.items.length === 0) {
      this.counters.skipped += 1;
      return done(null, 'its review was decided before its card went out');
    }

    // A copy in this conversation means the card is there already: sent by the install flow or by an
    // earlier claim of this entry that died between the send and completing the entry.
    const since = entry.kind === 'reminder' ? entry.createdAt : 0;
    const copies = await store.copiesOf(copyKey);
    const existing = copies.find(
      (c) => c.conversationId === target.conversationId && Date.parse(c.sentAt) >= since,
    );
    if (existing && target.conversationId !== '') {
      this.counters.skipped += 1;
      return done(existing.activityId, 'already in this conversation');
    }

    const personal = target.scope === 'personal';
    const card: AdaptiveCard = batch
      ? this.deps.cards.reviewBulk(batch)
      : this.deps.cards.item(stored, {
          canAct: personal ? !!payload.recipientId && stored.approverIds.includes(payload.recipientId) : true,
          refreshUserIds: await this.refreshUsers(stored, personal ? target.userMri : null),
          shared: !personal,
          ...(payload.prompt ? { prompt: payload.prompt } : {}),
        });

    let conversation = await this.conversationFor(target);
    if (!conversation.ok) return conversation.settlement;
    let reference = conversation.reference;
    for (let round = 0; ; round++) {
      const scope: SendScope = {
        conversationId: reference.conversationId,
        tenantId: tenantOf(reference.reference, reference.tenantId),
      };
      const result = await this.limited(entry, scope, () =>
        this.deps.delivery.send(reference.reference, card),
      );
      if ('deferUntil' in result) return this.deferred(scope, result.deferUntil);
      if (result.ok) {
        // The copy first: once it is recorded, a crash before completing the entry does not send again.
        await store.addCopy({
          itemKey: copyKey,
          conversationId: result.conversationId,
          activityId: result.activityId,
          scope: reference.scope,
          recipientId: personal ? (payload.recipientId ?? reference.userId) : null,
          reference: reference.reference,
          sentAt: new Date(this.deps.now()).toISOString(),
        });
        this.counters.sent += 1;
        return done(result.activityId);
      }
      const failure = result.failure;
      if (failure.kind === 'conversationNotFound' && personal && round === 0) {
        // The user removed the chat history: open the chat again and send there (§3.1).
        conversation = await this.createChat(reference);
        if (!conversation.ok) return conversation.settlement;
        reference = conversation.reference;
        continue;
      }
      if (failure.kind === 'blocked' && reference.userId) await this.unreachable(reference.userId, failure);
      return this.failed(entry, failure);
    }
  }

  // notice: one message to a requester about a decision on their request.
  private async deliverNotice(entry: OutboxEntry): Promise<Settlement> {
    const { store } = this.deps;
    const payload = noticePayload(entry);
    const stored = entry.itemKey ? await store.getItem(entry.itemKey) : null;
    if (!payload || !stored) return { kind: 'dead', error: 'malformed notice entry' };
    // Asked at send time, so that "updates off" holds for what is still queued.
    if (!(await store.preferencesOf(payload.requesterId)).requesterUpdates)
      return done(null, 'the requester turned these messages off');
    const target = await store.getReference(entry.conversationKey);
    // A requester without the app is not told here: My Access and email still tell them.
    if (!target) return done(null, 'the requester has no chat with the bot');
    if (target.userId && (await store.isUnreachable(target.userId)))
      return done(null, 'the requester blocked the bot');
    const card = this.deps.cards.notice({
      item: stored.item,
      result: payload.result,
      by: payload.by,
      at: payload.at,
      justification: payload.justification,
    });
    const sent = await this.sendNew(entry, target, card);
    if (!sent.ok) return sent.settlement;
    this.counters.sent += 1;
    return done(sent.delivered.activityId);
  }

  /**
   * Posts `card` as a new message in a user's chat (opened first when none is known), within Teams' budget.
   * A failure comes back settled: a user who blocked the bot is marked, and a chat deleted since is opened
   * again on the next try.
   */
  private async sendNew(
    entry: OutboxEntry,
    target: StoredReference,
    card: AdaptiveCard,
  ): Promise<
    | { ok: true; reference: StoredReference; delivered: Extract<Delivered, { ok: true }> }
    | { ok: false; settlement: Settlement }
  > {
    const conversation = await this.conversationFor(target);
    if (!conversation.ok) return conversation;
    const reference = conversation.reference;
    const scope: SendScope = {
      conversationId: reference.conversationId,
      tenantId: tenantOf(reference.reference, reference.tenantId),
    };
    const result = await this.limited(entry, scope, () => this.deps.delivery.send(reference.reference, card));
    if ('deferUntil' in result) return { ok: false, settlement: this.deferred(scope, result.deferUntil) };
    if (result.ok) return { ok: true, reference, delivered: result };
    if (result.failure.kind === 'blocked' && reference.userId)
      await this.unreachable(reference.userId, result.failure);
    if (result.failure.kind === 'conversationNotFound' && reference.userId) {
      await this.deps.store.saveReference({ ...reference, conversationId: '' });
      return { ok: false, settlement: this.retryOrDead(entry, describe(result.failure), 0) };
    }
    return { ok: false, settlement: this.failed(entry, result.failure) };
  }

  // update: one copy to the item's final state.
  private async deliverUpdate(entry: OutboxEntry): Promise<Settlement> {
    const payload = updatePayload(entry);
    const key = entry.itemKey;
    if (!payload || !key) return { kind: 'dead', error: 'malformed update entry' };
    const stored = await this.deps.store.getItem(key);
    if (!stored) return done(null, 'nothing to show');
    const viewer = payload.scope === 'personal' ? payload.recipientId : null;
    const card = stored.final
      ? this.deps.cards.final(stored, stored.final, viewer)
      : this.deps.cards.item(stored, {
          canAct: viewer === null || stored.approverIds.includes(viewer),
          refreshUserIds: await this.refreshUsers(stored, null),
          shared: payload.scope !== 'personal',
        });
    const scope: SendScope = {
      conversationId: payload.conversationId,
      tenantId: tenantOf(payload.reference, null),
    };
    const result = await this.limited(entry, scope, () =>
      this.deps.delivery.update(payload.reference, payload.activityId, card),
    );
    if ('deferUntil' in result) return this.deferred(scope, result.deferUntil);
    if (result.ok) {
      this.counters.updated += 1;
      return done(result.activityId);
    }
    const failure = result.failure;
    if (failure.kind === 'messageNotFound' || failure.kind === 'conversationNotFound') {
      this.counters.skipped += 1;
      return done(null, 'the copy no longer exists');
    }
    if (failure.kind === 'blocked' && payload.recipientId)
      await this.unreachable(payload.recipientId, failure);
    return this.failed(entry, failure);
  }

  // digest: one summary card, then the most urgent items as cards (sends of their own).
  private async deliverDigest(entry: OutboxEntry): Promise<Settlement> {
    const { store } = this.deps;
    const payload = digestPayload(entry);
    if (!payload) return { kind: 'dead', error: 'malformed digest entry' };
    const target = await store.getReference(entry.conversationKey);
    if (!target) return { kind: 'dead', error: `no conversation ${entry.conversationKey}` };
    if (target.userId && (await store.isUnreachable(target.userId)))
      return { kind: 'dead', error: 'the user blocked the bot (MessageWritesBlocked)' };
    const keys = payload.itemKeys ?? (await store.pendingFor(payload.approverId));
    const open: StoredItem[] = [];
    for (const key of keys) {
      const stored = await store.getItem(key);
      if (!stored || stored.final) continue;
      // A daily digest lists what waits; items already carded in this chat are not news.
      if (payload.itemKeys === null) {
        const copies = await store.copiesOf(key);
        if (copies.some((c) => c.recipientId === payload.approverId)) continue;
      }
      open.push(stored);
    }
    if (open.length === 0) {
      this.counters.skipped += 1;
      return done(null, 'nothing left to digest');
    }
    // Like an item card: a recorded copy in this conversation means the digest is there already. Its
    // follow-up cards are enqueued again (their dedupe keys drop what was enqueued before).
    const recordKey = digestCopyKey(entry.dedupeKey);
    const recorded = (await store.copiesOf(recordKey)).find(
      (c) => target.conversationId !== '' && c.conversationId === target.conversationId,
    );
    if (recorded) {
      this.counters.skipped += 1;
      return this.digestCards(entry, open, recorded.activityId);
    }
    const max = this.deps.options.digestCards;
    const card = this.deps.cards.digest(
      open.map((s) => s.item),
      max,
    );
    const sent = await this.sendNew(entry, target, card);
    if (!sent.ok) return sent.settlement;
    const { reference, delivered } = sent;
    // Recorded before the entry is completed, as item cards are, so that it is not sent twice.
    await store.addCopy({
      itemKey: recordKey,
      conversationId: delivered.conversationId,
      activityId: delivered.activityId,
      scope: reference.scope,
      recipientId: payload.approverId,
      reference: reference.reference,
      sentAt: new Date(this.deps.now()).toISOString(),
    });
    this.counters.sent += 1;
    return this.digestCards(entry, open, delivered.activityId);
  }

  private async digestCards(
    entry: OutboxEntry,
    open: readonly StoredItem[],
    activityId: string,
  ): Promise<Settlement> {
    const max = this.deps.options.digestCards;
    const urgent = this.deps.cards.urgentFirst(open.map((s) => s.item)).slice(0, max);
    const now = this.deps.now();
    const payload = digestPayload(entry);
    await this.deps.store.enqueue(
      urgent.map((item) =>
        sendEntry(keyOf(item.target), entry.conversationKey, payload?.approverId ?? null, now),
      ),
    );
    return done(activityId);
  }
}
