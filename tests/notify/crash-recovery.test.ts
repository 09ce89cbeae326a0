import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { startSandbox } from '../../src/sandbox';
import { watchSandbox } from '../support/typed';
import type { Sandbox } from '../../src/sandbox';
import { openSqliteStore } from '../../src/store';
import type { OutboxCounts } from '../../src/store';
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
 * LONG: real bot processes delivering cards are killed with SIGKILL and started again on the same SQLite
 * data. Every card arrives, and the only repeats are sends that were in flight when the process died, also
 * when the write-ahead log is deleted while the bot is down (the outbox rolls back; the copies journal keeps
 * what was sent). The connector double runs without limits here and the bot's tenant budget is raised to
 * 200 a second, so that the tests stay short; the limits have their own tests.
 */

const ROOT = path.resolve(__dirname, '..', '..');
const LEASE_SECONDS = 5;
const DB_FILE = 'approvals.sqlite';

let sandbox: Sandbox;
let connector: RateLimitedConnector;
const dataDirs: string[] = [];
const children: ChildProcess[] = [];

beforeAll(async () => {
  sandbox = watchSandbox(await startSandbox({ tenant: 'empty' }));
  connector = await startRateLimitedConnector({ limits: null, latencyMs: 20 });
});

afterAll(async () => {
  for (const child of children)
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await connector.close();
  await sandbox.close();
  for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true });
});

interface Bot {
  readonly child: ChildProcess;
  /** Everything it printed on stdout so far (its log, READY, IDLE). */
  output(): string;
  /** Resolves with the IDLE line's worker stats once its first discovery is done and its outbox idle. */
  idle(timeoutMs?: number): Promise<Record<string, number>>;
}

/** Starts the bot process and resolves once it listens. */
function startBot(dataDir: string, env: Record<string, string> = {}): Promise<Bot> {
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
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  children.push(child);
  let out = '';
  let errors = '';
  child.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (errors += chunk.toString()));
  const bot: Bot = {
    child,
    output: () => out,
    async idle(timeoutMs = 90_000) {
      await eventually(() => /^IDLE /m.test(out), timeoutMs);
      const line = out.split('\n').find((l) => l.startsWith('IDLE ')) ?? 'IDLE {}';
      return JSON.parse(line.slice('IDLE '.length)) as Record<string, number>;
    },
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the bot did not start: ${errors}`)), 30_000);
    const ready = () => {
      if (!out.includes('READY')) return;
      clearTimeout(timer);
      child.stdout?.off('data', ready);
      resolve(bot);
    };
    child.stdout?.on('data', ready);
    child.once('exit', (code) => reject(new Error(`the bot exited (${code}): ${errors}`)));
  });
}

async function kill(bot: Bot): Promise<void> {
  bot.child.kill('SIGKILL');
  if (bot.child.exitCode === null && bot.child.signalCode === null)
    await new Promise((resolve) => bot.child.once('exit', resolve));
}

async function stop(bot: Bot): Promise<void> {
  bot.child.kill('SIGTERM');
  if (bot.child.exitCode === null && bot.child.signalCode === null)
    await new Promise((resolve) => bot.child.once('exit', resolve));
}

/**
 * The outbox as it is on disk, read through a read-only connection: unlike opening the store, this
 * neither checkpoints the write-ahead log into the file nor deletes it on close.
 */
function outboxOnDisk(dataDir: string): OutboxCounts {
  const db = new DatabaseSync(path.join(dataDir, DB_FILE), { readOnly: true });
  try {
    const counts = { pending: 0, inflight: 0, done: 0, dead: 0 };
    const rows = db.prepare('SELECT state, count(*) AS n FROM outbox GROUP BY state').all() as {
      state: keyof OutboxCounts;
      n: number;
    }[];
    for (const row of rows) counts[row.state] = row.n;
    return counts;
  } finally {
    db.close();
  }
}

/** What a deleted write-ahead log leaves: the database file alone (and the marker and journal beside it). */
function deleteWal(dataDir: string): void {
  const file = path.join(dataDir, DB_FILE);
  expect(existsSync(`${file}-wal`)).toBe(true);
  rmSync(`${file}-wal`);
  rmSync(`${file}-shm`, { force: true });
}

/** Accepted card sends, by "conversation item". */
function deliveries(): Map<string, number> {
  const counts = new Map<string, number>();
  for (const r of connector.requests) {
    if (r.method !== 'POST' || r.status !== 200) continue;
    const key = `${r.conversationId} ${cardItemId(r.activity) ?? '?'}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}

interface Batch {
  readonly dataDir: string;
  /** "conversation item" of every card that must arrive. */
  readonly expected: ReadonlySet<string>;
  readonly conversations: ReadonlySet<string>;
}

/** `approvers` approvers who installed the bot earlier (a reference each), `perApprover` new requests each. */
async function seedBatch(name: string, approvers: number, perApprover: number): Promise<Batch> {
  const dataDir = mkdtempSync(path.join(tmpdir(), `approvals-crash-${name}-`));
  dataDirs.push(dataDir);
  const expected = new Set<string>();
  const conversations = new Set<string>();
  const store = await openSqliteStore({ directory: dataDir });
  for (let i = 0; i < approvers; i++) {
    const user = asTeamsUser(sandbox.seed.user({ displayName: `${name} approver ${i}` }));
    await store.saveReference(personalReference(user, connector.serviceUrl));
    conversations.add(personalConversationId(user));
    for (const seeded of sandbox.seed.bulk({
      kind: 'accessPackage',
      count: perApprover,
      approver: user.aadObjectId,
    }))
      expected.add(`${personalConversationId(user)} ${seeded.approvalId}`);
  }
  await store.close();
  expect(expected.size).toBe(approvers * perApprover);
  return { dataDir, expected, conversations };
}

/** Of this batch's deliveries: how many cards are missing, sent twice (or more), or not expected at all. */
function tally(batch: Batch): { delivered: number; lost: number; duplicates: number; unexpected: number } {
  const mine = [...deliveries()].filter(([key]) => batch.conversations.has(key.split(' ')[0] ?? ''));
  return {
    delivered: mine.length,
    lost: [...batch.expected].filter((k) => !mine.some(([key]) => key === k)).length,
    duplicates: mine.reduce((sum, [, n]) => sum + Math.max(0, n - 1), 0),
    unexpected: mine.filter(([key]) => !batch.expected.has(key)).length,
  };
}

const allDelivered = (batch: Batch) => () => {
  const counts = deliveries();
  return [...batch.expected].every((k) => counts.has(k));
};

/** The loss the restarted bot logged at start (pino JSON on stdout), with the copies it restored. */
function reportedLoss(bot: Bot): { detail: string; copiesRestored: number } | null {
  for (const line of bot.output().split('\n')) {
    if (!line.includes('STORE LOST RECENT WRITES')) continue;
    const entry = JSON.parse(line) as {
      integrity: { status: string; detail: string; copiesRestored: number };
    };
    expect(entry.integrity.status).toBe('lost recent writes');
    return entry.integrity;
  }
  return null;
}

it('[long, ~15 s] delivers all 1,000 cards across a SIGKILL mid-delivery, repeating only what was in flight', async () => {
  const batch = await seedBatch('kill', 100, 10);

  const first = await startBot(batch.dataDir);
  await eventually(() => tally(batch).delivered >= 300, 60_000);
  await kill(first);
  const openAtKill = connector.open;
  const deliveredAtKill = tally(batch).delivered;

  // What the dead process had claimed and not settled: the deliveries in flight.
  const atKill = outboxOnDisk(batch.dataDir);
  // The kill came mid-delivery: some cards out, some not, and entries left claimed or waiting.
  expect(deliveredAtKill).toBeGreaterThan(0);
  expect(deliveredAtKill).toBeLessThan(batch.expected.size);
  expect(atKill.inflight + atKill.pending).toBeGreaterThan(0);
  // Let the requests it left behind reach the double and be answered.
  await eventually(() => connector.open === 0, 5_000);

  const second = await startBot(batch.dataDir);
  await eventually(allDelivered(batch), 90_000);
  await eventually(() => {
    const counts = outboxOnDisk(batch.dataDir);
    return counts.pending === 0 && counts.inflight === 0;
  }, 30_000);
  const final = outboxOnDisk(batch.dataDir);
  await stop(second);

  const { lost, duplicates, unexpected } = tally(batch);
  process.stdout.write(
    `crash test: cards ${batch.expected.size}, delivered before the kill ${deliveredAtKill}, ` +
      `in flight at the kill ${atKill.inflight}, pending ${atKill.pending} (requests open at the double ${openAtKill}), ` +
      `lost ${lost}, duplicated ${duplicates}, outbox after ${JSON.stringify(final)}\n`,
  );
  expect(lost).toBe(0);
  expect(unexpected).toBe(0);
  expect(duplicates).toBeLessThanOrEqual(atKill.inflight);
  expect(final).toMatchObject({ pending: 0, inflight: 0, dead: 0, done: batch.expected.size });
}, 240_000);

it('[long, ~12 s] SIGKILL + deleted WAL after a delivered batch: the restart reports the loss and sends nothing twice', async () => {
  const batch = await seedBatch('wal', 40, 10);

  // The worst case: no checkpoint while it runs, so the whole batch (items, outbox, copies, pending sets)
  // is in the log alone and goes with it.
  const first = await startBot(batch.dataDir, {
    TEST_CHECKPOINT_MS: '600000',
    TEST_WAL_LIMIT_BYTES: String(1024 ** 3),
  });
  await first.idle();
  await eventually(allDelivered(batch), 60_000);
  await eventually(() => {
    const counts = outboxOnDisk(batch.dataDir);
    return counts.pending === 0 && counts.inflight === 0 && counts.done === batch.expected.size;
  }, 30_000);
  await kill(first);
  await eventually(() => connector.open === 0, 5_000);
  const before = tally(batch);
  expect(before).toMatchObject({ lost: 0, duplicates: 0 });
  deleteWal(batch.dataDir);
  // What the file alone still knows: part of the outbox is gone.
  const rolledBack = outboxOnDisk(batch.dataDir);

  // The bot discovers at start: lost outbox entries come back under the same dedupe keys.
  const second = await startBot(batch.dataDir, { LOG_LEVEL: 'warn' });
  const stats = await second.idle();
  await eventually(() => {
    const counts = outboxOnDisk(batch.dataDir);
    return counts.pending === 0 && counts.inflight === 0;
  }, 30_000);
  const loss = reportedLoss(second);
  await stop(second);

  const { lost, duplicates, unexpected } = tally(batch);
  process.stdout.write(
    `WAL test: cards ${batch.expected.size}, outbox done before the kill ${batch.expected.size}, ` +
      `in the file after the WAL was deleted ${JSON.stringify(rolledBack)}, ` +
      `copies restored from the journal ${loss?.copiesRestored ?? 'none'}, restarted worker ${JSON.stringify(stats)}, ` +
      `lost ${lost}, duplicated ${duplicates}\n`,
  );
  expect(loss).not.toBeNull();
  expect(loss?.detail).toContain('was lost');
  // The journal mattered: every copy of the batch was missing from the database, and so was its outbox.
  expect(loss?.copiesRestored).toBe(batch.expected.size);
  expect(rolledBack.done).toBe(0);
  // Discovery saw every item as new again (the pending sets went too), and found each card already in
  // its chat through the restored copies: the restarted worker sent nothing.
  expect(stats.sent).toBe(0);
  expect(lost).toBe(0);
  expect(unexpected).toBe(0);
  expect(duplicates).toBe(0);
}, 240_000);

it('[long, ~12 s] SIGKILL mid-delivery + deleted WAL: repeats at most what was in flight', async () => {
  const batch = await seedBatch('walkill', 40, 10);

  // Again no checkpoint while it runs: every card sent before the kill has its copy in the log alone.
  const first = await startBot(batch.dataDir, {
    TEST_CHECKPOINT_MS: '600000',
    TEST_WAL_LIMIT_BYTES: String(1024 ** 3),
  });
  await eventually(() => tally(batch).delivered >= 150, 60_000);
  await kill(first);
  const deliveredAtKill = tally(batch).delivered;
  const atKill = outboxOnDisk(batch.dataDir);
  expect(deliveredAtKill).toBeLessThan(batch.expected.size);
  expect(atKill.inflight + atKill.pending).toBeGreaterThan(0);
  await eventually(() => connector.open === 0, 5_000);
  deleteWal(batch.dataDir);

  const second = await startBot(batch.dataDir, { LOG_LEVEL: 'warn' });
  await second.idle();
  await eventually(allDelivered(batch), 90_000);
  await eventually(() => {
    const counts = outboxOnDisk(batch.dataDir);
    return counts.pending === 0 && counts.inflight === 0;
  }, 30_000);
  const loss = reportedLoss(second);
  await stop(second);

  const { lost, duplicates, unexpected } = tally(batch);
  process.stdout.write(
    `WAL + mid-delivery test: cards ${batch.expected.size}, delivered before the kill ${deliveredAtKill}, ` +
      `in flight at the kill ${atKill.inflight}, copies restored ${loss?.copiesRestored ?? 'none'}, ` +
      `lost ${lost}, duplicated ${duplicates}\n`,
  );
  expect(loss).not.toBeNull();
  expect(lost).toBe(0);
  expect(unexpected).toBe(0);
  expect(duplicates).toBeLessThanOrEqual(atKill.inflight);
}, 240_000);
