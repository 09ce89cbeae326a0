import type { Sandbox } from '../../src/sandbox';
import { DEMO_COLLEAGUES, DEMO_IDS, startSandbox } from '../../src/sandbox';
import type { ApprovalJson, Collection, DecisionJson, GraphErrorBody, ReviewStageJson } from './support';
import {
  EM,
  EM_APPROVALS,
  PIM_GROUPS,
  PIM_GROUP_APPROVALS,
  REVIEWS,
  ROLE_APPROVALS,
  ROLE_REQUESTS,
  approve,
  get,
  patch,
} from './support';

interface EmRequestJson {
  readonly id: string;
  readonly requestType: string;
  readonly state: string;
  readonly createdDateTime: string;
  readonly justification: string;
  readonly answers: readonly {
    readonly displayValue: string;
    readonly answeredQuestion: { readonly text: string };
  }[];
  readonly schedule: {
    readonly expiration: {
      readonly type: string;
      readonly duration: string | null;
      readonly endDateTime: string | null;
    };
  };
  readonly requestor?: {
    readonly displayName: string;
    readonly objectId: string;
    readonly principalName: string;
  };
  readonly accessPackage?: { readonly displayName: string; readonly description: string };
}

interface PimRequestJson {
  readonly id: string;
  readonly status: string;
  readonly approvalId: string;
  readonly action: string;
  readonly accessId?: string;
  readonly directoryScopeId?: string;
  readonly justification: string;
  readonly ticketInfo: { readonly ticketNumber: string | null; readonly ticketSystem: string | null };
  readonly group?: { readonly displayName: string };
  readonly principal?: { readonly displayName: string; readonly userPrincipalName: string };
  readonly roleDefinition?: { readonly displayName: string; readonly templateId: string };
}

describe('sandbox discovery reads (demo tenant)', () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await startSandbox();
  });
  afterAll(() => sandbox.close());

  const A = DEMO_IDS.accessPackage;

  describe('entitlement management', () => {
    it('lists requests waiting on the caller with requestor and access package expanded', async () => {
      const response = await get<Collection<EmRequestJson>>(
        sandbox,
        `/v1.0${EM}/assignmentRequests/filterByCurrentUser(on='approver')?$expand=requestor,accessPackage`,
      );
      expect(response.status).toBe(200);
      const byId = new Map(response.body.value.map((request) => [request.id, request]));
      expect([...byId.keys()].sort()).toEqual(
        [
          A.marketingTwoStage,
          A.financeSharedStage,
          A.partnerPortalQuestions,
          A.buildAgentsDuration,
          A.legalVaultEndDate,
          A.supplierExtranetGuest,
        ].sort(),
      );
      const questions = byId.get(A.partnerPortalQuestions);
      expect(questions).toMatchObject({
        requestType: 'userAdd',
        state: 'pendingApproval',
        justification: 'Onboarding two new suppliers for Project Falcon.',
      });
      expect(
        questions?.answers.map((answer) => [answer.answeredQuestion.text, answer.displayValue]),
      ).toContainEqual(['Which region do you need?', 'Europe']);
      expect(questions?.requestor).toMatchObject({
        displayName: 'Johanna Lorenz',
        principalName: 'JohannaL@contoso.onmicrosoft.com',
      });
      expect(questions?.accessPackage?.displayName).toBe('Contoso partner portal');
      expect(byId.get(A.buildAgentsDuration)?.schedule.expiration).toMatchObject({
        type: 'afterDuration',
        duration: 'P14D',
      });
      expect(byId.get(A.legalVaultEndDate)?.schedule.expiration.type).toBe('afterDateTime');
      expect(Date.parse(byId.get(A.legalVaultEndDate)?.createdDateTime ?? '')).not.toBeNaN();
    });

    it("shows Megan only what waits on her, and the requestor their own requests through on='target'", async () => {
      const megan = await get<Collection<EmRequestJson>>(
        sandbox,
        `/v1.0${EM}/assignmentRequests/filterByCurrentUser(on='approver')`,
        { as: sandbox.users.megan.id },
      );
      expect(megan.body.value.map((request) => request.id).sort()).toEqual(
        [A.financeSharedStage, A.salesContentForMegan].sort(),
      );
      expect(megan.body.value[0]?.requestor).toBeUndefined();
      const grady = sandbox.seed.user({ displayName: 'Temp Requestor' });
      sandbox.seed.accessPackageRequest({
        requestor: grady.id,
        accessPackage: { displayName: 'Mine' },
        stages: [{ approvers: [sandbox.users.alex.id] }],
      });
      const mine = await get<Collection<EmRequestJson>>(
        sandbox,
        `/beta${EM}/assignmentRequests/filterByCurrentUser(on='target')`,
        { as: grady.id },
      );
      expect(mine.body.value).toHaveLength(1);
    });

    it.each([
      ["on='bogus'", `filterByCurrentUser(on='bogus')`],
      ['an unquoted value', 'filterByCurrentUser(on=approver)'],
      ['an unknown $expand', `filterByCurrentUser(on='approver')?$expand=bogus`],
      ['an unknown $select', `filterByCurrentUser(on='approver')?$select=bogus`],
      ['an unsupported $filter', `filterByCurrentUser(on='approver')?$filter=startswith(state,'p')`],
    ])('answers 400 for %s', async (_name, suffix) => {
      const response = await get<GraphErrorBody>(sandbox, `/v1.0${EM}/assignmentRequests/${suffix}`);
      expect(response.status).toBe(400);
      expect(response.body.error.code).toBe('BadRequest');
    });

    it('lists approvals in scope: ids only on v1.0 unless stages are expanded; steps inline on beta', async () => {
      const plain = await get<Collection<ApprovalJson>>(
        sandbox,
        `/v1.0${EM_APPROVALS}/filterByCurrentUser(on='approver')`,
      );
      expect(plain.body.value.map((approval) => approval.id)).toEqual(
        expect.arrayContaining([
          A.marketingTwoStage,
          A.financeSharedStage,
          A.partnerPortalQuestions,
          A.buildAgentsDuration,
          A.legalVaultEndDate,
        ]),
      );
      expect(plain.body.value.every((approval) => Object.keys(approval).join() === 'id')).toBe(true);
      const expanded = await get<Collection<ApprovalJson>>(
        sandbox,
        `/v1.0${EM_APPROVALS}/filterByCurrentUser(on='approver')?$expand=stages`,
      );
      const twoStage = expanded.body.value.find((approval) => approval.id === A.marketingTwoStage);
      expect(twoStage?.stages?.map((stage) => [stage.status, stage.assignedToMe])).toEqual([
        ['InProgress', true],
        ['NotStarted', false],
      ]);
      const beta = await get<Collection<ApprovalJson>>(
        sandbox,
        `/beta${EM_APPROVALS}/filterByCurrentUser(on='approver')`,
      );
      expect(beta.body.value.every((approval) => Array.isArray(approval.steps))).toBe(true);
      expect((await get(sandbox, `/v1.0${EM_APPROVALS}/filterByCurrentUser(on='target')`)).status).toBe(400);
    });

    it('answers 403 to the unfiltered admin list', async () => {
      expect((await get(sandbox, `/v1.0${EM}/assignmentRequests`)).status).toBe(403);
    });
  });

  describe('PIM for Groups', () => {
    const path = `/v1.0${PIM_GROUPS}/assignmentScheduleRequests/filterByCurrentUser(on='approver')?$filter=status eq 'PendingApproval'&$expand=group,principal`;

    it('lists pending requests with group and principal expanded, and drops them once decided', async () => {
      const response = await get<Collection<PimRequestJson>>(sandbox, path);
      expect(response.status).toBe(200);
      const finance = response.body.value.find(
        (request) => request.id === DEMO_IDS.pimGroup.financeAdminsMember,
      );
      expect(finance).toMatchObject({
        status: 'PendingApproval',
        approvalId: DEMO_IDS.pimGroup.financeAdminsMember,
        accessId: 'member',
        action: 'selfActivate',
        ticketInfo: { ticketNumber: 'CHG0041873', ticketSystem: 'ServiceNow' },
        group: { displayName: 'Finance admins' },
        principal: { displayName: 'Isaiah Langer', userPrincipalName: 'IsaiahL@contoso.onmicrosoft.com' },
      });
      expect(
        response.body.value.find((request) => request.id === DEMO_IDS.pimGroup.sharePointOwners)?.accessId,
      ).toBe('owner');

      const other = await startSandbox();
      try {
        const id = DEMO_IDS.pimGroup.financeAdminsMember;
        expect((await patch(other, `/v1.0${PIM_GROUP_APPROVALS}/${id}/stages/${id}`, approve)).status).toBe(
          204,
        );
        const after = await get<Collection<PimRequestJson>>(other, path);
        expect(after.body.value.map((request) => request.id)).not.toContain(id);
        const unfiltered = await get<Collection<PimRequestJson>>(other, path.replace(/\$filter=[^&]*&/, ''));
        expect(unfiltered.body.value.find((request) => request.id === id)?.status).toBe('Granted');
      } finally {
        await other.close();
      }
    });

    it('lists approvals through assignmentApprovals/filterByCurrentUser and reads one with its stages', async () => {
      const list = await get<Collection<ApprovalJson>>(
        sandbox,
        `/v1.0${PIM_GROUP_APPROVALS}/filterByCurrentUser(on='approver')?$expand=stages`,
      );
      expect(list.body.value.map((approval) => approval.id).sort()).toEqual(
        [
          DEMO_IDS.pimGroup.financeAdminsMember,
          DEMO_IDS.pimGroup.sharePointOwners,
          DEMO_IDS.pimGroup.falconContributorsGuest,
        ].sort(),
      );
      const one = await get<ApprovalJson>(
        sandbox,
        `/v1.0${PIM_GROUP_APPROVALS}/${DEMO_IDS.pimGroup.sharePointOwners}`,
      );
      expect(one.body.stages?.[0]).toMatchObject({
        id: DEMO_IDS.pimGroup.sharePointOwners,
        status: 'InProgress',
        assignedToMe: true,
      });
    });

    it("answers 400 for on='unknownFutureValue'", async () => {
      expect(
        (
          await get(
            sandbox,
            `/v1.0${PIM_GROUPS}/assignmentScheduleRequests/filterByCurrentUser(on='unknownFutureValue')`,
          )
        ).status,
      ).toBe(400);
    });
  });

  describe('PIM for Entra roles', () => {
    it('lists pending role requests with roleDefinition and principal on v1.0', async () => {
      const response = await get<Collection<PimRequestJson>>(
        sandbox,
        `/v1.0${ROLE_REQUESTS}/filterByCurrentUser(on='approver')?$filter=status eq 'PendingApproval'&$expand=roleDefinition,principal`,
      );
      const byId = new Map(response.body.value.map((request) => [request.id, request]));
      expect(byId.get(DEMO_IDS.pimRole.userAdministratorTenant)).toMatchObject({
        directoryScopeId: '/',
        action: 'selfActivate',
        roleDefinition: {
          displayName: 'User Administrator',
          templateId: 'fe930be7-5e62-47db-91af-98c3a49a38b1',
        },
        principal: { displayName: 'Lynne Robbins' },
      });
      expect(byId.get(DEMO_IDS.pimRole.exchangeAdministratorExtend)?.action).toBe('selfExtend');
      expect(byId.has(DEMO_IDS.pimRole.helpdeskAdministratorUnitForAdele)).toBe(false);
    });

    it("supports only on='principal' and on='approver'", async () => {
      expect((await get(sandbox, `/v1.0${ROLE_REQUESTS}/filterByCurrentUser(on='createdBy')`)).status).toBe(
        400,
      );
      const own = await get<Collection<PimRequestJson>>(
        sandbox,
        `/v1.0${ROLE_REQUESTS}/filterByCurrentUser(on='principal')`,
        { as: sandbox.users.lynne.id },
      );
      expect(own.body.value.map((request) => request.id)).toEqual([DEMO_IDS.pimRole.userAdministratorTenant]);
    });

    it('reads the approval on beta with $expand=steps and /steps; not on v1.0', async () => {
      const id = DEMO_IDS.pimRole.userAdministratorTenant;
      const approval = await get<ApprovalJson>(sandbox, `/beta${ROLE_APPROVALS}/${id}?$expand=steps`);
      expect(approval.body.steps?.[0]).toMatchObject({
        id,
        assignedToMe: true,
        status: 'InProgress',
        reviewResult: 'NotReviewed',
      });
      expect(
        (await get<Collection<unknown>>(sandbox, `/beta${ROLE_APPROVALS}/${id}/steps`)).body.value,
      ).toHaveLength(1);
      expect((await get(sandbox, `/v1.0${ROLE_APPROVALS}/${id}/steps`)).status).toBe(400);
    });
  });

  describe('access reviews', () => {
    const V = DEMO_IDS.review;
    const guests = `/v1.0${REVIEWS}/definitions/${V.guestsProjectFalcon.definitionId}/instances/${V.guestsProjectFalcon.instanceId}`;
    const multi = `/v1.0${REVIEWS}/definitions/${V.salesAppMultiStage.definitionId}/instances/${V.salesAppMultiStage.instanceId}`;

    interface DefinitionJson {
      readonly id: string;
      readonly displayName: string;
      readonly descriptionForReviewers: string;
      readonly settings: Record<string, unknown>;
      readonly stageSettings?: readonly unknown[];
    }

    it('lists the definitions each user reviews, with settings and stage settings', async () => {
      const alex = await get<Collection<DefinitionJson>>(
        sandbox,
        `/v1.0${REVIEWS}/definitions/filterByCurrentUser(on='reviewer')?$top=100`,
      );
      expect(alex.body.value.map((definition) => definition.id)).toEqual([
        V.guestsProjectFalcon.definitionId,
        V.financeAdminsJustified.definitionId,
        V.salesAppMultiStage.definitionId,
      ]);
      const justified = alex.body.value[1];
      expect(justified?.settings).toMatchObject({
        justificationRequiredOnApproval: true,
        recommendationsEnabled: true,
      });
      expect(justified?.settings).toHaveProperty('defaultDecisionEnabled');
      expect(justified?.settings).toHaveProperty('defaultDecision');
      expect(alex.body.value[2]?.settings.decisionHistoriesForReviewersEnabled).toBe(true);
      expect(alex.body.value[2]?.stageSettings).toHaveLength(2);
      expect(alex.body.value[0]?.stageSettings).toBeUndefined();
      const megan = await get<Collection<DefinitionJson>>(
        sandbox,
        `/v1.0${REVIEWS}/definitions/filterByCurrentUser(on='reviewer')`,
        { as: sandbox.users.megan.id },
      );
      expect(megan.body.value.map((definition) => definition.id).sort()).toEqual(
        [V.salesAppMultiStage.definitionId, V.marketingForMeganAdele.definitionId].sort(),
      );
      expect(
        (await get(sandbox, `/v1.0${REVIEWS}/definitions/filterByCurrentUser(on='approver')`)).status,
      ).toBe(400);
    });

    it("lists instances with $filter=status eq 'InProgress' and stages of a multi-stage instance", async () => {
      const instances = await get<
        Collection<{ id: string; status: string; startDateTime: string; endDateTime: string }>
      >(
        sandbox,
        `/v1.0${REVIEWS}/definitions/${V.guestsProjectFalcon.definitionId}/instances/filterByCurrentUser(on='reviewer')?$filter=status eq 'InProgress'`,
      );
      expect(instances.body.value).toEqual([
        expect.objectContaining({ id: V.guestsProjectFalcon.instanceId, status: 'InProgress' }),
      ]);
      const closed = await get<Collection<unknown>>(
        sandbox,
        `/v1.0${REVIEWS}/definitions/${V.guestsProjectFalcon.definitionId}/instances/filterByCurrentUser(on='reviewer')?$filter=status eq 'Completed'`,
      );
      expect(closed.body.value).toHaveLength(0);
      // Decision histories are on: Alex (stage 2) is shown the completed stage 1 as well (§2.4).
      const stages = await get<Collection<ReviewStageJson>>(
        sandbox,
        `${multi}/stages/filterByCurrentUser(on='reviewer')`,
      );
      expect(stages.body.value.map((stage) => [stage.id, stage.status])).toEqual([
        [V.salesAppMultiStage.stageIds[0], 'Completed'],
        [V.salesAppMultiStage.stageIds[1], 'InProgress'],
      ]);
      const meganStages = await get<Collection<ReviewStageJson>>(
        sandbox,
        `${multi}/stages/filterByCurrentUser(on='reviewer')`,
        { as: sandbox.users.megan.id },
      );
      expect(meganStages.body.value.map((stage) => stage.status)).toEqual(['Completed']);
    });

    it("lists the caller's decision items with insights, $filter, $top and $skip", async () => {
      const all = await get<Collection<DecisionJson>>(
        sandbox,
        `${guests}/decisions/filterByCurrentUser(on='reviewer')?$expand=insights`,
      );
      expect(all.body.value).toHaveLength(4);
      const ravi = all.body.value.find((item) => item.principal.displayName === 'Ravi Patel (Northwind)');
      expect(ravi).toMatchObject({
        accessReviewId: V.guestsProjectFalcon.instanceId,
        decision: 'NotReviewed',
        recommendation: 'Deny',
        reviewedDateTime: null,
        justification: '',
        resource: { displayName: 'Project Falcon', type: 'Group' },
        reviewedBy: { id: '00000000-0000-0000-0000-000000000000' },
      });
      expect(ravi?.insights?.[0]).toMatchObject({ '@odata.type': '#microsoft.graph.userSignInInsight' });
      expect(Date.parse(ravi?.insights?.[0]?.lastSignInDateTime ?? '')).toBeLessThan(
        Date.now() - 90 * 86_400_000,
      );
      const withoutInsights = await get<Collection<DecisionJson>>(
        sandbox,
        `${guests}/decisions/filterByCurrentUser(on='reviewer')`,
      );
      expect(withoutInsights.body.value[0]?.insights).toBeUndefined();

      const page = await get<Collection<DecisionJson>>(
        sandbox,
        `${guests}/decisions/filterByCurrentUser(on='reviewer')?$filter=decision eq 'NotReviewed'&$top=2&$skip=1`,
      );
      expect(page.body.value.map((item) => item.id)).toEqual(
        all.body.value.slice(1, 3).map((item) => item.id),
      );
      expect(page.body['@odata.nextLink']).toContain('$skiptoken=');
      const nobody = await get<Collection<DecisionJson>>(
        sandbox,
        `${guests}/decisions/filterByCurrentUser(on='reviewer')`,
        { as: sandbox.users.megan.id },
      );
      expect(nobody.body.value).toHaveLength(0);
    });

    it('lists stage decisions; later-stage reviewers see earlier decisions when histories are enabled', async () => {
      const [first, second] = V.salesAppMultiStage.stageIds;
      const current = await get<Collection<DecisionJson>>(
        sandbox,
        `${multi}/stages/${second}/decisions/filterByCurrentUser(on='reviewer')?$filter=decision eq 'NotReviewed'`,
      );
      expect(current.body.value).toHaveLength(3);
      const history = await get<Collection<DecisionJson>>(
        sandbox,
        `${multi}/stages/${first}/decisions/filterByCurrentUser(on='reviewer')`,
      );
      expect(
        history.body.value.map((item) => [item.decision, item.reviewedBy.displayName, item.justification]),
      ).toEqual([
        ['Approve', 'Megan Bowen', 'Still in the Sales org.'],
        ['Approve', 'Megan Bowen', 'Still in the Sales org.'],
        ['Approve', 'Megan Bowen', 'Still in the Sales org.'],
      ]);
      const meganNow = await get<Collection<DecisionJson>>(
        sandbox,
        `${multi}/stages/${second}/decisions/filterByCurrentUser(on='reviewer')`,
        { as: sandbox.users.megan.id },
      );
      expect(meganNow.body.value).toHaveLength(0);
      // The instance-level function shows the stage in progress.
      const instanceLevel = await get<Collection<DecisionJson>>(
        sandbox,
        `${multi}/decisions/filterByCurrentUser(on='reviewer')`,
      );
      expect(instanceLevel.body.value.map((item) => item.id)).toEqual(
        current.body.value.map((item) => item.id),
      );
    });

    it('gets a definition, instance, stage and decision by id for the admin; 404 for unknown ids', async () => {
      const admin = { as: DEMO_COLLEAGUES.diego.id };
      const definition = await get<{
        displayName: string;
        descriptionForReviewers: string;
        createdBy: { id: string; displayName: string };
      }>(sandbox, `/v1.0${REVIEWS}/definitions/${V.guestsProjectFalcon.definitionId}`, admin);
      expect(definition.body.displayName).toBe('Guest access review: Project Falcon');
      expect(definition.body.descriptionForReviewers).toContain('external guests');
      expect(definition.body.createdBy).toMatchObject({
        id: DEMO_COLLEAGUES.diego.id,
        displayName: 'Diego Siciliani',
      });
      const instance = await get<{ status: string; endDateTime: string }>(sandbox, guests, admin);
      expect(instance.body.status).toBe('InProgress');
      const stage = await get<ReviewStageJson>(
        sandbox,
        `${multi}/stages/${V.salesAppMultiStage.stageIds[1]}`,
        admin,
      );
      expect(stage.body).toMatchObject({
        status: 'InProgress',
        reviewers: [{ query: `/users/${sandbox.users.alex.id}`, queryType: 'MicrosoftGraph' }],
      });
      const list = await get<Collection<DecisionJson>>(
        sandbox,
        `${guests}/decisions/filterByCurrentUser(on='reviewer')`,
      );
      const itemId = list.body.value[0]?.id ?? '';
      expect(
        (await get<DecisionJson>(sandbox, `${guests}/decisions/${itemId}?$expand=insights`, admin)).body
          .insights,
      ).toHaveLength(1);

      // Unknown or misplaced ids are 404 for everyone, before any role check.
      expect(
        (await get(sandbox, `/v1.0${REVIEWS}/definitions/6d2b6a0e-7c1f-4f0e-9b8a-ffffffffffff`)).status,
      ).toBe(404);
      expect((await get(sandbox, `${guests}/decisions/6d2b6a0e-7c1f-4f0e-9b8a-ffffffffffff`)).status).toBe(
        404,
      );
      expect((await get(sandbox, `${multi}/decisions/${itemId}`, admin)).status).toBe(404);
    });

    it('answers 403 Authorization_RequestDenied to plain reads by a reviewer who is no admin (§2.4)', async () => {
      const second = V.salesAppMultiStage.stageIds[1] ?? '';
      const [guestItem, stageItem] = await Promise.all(
        [guests, `${multi}/stages/${second}`].map(
          async (scope) =>
            (
              await get<Collection<DecisionJson>>(
                sandbox,
                `${scope}/decisions/filterByCurrentUser(on='reviewer')`,
              )
            ).body.value[0]?.id ?? '',
        ),
      );
      for (const path of [
        `/v1.0${REVIEWS}/definitions/${V.guestsProjectFalcon.definitionId}`,
        guests,
        `${multi}/stages/${second}`,
        `${guests}/decisions/${guestItem}`,
        `${multi}/stages/${second}/decisions/${stageItem}`,
      ]) {
        const response = await get<GraphErrorBody>(sandbox, path);
        expect([path, response.status]).toEqual([path, 403]);
        expect(response.body.error.code).toBe('Authorization_RequestDenied');
        expect(response.body.error.message).toBe('Insufficient privileges to complete the operation.');
        expect(response.body.error.innerError['request-id']).toBe(response.headers.get('request-id'));
        expect(response.body.error.innerError.date).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/);
      }
    });

    it('answers 403 to the plain collections for reviewers, and lists them for the admin', async () => {
      const paths = [
        `/v1.0${REVIEWS}/definitions`,
        `${guests.replace(/\/instances\/.*/, '')}/instances`,
        `${multi}/stages`,
        `${guests}/decisions`,
        `${multi}/stages/${V.salesAppMultiStage.stageIds[0]}/decisions`,
      ];
      for (const path of paths) {
        const response = await get<GraphErrorBody>(sandbox, path);
        expect([path, response.status, response.body.error.code]).toEqual([
          path,
          403,
          'Authorization_RequestDenied',
        ]);
      }
      const admin = { as: DEMO_COLLEAGUES.diego.id };
      const [definitions, instances, stages, decisions, earlier] = await Promise.all(
        paths.map((path) => get<Collection<{ id: string; decision?: string }>>(sandbox, path, admin)),
      );
      expect(definitions?.body.value.map((item) => item.id)).toEqual(
        expect.arrayContaining(Object.values(V).map((review) => review.definitionId)),
      );
      expect(instances?.body.value.map((item) => item.id)).toEqual([V.guestsProjectFalcon.instanceId]);
      expect(stages?.body.value.map((item) => item.id)).toEqual([...V.salesAppMultiStage.stageIds]);
      expect(decisions?.body.value).toHaveLength(4);
      expect(earlier?.body.value.map((item) => item.decision)).toEqual(['Approve', 'Approve', 'Approve']);
      // The plain list takes the same $filter as the reviewer function.
      const filtered = await get<Collection<{ id: string }>>(
        sandbox,
        `${guests}/decisions?$filter=decision eq 'NotReviewed'&$top=1`,
        admin,
      );
      expect(filtered.body.value).toHaveLength(1);
      expect(filtered.body['@odata.nextLink']).toContain('$skiptoken=');
    });

    it("serves beta's cross-review decisions function with instance($expand=definition)", async () => {
      const response = await get<Collection<DecisionJson>>(
        sandbox,
        `/beta${REVIEWS}/decisions/filterByCurrentUser(on='reviewer')?$expand=instance($expand=definition)&$filter=decision eq 'NotReviewed'`,
      );
      expect(response.status).toBe(200);
      expect(response.body.value).toHaveLength(4 + 3 + 3);
      expect(response.body.value[0]?.instance?.definition?.displayName).toBe(
        'Guest access review: Project Falcon',
      );
      expect(
        (await get(sandbox, `/v1.0${REVIEWS}/decisions/filterByCurrentUser(on='reviewer')`)).status,
      ).toBe(400);
    });
  });
});
