import { silentLogger } from '../../src/log';
import { MemoryStore, startHousekeeping } from '../../src/store';

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
});
