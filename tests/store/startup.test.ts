import { execFileSync, spawn } from 'node:child_process';
import type { SpawnOptions } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/**
 * The real bot entry (src/main.ts, as `npm start` runs it, through ts-node) refusing to start on a data
 * folder it cannot use: one line on stderr that names DATA_DIR and the path, and exit code 2.
 */

const ROOT = path.resolve(__dirname, '..', '..');
let root: string;

beforeAll(() => {
  root = mkdtempSync(path.join(tmpdir(), 'approvals-startup-'));
});

afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

interface Exit {
  readonly code: number | null;
  readonly stderr: string;
}

function startBot(dataDir: string, options: SpawnOptions = {}): Promise<Exit> {
  // Local mode whatever the caller's environment: no Bot Framework settings, nothing on fixed ports.
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (!/^(Microsoft|NODE_ENV|APP_MODE|STORE|AZURE_|NOTIFY_|LOG_LEVEL)/.test(name)) env[name] = value;
  }
  const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', 'src/main.ts'], {
    cwd: ROOT,
    env: {
      ...env,
      TS_NODE_PROJECT: path.join(ROOT, 'tsconfig.json'),
      PORT: '0',
      SANDBOX_PORT: '0',
      START_PLAYGROUND: 'false',
      NOTIFY_DISCOVERY_SECONDS: '0',
      // An outside Graph (never reached: the store fails first), so that the store is DATA_DIR itself as in
      // production; the built-in demo tenant keeps a fresh store of its own under DATA_DIR/local-demo.
      GRAPH_BASE_URL: 'http://127.0.0.1:9',
      DATA_DIR: dataDir,
    },
    stdio: ['ignore', 'ignore', 'pipe'],
    ...options,
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the bot neither started nor stopped within 60 s: ${stderr}`));
    }, 60_000);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr });
    });
  });
}

function expectOneLine(exit: Exit, pattern: RegExp): void {
  process.stdout.write(`exit ${exit.code}, stderr: ${exit.stderr}`);
  expect(exit.stderr.endsWith('\n')).toBe(true);
  expect(exit.stderr.trimEnd().split('\n')).toHaveLength(1);
  expect(exit.stderr).not.toMatch(/^\s+at /m);
  expect(exit.stderr.trimEnd()).toMatch(pattern);
  expect(exit.code).toBe(2);
}

const escape = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * A folder the bot cannot write to. As root, chmod means nothing, so: a read-only tmpfs mounted on it, or
 * failing that, a 0555 folder and the bot run as nobody (uid/gid 65534). As anyone else, a 0555 folder.
 */
function readOnlyFolder(): { dir: string; how: string; spawn: SpawnOptions; cleanup: () => void } | string {
  const dir = path.join(root, 'read-only');
  mkdirSync(dir);
  const probe = (): string | null => {
    try {
      writeFileSync(path.join(dir, 'probe'), 'x');
      rmSync(path.join(dir, 'probe'));
      return null;
    } catch (error) {
      return (error as { code?: string }).code ?? 'error';
    }
  };
  if (process.getuid?.() !== 0) {
    chmodSync(dir, 0o555);
    return { dir, how: 'a 0555 folder', spawn: {}, cleanup: () => chmodSync(dir, 0o755) };
  }
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'ro,size=1m', 'tmpfs', dir], { stdio: 'pipe' });
    if (probe() === 'EROFS') {
      return {
        dir,
        how: 'a read-only tmpfs',
        spawn: {},
        cleanup: () => execFileSync('umount', [dir], { stdio: 'pipe' }),
      };
    }
    execFileSync('umount', [dir], { stdio: 'pipe' });
  } catch (error) {
    process.stdout.write(
      `cannot mount a read-only tmpfs here (${String(error).split('\n')[0]}); trying uid 65534\n`,
    );
  }
  chmodSync(dir, 0o555);
  try {
    execFileSync(
      process.execPath,
      ['-e', `require('fs').writeFileSync(${JSON.stringify(path.join(dir, 'probe'))}, 'x')`],
      {
        uid: 65534,
        gid: 65534,
        stdio: 'pipe',
      },
    );
    return 'neither a read-only mount nor another uid makes a folder unwritable here';
  } catch (error) {
    const text = String((error as { stderr?: Buffer }).stderr ?? error);
    if (!/EACCES|EPERM/.test(text)) return `cannot run a process as uid 65534 here: ${text.split('\n')[0]}`;
  }
  return {
    dir,
    how: 'a 0555 folder, the bot running as uid 65534',
    spawn: { uid: 65534, gid: 65534 },
    cleanup: () => chmodSync(dir, 0o755),
  };
}

it('refuses a read-only DATA_DIR: one line naming DATA_DIR and the path, exit code 2', async () => {
  const folder = readOnlyFolder();
  if (typeof folder === 'string') {
    process.stdout.write(`SKIPPED the read-only DATA_DIR start-up check: ${folder}\n`);
    return;
  }
  try {
    process.stdout.write(`read-only DATA_DIR: ${folder.how}\n`);
    const exit = await startBot(folder.dir, folder.spawn);
    expectOneLine(
      exit,
      new RegExp(
        `^The store could not start: DATA_DIR=${escape(folder.dir)} is (read-only \\(EROFS\\)|not writable by this process \\((EACCES|EPERM)\\))\\. Set DATA_DIR to a writable folder`,
      ),
    );
    // A folder below it that would have to be created fails the same way.
    const below = await startBot(path.join(folder.dir, 'data'), folder.spawn);
    expectOneLine(
      below,
      new RegExp(
        `^The store could not start: DATA_DIR=${escape(path.join(folder.dir, 'data'))} could not be created`,
      ),
    );
  } finally {
    folder.cleanup();
  }
}, 150_000);

it('refuses a DATA_DIR that is a file: one line, exit code 2', async () => {
  const file = path.join(root, 'a-file');
  writeFileSync(file, 'not a folder');
  const exit = await startBot(file);
  expectOneLine(
    exit,
    new RegExp(
      `^The store could not start: DATA_DIR=${escape(file)} is a file, not a folder \\(EEXIST\\)\\.`,
    ),
  );
}, 90_000);

it('refuses a DATA_DIR whose store file is not a database: one line, exit code 2', async () => {
  const dir = path.join(root, 'not-a-database');
  mkdirSync(dir);
  writeFileSync(path.join(dir, 'approvals.sqlite'), 'hello, I am a text file\n'.repeat(100));
  const exit = await startBot(dir);
  expectOneLine(
    exit,
    new RegExp(
      `^The store could not start: DATA_DIR=${escape(dir)} holds ${escape(path.join(dir, 'approvals.sqlite'))}, which is not a SQLite database \\(SQLITE_NOTADB\\)\\.`,
    ),
  );
}, 90_000);
