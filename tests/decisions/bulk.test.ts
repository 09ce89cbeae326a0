import pino from 'pino';
import { createDecisions } from '../../src/decisions';
import type { PendingItem } from '../../src/domain';
import { itemKey } from '../../src/domain';
import type { UserGovernance } from '../../src/graph';
import type { Sandbox } from '../../src/sandbox';
import { MemoryStore } from '../../src/store';
import { graphUnderTest, requestsOf } from '../graph/support';

/**
 * Accepting a review's recommendations: Graph's one bulk call, then each item read back and its end recorded
 * as Graph shows it, with an audit entry per item; items Graph left undecided are told apart by why.
 */
let sandbox: Sandbox;
let as: (userId: string) => UserGovernance;
const log = pino({ level: 'silent' });

beforeAll(async () => {
  ({ sandbox, as } = await graphUnderTest());
});
afterAll(() => sandbox.close());
beforeEach(() => {
  sandbox.faults.clear();
  sandbox.clearRequests();
});

type ReviewItem = Extract<PendingItem, { kind: 'accessReview' }>;
const alex = () => ({ id: sandbox.users.alex.id, name: 'Alex Wilber' });

function seedReview(title: string, recommendations: readonly ('Approve' | 'Deny' | 'NoInfoAvailable')[]) {
  return sandbox.seed.accessReview({
    displayName: title,
    reviewers: [alex().id],
    settings: { recommendationsEnabled: true },
    decisions: recommendations.map((recommendation, i) => ({
      principal: { displayName: `${title} guest ${i + 1}`, userType: 'Guest' as const },
      recommendation,
    })),
  });
}

/** Alex's items of the review `title`, in the seeded order. */
async function reviewItems(title: string, decisionIds: readonly string[]): Promise<ReviewItem[]> {
  const { items } = await as(alex().id).discoverPending();
  const mine = items.filter((i): i is ReviewItem => i.kind === 'accessReview' && i.reviewName === title);
  return decisionIds.map((id) => {
    const item = mine.find((i) => i.target.decisionId === id);
    if (!item) throw new Error(`decision ${id} of ${title} is not pending`);
    return item;
  });
}

async function accept(items: readonly ReviewItem[]) {
  const store = new MemoryStore();
  for (const item of items) await store.putItem(item, alex().id);
  const decisions = createDecisions({ store, log, readBackTimeoutMs: 2000 });
  const outcomes = await decisions.acceptRecommendations({ user: alex(), graph: as(alex().id), items });
  const finals = await Promise.all(items.map(async (i) => (await store.getItem(itemKey(i.target)))?.final));
  const audit = [...(await store.auditFor(alex().id, 100))].reverse();
  return { outcomes, finals, audit };
}

const acceptCalls = () =>
  requestsOf(sandbox, 'POST').filter((r) => r.path.endsWith('/acceptRecommendations'));

it('records what Graph shows for each item after accepting: taken recommendations, an earlier answer, and items without one', async () => {
  const seeded = seedReview('Quarterly guests', ['Approve', 'Deny', 'NoInfoAvailable', 'Approve']);
  const items = await reviewItems('Quarterly guests', seeded.decisionIds);
  // Alex already answered the fourth guest "don't know", without words: the bulk call leaves it alone.
  sandbox.decideAs(alex().id, { decisionId: seeded.decisionIds[3] as string, decision: 'DontKnow' });

  const { outcomes, finals, audit } = await accept(items);

  expect(acceptCalls()).toHaveLength(1);
  expect(outcomes.map((o) => o.kind)).toEqual(['recorded', 'recorded', 'invalid', 'recorded']);
  expect(outcomes[0]).toMatchObject({
    kind: 'recorded',
    view: 'item',
    decision: 'Approve',
    justification: 'Accepted recommendation',
    by: { id: alex().id, displayName: 'Alex Wilber' },
    reconciled: true,
  });
  expect(outcomes[1]).toMatchObject({ view: 'item', decision: 'Deny', reconciled: true });
  expect(outcomes[2]).toEqual({
    kind: 'invalid',
    view: 'caller',
    reachedGraph: true,
    problems: ['No recommendation to accept.'],
    requestId: expect.any(String),
  });
  expect(outcomes[3]).toMatchObject({ view: 'item', decision: 'DontKnow', reconciled: true });

  expect(finals).toEqual([
    {
      result: 'Approved',
      by: expect.objectContaining({ id: alex().id, displayName: 'Alex Wilber' }),
      at: expect.any(String),
      justification: 'Accepted recommendation',
      changeable: true,
    },
    {
      result: 'Denied',
      by: expect.objectContaining({ id: alex().id, displayName: 'Alex Wilber' }),
      at: expect.any(String),
      justification: 'Accepted recommendation',
      changeable: true,
    },
    null,
    {
      result: 'DontKnow',
      by: expect.objectContaining({ id: alex().id, displayName: 'Alex Wilber' }),
      at: expect.any(String),
      justification: null,
      changeable: true,
    },
  ]);

  const keys = items.map((i) => itemKey(i.target));
  expect(audit.map((e) => [e.itemKey, e.decision, e.outcome, e.justificationLength])).toEqual([
    [keys[0], 'Approve', 'recorded', 0],
    [keys[1], 'Deny', 'recorded', 0],
    [keys[2], 'NotReviewed', 'invalid', 0],
    [keys[3], 'DontKnow', 'recorded', 0],
  ]);
  expect(audit.map((e) => e.requestId)).toEqual(outcomes.map((o) => o.requestId));
});

it('tells a recommended item Graph still shows undecided apart from one with nothing to accept', async () => {
  const seeded = seedReview('Read fails after accept', ['Approve', 'NoInfoAvailable']);
  const items = await reviewItems('Read fails after accept', seeded.decisionIds);
  // Every read after the bulk call fails, so Graph shows neither item decided.
  sandbox.faults.inject({ method: 'GET', status: 503, times: Infinity });

  const { outcomes, finals, audit } = await accept(items);

  expect(outcomes).toEqual([
    {
      kind: 'unavailable',
      view: 'caller',
      status: null,
      message: 'not decided yet',
      requestId: expect.any(String),
    },
    {
      kind: 'invalid',
      view: 'caller',
      reachedGraph: true,
      problems: ['No recommendation to accept.'],
      requestId: expect.any(String),
    },
  ]);
  expect(finals).toEqual([null, null]);
  expect(audit.map((e) => [e.decision, e.outcome])).toEqual([
    ['Approve', 'unavailable'],
    ['NotReviewed', 'invalid'],
  ]);
});

it('gives each undecided item Graph’s refusal of the bulk call, and records nothing', async () => {
  const seeded = seedReview('Bulk call refused', ['Approve', 'Deny']);
  const items = await reviewItems('Bulk call refused', seeded.decisionIds);
  sandbox.faults.inject({
    method: 'POST',
    pathIncludes: 'acceptRecommendations',
    status: 403,
    times: Infinity,
  });

  const { outcomes, finals, audit } = await accept(items);

  expect(outcomes).toHaveLength(2);
  expect(outcomes[0]?.kind).not.toBe('recorded');
  expect(outcomes[0]?.view).toBe('caller');
  expect(outcomes[1]).toEqual(outcomes[0]);
  expect(finals).toEqual([null, null]);
  expect(audit.map((e) => [e.decision, e.outcome])).toEqual([
    ['Approve', outcomes[0]?.kind],
    ['Deny', outcomes[0]?.kind],
  ]);
});

it('makes no call and answers nothing for a review with no items', async () => {
  const { outcomes, audit } = await accept([]);
  expect(outcomes).toEqual([]);
  expect(audit).toEqual([]);
  expect(sandbox.requests).toHaveLength(0);
});
