/**
 * Benchmark: Approve invokes through the whole stack (restify → CloudAdapter → bot → decisions → Graph
 * client → Graph sandbox with no added latency, SQLite store) against, in the same run, the least work the
 * job needs: a bare CloudAdapter bot that makes the one raw PATCH to the same sandbox and answers a fixed
 * card (the floor); the same without the PATCH; and restify alone (the HTTP limit). Every bot runs from
 * compiled JavaScript in its own process, so that its memory is measured alone; the load generator and the
 * sandbox run here. Rows at 16 and 64 concurrent presses.
 *
 * `--profile` (or BENCH_PROFILE=1): the whole stack and the floor run with `--cpu-prof`; their profiles are
 * kept in reports/cpu-profile/<row>-<concurrency>/ and summarised at the end by scripts/cpu-profile.mjs over
 * the measured presses only (start-up and warm-up left out): the floor's CPU per invoke, and the whole
 * stack's with where it goes.
 */
import { execFileSync, spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { startSandbox } from '../src/sandbox';
import type { Sandbox } from '../src/sandbox';

const ROOT = path.resolve(__dirname, '..');
const REQUESTS = Number(process.env.BENCH_INVOKES ?? 1000);
const CONCURRENCIES = (process.env.BENCH_CONCURRENCY ?? '16,64').split(',').map(Number);
const BUILD = path.join(ROOT, '.bench-build');
const PROFILE = process.argv.includes('--profile') || Boolean(process.env.BENCH_PROFILE);
const profileDir = (mode: Mode, concurrency: number) =>
  path.join(ROOT, 'reports', 'cpu-profile', `${mode}-${concurrency}`);
/** The monotonic clock V8 stamps profile samples with, in µs. */
const clockUs = () => Number(process.hrtime.bigint() / 1000n);
type Mode = 'full' | 'floor' | 'bare' | 'http';
const LABEL: Record<Mode, string> = {
  full: 'whole stack (SQLite, Graph sandbox)',
  floor: 'floor: bare CloudAdapter + one raw PATCH',
  bare: 'bare CloudAdapter, fixed card',
  http: 'restify only, fixed JSON',
};
const SERVICE_URL = 'http://127.0.0.1:9/'; // never called: invokes are answered in the HTTP response

interface Child {
  readonly url: string;
  /** The CPU time the bot process has used so far, µs. */
  cpu(): Promise<number>;
  stop(): Promise<{ peakRssMb: number; baseRssMb: number }>;
}

/** The bots as `npm start` and production run them: compiled JavaScript, not ts-node. */
function compile(): void {
  rmSync(BUILD, { recursive: true, force: true });
  execFileSync(
    process.execPath,
    [
      path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'),
      '-p',
      'tsconfig.json',
      '--outDir',
      BUILD,
      '--noEmit',
      'false',
    ],
    { cwd: ROOT, stdio: 'inherit' },
  );
}

function startChild(mode: Mode, sandboxUrl: string, profile: string | null): Promise<Child> {
  const flags = profile ? ['--cpu-prof', `--cpu-prof-dir=${profile}`] : [];
  const script = path.join(BUILD, 'bench', 'invoke-bot.js');
  const child = spawn(process.execPath, [...flags, script, mode, sandboxUrl], {
    cwd: ROOT,
    env: { ...process.env, NODE_ENV: 'development', LOG_LEVEL: 'silent' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
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
          cpu: () =>
            new Promise((done) => {
              const seen = out.length;
              const look = () => {
                const cpu = /CPU (\d+)\n/.exec(out.slice(seen));
                if (!cpu) return;
                child.stdout?.off('data', look);
                done(Number(cpu[1]));
              };
              child.stdout?.on('data', look);
              child.kill('SIGUSR2');
            }),
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
  concurrency: number,
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
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { latencies, seconds: (performance.now() - started) / 1000, failures };
}

const percentile = (sorted: readonly number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;

async function measure(mode: Mode, sandbox: Sandbox, concurrency: number) {
  // Fresh items for every run: each press is a first decision, as in real use.
  const seeded = sandbox.seed.bulk({
    kind: 'accessPackage',
    count: REQUESTS + 100,
    approver: sandbox.users.alex.id,
  });
  const targets = seeded.map((s) => ({
    kind: 'accessPackage',
    approvalId: s.approvalId,
    stageId: s.stageIds[0],
    api: 'v1.0',
  }));
  const profile = PROFILE && (mode === 'full' || mode === 'floor') ? profileDir(mode, concurrency) : null;
  if (profile) rmSync(profile, { recursive: true, force: true });
  const child = await startChild(mode, sandbox.url, profile);
  const alex = { id: sandbox.users.alex.id, name: sandbox.users.alex.displayName };
  const warm = 100;
  await drive(
    child.url,
    targets.slice(0, warm).map((t, i) => JSON.stringify(invoke(alex, t, i))),
    concurrency,
  );
  const cpuBefore = await child.cpu();
  const from = clockUs();
  const run = await drive(
    child.url,
    targets.slice(warm, warm + REQUESTS).map((t, i) => JSON.stringify(invoke(alex, t, warm + i))),
    concurrency,
  );
  const window = { from, to: clockUs() };
  const cpuMs = ((await child.cpu()) - cpuBefore) / 1000;
  const memory = await child.stop();
  const sorted = [...run.latencies].sort((a, b) => a - b);
  return {
    mode,
    concurrency,
    requests: run.latencies.length,
    failures: run.failures,
    perSecond: run.latencies.length / run.seconds,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    cpuPerInvoke: cpuMs / run.latencies.length,
    ...memory,
    window,
  };
}

async function main(): Promise<void> {
  compile();
  const sandbox = await startSandbox({ tenant: 'empty' });
  const results: Awaited<ReturnType<typeof measure>>[] = [];
  for (const concurrency of CONCURRENCIES)
    for (const mode of ['full', 'floor', 'bare', 'http'] as const)
      results.push(await measure(mode, sandbox, concurrency));
  const patches = sandbox.requests.filter((r) => r.method === 'PATCH' && r.status === 204).length;
  await sandbox.close();
  rmSync(BUILD, { recursive: true, force: true });

  console.log(
    `\nApprove invokes: ${REQUESTS} per row, loopback, compiled JavaScript, Node ${process.version}\n`,
  );
  console.log(
    '| bot | concurrent | invokes/s | p50 ms | p99 ms | bot CPU ms/invoke | peak RSS MB | failures |',
  );
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|');
  for (const r of results)
    console.log(
      `| ${LABEL[r.mode]} | ${r.concurrency} | ${r.perSecond.toFixed(0)} | ${r.p50.toFixed(1)} | ${r.p99.toFixed(1)} | ${r.cpuPerInvoke.toFixed(2)} | ${r.peakRssMb.toFixed(0)} | ${r.failures} |`,
    );
  console.log('');
  for (const concurrency of CONCURRENCIES) {
    const full = results.find((r) => r.mode === 'full' && r.concurrency === concurrency);
    const floor = results.find((r) => r.mode === 'floor' && r.concurrency === concurrency);
    if (!full || !floor) continue;
    console.log(
      `${concurrency} concurrent: whole stack / floor = ${(full.perSecond / floor.perSecond).toFixed(2)} of the throughput; ` +
        `added p50 ${(full.p50 - floor.p50).toFixed(1)} ms, added p99 ${(full.p99 - floor.p99).toFixed(1)} ms; ` +
        `bot CPU per invoke ${(full.cpuPerInvoke / floor.cpuPerInvoke).toFixed(1)}× the floor's`,
    );
  }
  console.log(`Graph decisions recorded by the sandbox: ${patches}`);
  if (PROFILE)
    for (const r of results.filter((r) => r.mode === 'full' || r.mode === 'floor')) {
      console.log(`\n${LABEL[r.mode]}, ${r.concurrency} concurrent, measured presses:`);
      const { from, to } = r.window;
      execFileSync(
        process.execPath,
        [
          path.join(ROOT, 'scripts', 'cpu-profile.mjs'),
          profileDir(r.mode, r.concurrency),
          ...['--top', r.mode === 'full' ? '12' : '0', '--per', String(r.requests)],
          ...['--from', String(from), '--to', String(to)],
        ],
        { cwd: ROOT, stdio: 'inherit' },
      );
    }
  if (results.some((r) => r.failures > 0)) process.exitCode = 1;
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
