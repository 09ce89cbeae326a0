import type { Sandbox, SeededApproval } from '../../src/sandbox';
import { startSandbox } from '../../src/sandbox';
import type { GraphErrorBody } from './support';
import { EM, EM_APPROVALS, approve, call, get, patch } from './support';

describe('sandbox protocol: errors, headers and recording', () => {
  let sandbox: Sandbox;
  let seeded: SeededApproval;
  beforeAll(async () => {
    sandbox = await startSandbox({ tenant: 'empty' });
  });
  beforeEach(() => {
    sandbox.clearRequests();
    seeded = sandbox.seed.accessPackageRequest({
      requestor: sandbox.users.isaiah.id,
      accessPackage: { displayName: 'Finance reporting' },
      stages: [{ approvers: [sandbox.users.alex.id] }],
    });
  });
  afterAll(() => sandbox.close());

  const stagePath = () => `/v1.0${EM_APPROVALS}/${seeded.approvalId}/stages/${seeded.stageIds[0] ?? ''}`;

  it('answers errors with Graph’s body and a matching request-id header', async () => {
    const response = await get<GraphErrorBody>(
      sandbox,
      `/v1.0${EM_APPROVALS}/00000000-0000-4000-8000-000000000000`,
    );
    expect(response.status).toBe(404);
    expect(Object.keys(response.body)).toEqual(['error']);
    expect(Object.keys(response.body.error)).toEqual(['code', 'message', 'innerError']);
    const inner = response.body.error.innerError;
    expect(inner.date).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/);
    expect(inner['request-id']).toBe(response.headers.get('request-id'));
    expect(inner['client-request-id']).toBe(inner['request-id']);
    expect(response.headers.get('content-type')).toContain('application/json');
  });

  it('echoes client-request-id in the header and in innerError', async () => {
    const clientRequestId = '3f0c2f4e-1a2b-4c3d-9e8f-0a1b2c3d4e5f';
    const ok = await get(sandbox, `/v1.0${EM}/assignmentRequests/filterByCurrentUser(on='approver')`, {
      headers: { 'client-request-id': clientRequestId },
    });
    expect(ok.headers.get('client-request-id')).toBe(clientRequestId);
    expect(ok.headers.get('request-id')).toMatch(/^[0-9a-f-]{36}$/);
    const failed = await get<GraphErrorBody>(sandbox, '/v1.0/nothingHere', {
      headers: { 'client-request-id': clientRequestId },
    });
    expect(failed.body.error.innerError['client-request-id']).toBe(clientRequestId);
  });

  it('answers 204 with no body and no content type, but with a request-id', async () => {
    const response = await patch(sandbox, stagePath(), approve);
    expect(response.status).toBe(204);
    expect(response.text).toBe('');
    expect(response.headers.get('content-type')).toBeNull();
    expect(response.headers.get('request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it.each([
    [
      'an unknown segment',
      'GET',
      `/v1.0${EM}/accessPackageThings`,
      400,
      "Resource not found for the segment 'accessPackageThings'.",
    ],
    [
      'an unknown root',
      'GET',
      '/v1.0/identityGovernanceX/x',
      400,
      "Resource not found for the segment 'identityGovernanceX'.",
    ],
    ['an unknown version', 'GET', `/v2.0${EM}/assignmentRequests`, 400, 'Invalid version: v2.0'],
    [
      'a method the resource lacks',
      'DELETE',
      `/v1.0${EM_APPROVALS}/x/stages/y`,
      405,
      "The HTTP method 'DELETE' is not allowed",
    ],
    [
      'an unknown system query option',
      'GET',
      `/v1.0${EM}/assignmentRequests/filterByCurrentUser(on='approver')?$foo=1`,
      400,
      "Query option '$foo' is not allowed",
    ],
  ])('answers %s', async (_name, method, path, status, message) => {
    const response = await call<GraphErrorBody>(sandbox, method, path);
    expect(response.status).toBe(status);
    expect(response.body.error.message).toContain(message);
  });

  it('answers 400 for a body that is not JSON, but forgives trailing commas like the docs samples', async () => {
    const bad = await call<GraphErrorBody>(sandbox, 'PATCH', stagePath(), {
      rawBody: '{"reviewResult": Approve}',
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toContain('Unable to read JSON request payload');
    const sloppy = await call(sandbox, 'PATCH', stagePath(), {
      rawBody: '{\n "reviewResult": "Approve",\n "justification": "OK",\n}',
    });
    expect(sloppy.status).toBe(204);
  });

  it('matches segments case-insensitively and accepts namespaced functions', async () => {
    const lower = await get(
      sandbox,
      `/v1.0/identitygovernance/entitlementmanagement/assignmentrequests/microsoft.graph.filterByCurrentUser(on='approver')`,
    );
    expect(lower.status).toBe(200);
    const encoded = await get(
      sandbox,
      `/v1.0${EM}/assignmentRequests/filterByCurrentUser(on=%27approver%27)`,
    );
    expect(encoded.status).toBe(200);
  });

  it('records every request in order with its caller, decoded path, query, body and status', async () => {
    const before = Date.now();
    await get(
      sandbox,
      `/v1.0${EM}/assignmentRequests/filterByCurrentUser(on=%27approver%27)?$top=5&$filter=state%20eq%20'pendingApproval'`,
    );
    await patch(sandbox, stagePath(), approve, { as: sandbox.users.megan.id });
    await get(sandbox, '/beta/nothing', { authorization: null });
    expect(sandbox.requests).toHaveLength(3);
    const [list, decision, anonymous] = sandbox.requests;
    expect(list).toEqual({
      method: 'GET',
      version: 'v1.0',
      path: `${EM}/assignmentRequests/filterByCurrentUser(on='approver')`,
      rawUrl: `/v1.0${EM}/assignmentRequests/filterByCurrentUser(on=%27approver%27)?$top=5&$filter=state%20eq%20%27pendingApproval%27`,
      query: { $top: '5', $filter: "state eq 'pendingApproval'" },
      body: undefined,
      callerId: sandbox.users.alex.id,
      status: 200,
      batched: false,
      at: expect.any(Number) as number,
    });
    expect(list?.at).toBeGreaterThanOrEqual(before);
    expect(decision).toMatchObject({
      method: 'PATCH',
      body: approve,
      callerId: sandbox.users.megan.id,
      status: 403,
    });
    expect(anonymous).toMatchObject({ version: 'beta', callerId: null, status: 401 });
    sandbox.clearRequests();
    expect(sandbox.requests).toHaveLength(0);
  });

  it('parses $filter clauses joined with and, in parentheses or not, with literals that contain " and "', async () => {
    const odd = sandbox.seed.accessPackageRequest({
      requestor: sandbox.users.isaiah.id,
      accessPackage: { displayName: 'Research and development' },
      justification: "Sales and marketing (Q3) - it's urgent",
      stages: [{ approvers: [sandbox.users.alex.id] }],
    });
    const list = `/v1.0${EM}/assignmentRequests/filterByCurrentUser(on='approver')?$filter=`;
    for (const filter of [
      "justification eq 'Sales and marketing (Q3) - it''s urgent'",
      "(justification eq 'Sales and marketing (Q3) - it''s urgent') and (state eq 'pendingApproval')",
      "((state eq 'pendingApproval') and justification eq 'Sales and marketing (Q3) - it''s urgent')",
      `id eq '${odd.requestId}' AND state eq 'pendingApproval'`,
    ]) {
      const response = await get<{ value: { id: string }[] }>(
        sandbox,
        `${list}${encodeURIComponent(filter)}`,
      );
      expect([filter, response.status, response.body.value.map((item) => item.id)]).toEqual([
        filter,
        200,
        [odd.requestId],
      ]);
    }
    for (const filter of ["(state eq 'pendingApproval'", "state eq 'pendingApproval')", "state eq 'x' and"]) {
      expect([filter, (await get(sandbox, `${list}${encodeURIComponent(filter)}`)).status]).toEqual([
        filter,
        400,
      ]);
    }
  });

  it('puts an @odata.context on collections and entities', async () => {
    const entity = await get<{ '@odata.context': string }>(
      sandbox,
      `/v1.0${EM_APPROVALS}/${seeded.approvalId}`,
    );
    expect(entity.body['@odata.context']).toBe(`${sandbox.url}/v1.0/$metadata#microsoft.graph.approval`);
  });
});
