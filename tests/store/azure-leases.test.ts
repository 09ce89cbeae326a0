import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { AzureStore } from '../../src/store/azure-store';
import { BlobLeaseCoordinator, TableRateBudget } from '../../src/store/azure-leases';
import { BudgetRateLimiter, openCoordination } from '../../src/store';
import type { TeamsRateLimits } from '../../src/store';
import { startAzurite } from '../support/azurite';
import type { Azurite } from '../support/azurite';

const WORKER = join(__dirname, 'azure-worker.ts');

let azurite: Azurite;
let prefix: string;

beforeAll(async () => {
  azurite = await startAzurite();
}, 30_000);

afterAll(async () => {
  await azurite?.stop();
});

beforeEach(() => {
  prefix = `c${randomBytes(5).toString('hex')}`;
});

/** Another instance: a Node process running the worker through ts-node (the same TypeScript). */
function worker(args: readonly string[]) {
  return spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', WORKER, ...args], {
    cwd: join(__dirname, '..', '..'),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

function output(child: ReturnType<typeof worker>): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0 ? resolve(out) : reject(new Error(`worker exited ${code}: ${err}`)),
    );
  });
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('blob leases (Azurite)', () => {
  it('gives a lease to exactly one of many racing instances; only the holder renews or releases it', async () => {
    const instances = Array.from({ length: 8 }, () =>
      BlobLeaseCoordinator.open({ connectionString: azurite.connectionString, prefix }),
    );
    const won = await Promise.all(instances.map((c, i) => c.acquire('discovery:7', `instance-${i}`, 15_000)));
    expect(won.filter(Boolean)).toHaveLength(1);
    const holder = won.indexOf(true);
    const other = (holder + 1) % instances.length;
    const [h, o] = [instances[holder], instances[other]];
    if (!h || !o) throw new Error('no instances');
    expect(await h.acquire('discovery:7', `instance-${holder}`, 15_000)).toBe(true);
    expect(await h.renew('discovery:7', `instance-${holder}`)).toBe(true);
    expect(await o.renew('discovery:7', `instance-${other}`)).toBe(false);
    expect(await o.release('discovery:7', `instance-${other}`)).toBe(false);
    expect(await o.acquire('discovery:7', `instance-${other}`, 15_000)).toBe(false);
    // Another name is another lease.
    expect(await o.acquire('discovery:8', `instance-${other}`, 15_000)).toBe(true);
    expect(await h.release('discovery:7', `instance-${holder}`)).toBe(true);
    expect(await h.release('discovery:7', `instance-${holder}`)).toBe(false);
    expect(await o.acquire('discovery:7', `instance-${other}`, 15_000)).toBe(true);
    expect(await o.renew('never-leased', `instance-${other}`)).toBe(false);
  });

  it('keeps ttls within what blob leases allow (15 to 60 s)', () => {
    const c = BlobLeaseCoordinator.open({ connectionString: azurite.connectionString, prefix });
    expect(c.effectiveTtlMs(1000)).toBe(15_000);
    expect(c.effectiveTtlMs(30_400)).toBe(30_000);
    expect(c.effectiveTtlMs(600_000)).toBe(60_000);
    expect(() => c.effectiveTtlMs(0)).toThrow();
  });

  it('hands the lease of a killed instance to another within the lease time', async () => {
    const child = worker(['lease', azurite.connectionString, prefix, 'discovery:3', 'doomed']);
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (chunk: Buffer) => (chunk.toString().includes('held') ? resolve() : undefined));
      child.on('exit', (code) => reject(new Error(`lease worker exited ${code}`)));
    });
    const survivor = BlobLeaseCoordinator.open({ connectionString: azurite.connectionString, prefix });
    expect(await survivor.acquire('discovery:3', 'survivor', 15_000)).toBe(false);
    const killedAt = Date.now();
    child.kill('SIGKILL');
    while (!(await survivor.acquire('discovery:3', 'survivor', 15_000))) await sleep(250);
    const handOverMs = Date.now() - killedAt;
    console.log(
      `lease of a SIGKILLed instance passed to another after ${(handOverMs / 1000).toFixed(1)} s (ttl 15 s)`,
    );
    expect(handOverMs).toBeLessThanOrEqual(15_000 + 2000);
  }, 40_000);
});

/** The largest number of grants in any window of `windowMs` (grants counted in (t - window, t]). */
function busiestWindow(times: readonly number[], windowMs: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let most = 0;
  let from = 0;
  for (let to = 0; to < sorted.length; to++) {
    while ((sorted[from] ?? 0) <= (sorted[to] ?? 0) - windowMs) from += 1;
    most = Math.max(most, to - from + 1);
  }
  return most;
}

describe('shared rate budget (Azurite)', () => {
  const limits: TeamsRateLimits = {
    conversation: [
      { limit: 4, windowMs: 500 },
      { limit: 10, windowMs: 2000 },
    ],
    tenant: [{ limit: 6, windowMs: 500 }],
  };

  it('never lets two processes together exceed a conversation or tenant limit', async () => {
    const startAt = Date.now() + 4000;
    const durationMs = 3000;
    const args = [
      'budget',
      azurite.connectionString,
      prefix,
      String(startAt),
      String(durationMs),
      JSON.stringify(limits),
    ];
    const results = await Promise.all([output(worker(args)), output(worker(args))]);
    const perProcess = results.map((text) => JSON.parse(text) as { conversation: string; at: number }[]);
    const all = perProcess.flat();
    const c1 = all.filter((g) => g.conversation === 'c1').map((g) => g.at);
    const c2 = all.filter((g) => g.conversation === 'c2').map((g) => g.at);
    const busiest = {
      c1: [busiestWindow(c1, 500), busiestWindow(c1, 2000)],
      c2: [busiestWindow(c2, 500), busiestWindow(c2, 2000)],
      tenant: busiestWindow(
        all.map((g) => g.at),
        500,
      ),
    };
    console.log(
      `shared budget over ${durationMs / 1000} s: ${perProcess.map((p) => p.length).join(' + ')} grants; busiest windows ${JSON.stringify(busiest)}`,
    );
    expect(busiest.c1[0]).toBeLessThanOrEqual(4);
    expect(busiest.c2[0]).toBeLessThanOrEqual(4);
    expect(busiest.c1[1]).toBeLessThanOrEqual(10);
    expect(busiest.c2[1]).toBeLessThanOrEqual(10);
    expect(busiest.tenant).toBeLessThanOrEqual(6);
    // Both processes got a share, and together they used most of what the limits allow (10 per 2 s each).
    expect(perProcess.every((p) => p.length > 0)).toBe(true);
    expect(all.length).toBeGreaterThanOrEqual(20);
  }, 40_000);

  it('grants all or nothing, and holds a conversation after a 429', async () => {
    const budget = TableRateBudget.open({ connectionString: azurite.connectionString, prefix });
    const limiter = new BudgetRateLimiter(budget, limits, { headroom: 1, tenantPauseMs: 100 });
    const a = { conversationId: 'a', tenantId: 't' };
    const b = { conversationId: 'b', tenantId: 't' };
    const t = 1_000_000;
    for (let i = 0; i < 4; i++) expect(await limiter.take(a, t)).toBe(0);
    expect(await limiter.take(a, t)).toBe(500);
    // a's refusal spent nothing of the tenant's budget: b still gets the tenant's last two.
    expect(await limiter.take(b, t)).toBe(0);
    expect(await limiter.take(b, t)).toBe(0);
    expect(await limiter.take(b, t)).toBe(500);
    expect(await limiter.take(a, t + 500)).toBe(0);
    await limiter.hold(b, t + 5000, t + 500);
    expect(await limiter.take(b, t + 501)).toBe(4499);
    // The tenant pauses only briefly.
    expect(await limiter.take(a, t + 550)).toBe(50);
    expect(await limiter.take(a, t + 600)).toBe(0);
  });

  it('is what openCoordination gives for the azure engine', async () => {
    const { leases, budget } = await openCoordination({
      engine: 'azure',
      account: { connectionString: azurite.connectionString },
      prefix,
    });
    expect(leases).toBeInstanceOf(BlobLeaseCoordinator);
    expect(budget).toBeInstanceOf(TableRateBudget);
    await AzureStore.destroy({ connectionString: azurite.connectionString, prefix });
  });
});

describe('outbox across processes (Azurite)', () => {
  it('shares the outbox among three processes: every entry delivered exactly once', async () => {
    const store = await AzureStore.open({ connectionString: azurite.connectionString, prefix });
    const total = 600;
    await store.enqueue(
      Array.from({ length: total }, (_, n) => ({
        kind: 'send' as const,
        conversationKey: `user:${n % 50}`,
        itemKey: null,
        payload: { n },
        dedupeKey: `send:${n}`,
        notBefore: 0,
      })),
    );
    const startAt = Date.now() + 4000;
    const results = await Promise.all(
      ['p1', 'p2', 'p3'].map((owner) =>
        output(worker(['claim', azurite.connectionString, prefix, owner, String(startAt)])),
      ),
    );
    const perOwner = results.map((text) => JSON.parse(text) as string[]);
    const all = perOwner.flat();
    console.log(`azure outbox, three processes: ${perOwner.map((ids) => ids.length).join(', ')} of ${total}`);
    expect(all).toHaveLength(total);
    expect(new Set(all).size).toBe(total);
    expect(await store.outboxCounts()).toEqual({ pending: 0, inflight: 0, done: total, dead: 0 });
    await AzureStore.destroy({ connectionString: azurite.connectionString, prefix });
  }, 60_000);
});
