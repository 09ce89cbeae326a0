import type { UserGovernance } from '../../src/graph';
import type { Sandbox } from '../../src/sandbox';
import { graphUnderTest } from './support';

let sandbox: Sandbox;
let as: (userId: string) => UserGovernance;

beforeAll(async () => {
  ({ sandbox, as } = await graphUnderTest());
});
afterAll(() => sandbox.close());

describe('what a pending PIM request carries to its approver', () => {
  it("reports the stage that waits on me by its trimmed name, with the request's ticket and schedule", async () => {
    const { alex, megan, adele } = sandbox.users;
    const seeded = sandbox.seed.pimGroupRequest({
      principal: adele.id,
      group: { displayName: 'Finance admins' },
      justification: 'Quarter close',
      ticket: { ticketNumber: 'CHG-4711', ticketSystem: 'ServiceNow' },
      schedule: {
        startDateTime: '2026-12-04T08:00:00Z',
        expiration: { type: 'afterDateTime', endDateTime: '2026-12-04T16:00:00Z' },
      },
      createdDateTime: '2026-12-03T19:00:00Z',
      stages: [{ approvers: [alex.id] }, { approvers: [megan.id], displayName: '  Security review  ' }],
    });
    const [first, second] = seeded.stageIds as [string, string];
    sandbox.decideAs(alex.id, { approvalId: seeded.approvalId, stageId: first, reviewResult: 'Approve' });

    const { items } = await as(megan.id).discoverPending(['pimGroup']);

    expect(items).toEqual([
      {
        kind: 'pimGroup',
        target: { kind: 'pimGroup', approvalId: seeded.approvalId, stageId: second, api: 'v1.0' },
        stageNumber: 2,
        stageCount: 2,
        stageStatus: 'InProgress',
        stageName: 'Security review',
        justificationRequired: false,
        requestId: seeded.requestId,
        principal: {
          id: adele.id,
          displayName: adele.displayName,
          userPrincipalName: adele.userPrincipalName,
          mail: adele.mail,
        },
        group: { id: expect.any(String), displayName: 'Finance admins' },
        accessId: 'member',
        action: 'selfActivate',
        justification: 'Quarter close',
        ticket: { number: 'CHG-4711', system: 'ServiceNow' },
        schedule: {
          startDateTime: '2026-12-04T08:00:00Z',
          duration: null,
          endDateTime: '2026-12-04T16:00:00Z',
          expirationType: 'afterDateTime',
        },
        createdDateTime: '2026-12-03T19:00:00Z',
      },
    ]);
  });
});
