/**
 * Benchmark (issue 5): notifications at scale, in one process.
 *
 * 1. Delivery: 5,000 new requests for 5,000 approvers (one each), discovered in the Graph sandbox and
 *    delivered through a connector double that enforces Teams' limits (7/s, 60/30 s, 1,800/h per
 *    conversation; 50/s per tenant) and answers 429 with Retry-After past them. Reports the delivered rate
 *    as a share of the tenant's allowed 50/s, the 429s seen, and lost and duplicated cards.
 * 2. Discovery cost: a second cycle with nothing new, in Graph HTTP requests per approver.
 * 3. Store: size on disk and process memory per tracked item at 100,000 items (SQLite, and memory).
 *
 * Run: npx ts-node --transpile-only bench/notify.ts (or `npm run bench notify`). Sizes can be lowered with
 * BENCH_APPROVERS and BENCH_STORE_ITEMS.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import v8 from 'node:v8';
import vm from 'node:vm';
import { startApp } from '../src/app';
import { LocalSandboxTokens } from '../src/auth';
import { loadConfig } from '../src/config';
import { createLogger } from '../src/log';
import { TEAMS_LIMITS } from '../src/notify';
import { startSandbox } from '../src/sandbox';
import { MemoryStore, measureStore, openSqliteStore } from '../src/store';
import type { StoreMeasurement } from '../src/store';
import { startRateLimitedConnector } from '../tests/support/rate-limited-connector';
import { TENANT_ID, teamsUser } from '../tests/support/teams';

const APPROVERS = Number(process.env.BENCH_APPROVERS ?? 5000);
const STORE_ITEMS = Number(process.env.BENCH_STORE_ITEMS ?? 100_000);
const TENANT_LIMIT = TEAMS_LIMITS.tenant[0]?.limit ?? 50;

function temp(prefix: string): string {
  return mkdtempSync(path.join(tmpdir(), prefix));
}

async function waitUntil(check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const started = Date.now();
  while (!(await check())) {
    if (Date.now() - started > timeoutMs) throw new Error(`not done within ${timeoutMs / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

interface DeliveryResult {
  readonly approvers: number;
  readonly discoveryS: number;
  readonly deliveryS: number;
  readonly perSecond: number;
  readonly share: number;
  readonly throttled: number;
  readonly lost: number;
  readonly duplicated: number;
  readonly requestsPerApprover: number;
  readonly idleCycleS: number;
}

async function delivery(): Promise<DeliveryResult> {
  const sandbox = await startSandbox({ tenant: 'empty' });
  const connector = await startRateLimitedConnector();
  const dataDir = temp('approvals-bench-');
  const log = createLogger({ level: 'silent' });
  const app = await startApp(
    loadConfig({
      PORT: '0',
      STORE: 'sqlite',
      DATA_DIR: dataDir,
      START_PLAYGROUND: 'false',
      NOTIFY_DISCOVERY_SECONDS: '0',
    }),
    { log, tokens: new LocalSandboxTokens(sandbox.tenantId), graphBaseUrl: sandbox.url },
    { notify: { discoveryConcurrency: 16 } },
  );
  try {
    const expected = new Set<string>();
    for (let i = 0; i < APPROVERS; i++) {
      const approver = sandbox.seed.user({ displayName: `Approver ${i}` });
      const user = teamsUser(approver.id, approver.displayName);
      const seeded = sandbox.seed.accessPackageRequest({
        requestor: sandbox.users.lynne.id,
        accessPackage: { displayName: `Access package ${i % 50}` },
        stages: [{ approvers: [approver.id] }],
      });
      const conversationId = `a:personal-${i}`;
      await app.store.saveReference({
        key: `user:${approver.id.toLowerCase()}`,
        scope: 'personal',
        tenantId: TENANT_ID,
        userId: approver.id.toLowerCase(),
        userMri: user.mri,
        conversationId,
        reference: {
          user: { id: user.mri, name: user.name, aadObjectId: approver.id },
          bot: { id: '28:approvals-bot', name: 'Approvals' },
          conversation: { id: conversationId, conversationType: 'personal', tenantId: TENANT_ID },
          channelId: 'msteams',
          serviceUrl: connector.serviceUrl,
        },
        updatedAt: new Date().toISOString(),
      });
      expected.add(`${conversationId} ${seeded.approvalId}`);
    }
    process.stdout.write(`  seeded ${APPROVERS} approvers; discovering and delivering…\n`);

    const started = performance.now();
    await app.notifier.discoverAll();
    const discoveryS = (performance.now() - started) / 1000;
    await waitUntil(async () => {
      const counts = await app.store.outboxCounts();
      return counts.pending === 0 && counts.inflight === 0;
    }, 15 * 60_000);

    const sends = connector.requests.filter((r) => r.method === 'POST' && r.status === 200);
    const seen = new Map<string, number>();
    for (const r of sends) {
      const data = JSON.stringify(r.activity).match(/"approvalId":"([0-9a-f-]{36})"/);
      const key = `${r.conversationId} ${data?.[1] ?? '?'}`;
      seen.set(key, (seen.get(key) ?? 0) + 1);
    }
    const first = Math.min(...sends.map((r) => r.at));
    const last = Math.max(...sends.map((r) => r.at));
    const deliveryS = (last - first) / 1000;
    const perSecond = sends.length > 1 ? (sends.length - 1) / deliveryS : 0;

    // A cycle with nothing new: what discovery costs in Graph requests.
    sandbox.clearRequests();
    const idleStarted = performance.now();
    const idle = await app.notifier.discoverAll();
    const idleCycleS = (performance.now() - idleStarted) / 1000;
    const requests = sandbox.requests.filter((r) => !r.batched).length;

    return {
      approvers: APPROVERS,
      discoveryS,
      deliveryS,
      perSecond,
      share: perSecond / TENANT_LIMIT,
      throttled: connector.throttled,
      lost: [...expected].filter((k) => !seen.has(k)).length,
      duplicated: [...seen.values()].reduce((sum, n) => sum + Math.max(0, n - 1), 0),
      requestsPerApprover: requests / Math.max(1, idle.approvers),
      idleCycleS,
    };
  } finally {
    await app.close();
    await connector.close();
    await sandbox.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** A real garbage collection between measurements, without --expose-gc on the command line. */
function exposeGc(): void {
  v8.setFlagsFromString('--expose-gc');
  (globalThis as { gc?: unknown }).gc = vm.runInNewContext('gc') as () => void;
}

interface StoreCost {
  readonly sqlite: StoreMeasurement;
  readonly memory: StoreMeasurement;
  /** Bytes per tracked item in each SQLite table and index, largest first. */
  readonly tables: readonly { name: string; bytes: number }[];
}

async function storeCost(): Promise<StoreCost> {
  exposeGc();
  const dir = temp('approvals-bench-store-');
  try {
    const store = await openSqliteStore({ directory: dir });
    const sqlite = await measureStore(store, STORE_ITEMS);
    const tables = await store.spaceByTable();
    await store.close();
    const memory = await measureStore(new MemoryStore(), STORE_ITEMS);
    return { sqlite, memory, tables };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const started = Date.now();
  const d = await delivery();
  const s = await storeCost();
  const kb = (bytes: number | null) => (bytes === null ? '–' : (bytes / 1024).toFixed(2));

  console.log(`\nNotifications (issue 5), ${new Date().toISOString().slice(0, 10)}, node ${process.version}`);
  console.log('\n| delivery: new items for approvers | value |');
  console.log('|---|---|');
  console.log(`| new items, one per approver | ${d.approvers} |`);
  console.log(`| discovery of all approvers | ${d.discoveryS.toFixed(1)} s |`);
  console.log(`| delivery, first card to last | ${d.deliveryS.toFixed(1)} s |`);
  console.log(`| delivered rate | ${d.perSecond.toFixed(1)} cards/s |`);
  console.log(
    `| share of the allowed rate (${TENANT_LIMIT}/s per tenant) | ${(d.share * 100).toFixed(1)} % |`,
  );
  console.log(`| 429s seen | ${d.throttled} |`);
  console.log(`| lost cards | ${d.lost} |`);
  console.log(`| duplicated cards | ${d.duplicated} |`);
  console.log(
    `| discovery with nothing new: Graph requests per approver per cycle | ${d.requestsPerApprover.toFixed(2)} |`,
  );
  console.log(
    `| discovery with nothing new: one cycle of ${d.approvers} approvers | ${d.idleCycleS.toFixed(1)} s |`,
  );
  console.log(`\n| store at ${STORE_ITEMS.toLocaleString('en-US')} tracked items | SQLite | memory |`);
  console.log('|---|---|---|');
  console.log(`| on disk per item | ${kb(s.sqlite.bytesPerItem)} KB | – |`);
  console.log(
    `| JS heap per item | ${kb(s.sqlite.heapBytesPerItem)} KB | ${kb(s.memory.heapBytesPerItem)} KB |`,
  );
  console.log(
    `| resident memory per item | ${kb(s.sqlite.rssBytesPerItem)} KB | ${kb(s.memory.rssBytesPerItem)} KB |`,
  );
  console.log(
    `| time to write them | ${(s.sqlite.elapsedMs / 1000).toFixed(1)} s | ${(s.memory.elapsedMs / 1000).toFixed(1)} s |`,
  );
  console.log('\n| SQLite table or index (dbstat) | bytes per item |');
  console.log('|---|---:|');
  for (const t of s.tables.filter((t) => t.bytes / STORE_ITEMS >= 1))
    console.log(`| ${t.name} | ${Math.round(t.bytes / STORE_ITEMS)} |`);
  const inFile = s.tables.reduce((sum, t) => sum + t.bytes, 0);
  const wal = (s.sqlite.bytes ?? 0) - inFile;
  console.log(`| (write-ahead log and free pages) | ${Math.round(Math.max(0, wal) / STORE_ITEMS)} |`);
  console.log(`\n(total ${((Date.now() - started) / 1000).toFixed(0)} s)`);
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
