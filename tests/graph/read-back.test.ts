import type { DecisionTarget } from '../../src/domain';
import type { UserGovernance } from '../../src/graph';
import type { Sandbox, SeededReview } from '../../src/sandbox';
import { graphUnderTest } from './support';

let sandbox: Sandbox;
let as: (userId: string) => UserGovernance;
let alex: string;
let megan: string;
let adele: string;

beforeAll(async () => {
  ({ sandbox, as } = await graphUnderTest());
  ({ alex, megan, adele } = {
    alex: sandbox.users.alex.id,
    megan: sandbox.users.megan.id,
    adele: sandbox.users.adele.id,
  });
});
afterAll(() => sandbox.close());
beforeEach(() => {
  sandbox.faults.clear();
  sandbox.clearRequests();
});

const GUID = '0e0e0e0e-1111-4222-8333-444455556666';

function twoStageRequest(first: readonly string[], second: readonly string[]) {
  const seeded = sandbox.seed.accessPackageRequest({
    requestor: adele,
    accessPackage: { displayName: 'Marketing campaign tools' },
    justification: 'Launch campaign',
    stages: [{ approvers: first }, { approvers: second }],
  });
  const target = (index: number): DecisionTarget => ({
    kind: 'accessPackage',
    approvalId: seeded.approvalId,
    stageId: seeded.stageIds[index] as string,
    api: 'v1.0',
  });
  return { seeded, target };
}

const reviewItem = (r: SeededReview, stage: number | null = null, item = 0): DecisionTarget => ({
  kind: 'accessReview',
  definitionId: r.definitionId,
  instanceId: r.instanceId,
  stageId: stage === null ? null : (r.stageIds[stage] as string),
  decisionId: (stage === null ? r.decisionIds[item] : r.stageDecisionIds[stage]?.[item]) as string,
});

describe('reading an approval stage back', () => {
  it('names the approver who decided, when, and with what justification', async () => {
    const { seeded, target } = twoStageRequest([alex, megan], [alex]);
    const stageId = seeded.stageIds[0] as string;
    sandbox.decideAs(megan, {
      approvalId: seeded.approvalId,
      stageId,
      reviewResult: 'Deny',
      justification: 'Budget frozen',
    });
    const read = await as(alex).readState(target(0));
    const stored = sandbox.state.approval(seeded.approvalId)?.stages[0];
    const { id, displayName, userPrincipalName, mail } = sandbox.users.megan;
    expect(read).toEqual({
      state: {
        kind: 'decided',
        result: 'Denied',
        by: { id, displayName, userPrincipalName, mail },
        at: stored?.reviewedDateTime,
        justification: 'Budget frozen',
      },
      requestId: expect.any(String),
    });
  });

  it('names an approver who has left the directory by id, as Unknown', async () => {
    const departed = '0e0e0e0e-aaaa-4bbb-8ccc-ddddeeeeffff';
    const { seeded, target } = twoStageRequest([alex, departed], [alex]);
    sandbox.decideAs(departed, {
      approvalId: seeded.approvalId,
      stageId: seeded.stageIds[0] as string,
      reviewResult: 'Approve',
    });
    const read = await as(alex).readState(target(0));
    expect(read.state).toMatchObject({ kind: 'decided', by: { id: departed, displayName: 'Unknown' } });
  });

  it('is open and mine only for the stage in progress that I approve', async () => {
    const { target } = twoStageRequest([alex], [megan]);
    expect(await as(alex).readState(target(0))).toEqual({
      state: { kind: 'open', mine: true },
      requestId: expect.any(String),
    });
    // Megan approves the second stage: the first is open but not hers, her own has not started yet.
    expect((await as(megan).readState(target(0))).state).toEqual({ kind: 'open', mine: false });
    expect((await as(megan).readState(target(1))).state).toEqual({ kind: 'open', mine: false });
  });

  it('is closed, with the read that showed it, when the stage expired unanswered', async () => {
    const { seeded, target } = twoStageRequest([alex], [megan]);
    sandbox.seed.expireApproval(seeded.approvalId);
    const read = await as(alex).readState(target(0));
    expect(read).toEqual({
      state: { kind: 'closed', status: 'Expired', requestId: read.requestId },
      requestId: expect.any(String),
    });
  });

  it('is gone when Graph does not know the approval (404)', async () => {
    const read = await as(alex).readState({
      kind: 'accessPackage',
      approvalId: GUID,
      stageId: GUID,
      api: 'v1.0',
    });
    expect(read).toEqual({
      state: { kind: 'gone', requestId: expect.any(String), message: 'not found' },
      requestId: read.requestId,
    });
    expect(read.requestId).toEqual(expect.any(String));
  });

  it('is unknown, with the status, when Graph refuses the read (403)', async () => {
    const { target } = twoStageRequest([alex], [alex]);
    const read = await as(megan).readState(target(0));
    expect(read).toEqual({ state: { kind: 'unknown', status: 403 }, requestId: expect.any(String) });
  });

  it('is unknown, with no status, when the connection drops', async () => {
    const { target } = twoStageRequest([alex], [alex]);
    sandbox.faults.inject({ method: 'GET', drop: true, times: Infinity });
    expect(await as(alex).readState(target(0))).toEqual({
      state: { kind: 'unknown', status: null },
      requestId: null,
    });
  });
});

describe('reading an access review item back', () => {
  function single(settings: { decisionHistoriesForReviewersEnabled?: boolean } = {}) {
    return sandbox.seed.accessReview({
      displayName: 'Guests of Project Falcon',
      settings,
      reviewers: [alex],
      decisions: [{ principal: adele, recommendation: 'Deny' }],
    });
  }

  it('names the reviewer who decided, when, and with what justification', async () => {
    const r = single();
    sandbox.decideAs(alex, {
      decisionId: r.decisionIds[0] as string,
      decision: 'Deny',
      justification: 'Left the project',
    });
    const read = await as(alex).readState(reviewItem(r));
    const { id, displayName, userPrincipalName } = sandbox.users.alex;
    expect(read).toEqual({
      state: {
        kind: 'decided',
        result: 'Denied',
        // userIdentity carries no mail (graph-contract.md §3.5).
        by: { id, displayName, userPrincipalName },
        at: sandbox.state.reviewDecision(r.decisionIds[0] as string)?.reviewedDateTime,
        justification: 'Left the project',
      },
      requestId: expect.any(String),
    });
  });

  it('is open and mine while the review is in progress', async () => {
    const r = single();
    expect(await as(alex).readState(reviewItem(r))).toEqual({
      state: { kind: 'open', mine: true },
      requestId: expect.any(String),
    });
  });

  it('stays open and mine when the status read drops: nothing says the review closed', async () => {
    const r = single();
    sandbox.faults.inject({
      method: 'GET',
      pathIncludes: 'instances/filterByCurrentUser',
      drop: true,
      times: Infinity,
    });
    expect((await as(alex).readState(reviewItem(r))).state).toEqual({ kind: 'open', mine: true });
  });

  it('is closed with the status of the ended review and the request id of the read that showed it', async () => {
    const r = single();
    sandbox.seed.setReviewStatus(r.instanceId, 'Completed');
    const read = await as(alex).readState(reviewItem(r));
    expect(read).toEqual({
      state: { kind: 'closed', status: 'Completed', requestId: expect.any(String) },
      requestId: expect.any(String),
    });
    expect(read.state.kind === 'closed' && read.state.requestId).not.toBe(read.requestId);
  });

  it("reads the status of the item's own stage among the stages I review", async () => {
    const r = sandbox.seed.accessReview({
      displayName: 'Sales app access',
      stages: [
        { reviewers: [alex], status: 'Completed', decidedItems: [null] },
        { reviewers: [alex], status: 'InProgress' },
      ],
      decisions: [{ principal: adele }],
    });
    expect((await as(alex).readState(reviewItem(r, 0))).state).toEqual({
      kind: 'closed',
      status: 'Completed',
      requestId: expect.any(String),
    });
    expect((await as(alex).readState(reviewItem(r, 1))).state).toEqual({ kind: 'open', mine: true });
  });

  it('is gone when the item is not among my review items', async () => {
    const r = single();
    const read = await as(megan).readState(reviewItem(r));
    expect(read).toEqual({
      state: { kind: 'gone', requestId: expect.any(String), message: 'not among your review items' },
      requestId: expect.any(String),
    });
  });

  it('is gone when Graph does not know the review (404)', async () => {
    const read = await as(alex).readState({
      kind: 'accessReview',
      definitionId: GUID,
      instanceId: GUID,
      stageId: null,
      decisionId: GUID,
    });
    expect(read.state).toEqual({ kind: 'gone', requestId: expect.any(String), message: 'not found' });
  });
});
