import type { FinalState } from '../../src/domain';
import { accessReview } from '../cards/fixtures';
import { syntheticItem } from '../../src/store';
import {
  StoreError,
  checkClaim,
  mergeApprovers,
  mergeItem,
  newestFirst,
  nextFinal,
  subscriptionTargetsOf,
  targetKey,
} from '../../src/store/rules';
import type { StoredItem } from '../../src/store/types';

const MEGAN = { id: '0a8a4ae6-0d87-4d1a-a3d4-1c2ad5d7d2f1', displayName: 'Megan Bowen' };
const ALEX = { id: '6e7b768e-07e2-4810-8459-485f84f8f204', displayName: 'Alex Wilber' };

function final(over: Partial<FinalState> = {}): FinalState {
  return {
    result: 'Approved',
    by: MEGAN,
    at: '2026-11-26T09:00:00Z',
    justification: 'ok',
    changeable: false,
    ...over,
  };
}

describe('nextFinal: how an item ends', () => {
  it('reopens only a decision a reviewer may still change', () => {
    expect(nextFinal(final({ changeable: true }), null)).toEqual({ changed: true, next: null });
    expect(nextFinal(final(), null)).toEqual({ changed: false });
    expect(nextFinal(null, null)).toEqual({ changed: false });
  });

  it('keeps the first known end against a later "gone", and lets "gone" give way to anything known', () => {
    const gone = final({ result: 'gone', by: null, at: null, justification: null });
    expect(nextFinal(final(), gone)).toEqual({ changed: false });
    expect(nextFinal(final({ changeable: true }), gone)).toEqual({ changed: false });
    expect(nextFinal(gone, gone)).toEqual({ changed: false });
    expect(nextFinal(gone, final())).toEqual({ changed: true, next: final() });
    expect(nextFinal(null, gone)).toEqual({ changed: true, next: gone });
  });

  it('replaces a changeable decision by any different one, field by field', () => {
    const current = final({ changeable: true });
    for (const proposed of [
      final({ changeable: true, result: 'Denied' }),
      final({ changeable: true, at: '2026-11-26T10:00:00Z' }),
      final({ changeable: true, by: ALEX }),
      final({ changeable: true, by: null }),
      final({ changeable: true, justification: 'changed my mind' }),
      final({ changeable: false }),
    ]) {
      expect(nextFinal(current, proposed)).toEqual({ changed: true, next: proposed });
    }
    expect(nextFinal(current, final({ changeable: true }))).toEqual({ changed: false });
    const anonymous = final({ changeable: true, by: null });
    expect(nextFinal(anonymous, final({ changeable: true, by: null }))).toEqual({ changed: false });
    expect(nextFinal(anonymous, final({ changeable: true, by: { id: null, displayName: 'x' } }))).toEqual({
      changed: false,
    });
  });

  it('keeps a final decision, except that Graph’s time and decider fill a decision recorded without them', () => {
    expect(nextFinal(final(), final({ result: 'Denied' }))).toEqual({ changed: false });
    expect(nextFinal(final(), final({ by: ALEX }))).toEqual({ changed: false });
    const early = final({ at: null, by: null });
    expect(nextFinal(early, final())).toEqual({ changed: true, next: final() });
    expect(nextFinal(early, final({ result: 'Denied' }))).toEqual({ changed: false });
    expect(nextFinal(early, final({ at: null }))).toEqual({ changed: false });
    expect(nextFinal(final(), final({ at: '2026-11-27T09:00:00Z' }))).toEqual({ changed: false });
  });
});

describe('mergeItem: what discovery cannot read is kept', () => {
  it('keeps a stage’s demand for a justification that Graph told with a 400', () => {
    const seen = { ...syntheticItem(1), justificationRequired: true };
    const refreshed = syntheticItem(1);
    expect(mergeItem(seen, refreshed)).toEqual({ ...refreshed, justificationRequired: true });
    expect(mergeItem(null, refreshed)).toBe(refreshed);
    expect(mergeItem(refreshed, seen)).toBe(seen);
    const notRequired = syntheticItem(2);
    expect(mergeItem(notRequired, refreshed)).toBe(refreshed);
  });

  it('leaves access reviews as discovery sees them', () => {
    const seen = { ...syntheticItem(1), justificationRequired: true };
    // A review's settings say whether it needs a justification, and discovery reads them every time.
    const notRequired = { ...accessReview, justificationRequired: false };
    expect(mergeItem({ ...accessReview, justificationRequired: true }, notRequired)).toBe(notRequired);
    expect(mergeItem(seen, notRequired)).toBe(notRequired);
    const refreshed = syntheticItem(1);
    expect(mergeItem(accessReview, refreshed)).toBe(refreshed);
  });
});

describe('approvers and ordering', () => {
  it('adds an approver once, lower-cased, and ignores an unknown one', () => {
    expect(mergeApprovers([], 'ABC')).toEqual(['abc']);
    expect(mergeApprovers(['abc'], 'Abc')).toEqual(['abc']);
    const current = ['abc'];
    expect(mergeApprovers(current, '')).toBe(current);
    expect(mergeApprovers(current, null)).toBe(current);
  });

  it('answers finished items newest first, then by key', () => {
    const stored = (key: string, updatedAt: string): StoredItem => ({
      key,
      item: syntheticItem(1),
      approverIds: [],
      final: null,
      updatedAt,
    });
    const items = [
      stored('b', '2026-11-26T09:00:00Z'),
      stored('c', '2026-11-26T10:00:00Z'),
      stored('a', '2026-11-26T09:00:00Z'),
      stored('d', '2026-11-26T08:00:00Z'),
      stored('a', '2026-11-26T09:00:00Z'),
    ];
    expect(newestFirst(items).map((i) => i.key)).toEqual(['c', 'a', 'a', 'b', 'd']);
    expect(newestFirst([...items].reverse()).map((i) => i.key)).toEqual(['c', 'a', 'a', 'b', 'd']);
  });

  it('lets a channel follow a group review by the review and the group, or by the review alone when Graph names no group id', () => {
    expect(subscriptionTargetsOf(accessReview)).toEqual([
      { kind: 'review', id: accessReview.target.definitionId },
      { kind: 'group', id: accessReview.resource.id },
    ]);
    const unnamed = { ...accessReview, resource: { ...accessReview.resource, id: null } };
    expect(subscriptionTargetsOf(unnamed)).toEqual([
      { kind: 'review', id: accessReview.target.definitionId },
    ]);
  });

  it('keys a subscription target by kind and lower-cased id', () => {
    expect(targetKey({ kind: 'group', id: 'AbC-1' } as Parameters<typeof targetKey>[0])).toBe('group:abc-1');
  });
});

describe('checkClaim', () => {
  it('refuses a bad claim with a StoreError that says what was wrong', () => {
    const bad = (limit: number, leaseMs: number, owner: string): StoreError => {
      try {
        checkClaim({ limit, leaseMs, owner, now: 0 });
      } catch (error) {
        return error as StoreError;
      }
      throw new Error('accepted');
    };
    const limit = bad(1.5, 1000, 'a');
    expect([limit.name, limit.code, limit.message]).toEqual([
      'StoreError',
      'approvals.store.badClaim',
      'claim limit must be a whole number ≥ 0, got 1.5',
    ]);
    expect(limit).toBeInstanceOf(StoreError);
    const lease = bad(1, 0, 'a');
    expect([lease.code, lease.message]).toEqual([
      'approvals.store.badClaim',
      'lease must be positive, got 0 ms',
    ]);
    const owner = bad(1, 1000, '');
    expect([owner.code, owner.message]).toEqual([
      'approvals.store.badClaim',
      'claim owner must not be empty',
    ]);
  });
});
