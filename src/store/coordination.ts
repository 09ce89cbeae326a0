import { BoundedMap } from '../bounded';
import { StoreError } from './rules';

/**
 * Coordination between bot instances: named leases, so that each approver's discovery runs
 * on one instance at a time and passes to another when its instance dies, and a shared rate budget, so that
 * the Teams limits hold for all instances together rather than for each. Memory implementations serve a
 * single process (the SQLite and memory stores); azure-leases.ts serves several instances on Azure Storage.
 */

export interface Coordinator {
  /**
   * Takes the lease `name` for `owner` for about `ttlMs` (see `effectiveTtlMs`) unless someone else holds
   * it; true also when `owner` holds it already (it is then extended). `owner` must be unique per process
   * (instance id + pid), as for outbox claims: two processes with one owner would share every lease.
   */
  acquire(name: string, owner: string, ttlMs: number): Promise<boolean>;
  /**
   * Extends `owner`'s lease by its ttl from now. False when it is not the owner's any more: released, or
   * lapsed and taken by another. (A lapsed lease that nobody took can still be renewed.)
   */
  renew(name: string, owner: string): Promise<boolean>;
  /** Gives the lease up at once so that another instance can take it; false when `owner` did not hold it. */
  release(name: string, owner: string): Promise<boolean>;
  /** The ttl acquire really uses for `ttlMs`: blob leases, for one, only last 15 to 60 s. */
  effectiveTtlMs(ttlMs: number): number;
  close(): Promise<void>;
}

/** At most `limit` grants in any `windowMs` (a sliding window, as Teams counts). */
export interface RateRule {
  readonly limit: number;
  readonly windowMs: number;
}

/** One budget a send draws on, with the rules it keeps. */
export interface BudgetRequest {
  readonly key: string;
  readonly rules: readonly RateRule[];
}

export interface RateBudget {
  /**
   * Takes one unit from every one of `budgets` at `now` (ms), all or nothing: 0 when taken, else how many
   * ms to wait before asking again. The budgets of one `group` (a tenant and one of its conversations)
   * change together, atomically, and are shared by every instance using the same budget store.
   */
  take(group: string, budgets: readonly BudgetRequest[], now: number): Promise<number>;
  /** Grants nothing from `key` before `until` (a 429's Retry-After); an earlier hold never shortens it. */
  hold(group: string, key: string, until: number): Promise<void>;
  close(): Promise<void>;
}

/** Teams' documented limits for a bot (docs/teams-platform.md §4.1), in the shape src/notify's TEAMS_LIMITS has. */
export interface TeamsRateLimits {
  readonly conversation: readonly RateRule[];
  readonly tenant: readonly RateRule[];
}

export const TEAMS_RATE_LIMITS: TeamsRateLimits = Object.freeze({
  conversation: Object.freeze([
    { limit: 7, windowMs: 1000 },
    { limit: 8, windowMs: 2000 },
    { limit: 60, windowMs: 30_000 },
    { limit: 1800, windowMs: 3_600_000 },
  ]),
  tenant: Object.freeze([{ limit: 50, windowMs: 1000 }]),
});

export function checkRules(rules: readonly RateRule[], maxLimit = Number.POSITIVE_INFINITY): void {
  if (rules.length === 0)
    throw new StoreError('approvals.store.badRate', 'a rate budget needs at least one rule');
  for (const rule of rules) {
    if (!Number.isInteger(rule.limit) || rule.limit < 1 || rule.limit > maxLimit) {
      throw new StoreError(
        'approvals.store.badRate',
        `a rate limit must be a whole number from 1 to ${maxLimit}, got ${rule.limit}`,
      );
    }
    if (!(rule.windowMs > 0)) {
      throw new StoreError(
        'approvals.store.badRate',
        `a rate window must be positive, got ${rule.windowMs} ms`,
      );
    }
  }
}

/**
 * The sliding-window rule shared by every budget implementation. `log` holds the times of earlier grants;
 * the answer says how long until one more is allowed (0: now, and `next` includes it), and the log to keep
 * (only the grants that can still count: inside the longest window, and no more than the largest limit).
 */
export function decideRate(
  log: readonly number[],
  rules: readonly RateRule[],
  now: number,
): { readonly wait: number; readonly next: readonly number[] } {
  const longest = Math.max(...rules.map((r) => r.windowMs));
  const most = Math.max(...rules.map((r) => r.limit));
  // A grant stamped after `now` (another instance's clock runs ahead) counts in every window until it ages.
  const live = log.filter((t) => t > now - longest).sort((a, b) => a - b);
  let wait = 0;
  for (const rule of rules) {
    const inWindow = live.filter((t) => t > now - rule.windowMs);
    if (inWindow.length >= rule.limit) {
      // Once this grant leaves the window, fewer than `limit` remain in it.
      const freeing = inWindow[inWindow.length - rule.limit] ?? now;
      wait = Math.max(wait, freeing + rule.windowMs - now);
    }
  }
  if (wait > 0) return { wait: Math.ceil(wait), next: live };
  return { wait: 0, next: [...live, now].slice(-most) };
}

/** Leases for one process: the default with the SQLite and memory stores, where one instance runs. */
export class MemoryCoordinator implements Coordinator {
  private readonly leases = new Map<string, { owner: string; ttlMs: number; expiresAt: number }>();

  constructor(private readonly clock: () => number = () => Date.now()) {}

  effectiveTtlMs(ttlMs: number): number {
    if (!(ttlMs > 0))
      throw new StoreError('approvals.store.badLease', `a lease ttl must be positive, got ${ttlMs}`);
    return ttlMs;
  }

  async acquire(name: string, owner: string, ttlMs: number): Promise<boolean> {
    const ttl = this.effectiveTtlMs(ttlMs);
    const now = this.clock();
    const held = this.leases.get(name);
    if (held && held.owner !== owner && held.expiresAt > now) return false;
    this.leases.set(name, { owner, ttlMs: ttl, expiresAt: now + ttl });
    return true;
  }

  async renew(name: string, owner: string): Promise<boolean> {
    const held = this.leases.get(name);
    if (!held || held.owner !== owner) return false;
    held.expiresAt = this.clock() + held.ttlMs;
    return true;
  }

  async release(name: string, owner: string): Promise<boolean> {
    const held = this.leases.get(name);
    if (!held || held.owner !== owner) return false;
    this.leases.delete(name);
    return true;
  }

  async close(): Promise<void> {}
}

/** One budget's state: recent grant times and a hold. */
export interface BudgetState {
  readonly log: readonly number[];
  readonly heldUntil: number;
}

/**
 * What taking from several budgets at once means, for every implementation: the longest wait among them
 * (holds included), or, when none has to wait, the states to write back.
 */
export function decideBudgets(
  states: readonly BudgetState[],
  budgets: readonly BudgetRequest[],
  now: number,
): { readonly wait: number; readonly next: readonly BudgetState[] } {
  let wait = 0;
  const next = budgets.map((budget, i) => {
    const state = states[i] ?? { log: [], heldUntil: 0 };
    const decided = decideRate(state.log, budget.rules, now);
    wait = Math.max(wait, decided.wait, state.heldUntil - now);
    return { log: decided.next, heldUntil: state.heldUntil };
  });
  return { wait: Math.ceil(wait), next };
}

export function checkBudgets(budgets: readonly BudgetRequest[], maxLimit?: number): void {
  if (budgets.length === 0) throw new StoreError('approvals.store.badRate', 'take needs at least one budget');
  if (new Set(budgets.map((b) => b.key)).size !== budgets.length) {
    throw new StoreError('approvals.store.badRate', 'take names the same budget twice');
  }
  for (const budget of budgets) checkRules(budget.rules, maxLimit);
}

/** A rate budget for one process. */
export class MemoryRateBudget implements RateBudget {
  /** Per conversation and tenant; at most 100,000 (the least recently used is forgotten first). */
  private readonly states = new BoundedMap<string, BudgetState>(100_000);

  async take(group: string, budgets: readonly BudgetRequest[], now: number): Promise<number> {
    checkBudgets(budgets);
    const keys = budgets.map((b) => `${group}\n${b.key}`);
    const { wait, next } = decideBudgets(
      keys.map((k) => this.states.get(k) ?? { log: [], heldUntil: 0 }),
      budgets,
      now,
    );
    if (wait === 0) keys.forEach((k, i) => this.states.set(k, next[i] ?? { log: [], heldUntil: 0 }));
    return wait;
  }

  async hold(group: string, key: string, until: number): Promise<void> {
    const k = `${group}\n${key}`;
    const state = this.states.get(k) ?? { log: [], heldUntil: 0 };
    this.states.set(k, { log: state.log, heldUntil: Math.max(state.heldUntil, until) });
  }

  async close(): Promise<void> {}
}

export interface SharedLimiterOptions {
  /** Share of each limit the bot allows itself, for sends that reach Teams closer together than sent. */
  readonly headroom?: number;
  /** Longest a 429 pauses the whole tenant. */
  readonly tenantPauseMs?: number;
}

/**
 * Teams' limits over a RateBudget: one take draws on the conversation's and the tenant's budgets together.
 * It has the shape of src/notify's RateLimiter (take(scope, now) → ms to wait; hold on 429), so the
 * delivery worker can use it as is; over a TableRateBudget every instance shares the same budgets.
 */
export class BudgetRateLimiter {
  private readonly conversation: readonly RateRule[];
  private readonly tenant: readonly RateRule[];
  private readonly tenantPauseMs: number;
  /** The take in progress in this process; the next one starts after it (see `take`). */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly budget: RateBudget,
    limits: TeamsRateLimits = TEAMS_RATE_LIMITS,
    options: SharedLimiterOptions = {},
  ) {
    const headroom = options.headroom ?? 0.96;
    const scale = (rules: readonly RateRule[]): RateRule[] =>
      rules.map((r) => ({ limit: Math.max(1, Math.floor(r.limit * headroom)), windowMs: r.windowMs }));
    this.conversation = scale(limits.conversation);
    this.tenant = scale(limits.tenant);
    this.tenantPauseMs = options.tenantPauseMs ?? 1000;
  }

  /**
   * One take at a time per process: every take of a tenant writes the same budget entity, so concurrent
   * takes from one process's workers would only fail each other's conditional writes (a worker pool of 32
   * on three instances made ~100 writers retrying on one entity). Queued here, only the instances contend.
   * `now` is read when the take starts, not when it was queued, so that a queued take is not judged early.
   */
  take(scope: { readonly conversationId: string; readonly tenantId: string }, now: number): Promise<number> {
    const queuedAt = Date.now();
    const run = this.queue.then(() =>
      this.budget.take(
        scope.tenantId,
        [
          { key: 'tenant', rules: this.tenant },
          { key: `conversation:${scope.conversationId}`, rules: this.conversation },
        ],
        now + (Date.now() - queuedAt),
      ),
    );
    this.queue = run.catch(() => undefined);
    return run;
  }

  async hold(
    scope: { readonly conversationId: string; readonly tenantId: string },
    until: number,
    now: number,
  ): Promise<void> {
    await this.budget.hold(scope.tenantId, `conversation:${scope.conversationId}`, until);
    // A 429 may be the tenant's limit rather than the conversation's: the tenant pauses briefly too.
    await this.budget.hold(scope.tenantId, 'tenant', Math.min(until, now + this.tenantPauseMs));
  }
}

export interface LeaseKeeperOptions {
  /** The most leases this instance holds at once (default: all), so that several instances share the names. */
  readonly maxHeld?: number;
  readonly clock?: () => number;
  /**
   * Fair shares without knowing how many instances run: each instance also holds one of this many member
   * leases (`member:0`…), counts the member leases others hold (by trying the others: a free one is taken
   * and given back at once), and keeps at most its share of the names (all of them divided by the live
   * instances, rounded up), giving up the excess when instances join and taking more when one dies (its
   * member lease lapses with its other leases). Costs one or two requests per slot and tick; with more
   * instances than slots the extra ones are not counted. Default 0: no member leases.
   */
  readonly memberSlots?: number;
}

/**
 * Keeps a set of named leases for one owner: each `tick` (call it every third of the ttl) renews what it
 * holds, forgets what it lost, and tries the free names, in an order of its own so that instances do not
 * all reach for the same names first. `holds` answers conservatively: a lease counts only until ttl after
 * the request that last took or renewed it was sent, so work stops before anyone else can hold the lease.
 */
export class LeaseKeeper {
  private readonly validUntil = new Map<string, number>();
  private readonly order: readonly string[];
  private readonly ttlMs: number;
  private readonly clock: () => number;
  private readonly maxHeld: number;
  private readonly members: readonly string[];
  private member: string | null = null;
  private live = 1;
  private counted = 1;

  constructor(
    private readonly leases: Coordinator,
    private readonly owner: string,
    names: readonly string[],
    ttlMs: number,
    options: LeaseKeeperOptions = {},
  ) {
    this.ttlMs = leases.effectiveTtlMs(ttlMs);
    this.clock = options.clock ?? (() => Date.now());
    this.maxHeld = options.maxHeld ?? names.length;
    // A per-owner rotation: instances start their search for free names at different places.
    const start =
      names.length === 0 ? 0 : Number.parseInt(leaseBucketOf(owner, names.length, 'x').slice(2), 10);
    this.order = [...names.slice(start), ...names.slice(0, start)];
    const members = Array.from({ length: options.memberSlots ?? 0 }, (_, n) => `member:${n}`);
    const first = members.length === 0 ? 0 : start % members.length;
    this.members = [...members.slice(first), ...members.slice(0, first)];
  }

  /** Live instances as the last tick counted them (this one included; 1 without member slots). */
  get instances(): number {
    return this.live;
  }

  /** How often to tick: a third of the ttl, so that a renewal can fail once and still be retried in time. */
  get tickMs(): number {
    return Math.floor(this.ttlMs / 3);
  }

  async tick(): Promise<ReadonlySet<string>> {
    // The member lease first: a dead instance's member lease then lapses before its names do, so that the
    // others count one instance fewer by the time its names come free.
    const limit = Math.min(this.maxHeld, await this.share());
    for (const name of [...this.validUntil.keys()]) {
      const sentAt = this.clock();
      if (await this.leases.renew(name, this.owner)) this.validUntil.set(name, sentAt + this.ttlMs);
      else this.validUntil.delete(name);
    }
    // Over the share (an instance joined): give the excess up, so that the newcomer finds it free next tick.
    for (const name of [...this.validUntil.keys()].slice(limit)) {
      this.validUntil.delete(name);
      await this.leases.release(name, this.owner);
    }
    for (const name of this.order) {
      if (this.validUntil.size >= limit) break;
      if (this.validUntil.has(name)) continue;
      const sentAt = this.clock();
      if (await this.leases.acquire(name, this.owner, this.ttlMs))
        this.validUntil.set(name, sentAt + this.ttlMs);
    }
    return this.held();
  }

  /** The names this instance may hold: all of them divided by the live instances (see `memberSlots`). */
  private async share(): Promise<number> {
    if (this.members.length === 0) return this.order.length;
    if (this.member && !(await this.leases.renew(this.member, this.owner))) this.member = null;
    let others = 0;
    for (const slot of this.members) {
      if (slot === this.member) continue;
      if (!(await this.leases.acquire(slot, this.owner, this.ttlMs))) {
        others += 1;
      } else if (this.member === null) {
        this.member = slot;
      } else {
        // A probe: the slot was free, so nobody is behind it; give it back at once.
        await this.leases.release(slot, this.owner);
      }
    }
    // Another instance's probe, caught while it holds a free slot, looks like one more instance: believe a
    // rise only once two ticks in a row saw it (a fall at once: a dead instance's names are free anyway).
    this.live = Math.min(others + 1, this.counted);
    this.counted = others + 1;
    return Math.ceil(this.order.length / this.live);
  }

  /** True while the lease on `name` is certainly this owner's. */
  holds(name: string, now: number = this.clock()): boolean {
    return (this.validUntil.get(name) ?? 0) > now;
  }

  held(now: number = this.clock()): ReadonlySet<string> {
    return new Set([...this.validUntil.keys()].filter((name) => this.holds(name, now)));
  }

  /** On shutdown: another instance can take the names at once instead of after the ttl. */
  async releaseAll(): Promise<void> {
    const names = [...this.validUntil.keys(), ...(this.member ? [this.member] : [])];
    this.validUntil.clear();
    this.member = null;
    await Promise.all(names.map((name) => this.leases.release(name, this.owner)));
  }
}

/** Spreads approvers over `buckets` lease names, so that instances lease buckets, not every approver. */
export function leaseBucketOf(approverId: string, buckets: number, prefix = 'discovery'): string {
  let hash = 2166136261;
  // FNV-1a over the lower-cased id: stable across processes and versions, unlike a random assignment.
  for (const ch of approverId.toLowerCase()) {
    hash ^= ch.codePointAt(0) ?? 0;
    hash = Math.imul(hash, 16777619) >>> 0;
  }
  return `${prefix}:${hash % buckets}`;
}
