import { BoundedMap, BoundedSet } from '../src/bounded';

describe('BoundedSet', () => {
  it('keeps at most its bound, forgetting the least recently added or touched', () => {
    const set = new BoundedSet<string>(3);
    expect(set.add('a')).toBe(true);
    expect(set.add('b')).toBe(true);
    expect(set.add('c')).toBe(true);
    expect(set.add('a')).toBe(false); // touched: now the newest
    expect(set.add('d')).toBe(true); // forgets b, the oldest
    expect(set.size).toBe(3);
    expect(set.has('b')).toBe(false);
    expect(['a', 'c', 'd'].every((k) => set.has(k))).toBe(true);
    for (let i = 0; i < 10_000; i++) set.add(`k${i}`);
    expect(set.size).toBe(3);
  });

  it('refuses a bound below one', () => {
    expect(() => new BoundedSet(0)).toThrow(RangeError);
  });
});

describe('BoundedMap', () => {
  it('keeps at most its bound and prunes what a rule calls stale', () => {
    const map = new BoundedMap<string, number>(2);
    map.set('a', 1);
    map.set('b', 2);
    map.set('c', 3);
    expect(map.size).toBe(2);
    expect(map.get('a')).toBeUndefined();
    map.prune((value) => value < 3);
    expect([...map.values()]).toEqual([3]);
  });
});
