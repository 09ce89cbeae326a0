import type { Sandbox, SeededApproval } from '../../src/sandbox';
import { startSandbox } from '../../src/sandbox';
import type { GraphErrorBody, StageJson } from './support';
import { EM, EM_APPROVALS, approve, get, patch } from './support';

describe('sandbox faults', () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await startSandbox({ tenant: 'empty' });
  });
  afterEach(() => {
    sandbox.faults.clear();
    sandbox.clearRequests();
  });
  afterAll(() => sandbox.close());

  const seed = (): SeededApproval =>
    sandbox.seed.accessPackageRequest({
      requestor: sandbox.users.isaiah.id,
      accessPackage: { displayName: 'Finance reporting' },
      stages: [{ approvers: [sandbox.users.alex.id] }],
    });
  const stagePath = (seeded: SeededApproval) =>
    `/v1.0${EM_APPROVALS}/${seeded.approvalId}/stages/${seeded.stageIds[0] ?? ''}`;
  const list = `/v1.0${EM}/assignmentRequests/filterByCurrentUser(on='approver')`;

  it('delays a request by latencyMs, then handles it normally', async () => {
    sandbox.faults.inject({ latencyMs: 150 });
    const started = Date.now();
    const response = await get(sandbox, list);
    expect(response.status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
  });

  it('answers 429 with Retry-After for `times` requests, then recovers', async () => {
    const handle = sandbox.faults.inject({
      pathIncludes: 'assignmentRequests',
      status: 429,
      retryAfterSeconds: 3,
      times: 2,
    });
    const first = await get<GraphErrorBody>(sandbox, list);
    expect(first.status).toBe(429);
    expect(first.headers.get('retry-after')).toBe('3');
    expect(first.body.error.code).toBe('TooManyRequests');
    expect((await get(sandbox, list)).status).toBe(429);
    expect((await get(sandbox, list)).status).toBe(200);
    expect([handle.hits, handle.remaining, sandbox.faults.active]).toEqual([2, 0, 0]);
  });

  it('answers 429 without Retry-After when the rule gives none', async () => {
    sandbox.faults.inject({ status: 429 });
    const response = await get(sandbox, list);
    expect(response.status).toBe(429);
    expect(response.headers.get('retry-after')).toBeNull();
  });

  it.each([
    [400, 'BadRequest'],
    [403, 'Authorization_RequestDenied'],
    [404, 'ResourceNotFound'],
    [409, 'Conflict'],
    [503, 'serviceNotAvailable'],
    [504, 'GatewayTimeout'],
  ] as const)('answers %d with Graph’s error body and leaves state alone', async (status, code) => {
    const seeded = seed();
    sandbox.faults.inject({ method: 'PATCH', status });
    const response = await patch<GraphErrorBody>(sandbox, stagePath(seeded), approve);
    expect(response.status).toBe(status);
    expect(response.body.error.code).toBe(code);
    expect(response.headers.get('request-id')).toBe(response.body.error.innerError['request-id']);
    expect(sandbox.state.approval(seeded.approvalId)?.outcome).toBe('pending');
  });

  it('drops the connection without answering and records status -1', async () => {
    const seeded = seed();
    sandbox.faults.inject({ method: 'PATCH', drop: true });
    await expect(patch(sandbox, stagePath(seeded), approve)).rejects.toThrow();
    expect(sandbox.requests.at(-1)).toMatchObject({ method: 'PATCH', status: -1 });
    expect(sandbox.state.approval(seeded.approvalId)?.outcome).toBe('pending');
    expect((await get(sandbox, list)).status).toBe(200);
  });

  it('lands the write, then answers 503 (landThenStatus); the retry meets 409 with our own reviewedBy', async () => {
    const seeded = seed();
    sandbox.faults.inject({
      method: 'PATCH',
      pathIncludes: seeded.approvalId,
      landThenStatus: 503,
      retryAfterSeconds: 1,
    });
    const first = await patch<GraphErrorBody>(sandbox, stagePath(seeded), approve);
    expect(first.status).toBe(503);
    expect(first.headers.get('retry-after')).toBe('1');
    expect(sandbox.state.approval(seeded.approvalId)?.outcome).toBe('approved');
    const retry = await patch(sandbox, stagePath(seeded), approve);
    expect(retry.status).toBe(409);
    const stage = await get<StageJson>(sandbox, stagePath(seeded));
    expect(stage.body.reviewedBy?.id).toBe(sandbox.users.alex.id);
    expect(sandbox.requests.map((r) => r.status)).toEqual([503, 409, 200]);
  });

  it('combines latency with a status', async () => {
    sandbox.faults.inject({ status: 504, latencyMs: 100 });
    const started = Date.now();
    expect((await get(sandbox, list)).status).toBe(504);
    expect(Date.now() - started).toBeGreaterThanOrEqual(90);
  });

  it('matches on method and path, keeps Infinity rules until cleared, and applies the first live rule', async () => {
    const reads = sandbox.faults.inject({
      method: 'GET',
      pathIncludes: '/stages',
      status: 503,
      times: Infinity,
    });
    sandbox.faults.inject({ method: 'GET', status: 429 });
    const seeded = seed();
    expect((await get(sandbox, stagePath(seeded))).status).toBe(503);
    expect((await get(sandbox, stagePath(seeded))).status).toBe(503);
    expect((await get(sandbox, list)).status).toBe(429);
    expect((await get(sandbox, list)).status).toBe(200);
    expect((await patch(sandbox, stagePath(seeded), approve)).status).toBe(204);
    expect(reads.remaining).toBe(Infinity);
    reads.remove();
    expect((await get(sandbox, stagePath(seeded))).status).toBe(200);
    sandbox.faults.inject({ status: 503, times: Infinity });
    sandbox.faults.clear();
    expect((await get(sandbox, list)).status).toBe(200);
  });

  it('records faulted requests with the status they were answered with', async () => {
    sandbox.faults.inject({ status: 429, retryAfterSeconds: 1 });
    await get(sandbox, list);
    await get(sandbox, list);
    expect(sandbox.requests.map((r) => r.status)).toEqual([429, 200]);
  });

  it('lets close() cut an injected latency short', async () => {
    const other = await startSandbox({ tenant: 'empty' });
    other.faults.inject({ latencyMs: 60_000 });
    const pending = get(other, `/v1.0${EM}/assignmentRequests/filterByCurrentUser(on='approver')`).catch(
      (error: unknown) => error,
    );
    await new Promise((resolve) => setTimeout(resolve, 50));
    const started = Date.now();
    await other.close();
    await pending;
    expect(Date.now() - started).toBeLessThan(2000);
  });
});
