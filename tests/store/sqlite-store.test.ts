import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import {
  MemoryStore,
  StoreError,
  measureStore,
  openSqliteStore,
  openStore,
  syntheticItem,
} from '../../src/store';
import type { Store } from '../../src/store';
import { DEFAULT_SQLITE_FILE, SqliteStore } from '../../src/store/sqlite-store';
import { SCHEMA_VERSION } from '../../src/store/sqlite-schema';
import { describeStoreContract } from './store-contract';

const WORKER = join(__dirname, 'support', 'store-worker.ts');

function tempDirectory(): string {
  return mkdtempSync(join(tmpdir(), 'approvals-store-'));
}

describeStoreContract('SqliteStore', async () => {
  const directory = join(tempDirectory(), 'data');
  const handles: Store[] = [];
  const openOne = async (): Promise<Store> => {
    const store = await openSqliteStore({ directory });
    handles.push(store);
    return store;
  };
  const store = await openOne();
  return {
    store,
    reopen: async () => {
      for (const handle of handles) await handle.close();
      return openOne();
    },
    openSibling: openOne,
    cleanup: async () => {
      for (const handle of handles) await handle.close();
      rmSync(join(directory, '..'), { recursive: true, force: true });
    },
  };
});

/** Runs the store worker in its own Node process (through ts-node, so it runs the same TypeScript). */
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

describe('SqliteStore on disk', () => {
  let root: string;

  beforeEach(() => {
    root = tempDirectory();
  });

  afterEach(() => {
    rmSync(root, { recursive: true, force: true });
  });

  it('creates its data folder and one WAL-mode file at the current schema version', async () => {
    const directory = join(root, 'nested', 'data');
    const store = await openSqliteStore({ directory });
    await store.close();
    await store.close();
    const db = new DatabaseSync(join(directory, DEFAULT_SQLITE_FILE), { readOnly: true });
    try {
      expect(db.prepare('PRAGMA journal_mode').get()).toEqual({ journal_mode: 'wal' });
      expect(db.prepare('SELECT max(version) AS v FROM schema_version').get()).toEqual({ v: SCHEMA_VERSION });
    } finally {
      db.close();
    }
  });

  it('refuses a file written by a newer schema, naming the problem', async () => {
    const store = await openSqliteStore({ directory: root });
    await store.close();
    const db = new DatabaseSync(join(root, DEFAULT_SQLITE_FILE));
    db.prepare('INSERT INTO schema_version (version) VALUES (?)').run(SCHEMA_VERSION + 1);
    db.close();
    await expect(openSqliteStore({ directory: root })).rejects.toMatchObject({
      code: 'approvals.store.schemaTooNew',
    });
  });

  it('is what openStore gives by default, and needs a data folder for it', async () => {
    const store = await openStore({ directory: root });
    expect(store).toBeInstanceOf(SqliteStore);
    await store.close();
    await expect(openStore({ directory: null })).rejects.toBeInstanceOf(StoreError);
    await expect(openStore({ directory: '' })).rejects.toMatchObject({ code: 'approvals.store.noDirectory' });
    const memory = await openStore({ engine: 'memory' });
    expect(memory).toBeInstanceOf(MemoryStore);
  });

  it('shares the outbox among three processes: every entry claimed exactly once', async () => {
    const store = await openSqliteStore({ directory: root });
    const total = 3000;
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
    await store.close();
    const startAt = Date.now() + 4000;
    const results = await Promise.all(
      ['p1', 'p2', 'p3'].map((owner) => output(worker(['claim', root, owner, String(startAt), '1000']))),
    );
    const perOwner = results.map((text) => JSON.parse(text) as string[]);
    const all = perOwner.flat();
    console.log(`claims per process: ${perOwner.map((ids) => ids.length).join(', ')} of ${total}`);
    expect(all).toHaveLength(total);
    expect(new Set(all).size).toBe(total);
    const after = await openSqliteStore({ directory: root });
    expect(await after.outboxCounts()).toEqual({ pending: 0, inflight: 0, done: total, dead: 0 });
    await after.close();
  }, 60_000);

  it('keeps every committed write when its process is killed (SIGKILL)', async () => {
    const child = worker(['enqueue', root]);
    const committed: string[] = [];
    await new Promise<void>((resolve, reject) => {
      let buffered = '';
      child.stdout.on('data', (chunk: Buffer) => {
        buffered += chunk.toString();
        const lines = buffered.split('\n');
        buffered = lines.pop() ?? '';
        committed.push(...lines);
        if (committed.length >= 500) child.kill('SIGKILL');
      });
      child.on('error', reject);
      child.on('exit', (_code, signal) =>
        signal === 'SIGKILL' ? resolve() : reject(new Error('worker ended by itself')),
      );
    });
    const store = await openSqliteStore({ directory: root });
    const counts = await store.outboxCounts();
    console.log(
      `killed after ${committed.length} acknowledged enqueues; ${counts.pending} found after restart`,
    );
    expect(counts.pending).toBeGreaterThanOrEqual(committed.length);
    const again = await store.enqueue(
      committed.map((dedupeKey) => ({
        kind: 'send' as const,
        conversationKey: 'user:x',
        itemKey: null,
        payload: {},
        dedupeKey,
        notBefore: 0,
      })),
    );
    expect(again).toEqual([]);
    await store.close();
    const db = new DatabaseSync(join(root, DEFAULT_SQLITE_FILE), { readOnly: true });
    expect(db.prepare('PRAGMA integrity_check').get()).toEqual({ integrity_check: 'ok' });
    db.close();
  }, 60_000);

  it('takes 100,000 items in bulk quickly', async () => {
    const store = await openSqliteStore({ directory: root });
    const started = performance.now();
    for (let start = 0; start < 100_000; start += 5000) {
      const sightings = Array.from({ length: 5000 }, (_, i) => ({
        item: syntheticItem(start + i),
        approverId: `00000000-0000-4000-8000-${String((start + i) % 5000).padStart(12, '0')}`,
      }));
      await store.putItems(sightings);
    }
    const elapsed = performance.now() - started;
    const size = await store.size();
    await store.close();
    console.log(
      `putItems: 100,000 items in ${(elapsed / 1000).toFixed(1)} s, ${((size.bytes ?? 0) / 1e6).toFixed(1)} MB`,
    );
    expect(size.items).toBe(100_000);
    expect(elapsed).toBeLessThan(30_000);
  }, 60_000);

  it('measures what a tracked item costs on disk (item, outbox send, card copy, pending set)', async () => {
    const store = await openSqliteStore({ directory: root });
    const measured = await measureStore(store, 10_000);
    const size = await store.size();
    await store.close();
    console.log(
      `10,000 tracked items: ${(measured.elapsedMs / 1000).toFixed(1)} s, ${Math.round(measured.bytesPerItem ?? 0)} B per item on disk`,
    );
    expect(size).toMatchObject({ items: 10_000, copies: 10_000, outbox: 10_000 });
    // About 3.5 KB today (1 KB of item JSON, the copy with its conversation reference, the outbox row).
    expect(measured.bytesPerItem).toBeLessThan(6 * 1024);
  }, 60_000);
});
