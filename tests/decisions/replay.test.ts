import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { createDecisions } from '../../src/decisions';
import type { Decisions } from '../../src/decisions';
import type { PendingItem } from '../../src/domain';
import type { Sandbox } from '../../src/sandbox';
import { openSqliteStore } from '../../src/store';
import type { SqliteStore } from '../../src/store';
import type { UserGovernance } from '../../src/graph';
import { graphUnderTest, requestsOf } from '../graph/support';

/**
 * A settled answer is kept in the store: the same press after a restart, or on another instance sharing
 * the store, is answered from there and does not PATCH Graph again.
 */
let sandbox: Sandbox;
let as: (userId: string) => UserGovernance;
let directory: string;
const log = pino({ level: 'silent' });

beforeAll(async () => {
  ({ sandbox, as } = await graphUnderTest());
  directory = fs.mkdtempSync(path.join(os.tmpdir(), 'replay-'));
});
afterAll(async () => {
  await sandbox.close();
  fs.rmSync(directory, { recursive: true, force: true });
});
beforeEach(() => {
  sandbox.faults.clear();
  sandbox.clearRequests();
});

async function pendingFor(userId: string, title: string): Promise<PendingItem> {
  const { items } = await as(userId).discoverPending();
  const item = items.find((i) => i.kind === 'accessPackage' && i.accessPackage.displayName === title);
  if (!item) throw new Error(`no pending ${title} for ${userId}`);
  return item;
}

/** One bot instance: its own decisions over the shared SQLite file. */
async function instance(): Promise<{ store: SqliteStore; decisions: Decisions }> {
  const store = await openSqliteStore({ directory });
  return { store, decisions: createDecisions({ store, log }) };
}

function seedRequest(title: string) {
  const alex = sandbox.users.alex.id;
  return sandbox.seed.accessPackageRequest({
    requestor: sandbox.users.adele.id,
    accessPackage: { displayName: title },
    justification: 'Launch campaign',
    stages: [{ approvers: [alex] }],
  });
}

it('answers the same press after a restart from the store, with no second PATCH', async () => {
  seedRequest('Replay after restart');
  const alex = { id: sandbox.users.alex.id, name: 'Alex Wilber' };
  const item = await pendingFor(alex.id, 'Replay after restart');
  const press = { user: alex, graph: as(alex.id), item, decision: 'Approve' as const, justification: 'Fine' };

  const first = await instance();
  const before = await first.decisions.decide(press);
  await before.settled;
  expect(before.outcome).toMatchObject({ kind: 'recorded', decision: 'Approve', view: 'item' });
  await first.store.close();

  const second = await instance();
  const again = await second.decisions.decide(press);
  await again.settled;
  await second.store.close();

  expect(again.outcome).toEqual(before.outcome);
  expect(requestsOf(sandbox, 'PATCH')).toHaveLength(1);
});

it('does not replay an answer only the caller saw: after a 429, the same press reaches Graph again', async () => {
  seedRequest('Retry after throttling');
  const alex = { id: sandbox.users.alex.id, name: 'Alex Wilber' };
  const item = await pendingFor(alex.id, 'Retry after throttling');
  const press = { user: alex, graph: as(alex.id), item, decision: 'Deny' as const, justification: 'Not now' };
  // The client retries a 429 by itself; Graph keeps refusing until the throttling ends.
  sandbox.faults.inject({ method: 'PATCH', status: 429, retryAfterSeconds: 1, times: Infinity });

  const { store, decisions } = await instance();
  const throttled = await decisions.decide(press);
  expect(throttled.outcome).toMatchObject({ kind: 'throttled', view: 'caller' });
  const refused = requestsOf(sandbox, 'PATCH').length;
  sandbox.faults.clear();
  const retried = await decisions.decide(press);
  await retried.settled;
  await store.close();

  expect(retried.outcome).toMatchObject({ kind: 'recorded', decision: 'Deny' });
  expect(requestsOf(sandbox, 'PATCH')).toHaveLength(refused + 1);
});
