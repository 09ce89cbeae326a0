import type { PendingItem } from './items';

/**
 * PIM approval requests expire when nobody decides them within a day (Microsoft Entra PIM documentation;
 * the Graph approval resource does not carry the deadline). UNCERTAIN: verify in a real tenant.
 */
export const PIM_APPROVAL_WINDOW_MS = 24 * 3_600_000;

/** When the item stops waiting for a decision, where that is known. */
export function deadlineOf(item: PendingItem): number | null {
  const parse = (iso: string | null): number | null => {
    const t = iso ? Date.parse(iso) : NaN;
    return Number.isNaN(t) ? null : t;
  };
  switch (item.kind) {
    case 'accessReview':
      return parse(item.dueDateTime);
    case 'pimGroup':
    case 'pimRole': {
      const created = parse(item.createdDateTime);
      return created === null ? null : created + PIM_APPROVAL_WINDOW_MS;
    }
    case 'accessPackage':
      // The policy's durationBeforeAutomaticDenial is not readable by an approver: no known deadline.
      return null;
  }
}
