import { LeaseKeeper, MemoryCoordinator, leaseBucketOf } from '../../src/store';
import { asTeamsUser, personalReference, startNotifyStack } from '../notify/support/stack';

/**
 * The small pieces the scale-out wiring in src/app.ts stands on: fair lease shares between instances that
 * do not know how many of them run, and the notifier's `shouldDiscover` gate.
 */

describe('LeaseKeeper with member slots', () => {
  const buckets = Array.from({ length: 12 }, (_, n) => `discovery:${n}`);
  const options = (clock: () => number) => ({ memberSlots: 4, clock });

  it('shares the names evenly as instances join, and gives a dead instance’s names to the others', async () => {
    let now = 0;
    const leases = new MemoryCoordinator(() => now);
    const a = new LeaseKeeper(
      leases,
      'a',
      buckets,
      3000,
      options(() => now),
    );
    const b = new LeaseKeeper(
      leases,
      'b',
      buckets,
      3000,
      options(() => now),
    );
    const c = new LeaseKeeper(
      leases,
      'c',
      buckets,
      3000,
      options(() => now),
    );
    // Alone, a takes everything.
    expect((await a.tick()).size).toBe(12);
    expect(a.instances).toBe(1);
    // b and c join: a gives its excess up once it has seen them on two ticks, and they take it.
    const round = async () => {
      now += 1000;
      for (const k of [a, b, c]) await k.tick();
    };
    for (let i = 0; i < 4; i++) await round();
    const held = [a, b, c].map((k) => k.held());
    expect(held.map((h) => h.size)).toEqual([4, 4, 4]);
    expect(new Set(held.flatMap((h) => [...h])).size).toBe(12);
    expect([a, b, c].map((k) => k.instances)).toEqual([3, 3, 3]);

    // c dies (stops ticking): after its ttl its member lease and its names lapse; a and b take them.
    const cNames = [...(held[2] ?? [])];
    for (let i = 0; i < 5; i++) {
      now += 1000;
      for (const k of [a, b]) await k.tick();
    }
    expect(a.instances).toBe(2);
    const after = [a.held(), b.held()];
    expect(after.map((h) => h.size)).toEqual([6, 6]);
    expect(cNames.every((n) => after.some((h) => h.has(n)))).toBe(true);
    expect([...(after[0] ?? [])].filter((n) => after[1]?.has(n))).toEqual([]);

    // a shuts down cleanly: b takes everything on its next tick, without waiting for a ttl.
    await a.releaseAll();
    now += 1000;
    await b.tick();
    expect(b.held().size).toBe(12);
    expect(b.instances).toBe(1);
  });
});

describe('notifier shouldDiscover', () => {
  it('discovers only the approvers the gate lets through (the instance holds their bucket)', async () => {
    const mine = new Set<string>();
    const stack = await startNotifyStack({
      tenant: 'empty',
      notify: { shouldDiscover: (approverId) => mine.has(approverId) },
    });
    try {
      const users = [0, 1, 2, 3].map((i) =>
        asTeamsUser(stack.sandbox.seed.user({ displayName: `Approver ${i}` })),
      );
      for (const user of users) {
        await stack.app.store.saveReference(personalReference(user, stack.connector.serviceUrl));
        stack.sandbox.seed.bulk({ kind: 'accessPackage', count: 1, approver: user.aadObjectId });
      }
      const [first, second] = users.map((u) => u.aadObjectId.toLowerCase());
      mine.add(first ?? '');
      mine.add(second ?? '');
      const report = await stack.app.notifier.discoverAll();
      expect(report).toMatchObject({ approvers: 2, skipped: 2, added: 2 });
      // A push for someone else's approver is skipped too: their instance discovers them on its cycle.
      const pushed = await stack.app.notifier.discoverFor([users[3]?.aadObjectId ?? '']);
      expect(pushed).toMatchObject({ approvers: 0, skipped: 1 });
    } finally {
      await stack.close();
    }
  });

  it('buckets are stable per approver, whatever the case of the id', () => {
    const id = '8F1C7C1E-6D62-4E7E-9B3A-2C0D7A4B9E11';
    expect(leaseBucketOf(id, 32)).toBe(leaseBucketOf(id.toLowerCase(), 32));
    expect(leaseBucketOf(id, 32)).toMatch(/^discovery:\d+$/);
  });
});
