/**
 * Another bot instance on the same Azurite account, for the tests that need separate processes:
 *   claim <connection> <prefix> <owner> <startAtMs>        claims and completes until nothing is due,
 *                                                         then prints the ids it delivered (JSON)
 *   budget <connection> <prefix> <startAtMs> <ms> <limits> takes from the shared Teams budget for <ms>,
 *                                                         alternating two conversations; prints grants
 *   lease <connection> <prefix> <name> <owner>             takes a lease, prints "held", renews it every
 *                                                         5 s until the parent kills the process
 */
import { AzureStore } from '../../src/store/azure-store';
import { BlobLeaseCoordinator, TableRateBudget } from '../../src/store/azure-leases';
import { BudgetRateLimiter } from '../../src/store/coordination';
import type { TeamsRateLimits } from '../../src/store/coordination';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function waitUntil(startAt: number): Promise<void> {
  // Every worker starts at the same moment, so that their requests really overlap.
  while (Date.now() < startAt) await sleep(5);
}

async function claim(
  connectionString: string,
  prefix: string,
  owner: string,
  startAt: number,
): Promise<void> {
  const store = await AzureStore.open({ connectionString, prefix });
  await waitUntil(startAt);
  const ids: string[] = [];
  for (;;) {
    const claimed = await store.claimDue({ now: Date.now(), limit: 5, owner, leaseMs: 600_000 });
    if (claimed.length === 0) break;
    for (const entry of claimed) {
      ids.push(entry.id);
      await store.completeOutbox(entry.id, owner, { activityId: `1:${owner}`, now: Date.now() });
    }
  }
  process.stdout.write(`${JSON.stringify(ids)}\n`);
}

async function budget(
  connectionString: string,
  prefix: string,
  startAt: number,
  durationMs: number,
  limits: TeamsRateLimits,
): Promise<void> {
  const limiter = new BudgetRateLimiter(TableRateBudget.open({ connectionString, prefix }), limits, {
    headroom: 1,
  });
  await waitUntil(startAt);
  const grants: { conversation: string; at: number }[] = [];
  for (let n = 0; Date.now() < startAt + durationMs; n++) {
    const conversation = n % 2 === 0 ? 'c1' : 'c2';
    const now = Date.now();
    const wait = await limiter.take({ conversationId: conversation, tenantId: 'tenant-1' }, now);
    if (wait === 0) grants.push({ conversation, at: now });
    else await sleep(Math.min(wait, 20));
  }
  process.stdout.write(`${JSON.stringify(grants)}\n`);
}

async function lease(connectionString: string, prefix: string, name: string, owner: string): Promise<void> {
  const leases = BlobLeaseCoordinator.open({ connectionString, prefix });
  while (!(await leases.acquire(name, owner, 15_000))) await sleep(200);
  process.stdout.write('held\n');
  for (;;) {
    await sleep(5000);
    await leases.renew(name, owner);
  }
}

const [mode, connectionString = '', prefix = '', ...rest] = process.argv.slice(2);
const run =
  mode === 'claim'
    ? claim(connectionString, prefix, rest[0] ?? 'worker', Number(rest[1]))
    : mode === 'budget'
      ? budget(
          connectionString,
          prefix,
          Number(rest[0]),
          Number(rest[1]),
          JSON.parse(rest[2] ?? '{}') as TeamsRateLimits,
        )
      : mode === 'lease'
        ? lease(connectionString, prefix, rest[0] ?? 'lease', rest[1] ?? 'worker')
        : Promise.reject(new Error(`unknown mode ${mode ?? ''}`));
run.catch((error: unknown) => {
  process.stderr.write(`${String(error)}\n`);
  process.exit(1);
});
