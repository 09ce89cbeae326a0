import { randomUUID } from 'node:crypto';
import type { Sandbox, SeededApproval } from '../../src/sandbox';
import { GOVERNANCE_SCOPES, startSandbox } from '../../src/sandbox';
import type { GraphErrorBody } from './support';
import { EM_APPROVALS, ROLE_APPROVALS, approve, get, patch } from './support';

const b64 = (value: object): string => Buffer.from(JSON.stringify(value)).toString('base64url');

describe('sandbox tokens and authorization', () => {
  let sandbox: Sandbox;
  let em: SeededApproval;
  let role: SeededApproval;

  beforeAll(async () => {
    sandbox = await startSandbox({ tenant: 'empty' });
  });
  beforeEach(() => {
    const { alex, isaiah } = sandbox.users;
    em = sandbox.seed.accessPackageRequest({
      requestor: isaiah.id,
      accessPackage: { displayName: 'Marketing campaign tools' },
      stages: [{ approvers: [alex.id] }],
    });
    role = sandbox.seed.pimRoleRequest({
      principal: isaiah.id,
      role: { displayName: 'User Administrator' },
      approvers: [alex.id],
    });
  });
  afterAll(() => sandbox.close());

  const emStage = () => `/v1.0${EM_APPROVALS}/${em.approvalId}/stages/${em.stageIds[0]}`;

  it('mints unsigned JWTs shaped like Entra access tokens', () => {
    const token = sandbox.tokenFor(sandbox.users.alex.id, {
      scopes: ['AccessReview.Read.All'],
      expiresInSeconds: 120,
    });
    const [header, payload, signature] = token.split('.');
    expect(signature).toBe('');
    expect(JSON.parse(Buffer.from(header ?? '', 'base64url').toString())).toEqual({
      alg: 'none',
      typ: 'JWT',
    });
    const claims = JSON.parse(Buffer.from(payload ?? '', 'base64url').toString()) as Record<string, unknown>;
    expect(claims).toMatchObject({
      oid: sandbox.users.alex.id,
      tid: sandbox.tenantId,
      upn: 'AlexW@contoso.onmicrosoft.com',
      name: 'Alex Wilber',
      scp: 'AccessReview.Read.All',
      aud: 'https://graph.microsoft.com',
      iss: `https://sts.windows.net/${sandbox.tenantId}/`,
    });
    expect(Number(claims.exp) - Number(claims.iat)).toBe(120);
    const defaults = JSON.parse(
      Buffer.from(sandbox.tokenFor(sandbox.users.alex.id).split('.')[1] ?? '', 'base64url').toString(),
    ) as { scp: string };
    expect(defaults.scp.split(' ')).toEqual([...GOVERNANCE_SCOPES]);
  });

  it.each([
    ['no Authorization header', null, 'Access token is empty.'],
    ['an empty bearer', 'Bearer ', 'Access token is empty.'],
    ['a garbled token', 'Bearer not-a-jwt', 'JWT is not well formed'],
    ['a non-bearer scheme', 'Basic YWxleDpwYXNz', 'not a bearer token'],
  ])('answers 401 InvalidAuthenticationToken for %s', async (_name, authorization, message) => {
    const response = await patch<GraphErrorBody>(sandbox, emStage(), approve, { authorization });
    expect(response.status).toBe(401);
    expect(response.body.error.code).toBe('InvalidAuthenticationToken');
    expect(response.body.error.message).toContain(message);
    expect(response.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect(sandbox.state.approval(em.approvalId)?.outcome).toBe('pending');
  });

  it('answers 401 for an expired token', async () => {
    const token = sandbox.tokenFor(sandbox.users.alex.id, { expiresInSeconds: -5 });
    const response = await get<GraphErrorBody>(sandbox, `/v1.0${EM_APPROVALS}/${em.approvalId}`, { token });
    expect(response.status).toBe(401);
    expect(response.body.error.message).toContain('expired');
  });

  it('answers 401 for a user who is not in the directory', async () => {
    const response = await get<GraphErrorBody>(sandbox, `/v1.0${EM_APPROVALS}/${em.approvalId}`, {
      token: sandbox.tokenFor(randomUUID()),
    });
    expect(response.status).toBe(401);
    expect(response.body.error.code).toBe('InvalidAuthenticationToken');
  });

  it('answers 401 for another tenant or audience', async () => {
    const now = Math.floor(Date.now() / 1000);
    const claims = {
      aud: 'https://graph.microsoft.com',
      tid: randomUUID(),
      oid: sandbox.users.alex.id,
      exp: now + 600,
      scp: 'EntitlementManagement.ReadWrite.All',
    };
    const otherTenant = `${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims)}.`;
    const otherAudience = `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ ...claims, tid: sandbox.tenantId, aud: 'api://something-else' })}.`;
    for (const token of [otherTenant, otherAudience]) {
      expect((await get(sandbox, `/v1.0${EM_APPROVALS}/${em.approvalId}`, { token })).status).toBe(401);
    }
  });

  it("accepts any token of the same shape, such as the bot's local tokens (no upn, nbf set)", async () => {
    const now = Math.floor(Date.now() / 1000);
    const payload = {
      aud: 'https://graph.microsoft.com',
      iss: `https://sts.windows.net/${sandbox.tenantId}/`,
      iat: now,
      nbf: now,
      exp: now + 3600,
      oid: sandbox.users.alex.id,
      tid: sandbox.tenantId,
      name: 'Alex Wilber',
      scp: GOVERNANCE_SCOPES.join(' '),
    };
    const token = `${b64({ alg: 'none', typ: 'JWT' })}.${b64(payload)}.`;
    expect((await patch(sandbox, emStage(), approve, { token })).status).toBe(204);
  });

  it('answers 403 Authorization_RequestDenied when the delegated scope is missing', async () => {
    const token = sandbox.tokenFor(sandbox.users.alex.id, { scopes: ['AccessReview.ReadWrite.All'] });
    const response = await patch<GraphErrorBody>(sandbox, emStage(), approve, { token });
    expect(response.status).toBe(403);
    expect(response.body.error.code).toBe('Authorization_RequestDenied');
    expect(response.body.error.message).toContain('EntitlementManagement.ReadWrite.All');
  });

  it('accepts the Read scope for reads but not for the decision', async () => {
    const token = sandbox.tokenFor(sandbox.users.alex.id, { scopes: ['EntitlementManagement.Read.All'] });
    expect((await get(sandbox, `/v1.0${EM_APPROVALS}/${em.approvalId}`, { token })).status).toBe(200);
    expect((await patch(sandbox, emStage(), approve, { token })).status).toBe(403);
    // G12: the approver filter wants ReadWrite even though it reads.
    expect(
      (await get(sandbox, `/v1.0${EM_APPROVALS}/filterByCurrentUser(on='approver')`, { token })).status,
    ).toBe(403);
  });

  it('answers role approvals without PrivilegedAccess.*.AzureAD with code "" and the observed message (G4)', async () => {
    const token = sandbox.tokenFor(sandbox.users.alex.id, {
      scopes: ['RoleAssignmentSchedule.ReadWrite.Directory'],
    });
    const read = await get<GraphErrorBody>(
      sandbox,
      `/beta${ROLE_APPROVALS}/${role.approvalId}?$expand=steps`,
      { token },
    );
    expect(read.status).toBe(403);
    expect(read.body.error.code).toBe('');
    expect(read.body.error.message).toBe(
      'Valid permissions not present. User needs one of the following permissions for this action : PrivilegedAccess.ReadWrite.AzureAD,PrivilegedAccess.Read.AzureAD',
    );
    const write = await patch<GraphErrorBody>(
      sandbox,
      `/beta${ROLE_APPROVALS}/${role.approvalId}/steps/${role.stageIds[0]}`,
      approve,
      { token },
    );
    expect(write.status).toBe(403);
    expect(write.body.error.code).toBe('');
    const full = sandbox.tokenFor(sandbox.users.alex.id);
    expect(
      (
        await patch(sandbox, `/beta${ROLE_APPROVALS}/${role.approvalId}/steps/${role.stageIds[0]}`, approve, {
          token: full,
        })
      ).status,
    ).toBe(204);
  });

  it('answers 403 accessDenied (not a consent code) to a caller who is not an approver', async () => {
    const response = await patch<GraphErrorBody>(sandbox, emStage(), approve, { as: sandbox.users.adele.id });
    expect(response.status).toBe(403);
    expect(response.body.error.code).toBe('accessDenied');
    expect(response.body.error.message).toContain('not an approver');
  });
});
