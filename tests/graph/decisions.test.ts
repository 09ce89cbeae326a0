import type { DecisionTarget } from '../../src/domain';
import type { Sandbox } from '../../src/sandbox';
import type { UserGovernance } from '../../src/graph';
import { graphUnderTest, requestsOf } from './support';

let sandbox: Sandbox;
let as: (userId: string, token?: { scopes?: readonly string[]; expiresInSeconds?: number }) => UserGovernance;
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

function accessPackage(approvers: readonly string[] = [alex]) {
  return sandbox.seed.accessPackageRequest({
    requestor: adele,
    accessPackage: { displayName: 'Marketing campaign tools' },
    justification: 'Launch campaign',
    stages: [{ approvers }],
  });
}

const emTarget = (
  a: { approvalId: string; stageIds: readonly string[] },
  api: 'v1.0' | 'beta' = 'v1.0',
): DecisionTarget => ({
  kind: 'accessPackage',
  approvalId: a.approvalId,
  stageId: a.stageIds[0] as string,
  api,
});

describe('approval stage and step decisions', () => {
  it.each([
    [
      'accessPackage',
      'v1.0',
      '/identityGovernance/entitlementManagement/accessPackageAssignmentApprovals/{a}/stages/{s}',
    ],
    [
      'accessPackage',
      'beta',
      '/identityGovernance/entitlementManagement/accessPackageAssignmentApprovals/{a}/steps/{s}',
    ],
    ['pimGroup', 'v1.0', '/identityGovernance/privilegedAccess/group/assignmentApprovals/{a}/stages/{s}'],
    ['pimGroup', 'beta', '/identityGovernance/privilegedAccess/group/assignmentApprovals/{a}/steps/{s}'],
    ['pimRole', 'beta', '/roleManagement/directory/roleAssignmentApprovals/{a}/steps/{s}'],
  ] as const)(
    '%s on %s is PATCHed to the contract path and recorded on 204',
    async (kind, api, pathTemplate) => {
      const seeded =
        kind === 'accessPackage'
          ? accessPackage()
          : kind === 'pimGroup'
            ? sandbox.seed.pimGroupRequest({
                principal: adele,
                group: { displayName: 'Finance admins' },
                approvers: [alex],
              })
            : sandbox.seed.pimRoleRequest({
                principal: adele,
                role: { displayName: 'User Administrator' },
                approvers: [alex],
              });
      const stageId = seeded.stageIds[0] as string;
      const target = { kind, approvalId: seeded.approvalId, stageId, api } as DecisionTarget;

      const outcome = await as(alex).decide({ target, decision: 'Approve', justification: '  Looks fine  ' });

      expect(outcome).toEqual({
        kind: 'recorded',
        view: 'item',
        decision: 'Approve',
        justification: 'Looks fine',
        reconciled: false,
        // Right after a 204 Graph has not said when or as whom: nothing is made up.
        at: null,
        by: null,
        requestId: expect.any(String),
      });
      const [patch] = requestsOf(sandbox, 'PATCH');
      expect(patch).toMatchObject({
        version: api,
        path: pathTemplate.replace('{a}', seeded.approvalId).replace('{s}', stageId),
        body: { reviewResult: 'Approve', justification: 'Looks fine' },
        callerId: alex,
        status: 204,
      });
    },
  );

  it('answers notFound for an approval Graph does not know (404)', async () => {
    const outcome = await as(alex).decide({
      target: {
        kind: 'accessPackage',
        approvalId: '0e0e0e0e-1111-4222-8333-444455556666',
        stageId: '0e0e0e0e-1111-4222-8333-444455556667',
        api: 'v1.0',
      },
      decision: 'Deny',
      justification: 'no',
    });
    expect(outcome).toMatchObject({ kind: 'notFound', requestId: expect.any(String) });
  });

  it('answers forbidden/notApprover when the caller is not an approver of the stage (403)', async () => {
    const seeded = accessPackage([alex]);
    const outcome = await as(megan).decide({
      target: emTarget(seeded),
      decision: 'Approve',
      justification: '',
    });
    expect(outcome).toMatchObject({
      kind: 'forbidden',
      reason: 'notApprover',
      requestId: expect.any(String),
    });
  });

  it('answers forbidden/missingConsent when the token lacks the delegated scope (403)', async () => {
    const seeded = accessPackage([alex]);
    const outcome = await as(alex, { scopes: ['User.Read'] }).decide({
      target: emTarget(seeded),
      decision: 'Approve',
      justification: '',
    });
    expect(outcome).toMatchObject({ kind: 'forbidden', reason: 'missingConsent' });
  });

  it('answers signInRequired when Graph refuses the token (401)', async () => {
    const seeded = accessPackage([alex]);
    const outcome = await as(alex, { expiresInSeconds: -60 }).decide({
      target: emTarget(seeded),
      decision: 'Approve',
      justification: '',
    });
    expect(outcome).toMatchObject({ kind: 'signInRequired' });
    expect(requestsOf(sandbox, 'GET')).toHaveLength(0);
  });

  it('names the approver who decided first when Graph answers 409', async () => {
    const seeded = accessPackage([alex, megan]);
    const target = emTarget(seeded);
    expect(
      sandbox.decideAs(megan, {
        approvalId: seeded.approvalId,
        stageId: target.kind !== 'accessReview' ? target.stageId : '',
        reviewResult: 'Approve',
      }),
    ).toBe(204);

    const outcome = await as(alex).decide({ target, decision: 'Deny', justification: 'Not needed' });

    expect(outcome).toMatchObject({
      kind: 'alreadyDecided',
      result: 'Approved',
      by: { id: megan, displayName: 'Megan Bowen' },
      at: expect.any(String),
    });
    expect(requestsOf(sandbox, 'PATCH').map((r) => r.status)).toEqual([409]);
    expect(requestsOf(sandbox, 'GET')).toHaveLength(1);
  });

  it('gives exactly one recorded and one alreadyDecided naming the winner when two approvers decide at once', async () => {
    const seeded = accessPackage([alex, megan]);
    const target = emTarget(seeded);
    const [a, m] = await Promise.all([
      as(alex).decide({ target, decision: 'Approve', justification: 'ok' }),
      as(megan).decide({ target, decision: 'Deny', justification: 'no' }),
    ]);
    const outcomes = [a, m];
    expect(outcomes.filter((o) => o.kind === 'recorded')).toHaveLength(1);
    const loser = outcomes.find((o) => o.kind === 'alreadyDecided');
    const winnerId = a.kind === 'recorded' ? alex : megan;
    expect(loser).toMatchObject({ kind: 'alreadyDecided', by: { id: winnerId } });
  });

  it('is recorded when a write lands but answers 503 and the retried write answers 409', async () => {
    const seeded = accessPackage([alex]);
    sandbox.faults.inject({ method: 'PATCH', landThenStatus: 503 });
    sandbox.faults.inject({ method: 'GET', status: 503 }); // the first reconcile read fails too, so the write is retried

    const outcome = await as(alex).decide({
      target: emTarget(seeded),
      decision: 'Approve',
      justification: 'ok',
    });

    expect(outcome).toMatchObject({ kind: 'recorded', decision: 'Approve', reconciled: true });
    expect(requestsOf(sandbox, 'PATCH').map((r) => r.status)).toEqual([503, 409]);
  });

  it('is recorded at once when a write lands but answers 503 and the read shows our decision', async () => {
    const seeded = accessPackage([alex]);
    sandbox.faults.inject({ method: 'PATCH', landThenStatus: 503 });
    const outcome = await as(alex).decide({
      target: emTarget(seeded),
      decision: 'Deny',
      justification: 'no',
    });
    expect(outcome).toMatchObject({ kind: 'recorded', decision: 'Deny', reconciled: true });
    expect(requestsOf(sandbox, 'PATCH')).toHaveLength(1);
  });

  it('honours a short Retry-After within the time budget and records', async () => {
    const seeded = accessPackage([alex]);
    sandbox.faults.inject({ method: 'PATCH', status: 429, retryAfterSeconds: 1 });
    const started = Date.now();
    const outcome = await as(alex).decide({
      target: emTarget(seeded),
      decision: 'Approve',
      justification: 'ok',
    });
    expect(outcome).toMatchObject({ kind: 'recorded', reconciled: false });
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    expect(requestsOf(sandbox, 'PATCH').map((r) => r.status)).toEqual([429, 204]);
  });

  it("answers throttled with Graph's Retry-After when it does not fit the budget", async () => {
    const seeded = accessPackage([alex]);
    sandbox.faults.inject({ method: 'PATCH', status: 429, retryAfterSeconds: 30 });
    const started = Date.now();
    const outcome = await as(alex).decide({
      target: emTarget(seeded),
      decision: 'Approve',
      justification: 'ok',
    });
    expect(outcome).toMatchObject({ kind: 'throttled', retryAfterSeconds: 30 });
    expect(Date.now() - started).toBeLessThan(4500);
  });

  it('answers unavailable within about 4 s when Graph keeps failing', async () => {
    const seeded = accessPackage([alex]);
    sandbox.faults.inject({ method: 'PATCH', status: 503, times: Infinity });
    const started = Date.now();
    const outcome = await as(alex).decide({
      target: emTarget(seeded),
      decision: 'Approve',
      justification: 'ok',
    });
    expect(outcome).toMatchObject({ kind: 'unavailable', status: 503 });
    expect(Date.now() - started).toBeLessThan(4500);
  });

  it('reconciles a dropped connection with a read', async () => {
    const seeded = accessPackage([alex]);
    sandbox.faults.inject({ method: 'PATCH', drop: true });
    const outcome = await as(alex).decide({
      target: emTarget(seeded),
      decision: 'Approve',
      justification: 'ok',
    });
    expect(outcome).toMatchObject({ kind: 'recorded' });
    expect(requestsOf(sandbox, 'GET').length).toBeGreaterThanOrEqual(1);
  });
});

describe('access review decisions', () => {
  function review(settings: { justificationRequiredOnApproval?: boolean } = {}) {
    return sandbox.seed.accessReview({
      displayName: 'Guests of Project Falcon',
      settings,
      reviewers: [alex],
      decisions: [{ principal: adele, recommendation: 'Deny', lastSignInDateTime: null }],
    });
  }
  const target = (
    r: { definitionId: string; instanceId: string; decisionIds: readonly string[] },
    stageId: string | null = null,
  ): DecisionTarget => ({
    kind: 'accessReview',
    definitionId: r.definitionId,
    instanceId: r.instanceId,
    stageId,
    decisionId: r.decisionIds[0] as string,
  });

  it.each(['Approve', 'Deny', 'DontKnow', 'NotReviewed'] as const)(
    'records %s at instance level (204)',
    async (decision) => {
      const r = review();
      const outcome = await as(alex).decide({
        target: target(r),
        decision,
        justification: 'Still on the project',
      });
      expect(outcome).toMatchObject({ kind: 'recorded', decision });
      expect(requestsOf(sandbox, 'PATCH')[0]).toMatchObject({
        version: 'v1.0',
        path: `/identityGovernance/accessReviews/definitions/${r.definitionId}/instances/${r.instanceId}/decisions/${r.decisionIds[0]}`,
        body: { decision, justification: 'Still on the project' },
        status: 204,
      });
    },
  );

  it('records on the stage path of a multi-stage review', async () => {
    const r = sandbox.seed.accessReview({
      displayName: 'Sales app access',
      settings: { decisionHistoriesForReviewersEnabled: true },
      stages: [
        { reviewers: [megan], status: 'Completed', decided: { decision: 'Approve', reviewedBy: megan } },
        { reviewers: [alex], status: 'InProgress' },
      ],
      decisions: [{ principal: adele }],
    });
    const stageId = r.stageIds[1] as string;
    const outcome = await as(alex).decide({
      target: target(r, stageId),
      decision: 'Deny',
      justification: 'Left the team',
    });
    expect(outcome).toMatchObject({ kind: 'recorded' });
    expect(requestsOf(sandbox, 'PATCH')[0]?.path).toBe(
      `/identityGovernance/accessReviews/definitions/${r.definitionId}/instances/${r.instanceId}/stages/${stageId}/decisions/${r.decisionIds[0]}`,
    );
  });

  it("asks for the reviewer's words when the review requires them and Graph says 400", async () => {
    const r = review({ justificationRequiredOnApproval: true });
    const outcome = await as(alex).decide({ target: target(r), decision: 'Approve', justification: '   ' });
    expect(outcome).toMatchObject({
      kind: 'needsJustification',
      view: 'caller',
      reachedGraph: true,
      requestId: expect.any(String),
    });
    // Spaces are no words: the PATCH carried no justification at all.
    expect(requestsOf(sandbox, 'PATCH').at(-1)?.body).toEqual({ decision: 'Approve' });
  });

  it('answers reviewClosed when the review has ended', async () => {
    const r = review();
    sandbox.seed.setReviewStatus(r.instanceId, 'Completed');
    const outcome = await as(alex).decide({ target: target(r), decision: 'Approve', justification: 'ok' });
    expect(outcome).toMatchObject({ kind: 'reviewClosed', status: 'Completed' });
  });

  it('answers forbidden for someone who is not a reviewer', async () => {
    const r = review();
    const outcome = await as(megan).decide({ target: target(r), decision: 'Approve', justification: 'ok' });
    expect(outcome).toMatchObject({ kind: 'forbidden', reason: 'notApprover' });
  });
});

describe('input safety before the network', () => {
  const valid = {
    approvalId: '0e0e0e0e-1111-4222-8333-444455556666',
    stageId: '0e0e0e0e-1111-4222-8333-444455556667',
  };

  it.each([
    [
      'a review result of "Maybe"',
      { target: { kind: 'accessPackage', ...valid, api: 'v1.0' }, decision: 'Maybe', justification: '' },
      /reviewResult must be one of Approve, Deny, got "Maybe"/,
    ],
    [
      'an id of ../../users/x',
      {
        target: { kind: 'accessPackage', approvalId: '../../users/x', stageId: valid.stageId, api: 'v1.0' },
        decision: 'Approve',
        justification: '',
      },
      /approvalId must be a GUID, got "\.\.\/\.\.\/users\/x"/,
    ],
    [
      'a 100 KB justification',
      {
        target: { kind: 'accessPackage', ...valid, api: 'v1.0' },
        decision: 'Approve',
        justification: 'x'.repeat(100 * 1024),
      },
      /justification is 102400 characters long; the limit is 1000/,
    ],
    [
      'a review decision of "Maybe"',
      {
        target: {
          kind: 'accessReview',
          definitionId: valid.approvalId,
          instanceId: valid.stageId,
          stageId: null,
          decisionId: valid.approvalId,
        },
        decision: 'Maybe',
        justification: '',
      },
      /decision must be one of Approve, Deny, DontKnow, NotReviewed, got "Maybe"/,
    ],
    [
      'a PIM role approval on v1.0, which does not exist there',
      { target: { kind: 'pimRole', ...valid, api: 'v1.0' }, decision: 'Approve', justification: '' },
      /beta only/,
    ],
  ])('%s never reaches the network and the error names what is wrong', async (_name, request, message) => {
    const outcome = await as(alex).decide(request as never);
    expect(outcome).toMatchObject({ kind: 'invalid', requestId: null });
    expect(outcome.kind === 'invalid' && outcome.problems.join(' ')).toMatch(message);
    expect(sandbox.requests).toHaveLength(0);
  });

  it('strips control characters and bidi overrides from a justification', async () => {
    const seeded = accessPackage([alex]);
    await as(alex).decide({
      target: emTarget(seeded),
      decision: 'Approve',
      justification: '\u0007Ok\u202e by me\u0000\r\n',
    });
    expect(requestsOf(sandbox, 'PATCH')[0]?.body).toEqual({
      reviewResult: 'Approve',
      justification: 'Ok by me',
    });
  });
});
