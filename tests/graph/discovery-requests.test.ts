import type { PendingItem } from '../../src/domain';
import { createGovernanceClient } from '../../src/graph';
import type { SandboxUser } from '../../src/sandbox';
import { graphUnderTest } from './support';

const CREATED = '2026-12-01T08:30:00.000Z';
const COST_CENTRE_UNIT = '5d1f4c7e-2b8a-4e39-9c61-0a7f3e2d9b14';

/** A person as Graph's expanded requestor or principal shows a directory user. */
const personOf = (user: SandboxUser) => ({
  id: user.id,
  displayName: user.displayName,
  userPrincipalName: user.userPrincipalName,
  mail: user.mail,
});

const approvalIdOf = (item: PendingItem): string =>
  item.kind === 'accessReview' ? item.target.decisionId : item.target.approvalId;

describe('discovery of pending requests', () => {
  it('describes an access package, a group and a role request as Graph holds them', async () => {
    const { sandbox, as } = await graphUnderTest({ tenant: 'empty' });
    try {
      const { alex, adele, megan } = sandbox.users;
      const em = sandbox.seed.accessPackageRequest({
        requestor: adele.id,
        accessPackage: {
          id: '0b6f2a3c-8d41-4e57-a9c2-7e1d5f3b6a90',
          displayName: 'Marketing campaign tools',
          description: 'Canva, Hootsuite and the campaign SharePoint site',
        },
        justification: 'Spring campaign starts Monday',
        answers: [
          { question: 'Which cost centre?', answer: 'Marketing EMEA' },
          { question: 'Which region?', answer: 'Western Europe', kind: 'choice', value: 'weu' },
        ],
        schedule: {
          startDateTime: '2026-12-04T09:00:00.000Z',
          expiration: { type: 'afterDateTime', endDateTime: '2027-03-31T00:00:00.000Z' },
        },
        requestType: 'userAdd',
        createdDateTime: CREATED,
        stages: [{ approvers: [alex.id], displayName: 'Manager approval' }, { approvers: [megan.id] }],
      });
      const group = sandbox.seed.pimGroupRequest({
        principal: adele.id,
        group: { id: '3c9e5b1a-6f24-4d8b-b7e0-2a4c6e8f1d35', displayName: 'Finance admins' },
        accessId: 'owner',
        justification: 'Quarter-end close',
        ticket: { ticketNumber: 'CHG-1042', ticketSystem: 'ServiceNow' },
        approverJustificationRequired: true,
        approvers: [alex.id],
        createdDateTime: CREATED,
      });
      const role = sandbox.seed.pimRoleRequest({
        principal: adele.id,
        role: { displayName: 'User Administrator' },
        directoryScopeId: `/administrativeUnits/${COST_CENTRE_UNIT}`,
        action: 'selfActivate',
        justification: 'Onboarding the new interns',
        approvers: [alex.id],
        createdDateTime: CREATED,
      });

      const discovery = await as(alex.id).discoverPending(['accessPackage', 'pimGroup', 'pimRole']);

      expect(discovery.problems).toEqual([]);
      expect(discovery.items).toEqual([
        {
          kind: 'accessPackage',
          target: { kind: 'accessPackage', approvalId: em.approvalId, stageId: em.stageIds[0], api: 'v1.0' },
          stageNumber: 1,
          stageCount: 2,
          stageStatus: 'InProgress',
          stageName: 'Manager approval',
          justificationRequired: false,
          requestor: personOf(adele),
          accessPackage: {
            id: '0b6f2a3c-8d41-4e57-a9c2-7e1d5f3b6a90',
            displayName: 'Marketing campaign tools',
            description: 'Canva, Hootsuite and the campaign SharePoint site',
          },
          requestType: 'userAdd',
          justification: 'Spring campaign starts Monday',
          // A choice answer shows its displayValue, not the choice's value.
          answers: [
            { question: 'Which cost centre?', answer: 'Marketing EMEA' },
            { question: 'Which region?', answer: 'Western Europe' },
          ],
          schedule: {
            startDateTime: '2026-12-04T09:00:00.000Z',
            duration: null,
            endDateTime: '2027-03-31T00:00:00.000Z',
            expirationType: 'afterDateTime',
          },
          createdDateTime: CREATED,
        },
        {
          kind: 'pimGroup',
          target: { kind: 'pimGroup', approvalId: group.approvalId, stageId: group.stageIds[0], api: 'v1.0' },
          stageNumber: 1,
          stageCount: 1,
          stageStatus: 'InProgress',
          stageName: null,
          // The policy's flag is not visible to an approver; the bot learns it from a refused decision.
          justificationRequired: false,
          requestId: group.requestId,
          principal: personOf(adele),
          action: 'selfActivate',
          justification: 'Quarter-end close',
          ticket: { number: 'CHG-1042', system: 'ServiceNow' },
          schedule: {
            startDateTime: CREATED,
            duration: 'PT8H',
            endDateTime: null,
            expirationType: 'afterDuration',
          },
          createdDateTime: CREATED,
          group: { id: '3c9e5b1a-6f24-4d8b-b7e0-2a4c6e8f1d35', displayName: 'Finance admins' },
          accessId: 'owner',
        },
        {
          kind: 'pimRole',
          target: { kind: 'pimRole', approvalId: role.approvalId, stageId: role.stageIds[0], api: 'beta' },
          stageNumber: 1,
          stageCount: 1,
          stageStatus: 'InProgress',
          stageName: null,
          justificationRequired: false,
          requestId: role.requestId,
          principal: personOf(adele),
          action: 'selfActivate',
          justification: 'Onboarding the new interns',
          ticket: { number: null, system: null },
          schedule: {
            startDateTime: CREATED,
            duration: 'PT8H',
            endDateTime: null,
            expirationType: 'afterDuration',
          },
          createdDateTime: CREATED,
          // User Administrator's built-in template id.
          role: { id: 'fe930be7-5e62-47db-91af-98c3a49a38b1', displayName: 'User Administrator' },
          directoryScopeId: `/administrativeUnits/${COST_CENTRE_UNIT}`,
        },
      ]);
      // One v1.0 $batch of the five lists, then one beta $batch for the role approval (beta only).
      expect(discovery.graphRequests).toBe(2);
    } finally {
      await sandbox.close();
    }
  });

  it('reads the approvals one by one and names requests from their own ids when the lists ignore $expand', async () => {
    const { sandbox, as } = await graphUnderTest({ tenant: 'empty', filterByCurrentUserExpand: 'ignored' });
    try {
      const { alex, adele } = sandbox.users;
      const em = sandbox.seed.accessPackageRequest({
        requestor: adele.id,
        accessPackage: { displayName: 'Marketing campaign tools' },
        stages: [{ approvers: [alex.id] }],
      });
      const group = sandbox.seed.pimGroupRequest({
        principal: adele.id,
        group: { id: '3c9e5b1a-6f24-4d8b-b7e0-2a4c6e8f1d35', displayName: 'Finance admins' },
        approvers: [alex.id],
      });
      const role = sandbox.seed.pimRoleRequest({
        principal: adele.id,
        role: { displayName: 'User Administrator' },
        approvers: [alex.id],
      });
      sandbox.clearRequests();

      const discovery = await as(alex.id).discoverPending(['accessPackage', 'pimGroup', 'pimRole']);

      expect(discovery.problems).toEqual([]);
      expect(discovery.items.map((i) => [i.kind, approvalIdOf(i)])).toEqual([
        ['accessPackage', em.approvalId],
        ['pimGroup', group.approvalId],
        ['pimRole', role.approvalId],
      ]);
      // Without the expansions Graph still sends the request's own ids; names fall back to the kind's words.
      expect(discovery.items[0]).toMatchObject({
        requestor: { id: null, displayName: 'Unknown requestor' },
        accessPackage: { id: null, displayName: 'Access package', description: '' },
      });
      expect(discovery.items[1]).toMatchObject({
        principal: { id: adele.id, displayName: 'Unknown user' },
        group: { id: '3c9e5b1a-6f24-4d8b-b7e0-2a4c6e8f1d35', displayName: 'Group' },
        target: { stageId: group.stageIds[0] },
      });
      expect(discovery.items[2]).toMatchObject({
        principal: { id: adele.id, displayName: 'Unknown user' },
        role: { id: 'fe930be7-5e62-47db-91af-98c3a49a38b1', displayName: 'Directory role' },
        target: { stageId: role.stageIds[0] },
      });
      expect(
        sandbox.requests
          .filter((r) => r.batched && /Approvals\/[0-9a-f-]{36}$/i.test(r.path))
          .map((r) => [r.version, r.path.split('/').slice(-2).join('/'), r.query.$expand]),
      ).toEqual([
        ['v1.0', `accessPackageAssignmentApprovals/${em.approvalId}`, 'stages'],
        ['v1.0', `assignmentApprovals/${group.approvalId}`, 'stages'],
        ['beta', `roleAssignmentApprovals/${role.approvalId}`, 'steps'],
      ]);
      // The lists, then one $batch of approvals per kind.
      expect(discovery.graphRequests).toBe(4);
    } finally {
      await sandbox.close();
    }
  });

  it('offers only what the approver can decide: GUID ids and a stage that waits on them', async () => {
    const { sandbox, as } = await graphUnderTest({ tenant: 'empty' });
    try {
      const { alex, adele, megan } = sandbox.users;
      const mine = [{ approvers: [alex.id] }];
      // Decision paths are built from GUIDs only, so an id that is not one could never be decided.
      sandbox.seed.accessPackageRequest({
        id: 'marketing-request-1',
        requestor: adele.id,
        accessPackage: { displayName: 'Marketing campaign tools' },
        stages: mine,
      });
      sandbox.seed.accessPackageRequest({
        requestor: adele.id,
        accessPackage: { displayName: 'Sales dashboards' },
        stages: mine,
        stageIds: ['manager-stage'],
      });
      sandbox.seed.pimGroupRequest({
        id: 'finance-admins-request',
        principal: adele.id,
        group: { displayName: 'Finance admins' },
        approvers: [alex.id],
        // A GUID stage, so that only the approval id stands in the way (a lone PIM stage takes the approval's id).
        stageIds: ['7a3d9f0e-41c2-4b6a-8e15-c2d4f6a8b0e3'],
      });
      sandbox.seed.pimGroupRequest({
        principal: adele.id,
        group: { displayName: 'Payroll admins' },
        stages: mine,
        stageIds: ['owner-stage'],
      });
      // Alex approves the second stage only; the first, Megan's, is in progress.
      sandbox.seed.pimGroupRequest({
        principal: adele.id,
        group: { displayName: 'Treasury admins' },
        stages: [{ approvers: [megan.id] }, { approvers: [alex.id] }],
      });
      sandbox.seed.pimRoleRequest({
        principal: adele.id,
        role: { displayName: 'Exchange Administrator' },
        stages: mine,
        stageIds: ['security-step'],
      });
      const decidable = [
        sandbox.seed.accessPackageRequest({
          requestor: adele.id,
          accessPackage: { displayName: 'Travel booking' },
          stages: mine,
        }),
        sandbox.seed.pimGroupRequest({
          principal: adele.id,
          group: { displayName: 'Helpdesk' },
          approvers: [alex.id],
        }),
        sandbox.seed.pimRoleRequest({
          principal: adele.id,
          role: { displayName: 'Global Reader' },
          approvers: [alex.id],
        }),
      ];

      const discovery = await as(alex.id).discoverPending(['accessPackage', 'pimGroup', 'pimRole']);

      expect(discovery.problems).toEqual([]);
      expect(discovery.items.map((i) => approvalIdOf(i))).toEqual(decidable.map((d) => d.approvalId));
    } finally {
      await sandbox.close();
    }
  });

  it('leaves out an approval Graph cannot find yet and reports one it could not read', async () => {
    const { sandbox, as } = await graphUnderTest({ tenant: 'empty', filterByCurrentUserExpand: 'ignored' });
    try {
      const { alex, adele } = sandbox.users;
      const mine = [{ approvers: [alex.id] }];
      // Just created: the lists show it, a Get by id answers 404 until the directory has replicated.
      const young = { consistencyLagMs: 3_600_000 };
      const seeds = {
        accessPackage: (name: string, extra = {}) =>
          sandbox.seed.accessPackageRequest({
            requestor: adele.id,
            accessPackage: { displayName: name },
            stages: mine,
            ...extra,
          }),
        pimGroup: (name: string, extra = {}) =>
          sandbox.seed.pimGroupRequest({
            principal: adele.id,
            group: { displayName: name },
            stages: mine,
            ...extra,
          }),
        pimRole: (name: string, extra = {}) =>
          sandbox.seed.pimRoleRequest({
            principal: adele.id,
            role: { displayName: name },
            stages: mine,
            ...extra,
          }),
      };
      const found: string[] = [];
      const failing: Record<string, string> = {};
      for (const [kind, seed] of Object.entries(seeds)) {
        seed(`${kind} just created`, young);
        failing[kind] = seed(`${kind} unreadable`).approvalId;
        found.push(seed(`${kind} ready`).approvalId);
        sandbox.faults.inject({ batched: true, pathIncludes: `Approvals/${failing[kind]}`, status: 503 });
      }

      const discovery = await as(alex.id).discoverPending(['accessPackage', 'pimGroup', 'pimRole']);

      expect(discovery.items.map((i) => approvalIdOf(i))).toEqual(found);
      const unavailable = expect.objectContaining({ kind: 'unavailable', status: 503 });
      expect(discovery.problems).toEqual([
        { source: 'emApproval', failure: unavailable },
        { source: 'pimGroupApproval', failure: unavailable },
        { source: 'pimRoleApproval', failure: unavailable },
      ]);
    } finally {
      await sandbox.close();
    }
  });

  it('refuses a nextLink outside its Graph service root and offers nothing of a list it could not finish', async () => {
    const { sandbox } = await graphUnderTest({ tenant: 'empty', pageSize: 1 });
    try {
      const { alex, adele } = sandbox.users;
      for (const n of [1, 2]) {
        sandbox.seed.accessPackageRequest({
          requestor: adele.id,
          accessPackage: { displayName: `Package ${n}` },
          stages: [{ approvers: [alex.id] }],
        });
        sandbox.seed.pimGroupRequest({
          principal: adele.id,
          group: { displayName: `Group ${n}` },
          approvers: [alex.id],
        });
        sandbox.seed.pimRoleRequest({
          principal: adele.id,
          role: { displayName: 'Global Reader' },
          approvers: [alex.id],
        });
      }
      // Definitions are read 100 to a page whatever the sandbox's page size.
      for (let n = 1; n <= 101; n++)
        sandbox.seed.accessReview({
          displayName: `Review ${n}`,
          reviewers: [alex.id],
          decisions: [{ principal: adele.id }],
        });
      // The same sandbox under another host name: its nextLinks name 127.0.0.1, which is not this root.
      const root = sandbox.url.replace('127.0.0.1', 'localhost');
      const client = createGovernanceClient({ cloud: 'Global', baseUrl: root });
      sandbox.clearRequests();

      const discovery = await client
        .asUser({ token: sandbox.tokenFor(alex.id), userId: alex.id })
        .discoverPending();

      expect(discovery.items).toEqual([]);
      const refused = {
        kind: 'invalid',
        view: 'caller',
        reachedGraph: true,
        problems: ['Refused to follow a nextLink outside the Graph service root'],
        requestId: expect.any(String),
      };
      expect(discovery.problems).toEqual(
        [
          'emRequests',
          'emApprovals',
          'pimGroupRequests',
          'pimGroupApprovals',
          'pimRoleRequests',
          'reviewDefinitions',
        ].map((source) => ({ source, failure: refused })),
      );
      expect(sandbox.requests.filter((r) => !r.batched)).toHaveLength(1);
      expect(discovery.graphRequests).toBe(1);
    } finally {
      await sandbox.close();
    }
  });

  it('counts only its own Graph requests when the same client discovers again', async () => {
    const { sandbox, as } = await graphUnderTest({ tenant: 'empty' });
    try {
      const lynne = as(sandbox.users.lynne.id);
      expect((await lynne.discoverPending()).graphRequests).toBe(1);
      expect((await lynne.discoverPending()).graphRequests).toBe(1);
      expect(sandbox.requests.filter((r) => !r.batched)).toHaveLength(2);
    } finally {
      await sandbox.close();
    }
  });
});
