import { createHash } from 'node:crypto';
import type { TransactionAction } from '@azure/data-tables';
import type { ContainerClient } from '@azure/storage-blob';
import { Table, blobContainer, num, optimistic, safeKey, statusOf, str } from './azure-tables';
import type { Entity, StorageAccount } from './azure-tables';
import { checkBudgets, decideBudgets } from './coordination';
import type { BudgetRequest, BudgetState, Coordinator, RateBudget } from './coordination';
import { DEFAULT_AZURE_PREFIX } from './azure-store';
import { StoreError } from './rules';

/**
 * Coordination on Azure Storage.
 *
 * Leases are blob leases: the storage service keeps the time, so an instance whose clock drifts cannot
 * take a lease early, and an instance that dies simply stops renewing: its leases lapse after their ttl
 * and the next acquire by anyone succeeds. Blob leases last 15 to 60 s; ttls are clamped to that.
 *
 * The rate budget keeps recent grant times in table entities; a take is an ETag-conditional
 * read-modify-write, so two instances can never both spend the last unit.
 */

export type AzureCoordinationOptions = StorageAccount & {
  /** As for the store; leases live in `{prefix}-leases`, budgets in the `{prefix}Budget` table. */
  readonly prefix?: string;
};

const MIN_LEASE_S = 15;
const MAX_LEASE_S = 60;

/** Blob lease ids must be GUIDs; deriving one from the owner lets any call by that owner name its lease. */
function leaseIdOf(owner: string): string {
  const h = createHash('sha256').update(owner).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

function code(error: unknown): string | null {
  if (typeof error !== 'object' || error === null || !('code' in error)) return null;
  const value = (error as { code: unknown }).code;
  return typeof value === 'string' ? value : null;
}

export class BlobLeaseCoordinator implements Coordinator {
  private ready: Promise<void> | null = null;

  constructor(private readonly container: ContainerClient) {}

  static open(options: AzureCoordinationOptions): BlobLeaseCoordinator {
    const prefix = options.prefix ?? DEFAULT_AZURE_PREFIX;
    return new BlobLeaseCoordinator(blobContainer(options, `${prefix.toLowerCase()}-leases`));
  }

  effectiveTtlMs(ttlMs: number): number {
    if (!(ttlMs > 0))
      throw new StoreError('approvals.store.badLease', `a lease ttl must be positive, got ${ttlMs}`);
    return Math.min(MAX_LEASE_S, Math.max(MIN_LEASE_S, Math.round(ttlMs / 1000))) * 1000;
  }

  private blob(name: string) {
    return this.container.getBlockBlobClient(`leases/${safeKey(name)}`);
  }

  async acquire(name: string, owner: string, ttlMs: number): Promise<boolean> {
    const seconds = this.effectiveTtlMs(ttlMs) / 1000;
    const blob = this.blob(name);
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        await blob.getBlobLeaseClient(leaseIdOf(owner)).acquireLease(seconds);
        return true;
      } catch (error) {
        if (statusOf(error) === 409) return false;
        if (statusOf(error) !== 404) throw error;
      }
      // First use of this name: the lease needs a blob to live on (an empty one; racing creators are fine).
      await this.ensureContainer();
      try {
        await blob.upload('', 0, { conditions: { ifNoneMatch: '*' } });
      } catch (error) {
        if (statusOf(error) !== 409 && statusOf(error) !== 412) throw error;
      }
    }
    throw new StoreError('approvals.store.lease', `could not create the lease blob for ${name}`);
  }

  async renew(name: string, owner: string): Promise<boolean> {
    return this.lenient(() => this.blob(name).getBlobLeaseClient(leaseIdOf(owner)).renewLease());
  }

  async release(name: string, owner: string): Promise<boolean> {
    return this.lenient(() => this.blob(name).getBlobLeaseClient(leaseIdOf(owner)).releaseLease());
  }

  /** 409 (another lease id, or none) and 404 (never leased) both mean "not yours". */
  private async lenient(op: () => Promise<unknown>): Promise<boolean> {
    try {
      await op();
      return true;
    } catch (error) {
      if (
        statusOf(error) === 409 ||
        statusOf(error) === 404 ||
        code(error) === 'LeaseNotPresentWithLeaseOperation'
      ) {
        return false;
      }
      throw error;
    }
  }

  private ensureContainer(): Promise<void> {
    this.ready ??= this.container.createIfNotExists().then(() => undefined);
    return this.ready;
  }

  async close(): Promise<void> {}
}

/** Grant times as base-36 deltas: 1,800 of them (an hour of one conversation) stay under 16 KB. */
function encodeLog(log: readonly number[]): string {
  let previous = 0;
  return log
    .map((t) => {
      const delta = Math.round(t) - previous;
      previous = Math.round(t);
      return delta.toString(36);
    })
    .join(',');
}

function decodeLog(text: string | null): number[] {
  if (!text) return [];
  let previous = 0;
  return text.split(',').map((part) => (previous += parseInt(part, 36)));
}

/** Larger limits would not fit one property; Teams' largest is 1,800 an hour. */
const MAX_TABLE_LIMIT = 4000;

/**
 * Budgets in one table: a group (a tenant) is one partition, each budget in it (the tenant's own, one per
 * conversation) one entity. A take reads the entities it draws on and writes them back in one entity group
 * transaction, each with the ETag it read: all or nothing, and never on top of another instance's grant.
 */
export class TableRateBudget implements RateBudget {
  private ready: Promise<void> | null = null;

  constructor(private readonly table: Table) {}

  static open(options: AzureCoordinationOptions): TableRateBudget {
    const prefix = options.prefix ?? DEFAULT_AZURE_PREFIX;
    return new TableRateBudget(Table.open(options, `${prefix}Budget`));
  }

  private async ensure(): Promise<void> {
    this.ready ??= this.table.ensure();
    await this.ready;
  }

  private static state(entity: Entity | null): BudgetState {
    return {
      log: decodeLog(entity ? str(entity, 'log') : null),
      heldUntil: (entity && num(entity, 'heldUntil')) ?? 0,
    };
  }

  async take(group: string, budgets: readonly BudgetRequest[], now: number): Promise<number> {
    checkBudgets(budgets, MAX_TABLE_LIMIT);
    await this.ensure();
    const partitionKey = safeKey(group);
    return optimistic('rate budget', async () => {
      const entities = await Promise.all(budgets.map((b) => this.table.get(partitionKey, safeKey(b.key))));
      const { wait, next } = decideBudgets(entities.map(TableRateBudget.state), budgets, now);
      // A refusal writes nothing: only grants change a budget.
      if (wait > 0) return wait;
      const actions: TransactionAction[] = budgets.map((b, i) => {
        const entity = {
          partitionKey,
          rowKey: safeKey(b.key),
          log: encodeLog(next[i]?.log ?? []),
          heldUntil: next[i]?.heldUntil ?? 0,
        };
        const existing = entities[i];
        return existing ? ['update', entity, 'Replace', { etag: existing.etag }] : ['create', entity];
      });
      return (await this.table.transact(actions)) ? 0 : undefined;
    });
  }

  async hold(group: string, key: string, until: number): Promise<void> {
    await this.ensure();
    const partitionKey = safeKey(group);
    const rowKey = safeKey(key);
    await optimistic('rate hold', async () => {
      const existing = await this.table.get(partitionKey, rowKey);
      const state = TableRateBudget.state(existing);
      if (state.heldUntil >= until) return true;
      const entity = { partitionKey, rowKey, log: encodeLog(state.log), heldUntil: until };
      const written = existing
        ? await this.table.update(entity, existing.etag)
        : await this.table.create(entity);
      return written ? true : undefined;
    });
  }

  async close(): Promise<void> {}
}
