import pino from 'pino';
import { createDecisions } from '../../src/decisions';
import type { DecideCommand } from '../../src/decisions';
import type { PendingItem } from '../../src/domain';
import { itemKey } from '../../src/domain';
import type { UserGovernance } from '../../src/graph';
import type { Sandbox } from '../../src/sandbox';
import { MemoryStore } from '../../src/store';
import { graphUnderTest, requestsOf } from '../graph/support';

/**
 * What a decision leaves behind for everyone (the item's recorded end) and what it refuses before Graph,
 * against the Graph sandbox: only Graph's facts are recorded, and one person's failure changes nothing.
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

const alex = () => ({ id: sandbox.users.alex.id, name: 'Alex Wilber' });

async function pending(title: string): Promise<PendingItem> {
  const { items } = await as(alex().id).discoverPending();
  const item = items.find((i) =>
    i.kind === 'accessPackage'
      ? i.accessPackage.displayName === title
      : i.kind === 'accessReview' && i.reviewName === title,
  );
  if (!item) throw new Error(`nothing pending named ${title}`);
  return item;
}

async function decide(item: PendingItem, decision: DecideCommand['decision'], justification: string) {
  const store = new MemoryStore();
  await store.putItem(item, alex().id);
  const decisions = createDecisions({ store, log, readBackTimeoutMs: 2000 });
  const decided = await decisions.decide({
    user: alex(),
    graph: as(alex().id),
    item,
    decision,
    justification,
  });
  await decided.settled;
  return { outcome: decided.outcome, stored: await store.getItem(itemKey(item.target)) };
}

function accessPackage(title: string, stage: Record<string, unknown> = {}) {
  return sandbox.seed.accessPackageRequest({
    requestor: sandbox.users.adele.id,
    accessPackage: { displayName: title },
    stages: [{ approvers: [alex().id, sandbox.users.megan.id], ...stage }],
  });
}

it('records the end Graph reports when another approver decided first: who, when, how', async () => {
  const seeded = accessPackage('Decided by Megan first');
  const item = await pending('Decided by Megan first');
  sandbox.decideAs(sandbox.users.megan.id, {
    approvalId: seeded.approvalId,
    stageId: seeded.stageIds[0] as string,
    reviewResult: 'Deny',
    justification: 'Not this quarter',
  });
  const { outcome, stored } = await decide(item, 'Approve', 'Fine');
  expect(outcome).toMatchObject({ kind: 'alreadyDecided', view: 'item', result: 'Denied' });
  expect(stored?.final).toMatchObject({
    result: 'Denied',
    by: { displayName: 'Megan Bowen' },
    justification: 'Not this quarter',
    changeable: false,
  });
  expect(stored?.final?.at).toEqual(expect.any(String));
});

it('names only the presser, by id, and no time, when Graph does not answer the read after its 204', async () => {
  accessPackage('Read-back fails');
  const item = await pending('Read-back fails');
  sandbox.faults.inject({ method: 'GET', status: 503, times: Infinity });
  const { outcome, stored } = await decide(item, 'Approve', 'Fine');
  expect(outcome).toMatchObject({ kind: 'recorded', decision: 'Approve' });
  expect(stored?.final).toEqual({
    result: 'Approved',
    by: { id: alex().id, displayName: '' },
    at: null,
    justification: 'Fine',
    changeable: false,
  });
});

it('learns that an approval stage wants the approver’s words from Graph’s 400, and records no end', async () => {
  accessPackage('Words required', { approverJustificationRequired: true });
  const item = await pending('Words required');
  const { outcome, stored } = await decide(item, 'Approve', '');
  expect(outcome).toMatchObject({
    kind: 'needsJustification',
    view: 'caller',
    reason: 'stage',
    reachedGraph: true,
  });
  expect(stored?.item.justificationRequired).toBe(true);
  expect(stored?.final).toBeNull();
});

it('records a closed review as closed, not changeable, when Graph says it ended', async () => {
  const review = sandbox.seed.accessReview({
    displayName: 'Ended review',
    reviewers: [alex().id],
    decisions: [{ principal: sandbox.users.adele.id }],
  });
  const item = await pending('Ended review');
  sandbox.seed.setReviewStatus(review.instanceId, 'Completed');
  const { outcome, stored } = await decide(item, 'Approve', 'Still needed');
  expect(outcome).toMatchObject({ kind: 'reviewClosed', view: 'item' });
  expect(stored?.final).toEqual({
    result: 'closed',
    by: null,
    at: null,
    justification: null,
    changeable: false,
  });
});

it('refuses before Graph: words over the limit, and a review that asks for words without any', async () => {
  accessPackage('Too many words');
  const item = await pending('Too many words');
  const long = await decide(item, 'Approve', 'x'.repeat(1001));
  expect(long.outcome).toMatchObject({ kind: 'invalid', view: 'caller', reachedGraph: false });
  expect((long.outcome as unknown as { problems: string[] }).problems[0]).toMatch(
    /1,001 characters long; the limit is 1,000/,
  );

  sandbox.seed.accessReview({
    displayName: 'Words on every decision',
    reviewers: [alex().id],
    settings: { justificationRequiredOnApproval: true },
    decisions: [{ principal: sandbox.users.adele.id }],
  });
  const review = await pending('Words on every decision');
  const blank = await decide(review, 'Approve', '  \u200b ');
  expect(blank.outcome).toMatchObject({
    kind: 'needsJustification',
    view: 'caller',
    reason: 'review',
    reachedGraph: false,
  });
  expect(blank.stored?.final).toBeNull();
  expect(requestsOf(sandbox, 'PATCH')).toHaveLength(0);
});
