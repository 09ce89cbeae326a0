/** What an approver or reviewer can decide, and how a decision reads back from Graph. */

export type ApprovalDecision = 'Approve' | 'Deny';
export type ReviewDecision = 'Approve' | 'Deny' | 'DontKnow' | 'NotReviewed';
export type Decision = ApprovalDecision | ReviewDecision;

export const APPROVAL_DECISIONS: readonly ApprovalDecision[] = ['Approve', 'Deny'];
export const REVIEW_DECISIONS: readonly ReviewDecision[] = ['Approve', 'Deny', 'DontKnow', 'NotReviewed'];

/** A decided result as Graph reads it back, normalized (Approve/Approved → Approved, G5). */
export type DecidedResult = 'Approved' | 'Denied' | 'DontKnow' | 'NotReviewed';

/** Graph reads back `Approve` as well as `Approved` (gotcha G5); the card speaks one language. */
export function normalizeResult(value: unknown): DecidedResult {
  switch (typeof value === 'string' ? value.toLowerCase() : '') {
    case 'approve':
    case 'approved':
      return 'Approved';
    case 'deny':
    case 'denied':
      return 'Denied';
    case 'dontknow':
      return 'DontKnow';
    default:
      return 'NotReviewed';
  }
}
