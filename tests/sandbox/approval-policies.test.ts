import type { Sandbox, SandboxOptions, SeededApproval } from '../../src/sandbox';
import { APPROVER_JUSTIFICATION_MESSAGES, startSandbox } from '../../src/sandbox';
import type { ApprovalJson, Collection, GraphErrorBody, StageJson } from './support';
import { EM_APPROVALS, PIM_GROUP_APPROVALS, ROLE_APPROVALS, approve, get, patch } from './support';

/** One path family per approval kind, with the version each serves (graph-contract.md §1.1, G1). */
const FAMILIES = [
  { kind: 'accessPackage', version: 'v1.0', root: EM_APPROVALS, children: 'stages' },
  { kind: 'accessPackage', version: 'beta', root: EM_APPROVALS, children: 'steps' },
  { kind: 'pimGroup', version: 'v1.0', root: PIM_GROUP_APPROVALS, children: 'stages' },
  { kind: 'pimGroup', version: 'beta', root: PIM_GROUP_APPROVALS, children: 'steps' },
  { kind: 'pimRole', version: 'beta', root: ROLE_APPROVALS, children: 'steps' },
] as const;
type Family = (typeof FAMILIES)[number];

function seedOf(sandbox: Sandbox, family: Family, stage: { approvers: string[] } & Record<string, unknown>) {
  const principal = sandbox.users.isaiah.id;
  switch (family.kind) {
    case 'accessPackage':
      return sandbox.seed.accessPackageRequest({
        requestor: principal,
        accessPackage: { displayName: 'Finance reporting' },
        stages: [stage],
      });
    case 'pimGroup':
      return sandbox.seed.pimGroupRequest({
        principal,
        group: { displayName: 'Finance admins' },
        stages: [stage],
      });
    case 'pimRole':
      return sandbox.seed.pimRoleRequest({
        principal,
        role: { displayName: 'Global Reader' },
        stages: [stage],
      });
  }
}

const paths = (family: Family, seeded: SeededApproval) => {
  const approval = `/${family.version}${family.root}/${seeded.approvalId}`;
  const stage = `${approval}/${family.children}/${seeded.stageIds[0] ?? ''}`;
  return {
    approval,
    expanded: `${approval}?$expand=${family.children}`,
    list: `${approval}/${family.children}`,
    stage,
  };
};

async function withSandbox(options: SandboxOptions, run: (sandbox: Sandbox) => Promise<void>): Promise<void> {
  const sandbox = await startSandbox({ tenant: 'empty', ...options });
  try {
    await run(sandbox);
  } finally {
    await sandbox.close();
  }
}

describe('sandbox approvals: reads by someone who is not an approver (nonApproverRead)', () => {
  it.each(FAMILIES)('answers 403 by default on $kind $version', async (family) => {
    await withSandbox({}, async (sandbox) => {
      const seeded = seedOf(sandbox, family, { approvers: [sandbox.users.alex.id] });
      const { approval, expanded, list, stage } = paths(family, seeded);
      for (const path of [approval, expanded, list, stage]) {
        const response = await get<GraphErrorBody>(sandbox, path, { as: sandbox.users.adele.id });
        expect([path, response.status]).toEqual([path, 403]);
      }
      expect((await patch(sandbox, stage, approve, { as: sandbox.users.adele.id })).status).toBe(403);
    });
  });

  it.each(FAMILIES)(
    "answers the unknown-id 404 with nonApproverRead 'notFound' on $kind $version; the PATCH stays 403",
    async (family) => {
      await withSandbox({ nonApproverRead: 'notFound' }, async (sandbox) => {
        const seeded = seedOf(sandbox, family, { approvers: [sandbox.users.alex.id] });
        const { approval, expanded, list, stage } = paths(family, seeded);
        const unknownId = '6d2b6a0e-7c1f-4f0e-9b8a-fffffffffff2';
        const unknown = await get<GraphErrorBody>(sandbox, approval.replace(seeded.approvalId, unknownId));
        for (const path of [approval, expanded, list, stage]) {
          const response = await get<GraphErrorBody>(sandbox, path, { as: sandbox.users.adele.id });
          expect([path, response.status]).toEqual([path, 404]);
          // Indistinguishable from an id that does not exist.
          expect(response.body.error.code).toBe(unknown.body.error.code);
          expect(response.body.error.message).toBe(
            unknown.body.error.message.replace(unknownId, seeded.approvalId),
          );
        }
        const write = await patch<GraphErrorBody>(sandbox, stage, approve, { as: sandbox.users.adele.id });
        expect(write.status).toBe(403);
        expect(sandbox.state.approval(seeded.approvalId)?.outcome).toBe('pending');
        // Approvers still read it.
        expect((await get(sandbox, stage)).status).toBe(200);
      });
    },
  );
});

describe('sandbox approvals: stages that require an approver justification', () => {
  it.each(FAMILIES)(
    'answers 400 to Approve and Deny without a real justification on $kind $version',
    async (family) => {
      await withSandbox({}, async (sandbox) => {
        const seeded = seedOf(sandbox, family, {
          approvers: [sandbox.users.alex.id],
          approverJustificationRequired: true,
        });
        const { stage } = paths(family, seeded);
        for (const reviewResult of ['Approve', 'Deny']) {
          for (const body of [
            { reviewResult },
            { reviewResult, justification: null },
            { reviewResult, justification: '' },
            { reviewResult, justification: ' \t\n ' },
          ]) {
            const response = await patch<GraphErrorBody>(sandbox, stage, body);
            expect([JSON.stringify(body), response.status]).toEqual([JSON.stringify(body), 400]);
            expect(response.body.error.code).toBe('BadRequest');
            expect(response.body.error.message).toBe(APPROVER_JUSTIFICATION_MESSAGES.default);
            expect(response.body.error.innerError['request-id']).toEqual(expect.any(String));
          }
        }
        expect(sandbox.state.approval(seeded.approvalId)?.outcome).toBe('pending');
        expect(
          (await patch(sandbox, stage, { reviewResult: 'Deny', justification: 'Not on the project' })).status,
        ).toBe(204);
        expect(sandbox.state.approval(seeded.approvalId)).toMatchObject({
          outcome: 'denied',
          stages: [{ justification: 'Not on the project', approverJustificationRequired: true }],
        });
      });
    },
  );

  it('plays another wording, one without the word "justification"', async () => {
    const terse = APPROVER_JUSTIFICATION_MESSAGES.terse;
    expect(terse.toLowerCase()).not.toContain('justification');
    for (const message of [terse, 'Reason is required.']) {
      await withSandbox({ approverJustificationMessage: message }, async (sandbox) => {
        const seeded = seedOf(sandbox, FAMILIES[0], {
          approvers: [sandbox.users.alex.id],
          approverJustificationRequired: true,
        });
        const response = await patch<GraphErrorBody>(sandbox, paths(FAMILIES[0], seeded).stage, {
          reviewResult: 'Approve',
        });
        expect(response.status).toBe(400);
        expect(response.body.error).toMatchObject({ code: 'BadRequest', message });
        // decideAs answers the same status.
        expect(
          sandbox.decideAs(sandbox.users.alex.id, {
            approvalId: seeded.approvalId,
            stageId: seeded.stageIds[0] ?? '',
            reviewResult: 'Approve',
          }),
        ).toBe(400);
      });
    }
  });

  it('applies a request-level default to every stage that does not say otherwise', async () => {
    await withSandbox({}, async (sandbox) => {
      const { alex, megan } = sandbox.users;
      const seeded = sandbox.seed.accessPackageRequest({
        requestor: sandbox.users.isaiah.id,
        accessPackage: { displayName: 'Legal vault' },
        approverJustificationRequired: true,
        stages: [{ approvers: [alex.id], approverJustificationRequired: false }, { approvers: [megan.id] }],
      });
      const stage = (index: number) =>
        `/v1.0${EM_APPROVALS}/${seeded.approvalId}/stages/${seeded.stageIds[index] ?? ''}`;
      expect((await patch(sandbox, stage(0), { reviewResult: 'Approve' })).status).toBe(204);
      expect((await patch(sandbox, stage(1), { reviewResult: 'Approve' }, { as: megan.id })).status).toBe(
        400,
      );
      expect(
        sandbox.state.approval(seeded.approvalId)?.stages.map((s) => s.approverJustificationRequired),
      ).toEqual([false, true]);
    });
  });

  it('never shows the flag on the stage or step resource', async () => {
    await withSandbox({}, async (sandbox) => {
      for (const family of FAMILIES) {
        const seeded = seedOf(sandbox, family, {
          approvers: [sandbox.users.alex.id],
          approverJustificationRequired: true,
        });
        const { expanded, list, stage } = paths(family, seeded);
        const bodies = [
          (await get<StageJson>(sandbox, stage)).body,
          ...((await get<Collection<StageJson>>(sandbox, list)).body.value ?? []),
          ...((await get<ApprovalJson>(sandbox, expanded)).body[family.children] ?? []),
        ];
        expect(bodies).toHaveLength(3);
        for (const body of bodies) {
          expect(Object.keys(body).sort()).toEqual(
            [
              'assignedToMe',
              'displayName',
              'id',
              'justification',
              'reviewResult',
              'reviewedBy',
              'reviewedDateTime',
              'status',
            ]
              .concat(body === bodies[0] ? ['@odata.context'] : [])
              .sort(),
          );
        }
      }
    });
  });
});

describe('sandbox approvals: stage names', () => {
  it('renders displayName on approvalStage (v1.0) and approvalStep (beta), null when the policy has none', async () => {
    await withSandbox({}, async (sandbox) => {
      const { alex, megan } = sandbox.users;
      const named = sandbox.seed.accessPackageRequest({
        requestor: sandbox.users.isaiah.id,
        accessPackage: { displayName: 'Marketing campaign tools' },
        stages: [
          { approvers: [alex.id], displayName: 'Manager approval' },
          { approvers: [megan.id], displayName: 'Marketing lead approval' },
          { approvers: [megan.id] },
        ],
      });
      const names = ['Manager approval', 'Marketing lead approval', null];
      const v1 = `/v1.0${EM_APPROVALS}/${named.approvalId}`;
      const beta = `/beta${EM_APPROVALS}/${named.approvalId}`;
      expect(
        (await get<ApprovalJson>(sandbox, `${v1}?$expand=stages`)).body.stages?.map((s) => s.displayName),
      ).toEqual(names);
      expect(
        (await get<Collection<StageJson>>(sandbox, `${v1}/stages`)).body.value.map((s) => s.displayName),
      ).toEqual(names);
      expect((await get<ApprovalJson>(sandbox, beta)).body.steps?.map((s) => s.displayName)).toEqual(names);
      expect(
        (await get<StageJson>(sandbox, `${beta}/steps/${named.stageIds[1] ?? ''}`, { as: megan.id })).body,
      ).toMatchObject({ displayName: 'Marketing lead approval', assignedToMe: true, status: 'NotStarted' });
      const list = await get<Collection<ApprovalJson>>(
        sandbox,
        `/v1.0${EM_APPROVALS}/filterByCurrentUser(on='approver')?$expand=stages`,
      );
      expect(list.body.value[0]?.stages?.[0]?.displayName).toBe('Manager approval');
      expect(sandbox.state.approval(named.approvalId)?.stages.map((s) => s.displayName)).toEqual(names);

      const pim = sandbox.seed.pimGroupRequest({
        principal: sandbox.users.patti.id,
        group: { displayName: 'SharePoint site owners' },
        stages: [{ approvers: [alex.id], displayName: 'Group owner approval' }],
      });
      expect(
        (
          await get<StageJson>(
            sandbox,
            `/v1.0${PIM_GROUP_APPROVALS}/${pim.approvalId}/stages/${pim.stageIds[0] ?? ''}`,
          )
        ).body.displayName,
      ).toBe('Group owner approval');
    });
  });
});
