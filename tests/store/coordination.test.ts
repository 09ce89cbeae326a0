import {
  BudgetRateLimiter,
  LeaseKeeper,
  MemoryCoordinator,
  MemoryRateBudget,
  TEAMS_RATE_LIMITS,
  leaseBucketOf,
  openCoordination,
} from '../../src/store';
import { decideRate } from '../../src/store/coordination';

describe('MemoryCoordinator', () => {
  it('leases a name to one owner until it is released or lapses', async () => {
    let now = 0;
    const leases = new MemoryCoordinator(() => now);
    expect(await leases.acquire('discovery:1', 'a', 1000)).toBe(true);
    expect(await leases.acquire('discovery:1', 'b', 1000)).toBe(false);
    expect(await leases.acquire('discovery:1', 'a', 1000)).toBe(true);
    now = 900;
    expect(await leases.renew('discovery:1', 'a')).toBe(true);
    expect(await leases.renew('discovery:1', 'b')).toBe(false);
    now = 1899;
    expect(await leases.acquire('discovery:1', 'b', 1000)).toBe(false);
    now = 1900;
    expect(await leases.acquire('discovery:1', 'b', 1000)).toBe(true);
    expect(await leases.renew('discovery:1', 'a')).toBe(false);
    expect(await leases.release('discovery:1', 'a')).toBe(false);
    expect(await leases.release('discovery:1', 'b')).toBe(true);
    expect(await leases.acquire('discovery:1', 'a', 1000)).toBe(true);
    expect(() => leases.effectiveTtlMs(0)).toThrow();
  });
});

describe('LeaseKeeper', () => {
  const buckets = Array.from({ length: 8 }, (_, n) => `discovery:${n}`);

  it('shares the names between instances, and takes over those of an instance that stops renewing', async () => {
    let now = 0;
    const leases = new MemoryCoordinator(() => now);
    const options = { maxHeld: 5, clock: () => now };
    const a = new LeaseKeeper(leases, 'a', buckets, 3000, options);
    const b = new LeaseKeeper(leases, 'b', buckets, 3000, options);
    expect(a.tickMs).toBe(1000);
    const heldA = await a.tick();
    const heldB = await b.tick();
    expect(heldA.size).toBe(5);
    expect(heldB.size).toBe(3);
    expect([...heldA].filter((n) => heldB.has(n))).toEqual([]);
    // b goes on ticking; a dies. a's names count as a's until its last renewal's ttl runs out, then pass to b.
    for (now = 1000; now <= 4000; now += 1000) await b.tick();
    expect(a.holds([...heldA][0] ?? '', now)).toBe(false);
    expect((await b.tick()).size).toBe(5);
    await b.releaseAll();
    expect(b.held().size).toBe(0);
    expect((await a.tick()).size).toBe(5);
  });
});

describe('decideRate (sliding windows)', () => {
  const rules = [
    { limit: 3, windowMs: 1000 },
    { limit: 5, windowMs: 10_000 },
  ];

  it('grants up to each limit in any window and says when the next grant fits', () => {
    let log: readonly number[] = [];
    const take = (now: number): number => {
      const decided = decideRate(log, rules, now);
      log = decided.next;
      return decided.wait;
    };
    expect([take(0), take(10), take(20)]).toEqual([0, 0, 0]);
    expect(take(30)).toBe(970);
    expect(take(1000)).toBe(0);
    expect(take(1010)).toBe(0);
    // Five in ten seconds: the next fits once the first grant (at 0) is ten seconds old.
    expect(take(2000)).toBe(8000);
    expect(take(10_000)).toBe(0);
    expect(log.length).toBeLessThanOrEqual(5);
  });

  it('counts grants stamped ahead of now (another instance’s clock) until they age out', () => {
    expect(decideRate([500, 600, 700], rules, 100).wait).toBe(1400);
  });
});

describe('BudgetRateLimiter over a memory budget', () => {
  it('keeps Teams’ per-conversation and per-tenant limits, with headroom, all or nothing', async () => {
    const limiter = new BudgetRateLimiter(new MemoryRateBudget(), TEAMS_RATE_LIMITS);
    const granted: number[] = [];
    // 100 conversations asking every 10 ms for 3 s: the tenant limit (50/s less 4 %) binds.
    for (let now = 0; now < 3000; now += 10) {
      for (let c = 0; c < 100; c += 1) {
        if ((await limiter.take({ conversationId: `c${c}`, tenantId: 't' }, now)) === 0) granted.push(now);
      }
    }
    const perSecond = [0, 1, 2].map((s) => granted.filter((t) => t >= s * 1000 && t < (s + 1) * 1000).length);
    expect(perSecond).toEqual([48, 48, 48]);
  });

  it('keeps 8 in any 2 s to one conversation, as well as 7 in any second, when instances share the budget', async () => {
    const budget = new MemoryRateBudget();
    // Two instances over one budget, asking for the same conversation every 10 ms for 6 s.
    const instances = [new BudgetRateLimiter(budget), new BudgetRateLimiter(budget)];
    const granted: number[] = [];
    for (let now = 0; now < 6000; now += 10) {
      for (const limiter of instances) {
        if ((await limiter.take({ conversationId: 'channel', tenantId: 't' }, now)) === 0) granted.push(now);
      }
    }
    const most = (windowMs: number): number =>
      Math.max(...granted.map((start) => granted.filter((t) => t >= start && t < start + windowMs).length));
    // With 4 % headroom: 6 in a second, 7 in two seconds, and every two seconds gets all 7.
    expect(most(1000)).toBe(6);
    expect(most(2000)).toBe(7);
    expect(granted).toHaveLength(21);
  });
});

describe('coordination helpers', () => {
  it('spreads approvers over lease buckets, the same way in every process', () => {
    const buckets = new Set<string>();
    for (let n = 0; n < 1000; n++)
      buckets.add(leaseBucketOf(`00000000-0000-4000-8000-${String(n).padStart(12, '0')}`, 16));
    expect(buckets.size).toBe(16);
    expect(leaseBucketOf('ABC', 16)).toBe(leaseBucketOf('abc', 16));
    expect(leaseBucketOf('abc', 16)).toMatch(/^discovery:\d+$/);
  });

  it('is in-process for the SQLite and memory stores', async () => {
    const { leases, budget } = await openCoordination({ engine: 'memory' });
    expect(leases).toBeInstanceOf(MemoryCoordinator);
    expect(budget).toBeInstanceOf(MemoryRateBudget);
  });
});
