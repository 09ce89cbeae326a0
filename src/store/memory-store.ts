import { itemKey } from '../graph';
import type { PendingItem } from '../graph';
import type { AuditEntry, CardCopy, FinalState, Store, StoredItem, StoredReference } from './types';

/** A complete in-memory Store: for tests and single-process local mode, not a mock. */
export class MemoryStore implements Store {
  private readonly items = new Map<string, StoredItem>();
  private readonly copies = new Map<string, CardCopy[]>();
  private readonly references = new Map<string, StoredReference>();
  private readonly audit: AuditEntry[] = [];

  constructor(private readonly now: () => Date = () => new Date()) {}

  async putItem(item: PendingItem, approverId: string | null): Promise<StoredItem> {
    const key = itemKey(item.target);
    const existing = this.items.get(key);
    const approverIds = new Set(existing?.approverIds ?? []);
    if (approverId) approverIds.add(approverId.toLowerCase());
    const stored: StoredItem = {
      key,
      item,
      approverIds: [...approverIds],
      final: existing?.final ?? null,
      updatedAt: this.now().toISOString(),
    };
    this.items.set(key, stored);
    return stored;
  }

  async getItem(key: string): Promise<StoredItem | null> {
    return this.items.get(key) ?? null;
  }

  async finishItem(key: string, final: FinalState): Promise<void> {
    const existing = this.items.get(key);
    if (existing) this.items.set(key, { ...existing, final, updatedAt: this.now().toISOString() });
  }

  async addCopy(copy: CardCopy): Promise<void> {
    const list = this.copies.get(copy.itemKey) ?? [];
    if (!list.some((c) => c.conversationId === copy.conversationId && c.activityId === copy.activityId))
      list.push(copy);
    this.copies.set(copy.itemKey, list);
  }

  async copiesOf(itemKey: string): Promise<readonly CardCopy[]> {
    return [...(this.copies.get(itemKey) ?? [])];
  }

  async saveReference(reference: StoredReference): Promise<void> {
    this.references.set(reference.key, reference);
  }

  async getReference(key: string): Promise<StoredReference | null> {
    return this.references.get(key) ?? null;
  }

  async removeReference(key: string): Promise<void> {
    this.references.delete(key);
  }

  async appendAudit(entry: AuditEntry): Promise<void> {
    this.audit.push(entry);
  }

  async auditFor(userId: string, limit: number): Promise<readonly AuditEntry[]> {
    return this.audit
      .filter((e) => e.userId.toLowerCase() === userId.toLowerCase())
      .slice(-limit)
      .reverse();
  }

  async close(): Promise<void> {}
}
