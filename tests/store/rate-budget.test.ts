import { BudgetRateLimiter, MemoryCoordinator, MemoryRateBudget } from '../../src/store';
import type { BudgetRequest, RateBudget, RateRule } from '../../src/store/coordination';
import { checkRules, decideBudgets, decideRate } from '../../src/store/coordination';
import { StoreError } from '../../src/store/rules';

function refusal(run: () => unknown): { code: string; message: string } {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(StoreError);
    const { code, message } = error as StoreError;
    return { code, message };
  }
  throw new Error('accepted');
}

async function refusalOf(run: () => Promise<unknown>): Promise<{ code: string; message: string }> {
  const error: unknown = await run().then(
    () => new Error('accepted'),
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(StoreError);
  const { code, message } = error as StoreError;
  return { code, message };
}

const badRate = (message: string): { code: string; message: string } => ({
  code: 'approvals.store.badRate',
  message,
});

describe('rate rules a budget accepts', () => {
  it('refuses rules that cannot be kept, saying which and why', () => {
    expect(refusal(() => checkRules([]))).toEqual(badRate('a rate budget needs at least one rule'));
    for (const limit of [0, 1.5, Number.NaN]) {
      expect(refusal(() => checkRules([{ limit, windowMs: 1000 }]))).toEqual(
        badRate(`a rate limit must be a whole number from 1 to Infinity, got ${limit}`),
      );
    }
    expect(refusal(() => checkRules([{ limit: 6, windowMs: 1000 }], 5))).toEqual(
      badRate('a rate limit must be a whole number from 1 to 5, got 6'),
    );
    for (const windowMs of [0, -1, Number.NaN]) {
      expect(refusal(() => checkRules([{ limit: 1, windowMs }]))).toEqual(
        badRate(`a rate window must be positive, got ${windowMs} ms`),
      );
    }
    // The limits at their bounds are fine, and a later bad rule is still found.
    expect(() =>
      checkRules(
        [
          { limit: 1, windowMs: 1 },
          { limit: 5, windowMs: 1 },
        ],
        5,
      ),
    ).not.toThrow();
    expect(() =>
      checkRules([
        { limit: 1, windowMs: 1 },
        { limit: 0, windowMs: 1 },
      ]),
    ).toThrow(StoreError);
  });

  it('refuses a take that names no budget, the same budget twice, or a bad rule', async () => {
    const budget = new MemoryRateBudget();
    const ok: RateRule[] = [{ limit: 1, windowMs: 1000 }];
    expect(await refusalOf(() => budget.take('t', [], 0))).toEqual(badRate('take needs at least one budget'));
    expect(
      await refusalOf(() =>
        budget.take(
          't',
          [
            { key: 'tenant', rules: ok },
            { key: 'tenant', rules: ok },
          ],
          0,
        ),
      ),
    ).toEqual(badRate('take names the same budget twice'));
    expect(
      await refusalOf(() =>
        budget.take(
          't',
          [
            { key: 'tenant', rules: ok },
            { key: 'conversation:1', rules: [] },
          ],
          0,
        ),
      ),
    ).toEqual(badRate('a rate budget needs at least one rule'));
  });
});

describe('decideRate: a sliding window', () => {
  it('judges grants logged out of order by their times', () => {
    const rules = [{ limit: 2, windowMs: 1000 }];
    // Sorted, the grants are 100, 900, 950: one more fits once 900 leaves the window, at 1900.
    expect(decideRate([900, 950, 100], rules, 1000).wait).toBe(900);
    expect(decideRate([950, 100, 900], rules, 1000).wait).toBe(900);
  });

  it('lets a grant leave a window exactly one window after it, and each rule count only its own window', () => {
    expect(decideRate([0], [{ limit: 1, windowMs: 1000 }], 1000)).toEqual({ wait: 0, next: [1000] });
    const rules = [
      { limit: 2, windowMs: 1000 },
      { limit: 5, windowMs: 2000 },
    ];
    // -1000 is out of the longest window and forgotten; 500 still counts.
    expect(decideRate([-1000, 500], rules, 1000)).toEqual({ wait: 0, next: [500, 1000] });
    expect(
      decideRate(
        [0],
        [
          { limit: 1, windowMs: 1000 },
          { limit: 5, windowMs: 5000 },
        ],
        1500,
      ).wait,
    ).toBe(0);
  });

  it('starts a budget it has no state for empty', () => {
    const budgets: BudgetRequest[] = [{ key: 'tenant', rules: [{ limit: 1, windowMs: 1000 }] }];
    expect(decideBudgets([], budgets, 5)).toEqual({ wait: 0, next: [{ log: [5], heldUntil: 0 }] });
  });
});

describe('MemoryRateBudget', () => {
  const tenant: BudgetRequest = { key: 'tenant', rules: [{ limit: 1, windowMs: 1000 }] };
  const conversation = (n: number): BudgetRequest => ({
    key: `conversation:${n}`,
    rules: [{ limit: 1, windowMs: 5000 }],
  });

  it('takes from no budget when one of them has to wait', async () => {
    const budget = new MemoryRateBudget();
    expect(await budget.take('t', [tenant, conversation(1)], 0)).toBe(0);
    expect(await budget.take('t', [tenant, conversation(2)], 0)).toBe(1000);
    // Conversation 2 gave nothing when the tenant said wait, so it has its unit once the tenant has one.
    expect(await budget.take('t', [tenant, conversation(2)], 1000)).toBe(0);
    expect(await budget.take('t', [tenant, conversation(1)], 2000)).toBe(3000);
  });

  it('holds a budget until a 429’s Retry-After, never shorter, and keeps its grants', async () => {
    const budget = new MemoryRateBudget();
    expect(await budget.take('t', [conversation(1)], 0)).toBe(0);
    await budget.hold('t', 'conversation:1', 3000);
    await budget.hold('t', 'conversation:1', 2000);
    expect(await budget.take('t', [conversation(1)], 1000)).toBe(4000);
    expect(await budget.take('t', [conversation(1)], 3500)).toBe(1500);
    await budget.hold('t', 'conversation:2', 2000);
    expect(await budget.take('t', [conversation(2)], 1000)).toBe(1000);
    expect(await budget.take('u', [conversation(2)], 1000)).toBe(0);
    expect(await budget.take('t', [conversation(3)], 1000)).toBe(0);
  });
});

describe('BudgetRateLimiter', () => {
  const scope = (conversationId: string): { conversationId: string; tenantId: string } => ({
    conversationId,
    tenantId: 'contoso',
  });

  it('after a 429 holds the conversation until Retry-After and pauses the tenant briefly', async () => {
    const limiter = new BudgetRateLimiter(new MemoryRateBudget());
    await limiter.hold(scope('a'), 10_000, 0);
    expect(await limiter.take(scope('a'), 0)).toBe(10_000);
    expect(await limiter.take(scope('b'), 0)).toBe(1000);
    expect(await limiter.take(scope('b'), 1000)).toBe(0);
  });

  it('pauses the tenant for the configured time, but never past Retry-After', async () => {
    const limiter = new BudgetRateLimiter(new MemoryRateBudget(), undefined, { tenantPauseMs: 200 });
    await limiter.hold(scope('a'), 5000, 0);
    expect(await limiter.take(scope('b'), 0)).toBe(200);
    await limiter.hold(scope('c'), 1300, 1000);
    expect(await limiter.take(scope('b'), 1000)).toBe(200);
    await limiter.hold(scope('c'), 2100, 2000);
    expect(await limiter.take(scope('b'), 2000)).toBe(100);
  });

  it('judges a queued take at the time it starts, not when it was queued', async () => {
    jest.useFakeTimers({ now: 0 });
    try {
      const seen: number[] = [];
      let release = (): void => undefined;
      const first = new Promise<void>((resolve) => {
        release = resolve;
      });
      const slow: RateBudget = {
        take: async (_group, _budgets, now) => {
          seen.push(now);
          if (seen.length === 1) await first;
          return 0;
        },
        hold: async () => undefined,
        close: async () => undefined,
      };
      const limiter = new BudgetRateLimiter(slow);
      const a = limiter.take(scope('a'), 1000);
      const b = limiter.take(scope('b'), 1000);
      // The first take has started (and waits) before the clock moves on.
      while (seen.length === 0) await Promise.resolve();
      jest.setSystemTime(400);
      release();
      await Promise.all([a, b]);
      expect(seen).toEqual([1000, 1400]);
    } finally {
      jest.useRealTimers();
    }
  });
});

describe('MemoryCoordinator', () => {
  it('keeps a lease on the real clock when given none, and refuses a ttl that is not positive', async () => {
    const leases = new MemoryCoordinator();
    expect(await leases.acquire('discovery:1', 'a', 60_000)).toBe(true);
    expect(await leases.acquire('discovery:1', 'b', 60_000)).toBe(false);
    expect(refusal(() => leases.effectiveTtlMs(0))).toEqual({
      code: 'approvals.store.badLease',
      message: 'a lease ttl must be positive, got 0',
    });
  });
});
