import type { FinalState } from '../domain';
import { randomUUID } from 'node:crypto';
import { basename, resolve } from 'node:path';
import { itemKey } from '../domain';
import type { Outcome, PendingItem } from '../domain';
import {
  StoreError,
  checkClaim,
  mergeApprovers,
  mergeItem,
  nextFinal,
  pendingDiff,
  targetKey,
  uniqueKeys,
  userKey,
} from './rules';
import type { Db } from './sqlite-db';
import { column, immediate, openDatabase, statement } from './sqlite-db';
import {
  appendJournal,
  fileSize,
  oldestJournalLine,
  openFailure,
  prepareDirectory,
  quickCheckFailure,
  readJournal,
  readMarker,
  schemaTooNewFailure,
  trimJournal,
  writeMarker,
} from './sqlite-files';
import type { MarkerRead, StoreLocation } from './sqlite-files';
import { pack, unpackText } from './sqlite-codec';
import { SCHEMA_VERSION, migrate } from './sqlite-schema';
import type {
  AuditEntry,
  CardCopy,
  ChannelSubscription,
  ClaimRequest,
  Forgotten,
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

export interface SqliteStoreOptions {
  /** The data folder; created when missing. */
  readonly directory: string;
  readonly fileName?: string;
  readonly now?: () => Date;
  /** How long a write waits for another process's transaction before failing. */
  readonly busyTimeoutMs?: number;
  /** The setting that chose `directory`, named in every start-up error; `DATA_DIR` unless given. */
  readonly setting?: string;
  /** How often the write-ahead log is checkpointed and the generation bumped while open; 5 s unless given. */
  readonly checkpointMs?: number;
  /** A write that leaves the write-ahead log bigger than this checkpoints at once; 4 MiB unless given. */
  readonly walLimitBytes?: number;
  /**
   * Copies-journal lines written this long before the checkpoint before last are dropped (they are in the
   * database file by then); a minute unless given.
   */
  readonly journalKeepMs?: number;
  /** Told about a background checkpoint or journal trim that failed (the store carries on). */
  readonly warn?: (message: string, error: unknown) => void;
}

export const DEFAULT_SQLITE_FILE = 'approvals.sqlite';
/** Beside the database: `{ generation, at }` as of the latest checkpoint (see SqliteStore). */
export const MARKER_SUFFIX = '.marker';
/** Beside the database: one JSON line per card copy recorded, replayed into the database at every open. */
export const COPIES_SUFFIX = '.copies';

const DEFAULT_CHECKPOINT_MS = 5000;
const DEFAULT_WAL_LIMIT_BYTES = 4 * 1024 * 1024;
const DEFAULT_JOURNAL_KEEP_MS = 60_000;
const WAL_LOOK_EVERY = 8;

/** What the SQLite store found at open, with the numbers behind it. */
export interface SqliteIntegrity extends StoreIntegrity {
  /** The generation the database held when opened (before this open's own bump). */
  readonly databaseGeneration: number;
  /** The marker's generation, null when it was missing or unreadable. */
  readonly markerGeneration: number | null;
  /** Card copies the journal had and the database had not (lost with the write-ahead log, usually). */
  readonly copiesRestored: number;
}

interface ItemRow {
  readonly key: string;
  /** Packed (sqlite-codec.ts), or JSON text in rows written before packing. */
  readonly item: string | Uint8Array;
  readonly approver_ids: string;
  readonly final: string | null;
  readonly updated_at: string;
}

interface OutboxRow {
  readonly seq: number;
  readonly id: string;
  readonly kind: OutboxKind;
  readonly conversation_key: string;
  readonly item_key: string | null;
  readonly dedupe_key: string;
  readonly state: OutboxState;
  readonly attempts: number;
  readonly not_before: number;
  readonly claim_owner: string | null;
  readonly claim_expires_at: number | null;
  readonly last_error: string | null;
  readonly activity_id: string | null;
  readonly created_at: number;
  readonly updated_at: number;
}

interface UserRow {
  readonly unreachable: string | null;
  readonly preferences: string | null;
}

interface CopyRow {
  readonly item_key: string;
  readonly conversation_id: string;
  readonly activity_id: string;
  /** The rest of the copy, packed; or, in rows written before packing, the whole copy as JSON text. */
  readonly copy: string | Uint8Array;
}

/** What a copy row keeps beside its columns: the copy without the three fields the columns hold. */
function packCopy(copy: CardCopy): Uint8Array {
  const { itemKey: _item, conversationId: _conversation, activityId: _activity, ...rest } = copy;
  return pack(rest);
}

function toCopy(row: CopyRow): CardCopy {
  return {
    ...parse<Omit<CardCopy, 'itemKey' | 'conversationId' | 'activityId'>>(unpackText(row.copy)),
    itemKey: row.item_key,
    conversationId: row.conversation_id,
    activityId: row.activity_id,
  };
}

// JSON read back from our own columns: written by this class from typed values, so the casts below hold.
function parse<T>(text: string): T {
  return JSON.parse(text) as T;
}

function toItem(row: ItemRow): StoredItem {
  return {
    key: row.key,
    item: parse<PendingItem>(unpackText(row.item)),
    approverIds: parse<string[]>(row.approver_ids),
    final: row.final === null ? null : parse<FinalState>(row.final),
    updatedAt: row.updated_at,
  };
}

/** `payload` is absent once the entry is done (its card was dropped on completion). */
function toEntry(row: OutboxRow, payload: string | undefined): OutboxEntry {
  return {
    id: row.id,
    kind: row.kind,
    conversationKey: row.conversation_key,
    itemKey: row.item_key,
    payload: payload === undefined ? {} : parse<Record<string, unknown>>(payload),
    dedupeKey: row.dedupe_key,
    state: row.state,
    attempts: row.attempts,
    notBefore: row.not_before,
    claimOwner: row.claim_owner,
    claimExpiresAt: row.claim_expires_at,
    lastError: row.last_error,
    activityId: row.activity_id,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/**
 * The default Store: one SQLite file in the data folder (design rule 9). WAL with synchronous=NORMAL keeps
 * every committed transaction through a process crash (SIGKILL); only an OS crash or power loss can drop
 * the last few. node:sqlite is synchronous, so each method runs its statements without yielding; writes
 * that read first use BEGIN IMMEDIATE, so other processes on the same file wait rather than interleave.
 *
 * Damage is detected, not assumed away. Every open runs `PRAGMA quick_check`. SQLite's own checkpoints are
 * off: the store checkpoints itself (every `checkpointMs`, after a write that leaves the log over
 * `walLimitBytes`, and on close), and each time, in the same synchronous step, bumps a generation in the
 * database (a write that lands in the log) and then writes it to a marker file beside the database. So the
 * database as read (file + log) always holds a generation at least the marker's, unless the log was lost or
 * an older file was put back: then it holds less, and the next open says so (`integrity`). Several
 * processes may share the file: each bumps atomically and writes the marker only after its bump committed,
 * and an open reads the marker before the database, so a race can only make the marker lag (a loss missed),
 * never run ahead (a false alarm).
 *
 * Card copies are what stops a send from being repeated, so they are also appended (fdatasync'd) to a
 * journal beside the database and replayed into it at every open: a copy lost with the log comes back, and
 * an outbox entry re-created by discovery finds its card already in the conversation. Lines are dropped once
 * a complete checkpoint has long since put their copies into the database file.
 */
export class SqliteStore implements Store {
  private readonly now: () => Date;
  private readonly sql: ReturnType<typeof prepare>;
  private readonly copyTx: (copy: CardCopy) => void;
  private readonly replayTx: () => number;
  private readonly forgetTx: (cutoff: number, iso: string) => Forgotten;
  private readonly bumpTx: (floor: number, at: string) => number;
  private readonly marker: string;
  private readonly journal: string;
  private readonly wal: string;
  private readonly checkpointMs: number;
  private readonly walLimitBytes: number;
  private readonly journalKeepMs: number;
  private readonly warn: (message: string, error: unknown) => void;
  private timer: NodeJS.Timeout | null = null;
  /** The WAL size past which a write checkpoints: the limit, or the limit above what a checkpoint left. */
  private walCheckAt: number;
  /** Start times (wall clock, ms) of the latest two checkpoints that copied the whole log into the file. */
  private complete: number[] = [];
  private lastTrim = 0;
  /** Writes since the log's size was last looked at (see `wrote`). */
  private unlooked = 0;
  private found: SqliteIntegrity | null = null;
  private readonly putTx: (sightings: readonly ItemSighting[]) => StoredItem[];
  private readonly finishTx: (key: string, final: FinalState | null) => boolean;
  private readonly enqueueTx: (entries: readonly NewOutboxEntry[]) => OutboxEntry[];
  private readonly claimTx: (request: ClaimRequest) => OutboxEntry[];
  private readonly completeTx: (id: string, owner: string, activityId: string | null, now: number) => boolean;
  private readonly subscribeTx: (subscription: ChannelSubscription) => boolean;
  private readonly pendingTx: (approverId: string, itemKeys: readonly string[]) => PendingDiff;

  private constructor(
    private readonly db: Db,
    readonly path: string,
    options: SqliteStoreOptions,
  ) {
    this.now = options.now ?? (() => new Date());
    this.marker = `${path}${MARKER_SUFFIX}`;
    this.journal = `${path}${COPIES_SUFFIX}`;
    this.wal = `${path}-wal`;
    this.checkpointMs = options.checkpointMs ?? DEFAULT_CHECKPOINT_MS;
    this.walLimitBytes = options.walLimitBytes ?? DEFAULT_WAL_LIMIT_BYTES;
    this.walCheckAt = this.walLimitBytes;
    this.journalKeepMs = options.journalKeepMs ?? DEFAULT_JOURNAL_KEEP_MS;
    this.warn = options.warn ?? (() => undefined);
    const sql = prepare(db);
    this.sql = sql;

    // The journal line is written while this transaction holds the write lock, so that it never races a
    // trim (which holds the same lock); a journal that cannot be written fails the call after the copy is
    // committed, so a retry finds the copy rather than sending again.
    this.copyTx = (copy: CardCopy) => {
      let journalError: unknown = null;
      immediate(db, () => {
        const packed = packCopy(copy);
        const recipient = copy.recipientId?.toLowerCase() ?? null;
        if (
          sql.insertCopy.run(copy.itemKey, copy.conversationId, copy.activityId, recipient, packed)
            .changes === 0
        )
          return;
        try {
          appendJournal(this.journal, { at: this.now().getTime(), copy });
        } catch (error) {
          journalError = error;
        }
      })();
      if (journalError !== null) {
        throw new StoreError(
          'approvals.store.journal',
          `the card copy was recorded, but not in ${this.journal}: ${journalError instanceof Error ? journalError.message : String(journalError)}`,
        );
      }
    };

    this.forgetTx = immediate(db, (cutoff: number, iso: string): Forgotten => {
      sql.forgetOutboxPayloads.run(cutoff);
      const outbox = sql.forgetOutbox.run(cutoff).changes;
      sql.forgetCopies.run(iso);
      sql.forgetReminders.run(iso);
      const items = sql.forgetItems.run(iso).changes;
      const audit = sql.forgetAudit.run(iso).changes;
      return { items, outbox, audit };
    });

    this.replayTx = immediate(db, () => {
      let restored = 0;
      for (const line of readJournal(this.journal)) {
        const c = line.copy;
        const recipient = c.recipientId?.toLowerCase() ?? null;
        restored += sql.insertCopy.run(
          c.itemKey,
          c.conversationId,
          c.activityId,
          recipient,
          packCopy(c),
        ).changes;
      }
      return restored;
    });

    this.bumpTx = immediate(db, (floor: number, at: string) => {
      const generation = sql.bumpGeneration.get({ floor, at });
      if (generation === undefined)
        throw new StoreError('approvals.store.bug', 'the generation row is missing');
      this.trimJournal();
      return generation;
    });

    const put = (item: PendingItem, approverId: string | null, at: string): StoredItem => {
      const key = itemKey(item.target);
      const existing = sql.getItem.get(key);
      const existingText = existing ? unpackText(existing.item) : '';
      // Only an item that carries something learned needs reading back (a string check spares the parse).
      const learned = existingText.includes('"justificationRequired":true')
        ? parse<PendingItem>(existingText)
        : null;
      const kept = mergeItem(learned, item);
      const stored: StoredItem = {
        key,
        item: kept,
        approverIds: mergeApprovers(existing ? parse<string[]>(existing.approver_ids) : [], approverId),
        final: existing?.final ? parse<FinalState>(existing.final) : null,
        updatedAt: at,
      };
      sql.upsertItem.run({
        key,
        item: pack(kept),
        approverIds: JSON.stringify(stored.approverIds),
        updatedAt: at,
      });
      return stored;
    };
    this.putTx = immediate(db, (sightings: readonly ItemSighting[]) => {
      const at = this.now().toISOString();
      return sightings.map((s) => put(s.item, s.approverId, at));
    });

    this.finishTx = immediate(db, (key: string, final: FinalState | null) => {
      const existing = sql.getItem.get(key);
      if (!existing) return false;
      const change = nextFinal(existing.final ? parse<FinalState>(existing.final) : null, final);
      if (!change.changed) return false;
      const next = change.next === null ? null : JSON.stringify(change.next);
      sql.setFinal.run({ key, final: next, updatedAt: this.now().toISOString() });
      return true;
    });

    this.enqueueTx = immediate(db, (entries: readonly NewOutboxEntry[]) => {
      const at = this.now().getTime();
      const added: OutboxEntry[] = [];
      for (const e of entries) {
        const row = sql.insertOutbox.get({
          id: randomUUID(),
          kind: e.kind,
          conversationKey: e.conversationKey,
          itemKey: e.itemKey,
          dedupeKey: e.dedupeKey,
          notBefore: e.notBefore,
          at,
        });
        if (!row) continue;
        const payload = JSON.stringify(e.payload);
        sql.insertPayload.run(row.seq, payload);
        added.push(toEntry(row, payload));
      }
      return added;
    });

    this.claimTx = immediate(db, (request: ClaimRequest) => {
      const { now, limit, owner, leaseMs } = request;
      const expired = sql.expiredLeases.all(now, limit);
      const due = expired.length < limit ? sql.dueEntries.all(now, limit - expired.length) : [];
      const claimed: OutboxEntry[] = [];
      for (const seq of [...expired, ...due]) {
        const row = sql.claim.get({ seq, owner, expires: now + leaseMs, now });
        if (row) claimed.push(toEntry(row, sql.getPayload.get(seq)));
      }
      return claimed;
    });

    this.completeTx = immediate(db, (id: string, owner: string, activityId: string | null, now: number) => {
      const seq = sql.complete.get({ id, owner, now, activityId });
      if (seq === undefined) return false;
      sql.deletePayload.run(seq);
      return true;
    });

    this.subscribeTx = immediate(db, (s: ChannelSubscription) => {
      const id = s.filter.id.toLowerCase();
      const existing = sql.getSubscription.get(s.conversationId, s.filter.kind, id);
      const kept = existing ? parse<ChannelSubscription>(existing) : null;
      // A repeat keeps who subscribed first and when, and takes the fresh names and reference.
      const stored: ChannelSubscription = kept
        ? { ...s, createdBy: kept.createdBy, createdAt: kept.createdAt }
        : s;
      sql.upsertSubscription.run({
        conversationId: s.conversationId,
        kind: s.filter.kind,
        targetId: id,
        subscription: JSON.stringify(stored),
      });
      return kept === null;
    });

    this.pendingTx = immediate(db, (approverId: string, itemKeys: readonly string[]) => {
      const id = userKey(approverId);
      const previous = sql.getPending.get(id);
      const next = uniqueKeys(itemKeys);
      sql.setPending.run(id, JSON.stringify(next));
      return pendingDiff(previous ? parse<string[]>(previous) : [], next);
    });
  }

  /**
   * Opens (creating when missing) the store file in `directory`, checks it, brings its schema up to date
   * and says what it found (`integrity`). Every way this can fail is a StoreError with details that name
   * the setting and the absolute path.
   */
  static open(options: SqliteStoreOptions): SqliteStore {
    const directory = resolve(options.directory);
    const where: StoreLocation = {
      setting: options.setting ?? 'DATA_DIR',
      directory,
      file: resolve(directory, options.fileName ?? DEFAULT_SQLITE_FILE),
    };
    prepareDirectory(where);
    let db: Db;
    try {
      db = openDatabase(where.file, { timeoutMs: options.busyTimeoutMs ?? 5000 });
    } catch (error) {
      throw openFailure(error, where);
    }
    try {
      db.exec('PRAGMA journal_mode = WAL');
      db.exec('PRAGMA synchronous = NORMAL');
      // Checkpoints are the store's own (see the class comment); after one, the log file shrinks back.
      db.exec('PRAGMA wal_autocheckpoint = 0');
      db.exec('PRAGMA journal_size_limit = 0');
      const problems = db
        .prepare('PRAGMA quick_check')
        .all()
        .map((row) => String(Object.values(row)[0]));
      if (problems.length !== 1 || problems[0] !== 'ok') throw quickCheckFailure(where, problems);
      migrate(db, (found) => schemaTooNewFailure(where, found, SCHEMA_VERSION));
      const store = new SqliteStore(db, where.file, options);
      store.start();
      return store;
    } catch (error) {
      if (db.isOpen) db.close();
      throw openFailure(error, where);
    }
  }

  /** What the store found when it opened (see IntegrityStatus). */
  get integrity(): SqliteIntegrity {
    if (!this.found) throw new StoreError('approvals.store.bug', 'the store was not started');
    return this.found;
  }

  /**
   * Compares the database with its marker, replays the copies journal, and starts the checkpoints. The
   * marker is read before the database: another process may bump both meanwhile, and read in this order
   * the marker can only look older than the database, never newer.
   */
  private start(): void {
    const marker = readMarker(this.marker);
    const restored = this.replayTx();
    const generation = this.sql.getGeneration.get() ?? { value: 0, at: null };
    const hasData = this.sql.hasData.get() === 1;
    this.found = judge({
      marker,
      generation: generation.value,
      generationAt: generation.at,
      hasData,
      restored,
      fileName: basename(this.path),
      checkedAt: new Date().toISOString(),
    });
    // Past the marker, so that a loss is reported once and the next open compares afresh.
    this.checkpoint(marker.kind === 'found' ? marker.marker.generation : 0);
    this.timer = setInterval(() => this.maintain('timer'), this.checkpointMs);
    this.timer.unref();
  }

  /**
   * One step: checkpoint (PASSIVE: it never waits for readers), then bump the generation (a write into the
   * fresh log) and write it to the marker. Nothing yields in between.
   */
  private checkpoint(floor = 0): void {
    const startedAt = this.now().getTime();
    const result = this.sql.checkpoint.get();
    if (result && result.busy === 0 && result.log >= 0 && result.log === result.checkpointed) {
      this.complete = [...this.complete, startedAt].slice(-2);
    }
    const at = new Date().toISOString();
    const generation = this.bumpTx(floor, at);
    writeMarker(this.marker, { generation, at });
    this.walCheckAt = fileSize(this.wal) + this.walLimitBytes;
  }

  /** A checkpoint that must not fail the caller (the timer, a write): a failure is reported and skipped. */
  private maintain(reason: 'timer' | 'write' | 'close'): void {
    try {
      this.checkpoint();
    } catch (error) {
      this.warn(`SQLite store: the ${reason} checkpoint failed; the next one tries again`, error);
    }
  }

  /**
   * Inside the bump's transaction (the write lock keeps appends out): drops journal lines written more than
   * `journalKeepMs` before the checkpoint before last, once the oldest line is that old.
   */
  private trimJournal(): void {
    const previous = this.complete.length === 2 ? this.complete[0] : undefined;
    if (previous === undefined) return;
    const cutoff = previous - this.journalKeepMs;
    const now = this.now().getTime();
    if (now - this.lastTrim < this.journalKeepMs / 2) return;
    try {
      const oldest = oldestJournalLine(this.journal);
      if (oldest === null || oldest >= cutoff) return;
      trimJournal(this.journal, cutoff);
      this.lastTrim = now;
    } catch (error) {
      this.warn('SQLite store: could not trim the card-copies journal; it is tried again later', error);
    }
  }

  /**
   * After writes: a log grown past its limit is checkpointed now, not at the next tick. Its size is looked
   * at every WAL_LOOK_EVERY writes, not after each (a stat per write was a cost on every click), so the log
   * may pass the limit by that many writes' pages: some hundred KB over 4 MiB.
   */
  private wrote<T>(result: T): T {
    if (++this.unlooked < WAL_LOOK_EVERY) return result;
    this.unlooked = 0;
    if (fileSize(this.wal) > this.walCheckAt) this.maintain('write');
    return result;
  }

  // ---- Items ----

  async putItem(item: PendingItem, approverId: string | null): Promise<StoredItem> {
    const [stored] = this.wrote(this.putTx([{ item, approverId }]));
    // One sighting in, one stored item out: only a bug in putTx could leave it undefined.
    if (!stored) throw new StoreError('approvals.store.bug', 'putItem stored nothing');
    return stored;
  }

  async putItems(sightings: readonly ItemSighting[]): Promise<void> {
    this.wrote(this.putTx(sightings));
  }

  async getItem(key: string): Promise<StoredItem | null> {
    const row = this.sql.getItem.get(key);
    return row ? toItem(row) : null;
  }

  async finishItem(key: string, final: FinalState | null): Promise<boolean> {
    return this.wrote(this.finishTx(key, final));
  }

  // ---- Card copies ----

  async addCopy(copy: CardCopy): Promise<void> {
    this.wrote(this.copyTx(copy));
  }

  async copiesOf(itemKey: string): Promise<readonly CardCopy[]> {
    return this.sql.copiesOf.all(itemKey).map(toCopy);
  }

  async finishedShownTo(userId: string, limit: number): Promise<readonly StoredItem[]> {
    if (limit <= 0) return [];
    return this.sql.finishedShownTo.all(userKey(userId), limit).map(toItem);
  }

  // ---- Conversation references ----

  async saveReference(reference: StoredReference): Promise<void> {
    this.wrote(this.sql.upsertReference.run(reference.key, reference.scope, JSON.stringify(reference)));
  }

  async getReference(key: string): Promise<StoredReference | null> {
    const text = this.sql.getReference.get(key);
    return text === undefined ? null : parse<StoredReference>(text);
  }

  async removeReference(key: string): Promise<void> {
    this.wrote(this.sql.removeReference.run(key));
  }

  async listReferences(page: ReferencePage = {}): Promise<readonly StoredReference[]> {
    const rows = this.sql.listReferences.all({
      after: page.afterKey ?? '',
      scope: page.scope ?? null,
      // LIMIT -1 is SQLite for "no limit".
      limit: page.limit ?? -1,
    });
    return rows.map((text) => parse<StoredReference>(text));
  }

  // ---- Audit ----

  async appendAudit(entry: AuditEntry): Promise<void> {
    this.wrote(this.sql.insertAudit.run(userKey(entry.userId), JSON.stringify(entry)));
  }

  async auditFor(userId: string, limit: number): Promise<readonly AuditEntry[]> {
    if (limit <= 0) return [];
    return this.sql.auditFor.all(userKey(userId), limit).map((text) => parse<AuditEntry>(text));
  }

  // ---- Outbox ----

  async enqueue(entries: readonly NewOutboxEntry[]): Promise<readonly OutboxEntry[]> {
    return entries.length === 0 ? [] : this.wrote(this.enqueueTx(entries));
  }

  async claimDue(request: ClaimRequest): Promise<readonly OutboxEntry[]> {
    checkClaim(request);
    if (request.limit === 0) return [];
    // A worker looks after every enqueue and every settled entry, and most looks find nothing: a plain read
    // says so without taking the write lock. What it finds is claimed (or not) in the transaction.
    if (this.sql.anyClaimable.get(request.now, request.now) !== 1) return [];
    return this.wrote(this.claimTx(request));
  }

  async completeOutbox(
    id: string,
    owner: string,
    result: { readonly activityId: string | null; readonly now: number },
  ): Promise<boolean> {
    return this.wrote(this.completeTx(id, owner, result.activityId, result.now));
  }

  async retryOutbox(
    id: string,
    owner: string,
    retry: { readonly notBefore: number; readonly error: string; readonly now: number },
  ): Promise<boolean> {
    const run = this.sql.retry.run({
      id,
      owner,
      now: retry.now,
      notBefore: retry.notBefore,
      error: retry.error,
    });
    return this.wrote(run.changes === 1);
  }

  async failOutbox(
    id: string,
    owner: string,
    failure: { readonly error: string; readonly now: number },
  ): Promise<boolean> {
    return this.wrote(this.sql.fail.run({ id, owner, now: failure.now, error: failure.error }).changes === 1);
  }

  async getOutboxEntry(id: string): Promise<OutboxEntry | null> {
    const row = this.sql.getOutbox.get(id);
    return row ? toEntry(row, this.sql.getPayload.get(row.seq)) : null;
  }

  async outboxCounts(): Promise<OutboxCounts> {
    const counts = { pending: 0, inflight: 0, done: 0, dead: 0 };
    for (const row of this.sql.outboxCounts.all()) counts[row.state] = row.n;
    return counts;
  }

  async oldestWaiting(): Promise<number | null> {
    return this.sql.oldestWaiting.get()?.at ?? null;
  }

  // ---- Channel subscriptions ----

  async addSubscription(subscription: ChannelSubscription): Promise<boolean> {
    return this.wrote(this.subscribeTx(subscription));
  }

  async removeSubscription(conversationId: string, target: SubscriptionTarget): Promise<boolean> {
    return this.wrote(
      this.sql.removeSubscription.run(conversationId, target.kind, target.id.toLowerCase()).changes === 1,
    );
  }

  async subscriptionsOf(conversationId: string): Promise<readonly ChannelSubscription[]> {
    return this.sql.subscriptionsOf.all(conversationId).map((text) => parse<ChannelSubscription>(text));
  }

  async subscriptionsMatching(
    targets: readonly SubscriptionTarget[],
  ): Promise<readonly ChannelSubscription[]> {
    const seen = new Set<string>();
    const rows: { seq: number; subscription: string }[] = [];
    for (const target of targets) {
      if (seen.has(targetKey(target))) continue;
      seen.add(targetKey(target));
      rows.push(...this.sql.subscriptionsFor.all(target.kind, target.id.toLowerCase()));
    }
    // Oldest subscription first, as subscriptionsOf lists them.
    return rows.sort((a, b) => a.seq - b.seq).map((r) => parse<ChannelSubscription>(r.subscription));
  }

  // ---- Decision dedupe ----

  async rememberDecision(key: string, outcome: Outcome, expiresAt: number): Promise<void> {
    this.wrote(this.sql.rememberDecision.run(key, JSON.stringify(outcome), expiresAt));
  }

  async recalledDecision(key: string, now: number): Promise<Outcome | null> {
    const text = this.sql.recallDecision.get(key, now);
    return text === undefined ? null : parse<Outcome>(text);
  }

  async forgetExpiredDecisions(now: number): Promise<number> {
    return this.wrote(this.sql.forgetDecisions.run(now).changes);
  }

  async forgetBefore(cutoff: number): Promise<Forgotten> {
    return this.wrote(this.forgetTx(cutoff, new Date(cutoff).toISOString()));
  }

  // ---- Discovery bookkeeping ----

  async setPendingFor(approverId: string, itemKeys: readonly string[]): Promise<PendingDiff> {
    return this.wrote(this.pendingTx(approverId, itemKeys));
  }

  async pendingFor(approverId: string): Promise<readonly string[]> {
    const text = this.sql.getPending.get(userKey(approverId));
    return text === undefined ? [] : parse<string[]>(text);
  }

  async markUnreachable(userId: string, reason: string): Promise<void> {
    this.wrote(this.sql.setUnreachable.run(userKey(userId), reason));
  }

  async clearUnreachable(userId: string): Promise<void> {
    this.wrote(this.sql.clearUnreachable.run(userKey(userId)));
  }

  async isUnreachable(userId: string): Promise<boolean> {
    return (this.sql.getUser.get(userKey(userId))?.unreachable ?? null) !== null;
  }

  async preferencesOf(userId: string): Promise<UserPreferences> {
    const text = this.sql.getUser.get(userKey(userId))?.preferences ?? null;
    return text === null
      ? DEFAULT_PREFERENCES
      : { ...DEFAULT_PREFERENCES, ...parse<Partial<UserPreferences>>(text) };
  }

  async setPreferences(userId: string, preferences: UserPreferences): Promise<void> {
    this.wrote(this.sql.setPreferences.run(userKey(userId), JSON.stringify(preferences)));
  }

  async markReminded(itemKey: string, approverId: string): Promise<boolean> {
    return this.wrote(this.sql.remind.run(itemKey, userKey(approverId)).changes === 1);
  }

  async size(): Promise<StoreSize> {
    const counts = this.sql.sizes.get();
    return {
      items: counts?.items ?? 0,
      copies: counts?.copies ?? 0,
      outbox: counts?.outbox ?? 0,
      bytes: fileSize(this.path) + fileSize(`${this.path}-wal`),
    };
  }

  /**
   * Bytes each table and index takes in the database file (SQLite's `dbstat`, which Node's SQLite has),
   * largest first: where the space goes, for the storage benchmark. Empty when `dbstat` is missing.
   */
  async spaceByTable(): Promise<readonly { name: string; bytes: number }[]> {
    try {
      return statement<[], { name: string; bytes: number }>(
        this.db,
        'SELECT name, sum(pgsize) AS bytes FROM dbstat GROUP BY name ORDER BY bytes DESC',
      ).all();
    } catch {
      return [];
    }
  }

  /** Checkpoints (so the marker matches what the file holds) and closes; a second close does nothing. */
  async close(): Promise<void> {
    if (!this.db.isOpen) return;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.maintain('close');
    this.db.close();
  }
}

const copies = (n: number): string => `${n} card ${n === 1 ? 'copy' : 'copies'}`;

interface Judged {
  readonly marker: MarkerRead;
  readonly generation: number;
  readonly generationAt: string | null;
  readonly hasData: boolean;
  readonly restored: number;
  readonly fileName: string;
  readonly checkedAt: string;
}

/** What the comparison of the database with its marker means, in words for the log and a probe. */
function judge(j: Judged): SqliteIntegrity {
  const base = {
    databaseGeneration: j.generation,
    markerGeneration: j.marker.kind === 'found' ? j.marker.marker.generation : null,
    copiesRestored: j.restored,
    checkedAt: j.checkedAt,
  };
  const restored =
    j.restored > 0
      ? ` ${copies(j.restored)} missing from the database were restored from ${j.fileName}${COPIES_SUFFIX}.`
      : '';
  if (j.marker.kind === 'found') {
    const m = j.marker.marker;
    if (j.generation >= m.generation) {
      return {
        ...base,
        status: 'ok',
        detail: `quick_check ok; generation ${j.generation}, marker ${m.generation}.${restored}`,
      };
    }
    const lost =
      `${j.fileName} is at generation ${j.generation} but its marker says ${m.generation} (written ${m.at}): ` +
      `its write-ahead log (${j.fileName}-wal) was lost, or an older copy of ${j.fileName} (or an empty one) ` +
      `was put in its place. ` +
      (j.hasData
        ? `What was written before ${j.generationAt ?? 'its first checkpoint'} is intact; writes after it may be ` +
          `gone (outbox progress, card copies, pending sets, settings, audit entries).`
        : `It holds no data now: everything the bot kept is gone.`);
    return {
      ...base,
      status: 'lost recent writes',
      detail:
        `${lost} The bot continues: ${copies(j.restored)} were restored from ${j.fileName}${COPIES_SUFFIX}, ` +
        `so cards already posted are not posted again; discovery finds what is still pending and re-creates ` +
        `lost outbox entries under their old dedupe keys. Settings and subscriptions changed since then may ` +
        `need to be made again.`,
    };
  }
  if (j.marker.kind === 'missing' && !j.hasData) {
    return {
      ...base,
      status: 'first start',
      detail: `No store here yet: created ${j.fileName} and its marker.${restored}`,
    };
  }
  const why =
    j.marker.kind === 'unreadable'
      ? `its marker could not be read (${j.marker.reason})`
      : j.generation === 0
        ? `it was written by a version of the bot without one`
        : `the marker was deleted, or the database was copied here without it`;
  return {
    ...base,
    status: 'marker missing',
    detail:
      `${j.fileName} has data but no marker to compare it with: ${why}. A write-ahead log lost before this ` +
      `start cannot be told from a clean stop. A new marker was written; from now on such a loss is noticed.${restored}`,
  };
}

/** Every statement, prepared once per connection. */
/** Outbox rows settled before a time (ms) whose item is gone or final: what retention may delete. */
const SETTLED_BEFORE = `SELECT o.seq FROM outbox o LEFT JOIN items i ON i.key = o.item_key
  WHERE o.state IN ('done', 'dead') AND o.updated_at < ?
    AND (o.item_key IS NULL OR i.key IS NULL OR i.final IS NOT NULL)`;

function prepare(db: Db) {
  return {
    getItem: statement<[string], ItemRow>(db, 'SELECT * FROM items WHERE key = ?'),
    upsertItem: statement<{ key: string; item: Uint8Array; approverIds: string; updatedAt: string }>(
      db,
      `INSERT INTO items (key, item, approver_ids, final, updated_at) VALUES (@key, @item, @approverIds, NULL, @updatedAt)
       ON CONFLICT (key) DO UPDATE SET item = excluded.item, approver_ids = excluded.approver_ids,
         updated_at = excluded.updated_at`,
    ),
    setFinal: statement<{ key: string; final: string | null; updatedAt: string }>(
      db,
      'UPDATE items SET final = @final, updated_at = @updatedAt WHERE key = @key',
    ),

    checkpoint: statement<[], { busy: number; log: number; checkpointed: number }>(
      db,
      'PRAGMA wal_checkpoint(PASSIVE)',
    ),
    getGeneration: statement<[], { value: number; at: string | null }>(
      db,
      "SELECT value, at FROM meta WHERE key = 'generation'",
    ),
    bumpGeneration: column<{ floor: number; at: string }, number>(
      db,
      "UPDATE meta SET value = max(value, @floor) + 1, at = @at WHERE key = 'generation' RETURNING value",
    ),
    hasData: column<[], number>(
      db,
      `SELECT EXISTS (SELECT 1 FROM items) OR EXISTS (SELECT 1 FROM outbox) OR EXISTS (SELECT 1 FROM card_copies)
         OR EXISTS (SELECT 1 FROM conversation_refs) OR EXISTS (SELECT 1 FROM audit)
         OR EXISTS (SELECT 1 FROM subscriptions) OR EXISTS (SELECT 1 FROM users)`,
    ),

    insertCopy: statement<[string, string, string, string | null, Uint8Array]>(
      db,
      `INSERT OR IGNORE INTO card_copies (item_key, conversation_id, activity_id, recipient_id, copy)
       VALUES (?, ?, ?, ?, ?)`,
    ),
    copiesOf: statement<[string], CopyRow>(
      db,
      'SELECT item_key, conversation_id, activity_id, copy FROM card_copies WHERE item_key = ? ORDER BY seq',
    ),
    finishedShownTo: statement<[string, number], ItemRow>(
      db,
      `SELECT * FROM items WHERE final IS NOT NULL AND key IN (
         SELECT item_key FROM card_copies WHERE recipient_id = ?)
       ORDER BY updated_at DESC, key LIMIT ?`,
    ),

    upsertReference: statement<[string, string, string]>(
      db,
      `INSERT INTO conversation_refs (key, scope, reference) VALUES (?, ?, ?)
       ON CONFLICT (key) DO UPDATE SET scope = excluded.scope, reference = excluded.reference`,
    ),
    getReference: column<[string], string>(db, 'SELECT reference FROM conversation_refs WHERE key = ?'),
    removeReference: statement<[string]>(db, 'DELETE FROM conversation_refs WHERE key = ?'),
    listReferences: column<{ after: string; scope: string | null; limit: number }, string>(
      db,
      `SELECT reference FROM conversation_refs WHERE key > @after AND (@scope IS NULL OR scope = @scope)
       ORDER BY key LIMIT @limit`,
    ),

    insertAudit: statement<[string, string]>(db, 'INSERT INTO audit (user_id, entry) VALUES (?, ?)'),
    auditFor: column<[string, number], string>(
      db,
      'SELECT entry FROM audit WHERE user_id = ? ORDER BY seq DESC LIMIT ?',
    ),

    insertOutbox: statement<
      {
        id: string;
        kind: string;
        conversationKey: string;
        itemKey: string | null;
        dedupeKey: string;
        notBefore: number;
        at: number;
      },
      OutboxRow
    >(
      db,
      `INSERT INTO outbox (id, kind, conversation_key, item_key, dedupe_key, state, attempts, not_before,
         created_at, updated_at)
       VALUES (@id, @kind, @conversationKey, @itemKey, @dedupeKey, 'pending', 0, @notBefore, @at, @at)
       ON CONFLICT (dedupe_key) DO NOTHING
       RETURNING *`,
    ),
    expiredLeases: column<[number, number], number>(
      db,
      `SELECT seq FROM outbox WHERE state = 'inflight' AND claim_expires_at <= ?
         ORDER BY claim_expires_at, seq LIMIT ?`,
    ),
    anyClaimable: column<[number, number], number>(
      db,
      `SELECT EXISTS (SELECT 1 FROM outbox WHERE state = 'inflight' AND claim_expires_at <= ?)
           OR EXISTS (SELECT 1 FROM outbox WHERE state = 'pending' AND not_before <= ?)`,
    ),
    dueEntries: column<[number, number], number>(
      db,
      "SELECT seq FROM outbox WHERE state = 'pending' AND not_before <= ? ORDER BY not_before, seq LIMIT ?",
    ),
    claim: statement<{ seq: number; owner: string; expires: number; now: number }, OutboxRow>(
      db,
      `UPDATE outbox SET state = 'inflight', attempts = attempts + 1, claim_owner = @owner,
         claim_expires_at = @expires, updated_at = @now
       WHERE seq = @seq RETURNING *`,
    ),
    // A claim counts only while its lease runs: an owner that stalled past it may not settle the entry.
    complete: column<{ id: string; owner: string; now: number; activityId: string | null }, number>(
      db,
      `UPDATE outbox SET state = 'done', activity_id = @activityId, claim_owner = NULL, claim_expires_at = NULL,
           updated_at = @now
         WHERE id = @id AND state = 'inflight' AND claim_owner = @owner AND claim_expires_at > @now
         RETURNING seq`,
    ),
    retry: statement<{ id: string; owner: string; now: number; notBefore: number; error: string }>(
      db,
      `UPDATE outbox SET state = 'pending', not_before = @notBefore, last_error = @error, claim_owner = NULL,
         claim_expires_at = NULL, updated_at = @now
       WHERE id = @id AND state = 'inflight' AND claim_owner = @owner AND claim_expires_at > @now`,
    ),
    fail: statement<{ id: string; owner: string; now: number; error: string }>(
      db,
      `UPDATE outbox SET state = 'dead', last_error = @error, claim_owner = NULL, claim_expires_at = NULL,
         updated_at = @now
       WHERE id = @id AND state = 'inflight' AND claim_owner = @owner AND claim_expires_at > @now`,
    ),
    getOutbox: statement<[string], OutboxRow>(db, 'SELECT * FROM outbox WHERE id = ?'),
    insertPayload: statement<[number, string]>(
      db,
      'INSERT INTO outbox_payloads (seq, payload) VALUES (?, ?)',
    ),
    getPayload: column<[number], string>(db, 'SELECT payload FROM outbox_payloads WHERE seq = ?'),
    deletePayload: statement<[number]>(db, 'DELETE FROM outbox_payloads WHERE seq = ?'),
    oldestWaiting: statement<[], { at: number | null }>(
      db,
      "SELECT min(created_at) AS at FROM outbox WHERE state IN ('pending', 'inflight')",
    ),
    outboxCounts: statement<[], { state: OutboxState; n: number }>(
      db,
      'SELECT state, count(*) AS n FROM outbox GROUP BY state',
    ),

    getSubscription: column<[string, string, string], string>(
      db,
      'SELECT subscription FROM subscriptions WHERE conversation_id = ? AND kind = ? AND target_id = ?',
    ),
    upsertSubscription: statement<{
      conversationId: string;
      kind: string;
      targetId: string;
      subscription: string;
    }>(
      db,
      `INSERT INTO subscriptions (conversation_id, kind, target_id, subscription)
       VALUES (@conversationId, @kind, @targetId, @subscription)
       ON CONFLICT (conversation_id, kind, target_id) DO UPDATE SET subscription = excluded.subscription`,
    ),
    removeSubscription: statement<[string, string, string]>(
      db,
      'DELETE FROM subscriptions WHERE conversation_id = ? AND kind = ? AND target_id = ?',
    ),
    subscriptionsOf: column<[string], string>(
      db,
      'SELECT subscription FROM subscriptions WHERE conversation_id = ? ORDER BY seq',
    ),
    subscriptionsFor: statement<[string, string], { seq: number; subscription: string }>(
      db,
      'SELECT seq, subscription FROM subscriptions WHERE kind = ? AND target_id = ?',
    ),

    rememberDecision: statement<[string, string, number]>(
      db,
      `INSERT INTO decisions (key, outcome, expires_at) VALUES (?, ?, ?)
       ON CONFLICT (key) DO UPDATE SET outcome = excluded.outcome, expires_at = excluded.expires_at`,
    ),
    recallDecision: column<[string, number], string>(
      db,
      'SELECT outcome FROM decisions WHERE key = ? AND expires_at > ?',
    ),
    forgetDecisions: statement<[number]>(db, 'DELETE FROM decisions WHERE expires_at <= ?'),
    // Retention (forgetBefore). Settled outbox entries go only once their item is gone or final.
    forgetOutboxPayloads: statement<[number]>(
      db,
      `DELETE FROM outbox_payloads WHERE seq IN (${SETTLED_BEFORE})`,
    ),
    forgetOutbox: statement<[number]>(db, `DELETE FROM outbox WHERE seq IN (${SETTLED_BEFORE})`),
    forgetCopies: statement<[string]>(
      db,
      'DELETE FROM card_copies WHERE item_key IN (SELECT key FROM items WHERE final IS NOT NULL AND updated_at < ?)',
    ),
    forgetReminders: statement<[string]>(
      db,
      'DELETE FROM reminders WHERE item_key IN (SELECT key FROM items WHERE final IS NOT NULL AND updated_at < ?)',
    ),
    forgetItems: statement<[string]>(db, 'DELETE FROM items WHERE final IS NOT NULL AND updated_at < ?'),
    forgetAudit: statement<[string]>(db, "DELETE FROM audit WHERE json_extract(entry, '$.at') < ?"),

    getPending: column<[string], string>(db, 'SELECT item_keys FROM pending_for WHERE approver_id = ?'),
    setPending: statement<[string, string]>(
      db,
      `INSERT INTO pending_for (approver_id, item_keys) VALUES (?, ?)
       ON CONFLICT (approver_id) DO UPDATE SET item_keys = excluded.item_keys`,
    ),

    getUser: statement<[string], UserRow>(db, 'SELECT unreachable, preferences FROM users WHERE user_id = ?'),
    setUnreachable: statement<[string, string]>(
      db,
      `INSERT INTO users (user_id, unreachable) VALUES (?, ?)
       ON CONFLICT (user_id) DO UPDATE SET unreachable = excluded.unreachable`,
    ),
    clearUnreachable: statement<[string]>(db, 'UPDATE users SET unreachable = NULL WHERE user_id = ?'),
    setPreferences: statement<[string, string]>(
      db,
      `INSERT INTO users (user_id, preferences) VALUES (?, ?)
       ON CONFLICT (user_id) DO UPDATE SET preferences = excluded.preferences`,
    ),

    remind: statement<[string, string]>(
      db,
      'INSERT OR IGNORE INTO reminders (item_key, approver_id) VALUES (?, ?)',
    ),

    sizes: statement<[], { items: number; copies: number; outbox: number }>(
      db,
      `SELECT (SELECT count(*) FROM items) AS items, (SELECT count(*) FROM card_copies) AS copies,
         (SELECT count(*) FROM outbox) AS outbox`,
    ),
  };
}
