import type { AccessReviewSeed, Sandbox, SeededReview } from '../../src/sandbox';
import { DEMO_COLLEAGUES, startSandbox } from '../../src/sandbox';
import type { Collection, DecisionJson, GraphErrorBody, ReviewStageJson } from './support';
import { REVIEWS, get, patch, post } from './support';

describe('sandbox access review writes', () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await startSandbox({ tenant: 'empty' });
  });
  afterAll(() => sandbox.close());

  const guests = (overrides: Partial<AccessReviewSeed> = {}): SeededReview =>
    sandbox.seed.accessReview({
      displayName: 'Guest review',
      settings: { recommendationsEnabled: true },
      reviewers: [sandbox.users.alex.id],
      decisions: [
        {
          principal: { displayName: 'Kat Larsson', userType: 'Guest' },
          recommendation: 'Approve',
          lastSignInDateTime: new Date().toISOString(),
        },
        {
          principal: { displayName: 'Ravi Patel', userType: 'Guest' },
          recommendation: 'Deny',
          lastSignInDateTime: null,
        },
        { principal: sandbox.users.isaiah.id, recommendation: 'NoInfoAvailable' },
      ],
      ...overrides,
    });
  const multiStage = (): SeededReview =>
    sandbox.seed.accessReview({
      displayName: 'Two-stage review',
      settings: { decisionHistoriesForReviewersEnabled: true },
      stages: [
        {
          reviewers: [sandbox.users.megan.id],
          status: 'Completed',
          decided: { decision: 'Approve', reviewedBy: sandbox.users.megan.id },
        },
        {
          reviewers: [sandbox.users.alex.id],
          fallbackReviewers: [sandbox.users.patti.id],
          status: 'InProgress',
        },
      ],
      decisions: [
        { principal: sandbox.users.lynne.id, recommendation: 'Approve' },
        { principal: sandbox.users.isaiah.id, recommendation: 'Deny' },
      ],
    });
  const instancePath = (review: SeededReview) =>
    `/v1.0${REVIEWS}/definitions/${review.definitionId}/instances/${review.instanceId}`;
  const stagePath = (review: SeededReview, index: number) =>
    `${instancePath(review)}/stages/${review.stageIds[index] ?? ''}`;
  const decision = (id: string) => sandbox.state.reviewDecision(id);
  /** Diego Siciliani, Identity Governance Administrator, reviewer of nothing. */
  const admin = { as: DEMO_COLLEAGUES.diego.id };

  describe('decision PATCH', () => {
    it('records an instance-level decision with 204 and reads it back', async () => {
      const review = guests();
      const [first = ''] = review.decisionIds;
      const response = await patch(sandbox, `${instancePath(review)}/decisions/${first}`, {
        decision: 'Approve',
        justification: 'Still on the project',
      });
      expect(response.status).toBe(204);
      expect(response.text).toBe('');
      // A reviewer re-reads their own item through the function, filtered by id (§2.4).
      const read = await get<Collection<DecisionJson>>(
        sandbox,
        `${instancePath(review)}/decisions/filterByCurrentUser(on='reviewer')?$filter=id eq '${first}'`,
      );
      expect(read.body.value).toHaveLength(1);
      const [item] = read.body.value;
      expect(item).toMatchObject({
        decision: 'Approve',
        justification: 'Still on the project',
        reviewedBy: { id: sandbox.users.alex.id, displayName: 'Alex Wilber' },
      });
      expect(item?.reviewedDateTime).not.toBeNull();
      // NotReviewed undoes the decision while the review is open.
      expect(
        (await patch(sandbox, `${instancePath(review)}/decisions/${first}`, { decision: 'NotReviewed' }))
          .status,
      ).toBe(204);
      expect(decision(first)).toMatchObject({
        decision: 'NotReviewed',
        reviewedBy: null,
        reviewedDateTime: null,
      });
    });

    it('records a stage-level decision in a multi-stage review, on v1.0 and beta', async () => {
      const review = multiStage();
      const [a = '', b = ''] = review.decisionIds;
      expect(
        (
          await patch(sandbox, `${stagePath(review, 1)}/decisions/${a}`, {
            decision: 'Deny',
            justification: 'Left the team',
          })
        ).status,
      ).toBe(204);
      expect(
        (
          await patch(sandbox, `${stagePath(review, 1).replace('/v1.0/', '/beta/')}/decisions/${b}`, {
            decision: 'DontKnow',
          })
        ).status,
      ).toBe(204);
      expect(decision(a)?.decision).toBe('Deny');
      expect(decision(b)?.decision).toBe('DontKnow');
    });

    it.each(['Approved', 'approve', '', 42])('answers 400 for decision %p', async (value) => {
      const review = guests();
      const response = await patch<GraphErrorBody>(
        sandbox,
        `${instancePath(review)}/decisions/${review.decisionIds[0] ?? ''}`,
        { decision: value },
      );
      expect(response.status).toBe(400);
    });

    it('answers 403 accessDenied to a non-reviewer and 404 to unknown or misplaced ids', async () => {
      const review = guests();
      const other = guests();
      const itemPath = `${instancePath(review)}/decisions/${review.decisionIds[0] ?? ''}`;
      const denied = await patch<GraphErrorBody>(
        sandbox,
        itemPath,
        { decision: 'Approve' },
        { as: sandbox.users.megan.id },
      );
      expect(denied.status).toBe(403);
      expect(denied.body.error.code).toBe('accessDenied');
      expect(
        (
          await patch(sandbox, `${instancePath(review)}/decisions/${other.decisionIds[0] ?? ''}`, {
            decision: 'Approve',
          })
        ).status,
      ).toBe(404);
      expect(
        (
          await patch(
            sandbox,
            `/v1.0${REVIEWS}/definitions/${other.definitionId}/instances/${review.instanceId}/decisions/x`,
            { decision: 'Approve' },
          )
        ).status,
      ).toBe(404);
    });

    it('answers 400 when the review or its stage is not in progress', async () => {
      const closed = guests({ status: 'Completed' });
      const response = await patch<GraphErrorBody>(
        sandbox,
        `${instancePath(closed)}/decisions/${closed.decisionIds[0] ?? ''}`,
        { decision: 'Approve' },
      );
      expect(response.status).toBe(400);
      expect(response.body.error.code).toBe('BadRequest');
      expect(response.body.error.message).toContain('not in progress (status: Completed)');

      const review = multiStage();
      const firstStageItem = review.stageDecisionIds[0]?.[0] ?? '';
      // Megan reviewed stage 1, which is over.
      const late = await patch<GraphErrorBody>(
        sandbox,
        `${stagePath(review, 0)}/decisions/${firstStageItem}`,
        { decision: 'Deny' },
        { as: sandbox.users.megan.id },
      );
      expect(late.status).toBe(400);

      const open = guests();
      sandbox.seed.setReviewStatus(open.instanceId, 'Completing');
      expect(
        (
          await patch(sandbox, `${instancePath(open)}/decisions/${open.decisionIds[0] ?? ''}`, {
            decision: 'Approve',
          })
        ).status,
      ).toBe(400);
    });

    it('requires a justification to approve when justificationRequiredOnApproval is set', async () => {
      const review = guests({ settings: { justificationRequiredOnApproval: true } });
      const [a = '', b = ''] = review.decisionIds;
      const blank = await patch<GraphErrorBody>(sandbox, `${instancePath(review)}/decisions/${a}`, {
        decision: 'Approve',
        justification: ' ',
      });
      expect(blank.status).toBe(400);
      expect(blank.body.error.message).toContain('justificationRequiredOnApproval');
      expect(
        (await patch(sandbox, `${instancePath(review)}/decisions/${a}`, { decision: 'Approve' })).status,
      ).toBe(400);
      expect(
        (
          await patch(sandbox, `${instancePath(review)}/decisions/${a}`, {
            decision: 'Approve',
            justification: 'Works with us',
          })
        ).status,
      ).toBe(204);
      expect(
        (await patch(sandbox, `${instancePath(review)}/decisions/${b}`, { decision: 'Deny' })).status,
      ).toBe(204);
    });
  });

  describe('stage PATCH', () => {
    const scope = (id: string) => ({ query: `/users/${id}`, queryType: 'MicrosoftGraph' });

    it('answers 200 with the updated stage, and new reviewers can then decide', async () => {
      const review = multiStage();
      const { alex, megan, patti, adele } = sandbox.users;
      const body = {
        '@odata.type': '#microsoft.graph.accessReviewStage',
        reviewers: [scope(alex.id), scope(megan.id)],
        fallbackReviewers: [scope(patti.id), scope(adele.id)],
      };
      const response = await patch<ReviewStageJson>(sandbox, stagePath(review, 1), body);
      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({
        '@odata.type': '#microsoft.graph.accessReviewStage',
        id: review.stageIds[1],
        status: 'InProgress',
      });
      expect(response.body.reviewers).toEqual([scope(alex.id), scope(megan.id)]);
      expect(response.body.fallbackReviewers).toEqual([scope(patti.id), scope(adele.id)]);
      expect(sandbox.state.reviewStage(review.stageIds[1] ?? '')?.reviewers).toHaveLength(2);
      expect(
        (
          await patch(
            sandbox,
            `${stagePath(review, 1)}/decisions/${review.decisionIds[0] ?? ''}`,
            { decision: 'Approve' },
            { as: megan.id },
          )
        ).status,
      ).toBe(204);
    });

    it('answers 409 when the update would remove a fallback reviewer', async () => {
      const review = multiStage();
      const response = await patch<GraphErrorBody>(sandbox, stagePath(review, 1), {
        fallbackReviewers: [scope(sandbox.users.adele.id)],
      });
      expect(response.status).toBe(409);
      expect(response.body.error.message).toContain(sandbox.users.patti.id);
      expect(sandbox.state.reviewStage(review.stageIds[1] ?? '')?.fallbackReviewers).toEqual([
        scope(sandbox.users.patti.id),
      ]);
    });

    it('answers 400 for a completed stage or a property that cannot change; 404 for a single-stage instance', async () => {
      const review = multiStage();
      const completed = await patch<GraphErrorBody>(sandbox, stagePath(review, 0), {
        reviewers: [scope(sandbox.users.alex.id)],
      });
      expect(completed.status).toBe(400);
      expect(completed.body.error.message).toContain('NotStarted, Initializing or InProgress');
      expect((await patch(sandbox, stagePath(review, 1), { status: 'Completed' })).status).toBe(400);
      expect((await patch(sandbox, stagePath(review, 1), { reviewers: 'alex' })).status).toBe(400);
      const single = guests();
      expect(
        (await patch(sandbox, `${instancePath(single)}/stages/${single.instanceId}`, { reviewers: [] }))
          .status,
      ).toBe(404);
    });
  });

  describe('bulk actions', () => {
    it('acceptRecommendations decides NotReviewed items that have a recommendation', async () => {
      const review = guests();
      const [kat = '', ravi = '', isaiah = ''] = review.decisionIds;
      await patch(sandbox, `${instancePath(review)}/decisions/${ravi}`, {
        decision: 'Approve',
        justification: 'Sponsor vouches',
      });
      const response = await post(sandbox, `${instancePath(review)}/acceptRecommendations`);
      expect(response.status).toBe(204);
      expect(decision(kat)).toMatchObject({ decision: 'Approve', reviewedBy: sandbox.users.alex.id });
      expect(decision(ravi)?.decision).toBe('Approve');
      expect(decision(isaiah)?.decision).toBe('NotReviewed');
      expect(
        (
          await post(sandbox, `${instancePath(review)}/acceptRecommendations`, undefined, {
            as: sandbox.users.megan.id,
          })
        ).status,
      ).toBe(403);
    });

    it('acceptRecommendations at stage level touches only that stage', async () => {
      const review = multiStage();
      expect((await post(sandbox, `${stagePath(review, 1)}/acceptRecommendations`)).status).toBe(204);
      expect(review.decisionIds.map((id) => decision(id)?.decision)).toEqual(['Approve', 'Deny']);
      expect(review.stageDecisionIds[0]?.map((id) => decision(id)?.reviewedBy)).toEqual([
        sandbox.users.megan.id,
        sandbox.users.megan.id,
      ]);
    });

    it('batchRecordDecisions (as an admin) decides the NotReviewed items, or those of one principal or resource', async () => {
      const review = guests();
      const [kat = '', ravi = '', isaiah = ''] = review.decisionIds;
      const principalId = decision(ravi)?.principalId;
      expect(
        (
          await post(
            sandbox,
            `${instancePath(review)}/batchRecordDecisions`,
            { decision: 'Deny', justification: 'Project ended', principalId },
            admin,
          )
        ).status,
      ).toBe(204);
      expect([kat, ravi, isaiah].map((id) => decision(id)?.decision)).toEqual([
        'NotReviewed',
        'Deny',
        'NotReviewed',
      ]);
      const otherResource = '6d2b6a0e-7c1f-4f0e-9b8a-ffffffffffff';
      await post(
        sandbox,
        `${instancePath(review)}/batchRecordDecisions`,
        { decision: 'Approve', justification: 'x', resourceId: otherResource },
        admin,
      );
      expect(decision(kat)?.decision).toBe('NotReviewed');
      expect(
        (
          await post(
            sandbox,
            `${instancePath(review)}/batchRecordDecisions`,
            { decision: 'Approve', justification: 'All fine' },
            admin,
          )
        ).status,
      ).toBe(204);
      // Ravi's Deny stands; the admin, who reviews nothing here, decided the rest as themselves.
      expect([kat, ravi, isaiah].map((id) => decision(id)?.decision)).toEqual(['Approve', 'Deny', 'Approve']);
      expect(decision(kat)?.reviewedBy).toBe(DEMO_COLLEAGUES.diego.id);
      expect(decision(ravi)?.reviewedBy).toBe(DEMO_COLLEAGUES.diego.id);
    });

    it('batchRecordDecisions checks the body, the justification rule and the status', async () => {
      const strict = guests({ settings: { justificationRequiredOnApproval: true } });
      expect(
        (await post(sandbox, `${instancePath(strict)}/batchRecordDecisions`, { decision: 'Approve' }, admin))
          .status,
      ).toBe(400);
      expect(
        (
          await post(
            sandbox,
            `${instancePath(strict)}/batchRecordDecisions`,
            { decision: 'Maybe', justification: 'x' },
            admin,
          )
        ).status,
      ).toBe(400);
      const closed = guests({ status: 'Completed' });
      expect(
        (
          await post(
            sandbox,
            `${instancePath(closed)}/batchRecordDecisions`,
            { decision: 'Deny', justification: 'x' },
            admin,
          )
        ).status,
      ).toBe(400);
      const review = multiStage();
      expect(
        (
          await post(
            sandbox,
            `${stagePath(review, 1)}/batchRecordDecisions`,
            { decision: 'Deny', justification: 'x' },
            admin,
          )
        ).status,
      ).toBe(204);
      expect(review.decisionIds.map((id) => decision(id)?.decision)).toEqual(['Deny', 'Deny']);
      // Stage 1's items were not in scope.
      expect(review.stageDecisionIds[0]?.map((id) => decision(id)?.decision)).toEqual(['Approve', 'Approve']);
    });
  });

  it('lists pending work for a user through the state view', async () => {
    const review = guests();
    const pending = sandbox.state.pendingFor(sandbox.users.alex.id).reviewDecisionIds;
    expect(pending).toEqual(expect.arrayContaining([...review.decisionIds]));
    const listed = await get<Collection<DecisionJson>>(
      sandbox,
      `${instancePath(review)}/decisions/filterByCurrentUser(on='reviewer')?$filter=decision eq 'NotReviewed'`,
    );
    expect(listed.body.value.map((item) => item.id)).toEqual([...review.decisionIds]);
  });
});
