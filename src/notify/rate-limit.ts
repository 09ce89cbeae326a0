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
  /** Share of each (headroom-reduced) limit that may go out at once, for windows under a minute. */
  readonly burstShare?: number;
  /**
   * The same for windows of a minute or more (1,800 an hour): a large burst, so that a busy conversation is
   * held by the short windows first and the hourly budget spreads only over what is left.
   */
  readonly longBurstShare?: number;
  /** Longest a 429 pauses the whole tenant. */
  readonly tenantPauseMs?: number;
}

/** A token bucket sized so that no window of `windowMs` ever holds more than `limit` sends. */
class Bucket {
  private tokens: number;
  private at: number;
  readonly capacity: number;
  readonly perMs: number;

  constructor(window: RateWindow, options: Required<BucketOptions>, now: number) {
    const allowed = Math.max(1, Math.floor(window.limit * options.headroom));
    // Capacity C and refill r with C + r·W = allowed: a full burst plus a window's refill never exceeds the
    // limit, which a plain bucket of capacity = limit would (it allows up to twice the limit in a window).
    const share = window.windowMs >= 60_000 ? options.longBurstShare : options.burstShare;
    this.capacity = Math.max(1, Math.round(allowed * share));
    this.perMs = Math.max(allowed - this.capacity, 1) / window.windowMs;
    this.tokens = this.capacity;
    this.at = now;
  }

  refill(now: number): void {
    if (now > this.at) {
      this.tokens = Math.min(this.capacity, this.tokens + (now - this.at) * this.perMs);
      this.at = now;
    }
  }

  /** ms until one token is there (0 when it is). */
  waitFor(): number {
    return this.tokens >= 1 ? 0 : Math.ceil((1 - this.tokens) / this.perMs);
  }

  spend(): void {
    this.tokens -= 1;
  }

  get full(): boolean {
    return this.tokens >= this.capacity;
  }
}

interface Budget {
  readonly buckets: readonly Bucket[];
  heldUntil: number;
}

const DEFAULTS: Required<BucketOptions> = {
  headroom: 0.96,
  burstShare: 0.05,
  longBurstShare: 0.5,
  tenantPauseMs: 1000,
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
      for (const bucket of budget.buckets) {
        bucket.refill(now);
        wait = Math.max(wait, bucket.waitFor());
      }
    }
    if (wait > 0) return wait;
    for (const budget of budgets) for (const bucket of budget.buckets) bucket.spend();
    return 0;
  }

  async hold(scope: SendScope, until: number, now: number): Promise<void> {
    const conversation = this.budget(this.conversations, scope.conversationId, this.limits.conversation, now);
    conversation.heldUntil = Math.max(conversation.heldUntil, until);
    const tenant = this.budget(this.tenants, scope.tenantId, this.limits.tenant, now);
    tenant.heldUntil = Math.max(tenant.heldUntil, Math.min(until, now + this.options.tenantPauseMs));
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
    const created: Budget = { buckets: windows.map((w) => new Bucket(w, this.options, now)), heldUntil: 0 };
    map.set(key, created);
    return created;
  }

  /** A conversation whose buckets are full again and that is not held is the same as a new one. */
  private prune(map: Map<string, Budget>, now: number): void {
    for (const [key, budget] of map) {
      if (budget.heldUntil > now) continue;
      budget.buckets.forEach((b) => b.refill(now));
      if (budget.buckets.every((b) => b.full)) map.delete(key);
    }
  }

  /** How many conversations and tenants are tracked now (for tests of the bound). */
  get tracked(): number {
    return this.conversations.size + this.tenants.size;
  }

  /** The sustained sends per second one scope allows itself (the benchmark's "allowed rate"). */
  sustainedPerSecond(scope: 'conversation' | 'tenant'): number {
    const buckets = this.limits[scope].map((w) => new Bucket(w, this.options, 0));
    return Math.min(...buckets.map((b) => b.perMs * 1000));
  }
}
