/**
 * A second process on the same SQLite file, for the tests that need real concurrency or a real crash:
 *   claim <directory> <owner> <startAtMs> <now>  claims and completes until nothing is due, prints the ids
 *   enqueue <directory>                          enqueues one entry at a time forever, printing each key
 *                                                once its transaction has committed (the parent kills it)
 *   copies <directory>                           records one card copy at a time forever, printing each
 *                                                activity id once addCopy returned (the parent kills it)
 *   reopen <directory> <name> <untilMs>          opens, writes, lets the checkpoint timer run, closes, again
 *                                                and again until untilMs; prints every integrity status seen
 */
import { openSqliteStore } from '../../../src/store';
import type { CardCopy } from '../../../src/store';

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

function journalCopy(n: number): CardCopy {
  return {
    itemKey: `accessPackage:approval-${n}:stage-1`,
    conversationId: `a:chat-${n % 7}`,
    activityId: `1:${n}`,
    scope: 'personal',
    recipientId: null,
    reference: { conversation: { id: `a:chat-${n % 7}` } },
    sentAt: new Date(0).toISOString(),
  };
}

async function copiesForever(directory: string): Promise<void> {
  const store = await openSqliteStore({ directory });
  for (let n = 0; ; n++) {
    await store.addCopy(journalCopy(n));
    process.stdout.write(`${journalCopy(n).activityId}\n`);
  }
}

async function reopen(directory: string, name: string, until: number): Promise<void> {
  const statuses: string[] = [];
  for (let round = 0; Date.now() < until; round++) {
    const store = await openSqliteStore({ directory, checkpointMs: 15 });
    statuses.push(store.integrity.status);
    for (let n = 0; n < 20; n++) {
      await store.enqueue([
        {
          kind: 'send',
          conversationKey: `user:${name}`,
          itemKey: null,
          payload: {},
          dedupeKey: `${name}:${round}:${n}`,
          notBefore: 0,
        },
      ]);
      await store.addCopy({ ...journalCopy(round * 100 + n), activityId: `${name}:${round}:${n}` });
      // Lets the checkpoint timer run between writes, as the bot's event loop would.
      if (n % 5 === 0) await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await store.close();
  }
  process.stdout.write(`${JSON.stringify(statuses)}\n`);
}

const [mode, directory = '', ...rest] = process.argv.slice(2);
const run =
  mode === 'claim'
    ? claim(directory, rest[0] ?? 'worker', Number(rest[1]), Number(rest[2]))
    : mode === 'enqueue'
      ? enqueueForever(directory)
      : mode === 'copies'
        ? copiesForever(directory)
        : mode === 'reopen'
          ? reopen(directory, rest[0] ?? 'worker', Number(rest[1]))
          : Promise.reject(new Error(`unknown mode ${mode ?? ''}`));
run.catch((error: unknown) => {
  process.stderr.write(`${String(error)}\n`);
  process.exit(1);
});
