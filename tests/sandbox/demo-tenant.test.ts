import type { Sandbox } from '../../src/sandbox';
import {
  DEMO_COLLEAGUES,
  DEMO_GUESTS,
  DEMO_IDS,
  DEMO_TENANT_ID,
  DEMO_USERS,
  startSandbox,
} from '../../src/sandbox';
import type { ApprovalJson, Collection, DecisionJson } from './support';
import { EM, EM_APPROVALS, PIM_GROUPS, REVIEWS, ROLE_REQUESTS, get } from './support';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

function ids(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (value && typeof value === 'object') return Object.values(value).flatMap(ids);
  return [];
}

describe('sandbox demo tenant', () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await startSandbox();
  });
  afterAll(() => sandbox.close());

  it('has the Playground people with their fixed GUIDs', () => {
    expect(sandbox.tenantId).toBe(DEMO_TENANT_ID);
    expect(DEMO_TENANT_ID).toBe('6d2b6a0e-7c1f-4f0e-9b8a-1a2b3c4d5e00');
    const people = Object.values(sandbox.users).map((user) => [
      user.displayName,
      user.id,
      user.userPrincipalName,
    ]);
    expect(people).toEqual([
      ['Alex Wilber', '6d2b6a0e-7c1f-4f0e-9b8a-1a2b3c4d5e01', 'AlexW@contoso.onmicrosoft.com'],
      ['Megan Bowen', '6d2b6a0e-7c1f-4f0e-9b8a-1a2b3c4d5e02', 'MeganB@contoso.onmicrosoft.com'],
      ['Adele Vance', '6d2b6a0e-7c1f-4f0e-9b8a-1a2b3c4d5e03', 'AdeleV@contoso.onmicrosoft.com'],
      ['Isaiah Langer', '6d2b6a0e-7c1f-4f0e-9b8a-1a2b3c4d5e04', 'IsaiahL@contoso.onmicrosoft.com'],
      ['Patti Fernandez', '6d2b6a0e-7c1f-4f0e-9b8a-1a2b3c4d5e05', 'PattiF@contoso.onmicrosoft.com'],
      ['Lynne Robbins', '6d2b6a0e-7c1f-4f0e-9b8a-1a2b3c4d5e06', 'LynneR@contoso.onmicrosoft.com'],
    ]);
    expect(sandbox.users).toBe(DEMO_USERS);
  });

  it('uses GUIDs a strict validator accepts for every demo id', () => {
    for (const id of [
      ...ids(DEMO_IDS),
      DEMO_TENANT_ID,
      ...[DEMO_USERS, DEMO_COLLEAGUES, DEMO_GUESTS].flatMap((people) =>
        Object.values(people).map((user) => user.id),
      ),
    ]) {
      expect(id).toMatch(GUID);
    }
  });

  it('gives Alex pending items of every kind', () => {
    const pending = sandbox.state.pendingFor(DEMO_USERS.alex.id);
    const kinds = pending.approvalIds.map((id) => sandbox.state.approval(id)?.kind);
    expect(kinds.filter((kind) => kind === 'accessPackage')).toHaveLength(6);
    expect(kinds.filter((kind) => kind === 'pimGroup')).toHaveLength(3);
    expect(kinds.filter((kind) => kind === 'pimRole')).toHaveLength(3);
    expect(pending.reviewDecisionIds).toHaveLength(4 + 3 + 3);

    const twoStage = sandbox.state.approval(DEMO_IDS.accessPackage.marketingTwoStage);
    expect(twoStage?.stages.map((stage) => stage.approvers)).toEqual([
      [DEMO_USERS.alex.id],
      [DEMO_USERS.megan.id],
    ]);
    expect(sandbox.state.approval(DEMO_IDS.accessPackage.financeSharedStage)?.stages[0]?.approvers).toEqual([
      DEMO_USERS.alex.id,
      DEMO_USERS.megan.id,
    ]);
    const multi = DEMO_IDS.review.salesAppMultiStage;
    expect(multi.stageIds.map((id) => sandbox.state.reviewStage(id)?.status)).toEqual([
      'Completed',
      'InProgress',
    ]);
  });

  it('gives Megan, Adele and Lynne work of their own', () => {
    const megan = sandbox.state.pendingFor(DEMO_USERS.megan.id);
    expect(megan.approvalIds.length).toBeGreaterThanOrEqual(3);
    expect(megan.reviewDecisionIds).toHaveLength(3);
    const adele = sandbox.state.pendingFor(DEMO_USERS.adele.id);
    expect([...adele.approvalIds].sort()).toEqual(
      [DEMO_IDS.accessPackage.hrKitForAdele, DEMO_IDS.pimRole.helpdeskAdministratorUnitForAdele].sort(),
    );
    expect(sandbox.state.pendingFor(DEMO_USERS.lynne.id).approvalIds).toEqual([
      DEMO_IDS.accessPackage.hrKitForAdele,
    ]);
  });

  it('serves the demo over HTTP with realistic names', async () => {
    const requests = await get<Collection<{ accessPackage: { displayName: string } }>>(
      sandbox,
      `/v1.0${EM}/assignmentRequests/filterByCurrentUser(on='approver')?$expand=accessPackage`,
    );
    expect(requests.body.value.map((request) => request.accessPackage.displayName)).toContain(
      'Marketing campaign tools',
    );
    const reviews = await get<Collection<{ displayName: string }>>(
      sandbox,
      `/v1.0${REVIEWS}/definitions/filterByCurrentUser(on='reviewer')`,
    );
    expect(reviews.body.value.map((review) => review.displayName)).toContain(
      'Guest access review: Project Falcon',
    );
  });

  it('has one governance admin, Diego Siciliani, who reviews and approves nothing; reviewers are plain users', async () => {
    const diego = DEMO_COLLEAGUES.diego;
    expect(diego.directoryRoles).toEqual(['Identity Governance Administrator']);
    for (const user of Object.values(DEMO_USERS)) expect(user.directoryRoles).toEqual([]);
    const asDiego = { as: diego.id };
    expect(sandbox.state.pendingFor(diego.id)).toEqual({ approvalIds: [], reviewDecisionIds: [] });
    const reviewed = await get<Collection<unknown>>(
      sandbox,
      `/v1.0${REVIEWS}/definitions/filterByCurrentUser(on='reviewer')`,
      asDiego,
    );
    expect(reviewed.body.value).toEqual([]);
    const all = await get<Collection<{ id: string; createdBy: { id: string } }>>(
      sandbox,
      `/v1.0${REVIEWS}/definitions`,
      asDiego,
    );
    expect(all.body.value.map((definition) => definition.id).sort()).toEqual(
      Object.values(DEMO_IDS.review)
        .map((review) => review.definitionId)
        .sort(),
    );
    expect(all.body.value.every((definition) => definition.createdBy.id === diego.id)).toBe(true);
    expect((await get(sandbox, `/v1.0${REVIEWS}/definitions`)).status).toBe(403);
  });

  it('names the stages of its multi-stage access package requests', async () => {
    const A = DEMO_IDS.accessPackage;
    const multi = [A.marketingTwoStage, A.supplierExtranetGuest];
    for (const id of Object.values(A)) {
      const stages = sandbox.state.approval(id)?.stages ?? [];
      if (multi.includes(id)) expect(stages.every((stage) => stage.displayName !== null)).toBe(true);
      else expect(stages).toHaveLength(1);
    }
    const approval = await get<ApprovalJson>(sandbox, `/beta${EM_APPROVALS}/${A.supplierExtranetGuest}`);
    expect(approval.body.steps?.map((step) => step.displayName)).toEqual([
      'Sponsor approval',
      'Supplier manager approval',
    ]);
    expect(sandbox.state.approval(A.marketingTwoStage)?.stages.map((stage) => stage.displayName)).toEqual([
      'Manager approval',
      'Marketing lead approval',
    ]);
  });

  it('has a guest requestor or principal of each kind, rendered with the #EXT# name and their own mail', async () => {
    const { kat, ravi, sofia, ben } = DEMO_GUESTS;
    for (const guest of [kat, ravi, sofia, ben]) {
      expect(guest.userType).toBe('Guest');
      expect(guest.userPrincipalName).toBe(`${guest.mail.replace('@', '_')}#EXT#@contoso.onmicrosoft.com`);
    }
    const request = await get<{ requestor: { principalName: string; email: string; subjectType: string } }>(
      sandbox,
      `/v1.0${EM}/assignmentRequests/${DEMO_IDS.accessPackage.supplierExtranetGuest}?$expand=requestor`,
    );
    expect(request.body.requestor).toMatchObject({
      principalName: 'ravi.patel_northwind.example#EXT#@contoso.onmicrosoft.com',
      email: 'ravi.patel@northwind.example',
      subjectType: 'user',
    });
    const group = await get<Collection<{ id: string; principal: { userType: string; mail: string } }>>(
      sandbox,
      `/v1.0${PIM_GROUPS}/assignmentScheduleRequests/filterByCurrentUser(on='approver')?$expand=principal`,
    );
    expect(
      group.body.value.find((item) => item.id === DEMO_IDS.pimGroup.falconContributorsGuest)?.principal,
    ).toMatchObject({ userType: 'Guest', mail: ben.mail });
    const role = await get<Collection<{ id: string; principal: { userPrincipalName: string } }>>(
      sandbox,
      `/v1.0${ROLE_REQUESTS}/filterByCurrentUser(on='approver')?$expand=principal`,
    );
    expect(
      role.body.value.find((item) => item.id === DEMO_IDS.pimRole.globalReaderGuest)?.principal,
    ).toMatchObject({
      userPrincipalName: sofia.userPrincipalName,
    });
    const V = DEMO_IDS.review.guestsProjectFalcon;
    const items = await get<Collection<DecisionJson>>(
      sandbox,
      `/v1.0${REVIEWS}/definitions/${V.definitionId}/instances/${V.instanceId}/decisions/filterByCurrentUser(on='reviewer')`,
    );
    expect(items.body.value.map((item) => item.principal.userPrincipalName)).toEqual(
      [kat, ravi, sofia, ben].map((guest) => guest.userPrincipalName),
    );
  });

  it("starts the 'empty' tenant with the same people and nothing pending", async () => {
    const empty = await startSandbox({ tenant: 'empty' });
    try {
      expect(empty.state.pendingFor(DEMO_USERS.alex.id)).toEqual({ approvalIds: [], reviewDecisionIds: [] });
      const response = await get<Collection<unknown>>(
        empty,
        `/v1.0${EM}/assignmentRequests/filterByCurrentUser(on='approver')`,
      );
      expect(response.body.value).toEqual([]);
    } finally {
      await empty.close();
    }
  });
});
