import { LeaseKeeper, MemoryCoordinator, leaseBucketOf } from '../../src/store';

/** Memory leases that also record the requests a keeper sends, for what a tick costs. */
class RecordingLeases extends MemoryCoordinator {
  readonly requests: string[] = [];

  override async acquire(name: string, owner: string, ttlMs: number): Promise<boolean> {
    const ok = await super.acquire(name, owner, ttlMs);
    this.requests.push(`${owner} acquire ${name} ${ok}`);
    return ok;
  }

  override async renew(name: string, owner: string): Promise<boolean> {
    const ok = await super.renew(name, owner);
    this.requests.push(`${owner} renew ${name} ${ok}`);
    return ok;
  }

  override async release(name: string, owner: string): Promise<boolean> {
    const ok = await super.release(name, owner);
    this.requests.push(`${owner} release ${name} ${ok}`);
    return ok;
  }
}

const names = Array.from({ length: 6 }, (_, n) => `discovery:${n}`);
const sorted = (held: ReadonlySet<string>): string[] => [...held].sort();

describe('LeaseKeeper with member slots', () => {
  it('counts the live instances, shares the names fairly, and takes a dead instance’s share', async () => {
    let now = 0;
    const leases = new RecordingLeases(() => now);
    const options = { clock: () => now, memberSlots: 4 };
    // "b" starts its search at discovery:1 and member:1, "c" at discovery:2 and member:2.
    const b = new LeaseKeeper(leases, 'b', names, 3000, options);
    const c = new LeaseKeeper(leases, 'c', names, 3000, options);

    expect(sorted(await b.tick())).toEqual(names);
    expect(b.instances).toBe(1);
    expect(await c.tick()).toEqual(new Set());
    // A rise is believed only when two ticks saw it.
    expect(c.instances).toBe(1);
    expect(await leases.renew('member:1', 'b')).toBe(true);
    expect(await leases.renew('member:2', 'c')).toBe(true);

    now = 1000;
    expect((await b.tick()).size).toBe(6);
    expect(b.instances).toBe(1);
    expect((await c.tick()).size).toBe(0);
    expect(c.instances).toBe(2);

    now = 2000;
    leases.requests.length = 0;
    // b now sees two instances: it renews all it holds and gives the half past its share up.
    expect(sorted(await b.tick())).toEqual(['discovery:1', 'discovery:2', 'discovery:3']);
    expect(leases.requests).toEqual([
      'b renew member:1 true',
      'b acquire member:2 false',
      'b acquire member:3 true',
      'b release member:3 true',
      'b acquire member:0 true',
      'b release member:0 true',
      ...['1', '2', '3', '4', '5', '0'].map((n) => `b renew discovery:${n} true`),
      ...['4', '5', '0'].map((n) => `b release discovery:${n} true`),
    ]);
    expect(b.instances).toBe(2);
    expect(sorted(await c.tick())).toEqual(['discovery:0', 'discovery:4', 'discovery:5']);

    for (now = 3000; now <= 4000; now += 1000) {
      expect((await b.tick()).size).toBe(3);
      expect((await c.tick()).size).toBe(3);
      expect([b.instances, c.instances]).toEqual([2, 2]);
    }

    // c dies after its tick at 4000: its member lease and names lapse at 7000, and b takes them all.
    for (now = 5000; now < 7000; now += 1000) expect((await b.tick()).size).toBe(3);
    now = 7000;
    expect(sorted(await b.tick())).toEqual(names);
    expect(b.instances).toBe(1);
  });

  it('gives up its member lease on shutdown, so that the others count one instance fewer at once', async () => {
    const now = 0;
    const leases = new MemoryCoordinator(() => now);
    const b = new LeaseKeeper(leases, 'b', names, 3000, { clock: () => now, memberSlots: 2 });
    await b.tick();
    await b.releaseAll();
    expect(await leases.acquire('member:0', 'z', 3000)).toBe(true);
    expect(await leases.acquire('member:1', 'z', 3000)).toBe(true);
    expect(await leases.acquire('discovery:0', 'z', 3000)).toBe(true);
  });
});

describe('LeaseKeeper', () => {
  it('starts its search for free names at a place of its own', async () => {
    const now = 0;
    const leases = new MemoryCoordinator(() => now);
    const first = async (owner: string): Promise<string[]> =>
      sorted(await new LeaseKeeper(leases, owner, names, 3000, { clock: () => now, maxHeld: 1 }).tick());
    expect(await first('b')).toEqual(['discovery:1']);
    expect(await first('c')).toEqual(['discovery:2']);
    expect(await first('a')).toEqual(['discovery:4']);
  });

  it('asks nothing more of a tick than renewing what it holds and trying what is free', async () => {
    let now = 0;
    const leases = new RecordingLeases(() => now);
    await leases.acquire('discovery:1', 'z', 60_000);
    const a = new LeaseKeeper(leases, 'a', names.slice(0, 3), 3000, { clock: () => now });
    await a.tick();
    leases.requests.length = 0;
    now = 1000;
    expect(sorted(await a.tick())).toEqual(['discovery:0', 'discovery:2']);
    // "a" searches from discovery:2 onwards, and renews in the order it took.
    expect(leases.requests).toEqual([
      'a renew discovery:2 true',
      'a renew discovery:0 true',
      'a acquire discovery:1 false',
    ]);
  });

  it('stops counting a lease it lost to another instance, and one whose ttl ran out since it was sent', async () => {
    let now = 0;
    const leases = new MemoryCoordinator(() => now);
    const a = new LeaseKeeper(leases, 'a', ['discovery:0'], 3000, { clock: () => now });
    expect((await a.tick()).size).toBe(1);
    expect(a.holds('discovery:0', 2999)).toBe(true);
    expect(a.holds('discovery:0', 3000)).toBe(false);
    expect(a.held(3000).size).toBe(0);
    now = 3000;
    expect(await leases.acquire('discovery:0', 'z', 3000)).toBe(true);
    now = 4000;
    expect((await a.tick()).size).toBe(0);
    expect(a.holds('discovery:0', 4000)).toBe(false);
  });

  it('holds its leases on the real clock when given none', async () => {
    const a = new LeaseKeeper(new MemoryCoordinator(), 'a', ['discovery:0'], 60_000);
    expect([...(await a.tick())]).toEqual(['discovery:0']);
    expect(a.holds('discovery:0')).toBe(true);
    await a.releaseAll();
  });
});

describe('leaseBucketOf', () => {
  it('puts an approver in the same bucket in every version, whatever the case of the id', () => {
    // Pinned: a changed hash would move every approver to another instance at an upgrade.
    expect(leaseBucketOf('6E7B768E-07E2-4810-8459-485F84F8F204', 64)).toBe('discovery:59');
    expect(leaseBucketOf('6e7b768e-07e2-4810-8459-485f84f8f204', 64)).toBe('discovery:59');
  });
});
