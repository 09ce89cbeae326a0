import type { DecidedResult, Decision, ItemKind, OutcomeKind, PendingItem, Person } from '../graph';

/** How an item ended, as every copy of its card should end up showing it (design rule 7). */
export interface FinalState {
  readonly result: DecidedResult | 'gone' | 'closed';
  readonly by: Person | null;
  readonly at: string | null;
}

export interface StoredItem {
  readonly key: string;
  readonly item: PendingItem;
  /** Entra object ids of the people known to be asked to decide it. */
  readonly approverIds: readonly string[];
  readonly final: FinalState | null;
  readonly updatedAt: string;
}

/** A conversation the bot can post to, kept as the opaque JSON of botbuilder's ConversationReference. */
export interface StoredReference {
  /** `user:{aadObjectId}` for a personal chat, `channel:{conversationId}` for a channel or group chat. */
  readonly key: string;
  readonly scope: 'personal' | 'channel' | 'groupChat';
  readonly tenantId: string | null;
  readonly userId: string | null;
  /** The user's Teams id (29:…), used for refresh.userIds. */
  readonly userMri: string | null;
  readonly conversationId: string;
  readonly reference: Readonly<Record<string, unknown>>;
  readonly updatedAt: string;
}

/** One posted copy of an item's card: enough to update it later. */
export interface CardCopy {
  readonly itemKey: string;
  readonly conversationId: string;
  readonly activityId: string;
  readonly scope: 'personal' | 'channel' | 'groupChat';
  /** For a personal chat, whose chat it is. */
  readonly recipientId: string | null;
  readonly reference: Readonly<Record<string, unknown>>;
  readonly sentAt: string;
}

export interface AuditEntry {
  readonly at: string;
  readonly userId: string;
  readonly userName: string;
  readonly itemKey: string;
  readonly kind: ItemKind;
  readonly title: string;
  readonly decision: Decision;
  readonly outcome: OutcomeKind;
  readonly requestId: string | null;
  /** Length only: the text itself stays in Graph, not in our audit log. */
  readonly justificationLength: number;
}

/** The store port: what the bot keeps between turns and across restarts (design rule 9). */
export interface Store {
  /** Records (or refreshes) an item and adds `approverId` to the people asked. */
  putItem(item: PendingItem, approverId: string | null): Promise<StoredItem>;
  getItem(key: string): Promise<StoredItem | null>;
  finishItem(key: string, final: FinalState): Promise<void>;

  addCopy(copy: CardCopy): Promise<void>;
  copiesOf(itemKey: string): Promise<readonly CardCopy[]>;

  saveReference(reference: StoredReference): Promise<void>;
  getReference(key: string): Promise<StoredReference | null>;
  removeReference(key: string): Promise<void>;

  appendAudit(entry: AuditEntry): Promise<void>;
  auditFor(userId: string, limit: number): Promise<readonly AuditEntry[]>;

  close(): Promise<void>;
}
