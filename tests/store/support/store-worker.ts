/**
 * A second process on the same SQLite file, for the tests that need real concurrency or a real crash:
 *   claim <directory> <owner> <startAtMs> <now>  claims and completes until nothing is due, prints the ids
 *   enqueue <directory>                          enqueues one entry at a time forever, printing each key
 *                                                once its transaction has committed (the parent kills it)
 */
import { openSqliteStore } from '../../../src/store';

async function claim(directory: string, owner: string, startAt: number, now: number): Promise<void> {
  const store = await openSqliteStore({ directory });
  // Every worker starts at the same moment, so that their claims really overlap.
  while (Date.now() < startAt) await new Promise((resolve) => setTimeout(resolve, 5));
  const ids: string[] = [];
  for (;;) {
    const claimed = await store.claimDue({ now, limit: 5, owner, leaseMs: 600_000 });
    if (claimed.length === 0) break;
    // Stands in for the send, and lets the other processes take their turn at the lock.
    await new Promise((resolve) => setTimeout(resolve, 1));
    for (const entry of claimed) {
      ids.push(entry.id);
      await store.completeOutbox(entry.id, owner, { activityId: `1:${owner}`, now });
    }
  }
  await store.close();
  process.stdout.write(`${JSON.stringify(ids)}\n`);
}

async function enqueueForever(directory: string): Promise<void> {
  const store = await openSqliteStore({ directory });
  for (let n = 0; ; n++) {
    const dedupeKey = `crash:${n}`;
    await store.enqueue([
      { kind: 'send', conversationKey: 'user:x', itemKey: null, payload: { n }, dedupeKey, notBefore: 0 },
    ]);
    process.stdout.write(`${dedupeKey}\n`);
  }
}

const [mode, directory = '', ...rest] = process.argv.slice(2);
const run =
  mode === 'claim'
    ? claim(directory, rest[0] ?? 'worker', Number(rest[1]), Number(rest[2]))
    : mode === 'enqueue'
      ? enqueueForever(directory)
      : Promise.reject(new Error(`unknown mode ${mode ?? ''}`));
run.catch((error: unknown) => {
  process.stderr.write(`${String(error)}\n`);
  process.exit(1);
});
