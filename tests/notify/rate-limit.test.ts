import { MemoryRateLimiter, TEAMS_LIMITS } from '../../src/notify';
import type { RateLimiter, RateWindow, SendScope } from '../../src/notify';
import { busiestWindow } from '../support/rate-limited-connector';

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
    // A burst uses the short windows at once (6 of 7, one tenant slot apart, then 7 of 8 by 2 s); sustained
    // sends are bound by 60 per 30 s (57 of them with the 96 % headroom), every one of which is used.
    expect(times.filter((t) => t < 200)).toHaveLength(6);
    expect(busiestWindow(times, 2000)).toBe(7);
    expect(busiestWindow(times, 30_000)).toBe(57);
  });

  it('fills each short window exactly to its headroom-reduced limit when busy (no sustained loss)', async () => {
    const times = (
      await drive(new MemoryRateLimiter(), [{ conversationId: 'c1', tenantId: tenant }], 95_000, 1)
    ).get('c1') as number[];
    // Three full 30-second windows and the start of a fourth: 57 in each, however the sends fall.
    expect(times.filter((t) => t < 90_000)).toHaveLength(3 * 57);
    expect(busiestWindow(times, 30_000)).toBe(57);
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
    // Half rate for the first second (a cold process's first sends leave late), then exactly the allowed
    // rate: 48 in every second (96 % of 50), none lost to a token bucket's trade of burst against refill,
    // nor to the pacing.
    expect(all.filter((t) => t < 1000).length).toBeLessThanOrEqual(25);
    expect(busiestWindow(all, 1000)).toBe(48);
    expect(all).toHaveLength(24 + 9 * 48);
    expect(limiter.sustainedPerSecond('tenant')).toBe(48);
  });

  it('spaces the sends to a tenant evenly, and a late timer does not slow them down', async () => {
    const scopes = Array.from({ length: 500 }, (_, i) => ({ conversationId: `c${i}`, tenantId: tenant }));
    for (const stepMs of [1, 7, 13]) {
      const sent = await drive(new MemoryRateLimiter(), scopes, 10_000, stepMs);
      const all = [...sent.values()].flat().sort((a, b) => a - b);
      // 48 a second go one at a time, about 21 ms apart: no window of 100 ms holds more than 6.
      expect(busiestWindow(all, 100)).toBeLessThanOrEqual(6);
      expect(busiestWindow(all, 1000)).toBeLessThanOrEqual(48);
      // Whether the caller comes back every 1, 7 or 13 ms, the schedule keeps 48 a second.
      expect(all.length).toBeGreaterThanOrEqual(24 + 9 * 48 - 1);
    }
  });

  it('keeps tenants apart', async () => {
    const limiter = new MemoryRateLimiter();
    const a = { conversationId: 'c1', tenantId: 'a' };
    expect(await limiter.take({ conversationId: 'a0', tenantId: 'a' }, 0)).toBe(0);
    expect(await limiter.take(a, 0)).toBeGreaterThan(0);
    expect(await limiter.take({ conversationId: 'b1', tenantId: 'b' }, 0)).toBe(0);
  });

  it('holds a conversation until its Retry-After, and the tenant only briefly', async () => {
    const limiter = new MemoryRateLimiter();
    const scope = { conversationId: 'c1', tenantId: tenant };
    await limiter.hold(scope, 5000, 0);
    expect(await limiter.take(scope, 0)).toBe(5000);
    expect(await limiter.take(scope, 4999)).toBe(1);
    expect(await limiter.take({ conversationId: 'c2', tenantId: tenant }, 0)).toBe(100);
    expect(await limiter.take({ conversationId: 'c2', tenantId: tenant }, 100)).toBe(0);
    expect(await limiter.take(scope, 5000)).toBe(0);
  });

  it('pauses the tenant 100 ms for a lone 429, doubling to 1 s while 429s keep coming', async () => {
    const limiter = new MemoryRateLimiter();
    const pauses: number[] = [];
    let now = 0;
    for (let i = 0; i < 6; i++) {
      await limiter.hold({ conversationId: `c${i}`, tenantId: tenant }, now + 5000, now);
      const wait = await limiter.take({ conversationId: `other${i}`, tenantId: tenant }, now);
      pauses.push(wait);
      now += wait;
    }
    expect(pauses).toEqual([100, 200, 400, 800, 1000, 1000]);
    // A 429 long after the last pause is a lone one again.
    now += 10_000;
    await limiter.hold({ conversationId: 'late', tenantId: tenant }, now + 5000, now);
    expect(await limiter.take({ conversationId: 'late-other', tenantId: tenant }, now)).toBe(100);
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
