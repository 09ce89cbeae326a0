import { itemKey } from '../../src/domain';
import { cardActions, cardOf, cardText, messageActivity, post } from '../support/teams';
import { startStack, targetOf } from './harness';
import type { Stack } from './harness';

/**
 * One card for the items of one access review that wait on the reviewer: counts, one reason for all, a
 * confirmation naming what will happen, then Graph's bulk call (accept recommendations) or one write per item
 * (approve or deny all), and every item's end recorded. Through the bot over sockets, as a personal chat
 * presses it (Action.Submit, answered by updating the card in place).
 */
let stack: Stack;
beforeAll(async () => {
  stack = await startStack({}, { sandbox: { tenant: 'empty' } });
});
afterAll(() => stack.close());

const personal = () => ({ serviceUrl: stack.connector.serviceUrl });

function seedReview(
  title: string,
  recommendations: readonly ('Approve' | 'Deny' | 'NoInfoAvailable')[],
  required = false,
) {
  return stack.sandbox.seed.accessReview({
    displayName: title,
    reviewers: [stack.alex.aadObjectId],
    settings: { recommendationsEnabled: true, justificationRequiredOnApproval: required },
    decisions: recommendations.map((recommendation, i) => ({
      principal: { displayName: `${title} guest ${i + 1}`, userType: 'Guest' as const },
      recommendation,
    })),
  });
}

/** The bulk card "pending" posts for `title`, with the message it is in. */
async function bulkCard(title: string) {
  const mark = stack.connector.mark();
  await post(stack.botUrl, messageActivity(personal(), stack.alex, 'pending'));
  await stack.app.bot.idle();
  const call = stack.connector.calls
    .slice(mark)
    .find(
      (c) => c.method === 'POST' && cardText(cardOf(c.activity)).includes(`items of ${title} wait on you`),
    );
  if (!call) throw new Error(`no bulk card for ${title}`);
  return call;
}

/** Presses the card's button titled `title` (Action.Submit: a message replying to the card), with words. */
async function press(card: unknown, activityId: string, title: string, justification = '') {
  const action = cardActions(card).find((a) => a.title === title);
  if (!action)
    throw new Error(
      `no button ${title}: ${cardActions(card)
        .map((a) => a.title)
        .join(', ')}`,
    );
  expect(action.type).toBe('Action.Submit');
  const mark = stack.connector.mark();
  await post(stack.botUrl, {
    ...messageActivity(personal(), stack.alex, '', { ...action.data, justification }),
    replyToId: activityId,
  });
  await stack.app.bot.idle();
  const updated = stack.connector.calls
    .slice(mark)
    .filter((c) => c.activityId === activityId && c.method === 'PUT');
  expect(updated).toHaveLength(1);
  return cardOf(updated[0]?.activity);
}

it('accepts the recommendations of 10 items with Graph’s bulk call after a confirmation, and records every end', async () => {
  const recs = [
    'Approve',
    'Approve',
    'Deny',
    'Approve',
    'Deny',
    'Approve',
    'Approve',
    'Deny',
    'Approve',
    'Approve',
  ] as const;
  const review = seedReview('Partner guests', recs);
  const call = await bulkCard('Partner guests');
  const offer = cardOf(call.activity);
  expect(cardText(offer)).toMatch(/10 items of Partner guests wait on you/);
  // No item of this review was posted on its own.
  expect(
    stack.connector.calls.filter(
      (c) =>
        targetOf(cardOf(c.activity))?.instanceId === review.instanceId &&
        !JSON.stringify(c.activity).includes('"bulk"'),
    ),
  ).toHaveLength(0);

  const confirm = await press(offer, call.activityId, 'Accept recommendations');
  expect(cardText(confirm)).toContain(
    'Decide 10 items at once? 7 items approved and 3 items denied, as recommended.',
  );
  expect(
    stack.sandbox.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/acceptRecommendations')),
  ).toHaveLength(0);

  const done = await press(confirm, call.activityId, 'Yes, accept recommendations');
  expect(cardText(done)).toContain('10 decisions recorded in Microsoft Entra.');
  const bulkCalls = stack.sandbox.requests.filter(
    (r) => r.method === 'POST' && r.path.endsWith('/acceptRecommendations'),
  );
  expect(bulkCalls).toHaveLength(1);
  expect(bulkCalls[0]?.callerId).toBe(stack.alex.aadObjectId.toLowerCase());
  // Every item ended as recommended, as Graph reports it, by Alex.
  for (const [i, decisionId] of review.decisionIds.entries()) {
    const stored = await stack.app.store.getItem(
      itemKey({
        kind: 'accessReview',
        definitionId: review.definitionId,
        instanceId: review.instanceId,
        stageId: null,
        decisionId,
      }),
    );
    expect(stored?.final).toMatchObject({
      result: recs[i] === 'Approve' ? 'Approved' : 'Denied',
      by: { displayName: 'Alex Wilber' },
    });
  }
});

it('approves all 10 remaining with one reason, one write per item carrying it, and Graph holds the 10', async () => {
  const recs = [
    'Deny',
    'NoInfoAvailable',
    'Approve',
    'Deny',
    'Deny',
    'Approve',
    'Deny',
    'NoInfoAvailable',
    'Approve',
    'Deny',
  ] as const;
  const review = seedReview('Vendor guests', recs);
  const call = await bulkCard('Vendor guests');
  const confirm = await press(cardOf(call.activity), call.activityId, 'Approve all 10', 'Contract renewed');
  expect(cardText(confirm)).toContain('Decide 10 items at once? 10 items approved.');
  expect(cardText(confirm)).toContain('Each decision gets the reason below.');
  const done = await press(confirm, call.activityId, 'Yes, approve all 10', 'Contract renewed');
  expect(cardText(done)).toContain('10 decisions recorded in Microsoft Entra.');
  const writes = stack.sandbox.requests.filter(
    (r) => r.method === 'PATCH' && r.path.includes(review.instanceId),
  );
  expect(writes).toHaveLength(10);
  expect(
    writes.every(
      (w) =>
        JSON.stringify(w.body) === JSON.stringify({ decision: 'Approve', justification: 'Contract renewed' }),
    ),
  ).toBe(true);
  // What Graph holds: each of the 10 approved by Alex with the reason.
  expect(review.decisionIds.map((id) => stack.sandbox.state.reviewDecision(id))).toEqual(
    review.decisionIds.map(() =>
      expect.objectContaining({ decision: 'Approve', justification: 'Contract renewed' }),
    ),
  );
});

it('asks for the reason a review requires before anything, and writes nothing without one', async () => {
  const review = seedReview('Finance guests', ['Approve', 'Approve', 'Deny'], true);
  const call = await bulkCard('Finance guests');
  expect(JSON.stringify(cardOf(call.activity))).toContain('Justification (required)');
  const before = stack.sandbox.requests.length;
  const asked = await press(cardOf(call.activity), call.activityId, 'Deny all 3', '   ');
  expect(cardText(asked)).toContain('This review asks for a reason with every decision.');
  expect(
    stack.sandbox.requests.slice(before).filter((r) => r.method !== 'GET' && r.path !== '/$batch'),
  ).toHaveLength(0);
  expect(review.decisionIds).toHaveLength(3);
});
