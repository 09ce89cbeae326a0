import type { Sandbox, SeededReview } from '../../src/sandbox';
import { DEMO_IDS, startSandbox } from '../../src/sandbox';
import type { Collection, DecisionJson, ReviewStageJson } from './support';
import { REVIEWS, get } from './support';

/**
 * Earlier stages of multi-stage reviews (graph-contract.md §2.4 last bullet, §3.5–3.8): with
 * `decisionHistoriesForReviewersEnabled`, a later stage's reviewer sees the earlier stages and their decisions
 * for the principals/resources that reached their stage; without it, neither.
 */
describe('sandbox multi-stage reviews: earlier stages for later reviewers', () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await startSandbox({ tenant: 'empty' });
  });
  afterAll(() => sandbox.close());

  const fn = "filterByCurrentUser(on='reviewer')";
  const instancePath = (review: SeededReview) =>
    `/v1.0${REVIEWS}/definitions/${review.definitionId}/instances/${review.instanceId}`;
  const stagePath = (review: SeededReview, index: number) =>
    `${instancePath(review)}/stages/${review.stageIds[index] ?? ''}`;
  const stagesFor = async (review: SeededReview, as: string) =>
    (
      await get<Collection<ReviewStageJson>>(sandbox, `${instancePath(review)}/stages/${fn}`, { as })
    ).body.value.map((stage) => stage.id);
  const itemsFor = async (review: SeededReview, index: number, as: string) =>
    (await get<Collection<DecisionJson>>(sandbox, `${stagePath(review, index)}/decisions/${fn}`, { as })).body
      .value;

  const threeStage = (histories: boolean): SeededReview => {
    const { megan, adele, alex, isaiah, patti, lynne } = sandbox.users;
    return sandbox.seed.accessReview({
      displayName: `Three stages, histories ${histories ? 'on' : 'off'}`,
      settings: { decisionHistoriesForReviewersEnabled: histories },
      stages: [
        {
          reviewers: [megan.id],
          status: 'Completed',
          decidedItems: [
            { decision: 'Approve', reviewedBy: megan.id, justification: 'Works on Sales' },
            { decision: 'Deny', reviewedBy: megan.id, justification: 'Left in May' },
            null,
          ],
        },
        {
          reviewers: [adele.id],
          status: 'Completed',
          decided: { decision: 'Approve', reviewedBy: adele.id, justification: 'Confirmed' },
        },
        { reviewers: [alex.id], status: 'InProgress' },
      ],
      decisions: [{ principal: isaiah.id }, { principal: patti.id }, { principal: lynne.id }],
    });
  };

  it('moves on only the decisions the stage settings let through (Deny stops at stage 1)', () => {
    const review = threeStage(true);
    expect(review.stageDecisionIds.map((ids) => ids.length)).toEqual([3, 2, 2]);
    const principals = (index: number) =>
      review.stageDecisionIds[index]?.map((id) => sandbox.state.reviewDecision(id)?.principalId);
    const { isaiah, patti, lynne } = sandbox.users;
    expect(principals(0)).toEqual([isaiah.id, patti.id, lynne.id]);
    expect(principals(2)).toEqual([isaiah.id, lynne.id]);
    expect(review.decisionIds).toEqual(review.stageDecisionIds[2]);
  });

  it('lists the earlier stages and their decisions for the same principals when histories are enabled', async () => {
    const review = threeStage(true);
    const { alex, adele, megan } = sandbox.users;
    expect(await stagesFor(review, alex.id)).toEqual(review.stageIds);
    expect(await stagesFor(review, adele.id)).toEqual(review.stageIds.slice(0, 2));
    expect(await stagesFor(review, megan.id)).toEqual(review.stageIds.slice(0, 1));

    const first = await itemsFor(review, 0, alex.id);
    // Patti was denied at stage 1 and never reached Alex's stage: her earlier decision is not his to read.
    expect(
      first.map((item) => [
        item.principal.displayName,
        item.decision,
        item.reviewedBy.displayName,
        item.justification,
      ]),
    ).toEqual([
      ['Isaiah Langer', 'Approve', 'Megan Bowen', 'Works on Sales'],
      ['Lynne Robbins', 'NotReviewed', '', ''],
    ]);
    expect((await itemsFor(review, 1, alex.id)).map((item) => item.justification)).toEqual([
      'Confirmed',
      'Confirmed',
    ]);
    // Histories look back only: Megan does not see later stages' items.
    expect(await itemsFor(review, 1, megan.id)).toEqual([]);
    expect(await itemsFor(review, 2, megan.id)).toEqual([]);
    // The instance-level function stays on the stage in progress.
    const current = await get<Collection<DecisionJson>>(sandbox, `${instancePath(review)}/decisions/${fn}`);
    expect(current.body.value.map((item) => item.id)).toEqual(review.decisionIds);
  });

  it('hides the earlier stages and their items when histories are disabled', async () => {
    const review = threeStage(false);
    const { alex, adele } = sandbox.users;
    expect(await stagesFor(review, alex.id)).toEqual([review.stageIds[2]]);
    expect(await stagesFor(review, adele.id)).toEqual([review.stageIds[1]]);
    expect(await itemsFor(review, 0, alex.id)).toEqual([]);
    expect(await itemsFor(review, 1, alex.id)).toEqual([]);
    expect(await itemsFor(review, 2, alex.id)).toHaveLength(2);
  });

  it("plays the demo's two-stage review: Megan approved stage 1 with a justification, Alex reviews stage 2", async () => {
    const demo = await startSandbox();
    try {
      const ids = DEMO_IDS.review.salesAppMultiStage;
      const base = `/v1.0${REVIEWS}/definitions/${ids.definitionId}/instances/${ids.instanceId}`;
      const stages = await get<Collection<ReviewStageJson>>(demo, `${base}/stages/${fn}`);
      expect(stages.body.value.map((stage) => [stage.id, stage.status])).toEqual([
        [ids.stageIds[0], 'Completed'],
        [ids.stageIds[1], 'InProgress'],
      ]);
      const earlier = await get<Collection<DecisionJson>>(
        demo,
        `${base}/stages/${ids.stageIds[0]}/decisions/${fn}`,
      );
      const current = await get<Collection<DecisionJson>>(
        demo,
        `${base}/stages/${ids.stageIds[1]}/decisions/${fn}`,
      );
      expect(earlier.body.value).toHaveLength(3);
      for (const item of earlier.body.value) {
        expect(item).toMatchObject({
          decision: 'Approve',
          justification: 'Still in the Sales org.',
          reviewedBy: { id: demo.users.megan.id, displayName: 'Megan Bowen' },
        });
      }
      expect(current.body.value.map((item) => item.principal.id)).toEqual(
        earlier.body.value.map((item) => item.principal.id),
      );
      expect(current.body.value.every((item) => item.decision === 'NotReviewed')).toBe(true);
    } finally {
      await demo.close();
    }
  });
});
