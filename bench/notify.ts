/**
 * Benchmark: notifications at scale, in one process.
 *
 * 1. Fan-out to chats: 5,000 new requests for 5,000 approvers (one each), discovered in the Graph sandbox
 *    and delivered through a connector double that enforces Teams' limits (7/1 s, 8/2 s, 60/30 s, 1,800/h
 *    per conversation; 50/s per tenant) and answers 429 with Retry-After past them. Reports the delivered
 *    rate as a share of the binding limit (50/s per tenant), the 429s seen, lost and duplicated cards, and
 *    the CPU per delivered card.
 * 2. Fan-out into one channel: 500 cards due at once for one channel, where the per-conversation limits
 *    bind (60/30 s over the run). Real clock: the run takes about four minutes.
 * 3. Discovery cost: a second cycle with nothing new, in Graph HTTP requests per approver
 *    (bench/discovery.ts does 10,000 approvers).
 * 4. Store: size on disk and process memory per tracked item at 100,000 items (SQLite, and memory), and
 *    where SQLite's space goes.
 *
 * Run: `npm run bench notify`. Sizes can be lowered with BENCH_APPROVERS, BENCH_CHANNEL_CARDS and
 * BENCH_STORE_ITEMS (0 skips a part).
 */
import { rmSync } from 'node:fs';
import v8 from 'node:v8';
import vm from 'node:vm';
import { TEAMS_LIMITS } from '../src/notify';
import { MemoryStore, measureStore, openSqliteStore } from '../src/store';
import type { StoreMeasurement } from '../src/store';
import { TENANT_ID } from '../tests/support/teams';
import { busiestWindow } from '../tests/support/rate-limited-connector';
import type { ConnectorRequest } from '../tests/support/rate-limited-connector';
import { cpuMs, seedApprover, seedRequest, startStack, temp, waitUntil } from './stack';
import type { Stack } from './stack';

const APPROVERS = Number(process.env.BENCH_APPROVERS ?? 5000);
const CHANNEL_CARDS = Number(process.env.BENCH_CHANNEL_CARDS ?? 500);
const STORE_ITEMS = Number(process.env.BENCH_STORE_ITEMS ?? 100_000);
const TENANT_LIMIT = TEAMS_LIMITS.tenant[0]?.limit ?? 50;

interface DeliveryResult {
  readonly approvers: number;
  readonly discoveryS: number;
  readonly deliveryS: number;
  readonly perSecond: number;
  readonly share: number;
  /** The rate once discovery had finished (delivery alone in the process). */
  readonly afterDiscoveryPerSecond: number;
  readonly busiestSecond: number;
  readonly throttled: number;
  readonly lost: number;
  readonly duplicated: number;
  readonly cpuMsPerCard: number;
  readonly requestsPerApprover: number;
  readonly idleCycleS: number;
}

/** Accepted sends by (conversation, approval id), to count lost and duplicated cards. */
function sendsByCard(sends: readonly ConnectorRequest[]): Map<string, number> {
  const seen = new Map<string, number>();
  for (const r of sends) {
    const data = JSON.stringify(r.activity).match(/"approvalId":"([0-9a-f-]{36})"/);
    const key = `${r.conversationId} ${data?.[1] ?? '?'}`;
    seen.set(key, (seen.get(key) ?? 0) + 1);
  }
  return seen;
}

function accepted(stack: Stack): ConnectorRequest[] {
  return stack.connector.requests.filter((r) => r.method === 'POST' && r.status === 200);
}

async function outboxEmpty(stack: Stack): Promise<boolean> {
  const counts = await stack.app.store.outboxCounts();
  return counts.pending === 0 && counts.inflight === 0;
}

async function delivery(): Promise<DeliveryResult> {
  const stack = await startStack();
  const { app, sandbox, connector } = stack;
  try {
    const expected = new Set<string>();
    for (let i = 0; i < APPROVERS; i++) {
      const approver = await seedApprover(stack, i);
      const seeded = seedRequest(stack, approver.id, i);
      expected.add(`${approver.conversationId} ${seeded.approvalId}`);
    }
    process.stdout.write(`  seeded ${APPROVERS} approvers; discovering and delivering…\n`);

    const cpu = process.cpuUsage();
    const started = performance.now();
    await app.notifier.discoverAll();
    const discoveryS = (performance.now() - started) / 1000;
    const discoveredAt = Date.now();
    await waitUntil(() => outboxEmpty(stack), 15 * 60_000);
    const cpuMsUsed = cpuMs(cpu);

    const sends = accepted(stack);
    const seen = sendsByCard(sends);
    const times = sends.map((r) => r.at).sort((a, b) => a - b);
    const deliveryS = ((times[times.length - 1] ?? 0) - (times[0] ?? 0)) / 1000;
    const perSecond = sends.length > 1 ? (sends.length - 1) / deliveryS : 0;
    const after = times.filter((t) => t >= discoveredAt);
    const afterS = ((after[after.length - 1] ?? 0) - (after[0] ?? 0)) / 1000;
    const afterDiscoveryPerSecond = after.length > 1 ? (after.length - 1) / afterS : 0;

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
      afterDiscoveryPerSecond,
      busiestSecond: busiestWindow(times, 1000),
      throttled: connector.throttled,
      lost: [...expected].filter((k) => !seen.has(k)).length,
      duplicated: [...seen.values()].reduce((sum, n) => sum + Math.max(0, n - 1), 0),
      cpuMsPerCard: cpuMsUsed / Math.max(1, sends.length),
      requestsPerApprover: requests / Math.max(1, idle.approvers),
      idleCycleS,
    };
  } finally {
    await stack.close();
  }
}

interface ChannelResult {
  readonly cards: number;
  readonly durationS: number;
  /** Sends per 30 s over the run, and the busiest window of each per-conversation limit. */
  readonly per30s: number;
  readonly busiest: readonly { limit: number; windowMs: number; most: number }[];
  readonly throttled: number;
  readonly lost: number;
  readonly duplicated: number;
  readonly cpuMsPerCard: number;
}

/**
 * `CHANNEL_CARDS` sends due at once for one team channel (as channel subscriptions enqueue them): the
 * items are in the store and the entries in the outbox, so only delivery is measured.
 */
async function channel(): Promise<ChannelResult> {
  const stack = await startStack();
  const { app, connector } = stack;
  try {
    const conversationId = '19:bench-channel@thread.tacv2';
    const key = `channel:${conversationId}`;
    await app.store.saveReference({
      key,
      scope: 'channel',
      tenantId: TENANT_ID,
      userId: null,
      userMri: null,
      conversationId,
      reference: {
        bot: { id: '28:approvals-bot', name: 'Approvals' },
        conversation: { id: conversationId, conversationType: 'channel', isGroup: true, tenantId: TENANT_ID },
        channelData: { tenant: { id: TENANT_ID } },
        channelId: 'msteams',
        serviceUrl: connector.serviceUrl,
      },
      updatedAt: new Date().toISOString(),
    });
    const approver = await seedApprover(stack, 0);
    const expected = new Set<string>();
    for (let i = 0; i < CHANNEL_CARDS; i++)
      expected.add(`${conversationId} ${seedRequest(stack, approver.id, i).approvalId}`);
    // Discovery stores the items (and gives the approver a digest); then the channel's entries are due.
    await app.notifier.discoverFor([approver.id]);
    await waitUntil(() => outboxEmpty(stack), 60_000);
    const before = connector.requests.length;
    const throttledBefore = connector.throttled;
    const now = Date.now();
    const keys = await app.store.pendingFor(approver.id);
    await app.store.enqueue(
      keys.map((itemKey) => ({
        kind: 'send' as const,
        conversationKey: key,
        itemKey,
        payload: { recipientId: null },
        dedupeKey: `send:${itemKey}:${key}`,
        notBefore: now,
      })),
    );
    process.stdout.write(`  ${keys.length} cards due for one channel; delivering (real clock)…\n`);
    const cpu = process.cpuUsage();
    app.notifier.wake();
    await waitUntil(() => outboxEmpty(stack), 30 * 60_000);
    const cpuMsUsed = cpuMs(cpu);
    const sends = connector.requests
      .slice(before)
      .filter((r) => r.method === 'POST' && r.status === 200 && r.conversationId === conversationId);
    const seen = sendsByCard(sends);
    const times = sends.map((r) => r.at).sort((a, b) => a - b);
    const durationS = ((times[times.length - 1] ?? 0) - (times[0] ?? 0)) / 1000;
    return {
      cards: keys.length,
      durationS,
      per30s: sends.length > 1 ? ((sends.length - 1) / durationS) * 30 : 0,
      busiest: TEAMS_LIMITS.conversation.map((w) => ({ ...w, most: busiestWindow(times, w.windowMs) })),
      throttled: connector.throttled - throttledBefore,
      lost: [...expected].filter((k) => !seen.has(k)).length,
      duplicated: [...seen.values()].reduce((sum, n) => sum + Math.max(0, n - 1), 0),
      cpuMsPerCard: cpuMsUsed / Math.max(1, sends.length),
    };
  } finally {
    await stack.close();
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

function printDelivery(d: DeliveryResult): void {
  console.log('\n| fan-out: new items for approvers, one chat each | value |');
  console.log('|---|---|');
  console.log(`| new items, one per approver | ${d.approvers} |`);
  console.log(`| discovery of all approvers | ${d.discoveryS.toFixed(1)} s |`);
  console.log(`| delivery, first card to last | ${d.deliveryS.toFixed(1)} s |`);
  console.log(`| delivered rate | ${d.perSecond.toFixed(1)} cards/s |`);
  console.log(
    `| share of the binding limit (${TENANT_LIMIT}/s per tenant) | ${(d.share * 100).toFixed(1)} % |`,
  );
  console.log(
    `| the same once discovery had finished (delivery alone) | ${d.afterDiscoveryPerSecond.toFixed(1)} cards/s = ${((d.afterDiscoveryPerSecond / TENANT_LIMIT) * 100).toFixed(1)} % |`,
  );
  console.log(`| busiest second | ${d.busiestSecond} sends |`);
  console.log(`| 429s seen (each retried after its Retry-After) | ${d.throttled} |`);
  console.log(`| lost cards | ${d.lost} |`);
  console.log(`| duplicated cards | ${d.duplicated} |`);
  console.log(
    `| CPU per delivered card (whole process: bot, connector double, Graph sandbox) | ${d.cpuMsPerCard.toFixed(2)} ms |`,
  );
  console.log(
    `| discovery with nothing new: Graph requests per approver per cycle | ${d.requestsPerApprover.toFixed(2)} |`,
  );
  console.log(
    `| discovery with nothing new: one cycle of ${d.approvers} approvers | ${d.idleCycleS.toFixed(1)} s |`,
  );
}

function printChannel(c: ChannelResult): void {
  const binding = TEAMS_LIMITS.conversation.find((w) => w.windowMs === 30_000);
  console.log(`\n| fan-out: ${c.cards} cards into one channel (real clock) | value |`);
  console.log('|---|---|');
  console.log(`| delivery, first card to last | ${c.durationS.toFixed(1)} s |`);
  if (binding)
    console.log(
      `| delivered rate | ${c.per30s.toFixed(1)} cards per 30 s = ${((c.per30s / binding.limit) * 100).toFixed(1)} % of the binding ${binding.limit}/30 s |`,
    );
  for (const b of c.busiest)
    console.log(`| busiest ${b.windowMs / 1000} s window | ${b.most} of ${b.limit} allowed |`);
  console.log(`| 429s seen | ${c.throttled} |`);
  console.log(`| lost cards / duplicated cards | ${c.lost} / ${c.duplicated} |`);
  console.log(`| CPU per delivered card (whole process) | ${c.cpuMsPerCard.toFixed(2)} ms |`);
}

async function main(): Promise<void> {
  const started = Date.now();
  console.log(`\nNotifications, ${new Date().toISOString().slice(0, 10)}, node ${process.version}`);
  if (APPROVERS > 0) printDelivery(await delivery());
  if (CHANNEL_CARDS > 0) printChannel(await channel());
  if (STORE_ITEMS > 0) printStore(await storeCost());
  console.log(`\n(total ${((Date.now() - started) / 1000).toFixed(0)} s)`);
}

function printStore(s: StoreCost): void {
  const kb = (bytes: number | null) => (bytes === null ? '–' : (bytes / 1024).toFixed(2));
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
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
