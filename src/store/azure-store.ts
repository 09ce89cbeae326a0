import type { FinalState } from '../domain';
import { createHash } from 'node:crypto';
import type { TransactionAction } from '@azure/data-tables';
import { itemKey } from '../domain';
import type { Outcome, PendingItem } from '../domain';
import {
  JsonCodec,
  Table,
  blobContainer,
  mapLimit,
  nextOrder,
  num,
  optimistic,
  orderKey,
  orderedKey,
  padded,
  quote,
  safeKey,
  statusOf,
  str,
  tableService,
} from './azure-tables';
import type { Entity, NewEntity, StorageAccount } from './azure-tables';
import {
  StoreError,
  checkClaim,
  mergeApprovers,
  mergeItem,
  newestFirst,
  nextFinal,
  pendingDiff,
  targetKey,
  uniqueKeys,
  userKey,
} from './rules';
import type {
  AuditEntry,
  CardCopy,
  ChannelSubscription,
  ClaimRequest,
  Forgotten,
  ConversationScope,
  ItemSighting,
  NewOutboxEntry,
  OutboxCounts,
  OutboxEntry,
  OutboxKind,
  OutboxState,
  PendingDiff,
  ReferencePage,
  Store,
  StoredItem,
  StoredReference,
  StoreIntegrity,
  StoreSize,
  SubscriptionTarget,
  UserPreferences,
} from './types';
import { DEFAULT_PREFERENCES } from './types';

/**
 * Storage's 401 or 403 at start-up, as one clear error: a token for the wrong audience, an identity without
 * the data roles, or a key or SAS the account does not accept.
 */
function refusedAccess(error: unknown): StoreError | null {
  const status = statusOf(error);
  if (status !== 401 && status !== 403) return null;
  const code = (error as { code?: unknown }).code;
  return new StoreError(
    'approvals.store.accessRefused',
    `Azure Storage refused access (${status}${typeof code === 'string' ? ` ${code}` : ''}). With a managed identity, ` +
      'its token must be for https://storage.azure.com and the identity needs the "Storage Table Data Contributor" ' +
      'and "Storage Blob Data Contributor" roles on the account; with a connection string, check its key or SAS.',
  );
}

export type AzureStoreOptions = StorageAccount & AzureStoreSettings;

export interface AzureStoreSettings {
  /**
   * Table and container names start with this (a letter, then letters and digits): several bots, or
   * several test runs, can share one account.
   */
  readonly prefix?: string;
  /**
   * How many partitions the outbox spreads over (1 to 64). Read from the account once the store exists, so
   * every instance uses the same number whatever it is given; this value only counts at creation.
   */
  readonly outboxShards?: number;
  /** How many requests one bulk call (putItems, enqueue) keeps in flight. */
  readonly concurrency?: number;
  readonly now?: () => Date;
}

export const DEFAULT_AZURE_PREFIX = 'approvals';
const DEFAULT_SHARDS = 4;

const TABLES = [
  'Items',
  'Copies',
  'Refs',
  'Audit',
  'Outbox',
  'Subs',
  'Decisions',
  'Pending',
  'Users',
  'Reminders',
  'Meta',
] as const;
type TableName = (typeof TABLES)[number];

/** Row keys and partition keys used below; `!` separates parts (safeKey never produces it). */
const ONE = '';
const REFS = 'refs';
const SUBS = 'subs';
/** Row keys in a user's partition of Users, one per item that had a card in their chat. */
const SHOWN = 'shown!';
/** Row kinds in an outbox shard (see the outbox section below). */
const LEASE = 'l!';
const QUEUE = 'q!';
const ENTRY = 'e!';
const DEDUPE = 'd!';
/** The character after `!`: `x!` ≤ key < `x"` is "every key that starts with x!". */
const AFTER_BANG = '"';
/** Above every order number for two centuries, and below 2^53, so that ceiling − order stays exact. */
const ORDER_CEILING = 9_000_000_000_000_000;
/** Error texts stay well inside one string property. */
const MAX_ERROR_CHARS = 8000;

function shownRow(recipientId: string, itemKey: string) {
  return { partitionKey: safeKey(userKey(recipientId)), rowKey: `${SHOWN}${safeKey(itemKey)}`, itemKey };
}

/** The part of an outbox entry that changes; kept as one JSON property so a claim can merge it in one go. */
interface OutboxStatus {
  readonly state: OutboxState;
  readonly attempts: number;
  readonly notBefore: number;
  readonly claimOwner: string | null;
  readonly claimExpiresAt: number | null;
  readonly lastError: string | null;
  readonly activityId: string | null;
  readonly updatedAt: number;
  /** Bumped by every transition: it makes each queue or lease row key unique over the entry's life. */
  readonly v: number;
}

interface Candidate {
  readonly shard: number;
  readonly rowKey: string;
  readonly order: string;
  readonly status: OutboxStatus;
  /** The lease expiry for an abandoned claim, the due time for a pending entry: the claim order. */
  readonly at: number;
  readonly expired: boolean;
}

// Our own JSON, written by this class from typed values: the casts below restore those types.
function parse<T>(text: string): T {
  return JSON.parse(text) as T;
}

/**
 * The Store on Azure Storage, for several bot instances sharing one storage account. Tables hold
 * every record; blobs hold only JSON too large for an entity. Nothing is held in process memory between
 * calls, so any instance can serve any request and a killed instance loses nothing.
 *
 * Concurrency: every read-modify-write is an ETag-conditional write retried on 412/409; outbox transitions
 * are entity group transactions inside one partition (see claimDue).
 */
export class AzureStore implements Store {
  private readonly now: () => Date;
  private readonly concurrency: number;
  readonly integrity: StoreIntegrity;

  private constructor(
    private readonly t: Record<TableName, Table>,
    private readonly codec: JsonCodec,
    private readonly shards: number,
    options: AzureStoreOptions,
  ) {
    this.now = options.now ?? (() => new Date());
    this.concurrency = options.concurrency ?? 16;
    this.integrity = {
      status: 'not checked',
      detail: 'Azure Storage keeps its own replicas; the bot has no file of its own to check.',
      checkedAt: this.now().toISOString(),
    };
  }

  /** Opens the store, creating its tables on first use (safe when several instances start at once). */
  static async open(options: AzureStoreOptions): Promise<AzureStore> {
    const prefix = options.prefix ?? DEFAULT_AZURE_PREFIX;
    if (!/^[A-Za-z][A-Za-z0-9]{0,39}$/.test(prefix)) {
      throw new StoreError(
        'approvals.store.badPrefix',
        `The Azure store prefix must be a letter followed by up to 39 letters or digits, got "${prefix}"`,
      );
    }
    const wanted = options.outboxShards ?? DEFAULT_SHARDS;
    if (!Number.isInteger(wanted) || wanted < 1 || wanted > 64) {
      throw new StoreError('approvals.store.badShards', `outboxShards must be 1 to 64, got ${wanted}`);
    }
    const tables = Object.fromEntries(
      TABLES.map((name) => [name, Table.open(options, `${prefix}${name}`)]),
    ) as Record<TableName, Table>;
    try {
      await Promise.all(Object.values(tables).map((table) => table.ensure()));
    } catch (error) {
      throw refusedAccess(error) ?? error;
    }
    const codec = new JsonCodec(blobContainer(options, `${prefix.toLowerCase()}-json`), 'json');
    // The first instance fixes the shard count; later ones (and later versions) read it back.
    await tables.Meta.create({ partitionKey: 'meta', rowKey: 'outbox', shards: wanted });
    const meta = await tables.Meta.get('meta', 'outbox');
    const shards = meta ? num(meta, 'shards') : null;
    if (shards === null) throw new StoreError('approvals.store.bug', 'the outbox shard count is missing');
    return new AzureStore(tables, codec, shards, options);
  }

  /**
   * Deletes every table and container of `prefix`, the coordination ones (azure-leases.ts) included: for
   * tests and for tearing a deployment down. Missing ones are fine.
   */
  static async destroy(options: StorageAccount & { readonly prefix?: string }): Promise<void> {
    const prefix = options.prefix ?? DEFAULT_AZURE_PREFIX;
    const service = tableService(options);
    await Promise.all([...TABLES, 'Budget'].map((name) => service.deleteTable(`${prefix}${name}`)));
    await Promise.all(
      ['json', 'leases'].map((kind) =>
        blobContainer(options, `${prefix.toLowerCase()}-${kind}`).deleteIfExists(),
      ),
    );
  }

  // ---- Shared mechanics ----

  /** JSON fields packed into entity properties, and the blobs that packing created (to undo on a lost race). */
  private async pack(
    fields: Readonly<Record<string, unknown>>,
  ): Promise<{ props: Record<string, unknown>; blobs: string[] }> {
    const props: Record<string, unknown> = {};
    const blobs: string[] = [];
    for (const [name, value] of Object.entries(fields)) {
      const packed = await this.codec.pack(name, value);
      Object.assign(props, packed.props);
      if (packed.blob !== null) blobs.push(packed.blob);
    }
    return { props, blobs };
  }

  /**
   * The read-modify-write every record with a merge rule goes through: read with its ETag, let `decide`
   * compute the next record (or none), write it only if nobody wrote in between, else start over.
   */
  private rmw<R>(
    table: Table,
    partitionKey: string,
    rowKey: string,
    what: string,
    decide: (existing: Entity | null) => Promise<{
      readonly json: Record<string, unknown> | null;
      readonly plain?: Record<string, unknown>;
      readonly result: R;
    }>,
  ): Promise<R> {
    return optimistic(what, async () => {
      const existing = await table.get(partitionKey, rowKey);
      const next = await decide(existing);
      if (next.json === null) return { result: next.result };
      const { props, blobs } = await this.pack(next.json);
      const entity: NewEntity = { partitionKey, rowKey, ...next.plain, ...props };
      const written = existing ? await table.update(entity, existing.etag) : await table.create(entity);
      if (!written) {
        await this.codec.drop(blobs);
        return undefined;
      }
      await this.codec.drop(this.codec.blobsOf(existing));
      return { result: next.result };
    }).then((box) => box.result);
  }

  /** A plain read, again if a concurrent writer swapped the blob it names. */
  private read<R>(what: string, load: () => Promise<R>): Promise<R> {
    return optimistic(what, async () => ({ value: await load() })).then((box) => box.value);
  }

  private async json<T>(entity: Entity, name: string): Promise<T> {
    const value = await this.codec.unpack<T>(entity, name);
    if (value === undefined) throw new StoreError('approvals.store.corrupt', `entity lacks its ${name}`);
    return value;
  }

  // ---- Items ----

  async putItem(item: PendingItem, approverId: string | null): Promise<StoredItem> {
    return this.put(item, [approverId], this.now().toISOString());
  }

  async putItems(sightings: readonly ItemSighting[]): Promise<void> {
    // One write per item, not per sighting: the sightings of an item are merged here in their order.
    const byKey = new Map<string, { item: PendingItem; approvers: (string | null)[] }>();
    for (const s of sightings) {
      const key = itemKey(s.item.target);
      const entry = byKey.get(key);
      if (entry) {
        entry.item = s.item;
        entry.approvers.push(s.approverId);
      } else byKey.set(key, { item: s.item, approvers: [s.approverId] });
    }
    const at = this.now().toISOString();
    await mapLimit([...byKey.values()], this.concurrency, (e) => this.put(e.item, e.approvers, at));
  }

  private put(item: PendingItem, approverIds: readonly (string | null)[], at: string): Promise<StoredItem> {
    const key = itemKey(item.target);
    return this.rmw(this.t.Items, safeKey(key), ONE, 'putItem', async (existing) => {
      let approvers: readonly string[] = existing ? await this.json<string[]>(existing, 'approverIds') : [];
      for (const id of approverIds) approvers = mergeApprovers(approvers, id);
      const final = existing ? await this.json<FinalState | null>(existing, 'final') : null;
      const kept = existing ? await this.json<PendingItem>(existing, 'item') : null;
      const stored: StoredItem = {
        key,
        item: structuredClone(mergeItem(kept, item)),
        approverIds: approvers,
        final,
        updatedAt: at,
      };
      return {
        json: { item: stored.item, approverIds: stored.approverIds, final: stored.final },
        plain: { key, updatedAt: at },
        result: stored,
      };
    });
  }

  async getItem(key: string): Promise<StoredItem | null> {
    return this.read('getItem', async () => {
      const entity = await this.t.Items.get(safeKey(key), ONE);
      return entity ? this.toItem(entity) : null;
    });
  }

  private async toItem(entity: Entity): Promise<StoredItem> {
    return {
      key: str(entity, 'key') ?? '',
      item: await this.json<PendingItem>(entity, 'item'),
      approverIds: await this.json<string[]>(entity, 'approverIds'),
      final: await this.json<FinalState | null>(entity, 'final'),
      updatedAt: str(entity, 'updatedAt') ?? '',
    };
  }

  async finishItem(key: string, final: FinalState | null): Promise<boolean> {
    return this.rmw(this.t.Items, safeKey(key), ONE, 'finishItem', async (existing) => {
      if (!existing) return { json: null, result: false };
      const current = await this.toItem(existing);
      const change = nextFinal(current.final, final);
      if (!change.changed) return { json: null, result: false };
      const updatedAt = this.now().toISOString();
      return {
        json: { item: current.item, approverIds: current.approverIds, final: change.next },
        plain: { key, updatedAt },
        result: true,
      };
    });
  }

  // ---- Card copies ----

  async addCopy(copy: CardCopy): Promise<void> {
    const { props, blobs } = await this.pack({ copy });
    const created = await this.t.Copies.create({
      partitionKey: safeKey(copy.itemKey),
      // One row per (conversation, activity): a second add of the same copy is a 409, ignored.
      rowKey: `${safeKey(copy.conversationId)}!${safeKey(copy.activityId)}`,
      order: nextOrder(),
      ...props,
    });
    if (!created) await this.codec.drop(blobs);
    // The recipient's index of the items that had a card in their chat (finishedShownTo).
    if (copy.recipientId !== null) await this.t.Users.upsertReplace(shownRow(copy.recipientId, copy.itemKey));
  }

  async finishedShownTo(userId: string, limit: number): Promise<readonly StoredItem[]> {
    if (limit <= 0) return [];
    const partition = `PartitionKey eq ${quote(safeKey(userKey(userId)))}`;
    const range = `RowKey ge ${quote(SHOWN)} and RowKey lt ${quote(`shown${AFTER_BANG}`)}`;
    const keys: string[] = [];
    for await (const e of this.t.Users.list(`${partition} and ${range}`)) keys.push(str(e, 'itemKey') ?? '');
    // One read per item shown: the partition holds no order by final state. Only "history" asks.
    const items = await mapLimit(keys, this.concurrency, (key) => this.getItem(key));
    return newestFirst(items.filter((i): i is StoredItem => i?.final != null)).slice(0, limit);
  }

  async copiesOf(itemKey: string): Promise<readonly CardCopy[]> {
    return this.read('copiesOf', async () => {
      const rows: { order: number; copy: CardCopy }[] = [];
      for await (const e of this.t.Copies.list(`PartitionKey eq ${quote(safeKey(itemKey))}`)) {
        rows.push({ order: num(e, 'order') ?? 0, copy: await this.json<CardCopy>(e, 'copy') });
      }
      // Row keys sort by conversation; the order number keeps "in the order they were added".
      return rows.sort((a, b) => a.order - b.order).map((r) => r.copy);
    });
  }

  // ---- Conversation references ----

  async saveReference(reference: StoredReference): Promise<void> {
    // One partition for all references: listing "in key order, a page at a time" needs one sorted range.
    await this.rmw(this.t.Refs, REFS, orderedKey(reference.key), 'saveReference', async () => ({
      json: { reference },
      plain: { scope: reference.scope },
      result: true,
    }));
  }

  async getReference(key: string): Promise<StoredReference | null> {
    return this.read('getReference', async () => {
      const entity = await this.t.Refs.get(REFS, orderedKey(key));
      return entity ? this.json<StoredReference>(entity, 'reference') : null;
    });
  }

  async removeReference(key: string): Promise<void> {
    await this.remove(this.t.Refs, REFS, orderedKey(key));
  }

  /** Deletes an entity and the blobs it names; false when there was none. */
  private async remove(table: Table, partitionKey: string, rowKey: string): Promise<boolean> {
    return optimistic('remove', async () => {
      const existing = await table.get(partitionKey, rowKey);
      if (!existing) return false;
      if (!(await table.delete(partitionKey, rowKey, existing.etag))) return undefined;
      await this.codec.drop(this.codec.blobsOf(existing));
      return true;
    });
  }

  async listReferences(page: ReferencePage = {}): Promise<readonly StoredReference[]> {
    const limit = page.limit ?? Number.POSITIVE_INFINITY;
    if (limit <= 0) return [];
    let filter = `PartitionKey eq ${quote(REFS)}`;
    if (page.afterKey) filter += ` and RowKey gt ${quote(orderedKey(page.afterKey))}`;
    if (page.scope) filter += ` and scope eq ${quote(page.scope satisfies ConversationScope)}`;
    return this.read('listReferences', async () => {
      const out: StoredReference[] = [];
      const pageSize = Number.isFinite(limit) ? Math.min(1000, limit) : 1000;
      for await (const e of this.t.Refs.list(filter, { pageSize })) {
        out.push(await this.json<StoredReference>(e, 'reference'));
        if (out.length >= limit) break;
      }
      return out;
    });
  }

  // ---- Audit ----

  async appendAudit(entry: AuditEntry): Promise<void> {
    const { props } = await this.pack({ entry });
    await this.t.Audit.create({
      partitionKey: safeKey(userKey(entry.userId)),
      // Newest first in row-key order, so "the newest n" is the first page of the user's partition.
      rowKey: orderKey(ORDER_CEILING - nextOrder()),
      ...props,
    });
  }

  async auditFor(userId: string, limit: number): Promise<readonly AuditEntry[]> {
    if (limit <= 0) return [];
    return this.read('auditFor', async () => {
      const out: AuditEntry[] = [];
      const filter = `PartitionKey eq ${quote(safeKey(userKey(userId)))}`;
      for await (const e of this.t.Audit.list(filter, { pageSize: Math.min(limit, 1000) })) {
        out.push(await this.json<AuditEntry>(e, 'entry'));
        if (out.length >= limit) break;
      }
      return out;
    });
  }

  // ---- Outbox ----
  //
  // Each shard is one partition holding, per entry:
  //   d!{dedupe key}          the dedupe marker (kept for ever, like SQLite's unique dedupe_key)
  //   e!{order}               the entry: fixed fields, payload, and its status JSON
  //   q!{notBefore}!{order}!{v}  while pending: the queue row, sorted by due time
  //   l!{expiry}!{order}!{v}     while inflight: the lease row, sorted by lease expiry
  // Every transition is one entity group transaction that deletes the current queue or lease row by its
  // exact key. Version v makes that key unique over the entry's life, so the delete succeeds only if the
  // entry is still in the state and version the caller read: of two claimers that read the same row, the
  // second gets 404 and its whole transaction rolls back. That is what makes claims atomic across processes.

  private shardOf(dedupeKey: string): number {
    return createHash('sha256').update(dedupeKey).digest().readUInt32BE(0) % this.shards;
  }

  private static partition(shard: number): string {
    return `s${shard}`;
  }

  private static queueRow(status: OutboxStatus, order: string): string {
    return status.state === 'inflight'
      ? `${LEASE}${padded(status.claimExpiresAt ?? 0)}!${order}!${status.v}`
      : `${QUEUE}${padded(status.notBefore)}!${order}!${status.v}`;
  }

  async enqueue(entries: readonly NewOutboxEntry[]): Promise<readonly OutboxEntry[]> {
    const at = this.now().getTime();
    const seen = new Set<string>();
    // The first of several entries with one dedupe key wins, as in one SQLite transaction.
    const fresh = entries.filter((e) => !seen.has(e.dedupeKey) && seen.add(e.dedupeKey));
    const added = await mapLimit(fresh, this.concurrency, async (e) => {
      const shard = this.shardOf(e.dedupeKey);
      const partitionKey = AzureStore.partition(shard);
      const order = orderKey();
      const id = `${shard}.${order}`;
      const status: OutboxStatus = {
        state: 'pending',
        attempts: 0,
        notBefore: e.notBefore,
        claimOwner: null,
        claimExpiresAt: null,
        lastError: null,
        activityId: null,
        updatedAt: at,
        v: 0,
      };
      const { props, blobs } = await this.pack({ payload: e.payload });
      const statusText = JSON.stringify(status);
      // All three rows or none: a crash can never leave a dedupe marker without its entry.
      const ok = await this.t.Outbox.transact([
        ['create', { partitionKey, rowKey: `${DEDUPE}${safeKey(e.dedupeKey)}`, id }],
        [
          'create',
          {
            partitionKey,
            rowKey: `${ENTRY}${order}`,
            kind: e.kind,
            conversationKey: e.conversationKey,
            itemKey: JSON.stringify(e.itemKey),
            dedupeKey: e.dedupeKey,
            createdAt: at,
            state: status.state,
            status: statusText,
            ...props,
          },
        ],
        ['create', { partitionKey, rowKey: AzureStore.queueRow(status, order), order, status: statusText }],
      ]);
      if (!ok) {
        await this.codec.drop(blobs);
        return null;
      }
      const entry: OutboxEntry = {
        id,
        kind: e.kind,
        conversationKey: e.conversationKey,
        itemKey: e.itemKey,
        payload: structuredClone(e.payload),
        dedupeKey: e.dedupeKey,
        createdAt: at,
        ...AzureStore.publicStatus(status),
      };
      return entry;
    });
    return added.filter((e): e is OutboxEntry => e !== null);
  }

  private static publicStatus(status: OutboxStatus) {
    return {
      state: status.state,
      attempts: status.attempts,
      notBefore: status.notBefore,
      claimOwner: status.claimOwner,
      claimExpiresAt: status.claimExpiresAt,
      lastError: status.lastError,
      activityId: status.activityId,
      updatedAt: status.updatedAt,
    };
  }

  private async toEntry(shard: number, entity: Entity): Promise<OutboxEntry> {
    const status = parse<OutboxStatus>(str(entity, 'status') ?? '{}');
    const payload = await this.codec.unpack<Record<string, unknown>>(entity, 'payload');
    return {
      id: `${shard}.${(entity.rowKey ?? '').slice(ENTRY.length)}`,
      kind: (str(entity, 'kind') ?? 'send') as OutboxKind,
      conversationKey: str(entity, 'conversationKey') ?? '',
      itemKey: parse<string | null>(str(entity, 'itemKey') ?? 'null'),
      payload: payload ?? {},
      dedupeKey: str(entity, 'dedupeKey') ?? '',
      createdAt: num(entity, 'createdAt') ?? 0,
      ...AzureStore.publicStatus(status),
    };
  }

  /** The shard and entry row key an id names, or null for an id this store never gave out. */
  private static locate(id: string): { shard: number; rowKey: string } | null {
    const match = /^(\d{1,2})\.(\d{17}-[0-9a-f]{8})$/.exec(id);
    if (!match?.[1] || !match[2]) return null;
    return { shard: Number(match[1]), rowKey: `${ENTRY}${match[2]}` };
  }

  /**
   * Reads the first rows of every shard's lease and queue ranges up to `now`, then claims candidates in
   * order (abandoned claims first, then by due time) with one transaction each, in parallel waves: a
   * candidate another claimer took meanwhile simply fails and the next one is tried.
   */
  async claimDue(request: ClaimRequest): Promise<readonly OutboxEntry[]> {
    checkClaim(request);
    const { now, limit, owner, leaseMs } = request;
    if (limit === 0) return [];
    const want = Math.min(1000, limit * 2 + 8);
    const bound = padded(Math.floor(now) + 1);
    // Two range queries per shard (lease rows, queue rows) rather than one OR: each stays a range seek in
    // its partition instead of a scan past the entries and dedupe markers that accumulate there.
    const ranges = Array.from({ length: this.shards }, (_, shard) =>
      [LEASE, QUEUE].map((kind) => ({ shard, kind })),
    ).flat();
    const perRange = await Promise.all(
      ranges.map(async ({ shard, kind }) => {
        const filter =
          `PartitionKey eq ${quote(AzureStore.partition(shard))} and ` +
          `RowKey ge ${quote(kind)} and RowKey lt ${quote(`${kind}${bound}`)}`;
        const found: Candidate[] = [];
        for await (const e of this.t.Outbox.list(filter, { pageSize: want })) {
          const status = parse<OutboxStatus>(str(e, 'status') ?? '{}');
          const expired = kind === LEASE;
          found.push({
            shard,
            rowKey: e.rowKey ?? '',
            order: str(e, 'order') ?? '',
            status,
            at: expired ? (status.claimExpiresAt ?? 0) : status.notBefore,
            expired,
          });
          if (found.length >= want) break;
        }
        return found;
      }),
    );
    const byClaimOrder = (a: Candidate, b: Candidate): number =>
      a.at - b.at || (a.order < b.order ? -1 : a.order > b.order ? 1 : 0);
    const all = perRange.flat();
    const candidates = [
      ...all.filter((c) => c.expired).sort(byClaimOrder),
      ...all.filter((c) => !c.expired).sort(byClaimOrder),
    ];
    const won: { index: number; entry: OutboxEntry }[] = [];
    let next = 0;
    while (won.length < limit && next < candidates.length) {
      const wave = candidates
        .slice(next, next + (limit - won.length))
        .map((c, i) => ({ c, index: next + i }));
      next += wave.length;
      const results = await Promise.all(
        wave.map(async ({ c, index }) => {
          const entry = await this.claimOne(c, owner, now, leaseMs);
          return entry ? { index, entry } : null;
        }),
      );
      for (const r of results) if (r) won.push(r);
    }
    return won.sort((a, b) => a.index - b.index).map((w) => w.entry);
  }

  private async claimOne(
    c: Candidate,
    owner: string,
    now: number,
    leaseMs: number,
  ): Promise<OutboxEntry | null> {
    const partitionKey = AzureStore.partition(c.shard);
    const status: OutboxStatus = {
      ...c.status,
      state: 'inflight',
      attempts: c.status.attempts + 1,
      claimOwner: owner,
      claimExpiresAt: now + leaseMs,
      updatedAt: now,
      v: c.status.v + 1,
    };
    const statusText = JSON.stringify(status);
    const ok = await this.t.Outbox.transact([
      ['delete', { partitionKey, rowKey: c.rowKey }],
      [
        'create',
        { partitionKey, rowKey: AzureStore.queueRow(status, c.order), order: c.order, status: statusText },
      ],
      // No ETag needed here: the delete above already fails unless the entry is exactly as read.
      [
        'update',
        { partitionKey, rowKey: `${ENTRY}${c.order}`, state: status.state, status: statusText },
        'Merge',
      ],
    ]);
    if (!ok) return null;
    const entity = await this.read('claimDue', async () => {
      const e = await this.t.Outbox.get(partitionKey, `${ENTRY}${c.order}`);
      return e ? this.toEntry(c.shard, e) : null;
    });
    return entity;
  }

  /**
   * Settles an entry `owner` holds a live lease on: reads it, checks the lease, and writes the next state
   * with the entry's ETag in the same transaction that deletes the lease row. False when the lease is not
   * (or no longer) the owner's; a lost race reads again, since the loser may still hold the lease.
   */
  private async settle(
    id: string,
    owner: string,
    now: number,
    what: string,
    next: (status: OutboxStatus) => OutboxStatus,
  ): Promise<boolean> {
    const where = AzureStore.locate(id);
    if (!where) return false;
    const partitionKey = AzureStore.partition(where.shard);
    const order = where.rowKey.slice(ENTRY.length);
    return optimistic(what, async () => {
      const entity = await this.t.Outbox.get(partitionKey, where.rowKey);
      if (!entity) return false;
      const current = parse<OutboxStatus>(str(entity, 'status') ?? '{}');
      if (
        current.state !== 'inflight' ||
        current.claimOwner !== owner ||
        !((current.claimExpiresAt ?? 0) > now)
      ) {
        return false;
      }
      const status = { ...next(current), v: current.v + 1 };
      const statusText = JSON.stringify(status);
      const actions: TransactionAction[] = [
        ['delete', { partitionKey, rowKey: AzureStore.queueRow(current, order) }],
      ];
      if (status.state === 'done') {
        // Replace drops the payload (a done entry keeps its dedupe key and result only).
        const kept: NewEntity = {
          partitionKey,
          rowKey: where.rowKey,
          state: status.state,
          status: statusText,
        };
        for (const name of ['kind', 'conversationKey', 'itemKey', 'dedupeKey', 'createdAt'])
          kept[name] = entity[name];
        actions.push(['update', kept, 'Replace', { etag: entity.etag }]);
      } else {
        const merged = { partitionKey, rowKey: where.rowKey, state: status.state, status: statusText };
        actions.push(['update', merged, 'Merge', { etag: entity.etag }]);
      }
      if (status.state === 'pending') {
        actions.push([
          'create',
          { partitionKey, rowKey: AzureStore.queueRow(status, order), order, status: statusText },
        ]);
      }
      if (!(await this.t.Outbox.transact(actions))) return undefined;
      if (status.state === 'done') await this.codec.drop(this.codec.blobsOf(entity));
      return true;
    });
  }

  async completeOutbox(
    id: string,
    owner: string,
    result: { readonly activityId: string | null; readonly now: number },
  ): Promise<boolean> {
    return this.settle(id, owner, result.now, 'completeOutbox', (s) => ({
      ...s,
      state: 'done',
      activityId: result.activityId,
      claimOwner: null,
      claimExpiresAt: null,
      updatedAt: result.now,
    }));
  }

  async retryOutbox(
    id: string,
    owner: string,
    retry: { readonly notBefore: number; readonly error: string; readonly now: number },
  ): Promise<boolean> {
    return this.settle(id, owner, retry.now, 'retryOutbox', (s) => ({
      ...s,
      state: 'pending',
      notBefore: retry.notBefore,
      lastError: retry.error.slice(0, MAX_ERROR_CHARS),
      claimOwner: null,
      claimExpiresAt: null,
      updatedAt: retry.now,
    }));
  }

  async failOutbox(
    id: string,
    owner: string,
    failure: { readonly error: string; readonly now: number },
  ): Promise<boolean> {
    return this.settle(id, owner, failure.now, 'failOutbox', (s) => ({
      ...s,
      state: 'dead',
      lastError: failure.error.slice(0, MAX_ERROR_CHARS),
      claimOwner: null,
      claimExpiresAt: null,
      updatedAt: failure.now,
    }));
  }

  async getOutboxEntry(id: string): Promise<OutboxEntry | null> {
    const where = AzureStore.locate(id);
    if (!where) return null;
    return this.read('getOutboxEntry', async () => {
      const entity = await this.t.Outbox.get(AzureStore.partition(where.shard), where.rowKey);
      return entity ? this.toEntry(where.shard, entity) : null;
    });
  }

  async outboxCounts(): Promise<OutboxCounts> {
    const counts = { pending: 0, inflight: 0, done: 0, dead: 0 };
    const filter = `RowKey ge ${quote(ENTRY)} and RowKey lt ${quote(`e${AFTER_BANG}`)}`;
    for await (const e of this.t.Outbox.list(filter, { select: ['state'], pageSize: 1000 })) {
      const state = str(e, 'state') as OutboxState | null;
      if (state !== null && state in counts) counts[state] += 1;
    }
    return counts;
  }

  /** A scan of the entry rows, like outboxCounts: for metrics, not a hot path. */
  async oldestWaiting(): Promise<number | null> {
    let oldest: number | null = null;
    const filter =
      `RowKey ge ${quote(ENTRY)} and RowKey lt ${quote(`e${AFTER_BANG}`)}` +
      ` and (state eq 'pending' or state eq 'inflight')`;
    for await (const e of this.t.Outbox.list(filter, { select: ['createdAt'], pageSize: 1000 })) {
      const created = num(e, 'createdAt');
      if (created !== null && (oldest === null || created < oldest)) oldest = created;
    }
    return oldest;
  }

  // ---- Channel subscriptions ----
  //
  // One partition (subscriptions are few): c!{channel}!{target} lists a channel's, t!{target}!{channel}
  // finds the channels following a target; both rows change together in one transaction.

  private static channelRow(conversationId: string, target: SubscriptionTarget): string {
    return `c!${safeKey(conversationId)}!${safeKey(targetKey(target))}`;
  }

  private static targetRow(conversationId: string, target: SubscriptionTarget): string {
    return `t!${safeKey(targetKey(target))}!${safeKey(conversationId)}`;
  }

  async addSubscription(subscription: ChannelSubscription): Promise<boolean> {
    const channelRow = AzureStore.channelRow(subscription.conversationId, subscription.filter);
    return optimistic('addSubscription', async () => {
      const existing = await this.t.Subs.get(SUBS, channelRow);
      const kept = existing ? await this.json<ChannelSubscription>(existing, 'subscription') : null;
      // A repeat keeps who subscribed first and when, and takes the fresh names and reference.
      const stored: ChannelSubscription = kept
        ? { ...subscription, createdBy: kept.createdBy, createdAt: kept.createdAt }
        : subscription;
      const order = (existing && num(existing, 'order')) ?? nextOrder();
      const a = await this.pack({ subscription: stored });
      const b = await this.pack({ subscription: stored });
      const row = { partitionKey: SUBS, order, ...a.props };
      const mirror = {
        partitionKey: SUBS,
        rowKey: AzureStore.targetRow(subscription.conversationId, subscription.filter),
        order,
        ...b.props,
      };
      const ok = await this.t.Subs.transact(
        existing
          ? [
              ['update', { ...row, rowKey: channelRow }, 'Replace', { etag: existing.etag }],
              ['upsert', mirror, 'Replace'],
            ]
          : [
              ['create', { ...row, rowKey: channelRow }],
              ['upsert', mirror, 'Replace'],
            ],
      );
      if (!ok) {
        await this.codec.drop([...a.blobs, ...b.blobs]);
        return undefined;
      }
      return kept === null;
    });
  }

  async removeSubscription(conversationId: string, target: SubscriptionTarget): Promise<boolean> {
    const channelRow = AzureStore.channelRow(conversationId, target);
    const targetRow = AzureStore.targetRow(conversationId, target);
    return optimistic('removeSubscription', async () => {
      const [row, mirror] = await Promise.all([
        this.t.Subs.get(SUBS, channelRow),
        this.t.Subs.get(SUBS, targetRow),
      ]);
      if (!row) return false;
      const actions: TransactionAction[] = [['delete', { partitionKey: SUBS, rowKey: channelRow }]];
      if (mirror) actions.push(['delete', { partitionKey: SUBS, rowKey: targetRow }]);
      if (!(await this.t.Subs.transact(actions))) return undefined;
      await this.codec.drop([...this.codec.blobsOf(row), ...this.codec.blobsOf(mirror)]);
      return true;
    });
  }

  private async listSubscriptions(
    prefix: string,
  ): Promise<{ order: number; subscription: ChannelSubscription }[]> {
    const filter = `PartitionKey eq ${quote(SUBS)} and RowKey ge ${quote(prefix)} and RowKey lt ${quote(
      `${prefix.slice(0, -1)}${AFTER_BANG}`,
    )}`;
    const rows: { order: number; subscription: ChannelSubscription }[] = [];
    for await (const e of this.t.Subs.list(filter)) {
      rows.push({
        order: num(e, 'order') ?? 0,
        subscription: await this.json<ChannelSubscription>(e, 'subscription'),
      });
    }
    return rows;
  }

  async subscriptionsOf(conversationId: string): Promise<readonly ChannelSubscription[]> {
    return this.read('subscriptionsOf', async () => {
      const rows = await this.listSubscriptions(`c!${safeKey(conversationId)}!`);
      return rows.sort((a, b) => a.order - b.order).map((r) => r.subscription);
    });
  }

  async subscriptionsMatching(
    targets: readonly SubscriptionTarget[],
  ): Promise<readonly ChannelSubscription[]> {
    const keys = [...new Set(targets.map(targetKey))];
    return this.read('subscriptionsMatching', async () => {
      const rows = (await Promise.all(keys.map((k) => this.listSubscriptions(`t!${safeKey(k)}!`)))).flat();
      // Oldest subscription first, as subscriptionsOf lists them.
      return rows.sort((a, b) => a.order - b.order).map((r) => r.subscription);
    });
  }

  // ---- Decision dedupe ----

  async rememberDecision(key: string, outcome: Outcome, expiresAt: number): Promise<void> {
    await this.rmw(this.t.Decisions, safeKey(key), ONE, 'rememberDecision', async () => ({
      json: { outcome },
      // Tables compares only like types in filters, so expiry is also kept as a sortable string.
      plain: { expiresAt, expiresKey: padded(Math.ceil(expiresAt)) },
      result: true,
    }));
  }

  async recalledDecision(key: string, now: number): Promise<Outcome | null> {
    return this.read('recalledDecision', async () => {
      const entity = await this.t.Decisions.get(safeKey(key), ONE);
      if (!entity || !((num(entity, 'expiresAt') ?? 0) > now)) return null;
      return this.json<Outcome>(entity, 'outcome');
    });
  }

  async forgetExpiredDecisions(now: number): Promise<number> {
    const filter = `expiresKey le ${quote(padded(Math.ceil(now)))}`;
    const expired: Entity[] = [];
    for await (const e of this.t.Decisions.list(filter)) {
      if ((num(e, 'expiresAt') ?? 0) <= now) expired.push(e);
    }
    const deleted = await mapLimit(expired, this.concurrency, async (e) => {
      // With its ETag: a decision remembered again meanwhile has a new expiry and stays.
      const ok = await this.t.Decisions.delete(e.partitionKey ?? '', e.rowKey ?? '', e.etag);
      if (ok) await this.codec.drop(this.codec.blobsOf(e));
      return ok;
    });
    return deleted.filter(Boolean).length;
  }

  async forgetBefore(cutoff: number): Promise<Forgotten> {
    const iso = new Date(cutoff).toISOString();
    const finalOrGone = new Map<string, boolean>();
    const mayGo = async (key: string | null): Promise<boolean> => {
      if (key === null) return true;
      let known = finalOrGone.get(key);
      if (known === undefined) {
        const item = await this.t.Items.get(safeKey(key), ONE);
        known = !item || (await this.json<FinalState | null>(item, 'final')) !== null;
        finalOrGone.set(key, known);
      }
      return known;
    };
    // Settled outbox entries (the entry row and its dedupe marker together), once their item is gone or final.
    let outbox = 0;
    for (let shard = 0; shard < this.shards; shard++) {
      const partitionKey = AzureStore.partition(shard);
      const filter =
        `PartitionKey eq ${quote(partitionKey)} and RowKey ge ${quote(ENTRY)} and RowKey lt ${quote(`e${AFTER_BANG}`)}` +
        ` and (state eq 'done' or state eq 'dead')`;
      for await (const e of this.t.Outbox.list(filter)) {
        const status = parse<OutboxStatus>(str(e, 'status') ?? '{}');
        if (!(status.updatedAt < cutoff)) continue;
        if (!(await mayGo(parse<string | null>(str(e, 'itemKey') ?? 'null')))) continue;
        const dedupe = `${DEDUPE}${safeKey(str(e, 'dedupeKey') ?? '')}`;
        const gone = await this.t.Outbox.transact([
          ['delete', { partitionKey, rowKey: e.rowKey ?? '' }],
          ['delete', { partitionKey, rowKey: dedupe }],
        ]);
        if (gone) {
          await this.codec.drop(this.codec.blobsOf(e));
          outbox += 1;
        }
      }
    }
    // Final items last changed before the cutoff, with their copies and reminder marks.
    let items = 0;
    for await (const e of this.t.Items.list(`updatedAt lt ${quote(iso)}`)) {
      if ((await this.json<FinalState | null>(e, 'final')) === null) continue;
      const key = str(e, 'key') ?? '';
      const partition = `PartitionKey eq ${quote(safeKey(key))}`;
      for await (const row of this.t.Copies.list(partition)) {
        const recipient = (await this.json<CardCopy>(row, 'copy')).recipientId;
        if (recipient !== null) {
          const shown = shownRow(recipient, key);
          await this.t.Users.delete(shown.partitionKey, shown.rowKey);
        }
      }
      for (const table of [this.t.Copies, this.t.Reminders]) {
        for await (const row of table.list(partition)) {
          await table.delete(row.partitionKey ?? '', row.rowKey ?? '');
          await this.codec.drop(this.codec.blobsOf(row));
        }
      }
      // With its ETag: an item seen or changed again meanwhile stays.
      if (await this.t.Items.delete(e.partitionKey ?? '', e.rowKey ?? '', e.etag)) {
        await this.codec.drop(this.codec.blobsOf(e));
        items += 1;
      }
    }
    // Audit rows are written once: the service's Timestamp is when.
    let audit = 0;
    for await (const e of this.t.Audit.list(`Timestamp lt datetime${quote(iso)}`)) {
      if (await this.t.Audit.delete(e.partitionKey ?? '', e.rowKey ?? '')) {
        await this.codec.drop(this.codec.blobsOf(e));
        audit += 1;
      }
    }
    return { items, outbox, audit };
  }

  // ---- Discovery bookkeeping ----

  async setPendingFor(approverId: string, itemKeys: readonly string[]): Promise<PendingDiff> {
    const next = uniqueKeys(itemKeys);
    return this.rmw(this.t.Pending, safeKey(userKey(approverId)), ONE, 'setPendingFor', async (existing) => {
      const previous = existing ? await this.json<string[]>(existing, 'itemKeys') : [];
      return { json: { itemKeys: next }, result: pendingDiff(previous, next) };
    });
  }

  async pendingFor(approverId: string): Promise<readonly string[]> {
    return this.read('pendingFor', async () => {
      const entity = await this.t.Pending.get(safeKey(userKey(approverId)), ONE);
      return entity ? this.json<string[]>(entity, 'itemKeys') : [];
    });
  }

  // Users: single-property merges, which the service applies atomically, so no read and no ETag is needed.

  async markUnreachable(userId: string, reason: string): Promise<void> {
    await this.t.Users.upsertMerge({
      partitionKey: safeKey(userKey(userId)),
      rowKey: ONE,
      blocked: true,
      blockedReason: reason.slice(0, MAX_ERROR_CHARS),
    });
  }

  async clearUnreachable(userId: string): Promise<void> {
    const entity = { partitionKey: safeKey(userKey(userId)), rowKey: ONE, blocked: false, blockedReason: '' };
    // Merge only into an existing user (If-Match *): clearing a stranger creates nothing.
    await this.t.Users.update(entity, '*', 'Merge');
  }

  async isUnreachable(userId: string): Promise<boolean> {
    const entity = await this.t.Users.get(safeKey(userKey(userId)), ONE);
    return entity?.['blocked'] === true;
  }

  async preferencesOf(userId: string): Promise<UserPreferences> {
    const entity = await this.t.Users.get(safeKey(userKey(userId)), ONE);
    const text = entity ? str(entity, 'preferences') : null;
    if (text === null) return DEFAULT_PREFERENCES;
    // Settings saved before a field existed take its default.
    return { ...DEFAULT_PREFERENCES, ...parse<Partial<UserPreferences>>(text) };
  }

  async setPreferences(userId: string, preferences: UserPreferences): Promise<void> {
    await this.t.Users.upsertMerge({
      partitionKey: safeKey(userKey(userId)),
      rowKey: ONE,
      preferences: JSON.stringify(preferences),
    });
  }

  async markReminded(itemKey: string, approverId: string): Promise<boolean> {
    // The insert is the test-and-set: only the first one for (item, approver) gets through.
    return this.t.Reminders.create({ partitionKey: safeKey(itemKey), rowKey: safeKey(userKey(approverId)) });
  }

  /** Counts by scanning keys: fine for health checks and the benchmark, not for a hot path. */
  async size(): Promise<StoreSize> {
    const [items, copies, outbox] = await Promise.all([
      this.t.Items.count(),
      this.t.Copies.count(),
      this.t.Outbox.count(`RowKey ge ${quote(ENTRY)} and RowKey lt ${quote(`e${AFTER_BANG}`)}`),
    ]);
    return { items, copies, outbox, bytes: null };
  }

  /** Nothing to flush: every write was acknowledged by the service before its call returned. */
  async close(): Promise<void> {}
}
