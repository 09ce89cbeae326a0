import type { UserGovernance } from '../../src/graph';
import type { Sandbox } from '../../src/sandbox';
import { DEMO_COLLEAGUES } from '../../src/sandbox';
import { graphUnderTest, requestsOf } from './support';

let sandbox: Sandbox;
let as: (userId: string) => UserGovernance;

beforeAll(async () => {
  ({ sandbox, as } = await graphUnderTest());
});
afterAll(() => sandbox.close());
beforeEach(() => {
  sandbox.faults.clear();
  sandbox.clearRequests();
});

function multiStage(status: 'InProgress' | 'Completed' = 'InProgress') {
  const { alex, megan, adele, patti } = sandbox.users;
  return sandbox.seed.accessReview({
    displayName: 'Sales app access',
    stages: [{ reviewers: [alex.id], fallbackReviewers: [patti.id], status }],
    decisions: [
      { principal: adele.id, recommendation: 'Approve', lastSignInDateTime: new Date().toISOString() },
      { principal: megan.id, recommendation: 'Deny', lastSignInDateTime: null },
    ],
  });
}
const user = (id: string) => ({ query: `/users/${id}`, queryType: 'MicrosoftGraph', queryRoot: null });

const DIEGO = DEMO_COLLEAGUES.diego.id;

describe('updating an access review stage', () => {
  it('adds a fallback reviewer and returns the updated stage (200 with body)', async () => {
    const r = multiStage();
    const { patti, lynne } = sandbox.users;
    // A stage update is an administrator's operation (graph-contract.md §1.3): Diego is the tenant's admin.
    const result = await as(DIEGO).updateReviewStage(
      { definitionId: r.definitionId, instanceId: r.instanceId, stageId: r.stageIds[0] as string },
      { fallbackReviewers: [user(patti.id), user(lynne.id)] },
    );
    expect(result).toMatchObject({ kind: 'updated', stage: { id: r.stageIds[0], status: 'InProgress' } });
    expect(result.kind === 'updated' && result.stage.fallbackReviewers.map((f) => f.query)).toEqual([
      `/users/${patti.id}`,
      `/users/${lynne.id}`,
    ]);
    const [patch] = requestsOf(sandbox, 'PATCH');
    expect(patch).toMatchObject({
      version: 'v1.0',
      path: `/identityGovernance/accessReviews/definitions/${r.definitionId}/instances/${r.instanceId}/stages/${r.stageIds[0]}`,
      status: 200,
      body: {
        '@odata.type': '#microsoft.graph.accessReviewStage',
        fallbackReviewers: [user(patti.id), user(lynne.id)],
      },
    });
  });

  it('refuses to remove an existing fallback reviewer and never sends the PATCH', async () => {
    const r = multiStage();
    const { lynne, patti } = sandbox.users;
    const result = await as(DIEGO).updateReviewStage(
      { definitionId: r.definitionId, instanceId: r.instanceId, stageId: r.stageIds[0] as string },
      { fallbackReviewers: [user(lynne.id)] },
    );
    expect(result).toMatchObject({
      kind: 'invalid',
      problems: [expect.stringContaining(`keep /users/${patti.id}`)],
    });
    expect(requestsOf(sandbox, 'PATCH')).toHaveLength(0);
  });

  it('refuses a stage that has ended and never sends the PATCH', async () => {
    const r = multiStage('Completed');
    const result = await as(DIEGO).updateReviewStage(
      { definitionId: r.definitionId, instanceId: r.instanceId, stageId: r.stageIds[0] as string },
      { reviewers: [user(sandbox.users.lynne.id)] },
    );
    expect(result).toMatchObject({
      kind: 'invalid',
      problems: [
        expect.stringMatching(
          /this stage is Completed; only a stage that is NotStarted, Initializing or InProgress/,
        ),
      ],
    });
    expect(requestsOf(sandbox, 'PATCH')).toHaveLength(0);
  });

  it('refuses non-GUID ids before the network', async () => {
    const result = await as(sandbox.users.alex.id).updateReviewStage(
      { definitionId: '../x', instanceId: 'y', stageId: 'z' },
      { reviewers: [] },
    );
    expect(result).toMatchObject({ kind: 'invalid', requestId: null });
    expect(sandbox.requests).toHaveLength(0);
  });
});

describe('bulk review actions', () => {
  it('accepts recommendations on the stage (204) and Graph applies them to my unreviewed items', async () => {
    const r = multiStage();
    const ids = { definitionId: r.definitionId, instanceId: r.instanceId, stageId: r.stageIds[0] as string };
    const result = await as(sandbox.users.alex.id).acceptRecommendations(ids);
    expect(result).toMatchObject({ kind: 'done' });
    expect(requestsOf(sandbox, 'POST')[0]).toMatchObject({
      path: `/identityGovernance/accessReviews/definitions/${r.definitionId}/instances/${r.instanceId}/stages/${ids.stageId}/acceptRecommendations`,
      status: 204,
    });
    const pending = await as(sandbox.users.alex.id).discoverPending(['accessReview']);
    expect(
      pending.items.filter((i) => i.target.kind === 'accessReview' && i.target.instanceId === r.instanceId),
    ).toHaveLength(0);
  });

  it('refuses batchRecordDecisions to a plain reviewer: its role note asks for an admin role (403)', async () => {
    const { alex, adele } = sandbox.users;
    const r = sandbox.seed.accessReview({
      displayName: 'Guests',
      reviewers: [alex.id],
      decisions: [{ principal: adele.id }],
    });
    const ids = { definitionId: r.definitionId, instanceId: r.instanceId, stageId: null };
    const result = await as(alex.id).batchRecordDecisions(ids, {
      decision: 'Deny',
      justification: 'Project over',
      principalId: adele.id,
    });
    expect(result).toMatchObject({ kind: 'forbidden', view: 'caller' });
  });

  it('records one decision for one principal at instance level as an admin (batchRecordDecisions, 204)', async () => {
    const { alex, adele } = sandbox.users;
    const r = sandbox.seed.accessReview({
      displayName: 'Guests',
      reviewers: [alex.id],
      decisions: [{ principal: adele.id }, { principal: sandbox.users.megan.id }],
    });
    const ids = { definitionId: r.definitionId, instanceId: r.instanceId, stageId: null };
    const result = await as(DIEGO).batchRecordDecisions(ids, {
      decision: 'Deny',
      justification: 'Project over',
      principalId: adele.id,
    });
    expect(result).toMatchObject({ kind: 'done' });
    expect(requestsOf(sandbox, 'POST')[0]).toMatchObject({
      path: `/identityGovernance/accessReviews/definitions/${r.definitionId}/instances/${r.instanceId}/batchRecordDecisions`,
      body: { decision: 'Deny', justification: 'Project over', principalId: adele.id },
      status: 204,
    });
    const left = await as(alex.id).discoverPending(['accessReview']);
    expect(
      left.items.filter((i) => i.target.kind === 'accessReview' && i.target.instanceId === r.instanceId),
    ).toHaveLength(1);
  });

  it('refuses a bad bulk decision before the network', async () => {
    const r = multiStage();
    const result = await as(sandbox.users.alex.id).batchRecordDecisions(
      { definitionId: r.definitionId, instanceId: r.instanceId, stageId: null },
      { decision: 'Maybe', justification: '' },
    );
    expect(result).toMatchObject({ kind: 'invalid', problems: [expect.stringContaining('"Maybe"')] });
    expect(sandbox.requests).toHaveLength(0);
  });

  it('answers reviewClosed for a bulk action on an ended review', async () => {
    const { alex, adele } = sandbox.users;
    const r = sandbox.seed.accessReview({
      displayName: 'Old',
      reviewers: [alex.id],
      decisions: [{ principal: adele.id, recommendation: 'Approve' }],
    });
    sandbox.seed.setReviewStatus(r.instanceId, 'Completed');
    const result = await as(alex.id).acceptRecommendations({
      definitionId: r.definitionId,
      instanceId: r.instanceId,
      stageId: null,
    });
    expect(result).toMatchObject({ kind: 'reviewClosed', status: 'Completed' });
  });
});
