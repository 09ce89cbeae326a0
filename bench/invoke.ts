/**
 * Benchmark (issue 3): Approve invokes through the whole stack (restify → CloudAdapter → bot → decisions
 * → Graph client → Graph sandbox with no added latency) against a bare CloudAdapter bot that answers every
 * invoke with a fixed card. Each bot runs in its own child process so its memory is measured alone; the
 * load generator and the sandbox run here.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { startSandbox } from '../src/sandbox';
import type { Sandbox } from '../src/sandbox';

const ROOT = path.resolve(__dirname, '..');
const REQUESTS = Number(process.env.BENCH_INVOKES ?? 1000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);
const SERVICE_URL = 'http://127.0.0.1:9/'; // never called: invokes are answered in the HTTP response

interface Child {
  readonly url: string;
  stop(): Promise<{ peakRssMb: number; baseRssMb: number }>;
}

function startChild(mode: 'full' | 'bare', sandboxUrl: string): Promise<Child> {
  const child = spawn(
    process.execPath,
    ['-r', 'ts-node/register/transpile-only', path.join(__dirname, 'invoke-bot.ts'), mode, sandboxUrl],
    {
      cwd: ROOT,
      env: { ...process.env, TS_NODE_PROJECT: path.join(ROOT, 'tsconfig.json') },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  let out = '';
  let started = false;
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`${mode} bot exited early (${code}): ${out}`)));
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const ready = /READY (\S+)/.exec(out);
      if (ready?.[1] && !started) {
        started = true;
        child.removeAllListeners('exit');
        resolve({
          url: ready[1],
          stop: () =>
            new Promise((done) => {
              child.once('exit', () => {
                const stats = /STATS (\{.*\})/.exec(out);
                done(
                  JSON.parse(stats?.[1] ?? '{"peakRssMb":0,"baseRssMb":0}') as {
                    peakRssMb: number;
                    baseRssMb: number;
                  },
                );
              });
              child.kill('SIGTERM');
            }),
        });
      }
    });
  });
}

function invoke(user: { id: string; name: string }, target: unknown, n: number) {
  return {
    type: 'invoke',
    name: 'adaptiveCard/action',
    id: `bench-${n}`,
    channelId: 'msteams',
    serviceUrl: SERVICE_URL,
    from: { id: `29:${user.id}`, name: user.name, aadObjectId: user.id },
    recipient: { id: '28:bot', name: 'Approvals' },
    conversation: {
      id: `a:bench-${user.id}`,
      conversationType: 'personal',
      tenantId: '6d2b6a0e-7c1f-4f0e-9b8a-1a2b3c4d5e00',
    },
    value: {
      action: {
        type: 'Action.Execute',
        verb: 'approve',
        data: { verb: 'approve', target, rev: 1, justification: 'Benchmark' },
      },
      trigger: 'manual',
    },
  };
}

async function drive(
  url: string,
  bodies: readonly string[],
): Promise<{ latencies: number[]; seconds: number; failures: number }> {
  const latencies: number[] = [];
  let failures = 0;
  let next = 0;
  const started = performance.now();
  const worker = async () => {
    while (next < bodies.length) {
      const body = bodies[next++] as string;
      const t0 = performance.now();
      const res = await fetch(`${url}/api/messages`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body,
      });
      const text = await res.text();
      latencies.push(performance.now() - t0);
      if (res.status !== 200 || !text.includes('application/vnd.microsoft.card.adaptive')) failures++;
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return { latencies, seconds: (performance.now() - started) / 1000, failures };
}

const percentile = (sorted: readonly number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;

async function measure(mode: 'full' | 'bare', sandbox: Sandbox, targets: readonly unknown[]) {
  const child = await startChild(mode, sandbox.url);
  const alex = { id: sandbox.users.alex.id, name: sandbox.users.alex.displayName };
  const warm = Math.min(50, Math.floor(targets.length / 10));
  await drive(
    child.url,
    targets.slice(0, warm).map((t, i) => JSON.stringify(invoke(alex, t, i))),
  );
  const run = await drive(
    child.url,
    targets.slice(warm, warm + REQUESTS).map((t, i) => JSON.stringify(invoke(alex, t, warm + i))),
  );
  const memory = await child.stop();
  const sorted = [...run.latencies].sort((a, b) => a - b);
  return {
    mode,
    requests: run.latencies.length,
    failures: run.failures,
    perSecond: run.latencies.length / run.seconds,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    ...memory,
  };
}

async function main(): Promise<void> {
  const sandbox = await startSandbox({ tenant: 'empty' });
  const total = REQUESTS + 100;
  const seeded = sandbox.seed.bulk({ kind: 'accessPackage', count: total, approver: sandbox.users.alex.id });
  const targets = seeded.map((s) => ({
    kind: 'accessPackage',
    approvalId: s.approvalId,
    stageId: s.stageIds[0],
    api: 'v1.0',
  }));
  const full = await measure('full', sandbox, targets);
  const bare = await measure('bare', sandbox, targets);
  const patches = sandbox.requests.filter((r) => r.method === 'PATCH' && r.status === 204).length;
  await sandbox.close();

  const row = (r: typeof full) =>
    `| ${r.mode === 'full' ? 'whole stack (Graph sandbox)' : 'bare CloudAdapter, fixed card'} | ${r.perSecond.toFixed(0)} | ${r.p50.toFixed(1)} | ${r.p99.toFixed(1)} | ${r.peakRssMb.toFixed(0)} | ${r.failures} |`;
  console.log(
    `\nApprove invokes: ${REQUESTS} per bot, ${CONCURRENCY} concurrent, loopback, Node ${process.version}\n`,
  );
  console.log('| bot | invokes/s | p50 ms | p99 ms | peak RSS MB | failures |');
  console.log('|---|---|---|---|---|---|');
  console.log(row(full));
  console.log(row(bare));
  console.log(`\nthroughput ratio (whole stack / bare): ${(full.perSecond / bare.perSecond).toFixed(2)}`);
  console.log(`Graph decisions recorded by the sandbox: ${patches}`);
  if (full.failures > 0 || bare.failures > 0) process.exitCode = 1;
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
