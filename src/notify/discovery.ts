import { createHash } from 'node:crypto';
import type { ItemState, UserGovernance } from '../graph';
import type { PendingItem } from '../domain';
import { deadlineOf, itemKey, kindOf } from '../domain';
import type { Logger } from '../log';
import { measure, traced } from '../telemetry';
import type { NewOutboxEntry, Store, StoredItem, StoredReference } from '../store';
import type { FinalState } from '../domain';
import {
  channelKey,
  digestEntry,
  finalUpdateEntry,
  noticeEntry,
  personalKey,
  reminderEntry,
  reviewSendEntry,
  sendEntry,
} from './entries';
import { nextLocalTime, quietUntil } from './quiet-hours';
import { reviewBatches } from './review-batches';
import { targetsOf } from './subscriptions';
import type { ApproverAccess } from './types';

export interface DiscoverySettings {
  /** More new items than this for one approver in one cycle → one digest instead of a card each. */
  readonly digestThreshold: number;
  /** Reminds this long before a stage or review ends; 0 = no reminders. */
  readonly reminderLeadMs: number;
  /** Local hour when approvers who chose "digest" get theirs. */
  readonly digestHour: number;
  /** The deployment's time zone (cards), for approvers who have not set one. */
  readonly timeZone: string;
  /** Approvers discovered at once. */
  readonly concurrency: number;
  /** Longest wait for one read of an item's state. */
  readonly readTimeoutMs: number;
}

export interface DiscoveryDeps {
  readonly store: Store;
  readonly access: ApproverAccess;
  readonly log: Logger;
  readonly now: () => number;
  readonly settings: DiscoverySettings;
  /** Called after entries were enqueued, so that the worker looks at once. */
  readonly enqueued: () => void;
  /**
   * With several instances: whether this instance discovers the approver now (it holds the
   * approver's lease bucket). Asked right before each approver, so that a lease lost mid-cycle stops work.
   */
  readonly shouldDiscover?: (approverId: string) => boolean;
}

/** What one discovery run found and did. */
export interface DiscoveryReport {
  /** Approvers whose pending items were read. */
  readonly approvers: number;
  /**
   * Approvers skipped: no token (not signed in), unreachable, already being discovered, or (several
   * instances) in a lease bucket another instance holds.
   */
  readonly skipped: number;
  readonly failed: number;
  readonly added: number;
  readonly vanished: number;
  /** Items that got a final state from a read after they vanished. */
  readonly finished: number;
  readonly enqueued: number;
  /** HTTP requests to Graph for the discovery reads (a `$batch` counts once); state reads not included. */
  readonly graphRequests: number;
  readonly stateReads: number;
}

/** The report while a run fills it in. */
type Tally = { -readonly [K in keyof DiscoveryReport]: DiscoveryReport[K] };

export function emptyReport(): Tally {
  return {
    approvers: 0,
    skipped: 0,
    failed: 0,
    added: 0,
    vanished: 0,
    finished: 0,
    enqueued: 0,
    graphRequests: 0,
    stateReads: 0,
  };
}

/**
 * A vanished item's end, from a read as an approver it waited on: discovery as that approver no longer
 * lists it and the read says how it stands, which is the evidence shared state may change on.
 */
function finalOf(state: ItemState, item: PendingItem): FinalState | 'open' | 'unknown' {
  const changeable = item.kind === 'accessReview';
  switch (state.kind) {
    case 'decided':
      // A review item reset to "not reviewed" is open again.
      return state.result === 'NotReviewed'
        ? 'open'
        : {
            result: state.result,
            by: state.by,
            at: state.at,
            justification: state.justification,
            changeable,
          };
    case 'closed':
      return { result: 'closed', by: null, at: null, justification: null, changeable: false };
    case 'gone':
      return { result: 'gone', by: null, at: null, justification: null, changeable: false };
    case 'open':
      return 'open';
    case 'unknown':
      return 'unknown';
  }
}

function reminderText(deadline: number, timeZone: string): string {
  const when = new Intl.DateTimeFormat('en-GB', {
    timeZone,
    day: 'numeric',
    month: 'short',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
    timeZoneName: 'short',
  }).format(new Date(deadline));
  return `Reminder: this ends ${when}. Decide now, or it ends without your answer.`;
}

/** Runs `work` over `items`, at most `limit` at a time. */
export async function eachLimited<T>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const lanes = Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, async () => {
    while (next < items.length) {
      const item = items[next++] as T;
      await work(item);
    }
  });
  await Promise.all(lanes);
}

const PAGE = 500;

/**
 * Discovery (flow 2): for each signed-in approver, the discovery reads as that approver; the result diffed
 * with what the store last saw pending for them. New items → cards (or a digest) and channel cards;
 * vanished ones → their state read back, and every copy of their card updated to it (design rule 7).
 * Entries are enqueued before the new pending set is saved, so a crash in between repeats the diff and
 * the outbox's dedupe keys drop the repeats (design rule 9).
 */
export class Discovery {
  private readonly busy = new Set<string>();

  constructor(private readonly deps: DiscoveryDeps) {}

  /** Every approver with a personal conversation reference (signed in, in production). */
  async discoverAll(): Promise<DiscoveryReport> {
    const started = performance.now();
    const report = await traced('approvals.discovery', {}, () => this.discoverEveryone());
    measure().discoveryDuration.record((performance.now() - started) / 1000);
    measure().discoveryApprovers.record(report.approvers);
    return report;
  }

  private async discoverEveryone(): Promise<DiscoveryReport> {
    const report = emptyReport();
    let after: string | null = null;
    for (;;) {
      const page = await this.deps.store.listReferences({ scope: 'personal', afterKey: after, limit: PAGE });
      if (page.length === 0) break;
      await eachLimited(page, this.deps.settings.concurrency, (reference) =>
        this.discoverOne(reference, report),
      );
      after = page[page.length - 1]?.key ?? null;
      if (page.length < PAGE) break;
    }
    return report;
  }

  /** Some approvers now (a push to /api/notify); unknown ids are skipped. */
  async discoverFor(approverIds: readonly string[]): Promise<DiscoveryReport> {
    const report = emptyReport();
    const references: StoredReference[] = [];
    for (const id of new Set(approverIds.map((a) => a.toLowerCase()))) {
      const reference = await this.deps.store.getReference(personalKey(id));
      if (reference) references.push(reference);
      else report.skipped += 1;
    }
    await eachLimited(references, this.deps.settings.concurrency, (reference) =>
      this.discoverOne(reference, report),
    );
    return report;
  }

  /** Every copy of a finished item's card gets an update to its final state (also after a click). */
  async finalize(key: string): Promise<number> {
    const { store } = this.deps;
    const stored = await store.getItem(key);
    if (!stored) return 0;
    const copies = await store.copiesOf(key);
    const now = this.deps.now();
    // A reset review decision leaves the item open again: its copies show the buttons again.
    return this.enqueue(copies.map((copy) => finalUpdateEntry(copy, stored.final, stored.updatedAt, now)));
  }

  /**
   * An approver decided this item through the bot: its requester, when they have the app, is told once,
   * unless they turned that off. A review's principal is never told.
   */
  async tellRequester(key: string): Promise<number> {
    const stored = await this.deps.store.getItem(key);
    const final = stored?.final;
    if (!stored || !final || (final.result !== 'Approved' && final.result !== 'Denied')) return 0;
    const kind = kindOf(stored.item);
    const requesterId = kind.requester(stored.item)?.id?.toLowerCase();
    if (!requesterId) return 0;
    // A requester the bot has no chat with is not told (My Access and email do): no entry, rather than three
    // outbox writes that end "no chat with the bot". The worker asks again at send time all the same.
    if (!(await this.deps.store.getReference(personalKey(requesterId)))) return 0;
    const notice = {
      requesterId,
      result: final.result,
      by: final.by?.displayName || null,
      at: final.at,
      justification: kind.requesterSeesJustification ? final.justification || null : null,
    };
    return this.enqueue([noticeEntry(key, notice, this.deps.now())]);
  }

  private async enqueue(entries: readonly NewOutboxEntry[]): Promise<number> {
    if (entries.length === 0) return 0;
    const added = await this.deps.store.enqueue(entries);
    if (added.length > 0) this.deps.enqueued();
    return added.length;
  }

  private async discoverOne(reference: StoredReference, report: Tally): Promise<void> {
    const approverId = reference.userId?.toLowerCase();
    if (
      !approverId ||
      this.busy.has(approverId) ||
      (this.deps.shouldDiscover && !this.deps.shouldDiscover(approverId)) ||
      (await this.deps.store.isUnreachable(approverId))
    ) {
      report.skipped += 1;
      return;
    }
    this.busy.add(approverId);
    try {
      const done = await this.deps.access.withGraph(reference, (graph) =>
        this.discoverWith(graph, approverId, report),
      );
      if (done === null) report.skipped += 1;
      else report.approvers += 1;
    } catch (error) {
      report.failed += 1;
      this.deps.log.warn({ err: error, approverId }, 'discovery failed for an approver');
    } finally {
      this.busy.delete(approverId);
    }
  }

  private async discoverWith(graph: UserGovernance, approverId: string, report: Tally): Promise<true> {
    const { store } = this.deps;
    const found = await graph.discoverPending();
    report.graphRequests += found.graphRequests;
    await store.putItems(found.items.map((item) => ({ item, approverId })));
    const previous = new Set(await store.pendingFor(approverId));
    const seen = found.items.map((item) => itemKey(item.target));
    // A read that failed says nothing about its items: keep them pending rather than call them vanished.
    const keys = found.problems.length > 0 ? [...new Set([...seen, ...previous])] : seen;
    const current = new Set(keys);
    const added = keys.filter((k) => !previous.has(k));
    const vanished = [...previous].filter((k) => !current.has(k));
    report.added += added.length;
    report.vanished += vanished.length;

    const unresolved: string[] = [];
    for (const key of vanished) {
      if ((await this.settleVanished(key, graph, report)) === 'unknown') unresolved.push(key);
    }
    await this.announce(approverId, added, report);
    await this.remind(approverId, found.items, new Set(added), report);
    // Vanished items whose state could not be read stay pending, so the next cycle reads them again.
    await store.setPendingFor(approverId, [...keys, ...unresolved]);
    return true;
  }

  private async settleVanished(
    key: string,
    graph: UserGovernance,
    report: Tally,
  ): Promise<'finished' | 'open' | 'unknown'> {
    const { store } = this.deps;
    const stored = await store.getItem(key);
    if (!stored) return 'open';
    if (!stored.final) {
      report.stateReads += 1;
      const read = await graph.readState(stored.item.target, { timeoutMs: this.deps.settings.readTimeoutMs });
      const final = finalOf(read.state, stored.item);
      if (final === 'open' || final === 'unknown') return final;
      if (await store.finishItem(key, final)) report.finished += 1;
    }
    report.enqueued += await this.finalize(key);
    return 'finished';
  }

  /** New items: a card each in the approver's chat (or one digest), and one in every subscribed channel. */
  private async announce(approverId: string, added: readonly string[], report: Tally): Promise<void> {
    const { store, settings } = this.deps;
    const now = this.deps.now();
    const fresh: StoredItem[] = [];
    for (const key of added) {
      const stored = await store.getItem(key);
      if (stored && !stored.final) fresh.push(stored);
    }
    if (fresh.length === 0) return;
    const entries: NewOutboxEntry[] = [];

    for (const stored of fresh) {
      for (const subscription of await store.subscriptionsMatching(targetsOf(stored.item))) {
        entries.push(sendEntry(stored.key, channelKey(subscription.conversationId), null, now));
      }
    }

    // Items the approver already has a card for (from the install flow or "pending") are not news.
    const newItems: StoredItem[] = [];
    for (const stored of fresh) {
      const copies = await store.copiesOf(stored.key);
      if (!copies.some((c) => c.recipientId === approverId)) newItems.push(stored);
    }
    const news = newItems.map((s) => s.key);
    // Several new items of one review come as one card, to decide them together.
    const batches = reviewBatches(newItems);
    const batched = new Set(batches.flatMap((b) => b.items.map((i) => itemKey(i.target))));
    const cards = news.filter((key) => !batched.has(key)).length + batches.length;
    if (news.length > 0) {
      const preferences = await store.preferencesOf(approverId);
      const notBefore = quietUntil(now, preferences.quietHours) ?? now;
      if (preferences.delivery === 'digest') {
        // One digest a day at the digest hour, listing whatever waits then; later news joins the same one.
        const zone = preferences.quietHours?.timeZone ?? settings.timeZone;
        const at = Math.max(nextLocalTime(now, settings.digestHour * 60, zone), notBefore);
        entries.push(digestEntry(approverId, null, `day:${new Date(at).toISOString().slice(0, 10)}`, at));
      } else if (cards > settings.digestThreshold) {
        // The same new set names the same digest, so a cycle repeated after a crash does not send two.
        const round = createHash('sha256')
          .update([...news].sort().join('\n'))
          .digest('hex')
          .slice(0, 32);
        entries.push(digestEntry(approverId, news, `new:${round}`, notBefore));
      } else {
        for (const key of news)
          if (!batched.has(key)) entries.push(sendEntry(key, personalKey(approverId), approverId, notBefore));
        for (const batch of batches) entries.push(reviewSendEntry(batch, approverId, notBefore));
      }
    }
    report.enqueued += await this.enqueue(entries);
  }

  /** One reminder per item and approver, `reminderLeadMs` before the stage or review ends. */
  private async remind(
    approverId: string,
    items: readonly PendingItem[],
    added: ReadonlySet<string>,
    report: Tally,
  ): Promise<void> {
    const { store, settings } = this.deps;
    if (settings.reminderLeadMs <= 0) return;
    const now = this.deps.now();
    const entries: NewOutboxEntry[] = [];
    let preferences: Awaited<ReturnType<Store['preferencesOf']>> | null = null;
    for (const item of items) {
      const deadline = deadlineOf(item);
      if (deadline === null || deadline <= now || deadline - now > settings.reminderLeadMs) continue;
      const key = itemKey(item.target);
      // Marked before it is enqueued: a crash in between costs one reminder, never sends two.
      if (!(await store.markReminded(key, approverId))) continue;
      // A card that arrives, or arrived, inside the reminder window already is the reminder.
      if (added.has(key)) continue;
      const copies = await store.copiesOf(key);
      const windowStart = deadline - settings.reminderLeadMs;
      if (copies.some((c) => c.recipientId === approverId && Date.parse(c.sentAt) >= windowStart)) continue;
      preferences ??= await store.preferencesOf(approverId);
      const quietEnd = quietUntil(now, preferences.quietHours);
      const notBefore = quietEnd !== null && quietEnd < deadline ? quietEnd : now;
      const zone = preferences.quietHours?.timeZone ?? settings.timeZone;
      entries.push(reminderEntry(key, approverId, reminderText(deadline, zone), notBefore));
    }
    report.enqueued += await this.enqueue(entries);
  }
}
