import type { Sandbox } from '../../src/sandbox';
import { DEMO_IDS, DEMO_TENANT_ID, DEMO_USERS, startSandbox } from '../../src/sandbox';
import type { Collection } from './support';
import { EM, REVIEWS, get } from './support';

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
      ...Object.values(DEMO_USERS).map((user) => user.id),
    ]) {
      expect(id).toMatch(GUID);
    }
  });

  it('gives Alex pending items of every kind', () => {
    const pending = sandbox.state.pendingFor(DEMO_USERS.alex.id);
    const kinds = pending.approvalIds.map((id) => sandbox.state.approval(id)?.kind);
    expect(kinds.filter((kind) => kind === 'accessPackage')).toHaveLength(5);
    expect(kinds.filter((kind) => kind === 'pimGroup')).toHaveLength(2);
    expect(kinds.filter((kind) => kind === 'pimRole')).toHaveLength(2);
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
