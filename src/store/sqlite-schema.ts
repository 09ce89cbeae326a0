import type { Db } from './sqlite-db';
import { column, immediate } from './sqlite-db';
import { StoreError } from './rules';

/**
 * Numbered migrations, applied in order inside one transaction each. Append only: a released migration is
 * never edited, because databases in the field have already run it.
 */
interface Migration {
  readonly version: number;
  readonly sql: string;
}

const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    sql: `
      -- Rows of JSON over a few hundred bytes live in rowid tables: in a WITHOUT ROWID table each such row
      -- spills to an overflow page of its own, which more than doubled the file in the 100k-item measurement.
      CREATE TABLE items (
        seq INTEGER PRIMARY KEY,
        key TEXT NOT NULL UNIQUE,
        item TEXT NOT NULL,
        approver_ids TEXT NOT NULL,
        final TEXT,
        updated_at TEXT NOT NULL
      );

      CREATE TABLE card_copies (
        seq INTEGER PRIMARY KEY,
        item_key TEXT NOT NULL,
        conversation_id TEXT NOT NULL,
        activity_id TEXT NOT NULL,
        copy TEXT NOT NULL,
        UNIQUE (item_key, conversation_id, activity_id)
      );

      CREATE TABLE conversation_refs (
        seq INTEGER PRIMARY KEY,
        key TEXT NOT NULL UNIQUE,
        scope TEXT NOT NULL,
        reference TEXT NOT NULL
      );

      CREATE TABLE audit (
        seq INTEGER PRIMARY KEY,
        user_id TEXT NOT NULL,
        entry TEXT NOT NULL
      );
      CREATE INDEX audit_by_user ON audit (user_id, seq);

      CREATE TABLE outbox (
        seq INTEGER PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        kind TEXT NOT NULL,
        conversation_key TEXT NOT NULL,
        item_key TEXT,
        dedupe_key TEXT NOT NULL UNIQUE,
        state TEXT NOT NULL,
        attempts INTEGER NOT NULL,
        not_before INTEGER NOT NULL,
        claim_owner TEXT,
        claim_expires_at INTEGER,
        last_error TEXT,
        activity_id TEXT,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
      );
      -- Partial indexes: a claim looks only at live entries, however many done ones accumulate.
      CREATE INDEX outbox_due ON outbox (not_before, seq) WHERE state = 'pending';
      CREATE INDEX outbox_leases ON outbox (claim_expires_at, seq) WHERE state = 'inflight';
      -- The card is needed only until it is delivered; kept apart, its pages are freed and reused on
      -- completion instead of leaving every outbox row alone on a mostly empty page.
      CREATE TABLE outbox_payloads (
        seq INTEGER PRIMARY KEY,
        payload TEXT NOT NULL
      );

      CREATE TABLE subscriptions (
        seq INTEGER PRIMARY KEY,
        conversation_id TEXT NOT NULL,
        kind TEXT NOT NULL,
        target_id TEXT NOT NULL,
        subscription TEXT NOT NULL,
        UNIQUE (conversation_id, kind, target_id)
      );
      CREATE INDEX subscriptions_by_target ON subscriptions (kind, target_id);

      CREATE TABLE decisions (
        seq INTEGER PRIMARY KEY,
        key TEXT NOT NULL UNIQUE,
        outcome TEXT NOT NULL,
        expires_at INTEGER NOT NULL
      );
      CREATE INDEX decisions_by_expiry ON decisions (expires_at);

      CREATE TABLE pending_for (
        seq INTEGER PRIMARY KEY,
        approver_id TEXT NOT NULL UNIQUE,
        item_keys TEXT NOT NULL
      );

      CREATE TABLE users (
        seq INTEGER PRIMARY KEY,
        user_id TEXT NOT NULL UNIQUE,
        unreachable TEXT,
        preferences TEXT
      );

      CREATE TABLE reminders (
        item_key TEXT NOT NULL,
        approver_id TEXT NOT NULL,
        PRIMARY KEY (item_key, approver_id)
      ) WITHOUT ROWID;
    `,
  },
  {
    version: 2,
    sql: `
      -- The generation: bumped after every checkpoint and mirrored in a marker file beside the database
      -- (sqlite-integrity.ts), so that a lost write-ahead log or a restored older file is noticed at open.
      CREATE TABLE meta (
        key TEXT PRIMARY KEY,
        value INTEGER NOT NULL,
        at TEXT
      ) WITHOUT ROWID;
      INSERT INTO meta (key, value, at) VALUES ('generation', 0, NULL);
    `,
  },
  {
    version: 3,
    sql: `
      -- "history" lists the items that had a card in one person's chat: their copies by recipient, in lower
      -- case, in a column of its own since the copy itself may be packed.
      ALTER TABLE card_copies ADD COLUMN recipient_id TEXT;
      UPDATE card_copies SET recipient_id = lower(json_extract(copy, '$.recipientId'));
      CREATE INDEX card_copies_by_recipient ON card_copies (recipient_id) WHERE recipient_id IS NOT NULL;
      -- From here on items.item and card_copies.copy may hold packed BLOBs (sqlite-codec.ts), which a schema 2
      -- build cannot read: the version bump makes such a build refuse the file instead. Rows written before
      -- stay JSON text and read back as they are; they are packed when next written. The card copy keeps
      -- only what its columns do not.
      INSERT INTO meta (key, value, at) VALUES ('packing', 1, NULL);
    `,
  },
];

export const SCHEMA_VERSION = MIGRATIONS.reduce((max, m) => Math.max(max, m.version), 0);

function currentVersion(db: Db): number {
  return column<[], number | null>(db, 'SELECT max(version) FROM schema_version').get() ?? 0;
}

function tooNewError(found: number): Error {
  return new StoreError(
    'approvals.store.schemaTooNew',
    `The store was written by a newer version of the bot (schema ${found}, this build knows ${SCHEMA_VERSION}). Upgrade the bot or use another data folder.`,
  );
}

/**
 * Brings the file to SCHEMA_VERSION; safe when several processes open the same file at once. A file written
 * by a newer build is refused with `tooNew(its version)`.
 */
export function migrate(db: Db, tooNew: (found: number) => Error = tooNewError): void {
  db.exec('CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)');
  // IMMEDIATE takes the write lock before reading the version, so two processes cannot both migrate.
  immediate(db, () => {
    const from = currentVersion(db);
    if (from > SCHEMA_VERSION) throw tooNew(from);
    for (const migration of MIGRATIONS) {
      if (migration.version <= from) continue;
      db.exec(migration.sql);
      db.prepare('INSERT INTO schema_version (version) VALUES (?)').run(migration.version);
    }
  })();
}
