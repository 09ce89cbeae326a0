/**
 * Benchmark: discovery at scale, in one process (bot on SQLite, Graph sandbox, connector double).
 *
 * 10,000 approvers with a 1:1 chat, each with one pending request the store already knows (primed as an
 * earlier cycle leaves it). Then:
 * 1. a cycle with nothing new: Graph HTTP requests per approver, cycle time, CPU;
 * 2. 1 % of the approvers get one new request each, and a cycle runs: the time from its start until each
 *    of their cards is accepted by the connector double.
 *
 * Run: `npm run bench discovery`. BENCH_DISCOVERY_APPROVERS lowers the number.
 */
import { cpuMs, seedApprover, seedRequest, startStack, waitUntil } from './stack';

const APPROVERS = Number(process.env.BENCH_DISCOVERY_APPROVERS ?? 10_000);
const NEW_SHARE = 0.01;

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? 0;
}

async function main(): Promise<void> {
  const started = Date.now();
  const stack = await startStack();
  const { app, sandbox, connector } = stack;
  try {
    const approvers: { id: string; conversationId: string }[] = [];
    for (let i = 0; i < APPROVERS; i++) {
      const approver = await seedApprover(stack, i);
      approvers.push(approver);
      await app.store.setPendingFor(approver.id, [seedRequest(stack, approver.id, i).key]);
    }
    process.stdout.write(`  seeded ${APPROVERS} approvers with one known request each\n`);

    // 1. Nothing new.
    sandbox.clearRequests();
    const cpu = process.cpuUsage();
    const idleStarted = performance.now();
    const idle = await app.notifier.discoverAll();
    const idleS = (performance.now() - idleStarted) / 1000;
    const idleCpuMs = cpuMs(cpu);
    const requests = sandbox.requests.filter((r) => !r.batched).length;
    await waitUntil(async () => {
      const counts = await app.store.outboxCounts();
      return counts.pending === 0 && counts.inflight === 0;
    }, 60_000);
    const sentWhenIdle = connector.requests.filter((r) => r.method === 'POST').length;

    // 2. One new request for 1 % of the approvers.
    const lucky = approvers.filter((_, i) => i % Math.round(1 / NEW_SHARE) === 0);
    const expected = new Map<string, string>();
    for (const [n, approver] of lucky.entries())
      expected.set(approver.conversationId, seedRequest(stack, approver.id, APPROVERS + n).approvalId);
    const before = connector.requests.length;
    const cycleStarted = Date.now();
    const busy = await app.notifier.discoverAll();
    const busyCycleS = (Date.now() - cycleStarted) / 1000;
    const arrived = (): number[] =>
      connector.requests
        .slice(before)
        .filter(
          (r) =>
            r.method === 'POST' &&
            r.status === 200 &&
            JSON.stringify(r.activity).includes(expected.get(r.conversationId) ?? '\u0000'),
        )
        .map((r) => r.at);
    await waitUntil(async () => arrived().length >= lucky.length, 5 * 60_000);
    const waits = arrived()
      .map((at) => (at - cycleStarted) / 1000)
      .sort((a, b) => a - b);

    console.log(`\nDiscovery, ${new Date().toISOString().slice(0, 10)}, node ${process.version}`);
    console.log(`\n| discovery of ${APPROVERS.toLocaleString('en-US')} approvers | value |`);
    console.log('|---|---|');
    console.log(
      `| nothing new: Graph HTTP requests per approver per cycle | ${(requests / Math.max(1, idle.approvers)).toFixed(2)} |`,
    );
    console.log(`| nothing new: cycle time | ${idleS.toFixed(1)} s |`);
    console.log(
      `| nothing new: CPU per cycle (whole process, Graph sandbox included) | ${(idleCpuMs / 1000).toFixed(1)} s = ${((idleCpuMs * 1000) / Math.max(1, idle.approvers)).toFixed(0)} µs per approver |`,
    );
    console.log(`| nothing new: cards sent | ${sentWhenIdle} |`);
    console.log(
      `| 1 % with one new request: approvers / new items found | ${lucky.length} / ${busy.added} |`,
    );
    console.log(`| 1 % with one new request: cycle time | ${busyCycleS.toFixed(1)} s |`);
    console.log(
      `| 1 % with one new request: time from cycle start to card sent, first / median / last | ${waits[0]?.toFixed(1)} / ${percentile(waits, 0.5).toFixed(1)} / ${waits[waits.length - 1]?.toFixed(1)} s |`,
    );
    console.log(`\n(total ${((Date.now() - started) / 1000).toFixed(0)} s)`);
  } finally {
    await stack.close();
  }
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
