import { silentLogger } from '../../src/log';
import { itemKey } from '../../src/domain';
import { MemoryStore, startHousekeeping, syntheticItem } from '../../src/store';

const recorded = {
  kind: 'recorded',
  view: 'item',
  justification: '',
  at: null,
  by: null,
  decision: 'Approve',
  reconciled: false,
  requestId: null,
} as const;

describe('housekeeping', () => {
  it('deletes remembered decisions whose replay window ended, on start and on its timer, and keeps live ones', async () => {
    const store = new MemoryStore();
    let now = 1_000_000;
    await store.rememberDecision('old', recorded, now - 1);
    await store.rememberDecision('live', recorded, now + 60_000);
    const housekeeping = startHousekeeping(store, silentLogger, { everyMs: 50, now: () => now });
    try {
      await housekeeping.run();
      // Nothing expired is left for another pass to delete, and the live one still answers.
      expect(await store.forgetExpiredDecisions(now)).toBe(0);
      expect(await store.recalledDecision('live', now)).toEqual(recorded);

      now += 120_000;
      await store.rememberDecision('later', recorded, now - 1);
      // The timer's pass (every 50 ms here) removes the one that expired since.
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(await store.forgetExpiredDecisions(now)).toBe(0);
    } finally {
      await housekeeping.stop();
    }
  });

  it('forgets items that ended more than RETENTION_DAYS ago, and keeps open ones and recent ends', async () => {
    let clock = Date.parse('2026-11-01T09:00:00Z');
    const store = new MemoryStore(() => new Date(clock));
    const [open, old, recent] = [syntheticItem(1), syntheticItem(2), syntheticItem(3)];
    for (const i of [open, old, recent]) await store.putItem(i, 'alex');
    const final = { result: 'Denied' as const, by: null, at: null, justification: null, changeable: false };
    await store.finishItem(itemKey(old.target), final);
    clock += 10 * 86_400_000;
    await store.finishItem(itemKey(recent.target), final);
    clock += 25 * 86_400_000;
    // 35 days after the first end, 25 after the second: a 30-day window keeps only the recent one.
    const housekeeping = startHousekeeping(store, silentLogger, { now: () => clock, retentionDays: 30 });
    try {
      await housekeeping.run();
      expect(await store.getItem(itemKey(old.target))).toBeNull();
      expect(await store.getItem(itemKey(recent.target))).not.toBeNull();
      expect(await store.getItem(itemKey(open.target))).not.toBeNull();
    } finally {
      await housekeeping.stop();
    }
  });
});
