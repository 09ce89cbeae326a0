import { createHash, randomUUID } from 'node:crypto';
import type { TokenCredential } from '@azure/core-auth';
import { TableClient, TableServiceClient } from '@azure/data-tables';
import type { TableEntity, TableEntityResult, TransactionAction } from '@azure/data-tables';
import { BlobServiceClient } from '@azure/storage-blob';
import type { ContainerClient } from '@azure/storage-blob';
import { StoreError } from './rules';

/**
 * The mechanics every Azure Storage part of the store shares: key encoding, a small wrapper over a table
 * that turns the status codes we act on into values, large JSON split across properties or moved to a
 * blob, and the retry loop for optimistic (ETag) writes. The meaning lives in azure-store.ts and rules.ts.
 */

export type Entity = TableEntityResult<Record<string, unknown>>;
export type NewEntity = TableEntity<Record<string, unknown>>;

// ---- Keys ----

/** Characters kept as they are in a PartitionKey or RowKey; everything else is escaped. */
const PLAIN = /^[A-Za-z0-9._:@-]$/;
/** Past this, a key component is replaced by its hash (keys are limited to 1 KiB, and compound keys join two). */
const MAX_COMPONENT = 400;

/**
 * A value usable as (part of) a PartitionKey or RowKey, one to one with the input. Azure forbids / \ # ?
 * and control characters in keys, and quotes and percent signs are trouble in URLs and filters, so only a
 * safe alphabet stays and every other UTF-8 byte becomes ~XX. `!` never appears in the output, so it can
 * separate the parts of a compound key. Not order-preserving: see `orderedKey` for that.
 */
export function safeKey(value: string): string {
  let out = '';
  for (const ch of value) {
    if (PLAIN.test(ch)) out += ch;
    else
      for (const byte of Buffer.from(ch, 'utf8'))
        out += `~${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  // An escaped key never starts with "~~" (each ~ is followed by two hex digits), so hashes cannot collide
  // with escaped keys.
  return out.length > MAX_COMPONENT ? `~~${createHash('sha256').update(value).digest('hex')}` : out;
}

/** UTF-8 bytes in hex: ascending RowKeys then list in the same (binary) order as SQLite's keys. */
export function orderedKey(value: string): string {
  const hex = Buffer.from(value, 'utf8').toString('hex');
  if (hex.length > 1000) {
    throw new StoreError(
      'approvals.store.keyTooLong',
      `a key of ${value.length} characters cannot be stored`,
    );
  }
  return hex;
}

/** Zero-padded so that strings sort as the numbers do (negative values sort as 0: none are expected). */
export function padded(n: number, width = 16): string {
  return String(Math.max(0, Math.floor(n))).padStart(width, '0');
}

let lastOrder = 0;

/**
 * A number that grows with every call in this process and tracks the wall clock across processes
 * (microsecond-shaped: ms × 1000 + a counter). It orders copies and audit entries "as added".
 */
export function nextOrder(): number {
  lastOrder = Math.max(lastOrder + 1, Date.now() * 1000);
  return lastOrder;
}

/** A unique, sortable key: the order number plus a random tail so that two processes never collide. */
export function orderKey(order: number = nextOrder()): string {
  return `${padded(order, 17)}-${randomUUID().slice(0, 8)}`;
}

// ---- Status codes ----

export function statusOf(error: unknown): number | null {
  if (typeof error !== 'object' || error === null || !('statusCode' in error)) return null;
  const code = (error as { statusCode: unknown }).statusCode;
  return typeof code === 'number' ? code : null;
}

/** 404 gone, 409 already there, 412 changed since read: the answers optimistic writes act on. */
function isConflict(error: unknown): boolean {
  const code = statusOf(error);
  return code === 404 || code === 409 || code === 412;
}

// ---- Property readers (entities come back as untyped records) ----

export function str(entity: Entity, name: string): string | null {
  const value = entity[name];
  return typeof value === 'string' ? value : null;
}

export function num(entity: Entity, name: string): number | null {
  const value = entity[name];
  return typeof value === 'number' ? value : null;
}

// ---- Tables ----

/**
 * How the bot reaches its storage account: a connection string (account key or SAS), or the account's
 * table and blob URLs with an Entra token credential (a managed identity in Azure), so that no storage
 * secret exists to rotate.
 */
export type StorageAccount =
  | { readonly connectionString: string }
  | {
      readonly tableUrl: string;
      readonly blobUrl: string;
      readonly credential: TokenCredential;
    };

/** The SDK refuses plain http unless told; only the emulator (Azurite) or a test uses http. */
export function allowsHttp(connectionString: string): boolean {
  return (
    /Endpoint\s*=\s*http:\/\//i.test(connectionString) ||
    /DefaultEndpointsProtocol\s*=\s*http\s*(;|$)/i.test(connectionString) ||
    /UseDevelopmentStorage\s*=\s*true/i.test(connectionString)
  );
}

/** One table, with the outcomes optimistic concurrency needs as booleans instead of exceptions. */
export class Table {
  constructor(readonly client: TableClient) {}

  static open(account: StorageAccount, name: string): Table {
    if ('connectionString' in account)
      return new Table(
        TableClient.fromConnectionString(account.connectionString, name, {
          allowInsecureConnection: allowsHttp(account.connectionString),
        }),
      );
    return new Table(new TableClient(account.tableUrl, name, account.credential));
  }

  /** Creates the table; an existing one is fine (the SDK ignores TableAlreadyExists). */
  async ensure(): Promise<void> {
    await this.client.createTable();
  }

  async get(partitionKey: string, rowKey: string): Promise<Entity | null> {
    try {
      return await this.client.getEntity<Record<string, unknown>>(partitionKey, rowKey);
    } catch (error) {
      if (statusOf(error) === 404) return null;
      throw error;
    }
  }

  /** False when an entity with these keys exists already. */
  async create(entity: NewEntity): Promise<boolean> {
    try {
      await this.client.createEntity(entity);
      return true;
    } catch (error) {
      if (statusOf(error) === 409) return false;
      throw error;
    }
  }

  /** Replaces (or merges into) the entity read with `etag`; false when it changed or vanished since. */
  async update(entity: NewEntity, etag: string, mode: 'Replace' | 'Merge' = 'Replace'): Promise<boolean> {
    try {
      await this.client.updateEntity(entity, mode, { etag });
      return true;
    } catch (error) {
      if (statusOf(error) === 412 || statusOf(error) === 404) return false;
      throw error;
    }
  }

  /** Insert-or-merge in one request: the service applies it atomically, so no read is needed. */
  async upsertMerge(entity: NewEntity): Promise<void> {
    await this.client.upsertEntity(entity, 'Merge');
  }

  async upsertReplace(entity: NewEntity): Promise<void> {
    await this.client.upsertEntity(entity, 'Replace');
  }

  /** False when there was nothing to delete (or, with an etag, it changed since it was read). */
  async delete(partitionKey: string, rowKey: string, etag?: string): Promise<boolean> {
    try {
      await this.client.deleteEntity(partitionKey, rowKey, etag === undefined ? {} : { etag });
      return true;
    } catch (error) {
      if (statusOf(error) === 404 || statusOf(error) === 412) return false;
      throw error;
    }
  }

  /**
   * An entity group transaction (one partition, all or nothing). False when any action hit 404, 409 or 412:
   * the caller's view was stale. Note the SDK sends deletes in a transaction without If-Match, so a delete
   * is conditional only on the entity still existing (callers make row keys unique per version for that).
   */
  async transact(actions: readonly TransactionAction[]): Promise<boolean> {
    try {
      await this.client.submitTransaction([...actions]);
      return true;
    } catch (error) {
      if (isConflict(error)) return false;
      throw error;
    }
  }

  /** Every entity matching `filter`, a page at a time, stopping early when the caller stops iterating. */
  async *list(
    filter: string,
    options: { select?: string[]; pageSize?: number } = {},
  ): AsyncGenerator<Entity> {
    const pages = this.client
      .listEntities<Record<string, unknown>>({
        queryOptions: { filter, ...(options.select ? { select: options.select } : {}) },
      })
      .byPage(options.pageSize ? { maxPageSize: options.pageSize } : {});
    for await (const page of pages) {
      for (const entity of page) yield entity;
    }
  }

  async count(filter = ''): Promise<number> {
    let n = 0;
    // Selecting the key only keeps the scan light; Tables has no count query.
    for await (const _ of this.list(filter, { select: ['PartitionKey'], pageSize: 1000 })) n += 1;
    return n;
  }
}

/** OData string literal: single quotes are doubled (our keys never hold one, but values in filters may). */
export function quote(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

export function tableService(account: StorageAccount): TableServiceClient {
  if ('connectionString' in account)
    return TableServiceClient.fromConnectionString(account.connectionString, {
      allowInsecureConnection: allowsHttp(account.connectionString),
    });
  return new TableServiceClient(account.tableUrl, account.credential);
}

export function blobContainer(account: StorageAccount, name: string): ContainerClient {
  const service =
    'connectionString' in account
      ? BlobServiceClient.fromConnectionString(account.connectionString)
      : new BlobServiceClient(account.blobUrl, account.credential);
  return service.getContainerClient(name);
}

// ---- Large JSON ----

/** Azure Tables allows 64 KiB per string property (UTF-16) and 1 MiB per entity. */
const CHUNK_CHARS = 30_000;
/** Above this a JSON value goes to a blob, so that three of them still fit one entity and one batch. */
const INLINE_MAX_CHARS = 120_000;

/** Thrown when an entity names a blob that a concurrent writer has just replaced: read the entity again. */
export class BlobGone extends Error {
  constructor(readonly blobName: string) {
    super(`blob ${blobName} is gone`);
    this.name = 'BlobGone';
  }
}

/**
 * Writes a JSON value into entity properties: one property when small, numbered chunks when larger, a blob
 * (named in the entity) when larger still. Blob names are random, never reused, so a reader can only find
 * its blob or no blob; on "no blob" it reads the entity again.
 */
export class JsonCodec {
  private containerReady: Promise<void> | null = null;

  constructor(
    private readonly container: ContainerClient,
    private readonly folder: string,
  ) {}

  async pack(
    name: string,
    value: unknown,
  ): Promise<{ props: Record<string, string | number>; blob: string | null }> {
    const text = JSON.stringify(value);
    if (text.length <= CHUNK_CHARS) return { props: { [name]: text }, blob: null };
    if (text.length <= INLINE_MAX_CHARS) {
      const props: Record<string, string | number> = {
        [`${name}_parts`]: Math.ceil(text.length / CHUNK_CHARS),
      };
      for (let i = 0; i * CHUNK_CHARS < text.length; i++) {
        props[`${name}_${i}`] = text.slice(i * CHUNK_CHARS, (i + 1) * CHUNK_CHARS);
      }
      return { props, blob: null };
    }
    await this.ensureContainer();
    const blob = `${this.folder}/${randomUUID()}.json`;
    const body = Buffer.from(text, 'utf8');
    await this.container.getBlockBlobClient(blob).upload(body, body.length, {
      blobHTTPHeaders: { blobContentType: 'application/json' },
    });
    return { props: { [`${name}_blob`]: blob }, blob };
  }

  /** Undefined when the entity has no such property at all. */
  async unpack<T>(entity: Entity, name: string): Promise<T | undefined> {
    const text = await this.text(entity, name);
    // Our own JSON, written by pack() from a typed value: the cast restores that type.
    return text === undefined ? undefined : (JSON.parse(text) as T);
  }

  private async text(entity: Entity, name: string): Promise<string | undefined> {
    const inline = str(entity, name);
    if (inline !== null) return inline;
    const parts = num(entity, `${name}_parts`);
    if (parts !== null) {
      let text = '';
      for (let i = 0; i < parts; i++) text += str(entity, `${name}_${i}`) ?? '';
      return text;
    }
    const blob = str(entity, `${name}_blob`);
    if (blob === null) return undefined;
    try {
      return (await this.container.getBlobClient(blob).downloadToBuffer()).toString('utf8');
    } catch (error) {
      if (statusOf(error) === 404) throw new BlobGone(blob);
      throw error;
    }
  }

  /** The blobs an entity's JSON properties live in, so that they can be dropped once it is replaced. */
  blobsOf(entity: Entity | null): string[] {
    if (!entity) return [];
    return Object.keys(entity)
      .filter((key) => key.endsWith('_blob'))
      .map((key) => str(entity, key))
      .filter((name): name is string => name !== null);
  }

  /** Best effort: a blob left behind costs storage, never correctness (nothing names it any more). */
  async drop(blobs: readonly string[]): Promise<void> {
    await Promise.all(
      blobs.map((blob) =>
        this.container
          .getBlobClient(blob)
          .deleteIfExists()
          .catch(() => undefined),
      ),
    );
  }

  private ensureContainer(): Promise<void> {
    this.containerReady ??= this.container.createIfNotExists().then(() => undefined);
    return this.containerReady;
  }
}

// ---- Optimistic retry ----

/**
 * Runs a read-modify-write until it goes through: `attempt` returns `undefined` when its conditional write
 * lost a race (412/409) and it must read again. A blob swapped under a reader counts as such a race.
 */
export async function optimistic<T>(what: string, attempt: () => Promise<T | undefined>): Promise<T> {
  for (let n = 0; n < 100; n++) {
    try {
      const result = await attempt();
      if (result !== undefined) return result;
    } catch (error) {
      if (!(error instanceof BlobGone)) throw error;
    }
    // Losers of a race back off a little, at random, so that they do not collide again in step.
    if (n >= 2) await new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(200, 5 * n)));
  }
  throw new StoreError('approvals.store.contention', `${what}: too many concurrent writers, gave up`);
}

/** Runs `fn` over `items` with at most `limit` at a time; results in input order. */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index] as T, index);
    }
  });
  await Promise.all(workers);
  return results;
}
