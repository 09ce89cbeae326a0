import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..');

export interface BotChild {
  readonly url: string;
  readonly process: ChildProcess;
  /** Every line the process wrote (stdout and stderr). */
  readonly lines: readonly string[];
  /** Resident memory now, in bytes (Linux /proc). */
  rss(): number;
  /** Heap used after a full garbage collection (needs `heapProbe`). */
  heapAfterGc(): Promise<number>;
  readonly exited: boolean;
  stop(): Promise<void>;
}

/**
 * The real bot entry point (src/main.ts, through ts-node's transpiler) as its own process, so that a test
 * sees what an operator would: whether it stays up, what it logs, how much memory it takes.
 */
export async function startBotChild(
  env: Record<string, string>,
  options: { readonly heapProbe?: boolean; readonly timeoutMs?: number } = {},
): Promise<BotChild> {
  const args = [
    ...(options.heapProbe ? ['--expose-gc'] : []),
    '-r',
    'ts-node/register/transpile-only',
    ...(options.heapProbe ? ['-r', path.join(__dirname, 'heap-probe.ts')] : []),
    path.join(ROOT, 'src', 'main.ts'),
  ];
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '/tmp',
      TS_NODE_PROJECT: path.join(ROOT, 'tsconfig.json'),
      PORT: '0',
      SANDBOX_PORT: '0',
      START_PLAYGROUND: 'false',
      NOTIFY_DISCOVERY_SECONDS: '0',
      LOG_LEVEL: 'info',
      ...env,
    },
    stdio: options.heapProbe ? ['ignore', 'pipe', 'pipe', 'ipc'] : ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  let exited = false;
  child.once('exit', () => (exited = true));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`the bot did not start:\n${lines.join('\n')}`)),
      options.timeoutMs ?? 60_000,
    );
    let buffered = '';
    const onData = (chunk: Buffer) => {
      buffered += chunk.toString();
      const parts = buffered.split('\n');
      buffered = parts.pop() ?? '';
      for (const line of parts) {
        lines.push(line);
        if (line.includes('"bot listening"')) {
          const { port } = JSON.parse(line) as { port: number };
          clearTimeout(timer);
          resolve(`http://127.0.0.1:${port}`);
        }
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the bot exited (${code}):\n${lines.join('\n')}${buffered}`));
    });
  });
  return {
    url,
    process: child,
    lines,
    get exited() {
      return exited;
    },
    rss() {
      const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
      const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN);
      return kb * 1024;
    },
    heapAfterGc() {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('no heap figure from the bot')), 10_000);
        child.once('message', (message: { heapUsed: number; gc: boolean }) => {
          clearTimeout(timer);
          if (!message.gc) reject(new Error('the bot runs without --expose-gc'));
          else resolve(message.heapUsed);
        });
        child.send('heap');
      });
    },
    async stop() {
      if (exited) return;
      const gone = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await gone;
      clearTimeout(timer);
    },
  };
}
