import pino from 'pino';
import { createDecisions } from '../../src/decisions';
import { itemKey } from '../../src/domain';
import { MemoryStore } from '../../src/store';
import { requestsOf } from '../graph/support';
import { pendingReviewItems, sandboxForFile } from './support';
import type { ReviewItem } from './support';

/**
 * Accepting a review's recommendations: Graph's one bulk call, then each item read back and its end recorded
 * as Graph shows it, with an audit entry per item; items Graph left undecided are told apart by why.
 */
const env = sandboxForFile();
const log = pino({ level: 'silent' });

const alex = () => ({ id: env.sandbox.users.alex.id, name: 'Alex Wilber' });

function seedReview(title: string, recommendations: readonly ('Approve' | 'Deny' | 'NoInfoAvailable')[]) {
  return env.sandbox.seed.accessReview({
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
  const mine = await pendingReviewItems(env.as(alex().id), title);
  return decisionIds.map((id) => {
    const item = mine.find((i) => i.target.decisionId === id);
    if (!item) throw new Error(`decision ${id} of ${title} is not pending`);
    return item;
  });
}

async function accept(items: readonly ReviewItem[], readBackTimeoutMs = 2000) {
  const store = new MemoryStore();
  for (const item of items) await store.putItem(item, alex().id);
  const decisions = createDecisions({ store, log, readBackTimeoutMs });
  const outcomes = await decisions.acceptRecommendations({ user: alex(), graph: env.as(alex().id), items });
  const finals = await Promise.all(items.map(async (i) => (await store.getItem(itemKey(i.target)))?.final));
  const audit = [...(await store.auditFor(alex().id, 100))].reverse();
  return { outcomes, finals, audit };
}

const acceptCalls = () =>
  requestsOf(env.sandbox, 'POST').filter((r) => r.path.endsWith('/acceptRecommendations'));

it('records what Graph shows for each item after accepting: taken recommendations, an earlier answer, and items without one', async () => {
  const seeded = seedReview('Quarterly guests', ['Approve', 'Deny', 'NoInfoAvailable', 'Approve']);
  const items = await reviewItems('Quarterly guests', seeded.decisionIds);
  // Alex already answered the fourth guest "don't know", without words: the bulk call leaves it alone.
  env.sandbox.decideAs(alex().id, { decisionId: seeded.decisionIds[3] as string, decision: 'DontKnow' });

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
  env.sandbox.faults.inject({ method: 'GET', status: 503, times: Infinity });

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

it('gives up each item’s read after the configured wait: accepted, but not shown decided yet', async () => {
  const seeded = seedReview('Slow reads after accept', ['Deny']);
  const items = await reviewItems('Slow reads after accept', seeded.decisionIds);
  env.sandbox.faults.inject({ method: 'GET', latencyMs: 1500, times: Infinity });
  const { outcomes, finals } = await accept(items, 300);
  expect(outcomes).toEqual([expect.objectContaining({ kind: 'unavailable', message: 'not decided yet' })]);
  expect(finals).toEqual([null]);
});

it('gives each undecided item Graph’s refusal of the bulk call, and records nothing', async () => {
  const seeded = seedReview('Bulk call refused', ['Approve', 'Deny']);
  const items = await reviewItems('Bulk call refused', seeded.decisionIds);
  env.sandbox.faults.inject({
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
  expect(env.sandbox.requests).toHaveLength(0);
});
