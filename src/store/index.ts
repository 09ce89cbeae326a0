export type { AuditEntry, CardCopy, FinalState, Store, StoredItem, StoredReference } from './types';
export { MemoryStore } from './memory-store';
