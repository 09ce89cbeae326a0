import { MemoryCoordinator, MemoryRateBudget } from './coordination';
import type { Coordinator, RateBudget } from './coordination';
import { MemoryStore } from './memory-store';
import { StoreError } from './rules';
import type { AzureStore, AzureStoreOptions } from './azure-store';
import type { StorageAccount } from './azure-tables';
import type { SqliteStore, SqliteStoreOptions } from './sqlite-store';
import type { Store } from './types';

export type {
  AuditEntry,
  CardCopy,
  ChannelSubscription,
  ClaimRequest,
  ConversationScope,
  Forgotten,
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
  StoreIntegrity,
  IntegrityStatus,
  StoreSize,
  SubscriptionFilter,
  SubscriptionKind,
  SubscriptionTarget,
  UserPreferences,
} from './types';
export { DEFAULT_PREFERENCES, OUTBOX_STATES } from './types';
export { StoreError, subscriptionTargetsOf } from './rules';
export type { StoreErrorDetails } from './rules';
export { MemoryStore } from './memory-store';
export type { SqliteIntegrity, SqliteStore, SqliteStoreOptions } from './sqlite-store';
export type { AzureStore, AzureStoreOptions } from './azure-store';
export type { StorageAccount } from './azure-tables';
export { measureStore, syntheticItem } from './measure';
export type { Housekeeping } from './housekeeping';
export { HOUSEKEEPING_EVERY_MS, startHousekeeping } from './housekeeping';
export type {
  BudgetRequest,
  Coordinator,
  LeaseKeeperOptions,
  RateBudget,
  RateRule,
  SharedLimiterOptions,
  TeamsRateLimits,
} from './coordination';
export {
  BudgetRateLimiter,
  LeaseKeeper,
  MemoryCoordinator,
  MemoryRateBudget,
  TEAMS_RATE_LIMITS,
  leaseBucketOf,
} from './coordination';
export type { StoreMeasurement } from './measure';

/**
 * Opens the SQLite store in `options.directory` (created when missing). The native module loads on first
 * use, so code that only needs the memory store never loads it.
 */
export async function openSqliteStore(options: SqliteStoreOptions): Promise<SqliteStore> {
  const { SqliteStore } = await import('./sqlite-store');
  return SqliteStore.open(options);
}

/**
 * Opens the Azure Storage store. The Azure SDKs load on first use, so the other engines never
 * load them.
 */
export async function openAzureStore(options: AzureStoreOptions): Promise<AzureStore> {
  const { AzureStore } = await import('./azure-store');
  return AzureStore.open(options);
}

function noAccount(): StoreError {
  return new StoreError(
    'approvals.store.noAccount',
    'The Azure store needs its storage account: AZURE_STORAGE_TABLE_URL and AZURE_STORAGE_BLOB_URL with a managed identity, or AZURE_STORAGE_CONNECTION_STRING.',
  );
}

/** How to open the store; SQLite in a data folder unless memory or Azure Storage is asked for. */
export type StoreOptions =
  | {
      readonly engine?: 'sqlite';
      /** The data folder; created when missing. */
      readonly directory: string | null;
      /** The setting that chose the folder, named in start-up errors (`DATA_DIR` unless given). */
      readonly setting?: string;
      /** Told about background checkpoints that failed (the store carries on). */
      readonly warn?: (message: string, error: unknown) => void;
      readonly now?: () => Date;
    }
  | { readonly engine: 'memory'; readonly now?: () => Date }
  | {
      /** Azure Storage tables (and blobs for large JSON): several instances share one account. */
      readonly engine: 'azure';
      /** A connection string, or the account's URLs with a token credential; null when neither is configured. */
      readonly account: StorageAccount | null;
      /** Table and container name prefix; `approvals` unless given. */
      readonly prefix?: string;
      readonly now?: () => Date;
    };

/**
 * Opens the configured store: SQLite (the default, so nothing is lost on a restart, design rule 9),
 * memory (tests, throwaway demos) or Azure Storage (several instances). Throws
 * `approvals.store.noDirectory` when SQLite has no data folder, `approvals.store.noAccount` when
 * Azure has no storage account configured.
 */
export async function openStore(options: StoreOptions): Promise<Store> {
  if (options.engine === 'memory') return new MemoryStore(options.now);
  if (options.engine === 'azure') {
    if (!options.account) throw noAccount();
    return openAzureStore({
      ...options.account,
      ...(options.prefix ? { prefix: options.prefix } : {}),
      ...(options.now ? { now: options.now } : {}),
    });
  }
  if (!options.directory) {
    throw new StoreError(
      'approvals.store.noDirectory',
      'The SQLite store needs a data folder: configure one, or ask for the memory store.',
    );
  }
  return openSqliteStore({
    directory: options.directory,
    ...(options.setting ? { setting: options.setting } : {}),
    ...(options.warn ? { warn: options.warn } : {}),
    ...(options.now ? { now: options.now } : {}),
  });
}

/** Leases and a rate budget shared by every instance that uses the same store. */
export interface Coordination {
  readonly leases: Coordinator;
  readonly budget: RateBudget;
}

/**
 * Coordination for the configured store: blob leases and a table budget on Azure Storage, where several
 * instances run; in-process for SQLite and memory, where one instance runs.
 */
export async function openCoordination(options: StoreOptions): Promise<Coordination> {
  if (options.engine === 'azure') {
    if (!options.account) throw noAccount();
    const { BlobLeaseCoordinator, TableRateBudget } = await import('./azure-leases');
    const shared = {
      ...options.account,
      ...(options.prefix ? { prefix: options.prefix } : {}),
    };
    return { leases: BlobLeaseCoordinator.open(shared), budget: TableRateBudget.open(shared) };
  }
  return { leases: new MemoryCoordinator(), budget: new MemoryRateBudget() };
}
