import type { FinalState, PendingItem } from '../domain';
import { kindOf } from '../domain';
import type { ClaimRequest, PendingDiff, StoredItem, SubscriptionTarget } from './types';

/**
 * The rules every Store implementation shares, kept in one place so that the engines cannot drift on
 * meaning (only on mechanics).
 */

/**
 * What a start-up failure is about, so that the operator can act on it: the setting that names the folder,
 * the folder (absolute), the file concerned (if one), what happened and what to do.
 */
export interface StoreErrorDetails {
  /** The configuration setting that chose the folder, e.g. `DATA_DIR`. */
  readonly setting: string;
  /** The folder, as an absolute path. */
  readonly path: string;
  readonly file: string | null;
  /** The errno or SQLite code, or the check that failed: `EROFS`, `SQLITE_NOTADB`, `quick_check`. */
  readonly cause: string;
  /** What the operator should do about it. */
  readonly action: string;
}

export class StoreError extends Error {
  constructor(
    readonly code: `approvals.store.${string}`,
    message: string,
    /** Present on failures to open the store at start: enough to name the setting and the path. */
    readonly details: StoreErrorDetails | null = null,
  ) {
    super(message);
    this.name = 'StoreError';
  }
}

/** Entra object ids arrive in either case from Teams and Graph; the store compares them lower-cased. */
export function userKey(userId: string): string {
  return userId.toLowerCase();
}

export type FinalChange =
  { readonly changed: false } | { readonly changed: true; readonly next: FinalState | null };

/**
 * What an item's recorded end becomes when `proposed` arrives (null: the item is open again, after a
 * reviewer reset their decision). The first final state stays — a later "gone" from discovery must not
 * hide "Approved by Megan" — except that "gone" (vanished, we do not know why) gives way to anything known,
 * a decision a reviewer may still change gives way to the next one, and a decision recorded before Graph
 * said when and by whom takes Graph's facts when they arrive.
 */
export function nextFinal(current: FinalState | null, proposed: FinalState | null): FinalChange {
  if (proposed === null) return current?.changeable ? { changed: true, next: null } : { changed: false };
  if (current === null) return { changed: true, next: proposed };
  if (current.result === 'gone' && proposed.result !== 'gone') return { changed: true, next: proposed };
  if (proposed.result === 'gone') return { changed: false };
  if (current.changeable && !sameFinal(current, proposed)) return { changed: true, next: proposed };
  const factsArrive = current.at === null && proposed.at !== null && proposed.result === current.result;
  return factsArrive ? { changed: true, next: proposed } : { changed: false };
}

function sameFinal(a: FinalState, b: FinalState): boolean {
  return (
    a.result === b.result &&
    a.at === b.at &&
    (a.by?.id ?? null) === (b.by?.id ?? null) &&
    a.justification === b.justification &&
    a.changeable === b.changeable
  );
}

/**
 * What the bot learned about an item that discovery cannot read (a stage that demands the approver's
 * justification, told by Graph's 400) is kept when discovery refreshes the item.
 */
export function mergeItem(existing: PendingItem | null, incoming: PendingItem): PendingItem {
  if (existing && existing.kind !== 'accessReview' && incoming.kind !== 'accessReview') {
    if (existing.justificationRequired && !incoming.justificationRequired)
      return { ...incoming, justificationRequired: true };
  }
  return incoming;
}

export function mergeApprovers(current: readonly string[], approverId: string | null): readonly string[] {
  if (approverId === null || approverId === '') return current;
  const id = userKey(approverId);
  return current.includes(id) ? current : [...current, id];
}

export function pendingDiff(previous: readonly string[], next: readonly string[]): PendingDiff {
  const before = new Set(previous);
  const after = new Set(next);
  return {
    added: [...after].filter((k) => !before.has(k)),
    vanished: [...before].filter((k) => !after.has(k)),
  };
}

/** The order `finishedShownTo` answers in: the most recently changed first, then by key. */
export function newestFirst(items: readonly StoredItem[]): StoredItem[] {
  return [...items].sort((a, b) =>
    a.updatedAt !== b.updatedAt
      ? a.updatedAt < b.updatedAt
        ? 1
        : -1
      : a.key < b.key
        ? -1
        : a.key > b.key
          ? 1
          : 0,
  );
}

export function uniqueKeys(itemKeys: readonly string[]): readonly string[] {
  return [...new Set(itemKeys)];
}

export function checkClaim(request: ClaimRequest): void {
  if (!Number.isInteger(request.limit) || request.limit < 0) {
    throw new StoreError(
      'approvals.store.badClaim',
      `claim limit must be a whole number ≥ 0, got ${request.limit}`,
    );
  }
  if (!(request.leaseMs > 0)) {
    throw new StoreError('approvals.store.badClaim', `lease must be positive, got ${request.leaseMs} ms`);
  }
  if (request.owner === '') throw new StoreError('approvals.store.badClaim', 'claim owner must not be empty');
}

export function targetKey(target: SubscriptionTarget): string {
  return `${target.kind}:${target.id.toLowerCase()}`;
}

/**
 * What a channel subscription can match an item by, as Graph ids. Catalog ids are not part of PendingItem
 * yet, so a catalog subscription matches only when the caller adds the item's catalog target itself.
 */
export function subscriptionTargetsOf(item: PendingItem): readonly SubscriptionTarget[] {
  return kindOf(item)
    .followedBy(item)
    .flatMap((f) => (f.id ? [{ kind: f.kind, id: f.id }] : []));
}
