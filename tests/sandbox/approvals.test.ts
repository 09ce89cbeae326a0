import type { Sandbox } from '../../src/sandbox';
import { startSandbox } from '../../src/sandbox';
import type { ApprovalJson, Collection, GraphErrorBody, StageJson } from './support';
import { EM, EM_APPROVALS, PIM_GROUP_APPROVALS, ROLE_APPROVALS, approve, deny, get, patch } from './support';

describe('sandbox approval decisions', () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await startSandbox({ tenant: 'empty' });
  });
  afterAll(() => sandbox.close());

  const users = () => sandbox.users;
  const single = (
    approvers: string[],
    extra: { approverJustificationRequired?: boolean; fallbackApprovers?: string[] } = {},
  ) =>
    sandbox.seed.accessPackageRequest({
      requestor: users().isaiah.id,
      accessPackage: { displayName: 'Finance reporting' },
      justification: 'Month-end close',
      stages: [
        { approvers, ...(extra.fallbackApprovers ? { fallbackApprovers: extra.fallbackApprovers } : {}) },
      ],
      ...(extra.approverJustificationRequired !== undefined
        ? { approverJustificationRequired: extra.approverJustificationRequired }
        : {}),
    });

  describe('paths and versions', () => {
    it('records an EM decision on v1.0 /stages/ with 204 and no body', async () => {
      const seeded = single([users().alex.id]);
      const response = await patch(
        sandbox,
        `/v1.0${EM_APPROVALS}/${seeded.approvalId}/stages/${seeded.stageIds[0]}`,
        approve,
      );
      expect(response.status).toBe(204);
      expect(response.text).toBe('');
      expect(sandbox.state.approval(seeded.approvalId)).toMatchObject({
        outcome: 'approved',
        stages: [
          {
            status: 'Completed',
            reviewResult: 'Approve',
            reviewedBy: users().alex.id,
            justification: 'Looks fine',
          },
        ],
      });
    });

    it('records an EM decision on beta /steps/', async () => {
      const seeded = single([users().alex.id]);
      expect(
        (await patch(sandbox, `/beta${EM_APPROVALS}/${seeded.approvalId}/steps/${seeded.stageIds[0]}`, deny))
          .status,
      ).toBe(204);
      expect(sandbox.state.approval(seeded.approvalId)?.outcome).toBe('denied');
    });

    it('records PIM for Groups decisions on v1.0 /stages/ and beta /steps/', async () => {
      const seed = () =>
        sandbox.seed.pimGroupRequest({
          principal: users().patti.id,
          group: { displayName: 'Finance admins' },
          approvers: [users().alex.id],
        });
      const first = seed();
      const second = seed();
      // PIM's lone stage id defaults to the approval id (observed in real tenants).
      expect(first.stageIds).toEqual([first.approvalId]);
      expect(
        (
          await patch(
            sandbox,
            `/v1.0${PIM_GROUP_APPROVALS}/${first.approvalId}/stages/${first.stageIds[0]}`,
            approve,
          )
        ).status,
      ).toBe(204);
      expect(
        (
          await patch(
            sandbox,
            `/beta${PIM_GROUP_APPROVALS}/${second.approvalId}/steps/${second.stageIds[0]}`,
            approve,
          )
        ).status,
      ).toBe(204);
    });

    it('records PIM for Entra roles decisions on beta only; v1.0 does not know roleAssignmentApprovals', async () => {
      const seeded = sandbox.seed.pimRoleRequest({
        principal: users().lynne.id,
        role: { displayName: 'User Administrator' },
        approvers: [users().alex.id],
      });
      for (const path of [
        `${ROLE_APPROVALS}/${seeded.approvalId}/steps/${seeded.stageIds[0]}`,
        `${ROLE_APPROVALS}/${seeded.approvalId}/stages/${seeded.stageIds[0]}`,
      ]) {
        const response = await patch<GraphErrorBody>(sandbox, `/v1.0${path}`, approve);
        expect(response.status).toBe(400);
        expect(response.body.error.code).toBe('BadRequest');
        expect(response.body.error.message).toBe(
          "Resource not found for the segment 'roleAssignmentApprovals'.",
        );
      }
      const read = await get<GraphErrorBody>(
        sandbox,
        `/v1.0${ROLE_APPROVALS}/${seeded.approvalId}?$expand=steps`,
      );
      expect(read.body.error.message).toBe("Resource not found for the segment 'roleAssignmentApprovals'.");
      expect(
        (
          await patch(
            sandbox,
            `/beta${ROLE_APPROVALS}/${seeded.approvalId}/steps/${seeded.stageIds[0]}`,
            approve,
          )
        ).status,
      ).toBe(204);
    });

    it('answers 400 for /steps/ on v1.0 and /stages/ on beta (G1)', async () => {
      const seeded = single([users().alex.id]);
      const onV1 = await patch<GraphErrorBody>(
        sandbox,
        `/v1.0${EM_APPROVALS}/${seeded.approvalId}/steps/${seeded.stageIds[0]}`,
        approve,
      );
      expect(onV1.status).toBe(400);
      expect(onV1.body.error.message).toBe("Resource not found for the segment 'steps'.");
      const onBeta = await patch<GraphErrorBody>(
        sandbox,
        `/beta${PIM_GROUP_APPROVALS}/${seeded.approvalId}/stages/${seeded.stageIds[0]}`,
        approve,
      );
      expect(onBeta.status).toBe(400);
      expect(onBeta.body.error.message).toBe("Resource not found for the segment 'stages'.");
      expect(sandbox.state.approval(seeded.approvalId)?.outcome).toBe('pending');
    });
  });

  describe('status codes', () => {
    it('answers 404 for an unknown approval, an unknown stage, or an approval of another kind', async () => {
      const seeded = single([users().alex.id]);
      const unknown = '00000000-1111-4222-8333-444444444444';
      expect(
        (await patch(sandbox, `/v1.0${EM_APPROVALS}/${unknown}/stages/${seeded.stageIds[0]}`, approve))
          .status,
      ).toBe(404);
      expect(
        (await patch(sandbox, `/v1.0${EM_APPROVALS}/${seeded.approvalId}/stages/${unknown}`, approve)).status,
      ).toBe(404);
      const wrongKind = await patch<GraphErrorBody>(
        sandbox,
        `/v1.0${PIM_GROUP_APPROVALS}/${seeded.approvalId}/stages/${seeded.stageIds[0]}`,
        approve,
      );
      expect(wrongKind.status).toBe(404);
      expect(wrongKind.body.error.code).toBe('ResourceNotFound');
    });

    it.each([
      ['a past-tense reviewResult', { reviewResult: 'Approved' }],
      ['no reviewResult', { justification: 'x' }],
      ['a non-string justification', { reviewResult: 'Approve', justification: 42 }],
      ['an array body', []],
    ])('answers 400 for %s', async (_name, body) => {
      const seeded = single([users().alex.id]);
      const response = await patch<GraphErrorBody>(
        sandbox,
        `/v1.0${EM_APPROVALS}/${seeded.approvalId}/stages/${seeded.stageIds[0]}`,
        body,
      );
      expect(response.status).toBe(400);
      expect(sandbox.state.approval(seeded.approvalId)?.outcome).toBe('pending');
    });

    it('lets the first approver of a stage win; the second gets 409 and can read who decided', async () => {
      const { alex, megan } = users();
      const seeded = single([alex.id, megan.id]);
      const stagePath = `/v1.0${EM_APPROVALS}/${seeded.approvalId}/stages/${seeded.stageIds[0]}`;
      expect((await patch(sandbox, stagePath, approve, { as: megan.id })).status).toBe(204);
      const second = await patch<GraphErrorBody>(sandbox, stagePath, deny, { as: alex.id });
      expect(second.status).toBe(409);
      expect(second.body.error.code).toBe('Conflict');
      const stage = await get<StageJson>(sandbox, stagePath);
      expect(stage.body).toMatchObject({ status: 'Completed', reviewResult: 'Approve', assignedToMe: true });
      expect(stage.body.reviewedBy).toEqual({
        id: megan.id,
        displayName: 'Megan Bowen',
        userPrincipalName: megan.userPrincipalName,
        mail: megan.mail,
      });
      // A replay of our own write is a 409 too; the reader tells it apart by reviewedBy.
      expect((await patch(sandbox, stagePath, approve, { as: megan.id })).status).toBe(409);
    });

    it('requires a justification when the stage says so', async () => {
      const seeded = single([users().alex.id], { approverJustificationRequired: true });
      const stagePath = `/v1.0${EM_APPROVALS}/${seeded.approvalId}/stages/${seeded.stageIds[0]}`;
      const blank = await patch<GraphErrorBody>(sandbox, stagePath, {
        reviewResult: 'Approve',
        justification: '  ',
      });
      expect(blank.status).toBe(400);
      expect(blank.body.error.message).toBe('An approver justification is required for this stage.');
      expect(
        (await patch(sandbox, stagePath, { reviewResult: 'Approve', justification: 'Checked with finance' }))
          .status,
      ).toBe(204);
    });

    it('lets a fallback approver decide and shows the stage as assigned to them', async () => {
      const seeded = single([users().adele.id], { fallbackApprovers: [users().alex.id] });
      const approval = await get<ApprovalJson>(sandbox, `/v1.0${EM_APPROVALS}/${seeded.approvalId}`);
      expect(approval.body.stages?.[0]?.assignedToMe).toBe(true);
      expect(
        (
          await patch(
            sandbox,
            `/v1.0${EM_APPROVALS}/${seeded.approvalId}/stages/${seeded.stageIds[0]}`,
            approve,
          )
        ).status,
      ).toBe(204);
    });
  });

  describe('multi-stage approvals', () => {
    const twoStage = () =>
      sandbox.seed.accessPackageRequest({
        requestor: users().isaiah.id,
        accessPackage: { displayName: 'Marketing campaign tools' },
        stages: [{ approvers: [users().alex.id] }, { approvers: [users().megan.id] }],
      });
    const pending = (userId: string) =>
      get<Collection<{ id: string; state: string }>>(
        sandbox,
        `/v1.0${EM}/assignmentRequests/filterByCurrentUser(on='approver')`,
        { as: userId },
      );

    it('computes assignedToMe for the caller on every stage', async () => {
      const seeded = twoStage();
      const asAlex = await get<ApprovalJson>(sandbox, `/v1.0${EM_APPROVALS}/${seeded.approvalId}`);
      const asMegan = await get<ApprovalJson>(sandbox, `/v1.0${EM_APPROVALS}/${seeded.approvalId}`, {
        as: users().megan.id,
      });
      expect(asAlex.body.stages?.map((stage) => [stage.status, stage.assignedToMe])).toEqual([
        ['InProgress', true],
        ['NotStarted', false],
      ]);
      expect(asMegan.body.stages?.map((stage) => stage.assignedToMe)).toEqual([false, true]);
      expect(
        (await get(sandbox, `/v1.0${EM_APPROVALS}/${seeded.approvalId}`, { as: users().adele.id })).status,
      ).toBe(403);
    });

    it('moves to stage 2 after stage 1 approves, and grants after the last stage', async () => {
      const { alex, megan } = users();
      const seeded = twoStage();
      const [first, second] = seeded.stageIds;
      const early = await patch<GraphErrorBody>(
        sandbox,
        `/v1.0${EM_APPROVALS}/${seeded.approvalId}/stages/${second}`,
        approve,
        { as: megan.id },
      );
      expect(early.status).toBe(400);
      expect(early.body.error.message).toContain('NotStarted');
      expect((await pending(alex.id)).body.value.map((request) => request.id)).toContain(seeded.approvalId);
      expect((await pending(megan.id)).body.value.map((request) => request.id)).not.toContain(
        seeded.approvalId,
      );

      expect(
        (await patch(sandbox, `/v1.0${EM_APPROVALS}/${seeded.approvalId}/stages/${first}`, approve)).status,
      ).toBe(204);
      expect(sandbox.state.approval(seeded.approvalId)?.stages.map((stage) => stage.status)).toEqual([
        'Completed',
        'InProgress',
      ]);
      expect((await pending(alex.id)).body.value.map((request) => request.id)).not.toContain(
        seeded.approvalId,
      );
      expect((await pending(megan.id)).body.value.map((request) => request.id)).toContain(seeded.approvalId);

      expect(
        (
          await patch(sandbox, `/beta${EM_APPROVALS}/${seeded.approvalId}/steps/${second}`, approve, {
            as: megan.id,
          })
        ).status,
      ).toBe(204);
      expect(sandbox.state.approval(seeded.approvalId)?.outcome).toBe('approved');
      expect((await pending(megan.id)).body.value.map((request) => request.id)).not.toContain(
        seeded.approvalId,
      );
      const request = await get<{ state: string; status: string; completedDateTime: string | null }>(
        sandbox,
        `/v1.0${EM}/assignmentRequests/${seeded.requestId}`,
      );
      expect(request.body).toMatchObject({ state: 'delivered', status: 'Delivered' });
      expect(request.body.completedDateTime).not.toBeNull();
    });

    it('ends the request on a Deny; later stages never start', async () => {
      const seeded = twoStage();
      expect(
        (await patch(sandbox, `/v1.0${EM_APPROVALS}/${seeded.approvalId}/stages/${seeded.stageIds[0]}`, deny))
          .status,
      ).toBe(204);
      expect(sandbox.state.approval(seeded.approvalId)).toMatchObject({
        outcome: 'denied',
        stages: [{ status: 'Completed' }, { status: 'NotStarted' }],
      });
      const request = await get<{ state: string }>(
        sandbox,
        `/v1.0${EM}/assignmentRequests/${seeded.requestId}`,
      );
      expect(request.body.state).toBe('denied');
      expect(
        (
          await patch(
            sandbox,
            `/v1.0${EM_APPROVALS}/${seeded.approvalId}/stages/${seeded.stageIds[1]}`,
            approve,
            { as: users().megan.id },
          )
        ).status,
      ).toBe(400);
    });
  });

  describe('reads', () => {
    it('lists and gets stages (v1.0) and steps (beta), including a role approval with $expand=steps', async () => {
      const em = single([users().alex.id]);
      const list = await get<Collection<StageJson>>(sandbox, `/v1.0${EM_APPROVALS}/${em.approvalId}/stages`);
      expect(list.body['@odata.context']).toContain('$metadata#Collection(microsoft.graph.approvalStage)');
      expect(list.body.value).toEqual([
        {
          id: em.stageIds[0],
          displayName: null,
          reviewedDateTime: null,
          reviewResult: 'NotReviewed',
          status: 'InProgress',
          assignedToMe: true,
          justification: '',
          reviewedBy: null,
        },
      ]);
      const step = await get<StageJson>(
        sandbox,
        `/beta${EM_APPROVALS}/${em.approvalId}/steps/${em.stageIds[0]}`,
      );
      expect(step.body.id).toBe(em.stageIds[0]);

      const role = sandbox.seed.pimRoleRequest({
        principal: users().lynne.id,
        role: { displayName: 'Exchange Administrator' },
        approvers: [users().alex.id],
      });
      const expanded = await get<ApprovalJson>(
        sandbox,
        `/beta${ROLE_APPROVALS}/${role.approvalId}?$expand=steps`,
      );
      expect(expanded.body.steps?.map((s) => s.id)).toEqual(role.stageIds);
      const steps = await get<Collection<StageJson>>(
        sandbox,
        `/beta${ROLE_APPROVALS}/${role.approvalId}/steps`,
      );
      expect(steps.body.value).toHaveLength(1);
      expect((await get(sandbox, `/v1.0${EM_APPROVALS}/${em.approvalId}?$expand=steps`)).status).toBe(400);
    });
  });

  describe('options and helpers', () => {
    it.each([
      ['pastTense', ['Approved', 'Denied']],
      ['verb', ['Approve', 'Deny']],
    ] as const)('reads decided stages back in the %s form', async (form, expected) => {
      const other = await startSandbox({ tenant: 'empty', reviewResultForm: form });
      try {
        const { alex, isaiah } = other.users;
        const make = () =>
          other.seed.accessPackageRequest({
            requestor: isaiah.id,
            accessPackage: { displayName: 'X' },
            stages: [{ approvers: [alex.id] }],
          });
        const results: string[] = [];
        for (const body of [approve, deny]) {
          const seeded = make();
          await patch(other, `/v1.0${EM_APPROVALS}/${seeded.approvalId}/stages/${seeded.stageIds[0]}`, body);
          results.push(
            (
              await get<StageJson>(
                other,
                `/v1.0${EM_APPROVALS}/${seeded.approvalId}/stages/${seeded.stageIds[0]}`,
              )
            ).body.reviewResult,
          );
        }
        expect(results).toEqual(expected);
        // The state view always speaks the verb form.
        expect(other.state.approval(make().approvalId)?.stages[0]?.reviewResult).toBe('NotReviewed');
      } finally {
        await other.close();
      }
    });

    it('decides without HTTP through decideAs, answering the status Graph would', () => {
      const { alex, megan, adele } = users();
      const seeded = single([alex.id, megan.id]);
      const target = {
        approvalId: seeded.approvalId,
        stageId: seeded.stageIds[0] ?? '',
        reviewResult: 'Approve' as const,
        justification: 'ok',
      };
      expect(sandbox.decideAs(adele.id, target)).toBe(403);
      expect(sandbox.decideAs(megan.id, target)).toBe(204);
      expect(sandbox.decideAs(alex.id, target)).toBe(409);
      expect(
        sandbox.decideAs(alex.id, { ...target, approvalId: '00000000-0000-4000-8000-000000000000' }),
      ).toBe(404);
    });
  });
});
