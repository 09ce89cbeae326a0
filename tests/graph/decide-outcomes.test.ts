import type { DecisionTarget } from '../../src/domain';
import type { Sandbox, TokenOptions } from '../../src/sandbox';
import type { UserGovernance } from '../../src/graph';
import { graphUnderTest, requestsOf } from './support';

/**
 * What a decision answers when Graph refuses, fails or shows someone else's decision: whole outcomes,
 * compared field by field, and what the client sent before it answered.
 */
let sandbox: Sandbox;
let as: (userId: string, token?: TokenOptions) => UserGovernance;
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

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function approval(approvers: readonly string[]) {
  const seeded = sandbox.seed.accessPackageRequest({
    requestor: adele,
    accessPackage: { displayName: 'Marketing campaign tools' },
    stages: [{ approvers }],
  });
  const stageId = seeded.stageIds[0] as string;
  const target: DecisionTarget = {
    kind: 'accessPackage',
    approvalId: seeded.approvalId,
    stageId,
    api: 'v1.0',
  };
  return { ...seeded, stageId, target };
}

function review() {
  const r = sandbox.seed.accessReview({
    displayName: 'Guests of Project Falcon',
    reviewers: [alex],
    decisions: [{ principal: adele }],
  });
  const decisionId = r.decisionIds[0] as string;
  const target: DecisionTarget = {
    kind: 'accessReview',
    definitionId: r.definitionId,
    instanceId: r.instanceId,
    stageId: null,
    decisionId,
  };
  return { ...r, decisionId, target };
}

const byPerson = (id: string, displayName: string) => expect.objectContaining({ id, displayName });

describe('a decision someone already took', () => {
  it('is already decided by the other approver, even when they chose what the caller now chooses', async () => {
    const a = approval([alex, megan]);
    expect(
      sandbox.decideAs(megan, { approvalId: a.approvalId, stageId: a.stageId, reviewResult: 'Approve' }),
    ).toBe(204);

    const outcome = await as(alex).decide({ target: a.target, decision: 'Approve', justification: 'ok' });

    // Megan gave no reason: the outcome says so with null, not with an empty text.
    expect(outcome).toEqual({
      kind: 'alreadyDecided',
      view: 'item',
      result: 'Approved',
      by: byPerson(megan, 'Megan Bowen'),
      at: expect.any(String),
      justification: null,
      requestId: expect.stringMatching(GUID),
    });
  });

  it("is the caller's own earlier, different decision, not a fresh record of the new one", async () => {
    const a = approval([alex, megan]);
    expect(
      sandbox.decideAs(alex, {
        approvalId: a.approvalId,
        stageId: a.stageId,
        reviewResult: 'Approve',
        justification: 'On the launch team',
      }),
    ).toBe(204);

    const outcome = await as(alex).decide({
      target: a.target,
      decision: 'Deny',
      justification: 'changed my mind',
    });

    expect(outcome).toEqual({
      kind: 'alreadyDecided',
      view: 'item',
      result: 'Approved',
      by: byPerson(alex, 'Alex Wilber'),
      at: expect.any(String),
      justification: 'On the launch team',
      requestId: expect.stringMatching(GUID),
    });
    expect(requestsOf(sandbox, 'PATCH').map((r) => r.status)).toEqual([409]);
  });

  it('is already decided by an unnamed approver when Graph says 409 and the read after it fails', async () => {
    const a = approval([alex, megan]);
    sandbox.decideAs(megan, { approvalId: a.approvalId, stageId: a.stageId, reviewResult: 'Deny' });
    sandbox.faults.inject({ method: 'GET', status: 503 });

    const outcome = await as(alex).decide({ target: a.target, decision: 'Approve', justification: 'ok' });

    expect(outcome).toEqual({
      kind: 'alreadyDecided',
      view: 'caller',
      result: null,
      by: null,
      at: null,
      justification: null,
      requestId: expect.stringMatching(GUID),
    });
  });

  it('is recorded, as the item now reads, when our write landed but Graph answered 503', async () => {
    const a = approval([alex]);
    sandbox.faults.inject({ method: 'PATCH', landThenStatus: 503 });

    const outcome = await as(alex).decide({
      target: a.target,
      decision: 'Deny',
      justification: 'Not needed',
    });

    expect(outcome).toEqual({
      kind: 'recorded',
      view: 'item',
      decision: 'Deny',
      justification: 'Not needed',
      reconciled: true,
      at: expect.any(String),
      by: byPerson(alex, 'Alex Wilber'),
      requestId: expect.stringMatching(GUID),
    });
  });

  it('resets a review decision of our own when the first write fails: our earlier decision is no one else’s', async () => {
    const r = review();
    expect(
      sandbox.decideAs(alex, { decisionId: r.decisionId, decision: 'Approve', justification: 'ok' }),
    ).toBe(204);
    sandbox.faults.inject({ method: 'PATCH', status: 503 });

    const outcome = await as(alex).decide({ target: r.target, decision: 'NotReviewed', justification: '' });

    expect(outcome).toMatchObject({ kind: 'recorded', decision: 'NotReviewed', reconciled: false });
    expect(requestsOf(sandbox, 'PATCH').map((p) => p.status)).toEqual([503, 204]);
  });
});

describe('a write Graph refuses or fails', () => {
  it.each([500, 502, 504] as const)(
    'is retried after a read shows the item still open when Graph answers %i, and recorded',
    async (status) => {
      const a = approval([alex]);
      sandbox.faults.inject({ method: 'PATCH', status });

      const outcome = await as(alex).decide({ target: a.target, decision: 'Approve', justification: 'ok' });

      expect(outcome).toMatchObject({ kind: 'recorded', reconciled: false });
      expect(requestsOf(sandbox, 'PATCH').map((p) => p.status)).toEqual([status, 204]);
    },
  );

  it('is invalid with Graph’s own words when a write carrying a justification answers 400', async () => {
    const a = approval([alex]);
    sandbox.faults.inject({ method: 'PATCH', status: 400 });

    const outcome = await as(alex).decide({ target: a.target, decision: 'Approve', justification: 'ok' });

    expect(outcome).toEqual({
      kind: 'invalid',
      view: 'caller',
      problems: ['The request is not valid.'],
      reachedGraph: true,
      requestId: expect.stringMatching(GUID),
    });
  });

  it('is notFound, for the caller only, for an approval Graph does not know', async () => {
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
    expect(outcome).toEqual({
      kind: 'notFound',
      view: 'caller',
      message: expect.stringMatching(/\S/),
      requestId: expect.stringMatching(GUID),
    });
  });

  it('asks the caller to sign in again, for the caller only, when Graph refuses the token', async () => {
    const a = approval([alex]);
    const outcome = await as(alex, { expiresInSeconds: -60 }).decide({
      target: a.target,
      decision: 'Approve',
      justification: '',
    });
    expect(outcome).toEqual({
      kind: 'signInRequired',
      view: 'caller',
      message: expect.stringMatching(/token/i),
      requestId: expect.stringMatching(GUID),
    });
  });

  it('is unavailable with the last status once retrying no longer fits the time budget', async () => {
    const a = approval([alex]);
    sandbox.faults.inject({ method: 'PATCH', status: 503, times: Infinity });

    // 1.2 s leaves room for one retry after the 400 ms backoff, and too little for a second one.
    const outcome = await as(alex).decide(
      { target: a.target, decision: 'Approve', justification: 'ok' },
      { budgetMs: 1200 },
    );

    expect(outcome).toEqual({
      kind: 'unavailable',
      view: 'caller',
      status: 503,
      message: 'The service is temporarily unavailable. Please retry later.',
      requestId: expect.stringMatching(GUID),
    });
    expect(requestsOf(sandbox, 'PATCH')).toHaveLength(2);
  });

  it('is throttled for ten seconds when Graph throttles without a Retry-After', async () => {
    const a = approval([alex]);
    sandbox.faults.inject({ method: 'PATCH', status: 429, times: Infinity });

    const outcome = await as(alex).decide(
      { target: a.target, decision: 'Approve', justification: 'ok' },
      { budgetMs: 600 },
    );

    expect(outcome).toEqual({
      kind: 'throttled',
      view: 'caller',
      retryAfterSeconds: 10,
      requestId: expect.stringMatching(GUID),
    });
  });
});

describe('when Graph does not answer', () => {
  it('is unavailable with the bare status when the gateway in front of Graph answers in plain text', async () => {
    const a = approval([alex]);
    sandbox.faults.inject({ method: 'PATCH', gateway: 502 });

    const outcome = await as(alex).decide(
      { target: a.target, decision: 'Approve', justification: 'ok' },
      { budgetMs: 300 },
    );

    // No Graph error, no request id: the status is all there is to say.
    expect(outcome).toEqual({
      kind: 'unavailable',
      view: 'caller',
      status: 502,
      message: 'HTTP 502',
      requestId: null,
    });
    expect(requestsOf(sandbox, 'PATCH').map((p) => p.status)).toEqual([502]);
  });

  it('is unavailable with no status when Graph does not answer within the attempt timeout', async () => {
    const a = approval([alex]);
    sandbox.faults.inject({ method: 'PATCH', latencyMs: 1500 });

    const started = Date.now();
    const outcome = await as(alex).decide(
      { target: a.target, decision: 'Approve', justification: 'ok' },
      { budgetMs: 300, attemptTimeoutMs: 200 },
    );

    expect(outcome).toEqual({
      kind: 'unavailable',
      view: 'caller',
      status: null,
      message: 'Microsoft Graph did not answer within 200 ms',
      requestId: null,
    });
    expect(Date.now() - started).toBeLessThan(1200);
  });

  it('is unavailable, saying Graph could not be reached, when the connection drops', async () => {
    const a = approval([alex]);
    sandbox.faults.inject({ method: 'PATCH', drop: true, times: Infinity });

    const outcome = await as(alex).decide(
      { target: a.target, decision: 'Approve', justification: 'ok' },
      { budgetMs: 300 },
    );

    expect(outcome).toEqual({
      kind: 'unavailable',
      view: 'caller',
      status: null,
      message: expect.stringMatching(/^Could not reach Microsoft Graph: \S/),
      requestId: null,
    });
  });

  it('reads an item’s state within the interactive budget when no timeout is given', async () => {
    const a = approval([alex]);
    sandbox.faults.inject({ method: 'GET', latencyMs: 100 });

    const read = await as(alex).readState(a.target);

    expect(read).toEqual({ state: { kind: 'open', mine: true }, requestId: expect.stringMatching(GUID) });
  });
});
