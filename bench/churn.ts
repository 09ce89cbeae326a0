/**
 * Benchmark: bounded growth. Thirty simulated days on the SQLite store (the product's default), as the
 * notifier and the decide path use it: each day 1,000 new requests arrive (item, approver, a card sent
 * through the outbox, its copy, a reminder mark), each is decided within two days (final state, an audit
 * record, an update through the outbox), and housekeeping applies retention. Prints, per day, what the
 * store holds, its size on disk and the process's heap after a full collection: both must stay flat once
 * the retention window is full.
 *
 * Run: npm run bench churn. BENCH_CHURN_DAYS, BENCH_CHURN_PER_DAY and BENCH_RETENTION_DAYS change the sizes.
 */
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import v8 from 'node:v8';
import vm from 'node:vm';
import { itemKey } from '../src/domain';
import { openSqliteStore, syntheticItem } from '../src/store';
import type { NewOutboxEntry } from '../src/store';

const DAYS = Number(process.env.BENCH_CHURN_DAYS ?? 30);
const PER_DAY = Number(process.env.BENCH_CHURN_PER_DAY ?? 1000);
const RETENTION_DAYS = Number(process.env.BENCH_RETENTION_DAYS ?? 10);
const DAY = 86_400_000;
const APPROVER = '6d2b6a0e-7c1f-4f0e-9b8a-1a2b3c4d5e01';

function bytesIn(directory: string): number {
  return readdirSync(directory).reduce((sum, f) => sum + statSync(path.join(directory, f)).size, 0);
}

function heapAfterGc(): number {
  v8.setFlagsFromString('--expose-gc');
  (vm.runInNewContext('gc') as () => void)();
  return process.memoryUsage().heapUsed;
}

async function main(): Promise<void> {
  const directory = mkdtempSync(path.join(tmpdir(), 'approvals-churn-'));
  let clock = Date.parse('2026-01-01T08:00:00Z');
  let store = await openSqliteStore({ directory, now: () => new Date(clock) });
  const rows: string[] = [];
  const flat: { bytes: number; heap: number }[] = [];
  try {
    let n = 0;
    const started = Date.now();
    for (let day = 1; day <= DAYS; day++) {
      // New requests: the item, a card through the outbox, its copy, a reminder mark.
      const today = Array.from({ length: PER_DAY }, () => syntheticItem(++n));
      await store.putItems(today.map((item) => ({ item, approverId: APPROVER })));
      const sends: NewOutboxEntry[] = today.map((item) => ({
        kind: 'send',
        conversationKey: `user:${APPROVER}`,
        itemKey: itemKey(item.target),
        payload: { card: { type: 'AdaptiveCard', body: [{ type: 'TextBlock', text: 'x'.repeat(2000) }] } },
        dedupeKey: `send:${itemKey(item.target)}`,
        notBefore: clock,
      }));
      await deliver(sends);
      for (const item of today) {
        await store.addCopy({
          itemKey: itemKey(item.target),
          conversationId: `a:${APPROVER}`,
          activityId: `1:${item.target.kind === 'accessPackage' ? item.target.approvalId : ''}`,
          scope: 'personal',
          recipientId: APPROVER,
          reference: { conversation: { id: `a:${APPROVER}` } },
          sentAt: new Date(clock).toISOString(),
        });
        await store.markReminded(itemKey(item.target), APPROVER);
      }
      // Decisions on what arrived two days ago: final state, audit, the copy's update.
      const decided = n - 2 * PER_DAY;
      if (decided > 0) {
        const updates: NewOutboxEntry[] = [];
        for (let k = decided - PER_DAY + 1; k <= decided; k++) {
          const key = itemKey(syntheticItem(k).target);
          await store.finishItem(key, {
            result: 'Approved',
            by: { id: APPROVER, displayName: 'Alex Wilber' },
            at: new Date(clock).toISOString(),
            justification: 'Needed for the launch',
            changeable: false,
          });
          await store.appendAudit({
            at: new Date(clock).toISOString(),
            userId: APPROVER,
            userName: 'Alex Wilber',
            itemKey: key,
            kind: 'accessPackage',
            title: `Requestor ${k}: Access package ${k % 50}`,
            decision: 'Approve',
            outcome: 'recorded',
            requestId: null,
            justificationLength: 21,
          });
          await store.rememberDecision(
            `${key}:approve`,
            { kind: 'notFound', view: 'caller', message: '', requestId: null },
            clock + 15 * 60_000,
          );
          updates.push({
            kind: 'update',
            conversationKey: `user:${APPROVER}`,
            itemKey: key,
            payload: { conversationId: `a:${APPROVER}`, activityId: `1:${k}` },
            dedupeKey: `update:${key}`,
            notBefore: clock,
          });
        }
        await deliver(updates);
      }
      // Overnight housekeeping, as the product runs it.
      clock += DAY;
      await store.forgetExpiredDecisions(clock);
      const forgotten = await store.forgetBefore(clock - RETENTION_DAYS * DAY);
      // Closed and reopened each day, as a restart would: the sizes are after a checkpoint.
      await store.close();
      const bytes = bytesIn(directory);
      const heap = heapAfterGc();
      store = await openSqliteStore({ directory, now: () => new Date(clock) });
      const counts = await store.size();
      rows.push(
        `| ${String(day).padStart(3)} | ${String(counts.items).padStart(6)} | ${String(counts.outbox).padStart(6)} | ${(bytes / 1e6).toFixed(1).padStart(7)} | ${(heap / 1e6).toFixed(1).padStart(7)} | ${forgotten.items}/${forgotten.outbox}/${forgotten.audit} |`,
      );
      if (day > DAYS - 10) flat.push({ bytes, heap });
    }
    console.log(
      `\nChurn on SQLite: ${DAYS} days, ${PER_DAY} requests a day, each decided after two days, retention ${RETENTION_DAYS} days (${((Date.now() - started) / 1000).toFixed(0)} s, Node ${process.versions.node})\n`,
    );
    console.log('| day | items | outbox | disk MB | heap MB | forgotten items/outbox/audit |');
    console.log('|---:|---:|---:|---:|---:|---|');
    for (const row of rows) console.log(row);
    const spread = (values: number[]) => (Math.max(...values) - Math.min(...values)) / Math.max(...values);
    const disk = spread(flat.map((f) => f.bytes));
    const heap = spread(flat.map((f) => f.heap));
    console.log(
      `\nLast 10 days: disk varies by ${(disk * 100).toFixed(1)} %, heap by ${(heap * 100).toFixed(1)} % (flat: under 10 %): ${disk < 0.1 && heap < 0.1 ? 'flat' : 'GROWING'}`,
    );
  } finally {
    await store.close();
    rmSync(directory, { recursive: true, force: true });
  }

  async function deliver(entries: NewOutboxEntry[]): Promise<void> {
    const added = await store.enqueue(entries);
    for (let i = 0; i < added.length; i += 500) {
      const claimed = await store.claimDue({ now: clock, limit: 500, owner: 'bench', leaseMs: 60_000 });
      for (const e of claimed)
        await store.completeOutbox(e.id, 'bench', { activityId: `1:${e.id}`, now: clock });
    }
  }
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
