import { ITEM_KINDS, deadlineOf, kindOf } from '../../src/domain';
import type { KindTable } from '../../src/domain';
import { CARD_KINDS } from '../../src/cards/kinds';
import type { CardKindTable } from '../../src/cards/kinds';
import { accessPackage, accessReview, ALL_ITEMS, pimGroup, pimRole } from '../cards/fixtures';

describe('the kind tables', () => {
  it('do not compile without an entry for every kind', () => {
    const { pimRole: _role, ...withoutRole } = ITEM_KINDS;
    // @ts-expect-error: the domain's table lacks pimRole, and the compiler says so.
    const domain: KindTable = withoutRole;
    const { accessReview: _review, ...withoutReview } = CARD_KINDS;
    // @ts-expect-error: the cards' table lacks accessReview, and the compiler says so.
    const cards: CardKindTable = withoutReview;
    expect(Object.keys(domain)).not.toContain('pimRole');
    expect(Object.keys(cards)).not.toContain('accessReview');
  });

  it('have an entry for every kind a pending item can have', () => {
    const kinds = ALL_ITEMS.map((item) => item.kind).sort();
    expect(Object.keys(ITEM_KINDS).sort()).toEqual(kinds);
    expect(Object.keys(CARD_KINDS).sort()).toEqual(kinds);
  });

  it('give each kind the decisions Graph accepts for it', () => {
    expect(kindOf(accessPackage).decisions).toEqual(['Approve', 'Deny']);
    expect(kindOf(pimGroup).decisions).toEqual(['Approve', 'Deny']);
    expect(kindOf(pimRole).decisions).toEqual(['Approve', 'Deny']);
    expect(kindOf(accessReview).decisions).toEqual(['Approve', 'Deny', 'DontKnow', 'NotReviewed']);
  });

  it('know deadlines only where Graph gives one', () => {
    expect(deadlineOf(accessPackage)).toBeNull();
    expect(deadlineOf(accessReview)).toBe(Date.parse(accessReview.dueDateTime ?? ''));
    expect(deadlineOf(pimRole)).toBe(Date.parse(pimRole.createdDateTime ?? '') + 24 * 3_600_000);
    expect(deadlineOf({ ...pimGroup, createdDateTime: null })).toBeNull();
  });

  it('leave extensions and renewals of PIM assignments to the portal', () => {
    expect(kindOf(pimRole).decidableInTeams(pimRole)).toBe(true);
    expect(kindOf(pimRole).decidableInTeams({ ...pimRole, action: 'selfExtend' })).toBe(false);
    expect(kindOf(pimGroup).decidableInTeams({ ...pimGroup, action: 'AdminRenew' })).toBe(false);
  });
});
