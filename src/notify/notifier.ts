import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { itemKey } from '../domain';
import type { Logger } from '../log';
import { throttledLog } from '../log';
import type { Store } from '../store';
import { NotifyCommands } from './commands';
import { DEFAULT_WORKER_OPTIONS, DeliveryWorker } from './delivery-worker';
import type { WorkerOptions, WorkerStats } from './delivery-worker';
import { Discovery } from './discovery';
import type { DiscoveryReport, DiscoverySettings } from './discovery';
import { PushGate } from './push';
import type { PushRefusal } from './push';
import { MemoryRateLimiter } from './rate-limit';
import type { RateLimiter } from './rate-limit';
import type { ApproverAccess, NotifyCards, TeamsDelivery } from './types';

export interface NotifySettings {
  /** How often every signed-in approver is discovered; 0 = only on demand (pushes, tests). */
  readonly discoveryIntervalMs: number;
  /** The first scheduled cycle runs this long after start. */
  readonly firstDiscoveryMs?: number;
  /** The shared secret for /api/notify; null refuses every push. */
  readonly secret: string | null;
  readonly reminderLeadMs: number;
  readonly digestThreshold: number;
  readonly digestHour: number;
  readonly timeZone: string;
  readonly discoveryConcurrency?: number;
  readonly worker?: Partial<WorkerOptions>;
  /**
   * Several instances: discovery runs for an approver only where this answers true (the instance
   * holds the approver's lease bucket); scheduled cycles and pushes alike. Default: every approver.
   */
  readonly shouldDiscover?: (approverId: string) => boolean;
}

export interface NotifierDeps {
  readonly store: Store;
  readonly delivery: TeamsDelivery;
  readonly access: ApproverAccess;
  readonly cards: NotifyCards;
  readonly log: Logger;
  readonly settings: NotifySettings;
  /** Defaults to token buckets in this process with Teams' limits. */
  readonly limiter?: RateLimiter;
  readonly now?: () => number;
  readonly random?: () => number;
}

export interface PushAnswer {
  readonly status: number;
  readonly body: Readonly<Record<string, unknown>>;
}

/** The notify capability, started: discovery on a schedule, the outbox worker, pushes and commands. */
export interface Notifier {
  readonly commands: NotifyCommands;
  readonly owner: string;
  /** Discovers every signed-in approver now. */
  discoverAll(): Promise<DiscoveryReport>;
  discoverFor(approverIds: readonly string[]): Promise<DiscoveryReport>;
  /** An item got its final state (a click): every copy of its card is updated through the outbox. */
  finalized(itemKey: string): Promise<void>;
  /** An approver decided the item through the bot: its requester is told (src/notify/discovery.ts). */
  decidedThroughBot(itemKey: string): Promise<void>;
  /**
   * The bot read these items for the approver itself (install, "pending") and may have posted them: they
   * join what discovery watches, so a card shown is updated when the item is decided elsewhere.
   */
  observed(approverId: string, itemKeys: readonly string[]): Promise<void>;
  /** /api/notify, after the HTTP edge read the headers and the raw body. */
  push(headers: Readonly<Record<string, unknown>>, rawBody: string): Promise<PushAnswer>;
  /** The worker looks for due entries now. */
  wake(): void;
  /** Resolves when nothing is due and nothing is in flight, and no discovery or push is running. */
  idle(): Promise<void>;
  /** What the outbox worker did so far. */
  readonly stats: WorkerStats;
  stop(): Promise<void>;
}

function refusal(r: PushRefusal): PushAnswer {
  return { status: r.status, body: { error: { code: r.code, message: r.message } } };
}

/**
 * A claim and lease owner unique to this process: the host (an App Service instance, a Container Apps
 * replica) and pid, plus a random part, because a restarted process can get the same pid.
 */
export function processOwner(): string {
  return `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
}

/** Builds the notifier and starts its worker and schedule. */
export function startNotifier(deps: NotifierDeps): Notifier {
  const now = deps.now ?? Date.now;
  const owner = deps.settings.worker?.owner ?? processOwner();
  const options: WorkerOptions = { ...DEFAULT_WORKER_OPTIONS, ...deps.settings.worker, owner };
  const worker = new DeliveryWorker({
    store: deps.store,
    delivery: deps.delivery,
    limiter: deps.limiter ?? new MemoryRateLimiter(),
    cards: deps.cards,
    log: deps.log,
    now,
    ...(deps.random ? { random: deps.random } : {}),
    options,
  });
  const settings: DiscoverySettings = {
    digestThreshold: deps.settings.digestThreshold,
    reminderLeadMs: deps.settings.reminderLeadMs,
    digestHour: deps.settings.digestHour,
    timeZone: deps.settings.timeZone,
    concurrency: deps.settings.discoveryConcurrency ?? 8,
    readTimeoutMs: 10_000,
  };
  const discovery = new Discovery({
    store: deps.store,
    access: deps.access,
    log: deps.log,
    now,
    settings,
    enqueued: () => worker.wake(),
    ...(deps.settings.shouldDiscover ? { shouldDiscover: deps.settings.shouldDiscover } : {}),
  });
  const gate = new PushGate(deps.settings.secret, now);
  // Anyone can post to /api/notify: refusals are logged at most once every ten seconds.
  const refusedPush = throttledLog(deps.log, 'warn', 'refused pushes to /api/notify', 10_000, now);
  const commands = new NotifyCommands(
    deps.store,
    deps.settings.timeZone,
    () => new Date(now()),
    deps.settings.digestHour,
  );
  const background = new Set<Promise<unknown>>();
  const track = <T>(work: Promise<T>): Promise<T> => {
    const guarded = work.finally(() => background.delete(guarded));
    background.add(guarded);
    return guarded;
  };

  let stopped = false;
  let timer: NodeJS.Timeout | null = null;
  const schedule = (delay: number) => {
    if (stopped || deps.settings.discoveryIntervalMs <= 0) return;
    timer = setTimeout(() => {
      timer = null;
      void track(discovery.discoverAll())
        .then((report) => {
          // A quiet cycle is the common case: only cycles that found or failed something are news.
          const news = report.added + report.vanished + report.failed > 0;
          deps.log[news ? 'info' : 'debug']({ ...report }, 'discovery cycle');
        })
        .catch((error: unknown) => deps.log.error({ err: error }, 'discovery cycle failed'))
        .finally(() => schedule(deps.settings.discoveryIntervalMs));
    }, delay);
    timer.unref();
  };

  worker.start();
  schedule(deps.settings.firstDiscoveryMs ?? deps.settings.discoveryIntervalMs);

  return {
    commands,
    owner,
    get stats() {
      return worker.stats;
    },
    discoverAll: () => track(discovery.discoverAll()),
    discoverFor: (ids) => track(discovery.discoverFor(ids)),
    async finalized(key) {
      await discovery.finalize(key);
    },
    async decidedThroughBot(key) {
      await discovery.tellRequester(key);
    },
    async observed(approverId, keys) {
      const previous = await deps.store.pendingFor(approverId);
      // Added to, never replaced: what vanished since the last cycle must still be noticed there.
      await deps.store.setPendingFor(approverId, [...new Set([...previous, ...keys])]);
    },
    async push(headers, rawBody) {
      const verified = gate.verify(headers, rawBody);
      if (!verified.ok) {
        refusedPush({ code: verified.code });
        return refusal(verified);
      }
      const { target } = verified.request;
      const approvers = new Set(verified.request.approverIds);
      if (target) {
        const stored = await deps.store.getItem(itemKey(target));
        stored?.approverIds.forEach((id) => approvers.add(id));
      }
      // Answer at once; the discovery runs in the background (the trigger does not wait for Graph).
      void track(discovery.discoverFor([...approvers])).catch((error: unknown) =>
        deps.log.error({ err: error }, 'push discovery failed'),
      );
      return { status: 202, body: { accepted: true, approvers: approvers.size } };
    },
    wake: () => worker.wake(),
    async idle() {
      do {
        await Promise.allSettled([...background]);
        await worker.idle();
      } while (background.size > 0);
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await Promise.allSettled([...background]);
      await worker.stop();
    },
  };
}
