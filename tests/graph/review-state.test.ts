import type { ReviewerScope, UserGovernance } from '../../src/graph';
import type { Sandbox, ReviewerScope as SeededScope } from '../../src/sandbox';
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

// The tenant's governance administrator: stage updates and batchRecordDecisions are admin operations (§1.3, §4).
const DIEGO = DEMO_COLLEAGUES.diego.id;
const GUID = '0e0e0e0e-1111-4222-8333-444455556666';

const user = (id: string, queryRoot: string | null = null): ReviewerScope => ({
  query: `/users/${id}`,
  queryType: 'MicrosoftGraph',
  queryRoot,
});

function oneStage(fallbackReviewers: readonly (string | SeededScope)[]) {
  const { alex, adele } = sandbox.users;
  const r = sandbox.seed.accessReview({
    displayName: 'Sales app access',
    stages: [{ reviewers: [alex.id], fallbackReviewers, status: 'InProgress' }],
    decisions: [{ principal: adele.id, recommendation: 'Approve' }],
  });
  return { definitionId: r.definitionId, instanceId: r.instanceId, stageId: r.stageIds[0] as string };
}

function singleStage(status: 'InProgress' | 'Completed' = 'InProgress') {
  const { alex, adele, megan } = sandbox.users;
  const r = sandbox.seed.accessReview({
    displayName: 'Guests of Project Falcon',
    reviewers: [alex.id],
    decisions: [
      { principal: adele.id, recommendation: 'Approve', resource: { displayName: 'Falcon site' } },
      { principal: megan.id, recommendation: 'Deny', resource: { displayName: 'Falcon mailbox' } },
    ],
  });
  if (status !== 'InProgress') sandbox.seed.setReviewStatus(r.instanceId, status);
  return { ids: { definitionId: r.definitionId, instanceId: r.instanceId, stageId: null }, review: r };
}

describe('a stage update is checked before the network', () => {
  it.each([
    [
      'ids that are not GUIDs',
      { definitionId: '../x', instanceId: 'y', stageId: 'z' },
      { reviewers: [] },
      [
        'definitionId must be a GUID, got "../x"',
        'instanceId must be a GUID, got "y"',
        'stageId must be a GUID, got "z"',
      ],
    ],
    [
      'a stage id that is not a GUID',
      { definitionId: GUID, instanceId: GUID, stageId: 'stage-1' },
      { reviewers: [] },
      ['stageId must be a GUID, got "stage-1"'],
    ],
    [
      'reviewers that are not a list',
      { definitionId: GUID, instanceId: GUID, stageId: GUID },
      { reviewers: '/users/x' },
      ['reviewers must be a list of reviewer scopes'],
    ],
    [
      'fallback reviewers without a usable query (missing, blank, over 500 characters)',
      { definitionId: GUID, instanceId: GUID, stageId: GUID },
      {
        fallbackReviewers: [
          null,
          { query: '   ' },
          { query: `/users/${'a'.repeat(494)}` },
          { queryType: 'x' },
        ],
      },
      Array(4).fill('fallbackReviewers: every reviewer scope needs a query such as /users/{id}'),
    ],
    [
      'a change that changes nothing',
      { definitionId: GUID, instanceId: GUID, stageId: GUID },
      {},
      ['nothing to change: give reviewers or fallbackReviewers'],
    ],
  ])('refuses %s and names the problem', async (_name, ids, change, problems) => {
    const result = await as(DIEGO).updateReviewStage(ids, change as never);
    expect(result).toEqual({
      kind: 'invalid',
      view: 'caller',
      problems,
      reachedGraph: false,
      requestId: null,
    });
    expect(sandbox.requests).toHaveLength(0);
  });

  it('lets a query of exactly 500 characters through to Graph', async () => {
    const ids = oneStage([]);
    const query = `/users/${'b'.repeat(493)}`;
    await as(DIEGO).updateReviewStage(ids, {
      reviewers: [{ query, queryType: 'MicrosoftGraph', queryRoot: null }],
    });
    expect(requestsOf(sandbox, 'PATCH')).toHaveLength(1);
  });
});

describe('adding reviewers to a stage', () => {
  it('adds reviewers without touching the fallback reviewers and returns the stage Graph stored', async () => {
    const { patti, lynne, alex } = sandbox.users;
    const ids = oneStage([patti.id]);
    const result = await as(DIEGO).updateReviewStage(ids, { reviewers: [user(alex.id), user(lynne.id)] });
    const stored = sandbox.state.reviewStage(ids.stageId);
    expect(result).toEqual({
      kind: 'updated',
      stage: {
        id: ids.stageId,
        status: 'InProgress',
        startDateTime: expect.any(String),
        endDateTime: expect.any(String),
        reviewers: [user(alex.id), user(lynne.id)],
        fallbackReviewers: [user(patti.id)],
      },
      requestId: expect.any(String),
    });
    expect(stored?.reviewers.map((s) => s.query)).toEqual([`/users/${alex.id}`, `/users/${lynne.id}`]);
    expect(requestsOf(sandbox, 'PATCH')[0]?.body).toEqual({
      '@odata.type': '#microsoft.graph.accessReviewStage',
      reviewers: [user(alex.id), user(lynne.id)],
    });
  });

  it('reads back reviewer scopes as Graph stored them: other query types, relative queries with their root', async () => {
    const { lynne } = sandbox.users;
    const arm = { query: `/users/${lynne.id}`, queryType: 'ARM', queryRoot: null };
    // A relative query such as ./manager needs its queryRoot (graph-contract.md §3.9).
    const manager = { query: './manager', queryType: 'MicrosoftGraph', queryRoot: 'decisions' };
    const ids = oneStage([arm, manager]);
    const result = await as(DIEGO).updateReviewStage(ids, { fallbackReviewers: [arm, manager] });
    expect(result.kind === 'updated' && result.stage.fallbackReviewers).toEqual([arm, manager]);
  });

  it('keeps an existing fallback reviewer named in another letter case', async () => {
    const { patti, lynne } = sandbox.users;
    const ids = oneStage([patti.id]);
    const result = await as(DIEGO).updateReviewStage(ids, {
      fallbackReviewers: [{ ...user(patti.id), query: `/USERS/${patti.id.toUpperCase()}` }, user(lynne.id)],
    });
    expect(result.kind).toBe('updated');
  });

  it.each([
    ['a root where the existing one has none', null, 'decisions'],
    ['no root where the existing one has one', 'decisions', null],
  ])(
    'treats the same query with %s as dropping that fallback reviewer, as Graph would (409)',
    async (_name, existingRoot, newRoot) => {
      const { patti, lynne } = sandbox.users;
      const ids = oneStage([{ ...user(patti.id), queryRoot: existingRoot }]);
      const result = await as(DIEGO).updateReviewStage(ids, {
        fallbackReviewers: [user(patti.id, newRoot), user(lynne.id)],
      });
      expect(result).toMatchObject({ kind: 'invalid', reachedGraph: true });
      expect(requestsOf(sandbox, 'PATCH')).toHaveLength(0);
    },
  );

  it('names every fallback reviewer the change would drop, after reading the stage from Graph', async () => {
    const { patti, lynne, megan } = sandbox.users;
    const ids = oneStage([patti.id, lynne.id]);
    const result = await as(DIEGO).updateReviewStage(ids, { fallbackReviewers: [user(megan.id)] });
    expect(result).toEqual({
      kind: 'invalid',
      view: 'caller',
      reachedGraph: true,
      problems: [
        `fallback reviewers can only be added, never removed; keep /users/${patti.id}, /users/${lynne.id}`,
      ],
      requestId: expect.any(String),
    });
  });

  it('says which status keeps an ended stage from changing, with the read that showed it', async () => {
    const ids = oneStage([]);
    sandbox.seed.setReviewStatus(ids.stageId, 'Completed');
    const result = await as(DIEGO).updateReviewStage(ids, { reviewers: [user(sandbox.users.lynne.id)] });
    expect(result).toEqual({
      kind: 'invalid',
      view: 'caller',
      reachedGraph: true,
      problems: [
        'this stage is Completed; only a stage that is NotStarted, Initializing or InProgress can be changed',
      ],
      requestId: expect.any(String),
    });
  });

  it('answers notFound for a stage Graph does not know, without a PATCH', async () => {
    const ids = oneStage([]);
    const result = await as(DIEGO).updateReviewStage({ ...ids, stageId: GUID }, { reviewers: [] });
    expect(result).toMatchObject({ kind: 'notFound', requestId: expect.any(String) });
    expect(requestsOf(sandbox, 'PATCH')).toHaveLength(0);
  });

  it.each([
    ['the read of the stage', 'GET'],
    ['the PATCH', 'PATCH'],
  ])('answers unavailable when the connection drops on %s', async (_name, method) => {
    const ids = oneStage([]);
    sandbox.faults.inject({ method, drop: true, times: Infinity });
    const result = await as(DIEGO).updateReviewStage(ids, { reviewers: [user(sandbox.users.lynne.id)] });
    expect(result).toMatchObject({ kind: 'unavailable', status: null, requestId: null });
  });

  it("passes Graph's 409 for a PATCH that would drop a fallback reviewer on as Graph's refusal", async () => {
    const ids = oneStage([]);
    sandbox.faults.inject({ method: 'PATCH', status: 409 });
    const result = await as(DIEGO).updateReviewStage(ids, {
      fallbackReviewers: [user(sandbox.users.lynne.id)],
    });
    expect(result.kind).not.toBe('updated');
    expect(result).not.toMatchObject({
      kind: 'unavailable',
      message: 'Graph did not return the updated stage',
    });
  });

  it('does not retry a PATCH Graph answered 503: a user is waiting', async () => {
    const ids = oneStage([]);
    sandbox.faults.inject({ method: 'PATCH', status: 503, retryAfterSeconds: 0 });
    const result = await as(DIEGO).updateReviewStage(ids, { reviewers: [user(sandbox.users.lynne.id)] });
    expect(result).toMatchObject({ kind: 'unavailable', status: 503 });
    expect(requestsOf(sandbox, 'PATCH')).toHaveLength(1);
  });
});

describe('bulk review actions', () => {
  it('refuses to accept recommendations for ids that are not GUIDs', async () => {
    const result = await as(sandbox.users.alex.id).acceptRecommendations({
      definitionId: GUID,
      instanceId: 'instance-1',
      stageId: null,
    });
    expect(result).toEqual({
      kind: 'invalid',
      view: 'caller',
      problems: ['instanceId must be a GUID, got "instance-1"'],
      reachedGraph: false,
      requestId: null,
    });
    expect(sandbox.requests).toHaveLength(0);
  });

  it.each([
    [
      'NotReviewed, which undoes rather than decides',
      { decision: 'NotReviewed', justification: 'x' },
      ['batchRecordDecisions takes Approve, Deny or DontKnow'],
    ],
    [
      'a justification over the limit',
      { decision: 'Deny', justification: 'x'.repeat(1001) },
      ['justification is 1001 characters long; the limit is 1000. Shorten it and try again'],
    ],
    [
      'a principal that is not a GUID, which would otherwise widen the decision to every item',
      { decision: 'Deny', justification: 'x', principalId: 'adele' },
      ['principalId must be a GUID, got "adele"'],
    ],
    [
      'a resource that is not a GUID, which would otherwise widen the decision to every item',
      { decision: 'Deny', justification: 'x', resourceId: 'site' },
      ['resourceId must be a GUID, got "site"'],
    ],
  ])('refuses a batch decision of %s before the network', async (_name, record, problems) => {
    const { ids } = singleStage();
    const result = await as(DIEGO).batchRecordDecisions(ids, record);
    expect(result).toEqual({
      kind: 'invalid',
      view: 'caller',
      problems,
      reachedGraph: false,
      requestId: null,
    });
    expect(sandbox.requests).toHaveLength(0);
  });

  it('decides only the items of one resource when the batch names it', async () => {
    const { ids, review } = singleStage();
    const [site, mailbox] = review.decisionIds.map((id) => sandbox.state.reviewDecision(id));
    const result = await as(DIEGO).batchRecordDecisions(ids, {
      decision: 'Deny',
      justification: 'Site retired',
      resourceId: site?.resourceId as string,
    });
    expect(result).toEqual({ kind: 'done', requestId: expect.any(String) });
    expect(requestsOf(sandbox, 'POST')[0]?.body).toEqual({
      decision: 'Deny',
      justification: 'Site retired',
      resourceId: site?.resourceId,
    });
    expect(sandbox.state.reviewDecision(site?.id as string)?.decision).toBe('Deny');
    expect(sandbox.state.reviewDecision(mailbox?.id as string)?.decision).toBe('NotReviewed');
  });

  it('answers reviewClosed with the status Graph reports for a closed review', async () => {
    const { ids } = singleStage('Completed');
    const result = await as(sandbox.users.alex.id).acceptRecommendations(ids);
    expect(result).toEqual({
      kind: 'reviewClosed',
      view: 'item',
      status: 'Completed',
      requestId: expect.any(String),
    });
    expect(requestsOf(sandbox, 'GET')[0]?.path).toBe(
      `/identityGovernance/accessReviews/definitions/${ids.definitionId}/instances/filterByCurrentUser(on='reviewer')`,
    );
  });

  it("reads the stage's status, not the instance's, for a bulk action on an ended stage", async () => {
    const { alex, megan, adele } = sandbox.users;
    const r = sandbox.seed.accessReview({
      displayName: 'Two stages',
      stages: [
        { reviewers: [alex.id], status: 'Completed', decided: { decision: 'Approve', reviewedBy: alex.id } },
        { reviewers: [megan.id], status: 'InProgress' },
      ],
      decisions: [{ principal: adele.id, recommendation: 'Approve' }],
    });
    const ids = { definitionId: r.definitionId, instanceId: r.instanceId, stageId: r.stageIds[0] as string };
    const result = await as(alex.id).acceptRecommendations(ids);
    expect(result).toMatchObject({ kind: 'reviewClosed', status: 'Completed' });
  });

  it('finds the stage asked about among several the reviewer reviews', async () => {
    const { alex, adele } = sandbox.users;
    const r = sandbox.seed.accessReview({
      displayName: 'Two stages, one reviewer',
      stages: [
        { reviewers: [alex.id], status: 'Completed', decided: { decision: 'Approve', reviewedBy: alex.id } },
        { reviewers: [alex.id], status: 'InProgress' },
      ],
      decisions: [{ principal: adele.id, recommendation: 'Approve' }],
    });
    const ids = { definitionId: r.definitionId, instanceId: r.instanceId, stageId: r.stageIds[1] as string };
    // A 400 on a stage still in progress is some other refusal, not a closed review.
    sandbox.faults.inject({ method: 'POST', status: 400 });
    const result = await as(alex.id).acceptRecommendations(ids);
    expect(result).toMatchObject({ kind: 'invalid', reachedGraph: true });
  });

  it("passes a 400 on as Graph's refusal when the reviewer's own read does not show the review", async () => {
    const { ids } = singleStage();
    sandbox.faults.inject({ method: 'POST', status: 400 });
    const result = await as(sandbox.users.megan.id).acceptRecommendations(ids);
    expect(result).toMatchObject({ kind: 'invalid', reachedGraph: true });
  });

  it("passes a 400 on as Graph's refusal when the status read itself drops", async () => {
    const { ids } = singleStage();
    sandbox.faults.inject({ method: 'POST', status: 400 });
    sandbox.faults.inject({ method: 'GET', drop: true, times: Infinity });
    const result = await as(sandbox.users.alex.id).acceptRecommendations(ids);
    expect(result).toMatchObject({ kind: 'invalid', reachedGraph: true });
  });

  it('answers forbidden, not reviewClosed, when a plain reviewer batches decisions on a closed review (403)', async () => {
    const { ids } = singleStage('Completed');
    const result = await as(sandbox.users.alex.id).batchRecordDecisions(ids, {
      decision: 'Deny',
      justification: 'Project over',
    });
    expect(result).toMatchObject({ kind: 'forbidden' });
  });

  it('answers unavailable when the connection drops on the POST, and does not retry a 503', async () => {
    const { ids } = singleStage();
    sandbox.faults.inject({ method: 'POST', drop: true });
    expect(await as(sandbox.users.alex.id).acceptRecommendations(ids)).toMatchObject({
      kind: 'unavailable',
      status: null,
    });
    sandbox.faults.inject({ method: 'POST', status: 503, retryAfterSeconds: 0 });
    sandbox.clearRequests();
    expect(await as(sandbox.users.alex.id).acceptRecommendations(ids)).toMatchObject({
      kind: 'unavailable',
      status: 503,
    });
    expect(requestsOf(sandbox, 'POST')).toHaveLength(1);
  });
});
