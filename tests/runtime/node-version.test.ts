import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/**
 * The product runs on Node.js 24 LTS from the `node` package in node_modules, whatever Node the machine
 * has first on its PATH (this machine's is 20, end of life since 2026-04).
 */

const ROOT = path.resolve(__dirname, '..', '..');
const major = (version: string) => Number(version.replace(/^v/, '').split('.')[0]);

/** The first node on PATH outside this project: the machine's own Node. */
function machineNode(): { path: string; pathEnv: string } {
  const dirs = (process.env.PATH ?? '').split(path.delimiter).filter((d) => !d.startsWith(ROOT));
  const pathEnv = dirs.join(path.delimiter);
  const found = execFileSync('sh', ['-c', 'command -v node || true'], { env: { PATH: pathEnv } })
    .toString()
    .trim();
  return { path: found || process.execPath, pathEnv };
}

it('runs the test suite on Node 24 or newer', () => {
  expect(major(process.versions.node)).toBeGreaterThanOrEqual(24);
});

it('starts the bot on Node 24 with `npm start` even when the machine Node comes first on PATH', async () => {
  const machine = machineNode();
  const data = mkdtempSync(path.join(tmpdir(), 'approvals-runtime-'));
  const child = spawn(machine.path, [path.join(ROOT, 'scripts', 'start.mjs')], {
    cwd: ROOT,
    env: {
      PATH: machine.pathEnv,
      HOME: process.env.HOME ?? tmpdir(),
      PORT: '0',
      SANDBOX_PORT: '0',
      START_PLAYGROUND: 'false',
      DATA_DIR: data,
      NOTIFY_DISCOVERY_SECONDS: '0',
      LOG_LEVEL: 'info',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  try {
    const started = await new Promise<{ node: string }>((resolve, reject) => {
      let output = '';
      const timer = setTimeout(() => reject(new Error(`the bot did not start:\n${output}`)), 110_000);
      const onData = (chunk: Buffer) => {
        output += chunk.toString();
        const line = output.split('\n').find((l) => l.includes('local mode: Graph sandbox and bot running'));
        if (line) {
          clearTimeout(timer);
          resolve(JSON.parse(line) as { node: string });
        }
      };
      child.stdout?.on('data', onData);
      child.stderr?.on('data', onData);
      child.once('exit', (code) => reject(new Error(`the bot exited (${code}):\n${output}`)));
    });
    expect(major(started.node)).toBeGreaterThanOrEqual(24);
  } finally {
    child.kill('SIGTERM');
    await new Promise((resolve) => child.once('exit', resolve));
    rmSync(data, { recursive: true, force: true });
  }
}, 120_000);
