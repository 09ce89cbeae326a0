import type { FinalState } from '../domain';
import { randomUUID } from 'node:crypto';
import { mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
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
import { migrate } from './sqlite-schema';
import type {
  AuditEntry,
  CardCopy,
  ChannelSubscription,
  ClaimRequest,
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
}

export const DEFAULT_SQLITE_FILE = 'approvals.sqlite';

interface ItemRow {
  readonly key: string;
  readonly item: string;
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

// JSON read back from our own columns: written by this class from typed values, so the casts below hold.
function parse<T>(text: string): T {
  return JSON.parse(text) as T;
}

function toItem(row: ItemRow): StoredItem {
  return {
    key: row.key,
    item: parse<PendingItem>(row.item),
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
 */
export class SqliteStore implements Store {
  private readonly now: () => Date;
  private readonly sql: ReturnType<typeof prepare>;
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
    now: (() => Date) | undefined,
  ) {
    this.now = now ?? (() => new Date());
    const sql = prepare(db);
    this.sql = sql;

    const put = (item: PendingItem, approverId: string | null, at: string): StoredItem => {
      const key = itemKey(item.target);
      const existing = sql.getItem.get(key);
      // Only an item that carries something learned needs reading back (a string check spares the parse).
      const learned = existing?.item.includes('"justificationRequired":true')
        ? parse<PendingItem>(existing.item)
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
        item: JSON.stringify(kept),
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

  /** Opens (creating when missing) the store file in `directory` and brings its schema up to date. */
  static open(options: SqliteStoreOptions): SqliteStore {
    mkdirSync(options.directory, { recursive: true });
    const path = join(options.directory, options.fileName ?? DEFAULT_SQLITE_FILE);
    const db = openDatabase(path, { timeoutMs: options.busyTimeoutMs ?? 5000 });
    try {
      db.exec('PRAGMA journal_mode = WAL');
      db.exec('PRAGMA synchronous = NORMAL');
      migrate(db);
      return new SqliteStore(db, path, options.now);
    } catch (error) {
      db.close();
      throw error;
    }
  }

  // ---- Items ----

  async putItem(item: PendingItem, approverId: string | null): Promise<StoredItem> {
    const [stored] = this.putTx([{ item, approverId }]);
    // One sighting in, one stored item out: only a bug in putTx could leave it undefined.
    if (!stored) throw new StoreError('approvals.store.bug', 'putItem stored nothing');
    return stored;
  }

  async putItems(sightings: readonly ItemSighting[]): Promise<void> {
    this.putTx(sightings);
  }

  async getItem(key: string): Promise<StoredItem | null> {
    const row = this.sql.getItem.get(key);
    return row ? toItem(row) : null;
  }

  async finishItem(key: string, final: FinalState | null): Promise<boolean> {
    return this.finishTx(key, final);
  }

  // ---- Card copies ----

  async addCopy(copy: CardCopy): Promise<void> {
    this.sql.insertCopy.run(copy.itemKey, copy.conversationId, copy.activityId, JSON.stringify(copy));
  }

  async copiesOf(itemKey: string): Promise<readonly CardCopy[]> {
    return this.sql.copiesOf.all(itemKey).map((text) => parse<CardCopy>(text));
  }

  // ---- Conversation references ----

  async saveReference(reference: StoredReference): Promise<void> {
    this.sql.upsertReference.run(reference.key, reference.scope, JSON.stringify(reference));
  }

  async getReference(key: string): Promise<StoredReference | null> {
    const text = this.sql.getReference.get(key);
    return text === undefined ? null : parse<StoredReference>(text);
  }

  async removeReference(key: string): Promise<void> {
    this.sql.removeReference.run(key);
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
    this.sql.insertAudit.run(userKey(entry.userId), JSON.stringify(entry));
  }

  async auditFor(userId: string, limit: number): Promise<readonly AuditEntry[]> {
    if (limit <= 0) return [];
    return this.sql.auditFor.all(userKey(userId), limit).map((text) => parse<AuditEntry>(text));
  }

  // ---- Outbox ----

  async enqueue(entries: readonly NewOutboxEntry[]): Promise<readonly OutboxEntry[]> {
    return entries.length === 0 ? [] : this.enqueueTx(entries);
  }

  async claimDue(request: ClaimRequest): Promise<readonly OutboxEntry[]> {
    checkClaim(request);
    return request.limit === 0 ? [] : this.claimTx(request);
  }

  async completeOutbox(
    id: string,
    owner: string,
    result: { readonly activityId: string | null; readonly now: number },
  ): Promise<boolean> {
    return this.completeTx(id, owner, result.activityId, result.now);
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
    return run.changes === 1;
  }

  async failOutbox(
    id: string,
    owner: string,
    failure: { readonly error: string; readonly now: number },
  ): Promise<boolean> {
    return this.sql.fail.run({ id, owner, now: failure.now, error: failure.error }).changes === 1;
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

  // ---- Channel subscriptions ----

  async addSubscription(subscription: ChannelSubscription): Promise<boolean> {
    return this.subscribeTx(subscription);
  }

  async removeSubscription(conversationId: string, target: SubscriptionTarget): Promise<boolean> {
    return (
      this.sql.removeSubscription.run(conversationId, target.kind, target.id.toLowerCase()).changes === 1
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
    this.sql.rememberDecision.run(key, JSON.stringify(outcome), expiresAt);
  }

  async recalledDecision(key: string, now: number): Promise<Outcome | null> {
    const text = this.sql.recallDecision.get(key, now);
    return text === undefined ? null : parse<Outcome>(text);
  }

  async forgetExpiredDecisions(now: number): Promise<number> {
    return this.sql.forgetDecisions.run(now).changes;
  }

  // ---- Discovery bookkeeping ----

  async setPendingFor(approverId: string, itemKeys: readonly string[]): Promise<PendingDiff> {
    return this.pendingTx(approverId, itemKeys);
  }

  async pendingFor(approverId: string): Promise<readonly string[]> {
    const text = this.sql.getPending.get(userKey(approverId));
    return text === undefined ? [] : parse<string[]>(text);
  }

  async markUnreachable(userId: string, reason: string): Promise<void> {
    this.sql.setUnreachable.run(userKey(userId), reason);
  }

  async clearUnreachable(userId: string): Promise<void> {
    this.sql.clearUnreachable.run(userKey(userId));
  }

  async isUnreachable(userId: string): Promise<boolean> {
    return (this.sql.getUser.get(userKey(userId))?.unreachable ?? null) !== null;
  }

  async preferencesOf(userId: string): Promise<UserPreferences> {
    const text = this.sql.getUser.get(userKey(userId))?.preferences ?? null;
    return text === null ? DEFAULT_PREFERENCES : parse<UserPreferences>(text);
  }

  async setPreferences(userId: string, preferences: UserPreferences): Promise<void> {
    this.sql.setPreferences.run(userKey(userId), JSON.stringify(preferences));
  }

  async markReminded(itemKey: string, approverId: string): Promise<boolean> {
    return this.sql.remind.run(itemKey, userKey(approverId)).changes === 1;
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

  async close(): Promise<void> {
    if (this.db.isOpen) this.db.close();
  }
}

function fileSize(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

/** Every statement, prepared once per connection. */
function prepare(db: Db) {
  return {
    getItem: statement<[string], ItemRow>(db, 'SELECT * FROM items WHERE key = ?'),
    upsertItem: statement<{ key: string; item: string; approverIds: string; updatedAt: string }>(
      db,
      `INSERT INTO items (key, item, approver_ids, final, updated_at) VALUES (@key, @item, @approverIds, NULL, @updatedAt)
       ON CONFLICT (key) DO UPDATE SET item = excluded.item, approver_ids = excluded.approver_ids,
         updated_at = excluded.updated_at`,
    ),
    setFinal: statement<{ key: string; final: string | null; updatedAt: string }>(
      db,
      'UPDATE items SET final = @final, updated_at = @updatedAt WHERE key = @key',
    ),

    insertCopy: statement<[string, string, string, string]>(
      db,
      'INSERT OR IGNORE INTO card_copies (item_key, conversation_id, activity_id, copy) VALUES (?, ?, ?, ?)',
    ),
    copiesOf: column<[string], string>(db, 'SELECT copy FROM card_copies WHERE item_key = ? ORDER BY seq'),

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
