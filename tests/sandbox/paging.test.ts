import type { Sandbox } from '../../src/sandbox';
import { startSandbox } from '../../src/sandbox';
import type { Collection, DecisionJson } from './support';
import { EM, EM_APPROVALS, PIM_GROUPS, REVIEWS, allPages, get } from './support';

describe('sandbox paging', () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await startSandbox({ tenant: 'empty' });
    sandbox.seed.bulk({ kind: 'accessPackage', count: 250, approver: sandbox.users.alex.id });
  });
  afterAll(() => sandbox.close());

  const requests = `/v1.0${EM}/assignmentRequests/filterByCurrentUser(on='approver')`;

  it('pages 250 items by 100 with absolute nextLinks back to the sandbox', async () => {
    const first = await get<Collection<{ id: string }>>(sandbox, requests);
    expect(first.body.value).toHaveLength(100);
    const next = first.body['@odata.nextLink'] ?? '';
    expect(
      next.startsWith(
        `${sandbox.url}/v1.0/identityGovernance/entitlementManagement/assignmentRequests/filterByCurrentUser(on='approver')?`,
      ),
    ).toBe(true);
    expect(next).toContain('$skiptoken=');
    expect(first.body['@odata.context']).toBe(
      `${sandbox.url}/v1.0/$metadata#Collection(microsoft.graph.accessPackageAssignmentRequest)`,
    );

    const { items, pages } = await allPages<{ id: string }>(sandbox, requests);
    expect(pages).toBe(3);
    expect(new Set(items.map((item) => item.id)).size).toBe(250);
  });

  it('uses $top as the page size and keeps the other options in the nextLink', async () => {
    const path = `/v1.0${EM_APPROVALS}/filterByCurrentUser(on='approver')?$expand=stages&$top=60`;
    const first = await get<Collection<{ id: string; stages?: unknown[] }>>(sandbox, path);
    expect(first.body.value).toHaveLength(60);
    expect(first.body['@odata.nextLink']).toContain('$top=60');
    expect(first.body['@odata.nextLink']).toContain('$expand=stages');
    const { items, pages } = await allPages<{ id: string; stages?: unknown[] }>(sandbox, path);
    expect(pages).toBe(5);
    expect(items).toHaveLength(250);
    expect(items.every((item) => Array.isArray(item.stages))).toBe(true);
  });

  it('keeps $filter across pages and reports @odata.count when asked', async () => {
    const path = `/v1.0${EM}/assignmentRequests/filterByCurrentUser(on='approver')?$filter=state eq 'pendingApproval'&$count=true&$top=100`;
    const first = await get<Collection<{ id: string }>>(sandbox, path);
    expect(first.body['@odata.count']).toBe(250);
    const { items } = await allPages(sandbox, path);
    expect(items).toHaveLength(250);
    const none = await get<Collection<unknown>>(sandbox, path.replace('pendingApproval', 'denied'));
    expect(none.body.value).toHaveLength(0);
    expect(none.body['@odata.nextLink']).toBeUndefined();
  });

  it('honours the pageSize option', async () => {
    const small = await startSandbox({ tenant: 'empty', pageSize: 40 });
    try {
      small.seed.bulk({ kind: 'pimGroup', count: 90, approver: small.users.alex.id });
      const { pages, items } = await allPages(
        small,
        `/v1.0${PIM_GROUPS}/assignmentScheduleRequests/filterByCurrentUser(on='approver')`,
      );
      expect([pages, items.length]).toEqual([3, 90]);
    } finally {
      await small.close();
    }
  });

  it('pages access review items with $top and $skip', async () => {
    const review = sandbox.seed.accessReview({
      displayName: 'Big review',
      reviewers: [sandbox.users.alex.id],
      decisions: Array.from({ length: 250 }, (_, index) => ({
        principal: { displayName: `Guest ${index}`, userType: 'Guest' as const },
      })),
    });
    const path = `/v1.0${REVIEWS}/definitions/${review.definitionId}/instances/${review.instanceId}/decisions/filterByCurrentUser(on='reviewer')`;
    const skipped = await get<Collection<DecisionJson>>(sandbox, `${path}?$top=100&$skip=200`);
    expect(skipped.body.value.map((item) => item.principal.displayName)).toEqual(
      Array.from({ length: 50 }, (_, index) => `Guest ${200 + index}`),
    );
    expect(skipped.body['@odata.nextLink']).toBeUndefined();
    const { items, pages } = await allPages<DecisionJson>(
      sandbox,
      `${path}?$filter=decision eq 'NotReviewed'`,
    );
    expect([items.length, pages]).toEqual([250, 3]);
  });

  it('answers 400 for a bad $top or $skiptoken', async () => {
    expect((await get(sandbox, `${requests}?$top=-1`)).status).toBe(400);
    expect((await get(sandbox, `${requests}?$top=ten`)).status).toBe(400);
    expect((await get(sandbox, `${requests}?$skiptoken=garbage`)).status).toBe(400);
  });

  it('seeds 1,000 items for one approver well under a second', () => {
    const other = Date.now();
    const seeded = sandbox.seed.bulk({
      kind: 'accessPackage',
      count: 1000,
      approver: sandbox.users.megan.id,
    });
    expect(seeded).toHaveLength(1000);
    expect(Date.now() - other).toBeLessThan(1000);
    expect(sandbox.state.pendingFor(sandbox.users.megan.id).approvalIds).toHaveLength(1000);
  });
});
