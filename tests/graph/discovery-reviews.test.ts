import type { AccessReviewPending, PendingItem } from '../../src/domain';
import type { ReviewDecisionView, Sandbox, SandboxUser } from '../../src/sandbox';
import type { UserGovernance } from '../../src/graph';
import { graphUnderTest } from './support';

const DAY = 86_400_000;

let sandbox: Sandbox;
let as: (userId: string) => UserGovernance;

beforeEach(async () => {
  ({ sandbox, as } = await graphUnderTest());
});
afterEach(() => sandbox.close());

/** A person as a review item's userIdentity carries them (graph-contract.md §3.5): no mail. */
const identity = (u: SandboxUser) => ({
  id: u.id,
  displayName: u.displayName,
  userPrincipalName: u.userPrincipalName,
});

/** Alex's pending review items of one review, in the order Graph listed them. */
async function reviewItemsOf(definitionId: string): Promise<AccessReviewPending[]> {
  const { items } = await as(sandbox.users.alex.id).discoverPending(['accessReview']);
  return items.filter(
    (i: PendingItem): i is AccessReviewPending =>
      i.kind === 'accessReview' && i.target.definitionId === definitionId,
  );
}

/** A review whose three stages last a week each, Alex reviewing the second only (decision histories off). */
function secondStageOfThree(displayName: string, secondStageEnd?: (plannedEnd: number) => number) {
  const { alex, megan, adele } = sandbox.users;
  const start = Date.now() - 10 * DAY;
  const plannedEnd = start + 14 * DAY;
  return {
    start,
    seeded: sandbox.seed.accessReview({
      displayName,
      startDateTime: new Date(start).toISOString(),
      endDateTime: new Date(start + 21 * DAY).toISOString(),
      stages: [
        {
          reviewers: [megan.id],
          status: 'Completed',
          decided: { decision: 'Approve', reviewedBy: megan.id },
        },
        {
          reviewers: [alex.id],
          status: 'InProgress',
          ...(secondStageEnd ? { endDateTime: new Date(secondStageEnd(plannedEnd)).toISOString() } : {}),
        },
        { reviewers: [megan.id], status: 'NotStarted' },
      ],
      decisions: [{ principal: adele.id, recommendation: 'Approve' }],
    }),
  };
}

describe('discovery of access review items', () => {
  it('describes each item of a single-stage review as Graph lists it: principal kind, sign-in, recommendation, settings', async () => {
    const { alex, adele, megan } = sandbox.users;
    const signIn = new Date(Date.now() - 3 * DAY).toISOString();
    const end = new Date(Date.now() + 9 * DAY).toISOString();
    const app = { id: 'a1b2c3d4-0000-4000-8000-00000000a001', userPrincipalName: 'build-pipeline' };
    const legacy = { id: 'a1b2c3d4-0000-4000-8000-00000000a002', userPrincipalName: 'legacy' };
    const r = sandbox.seed.accessReview({
      displayName: 'Partner portal guests',
      descriptionForReviewers: 'Keep only guests who still work with us.',
      reviewers: [alex.id],
      endDateTime: end,
      settings: {
        justificationRequiredOnApproval: true,
        recommendationsEnabled: true,
        defaultDecisionEnabled: true,
        defaultDecision: 'Deny',
      },
      decisions: [
        // The sign-in insight follows a membership outlier insight, which has no sign-in.
        { principal: adele.id, recommendation: 'Approve', lastSignInDateTime: signIn, outlierInsight: true },
        { principal: megan.id, recommendation: 'Deny', lastSignInDateTime: null },
        {
          principal: { ...app, displayName: 'Build pipeline' },
          principalType: 'servicePrincipalIdentity',
          resource: { displayName: 'Deployment app', type: 'ServicePrincipal' },
          recommendation: 'NoInfoAvailable',
        },
        {
          principal: { ...legacy, displayName: 'Legacy account' },
          principalType: 'identity',
          resourceOmitted: true,
        },
      ],
    });
    const [adeleItem, meganItem, appItem, legacyItem] = r.decisionIds.map((id) =>
      sandbox.state.reviewDecision(id),
    );
    const common = {
      kind: 'accessReview',
      reviewName: 'Partner portal guests',
      descriptionForReviewers: 'Keep only guests who still work with us.',
      dueDateTime: end,
      justificationRequired: true,
      defaultDecision: 'Deny',
      stageNumber: null,
      stageCount: null,
      earlierStages: [],
    };
    const item = (
      decision: ReviewDecisionView | undefined,
      principal: AccessReviewPending['principal'],
      resource: object,
      recommendation: string,
      lastSignInDateTime: string | null,
    ) => ({
      ...common,
      target: {
        kind: 'accessReview',
        definitionId: r.definitionId,
        instanceId: r.instanceId,
        stageId: null,
        decisionId: decision?.id,
      },
      principal,
      resource,
      recommendation,
      lastSignInDateTime,
    });
    const portal = { id: adeleItem?.resourceId, displayName: 'Partner portal guests', type: 'Group' };

    expect(await reviewItemsOf(r.definitionId)).toEqual([
      item(adeleItem, { ...identity(adele), type: 'user' }, portal, 'Approve', signIn),
      item(meganItem, { ...identity(megan), type: 'user' }, portal, 'Deny', null),
      item(
        appItem,
        { ...app, displayName: 'Build pipeline', type: 'servicePrincipal' },
        { id: appItem?.resourceId, displayName: 'Deployment app', type: 'ServicePrincipal' },
        'NoInfoAvailable',
        null,
      ),
      // Graph often sends no resource (§3.5): the review's name stands in.
      item(
        legacyItem,
        { ...legacy, displayName: 'Legacy account', type: 'unknown' },
        { id: null, displayName: 'Partner portal guests', type: null },
        'NoInfoAvailable',
        null,
      ),
    ]);
  });

  it('hides the recommendation and default decision the review turned off, and names what Graph left unnamed', async () => {
    const { alex, adele } = sandbox.users;
    const unnamed = sandbox.seed.accessReview({
      displayName: '',
      reviewers: [alex.id],
      settings: {
        recommendationsEnabled: false,
        defaultDecisionEnabled: false,
        defaultDecision: 'Approve',
        justificationRequiredOnApproval: false,
      },
      decisions: [{ principal: adele.id, recommendation: 'Deny' }],
    });
    const unnamedResource = sandbox.seed.accessReview({
      displayName: 'Finance admins',
      reviewers: [alex.id],
      decisions: [{ principal: adele.id, resource: { displayName: '', type: 'Group' } }],
    });

    expect(await reviewItemsOf(unnamed.definitionId)).toEqual([
      expect.objectContaining({
        reviewName: 'Access review',
        resource: expect.objectContaining({ displayName: 'Resource' }),
        recommendation: null,
        defaultDecision: null,
        justificationRequired: false,
      }),
    ]);
    expect(await reviewItemsOf(unnamedResource.definitionId)).toEqual([
      expect.objectContaining({
        reviewName: 'Finance admins',
        resource: expect.objectContaining({ displayName: 'Finance admins' }),
      }),
    ]);
  });

  it('numbers a stage by the review’s stage durations, not by its place among the stages Alex sees', async () => {
    const { adele } = sandbox.users;
    const onTime = secondStageOfThree('Sales app access');
    const dayLate = secondStageOfThree('CRM access', (planned) => planned + DAY);
    const { seeded: offSchedule } = secondStageOfThree('Travel tool access', (planned) => planned + 3 * DAY);
    const stageTwo = onTime.seeded.stageIds[1] as string;

    expect(await reviewItemsOf(onTime.seeded.definitionId)).toEqual([
      {
        kind: 'accessReview',
        target: {
          kind: 'accessReview',
          definitionId: onTime.seeded.definitionId,
          instanceId: onTime.seeded.instanceId,
          stageId: stageTwo,
          decisionId: onTime.seeded.decisionIds[0],
        },
        reviewName: 'Sales app access',
        descriptionForReviewers: '',
        principal: { ...identity(adele), type: 'user' },
        resource: {
          id: sandbox.state.reviewDecision(onTime.seeded.decisionIds[0] as string)?.resourceId,
          displayName: 'Sales app access',
          type: 'Group',
        },
        // Recommendations are off unless the review turns them on.
        recommendation: null,
        lastSignInDateTime: null,
        // The stage's own end, a week before the review's.
        dueDateTime: new Date(onTime.start + 14 * DAY).toISOString(),
        justificationRequired: false,
        defaultDecision: null,
        stageNumber: 2,
        stageCount: 3,
        earlierStages: [],
      },
    ]);
    // A day off the durations still reads as the second stage.
    expect(
      (await reviewItemsOf(dayLate.seeded.definitionId)).map((i) => [i.target.stageId, i.stageNumber]),
    ).toEqual([[dayLate.seeded.stageIds[1], 2]]);
    // Further off, the durations tell nothing: the place among Alex's stages is all there is.
    expect(
      (await reviewItemsOf(offSchedule.definitionId)).map((i) => [i.target.stageId, i.stageNumber]),
    ).toEqual([[offSchedule.stageIds[1], 1]]);
  });

  it('shows the earlier stage’s decision on the same principal when the review shares decision histories', async () => {
    const { alex, megan, patti, adele, lynne } = sandbox.users;
    const twoStage = (
      displayName: string,
      firstReviewer: SandboxUser,
      reasons: [string, string],
      histories: boolean,
    ) =>
      sandbox.seed.accessReview({
        displayName,
        settings: { decisionHistoriesForReviewersEnabled: histories },
        stages: [
          {
            reviewers: [firstReviewer.id],
            status: 'Completed',
            decidedItems: reasons.map((justification) => ({
              decision: 'Approve' as const,
              reviewedBy: firstReviewer.id,
              justification,
            })),
          },
          { reviewers: [alex.id], status: 'InProgress' },
        ],
        decisions: [{ principal: adele.id }, { principal: lynne.id }],
      });
    const sales = twoStage('Sales app access', megan, ['Runs the Q3 campaign', 'Covers the EMEA desk'], true);
    const pipeline = twoStage('Build pipeline', patti, ['Owns the release', 'Maintains the agents'], true);
    // Alex reviewed the first stage too, but this review keeps each stage's decisions to itself.
    const secret = twoStage('Payroll export', alex, ['Payroll lead', 'Backup'], false);
    sandbox.clearRequests();

    const earlier = async (r: typeof sales) =>
      (await reviewItemsOf(r.definitionId)).map((i) => [i.principal.displayName, i.earlierStages]);
    const approved = (r: typeof sales, by: SandboxUser, justification: string) => [
      { stageId: r.stageIds[0], decision: 'Approved', reviewedBy: identity(by), justification },
    ];
    expect(await earlier(sales)).toEqual([
      [adele.displayName, approved(sales, megan, 'Runs the Q3 campaign')],
      [lynne.displayName, approved(sales, megan, 'Covers the EMEA desk')],
    ]);
    expect(await earlier(pipeline)).toEqual([
      [adele.displayName, approved(pipeline, patti, 'Owns the release')],
      [lynne.displayName, approved(pipeline, patti, 'Maintains the agents')],
    ]);
    expect(await earlier(secret)).toEqual([
      [adele.displayName, []],
      [lynne.displayName, []],
    ]);

    // Whole histories are read for the earlier stage only, and none where the review keeps them private.
    const historyReads = sandbox.requests.filter(
      (r) =>
        r.batched &&
        r.path.endsWith("/decisions/filterByCurrentUser(on='reviewer')") &&
        !r.rawUrl.includes('NotReviewed'),
    );
    const stagesRead = new Set(historyReads.map((r) => r.path.split('/stages/')[1]?.split('/')[0]));
    expect(stagesRead).toEqual(new Set([sales.stageIds[0], pipeline.stageIds[0]]));
  });

  it.each([
    ['accessReviewInstances', '/instances/filterByCurrentUser'],
    ['accessReviewStages', '/stages/filterByCurrentUser'],
    ['accessReviewDecisions', '/decisions/filterByCurrentUser'],
  ])('reports %s it could not read and still lists the other reviews', async (source, pathIncludes) => {
    const { alex, adele } = sandbox.users;
    const multi = sandbox.seed.accessReview({
      displayName: 'Sales app access',
      stages: [{ reviewers: [alex.id], status: 'InProgress' }],
      decisions: [{ principal: adele.id }],
    });
    const single = sandbox.seed.accessReview({
      displayName: 'Partner portal guests',
      reviewers: [alex.id],
      decisions: [{ principal: adele.id }],
    });
    // The first matching read fails: the multi-stage review's, which is listed and read first.
    sandbox.faults.inject({ batched: true, pathIncludes, status: 403 });

    const { items, problems } = await as(alex.id).discoverPending(['accessReview']);

    expect(problems).toEqual([{ source, failure: expect.objectContaining({ kind: 'forbidden' }) }]);
    expect(items.map((i) => i.target.kind === 'accessReview' && i.target.definitionId)).toEqual([
      single.definitionId,
    ]);
    expect(multi.definitionId).not.toBe(single.definitionId);
  });

  it('skips a review definition, instance or stage whose id is not a GUID and still lists the others', async () => {
    const { alex, adele } = sandbox.users;
    const decisions = [{ principal: adele.id }];
    sandbox.seed.accessReview({
      displayName: 'Imported review',
      ids: { definitionId: 'imported-review-1' },
      reviewers: [alex.id],
      decisions,
    });
    sandbox.seed.accessReview({
      displayName: 'Imported instance',
      ids: { instanceId: 'imported-instance-1' },
      reviewers: [alex.id],
      decisions,
    });
    sandbox.seed.accessReview({
      displayName: 'Imported stage',
      stages: [{ reviewers: [alex.id], status: 'InProgress', id: 'imported-stage-1' }],
      decisions,
    });
    const r = sandbox.seed.accessReview({
      displayName: 'Partner portal guests',
      reviewers: [alex.id],
      decisions,
    });

    const { items, problems } = await as(alex.id).discoverPending(['accessReview']);

    expect(problems).toEqual([]);
    expect(items.map((i) => i.target.kind === 'accessReview' && i.target.definitionId)).toEqual([
      r.definitionId,
    ]);
  });
});
