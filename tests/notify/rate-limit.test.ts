import { MemoryRateLimiter, TEAMS_LIMITS } from '../../src/notify';
import type { RateLimiter, RateWindow, SendScope } from '../../src/notify';

/** Sends as fast as the limiter allows for `durationMs` of simulated time; returns the send times. */
async function drive(
  limiter: RateLimiter,
  scopes: readonly SendScope[],
  durationMs: number,
  stepMs = 1,
): Promise<Map<string, number[]>> {
  const sent = new Map<string, number[]>();
  for (let now = 0; now < durationMs; now += stepMs) {
    for (const scope of scopes) {
      while ((await limiter.take(scope, now)) === 0) {
        const list = sent.get(scope.conversationId) ?? [];
        list.push(now);
        sent.set(scope.conversationId, list);
      }
    }
  }
  return sent;
}

/** The most sends any window of `windowMs` holds. */
function busiestWindow(times: readonly number[], windowMs: number): number {
  let most = 0;
  let start = 0;
  for (let end = 0; end < times.length; end++) {
    while ((times[end] as number) - (times[start] as number) >= windowMs) start++;
    most = Math.max(most, end - start + 1);
  }
  return most;
}

const tenant = 'tenant-a';

describe('token buckets for Teams limits', () => {
  it('never puts more than 7 in a second or 60 in 30 s into one conversation', async () => {
    const times = (
      await drive(new MemoryRateLimiter(), [{ conversationId: 'c1', tenantId: tenant }], 95_000, 5)
    ).get('c1') as number[];
    for (const window of TEAMS_LIMITS.conversation as readonly RateWindow[]) {
      expect(busiestWindow(times, window.windowMs)).toBeLessThanOrEqual(window.limit);
    }
    // It still uses most of the 30-second budget over time (not starved by its own safety margin).
    expect(times.length).toBeGreaterThan((95 / 30) * 60 * 0.85);
  });

  it('never puts more than 8 into one conversation in any 2 s (docs/teams-platform.md §4.1), and uses them', async () => {
    const times = (
      await drive(new MemoryRateLimiter(), [{ conversationId: 'c1', tenantId: tenant }], 20_000, 5)
    ).get('c1') as number[];
    expect(busiestWindow(times, 2000)).toBeLessThanOrEqual(8);
    expect(busiestWindow(times, 1000)).toBeLessThanOrEqual(7);
    // Bursts use the 2-second budget; sustained sends are bound by 60 per 30 s (2 a second).
    expect(busiestWindow(times, 2000)).toBeGreaterThanOrEqual(5);
    expect(times.length).toBeGreaterThanOrEqual(34);
    // With larger bursts allowed, only the 2-second budget itself keeps a burst at 8.
    const bursty = (
      await drive(
        new MemoryRateLimiter(TEAMS_LIMITS, { burstShare: 0.3 }),
        [{ conversationId: 'c2', tenantId: tenant }],
        4_000,
        5,
      )
    ).get('c2') as number[];
    expect(busiestWindow(bursty, 2000)).toBeLessThanOrEqual(8);
    expect(busiestWindow(bursty, 2000)).toBeGreaterThanOrEqual(6);
  });

  it('never puts more than 1,800 in an hour into one conversation, and uses most of it', async () => {
    const scope = { conversationId: 'c1', tenantId: tenant };
    const times = (await drive(new MemoryRateLimiter(), [scope], 3 * 3_600_000, 1000)).get('c1') as number[];
    expect(busiestWindow(times, 3_600_000)).toBeLessThanOrEqual(1800);
    expect(busiestWindow(times, 3_600_000)).toBeGreaterThan(1600);
  });

  it('never puts more than 50 a second into one tenant across many conversations', async () => {
    const limiter = new MemoryRateLimiter();
    const scopes = Array.from({ length: 200 }, (_, i) => ({ conversationId: `c${i}`, tenantId: tenant }));
    const sent = await drive(limiter, scopes, 10_000, 10);
    const all = [...sent.values()].flat().sort((a, b) => a - b);
    expect(busiestWindow(all, 1000)).toBeLessThanOrEqual(50);
    // About the allowed rate: 10 s at close to 50/s.
    expect(all.length / 10).toBeGreaterThan(45);
    expect(limiter.sustainedPerSecond('tenant')).toBeGreaterThan(45);
  });

  it('keeps tenants apart', async () => {
    const limiter = new MemoryRateLimiter();
    const a = { conversationId: 'c1', tenantId: 'a' };
    for (let i = 0; i < 30; i++) await limiter.take({ conversationId: `a${i}`, tenantId: 'a' }, 0);
    expect(await limiter.take(a, 0)).toBeGreaterThan(0);
    expect(await limiter.take({ conversationId: 'b1', tenantId: 'b' }, 0)).toBe(0);
  });

  it('holds a conversation until its Retry-After, and the tenant only briefly', async () => {
    const limiter = new MemoryRateLimiter();
    const scope = { conversationId: 'c1', tenantId: tenant };
    await limiter.hold(scope, 5000, 0);
    expect(await limiter.take(scope, 0)).toBe(5000);
    expect(await limiter.take(scope, 4999)).toBe(1);
    expect(await limiter.take({ conversationId: 'c2', tenantId: tenant }, 0)).toBe(1000);
    expect(await limiter.take({ conversationId: 'c2', tenantId: tenant }, 1000)).toBe(0);
    expect(await limiter.take(scope, 5000)).toBe(0);
  });

  it('takes nothing when one budget says no (all or nothing)', async () => {
    const limiter = new MemoryRateLimiter({
      conversation: [{ limit: 100, windowMs: 1000 }],
      tenant: [{ limit: 2, windowMs: 1000 }],
    });
    expect(await limiter.take({ conversationId: 'x', tenantId: tenant }, 0)).toBe(0);
    // The tenant's burst is spent: the conversation's token must not be spent either.
    const wait = await limiter.take({ conversationId: 'y', tenantId: tenant }, 0);
    expect(wait).toBeGreaterThan(0);
    expect(await limiter.take({ conversationId: 'y', tenantId: tenant }, wait)).toBe(0);
  });
});

describe('memory the limiter keeps', () => {
  it('forgets conversations whose budgets are full again, so it tracks only recent ones', async () => {
    const limiter = new MemoryRateLimiter();
    for (let i = 0; i < 5000; i++) await limiter.take({ conversationId: `c${i}`, tenantId: tenant }, 0);
    expect(limiter.tracked).toBe(5001);
    // Two hours later every bucket is full again: the next take (a minute after the last prune) forgets them.
    await limiter.take({ conversationId: 'late', tenantId: tenant }, 2 * 3_600_000);
    expect(limiter.tracked).toBe(2);
  });

  it('keeps a conversation that is held by a 429 however long it waits', async () => {
    const limiter = new MemoryRateLimiter();
    const held = { conversationId: 'held', tenantId: tenant };
    await limiter.take(held, 0);
    await limiter.hold(held, 10 * 3_600_000, 0);
    await limiter.take({ conversationId: 'other', tenantId: tenant }, 2 * 3_600_000);
    expect(await limiter.take(held, 2 * 3_600_000 + 60_000)).toBeGreaterThan(0);
  });
});
