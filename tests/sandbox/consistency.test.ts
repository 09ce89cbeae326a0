import type { Sandbox, SeededApproval, SeededReview } from '../../src/sandbox';
import { DEMO_COLLEAGUES, startSandbox } from '../../src/sandbox';
import type { ApprovalJson, Collection, DecisionJson, GraphErrorBody, StageJson } from './support';
import {
  EM,
  EM_APPROVALS,
  PIM_GROUPS,
  PIM_GROUP_APPROVALS,
  REVIEWS,
  ROLE_APPROVALS,
  approve,
  get,
  patch,
} from './support';

/**
 * Eventual consistency: a new approval or review item is listed by filterByCurrentUser before GET/PATCH by id
 * find it (consistencyLagMs). The sandbox's clock (`now`) is moved by hand, so nothing waits.
 */
describe('sandbox eventual consistency (consistencyLagMs)', () => {
  const LAG = 30_000;
  let clock: number;
  let sandbox: Sandbox;
  beforeEach(async () => {
    clock = Date.parse('2026-12-01T09:00:00Z');
    sandbox = await startSandbox({ tenant: 'empty', consistencyLagMs: LAG, now: () => clock });
  });
  afterEach(() => sandbox.close());

  const notFound = async (path: string, response: Promise<{ status: number; body: unknown }>) => {
    const { status, body } = await response;
    expect([path, status]).toEqual([path, 404]);
    expect((body as GraphErrorBody).error.code).toBe('ResourceNotFound');
  };
  const emApproval = (): SeededApproval =>
    sandbox.seed.accessPackageRequest({
      requestor: sandbox.users.isaiah.id,
      accessPackage: { displayName: 'Finance reporting' },
      stages: [{ approvers: [sandbox.users.alex.id] }],
    });

  it('lists a new approval at once, answers 404 by id inside the window, then 200 and 204 after it', async () => {
    const seeded = emApproval();
    const approval = `/v1.0${EM_APPROVALS}/${seeded.approvalId}`;
    const stage = `${approval}/stages/${seeded.stageIds[0] ?? ''}`;

    const listed = await get<Collection<ApprovalJson>>(
      sandbox,
      `/v1.0${EM_APPROVALS}/filterByCurrentUser(on='approver')?$expand=stages`,
    );
    expect(listed.body.value.map((item) => item.id)).toEqual([seeded.approvalId]);
    const requests = await get<Collection<{ id: string }>>(
      sandbox,
      `/v1.0${EM}/assignmentRequests/filterByCurrentUser(on='approver')`,
    );
    expect(requests.body.value.map((item) => item.id)).toEqual([seeded.requestId]);

    clock += LAG - 1;
    for (const path of [
      approval,
      `${approval}/stages`,
      stage,
      `/beta${EM_APPROVALS}/${seeded.approvalId}/steps`,
    ]) {
      await notFound(path, get(sandbox, path));
    }
    await notFound(stage, patch(sandbox, stage, approve));
    expect(sandbox.state.approval(seeded.approvalId)?.outcome).toBe('pending');

    clock += 1;
    expect((await get<ApprovalJson>(sandbox, approval)).status).toBe(200);
    expect((await get<StageJson>(sandbox, stage)).body.status).toBe('InProgress');
    expect((await patch(sandbox, stage, approve)).status).toBe(204);
    expect(sandbox.state.approval(seeded.approvalId)?.outcome).toBe('approved');
    // The decision time is the sandbox clock's.
    expect(sandbox.state.approval(seeded.approvalId)?.stages[0]?.reviewedDateTime).toBe(
      new Date(clock).toISOString(),
    );
  });

  it('holds back PIM approvals of groups and roles the same way', async () => {
    const { alex, patti } = sandbox.users;
    const group = sandbox.seed.pimGroupRequest({
      principal: patti.id,
      group: { displayName: 'G' },
      approvers: [alex.id],
    });
    const role = sandbox.seed.pimRoleRequest({
      principal: patti.id,
      role: { displayName: 'Global Reader' },
      approvers: [alex.id],
    });
    const paths = [
      `/v1.0${PIM_GROUP_APPROVALS}/${group.approvalId}/stages/${group.stageIds[0] ?? ''}`,
      `/beta${ROLE_APPROVALS}/${role.approvalId}/steps/${role.stageIds[0] ?? ''}`,
    ];
    const pending = await get<Collection<{ id: string }>>(
      sandbox,
      `/v1.0${PIM_GROUPS}/assignmentScheduleRequests/filterByCurrentUser(on='approver')?$filter=status eq 'PendingApproval'`,
    );
    expect(pending.body.value.map((item) => item.id)).toEqual([group.requestId]);
    for (const path of paths) {
      await notFound(path, get(sandbox, path));
      await notFound(path, patch(sandbox, path, approve));
    }
    clock += LAG;
    for (const path of paths) expect((await patch(sandbox, path, approve)).status).toBe(204);
  });

  it('lists a new review item at once, answers 404 by id inside the window (GET and PATCH), then 200 and 204', async () => {
    const review: SeededReview = sandbox.seed.accessReview({
      displayName: 'Guests',
      reviewers: [sandbox.users.alex.id],
      decisions: [{ principal: sandbox.users.isaiah.id }],
    });
    const instance = `/v1.0${REVIEWS}/definitions/${review.definitionId}/instances/${review.instanceId}`;
    const item = `${instance}/decisions/${review.decisionIds[0] ?? ''}`;
    const admin = { as: DEMO_COLLEAGUES.diego.id };

    const listed = await get<Collection<DecisionJson>>(
      sandbox,
      `${instance}/decisions/filterByCurrentUser(on='reviewer')`,
    );
    expect(listed.body.value.map((decision) => decision.id)).toEqual(review.decisionIds);
    const beta = await get<Collection<DecisionJson>>(
      sandbox,
      `/beta${REVIEWS}/decisions/filterByCurrentUser(on='reviewer')`,
    );
    expect(beta.body.value).toHaveLength(1);

    clock += LAG / 2;
    await notFound(item, get(sandbox, item, admin));
    await notFound(item, patch(sandbox, item, { decision: 'Approve', justification: 'ok' }));
    expect(sandbox.state.reviewDecision(review.decisionIds[0] ?? '')?.decision).toBe('NotReviewed');

    clock += LAG / 2;
    expect((await get<DecisionJson>(sandbox, item, admin)).body.decision).toBe('NotReviewed');
    expect((await patch(sandbox, item, { decision: 'Approve', justification: 'ok' })).status).toBe(204);
  });

  it('takes a per-seed override, including none at all', async () => {
    const now = emApproval();
    const quick = sandbox.seed.accessPackageRequest({
      requestor: sandbox.users.isaiah.id,
      accessPackage: { displayName: 'Quick' },
      stages: [{ approvers: [sandbox.users.alex.id] }],
      consistencyLagMs: 0,
    });
    const slow = sandbox.seed.accessReview({
      displayName: 'Slow',
      reviewers: [sandbox.users.alex.id],
      decisions: [{ principal: sandbox.users.isaiah.id }],
      consistencyLagMs: 2 * LAG,
    });
    const slowItem = `/v1.0${REVIEWS}/definitions/${slow.definitionId}/instances/${slow.instanceId}/decisions/${slow.decisionIds[0] ?? ''}`;
    expect((await get(sandbox, `/v1.0${EM_APPROVALS}/${quick.approvalId}`)).status).toBe(200);
    expect((await get(sandbox, `/v1.0${EM_APPROVALS}/${now.approvalId}`)).status).toBe(404);
    clock += LAG;
    expect((await get(sandbox, `/v1.0${EM_APPROVALS}/${now.approvalId}`)).status).toBe(200);
    expect((await patch(sandbox, slowItem, { decision: 'Deny' })).status).toBe(404);
    clock += LAG;
    expect((await patch(sandbox, slowItem, { decision: 'Deny' })).status).toBe(204);
  });

  it('lets a decision made elsewhere (decideAs) land inside the window', async () => {
    const seeded = emApproval();
    const target = {
      approvalId: seeded.approvalId,
      stageId: seeded.stageIds[0] ?? '',
      reviewResult: 'Approve' as const,
    };
    expect(sandbox.decideAs(sandbox.users.alex.id, target)).toBe(204);
    clock += LAG;
    expect(
      (
        await patch(
          sandbox,
          `/v1.0${EM_APPROVALS}/${seeded.approvalId}/stages/${seeded.stageIds[0] ?? ''}`,
          approve,
        )
      ).status,
    ).toBe(409);
  });

  it('has no window by default, and follows the real clock when none is given', async () => {
    const plain = await startSandbox({ tenant: 'empty' });
    const real = await startSandbox({ tenant: 'empty', consistencyLagMs: 250 });
    try {
      for (const [box, expected] of [
        [plain, 200],
        [real, 404],
      ] as const) {
        const seeded = box.seed.pimGroupRequest({
          principal: box.users.patti.id,
          group: { displayName: 'G' },
          approvers: [box.users.alex.id],
        });
        expect((await get(box, `/v1.0${PIM_GROUP_APPROVALS}/${seeded.approvalId}`)).status).toBe(expected);
        if (box === real) {
          await new Promise((resolve) => setTimeout(resolve, 300));
          expect((await get(box, `/v1.0${PIM_GROUP_APPROVALS}/${seeded.approvalId}`)).status).toBe(200);
        }
      }
    } finally {
      await plain.close();
      await real.close();
    }
  });

  it('refuses a negative lag', async () => {
    await expect(startSandbox({ tenant: 'empty', consistencyLagMs: -1 })).rejects.toThrow('consistencyLagMs');
    expect(() =>
      sandbox.seed.accessPackageRequest({
        requestor: sandbox.users.isaiah.id,
        accessPackage: { displayName: 'X' },
        stages: [{ approvers: [sandbox.users.alex.id] }],
        consistencyLagMs: Number.NaN,
      }),
    ).toThrow('consistencyLagMs');
  });
});
