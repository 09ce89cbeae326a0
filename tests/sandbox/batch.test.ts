import type { Sandbox, SeededApproval } from '../../src/sandbox';
import { MAX_BATCH_REQUESTS, startSandbox } from '../../src/sandbox';
import type { GraphErrorBody } from './support';
import { EM, EM_APPROVALS, ROLE_APPROVALS, approve, call, post } from './support';

interface BatchResponse {
  readonly responses: readonly {
    readonly id: string;
    readonly status: number;
    readonly headers: Readonly<Record<string, string>>;
    readonly body?: { readonly value?: readonly unknown[]; readonly error?: GraphErrorBody['error'] };
  }[];
}

const json = { 'Content-Type': 'application/json' };

describe('sandbox $batch', () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await startSandbox({ tenant: 'empty' });
  });
  afterEach(() => sandbox.faults.clear());
  afterAll(() => sandbox.close());

  const request = (): SeededApproval =>
    sandbox.seed.accessPackageRequest({
      requestor: sandbox.users.isaiah.id,
      accessPackage: { displayName: 'Finance reporting' },
      stages: [{ approvers: [sandbox.users.alex.id] }],
    });
  const decide = (id: string, seeded: SeededApproval, extra: object = {}) => ({
    id,
    method: 'PATCH',
    url: `${EM_APPROVALS}/${seeded.approvalId}/stages/${seeded.stageIds[0] ?? ''}`,
    headers: json,
    body: approve,
    ...extra,
  });
  const byId = (body: BatchResponse) => new Map(body.responses.map((response) => [response.id, response]));

  it('runs each inner request against the same routes, as the envelope caller, with the batch version', async () => {
    const seeded = request();
    const response = await post<BatchResponse>(sandbox, '/v1.0/$batch', {
      requests: [
        decide('1', seeded),
        { id: '2', method: 'GET', url: `${EM}/assignmentRequests/filterByCurrentUser(on='approver')?$top=5` },
        {
          id: '3',
          method: 'PATCH',
          url: `${EM_APPROVALS}/00000000-0000-4000-8000-000000000000/stages/x`,
          headers: json,
          body: approve,
        },
        { id: '4', method: 'GET', url: `${ROLE_APPROVALS}/${seeded.approvalId}?$expand=steps` },
      ],
    });
    expect(response.status).toBe(200);
    const responses = byId(response.body);
    expect(responses.get('1')).toMatchObject({ status: 204 });
    expect(responses.get('1')?.body).toBeUndefined();
    expect(responses.get('2')?.status).toBe(200);
    expect(responses.get('2')?.headers['Content-Type']).toContain('application/json');
    expect(responses.get('3')?.status).toBe(404);
    expect(responses.get('3')?.body?.error?.innerError['request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(responses.get('4')?.status).toBe(400);
    expect(responses.get('4')?.body?.error?.message).toBe(
      "Resource not found for the segment 'roleAssignmentApprovals'.",
    );
    expect(sandbox.state.approval(seeded.approvalId)?.stages[0]?.reviewedBy).toBe(sandbox.users.alex.id);
  });

  it('uses beta paths inside a beta batch', async () => {
    const role = sandbox.seed.pimRoleRequest({
      principal: sandbox.users.lynne.id,
      role: { displayName: 'User Administrator' },
      approvers: [sandbox.users.alex.id],
    });
    const response = await post<BatchResponse>(sandbox, '/beta/$batch', {
      requests: [
        {
          id: 'a',
          method: 'PATCH',
          url: `${ROLE_APPROVALS}/${role.approvalId}/steps/${role.stageIds[0] ?? ''}`,
          headers: json,
          body: approve,
        },
      ],
    });
    expect(response.body.responses[0]?.status).toBe(204);
  });

  it(`accepts ${MAX_BATCH_REQUESTS} requests and rejects more with 400`, async () => {
    const get = (index: number) => ({
      id: String(index),
      method: 'GET',
      url: `${EM}/assignmentRequests/filterByCurrentUser(on='approver')`,
    });
    const full = await post<BatchResponse>(sandbox, '/v1.0/$batch', {
      requests: Array.from({ length: MAX_BATCH_REQUESTS }, (_, index) => get(index)),
    });
    expect(full.status).toBe(200);
    expect(full.body.responses).toHaveLength(MAX_BATCH_REQUESTS);
    const tooMany = await post<GraphErrorBody>(sandbox, '/v1.0/$batch', {
      requests: Array.from({ length: MAX_BATCH_REQUESTS + 1 }, (_, index) => get(index)),
    });
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.error.message).toContain('at most 20');
  });

  it.each([
    [
      'duplicate ids (case-insensitive)',
      {
        requests: [
          { id: 'A', method: 'GET', url: '/x' },
          { id: 'a', method: 'GET', url: '/y' },
        ],
      },
    ],
    ['a body without Content-Type', { requests: [{ id: '1', method: 'PATCH', url: '/x', body: approve }] }],
    [
      'a dependency that does not exist',
      { requests: [{ id: '1', method: 'GET', url: '/x', dependsOn: ['9'] }] },
    ],
    [
      'a dependency cycle',
      {
        requests: [
          { id: '1', method: 'GET', url: '/x', dependsOn: ['2'] },
          { id: '2', method: 'GET', url: '/y', dependsOn: ['1'] },
        ],
      },
    ],
    [
      'an absolute url',
      { requests: [{ id: '1', method: 'GET', url: 'https://graph.microsoft.com/v1.0/me' }] },
    ],
    ['no requests array', { value: [] }],
    ['an empty batch', { requests: [] }],
  ])('answers 400 for %s without running anything', async (_name, body) => {
    sandbox.clearRequests();
    const response = await post<GraphErrorBody>(sandbox, '/v1.0/$batch', body);
    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe('BadRequest');
    expect(sandbox.requests.filter((recorded) => recorded.batched)).toHaveLength(0);
  });

  it('answers 424 to requests whose dependency failed, and runs the rest in order', async () => {
    const seeded = request();
    const response = await post<BatchResponse>(sandbox, '/v1.0/$batch', {
      requests: [
        { id: '1', method: 'GET', url: `${EM_APPROVALS}/00000000-0000-4000-8000-000000000000` },
        { id: '2', method: 'GET', url: `${EM_APPROVALS}/${seeded.approvalId}`, dependsOn: ['1'] },
        { id: '3', method: 'GET', url: `${EM_APPROVALS}/${seeded.approvalId}`, dependsOn: ['2'] },
        decide('4', seeded),
        { id: '5', method: 'GET', url: `${EM_APPROVALS}/${seeded.approvalId}/stages`, dependsOn: ['4'] },
      ],
    });
    const responses = byId(response.body);
    expect([...responses.values()].map((r) => [r.id, r.status])).toEqual([
      ['1', 404],
      ['2', 424],
      ['3', 424],
      ['4', 204],
      ['5', 200],
    ]);
    expect(responses.get('2')?.body?.error?.code).toBe('FailedDependency');
    expect(sandbox.state.approval(seeded.approvalId)?.outcome).toBe('approved');
  });

  it('lets faults hit inner requests: an inner 429 with its own Retry-After inside a 200 envelope', async () => {
    const seeded = request();
    const fault = sandbox.faults.inject({
      batched: true,
      method: 'PATCH',
      status: 429,
      retryAfterSeconds: 7,
    });
    const response = await post<BatchResponse>(sandbox, '/v1.0/$batch', {
      requests: [
        decide('1', seeded),
        { id: '2', method: 'GET', url: `${EM_APPROVALS}/${seeded.approvalId}` },
      ],
    });
    expect(response.status).toBe(200);
    const throttled = byId(response.body).get('1');
    expect(throttled?.status).toBe(429);
    expect(throttled?.headers['Retry-After']).toBe('7');
    expect(throttled?.body?.error?.code).toBe('TooManyRequests');
    expect(byId(response.body).get('2')?.status).toBe(200);
    expect(fault.hits).toBe(1);
    expect(sandbox.state.approval(seeded.approvalId)?.outcome).toBe('pending');
  });

  it('drops the whole envelope when a drop fault hits an inner request', async () => {
    sandbox.clearRequests();
    sandbox.faults.inject({ batched: true, drop: true });
    const batch = {
      requests: [
        { id: '1', method: 'GET', url: `${EM}/assignmentRequests/filterByCurrentUser(on='approver')` },
      ],
    };
    await expect(post(sandbox, '/v1.0/$batch', batch)).rejects.toThrow();
    expect(sandbox.requests.map((recorded) => [recorded.batched, recorded.status])).toEqual([
      [false, -1],
      [true, -1],
    ]);
  });

  it('records the envelope, then each inner request with batched: true and the same caller', async () => {
    const seeded = request();
    sandbox.clearRequests();
    await post(sandbox, '/v1.0/$batch', {
      requests: [
        decide('1', seeded),
        { id: '2', method: 'GET', url: `${EM_APPROVALS}/${seeded.approvalId}?$expand=stages` },
      ],
    });
    const recorded = sandbox.requests;
    expect(recorded.map((r) => [r.method, r.batched, r.status])).toEqual([
      ['POST', false, 200],
      ['PATCH', true, 204],
      ['GET', true, 200],
    ]);
    expect(recorded[0]?.path).toBe('/$batch');
    expect(recorded[1]).toMatchObject({
      version: 'v1.0',
      path: `${EM_APPROVALS}/${seeded.approvalId}/stages/${seeded.stageIds[0] ?? ''}`,
      body: approve,
      callerId: sandbox.users.alex.id,
    });
    expect(recorded[2]?.query).toEqual({ $expand: 'stages' });
  });

  it('answers 401 to an envelope without a token and 405 to GET $batch', async () => {
    expect(
      (
        await post(
          sandbox,
          '/v1.0/$batch',
          { requests: [{ id: '1', method: 'GET', url: '/x' }] },
          { authorization: null },
        )
      ).status,
    ).toBe(401);
    expect((await call(sandbox, 'GET', '/v1.0/$batch')).status).toBe(405);
  });
});
