import type { AccessReviewSeed, Sandbox, SandboxUser, SeededReview } from '../../src/sandbox';
import { DEMO_COLLEAGUES, startSandbox } from '../../src/sandbox';
import type { Collection, DecisionJson, GraphErrorBody } from './support';
import { REVIEWS, get, patch, post } from './support';

/**
 * Delegated permissions for access reviews (graph-contract.md §2.4, §4, G11): plain reads and
 * batchRecordDecisions are for admins (and, for reads, the creator); reviewers use filterByCurrentUser,
 * acceptRecommendations and beta's recordAllDecisions.
 */
describe('sandbox access reviews: directory roles and reviewer functions', () => {
  let sandbox: Sandbox;
  let userAdmin: SandboxUser;
  let roleAdmin: SandboxUser;
  let globalAdmin: SandboxUser;
  beforeAll(async () => {
    sandbox = await startSandbox({ tenant: 'empty' });
    userAdmin = sandbox.seed.user({ displayName: 'Uma Admin', directoryRoles: ['User Administrator'] });
    roleAdmin = sandbox.seed.user({
      displayName: 'Priya Roles',
      directoryRoles: ['Privileged Role Administrator'],
    });
    globalAdmin = sandbox.seed.user({ displayName: 'Gil Global', directoryRoles: ['Global Administrator'] });
  });
  afterAll(() => sandbox.close());

  const governanceAdmin = DEMO_COLLEAGUES.diego;
  const as = (user: { id: string }) => ({ as: user.id });
  const definitionPath = (review: SeededReview) => `/v1.0${REVIEWS}/definitions/${review.definitionId}`;
  const instancePath = (review: SeededReview) => `${definitionPath(review)}/instances/${review.instanceId}`;
  const stagePath = (review: SeededReview, index: number) =>
    `${instancePath(review)}/stages/${review.stageIds[index] ?? ''}`;
  const decision = (id: string) => sandbox.state.reviewDecision(id);

  const review = (overrides: Partial<AccessReviewSeed> = {}): SeededReview =>
    sandbox.seed.accessReview({
      displayName: 'Sales team review',
      reviewers: [sandbox.users.alex.id],
      resource: { displayName: 'Sales team', type: 'Group' },
      decisions: [
        { principal: sandbox.users.isaiah.id, recommendation: 'Approve' },
        { principal: sandbox.users.patti.id, recommendation: 'Deny' },
        { principal: sandbox.users.lynne.id },
      ],
      ...overrides,
    });
  const multiStage = (): SeededReview =>
    sandbox.seed.accessReview({
      displayName: 'Two-stage app review',
      resource: { displayName: 'Contoso CRM', type: 'ServicePrincipal' },
      stages: [
        {
          reviewers: [sandbox.users.megan.id],
          status: 'Completed',
          decided: { decision: 'Approve', reviewedBy: sandbox.users.megan.id, justification: 'Sales' },
        },
        { reviewers: [sandbox.users.alex.id], status: 'InProgress' },
      ],
      decisions: [
        { principal: sandbox.users.isaiah.id, recommendation: 'Approve' },
        { principal: sandbox.users.patti.id },
      ],
    });

  describe('plain GET by id and plain lists', () => {
    it('lets each admin role read the reviews of the resources it administers, and no others', async () => {
      const groupReview = review();
      const roleReview = review({
        resource: { displayName: 'Exchange Administrator', type: 'DirectoryRole' },
      });
      const cases: readonly [SandboxUser, SeededReview, number][] = [
        [governanceAdmin, groupReview, 200],
        [governanceAdmin, roleReview, 200],
        [userAdmin, groupReview, 200],
        [userAdmin, roleReview, 403],
        [roleAdmin, groupReview, 403],
        [roleAdmin, roleReview, 200],
        [globalAdmin, groupReview, 200],
        [globalAdmin, roleReview, 200],
      ];
      for (const [user, seeded, status] of cases) {
        const item = seeded.decisionIds[0] ?? '';
        for (const path of [
          definitionPath(seeded),
          instancePath(seeded),
          `${instancePath(seeded)}/decisions/${item}`,
          `${definitionPath(seeded)}/instances`,
          `${instancePath(seeded)}/decisions`,
        ]) {
          const response = await get<GraphErrorBody>(sandbox, path, as(user));
          expect([user.displayName, path, response.status]).toEqual([user.displayName, path, status]);
        }
      }
    });

    it('refuses a plain reviewer with Graph’s 403 Authorization_RequestDenied body', async () => {
      const seeded = review();
      const response = await get<GraphErrorBody>(sandbox, instancePath(seeded));
      expect(response.status).toBe(403);
      expect(response.body.error).toMatchObject({
        code: 'Authorization_RequestDenied',
        message: 'Insufficient privileges to complete the operation.',
      });
      expect(response.body.error.innerError['request-id']).toBe(response.headers.get('request-id'));
      expect(response.body.error.innerError['client-request-id']).toEqual(expect.any(String));
      expect(response.body.error.innerError.date).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/);
      // The same reviewer reads through the function.
      const mine = await get<Collection<DecisionJson>>(
        sandbox,
        `${instancePath(seeded)}/decisions/filterByCurrentUser(on='reviewer')`,
      );
      expect(mine.body.value).toHaveLength(3);
    });

    it('lets the creator of a definition read it and everything under it, though a plain user', async () => {
      const { megan, adele } = sandbox.users;
      const seeded = multiStage();
      const own = sandbox.seed.accessReview({
        displayName: 'Created by Adele',
        createdBy: adele.id,
        stages: [
          {
            reviewers: [megan.id],
            status: 'Completed',
            decided: { decision: 'Approve', reviewedBy: megan.id },
          },
          { reviewers: [sandbox.users.alex.id], status: 'InProgress' },
        ],
        decisions: [{ principal: sandbox.users.isaiah.id }],
      });
      const definition = await get<{
        createdBy: { id: string; displayName: string; userPrincipalName: string };
      }>(sandbox, definitionPath(own), as(adele));
      expect(definition.status).toBe(200);
      expect(definition.body.createdBy).toEqual({
        '@odata.type': '#microsoft.graph.userIdentity',
        id: adele.id,
        displayName: 'Adele Vance',
        ipAddress: null,
        userPrincipalName: adele.userPrincipalName,
      });
      for (const path of [
        instancePath(own),
        stagePath(own, 0),
        `${instancePath(own)}/stages`,
        `${stagePath(own, 0)}/decisions`,
        `${stagePath(own, 0)}/decisions/${own.stageDecisionIds[0]?.[0] ?? ''}`,
        `${instancePath(own)}/decisions`,
      ]) {
        expect([path, (await get(sandbox, path, as(adele))).status]).toEqual([path, 200]);
      }
      // Not the creator of the other review, and no role.
      expect((await get(sandbox, definitionPath(seeded), as(adele))).status).toBe(403);
      expect((await get(sandbox, stagePath(seeded, 1), as(adele))).status).toBe(403);
      // The definitions list shows a creator only what they created; a plain user who created none gets 403.
      const listed = await get<Collection<{ id: string }>>(sandbox, `/v1.0${REVIEWS}/definitions`, as(adele));
      expect(listed.body.value.map((item) => item.id)).toEqual([own.definitionId]);
      const none = await get<GraphErrorBody>(sandbox, `/v1.0${REVIEWS}/definitions`, as(megan));
      expect([none.status, none.body.error.code]).toEqual([403, 'Authorization_RequestDenied']);
      const all = await get<Collection<{ id: string }>>(
        sandbox,
        `/v1.0${REVIEWS}/definitions`,
        as(governanceAdmin),
      );
      expect(all.body.value.map((item) => item.id)).toEqual(
        expect.arrayContaining([seeded.definitionId, own.definitionId]),
      );
    });

    it('still answers 404 before any role check for unknown ids', async () => {
      const seeded = review();
      const unknown = '6d2b6a0e-7c1f-4f0e-9b8a-fffffffffff0';
      for (const user of [sandbox.users.alex, sandbox.users.megan, governanceAdmin]) {
        expect((await get(sandbox, `${instancePath(seeded)}/decisions/${unknown}`, as(user))).status).toBe(
          404,
        );
        expect((await get(sandbox, `${definitionPath(seeded)}/instances/${unknown}`, as(user))).status).toBe(
          404,
        );
      }
    });
  });

  describe("filterByCurrentUser(on='reviewer') with $filter on id", () => {
    const fn = "decisions/filterByCurrentUser(on='reviewer')";

    it('finds one item by id, alone or with decision eq NotReviewed, before paging', async () => {
      const seeded = review();
      const [first = '', , third = ''] = seeded.decisionIds;
      const at = (filter: string, extra = '') =>
        get<Collection<DecisionJson>>(
          sandbox,
          `${instancePath(seeded)}/${fn}?$filter=${encodeURIComponent(filter)}${extra}`,
        );
      expect((await at(`id eq '${third}'`)).body.value.map((item) => item.id)).toEqual([third]);
      // $top=1 pages the filtered result: the third item is found on the first page.
      const paged = await at(`id eq '${third}' and decision eq 'NotReviewed'`, '&$top=1');
      expect(paged.body.value.map((item) => item.id)).toEqual([third]);
      expect(paged.body['@odata.nextLink']).toBeUndefined();
      expect((await at(`(id eq '${third}') and (decision eq 'NotReviewed')`)).body.value).toHaveLength(1);
      expect(
        (await at(`decision eq 'NotReviewed' and id eq '${third.toUpperCase()}'`)).body.value,
      ).toHaveLength(1);

      expect(
        (
          await patch(sandbox, `${instancePath(seeded)}/decisions/${first}`, {
            decision: 'Deny',
            justification: 'x',
          })
        ).status,
      ).toBe(204);
      expect((await at(`id eq '${first}' and decision eq 'NotReviewed'`)).body.value).toEqual([]);
      expect((await at(`id eq '${first}'`)).body.value[0]).toMatchObject({ id: first, decision: 'Deny' });
      // Another reviewer's function never returns it.
      const megan = await get<Collection<DecisionJson>>(
        sandbox,
        `${instancePath(seeded)}/${fn}?$filter=id eq '${first}'`,
        as(sandbox.users.megan),
      );
      expect(megan.body.value).toEqual([]);
    });

    it('works at stage level too, and keeps the filter in the nextLink', async () => {
      const seeded = multiStage();
      const [first = '', second = ''] = seeded.decisionIds;
      const base = `${stagePath(seeded, 1)}/${fn}`;
      const one = await get<Collection<DecisionJson>>(
        sandbox,
        `${base}?$filter=id eq '${second}' and decision eq 'NotReviewed'`,
      );
      expect(one.body.value.map((item) => item.id)).toEqual([second]);
      const page = await get<Collection<DecisionJson>>(
        sandbox,
        `${base}?$filter=decision eq 'NotReviewed'&$top=1`,
      );
      expect(page.body.value.map((item) => item.id)).toEqual([first]);
      const next = page.body['@odata.nextLink'] ?? '';
      expect(decodeURIComponent(next)).toContain("$filter=decision eq 'NotReviewed'");
      expect((await get<Collection<DecisionJson>>(sandbox, next)).body.value.map((item) => item.id)).toEqual([
        second,
      ]);
    });

    it('answers 400 for a filter it cannot parse or a property items do not have', async () => {
      const seeded = review();
      for (const filter of [
        `id eq '${seeded.decisionIds[0] ?? ''}' or decision eq 'Deny'`,
        "bogus eq 'x'",
        'id eq',
      ]) {
        const response = await get<GraphErrorBody>(
          sandbox,
          `${instancePath(seeded)}/${fn}?$filter=${encodeURIComponent(filter)}`,
        );
        expect([filter, response.status, response.body.error.code]).toEqual([filter, 400, 'BadRequest']);
      }
    });
  });

  describe('bulk writes', () => {
    it('refuses batchRecordDecisions to a plain reviewer (instance and stage) with 403 Authorization_RequestDenied', async () => {
      const single = review();
      const multi = multiStage();
      for (const path of [
        `${instancePath(single)}/batchRecordDecisions`,
        `${stagePath(multi, 1)}/batchRecordDecisions`,
      ]) {
        const response = await post<GraphErrorBody>(sandbox, path, {
          decision: 'Approve',
          justification: 'ok',
        });
        expect([path, response.status, response.body.error.code]).toEqual([
          path,
          403,
          'Authorization_RequestDenied',
        ]);
      }
      expect(single.decisionIds.map((id) => decision(id)?.decision)).toEqual([
        'NotReviewed',
        'NotReviewed',
        'NotReviewed',
      ]);
      expect(multi.decisionIds.map((id) => decision(id)?.decision)).toEqual(['NotReviewed', 'NotReviewed']);
    });

    it('lets admins of the resource call batchRecordDecisions, at stage level only on that stage', async () => {
      const multi = multiStage();
      const roleReview = review({ resource: { displayName: 'Global Reader', type: 'DirectoryRole' } });
      // An app review: User Administrator may; a role review: not they, but a Privileged Role Administrator.
      expect(
        (
          await post(
            sandbox,
            `${stagePath(multi, 1)}/batchRecordDecisions`,
            { decision: 'Deny', justification: 'Left Sales' },
            as(userAdmin),
          )
        ).status,
      ).toBe(204);
      expect(multi.decisionIds.map((id) => decision(id))).toEqual([
        expect.objectContaining({ decision: 'Deny', reviewedBy: userAdmin.id, justification: 'Left Sales' }),
        expect.objectContaining({ decision: 'Deny', reviewedBy: userAdmin.id }),
      ]);
      expect(multi.stageDecisionIds[0]?.map((id) => decision(id)?.reviewedBy)).toEqual([
        sandbox.users.megan.id,
        sandbox.users.megan.id,
      ]);
      const path = `${instancePath(roleReview)}/batchRecordDecisions`;
      const body = { decision: 'Approve', justification: 'Needed' };
      expect((await post(sandbox, path, body, as(userAdmin))).status).toBe(403);
      expect((await post(sandbox, path, body, as(roleAdmin))).status).toBe(204);
      expect(roleReview.decisionIds.map((id) => decision(id)?.reviewedBy)).toEqual([
        roleAdmin.id,
        roleAdmin.id,
        roleAdmin.id,
      ]);
    });

    it('keeps acceptRecommendations for reviewers: their NotReviewed items that have a recommendation', async () => {
      const seeded = review();
      expect(
        (
          await post<GraphErrorBody>(
            sandbox,
            `${instancePath(seeded)}/acceptRecommendations`,
            undefined,
            as(governanceAdmin),
          )
        ).status,
      ).toBe(403);
      expect((await post(sandbox, `${instancePath(seeded)}/acceptRecommendations`)).status).toBe(204);
      expect(seeded.decisionIds.map((id) => decision(id)?.decision)).toEqual([
        'Approve',
        'Deny',
        'NotReviewed',
      ]);
    });
  });

  describe('beta recordAllDecisions', () => {
    const path = `/beta${REVIEWS}/decisions/filterByCurrentUser(on='reviewer')/recordAllDecisions`;

    it('records one decision on every NotReviewed item the caller reviews, across reviews, skipping closed ones', async () => {
      const other = await startSandbox({ tenant: 'empty' });
      try {
        const { alex, megan, isaiah, patti, lynne } = other.users;
        const seedReview = (input: Partial<AccessReviewSeed>) =>
          other.seed.accessReview({
            displayName: 'Review',
            reviewers: [alex.id],
            decisions: [{ principal: isaiah.id }, { principal: patti.id }],
            ...input,
          });
        const first = seedReview({});
        const second = seedReview({ decisions: [{ principal: lynne.id }] });
        const closed = seedReview({ status: 'Completed' });
        const notMine = seedReview({ reviewers: [megan.id] });
        const staged = other.seed.accessReview({
          displayName: 'Staged',
          settings: { decisionHistoriesForReviewersEnabled: true },
          stages: [
            {
              reviewers: [alex.id],
              status: 'Completed',
              decided: { decision: 'Approve', reviewedBy: alex.id },
            },
            { reviewers: [alex.id], status: 'InProgress' },
          ],
          decisions: [{ principal: isaiah.id }],
        });
        expect(
          (
            await patch(
              other,
              `/v1.0${REVIEWS}/definitions/${first.definitionId}/instances/${first.instanceId}/decisions/${first.decisionIds[1] ?? ''}`,
              { decision: 'Deny', justification: 'Gone' },
            )
          ).status,
        ).toBe(204);

        const response = await post(other, path, {
          decision: 'Approve',
          justification: 'Team still needs it',
        });
        expect(response.status).toBe(204);
        expect(response.text).toBe('');
        const state = (id: string) => other.state.reviewDecision(id);
        expect([...first.decisionIds, ...second.decisionIds].map((id) => state(id)?.decision)).toEqual([
          'Approve',
          'Deny',
          'Approve',
        ]);
        expect(state(first.decisionIds[0] ?? '')).toMatchObject({
          reviewedBy: alex.id,
          justification: 'Team still needs it',
        });
        expect(closed.decisionIds.map((id) => state(id)?.decision)).toEqual(['NotReviewed', 'NotReviewed']);
        expect(notMine.decisionIds.map((id) => state(id)?.decision)).toEqual(['NotReviewed', 'NotReviewed']);
        expect(staged.decisionIds.map((id) => state(id)?.decision)).toEqual(['Approve']);
        expect(state(staged.decisionIds[0] ?? '')?.justification).toBe('Team still needs it');
        expect(state(staged.stageDecisionIds[0]?.[0] ?? '')?.justification).toBe('');
      } finally {
        await other.close();
      }
    });

    it('narrows to principalId or resourceId', async () => {
      const seeded = review();
      const [isaiah = '', patti = '', lynne = ''] = seeded.decisionIds;
      const resourceId = decision(isaiah)?.resourceId;
      expect(
        (
          await post(sandbox, path, {
            decision: 'DontKnow',
            justification: 'Ask HR',
            principalId: sandbox.users.patti.id,
          })
        ).status,
      ).toBe(204);
      expect([isaiah, patti, lynne].map((id) => decision(id)?.decision)).toEqual([
        'NotReviewed',
        'DontKnow',
        'NotReviewed',
      ]);
      expect(
        (
          await post(sandbox, path, {
            decision: 'Deny',
            justification: 'No',
            resourceId: '6d2b6a0e-7c1f-4f0e-9b8a-fffffffffff1',
          })
        ).status,
      ).toBe(204);
      expect(decision(isaiah)?.decision).toBe('NotReviewed');
      expect(
        (
          await post(sandbox, path, {
            decision: 'Deny',
            justification: 'Moved teams',
            principalId: sandbox.users.lynne.id,
            resourceId,
          })
        ).status,
      ).toBe(204);
      expect([isaiah, patti, lynne].map((id) => decision(id)?.decision)).toEqual([
        'NotReviewed',
        'DontKnow',
        'Deny',
      ]);
    });

    it('requires a justification to approve where a review says so, with the single-item PATCH’s error, and writes nothing', async () => {
      const strict = review({ settings: { justificationRequiredOnApproval: true } });
      const lax = review();
      const itemPath = `${instancePath(strict)}/decisions/${strict.decisionIds[0] ?? ''}`;
      const single = await patch<GraphErrorBody>(sandbox, itemPath, { decision: 'Approve' });
      for (const justification of [undefined, null, '', '   ']) {
        const response = await post<GraphErrorBody>(sandbox, path, { decision: 'Approve', justification });
        expect(response.status).toBe(400);
        expect(response.body.error.code).toBe(single.body.error.code);
        expect(response.body.error.message).toBe(single.body.error.message);
      }
      expect(
        [...strict.decisionIds, ...lax.decisionIds].every((id) => decision(id)?.decision === 'NotReviewed'),
      ).toBe(true);
      // Deny needs none.
      expect(
        (await post(sandbox, path, { decision: 'Deny', principalId: sandbox.users.lynne.id })).status,
      ).toBe(204);
      expect(decision(strict.decisionIds[2] ?? '')?.decision).toBe('Deny');
    });

    it.each([['NotReviewed'], ['Approved'], [undefined]])('answers 400 for decision %p', async (value) => {
      const response = await post<GraphErrorBody>(sandbox, path, { decision: value, justification: 'x' });
      expect(response.status).toBe(400);
      expect(response.body.error.code).toBe('BadRequest');
    });

    it("is beta only: v1.0 answers 400 'Resource not found for the segment'", async () => {
      const seeded = review();
      const response = await post<GraphErrorBody>(sandbox, path.replace('/beta/', '/v1.0/'), {
        decision: 'Approve',
        justification: 'x',
      });
      expect(response.status).toBe(400);
      expect(response.body.error.message).toBe("Resource not found for the segment 'decisions'.");
      expect(decision(seeded.decisionIds[0] ?? '')?.decision).toBe('NotReviewed');
      expect(
        (await post(sandbox, path.replace("on='reviewer'", "on='approver'"), { decision: 'Deny' })).status,
      ).toBe(400);
    });
  });
});
