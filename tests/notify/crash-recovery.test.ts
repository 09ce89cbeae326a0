import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startSandbox } from '../../src/sandbox';
import type { Sandbox } from '../../src/sandbox';
import { openSqliteStore } from '../../src/store';
import { startRateLimitedConnector } from '../support/rate-limited-connector';
import type { RateLimitedConnector } from '../support/rate-limited-connector';
import {
  asTeamsUser,
  cardItemId,
  eventually,
  personalConversationId,
  personalReference,
} from './support/stack';

/**
 * LONG (about 20 s): a real bot process delivering 1,000 cards is killed with SIGKILL half-way and started
 * again on the same SQLite data. Every card arrives, and the only repeats are sends that were in flight
 * when it died. The connector double runs without limits here and the bot's tenant budget is raised to
 * 200 a second, so that the test stays short; the limits have their own tests.
 */

const ROOT = path.resolve(__dirname, '..', '..');
const APPROVERS = 100;
const PER_APPROVER = 10;
const LEASE_SECONDS = 5;

let sandbox: Sandbox;
let connector: RateLimitedConnector;
let dataDir: string;
const children: ChildProcess[] = [];

beforeAll(async () => {
  sandbox = await startSandbox({ tenant: 'empty' });
  connector = await startRateLimitedConnector({ limits: null, latencyMs: 20 });
  dataDir = mkdtempSync(path.join(tmpdir(), 'approvals-crash-'));
});

afterAll(async () => {
  for (const child of children)
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await connector.close();
  await sandbox.close();
  rmSync(dataDir, { recursive: true, force: true });
});

/** Starts the bot process and resolves once it listens. */
function startBot(): Promise<ChildProcess> {
  const child = spawn(
    process.execPath,
    ['-r', 'ts-node/register/transpile-only', path.join(__dirname, 'support', 'bot-process.ts')],
    {
      cwd: ROOT,
      env: {
        ...process.env,
        TS_NODE_PROJECT: path.join(ROOT, 'tsconfig.json'),
        PORT: '0',
        STORE: 'sqlite',
        DATA_DIR: dataDir,
        GRAPH_BASE_URL: sandbox.url,
        START_PLAYGROUND: 'false',
        LOG_LEVEL: 'error',
        NOTIFY_DISCOVERY_SECONDS: '3600',
        NOTIFY_LEASE_SECONDS: String(LEASE_SECONDS),
        NOTIFY_DIGEST_THRESHOLD: '1000',
        TEST_TENANT_PER_SECOND: '200',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  children.push(child);
  let errors = '';
  child.stderr?.on('data', (chunk: Buffer) => (errors += chunk.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the bot did not start: ${errors}`)), 30_000);
    child.stdout?.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('READY')) {
        clearTimeout(timer);
        resolve(child);
      }
    });
    child.once('exit', (code) => reject(new Error(`the bot exited (${code}): ${errors}`)));
  });
}

function deliveries(): Map<string, number> {
  const counts = new Map<string, number>();
  for (const r of connector.requests) {
    if (r.method !== 'POST' || r.status !== 200) continue;
    const key = `${r.conversationId} ${cardItemId(r.activity) ?? '?'}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}

it('[long, ~20 s] delivers all 1,000 cards across a SIGKILL mid-delivery, repeating only what was in flight', async () => {
  // 100 approvers who installed the bot earlier, 10 new requests each.
  const expected = new Set<string>();
  const store = await openSqliteStore({ directory: dataDir });
  for (let i = 0; i < APPROVERS; i++) {
    const user = asTeamsUser(sandbox.seed.user({ displayName: `Approver ${i}` }));
    await store.saveReference(personalReference(user, connector.serviceUrl));
    for (const seeded of sandbox.seed.bulk({
      kind: 'accessPackage',
      count: PER_APPROVER,
      approver: user.aadObjectId,
    }))
      expected.add(`${personalConversationId(user)} ${seeded.approvalId}`);
  }
  await store.close();
  expect(expected.size).toBe(APPROVERS * PER_APPROVER);

  const first = await startBot();
  await eventually(() => deliveries().size >= 300, 60_000);
  first.kill('SIGKILL');
  await new Promise((resolve) => first.once('exit', resolve));
  const openAtKill = connector.open;
  const deliveredAtKill = deliveries().size;

  // What the dead process had claimed and not settled: the deliveries in flight.
  const inspect = await openSqliteStore({ directory: dataDir });
  const atKill = await inspect.outboxCounts();
  await inspect.close();
  // Let the requests it left behind reach the double and be answered.
  await eventually(() => connector.open === 0, 5_000);

  const second = await startBot();
  await eventually(() => [...expected].every((k) => deliveries().has(k)), 90_000);
  const after = await openSqliteStore({ directory: dataDir });
  await eventually(async () => {
    const counts = await after.outboxCounts();
    return counts.pending === 0 && counts.inflight === 0;
  }, 30_000);
  const final = await after.outboxCounts();
  await after.close();
  second.kill('SIGTERM');

  const counts = deliveries();
  const lost = [...expected].filter((k) => !counts.has(k)).length;
  const duplicates = [...counts.values()].reduce((sum, n) => sum + Math.max(0, n - 1), 0);
  const unexpected = [...counts.keys()].filter((k) => !expected.has(k)).length;
  process.stdout.write(
    `crash test: cards ${expected.size}, delivered before the kill ${deliveredAtKill}, ` +
      `in flight at the kill ${atKill.inflight} (requests open at the double ${openAtKill}), ` +
      `lost ${lost}, duplicated ${duplicates}, outbox after ${JSON.stringify(final)}\n`,
  );
  expect(lost).toBe(0);
  expect(unexpected).toBe(0);
  expect(duplicates).toBeLessThanOrEqual(atKill.inflight);
  expect(final).toMatchObject({ pending: 0, inflight: 0, dead: 0, done: expected.size });
}, 180_000);
