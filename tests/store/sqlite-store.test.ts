import { spawn } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
  openSync,
  readSync,
  writeSync,
  closeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import {
  MemoryStore,
  StoreError,
  measureStore,
  openSqliteStore,
  openStore,
  syntheticItem,
} from '../../src/store';
import type { CardCopy, Store } from '../../src/store';
import { COPIES_SUFFIX, DEFAULT_SQLITE_FILE, MARKER_SUFFIX, SqliteStore } from '../../src/store/sqlite-store';
import { SCHEMA_VERSION } from '../../src/store/sqlite-schema';
import { itemKey } from '../../src/domain';
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

/** Runs a worker mode that prints a line per committed write, kills it (SIGKILL) after `count` lines. */
function killAfter(args: readonly string[], count: number): Promise<string[]> {
  const child = worker(args);
  const lines: string[] = [];
  let errors = '';
  child.stderr.on('data', (chunk: Buffer) => (errors += chunk.toString()));
  return new Promise((resolve, reject) => {
    let buffered = '';
    child.stdout.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const parts = buffered.split('\n');
      buffered = parts.pop() ?? '';
      lines.push(...parts);
      if (lines.length >= count) child.kill('SIGKILL');
    });
    child.on('error', reject);
    child.on('exit', (_code, signal) =>
      signal === 'SIGKILL' ? resolve(lines) : reject(new Error(`worker ended by itself: ${errors}`)),
    );
  });
}

/** What a SIGKILL plus a deleted write-ahead log leaves: the database file alone. */
function loseWal(directory: string): void {
  const file = join(directory, DEFAULT_SQLITE_FILE);
  expect(existsSync(`${file}-wal`)).toBe(true);
  rmSync(`${file}-wal`);
  rmSync(`${file}-shm`, { force: true });
}

/** The same copy the store worker's `copies` mode records as number n. */
function workerCopy(n: number): CardCopy {
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

/**
 * Breaks a closed database the way a bad disk block would: the first two cell pointers of a table leaf page
 * past the schema are swapped, so its rows are out of order. Only a full read of the b-tree notices.
 */
function corruptALeafPage(file: string): number {
  const fd = openSync(file, 'r+');
  try {
    const header = Buffer.alloc(12);
    for (let page = 10; page < 400; page++) {
      const offset = 4096 * (page - 1);
      if (readSync(fd, header, 0, 12, offset) < 12) break;
      // 0x0d: a table leaf page; cells at offset 3 (big-endian u16).
      if (header[0] !== 0x0d || header.readUInt16BE(3) < 2) continue;
      const pointers = Buffer.alloc(4);
      readSync(fd, pointers, 0, 4, offset + 8);
      writeSync(fd, Buffer.concat([pointers.subarray(2, 4), pointers.subarray(0, 2)]), 0, 4, offset + 8);
      return page;
    }
  } finally {
    closeSync(fd);
  }
  throw new Error('no table leaf page with two cells found');
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

  it('reads what a schema 2 build wrote (JSON text), packs what it writes next, and retention still forgets it', async () => {
    // A file as the schema 2 build left it: an item and a whole card copy as JSON text.
    const seed = await openSqliteStore({ directory: root });
    await seed.close();
    const item = syntheticItem(7);
    const key = itemKey(item.target);
    const copy: CardCopy = {
      itemKey: key,
      conversationId: 'a:chat-7',
      activityId: '1:activity-7',
      scope: 'personal',
      recipientId: 'approver-7',
      reference: { conversation: { id: 'a:chat-7' }, serviceUrl: 'https://smba.trafficmanager.net/emea/' },
      sentAt: '2026-11-20T10:00:00.000Z',
    };
    const old = new DatabaseSync(join(root, DEFAULT_SQLITE_FILE));
    old.exec(`DELETE FROM schema_version WHERE version > 2; DELETE FROM meta WHERE key = 'packing';
      DROP INDEX card_copies_by_recipient; ALTER TABLE card_copies DROP COLUMN recipient_id`);
    old
      .prepare('INSERT INTO items (key, item, approver_ids, final, updated_at) VALUES (?, ?, ?, NULL, ?)')
      .run(key, JSON.stringify(item), JSON.stringify(['approver-7']), '2026-11-20T10:00:00.000Z');
    old
      .prepare('INSERT INTO card_copies (item_key, conversation_id, activity_id, copy) VALUES (?, ?, ?, ?)')
      .run(key, copy.conversationId, copy.activityId, JSON.stringify(copy));
    old.close();

    const store = await openSqliteStore({ directory: root });
    expect((await store.getItem(key))?.item).toEqual(item);
    expect(await store.copiesOf(key)).toEqual([copy]);
    // Written again, the item is packed, and a second copy is packed without its columns; both read back.
    const second: CardCopy = {
      ...copy,
      conversationId: '19:channel@thread.tacv2',
      activityId: '1:activity-8',
    };
    await store.putItem({ ...item, stageName: 'Manager approval' }, 'Approver-8');
    await store.addCopy(second);
    expect(await store.getItem(key)).toMatchObject({
      item: { ...item, stageName: 'Manager approval' },
      approverIds: ['approver-7', 'approver-8'],
    });
    expect(await store.copiesOf(key)).toEqual([copy, second]);
    await store.close();
    const db = new DatabaseSync(join(root, DEFAULT_SQLITE_FILE), { readOnly: true });
    try {
      expect(db.prepare('SELECT max(version) AS v FROM schema_version').get()).toEqual({ v: SCHEMA_VERSION });
      expect(db.prepare('SELECT typeof(item) AS t FROM items').get()).toEqual({ t: 'blob' });
      expect(db.prepare('SELECT typeof(copy) AS t FROM card_copies ORDER BY seq').all()).toEqual([
        { t: 'text' },
        { t: 'blob' },
      ]);
    } finally {
      db.close();
    }

    // Retention after the change: a final item goes with both its copies, old and packed.
    const reopened = await openSqliteStore({ directory: root });
    await reopened.finishItem(key, {
      result: 'gone',
      by: null,
      at: null,
      justification: null,
      changeable: false,
    });
    // "history" finds it through the copy schema 2 wrote, whose recipient the migration filled in.
    expect((await reopened.finishedShownTo('APPROVER-7', 10)).map((s) => s.key)).toEqual([key]);
    expect(await reopened.forgetBefore(Date.now() + 60_000)).toMatchObject({ items: 1 });
    expect(await reopened.getItem(key)).toBeNull();
    expect(await reopened.copiesOf(key)).toEqual([]);
    await reopened.close();
  });

  it('refuses a file written by a newer schema, naming the problem', async () => {
    const store = await openSqliteStore({ directory: root });
    await store.close();
    const db = new DatabaseSync(join(root, DEFAULT_SQLITE_FILE));
    db.prepare('INSERT INTO schema_version (version) VALUES (?)').run(SCHEMA_VERSION + 1);
    db.close();
    const refused = openSqliteStore({ directory: root });
    await expect(refused).rejects.toMatchObject({
      code: 'approvals.store.schemaTooNew',
      details: { setting: 'DATA_DIR', path: root, file: join(root, DEFAULT_SQLITE_FILE) },
    });
    await expect(refused).rejects.toThrow(`DATA_DIR=${root}: ${join(root, DEFAULT_SQLITE_FILE)} was written`);
  });

  it('refuses a damaged file (PRAGMA quick_check), naming the file and what to do', async () => {
    const store = await openSqliteStore({ directory: root });
    await store.putItems(
      Array.from({ length: 300 }, (_, n) => ({ item: syntheticItem(n), approverId: 'a' })),
    );
    await store.close();
    const file = join(root, DEFAULT_SQLITE_FILE);
    const page = corruptALeafPage(file);
    const refused = openSqliteStore({ directory: root });
    await expect(refused).rejects.toMatchObject({
      code: 'approvals.store.corrupt',
      details: { setting: 'DATA_DIR', path: root, file, cause: 'quick_check' },
    });
    const error = (await refused.catch((e: unknown) => e)) as StoreError;
    console.log(`page ${page} corrupted: ${error.message}`);
    expect(error).toBeInstanceOf(StoreError);
    expect(error.message).toContain(`DATA_DIR=${root}: ${file} is damaged (PRAGMA quick_check:`);
    expect(error.message).toContain('out of order');
    expect(error.message).toMatch(
      /Restore it from a backup, or move it .* away to start with an empty store/,
    );
    expect(error.message).not.toContain('\n');
  });

  it('refuses a store file that is not a SQLite database', async () => {
    const file = join(root, DEFAULT_SQLITE_FILE);
    writeFileSync(file, 'these are my notes, not a database\n'.repeat(200));
    const refused = openSqliteStore({ directory: root });
    await expect(refused).rejects.toMatchObject({
      code: 'approvals.store.notDatabase',
      details: { setting: 'DATA_DIR', path: root, file, cause: 'SQLITE_NOTADB' },
    });
    await expect(refused).rejects.toThrow(`DATA_DIR=${root} holds ${file}, which is not a SQLite database`);
    // Nothing was written over it.
    expect(readFileSync(file, 'utf8')).toMatch(/^these are my notes/);
  });

  it('refuses a DATA_DIR that is a file, or lies under one', async () => {
    const file = join(root, 'not-a-folder');
    writeFileSync(file, 'x');
    await expect(openSqliteStore({ directory: file })).rejects.toMatchObject({
      code: 'approvals.store.dataDirNotFolder',
      message: `DATA_DIR=${file} is a file, not a folder (EEXIST). Set DATA_DIR to a folder (it is created when missing).`,
      details: { setting: 'DATA_DIR', path: file, cause: 'EEXIST' },
    });
    await expect(openSqliteStore({ directory: join(file, 'data') })).rejects.toMatchObject({
      code: 'approvals.store.dataDirNotFolder',
      details: { path: join(file, 'data'), cause: 'ENOTDIR' },
    });
    // A relative folder is named by its absolute path.
    await expect(openSqliteStore({ directory: relative(process.cwd(), file) })).rejects.toMatchObject({
      details: { path: file },
    });
  });

  it('says "first start" on an empty folder and "ok" after a clean close and reopen', async () => {
    const first = await openSqliteStore({ directory: root });
    expect(first.integrity).toMatchObject({ status: 'first start', markerGeneration: null });
    await first.saveReference({
      key: 'user:a',
      scope: 'personal',
      tenantId: null,
      userId: 'a',
      userMri: null,
      conversationId: 'a:1',
      reference: {},
      updatedAt: new Date(0).toISOString(),
    });
    await first.close();
    const marker = JSON.parse(readFileSync(join(root, DEFAULT_SQLITE_FILE + MARKER_SUFFIX), 'utf8')) as {
      generation: number;
    };
    const again = await openSqliteStore({ directory: root });
    expect(again.integrity).toMatchObject({
      status: 'ok',
      databaseGeneration: marker.generation,
      markerGeneration: marker.generation,
      copiesRestored: 0,
    });
    await again.close();
  });

  it('says "marker missing" when the database has data and the marker is gone', async () => {
    const store = await openSqliteStore({ directory: root });
    await store.enqueue([
      { kind: 'send', conversationKey: 'user:x', itemKey: null, payload: {}, dedupeKey: 'k', notBefore: 0 },
    ]);
    await store.close();
    rmSync(join(root, DEFAULT_SQLITE_FILE + MARKER_SUFFIX));
    const again = await openSqliteStore({ directory: root });
    expect(again.integrity.status).toBe('marker missing');
    expect(again.integrity.detail).toContain('A new marker was written');
    await again.close();
    const third = await openSqliteStore({ directory: root });
    expect(third.integrity.status).toBe('ok');
    await third.close();
  });

  it('notices a write-ahead log deleted after a SIGKILL: "lost recent writes", once', async () => {
    const seed = await openSqliteStore({ directory: root });
    await seed.enqueue([
      {
        kind: 'send',
        conversationKey: 'user:x',
        itemKey: null,
        payload: {},
        dedupeKey: 'seed',
        notBefore: 0,
      },
    ]);
    await seed.close();
    // About 20 KB of log per enqueue: 100 stay well under the 4 MiB that would checkpoint them into the file.
    const committed = await killAfter(['enqueue', root], 100);
    loseWal(root);
    const store = await openSqliteStore({ directory: root });
    const counts = await store.outboxCounts();
    console.log(
      `killed after ${committed.length} enqueues, WAL deleted: ${counts.pending} found; ${store.integrity.detail}`,
    );
    // The writes really are gone (what was there before the worker started is not), and the store says so
    // instead of starting silently.
    expect(counts.pending).toBeGreaterThanOrEqual(1);
    expect(counts.pending).toBeLessThan(committed.length);
    expect(store.integrity.status).toBe('lost recent writes');
    expect(store.integrity.databaseGeneration).toBeLessThan(store.integrity.markerGeneration ?? 0);
    expect(store.integrity.detail).toContain('write-ahead log (approvals.sqlite-wal) was lost');
    expect(store.integrity.detail).toContain('is intact; writes after it may be gone');
    expect(store.integrity.detail).toContain('The bot continues');
    await store.close();
    const again = await openSqliteStore({ directory: root });
    expect(again.integrity.status).toBe('ok');
    await again.close();
  }, 60_000);

  it('notices an older copy of the database put back: "lost recent writes"', async () => {
    const file = join(root, DEFAULT_SQLITE_FILE);
    const store = await openSqliteStore({ directory: root });
    await store.enqueue([
      { kind: 'send', conversationKey: 'user:x', itemKey: null, payload: {}, dedupeKey: 'old', notBefore: 0 },
    ]);
    await store.close();
    copyFileSync(file, join(root, 'backup.sqlite'));
    const later = await openSqliteStore({ directory: root });
    await later.enqueue([
      { kind: 'send', conversationKey: 'user:x', itemKey: null, payload: {}, dedupeKey: 'new', notBefore: 0 },
    ]);
    await later.close();
    copyFileSync(join(root, 'backup.sqlite'), file);
    const restored = await openSqliteStore({ directory: root });
    expect(restored.integrity.status).toBe('lost recent writes');
    expect(restored.integrity.detail).toContain(
      'or an older copy of approvals.sqlite (or an empty one) was put in its place',
    );
    expect(await restored.outboxCounts()).toMatchObject({ pending: 1 });
    await restored.close();
  });

  it('replays card copies lost with the write-ahead log from the copies journal', async () => {
    const seed = await openSqliteStore({ directory: root });
    await seed.close();
    const recorded = await killAfter(['copies', root], 150);
    loseWal(root);
    const store = await openSqliteStore({ directory: root });
    const missing: string[] = [];
    for (let n = 0; n < recorded.length; n++) {
      const copy = workerCopy(n);
      expect(recorded[n]).toBe(copy.activityId);
      const found = await store.copiesOf(copy.itemKey);
      if (!found.some((c) => c.activityId === copy.activityId && c.conversationId === copy.conversationId))
        missing.push(copy.activityId);
    }
    console.log(
      `copies acknowledged before the kill ${recorded.length}, restored from the journal ${store.integrity.copiesRestored}, missing ${missing.length}`,
    );
    expect(missing).toEqual([]);
    expect(store.integrity.status).toBe('lost recent writes');
    expect(store.integrity.copiesRestored).toBeGreaterThanOrEqual(recorded.length);
    await store.close();
  }, 60_000);

  it('keeps the copies journal bounded: lines long in the database file are dropped', async () => {
    const journal = join(root, DEFAULT_SQLITE_FILE + COPIES_SUFFIX);
    const lines = () => readFileSync(journal, 'utf8').split('\n').filter(Boolean).length;
    const store = await openSqliteStore({ directory: root, checkpointMs: 40, journalKeepMs: 0 });
    for (let n = 0; n < 20; n++) await store.addCopy(workerCopy(n));
    expect(lines()).toBe(20);
    // Two complete checkpoints later, every line is older than the checkpoint before last.
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(lines()).toBe(0);
    await store.addCopy(workerCopy(20));
    expect(lines()).toBe(1);
    expect(await store.size()).toMatchObject({ copies: 21 });
    await store.close();
  });

  it('raises no false alarm when three processes open, write and checkpoint the same file at once', async () => {
    const seed = await openSqliteStore({ directory: root });
    await seed.close();
    const until = Date.now() + 6000;
    const results = await Promise.all(
      ['p1', 'p2', 'p3'].map((name) => output(worker(['reopen', root, name, String(until)]))),
    );
    const statuses = results.flatMap((text) => JSON.parse(text) as string[]);
    console.log(`opens while others wrote and checkpointed: ${statuses.length}, ${[...new Set(statuses)]}`);
    expect(statuses.length).toBeGreaterThanOrEqual(6);
    expect(statuses.every((s) => s === 'ok')).toBe(true);
    const after = await openSqliteStore({ directory: root });
    expect(after.integrity.status).toBe('ok');
    await after.close();
  }, 60_000);

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
    // A plain crash loses nothing, and the store does not claim otherwise.
    expect(store.integrity.status).toBe('ok');
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
    // About 2 KB (the item and the copy packed, the outbox row and the keys' indexes) plus the write-ahead log.
    expect(measured.bytesPerItem).toBeLessThan(3 * 1024);
  }, 60_000);
});
