import { MemoryStore } from './memory-store';
import { StoreError } from './rules';
import type { SqliteStore, SqliteStoreOptions } from './sqlite-store';
import type { Store } from './types';

export type {
  AuditEntry,
  CardCopy,
  ChannelSubscription,
  ClaimRequest,
  ConversationScope,
  FinalState,
  ItemSighting,
  NewOutboxEntry,
  OutboxCounts,
  OutboxEntry,
  OutboxKind,
  OutboxState,
  PendingDiff,
  QuietHours,
  ReferencePage,
  Store,
  StoredItem,
  StoredReference,
  StoreSize,
  SubscriptionFilter,
  SubscriptionKind,
  SubscriptionTarget,
  UserPreferences,
} from './types';
export { DEFAULT_PREFERENCES, OUTBOX_STATES } from './types';
export { StoreError, subscriptionTargetsOf } from './rules';
export { MemoryStore } from './memory-store';
export type { SqliteStore, SqliteStoreOptions } from './sqlite-store';
export { measureStore, syntheticItem } from './measure';
export type { StoreMeasurement } from './measure';

/**
 * Opens the SQLite store in `options.directory` (created when missing). The native module loads on first
 * use, so code that only needs the memory store never loads it.
 */
export async function openSqliteStore(options: SqliteStoreOptions): Promise<SqliteStore> {
  const { SqliteStore } = await import('./sqlite-store');
  return SqliteStore.open(options);
}

/** How to open the store; SQLite in a data folder unless memory is asked for. */
export type StoreOptions =
  | {
      readonly engine?: 'sqlite';
      /** The data folder; created when missing. */
      readonly directory: string | null;
      readonly now?: () => Date;
    }
  | { readonly engine: 'memory'; readonly now?: () => Date };

/**
 * Opens the configured store: SQLite (the default, so nothing is lost on a restart, design rule 9) or
 * memory (tests, throwaway demos). Throws `approvals.store.noDirectory` when SQLite has no data folder.
 */
export async function openStore(options: StoreOptions): Promise<Store> {
  if (options.engine === 'memory') return new MemoryStore(options.now);
  if (!options.directory) {
    throw new StoreError(
      'approvals.store.noDirectory',
      'The SQLite store needs a data folder: configure one, or ask for the memory store.',
    );
  }
  return openSqliteStore({ directory: options.directory, ...(options.now ? { now: options.now } : {}) });
}
