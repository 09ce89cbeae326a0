/**
 * Teams' limits for a bot, and token buckets that keep within them (teams-platform.md §4.1, design rule 10).
 * The limiter is a port: this one lives in one process; several instances share the budget through storage
 * behind the same interface (src/store's RateBudget).
 */

export interface RateWindow {
  readonly limit: number;
  readonly windowMs: number;
}

export interface TeamsLimits {
  /** Per bot per conversation (1:1, group chat or channel thread). */
  readonly conversation: readonly RateWindow[];
  /** Per bot per tenant, all conversations together. */
  readonly tenant: readonly RateWindow[];
}

/** Send to conversation: 7/1 s, 60/30 s, 1,800/h per conversation; 50/s per tenant (the current doc). */
export const TEAMS_LIMITS: TeamsLimits = Object.freeze({
  conversation: Object.freeze([
    { limit: 7, windowMs: 1000 },
    { limit: 8, windowMs: 2000 },
    { limit: 60, windowMs: 30_000 },
    { limit: 1800, windowMs: 3_600_000 },
  ]),
  tenant: Object.freeze([{ limit: 50, windowMs: 1000 }]),
});

/** Where one message goes, as far as the limits care. */
export interface SendScope {
  readonly conversationId: string;
  readonly tenantId: string;
}

export interface RateLimiter {
  /**
   * Takes one message from the conversation's and the tenant's budgets, all or nothing. Answers 0 when it
   * was taken (send now), or how many ms to wait before asking again.
   */
  take(scope: SendScope, now: number): Promise<number>;
  /**
   * Teams answered 429: nothing more goes to this conversation before `until` (its Retry-After), and the
   * tenant pauses briefly too, because a 429 may be the tenant's limit rather than the conversation's.
   */
  hold(scope: SendScope, until: number, now: number): Promise<void>;
}

export interface BucketOptions {
  /** Share of each limit the bot allows itself, for requests that arrive closer together than sent. */
  readonly headroom?: number;
  /**
   * Share of each (headroom-reduced) limit of a minute or more (1,800 an hour) that may go out at once: a
   * large burst, so that a busy conversation is held by the short windows first and the hourly budget
   * spreads only over what is left. Windows under a minute are counted exactly instead (`SendLog`).
   */
  readonly longBurstShare?: number;
  /**
   * Longest a 429 pauses the whole tenant. The first 429 pauses it for `tenantFirstPauseMs`, and each
   * one that follows within `tenantPauseMs` of the previous pause doubles the pause up to this: a lone
   * 429 (sends that arrived closer together than they left) costs a few sends, a tenant that keeps
   * answering 429 is paused as long as before.
   */
  readonly tenantPauseMs?: number;
  readonly tenantFirstPauseMs?: number;
  /**
   * Sends to a tenant are spaced evenly over its window (a conversation may burst up to its own limits);
   * a send may go this long before its slot, to make up for timers that fire late.
   */
  readonly paceToleranceMs?: number;
}

/** One window's budget: how long until a send fits, and counting one. */
interface Budgeted {
  /** ms until one more send fits at `now` (0 when it does). */
  waitFor(now: number): number;
  spend(now: number): void;
  /** Nothing spent that still counts at `now`: the same as a new budget. */
  idle(now: number): boolean;
}

/**
 * The exact rule for a short window: the times of the last `allowed` sends, and a send fits when the
 * oldest of them has left the window. No window of `windowMs` ever holds more than `allowed`, and a busy
 * scope gets all of them (a token bucket must trade its burst against its rate: capacity + refill per
 * window ≤ allowed, so its sustained rate stays below `allowed`, 92 % of 50/s with a burst of 2).
 *
 * Paced, it also spaces sends `windowMs / allowed` apart on a schedule of its own (each send's slot is the
 * previous slot plus the spacing, not the previous send's time plus the spacing), so that a timer that
 * fires late does not slow the rate down, and sends may run up to `toleranceMs` ahead of their slot to
 * catch up. A whole window's sends at once arrive at Teams spread by how long the process takes to put
 * them on the wire, and the next window's first ones can then land inside the previous window. For its
 * first window a paced budget goes at half that rate: the first sends of a process (or after a quiet
 * minute, when the budget was forgotten) take longest to leave and would otherwise arrive bunched with
 * the ones after them.
 */
class SendLog implements Budgeted {
  private readonly times: number[] = [];
  private next = 0;
  /** The slot of the next paced send. */
  private slot = Number.NEGATIVE_INFINITY;
  private readonly spacingMs: number;
  private readonly rampUntil: number;

  constructor(
    private readonly allowed: number,
    private readonly windowMs: number,
    paced: boolean,
    private readonly toleranceMs: number,
    now: number,
  ) {
    this.spacingMs = paced ? windowMs / allowed : 0;
    this.rampUntil = now + windowMs;
  }

  waitFor(now: number): number {
    const paced = Math.max(0, Math.ceil(this.slot - this.toleranceMs - now));
    if (this.times.length < this.allowed) return paced;
    // The ring is full: `next` is the oldest of the last `allowed` sends.
    return Math.max(paced, (this.times[this.next] as number) + this.windowMs - now);
  }

  spend(now: number): void {
    if (this.times.length < this.allowed) this.times.push(now);
    else this.times[this.next] = now;
    this.next = (this.next + 1) % this.allowed;
    const spacing = now < this.rampUntil ? 2 * this.spacingMs : this.spacingMs;
    if (spacing > 0) this.slot = Math.max(this.slot, now - this.toleranceMs) + spacing;
  }

  idle(now: number): boolean {
    const newest = this.times[(this.next + this.times.length - 1) % this.times.length];
    return newest === undefined || newest + this.windowMs <= now;
  }
}

/**
 * A token bucket for a long window (an hour), where a log of every send would be large: sized so that no
 * window of `windowMs` ever holds more than `limit` sends.
 */
class Bucket implements Budgeted {
  private tokens: number;
  private at: number;
  readonly capacity: number;
  readonly perMs: number;

  constructor(window: RateWindow, options: Required<BucketOptions>, now: number) {
    const allowed = Math.max(1, Math.floor(window.limit * options.headroom));
    // Capacity C and refill r with C + r·W = allowed: a full burst plus a window's refill never exceeds the
    // limit, which a plain bucket of capacity = limit would (it allows up to twice the limit in a window).
    this.capacity = Math.max(1, Math.round(allowed * options.longBurstShare));
    this.perMs = Math.max(allowed - this.capacity, 1) / window.windowMs;
    this.tokens = this.capacity;
    this.at = now;
  }

  private refill(now: number): void {
    if (now > this.at) {
      this.tokens = Math.min(this.capacity, this.tokens + (now - this.at) * this.perMs);
      this.at = now;
    }
  }

  waitFor(now: number): number {
    this.refill(now);
    return this.tokens >= 1 ? 0 : Math.ceil((1 - this.tokens) / this.perMs);
  }

  spend(now: number): void {
    this.refill(now);
    this.tokens -= 1;
  }

  idle(now: number): boolean {
    this.refill(now);
    return this.tokens >= this.capacity;
  }
}

/** Windows of a minute or more are token buckets; shorter ones are counted exactly. */
const LONG_WINDOW_MS = 60_000;

function budgetFor(
  window: RateWindow,
  options: Required<BucketOptions>,
  now: number,
  paced: boolean,
): Budgeted {
  if (window.windowMs >= LONG_WINDOW_MS) return new Bucket(window, options, now);
  const allowed = Math.max(1, Math.floor(window.limit * options.headroom));
  return new SendLog(allowed, window.windowMs, paced, options.paceToleranceMs, now);
}

interface Budget {
  readonly buckets: readonly Budgeted[];
  heldUntil: number;
  /** The last pause a 429 caused (tenants), to double it when 429s keep coming. */
  lastPauseMs: number;
}

const DEFAULTS: Required<BucketOptions> = {
  headroom: 0.96,
  longBurstShare: 0.5,
  tenantPauseMs: 1000,
  tenantFirstPauseMs: 100,
  paceToleranceMs: 10,
};
/** Idle conversations (buckets full again, no hold) are forgotten once a minute. */
const PRUNE_EVERY_MS = 60_000;
/**
 * Bound on tracked conversations (or tenants): only those sent to within the last hour stay tracked, and
 * beyond this many the oldest is dropped, which can only let its hourly budget start over early.
 */
const MAX_TRACKED = 100_000;

/** Token buckets in this process's memory. */
export class MemoryRateLimiter implements RateLimiter {
  private readonly conversations = new Map<string, Budget>();
  private readonly tenants = new Map<string, Budget>();
  private readonly options: Required<BucketOptions>;
  private lastPrune = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly limits: TeamsLimits = TEAMS_LIMITS,
    options: BucketOptions = {},
  ) {
    this.options = { ...DEFAULTS, ...options };
  }

  async take(scope: SendScope, now: number): Promise<number> {
    const budgets = [
      this.budget(this.conversations, scope.conversationId, this.limits.conversation, now),
      this.budget(this.tenants, scope.tenantId, this.limits.tenant, now),
    ];
    let wait = 0;
    for (const budget of budgets) {
      wait = Math.max(wait, budget.heldUntil - now);
      for (const bucket of budget.buckets) wait = Math.max(wait, bucket.waitFor(now));
    }
    if (wait > 0) return wait;
    for (const budget of budgets) for (const bucket of budget.buckets) bucket.spend(now);
    return 0;
  }

  async hold(scope: SendScope, until: number, now: number): Promise<void> {
    const conversation = this.budget(this.conversations, scope.conversationId, this.limits.conversation, now);
    conversation.heldUntil = Math.max(conversation.heldUntil, until);
    const tenant = this.budget(this.tenants, scope.tenantId, this.limits.tenant, now);
    const { tenantPauseMs, tenantFirstPauseMs } = this.options;
    const recent = tenant.lastPauseMs > 0 && now < tenant.heldUntil + tenantPauseMs;
    const pause = Math.min(tenantPauseMs, recent ? tenant.lastPauseMs * 2 : tenantFirstPauseMs);
    tenant.lastPauseMs = pause;
    tenant.heldUntil = Math.max(tenant.heldUntil, Math.min(until, now + pause));
  }

  private budget(map: Map<string, Budget>, key: string, windows: readonly RateWindow[], now: number): Budget {
    if (now - this.lastPrune >= PRUNE_EVERY_MS) {
      this.lastPrune = now;
      this.prune(this.conversations, now);
      this.prune(this.tenants, now);
    }
    const existing = map.get(key);
    if (existing) return existing;
    if (map.size >= MAX_TRACKED) map.delete(map.keys().next().value as string);
    const paced = map === this.tenants;
    const created: Budget = {
      buckets: windows.map((w) => budgetFor(w, this.options, now, paced)),
      heldUntil: 0,
      lastPauseMs: 0,
    };
    map.set(key, created);
    return created;
  }

  /** A conversation whose buckets are full again and that is not held is the same as a new one. */
  private prune(map: Map<string, Budget>, now: number): void {
    for (const [key, budget] of map) {
      if (budget.heldUntil > now) continue;
      if (budget.buckets.every((b) => b.idle(now))) map.delete(key);
    }
  }

  /** How many conversations and tenants are tracked now (for tests of the bound). */
  get tracked(): number {
    return this.conversations.size + this.tenants.size;
  }

  /** The sustained sends per second one scope allows itself (the benchmark's "allowed rate"). */
  sustainedPerSecond(scope: 'conversation' | 'tenant'): number {
    return Math.min(
      ...this.limits[scope].map((w) =>
        w.windowMs >= LONG_WINDOW_MS
          ? new Bucket(w, this.options, 0).perMs * 1000
          : (Math.max(1, Math.floor(w.limit * this.options.headroom)) * 1000) / w.windowMs,
      ),
    );
  }
}
