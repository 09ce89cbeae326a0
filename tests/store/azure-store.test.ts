import { randomBytes } from 'node:crypto';
import { BlobServiceClient } from '@azure/storage-blob';
import { loadConfig } from '../../src/config';
import { itemKey } from '../../src/domain';
import { openStore, StoreError, syntheticItem } from '../../src/store';
import type { NewOutboxEntry, Store } from '../../src/store';
import { AzureStore } from '../../src/store/azure-store';
import { orderedKey, safeKey } from '../../src/store/azure-tables';
import { startAzurite } from '../support/azurite';
import type { Azurite } from '../support/azurite';
import { describeStoreContract } from './store-contract';

let azurite: Azurite;

beforeAll(async () => {
  azurite = await startAzurite();
}, 30_000);

afterAll(async () => {
  await azurite?.stop();
});

/** A fresh set of tables per test: letters and digits only, as table names require. */
function freshPrefix(): string {
  return `t${randomBytes(5).toString('hex')}`;
}

describeStoreContract('AzureStore (Azurite)', async () => {
  const prefix = freshPrefix();
  const connectionString = azurite.connectionString;
  // Each handle has its own HTTP clients, as another process or instance would.
  const openOne = (): Promise<Store> => AzureStore.open({ connectionString, prefix });
  const store = await openOne();
  return {
    store,
    reopen: openOne,
    openSibling: openOne,
    cleanup: () => AzureStore.destroy({ connectionString, prefix }),
  };
});

function send(n: number, payload: Record<string, unknown> = { n }): NewOutboxEntry {
  return {
    kind: 'send',
    conversationKey: `user:${n % 7}`,
    itemKey: null,
    payload,
    dedupeKey: `send:${n}`,
    notBefore: 0,
  };
}

async function blobCount(prefix: string): Promise<number> {
  const container = BlobServiceClient.fromConnectionString(azurite.connectionString).getContainerClient(
    `${prefix}-json`,
  );
  let n = 0;
  for await (const _ of container.listBlobsFlat()) n += 1;
  return n;
}

describe('AzureStore (Azurite) beyond the contract', () => {
  let prefix: string;
  let store: AzureStore;

  beforeEach(async () => {
    prefix = freshPrefix();
    store = await AzureStore.open({ connectionString: azurite.connectionString, prefix });
  });

  afterEach(async () => {
    await AzureStore.destroy({ connectionString: azurite.connectionString, prefix });
  });

  it('is what openStore gives for engine azure, and needs a storage account for it', async () => {
    const account = { connectionString: azurite.connectionString };
    const opened = await openStore({ engine: 'azure', account, prefix });
    expect(opened).toBeInstanceOf(AzureStore);
    await opened.close();
    await expect(openStore({ engine: 'azure', account: null })).rejects.toMatchObject({
      code: 'approvals.store.noAccount',
    });
    await expect(
      AzureStore.open({ connectionString: azurite.connectionString, prefix: 'no-dashes' }),
    ).rejects.toBeInstanceOf(StoreError);
  });

  it('keeps JSON too large for one property or one entity (chunks, then a blob) and drops it when done', async () => {
    const big = 'x'.repeat(70_000);
    const huge = 'é✓'.repeat(200_000);
    const [chunked, blob] = await store.enqueue([send(1, { card: big }), send(2, { card: huge })]);
    expect((await store.getOutboxEntry(chunked?.id ?? ''))?.payload).toEqual({ card: big });
    expect((await store.getOutboxEntry(blob?.id ?? ''))?.payload).toEqual({ card: huge });
    const claimed = await store.claimDue({ now: 1, limit: 5, owner: 'a', leaseMs: 60_000 });
    expect(claimed.map((e) => (e.payload['card'] as string).length).sort((a, b) => a - b)).toEqual([
      70_000, 400_000,
    ]);
    for (const e of claimed) await store.completeOutbox(e.id, 'a', { activityId: '1:x', now: 2 });
    expect((await store.getOutboxEntry(blob?.id ?? ''))?.payload).toEqual({});
    expect(await blobCount(prefix)).toBe(0);

    // An approver with thousands of pending items and an item with thousands of approvers.
    const keys = Array.from({ length: 5000 }, (_, n) => `accessPackage:${n}:${'k'.repeat(40)}`);
    expect((await store.setPendingFor('A', keys)).added).toHaveLength(5000);
    expect(await store.setPendingFor('a', [...keys.slice(1), 'new'])).toEqual({
      added: ['new'],
      vanished: [keys[0]],
    });
    const approvers = Array.from(
      { length: 3000 },
      (_, n) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
    );
    await store.putItems(approvers.map((approverId) => ({ item: syntheticItem(1), approverId })));
    expect((await store.getItem(itemKey(syntheticItem(1).target)))?.approverIds).toEqual(approvers);
    // The pending set went to a blob; replacing it again leaves one blob, not two.
    await store.setPendingFor('A', [...keys, 'newer']);
    expect(await blobCount(prefix)).toBe(1);
  });

  it('is chosen by configuration (STORE=azure with a connection string), SQLite staying the default', () => {
    expect(loadConfig({}).store.engine).toBe('sqlite');
    const config = loadConfig({ STORE: 'azure', AZURE_STORAGE_CONNECTION_STRING: azurite.connectionString });
    expect(config.store).toMatchObject({
      engine: 'azure',
      azure: { connectionString: azurite.connectionString, prefix: 'approvals' },
    });
    expect(() => loadConfig({ STORE: 'azure' })).toThrow(
      /STORE is azure: set AZURE_STORAGE_TABLE_URL and AZURE_STORAGE_BLOB_URL \(with a managed identity\), or AZURE_STORAGE_CONNECTION_STRING/,
    );
    expect(() =>
      loadConfig({
        STORE: 'azure',
        AZURE_STORAGE_CONNECTION_STRING: 'x',
        AZURE_STORAGE_PREFIX: 'bad-prefix',
      }),
    ).toThrow(/AZURE_STORAGE_PREFIX/);
  });

  it('encodes any key safely, one to one, and keeps reference keys in binary order', () => {
    const awkward = ["a/b\\c#d?e'f%g~h!i", 'tab\there', 'ümlaut', 'user:ABC'];
    for (const key of awkward) expect(safeKey(key)).toMatch(/^[A-Za-z0-9._:@~-]+$/);
    expect(new Set(awkward.map(safeKey)).size).toBe(awkward.length);
    expect(safeKey('~7E')).not.toBe(safeKey('~'));
    expect(safeKey('x'.repeat(1000))).toMatch(/^~~[0-9a-f]{64}$/);
    const sorted = ['a', 'a:b', 'b', 'ä', '😀'];
    expect([...sorted].sort((x, y) => (orderedKey(x) < orderedKey(y) ? -1 : 1))).toEqual(sorted);
  });

  it('lists audit entries newest first even when many land within one millisecond', async () => {
    const entry = (n: number) => ({
      at: 'now',
      userId: 'A',
      userName: 'A',
      itemKey: 'k',
      kind: 'accessPackage' as const,
      title: `Entry ${n}`,
      decision: 'Approve' as const,
      outcome: 'recorded' as const,
      requestId: null,
      justificationLength: 0,
    });
    for (let n = 0; n < 40; n++) await store.appendAudit(entry(n));
    const titles = (await store.auditFor('a', 40)).map((e) => e.title);
    expect(titles).toEqual(Array.from({ length: 40 }, (_, n) => `Entry ${39 - n}`));
  });

  it('stores references, copies and audit under keys Azure forbids', async () => {
    const key = 'channel:19:a/b#c?d\\e@thread.tacv2';
    await store.saveReference({
      key,
      scope: 'channel',
      tenantId: null,
      userId: null,
      userMri: null,
      conversationId: '19:a/b#c?d\\e@thread.tacv2',
      reference: {},
      updatedAt: 'now',
    });
    expect((await store.getReference(key))?.key).toBe(key);
    expect((await store.listReferences({ afterKey: 'channel:' })).map((r) => r.key)).toEqual([key]);
    await store.addCopy({
      itemKey: "it'em/1",
      conversationId: 'a:1#2',
      activityId: '1:2?3',
      scope: 'personal',
      recipientId: null,
      reference: {},
      sentAt: 'now',
    });
    expect(await store.copiesOf("it'em/1")).toHaveLength(1);
  });

  it('shares one outbox among three workers on two store instances: every entry claimed once', async () => {
    const other = await AzureStore.open({ connectionString: azurite.connectionString, prefix });
    const total = 300;
    await store.enqueue(Array.from({ length: total }, (_, n) => send(n)));
    const claimed = new Map<string, string>();
    const worker = async (s: AzureStore, owner: string): Promise<void> => {
      for (;;) {
        const batch = await s.claimDue({ now: 10, limit: 5, owner, leaseMs: 600_000 });
        if (batch.length === 0) return;
        for (const e of batch) {
          expect(claimed.has(e.id)).toBe(false);
          claimed.set(e.id, owner);
          expect(await s.completeOutbox(e.id, owner, { activityId: `1:${owner}`, now: 11 })).toBe(true);
        }
      }
    };
    await Promise.all([worker(store, 'p1'), worker(other, 'p2'), worker(store, 'p3')]);
    const perOwner = ['p1', 'p2', 'p3'].map((o) => [...claimed.values()].filter((v) => v === o).length);
    console.log(`azure outbox claims per worker: ${perOwner.join(', ')} of ${total}`);
    expect(claimed.size).toBe(total);
    expect(await store.outboxCounts()).toEqual({ pending: 0, inflight: 0, done: total, dead: 0 });
  }, 60_000);
});
