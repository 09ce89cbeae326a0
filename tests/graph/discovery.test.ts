import type { PendingItem } from '../../src/domain';
import { DEMO_IDS } from '../../src/sandbox';
import { graphUnderTest } from './support';

describe('discovery of what waits on an approver', () => {
  it('finds every kind in the demo tenant for Alex, with what the card needs', async () => {
    const { sandbox, as } = await graphUnderTest({ tenant: 'demo' });
    try {
      const { items, problems } = await as(sandbox.users.alex.id).discoverPending();
      expect(problems).toEqual([]);
      const kinds = new Set(items.map((i) => i.kind));
      expect(kinds).toEqual(new Set(['accessPackage', 'pimGroup', 'pimRole', 'accessReview']));

      const marketing = items.find(
        (i): i is Extract<PendingItem, { kind: 'accessPackage' }> =>
          i.kind === 'accessPackage' && i.target.approvalId === DEMO_IDS.accessPackage.marketingTwoStage,
      );
      expect(marketing).toMatchObject({
        accessPackage: { displayName: 'Marketing campaign tools' },
        stageNumber: 1,
        stageCount: 2,
        justification: expect.stringContaining('campaign'),
        requestor: { displayName: expect.any(String) },
      });

      const role = items.find(
        (i) => i.kind === 'pimRole' && i.target.approvalId === DEMO_IDS.pimRole.userAdministratorTenant,
      );
      expect(role).toMatchObject({
        role: { displayName: 'User Administrator' },
        directoryScopeId: '/',
        target: { api: 'beta' },
      });

      const multi = items.find(
        (i): i is Extract<PendingItem, { kind: 'accessReview' }> =>
          i.kind === 'accessReview' && i.target.instanceId === DEMO_IDS.review.salesAppMultiStage.instanceId,
      );
      expect(multi?.target.stageId).toBe(DEMO_IDS.review.salesAppMultiStage.stageIds[1]);
      expect(multi?.stageNumber).toBe(2);

      const justified = items.find(
        (i) =>
          i.kind === 'accessReview' &&
          i.target.instanceId === DEMO_IDS.review.financeAdminsJustified.instanceId,
      );
      expect(justified).toMatchObject({ justificationRequired: true });

      // Everything found is decidable by Alex: the stage is assigned to Alex and in progress.
      for (const item of items) if (item.kind !== 'accessReview') expect(item.stageStatus).toBe('InProgress');
    } finally {
      await sandbox.close();
    }
  });

  it('does not list what another approver already decided', async () => {
    const { sandbox, as } = await graphUnderTest({ tenant: 'empty' });
    try {
      const { alex, megan, adele } = sandbox.users;
      const seeded = sandbox.seed.accessPackageRequest({
        requestor: adele.id,
        accessPackage: { displayName: 'Finance reports' },
        stages: [{ approvers: [alex.id, megan.id] }],
      });
      expect((await as(alex.id).discoverPending()).items).toHaveLength(1);
      sandbox.decideAs(megan.id, {
        approvalId: seeded.approvalId,
        stageId: seeded.stageIds[0] as string,
        reviewResult: 'Approve',
      });
      expect((await as(alex.id).discoverPending()).items).toHaveLength(0);
    } finally {
      await sandbox.close();
    }
  });

  it('pages through 1,000 pending access package requests in 10 Graph requests', async () => {
    const { sandbox, as } = await graphUnderTest({ tenant: 'empty', pageSize: 100 });
    try {
      const alex = sandbox.users.alex.id;
      sandbox.seed.bulk({ kind: 'accessPackage', count: 1000, approver: alex });
      sandbox.clearRequests();

      const discovery = await as(alex).discoverPending(['accessPackage']);

      expect(discovery.items).toHaveLength(1000);
      expect(
        new Set(discovery.items.map((i) => i.target.kind === 'accessPackage' && i.target.approvalId)).size,
      ).toBe(1000);
      const topLevel = sandbox.requests.filter((r) => !r.batched);
      // Round 1: the first pages of requests and approvals in one $batch; rounds 2-10: the next pages.
      expect(topLevel).toHaveLength(10);
      expect(topLevel.every((r) => r.method === 'POST' && r.path === '/$batch')).toBe(true);
      expect(discovery.graphRequests).toBe(10);
      expect(sandbox.requests.filter((r) => r.batched)).toHaveLength(20);
    } finally {
      await sandbox.close();
    }
  });

  // Graph's default page size is 100 for these collections (docs/graph-contract.md §2.4); the sandbox's too.
  it.each([
    // Requests and approvals: 10 pages of each, two per $batch round.
    ['accessPackage', 10, 20],
    ['pimGroup', 10, 20],
    // Requests page as above; each role approval is read by id (beta only), 20 to a $batch.
    ['pimRole', 10 + 50, 10 + 1000],
  ] as const)(
    'discovers 1,000 pending %s items at the default page size in %d Graph requests',
    async (kind, requests, inner) => {
      const { sandbox, as } = await graphUnderTest({ tenant: 'empty' });
      try {
        const alex = sandbox.users.alex.id;
        sandbox.seed.bulk({ kind, count: 1000, approver: alex });
        sandbox.clearRequests();
        const discovery = await as(alex).discoverPending([kind]);
        expect(discovery.items).toHaveLength(1000);
        process.stdout.write(
          `discovery of 1,000 ${kind} items: ${discovery.graphRequests} HTTP requests (${sandbox.requests.filter((r) => r.batched).length} inside $batch)\n`,
        );
        expect(discovery.graphRequests).toBe(requests);
        expect(sandbox.requests.filter((r) => !r.batched)).toHaveLength(requests);
        expect(sandbox.requests.filter((r) => r.batched)).toHaveLength(inner);
      } finally {
        await sandbox.close();
      }
    },
  );

  it('discovers 1,000 pending items of one access review at the default page size in 12 Graph requests', async () => {
    const { sandbox, as } = await graphUnderTest({ tenant: 'empty' });
    try {
      const alex = sandbox.users.alex.id;
      sandbox.seed.accessReview({
        displayName: 'Guests of the partner portal',
        reviewers: [alex],
        decisions: Array.from({ length: 1000 }, (_, i) => ({
          principal: { displayName: `Guest ${i}`, userType: 'Guest' as const },
          recommendation: 'Deny' as const,
        })),
      });
      sandbox.clearRequests();
      const discovery = await as(alex).discoverPending(['accessReview']);
      expect(discovery.items).toHaveLength(1000);
      process.stdout.write(
        `discovery of 1,000 accessReview items: ${discovery.graphRequests} HTTP requests (${sandbox.requests.filter((r) => r.batched).length} inside $batch)\n`,
      );
      // The definitions, then the instance, then ten pages of decision items: one $batch round each.
      expect(discovery.graphRequests).toBe(12);
    } finally {
      await sandbox.close();
    }
  });

  it('costs one request for an approver with nothing pending, all kinds together', async () => {
    const { sandbox, as } = await graphUnderTest({ tenant: 'empty' });
    try {
      const discovery = await as(sandbox.users.lynne.id).discoverPending();
      expect(discovery.items).toEqual([]);
      expect(discovery.graphRequests).toBe(1);
      expect(sandbox.requests.filter((r) => r.batched)).toHaveLength(6);
    } finally {
      await sandbox.close();
    }
  });

  it('retries an inner 429 of a $batch after its Retry-After', async () => {
    const { sandbox, as } = await graphUnderTest({ tenant: 'empty' });
    try {
      const { alex, adele } = sandbox.users;
      sandbox.seed.pimGroupRequest({
        principal: adele.id,
        group: { displayName: 'Finance admins' },
        approvers: [alex.id],
      });
      sandbox.faults.inject({
        batched: true,
        pathIncludes: 'assignmentScheduleRequests',
        status: 429,
        retryAfterSeconds: 1,
      });
      const discovery = await as(alex.id).discoverPending(['pimGroup']);
      expect(discovery.problems).toEqual([]);
      expect(discovery.items).toHaveLength(1);
      const inner = sandbox.requests.filter(
        (r) => r.batched && r.path.includes('assignmentScheduleRequests'),
      );
      expect(inner.map((r) => r.status)).toEqual([429, 200]);
    } finally {
      await sandbox.close();
    }
  });

  it('reports a kind it could not read and still returns the others', async () => {
    const { sandbox, as } = await graphUnderTest({ tenant: 'empty' });
    try {
      const { alex, adele } = sandbox.users;
      sandbox.seed.pimGroupRequest({
        principal: adele.id,
        group: { displayName: 'Finance admins' },
        approvers: [alex.id],
      });
      sandbox.seed.pimRoleRequest({
        principal: adele.id,
        role: { displayName: 'User Administrator' },
        approvers: [alex.id],
      });
      const discovery = await as(alex.id, {
        scopes: [
          'PrivilegedAssignmentSchedule.ReadWrite.AzureADGroup',
          'EntitlementManagement.ReadWrite.All',
          'AccessReview.ReadWrite.All',
        ],
      }).discoverPending();
      expect(discovery.items.map((i) => i.kind)).toEqual(['pimGroup']);
      expect(discovery.problems.map((p) => p.failure.kind)).toContain('forbidden');
    } finally {
      await sandbox.close();
    }
  });
});
