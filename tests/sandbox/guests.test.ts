import type { Sandbox, SandboxUser } from '../../src/sandbox';
import { startSandbox } from '../../src/sandbox';
import type { Collection, DecisionJson } from './support';
import { EM, PIM_GROUPS, REVIEWS, ROLE_REQUESTS, get } from './support';

const GUEST_UPN = 'kim.akers_woodgrove.example#EXT#@contoso.onmicrosoft.com';

/** B2B guests in the directory, rendered as each resource renders a user (graph-contract.md §3.3–§3.5). */
describe('sandbox guest users', () => {
  let sandbox: Sandbox;
  let kim: SandboxUser;
  beforeAll(async () => {
    sandbox = await startSandbox({ tenant: 'empty' });
    kim = sandbox.seed.user({
      displayName: 'Kim Akers (Woodgrove)',
      userType: 'Guest',
      mail: 'kim.akers@woodgrove.example',
    });
  });
  afterAll(() => sandbox.close());

  it('holds guests with the #EXT# user principal name and their own mail', () => {
    expect(kim).toMatchObject({
      displayName: 'Kim Akers (Woodgrove)',
      userPrincipalName: GUEST_UPN,
      mail: 'kim.akers@woodgrove.example',
      givenName: 'Kim',
      surname: 'Akers',
      userType: 'Guest',
      directoryRoles: [],
    });
    expect(() => sandbox.seed.user({ displayName: 'No Mail', userType: 'Guest' })).toThrow('mail');
    const member = sandbox.seed.user({ displayName: 'Nora Member' });
    expect(member).toMatchObject({
      userType: 'Member',
      userPrincipalName: 'NoraMember@contoso.onmicrosoft.com',
    });
    expect(member.mail).toBe(member.userPrincipalName);
  });

  it('renders a guest requestor as accessPackageSubject: principalName, email, subjectType', async () => {
    const seeded = sandbox.seed.accessPackageRequest({
      requestor: kim.id,
      accessPackage: { displayName: 'Supplier extranet' },
      stages: [{ approvers: [sandbox.users.alex.id] }],
    });
    const response = await get<{ requestor: Record<string, unknown> }>(
      sandbox,
      `/v1.0${EM}/assignmentRequests/${seeded.requestId}?$expand=requestor`,
    );
    expect(response.body.requestor).toEqual({
      id: expect.any(String),
      objectId: kim.id,
      displayName: 'Kim Akers (Woodgrove)',
      principalName: GUEST_UPN,
      email: 'kim.akers@woodgrove.example',
      subjectType: 'user',
      onPremisesSecurityIdentifier: null,
    });
  });

  it('expands a guest principal of a PIM group or role request as the user object', async () => {
    sandbox.seed.pimGroupRequest({
      principal: kim.id,
      group: { displayName: 'Project contributors' },
      approvers: [sandbox.users.alex.id],
    });
    sandbox.seed.pimRoleRequest({
      principal: kim.id,
      role: { displayName: 'Global Reader' },
      approvers: [sandbox.users.alex.id],
    });
    const user = {
      '@odata.type': '#microsoft.graph.user',
      id: kim.id,
      displayName: 'Kim Akers (Woodgrove)',
      userPrincipalName: GUEST_UPN,
      mail: 'kim.akers@woodgrove.example',
      userType: 'Guest',
    };
    for (const path of [
      `/v1.0${PIM_GROUPS}/assignmentScheduleRequests/filterByCurrentUser(on='approver')?$expand=principal`,
      `/v1.0${ROLE_REQUESTS}/filterByCurrentUser(on='approver')?$expand=principal`,
    ]) {
      const response = await get<Collection<{ principalId: string; principal: unknown }>>(sandbox, path);
      const request = response.body.value.find((item) => item.principalId === kim.id);
      expect(request?.principal).toEqual(user);
    }
  });

  it('renders a guest under review as userIdentity with the #EXT# userPrincipalName', async () => {
    const review = sandbox.seed.accessReview({
      displayName: 'Guests',
      reviewers: [sandbox.users.alex.id],
      decisions: [{ principal: kim.id }],
    });
    const response = await get<Collection<DecisionJson & { principalLink: string }>>(
      sandbox,
      `/v1.0${REVIEWS}/definitions/${review.definitionId}/instances/${review.instanceId}/decisions/filterByCurrentUser(on='reviewer')`,
    );
    expect(response.body.value[0]?.principal).toEqual({
      '@odata.type': '#microsoft.graph.userIdentity',
      id: kim.id,
      displayName: 'Kim Akers (Woodgrove)',
      ipAddress: null,
      userPrincipalName: GUEST_UPN,
    });
    expect(response.body.value[0]?.principalLink).toBe(`https://graph.microsoft.com/v1.0/users/${kim.id}`);
  });

  it('builds the same UPN for a guest given inline rather than from the directory', async () => {
    const review = sandbox.seed.accessReview({
      displayName: 'Inline guests',
      reviewers: [sandbox.users.alex.id],
      decisions: [
        { principal: { displayName: 'Kim Akers', userType: 'Guest', mail: 'kim.akers@woodgrove.example' } },
      ],
    });
    const response = await get<Collection<DecisionJson>>(
      sandbox,
      `/v1.0${REVIEWS}/definitions/${review.definitionId}/instances/${review.instanceId}/decisions/filterByCurrentUser(on='reviewer')`,
    );
    expect(response.body.value[0]?.principal.userPrincipalName).toBe(GUEST_UPN);
  });
});
