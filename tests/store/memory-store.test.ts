import { MemoryStore, measureStore, openStore, subscriptionTargetsOf } from '../../src/store';
import type { PendingItem } from '../../src/domain';
import { describeStoreContract } from './store-contract';

describeStoreContract(
  'MemoryStore',
  async () => {
    const store = new MemoryStore();
    return { store, cleanup: () => store.close() };
  },
  { persistent: false },
);

describe('MemoryStore', () => {
  it('does not let later changes to the caller’s objects leak into what it keeps', async () => {
    const store = new MemoryStore();
    const payload = { card: { title: 'before' } };
    const [entry] = await store.enqueue([
      { kind: 'send', conversationKey: 'user:x', itemKey: null, payload, dedupeKey: 'd', notBefore: 0 },
    ]);
    payload.card.title = 'after';
    expect((await store.getOutboxEntry(entry?.id ?? ''))?.payload).toEqual({ card: { title: 'before' } });
  });

  it('can be measured, with no size on disk', async () => {
    const store = new MemoryStore();
    const measured = await measureStore(store, 300);
    expect(measured).toMatchObject({ items: 300, bytes: null, bytesPerItem: null });
    expect(await store.size()).toEqual({ items: 300, copies: 300, outbox: 300, bytes: null });
    expect(await store.outboxCounts()).toEqual({ pending: 0, inflight: 0, done: 300, dead: 0 });
  });

  it('is what openStore gives when memory is asked for', async () => {
    const store = await openStore({ engine: 'memory' });
    expect(store).toBeInstanceOf(MemoryStore);
    await store.close();
  });
});

describe('subscriptionTargetsOf', () => {
  const person = { id: null, displayName: 'Someone' };
  const schedule = { startDateTime: null, duration: null, endDateTime: null, expirationType: null };
  const stage = {
    stageNumber: 1,
    stageCount: 1,
    stageStatus: 'InProgress',
    stageName: null,
    justificationRequired: false,
  };
  const guid = (n: number): string => `00000000-0000-4000-8000-${n.toString().padStart(12, '0')}`;

  it.each<[string, PendingItem, readonly { kind: string; id: string }[]]>([
    [
      'an access package request by its package',
      {
        kind: 'accessPackage',
        target: { kind: 'accessPackage', approvalId: guid(1), stageId: guid(2), api: 'v1.0' },
        ...stage,
        requestor: person,
        accessPackage: { id: guid(3), displayName: 'P', description: '' },
        requestType: null,
        justification: '',
        answers: [],
        schedule,
        createdDateTime: null,
      },
      [{ kind: 'accessPackage', id: guid(3) }],
    ],
    [
      'a PIM for Groups request by its group',
      {
        kind: 'pimGroup',
        target: { kind: 'pimGroup', approvalId: guid(1), stageId: guid(2), api: 'v1.0' },
        ...stage,
        requestId: guid(4),
        principal: person,
        group: { id: guid(5), displayName: 'G' },
        accessId: 'member',
        action: 'selfActivate',
        justification: '',
        ticket: { number: null, system: null },
        schedule,
        createdDateTime: null,
      },
      [{ kind: 'group', id: guid(5) }],
    ],
    [
      'a PIM for roles request by its role',
      {
        kind: 'pimRole',
        target: { kind: 'pimRole', approvalId: guid(1), stageId: guid(2), api: 'beta' },
        ...stage,
        requestId: guid(4),
        principal: person,
        role: { id: guid(6), displayName: 'R' },
        directoryScopeId: '/',
        action: 'selfActivate',
        justification: '',
        ticket: { number: null, system: null },
        schedule,
        createdDateTime: null,
      },
      [{ kind: 'role', id: guid(6) }],
    ],
    [
      'an access review decision by its review, and by the group it reviews',
      {
        kind: 'accessReview',
        target: {
          kind: 'accessReview',
          definitionId: guid(7),
          instanceId: guid(8),
          stageId: null,
          decisionId: guid(9),
        },
        reviewName: 'Quarterly',
        descriptionForReviewers: '',
        principal: { ...person, type: 'user' },
        resource: { id: guid(10), displayName: 'Sales', type: 'group' },
        recommendation: null,
        lastSignInDateTime: null,
        dueDateTime: null,
        justificationRequired: false,
        defaultDecision: null,
        stageNumber: null,
        stageCount: null,
        earlierStages: [],
      },
      [
        { kind: 'review', id: guid(7) },
        { kind: 'group', id: guid(10) },
      ],
    ],
  ])('matches %s', (_name, item, expected) => {
    expect(subscriptionTargetsOf(item)).toEqual(expected);
  });
});
