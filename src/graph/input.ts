import type { ApprovalDecision, DecisionTarget, ReviewDecision } from '../domain';
import {
  APPROVAL_DECISIONS,
  MAX_JUSTIFICATION_LENGTH,
  REVIEW_DECISIONS,
  cleanJustification as cleanDomainJustification,
  isGuid,
} from '../domain';

/**
 * Input safety before the network: every id, decision and justification is checked here, so that nothing
 * malformed ever becomes part of a Graph URL or body (design rule 2).
 */

export type Checked<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly problems: readonly string[] };

function describe(value: unknown): string {
  if (typeof value === 'string') {
    const shown = value.length > 40 ? `${value.slice(0, 40)}…` : value;
    return `"${shown}"`;
  }
  return value === undefined ? 'nothing' : typeof value;
}

export function checkGuid(name: string, value: unknown, problems: string[]): void {
  if (!isGuid(value)) problems.push(`${name} must be a GUID, got ${describe(value)}`);
}

export function checkTarget(target: DecisionTarget): string[] {
  const problems: string[] = [];
  switch (target.kind) {
    case 'accessPackage':
    case 'pimGroup':
      checkGuid('approvalId', target.approvalId, problems);
      checkGuid('stageId', target.stageId, problems);
      if (target.api !== 'v1.0' && target.api !== 'beta')
        problems.push(`api must be v1.0 or beta, got ${describe(target.api)}`);
      break;
    case 'pimRole':
      checkGuid('approvalId', target.approvalId, problems);
      checkGuid('stageId', target.stageId, problems);
      // PIM for Entra roles approvals exist on beta only (graph-contract.md §1.1 A5).
      if ((target.api as string) !== 'beta') {
        problems.push(`PIM for Entra roles approvals exist on beta only, got ${describe(target.api)}`);
      }
      break;
    case 'accessReview':
      checkGuid('definitionId', target.definitionId, problems);
      checkGuid('instanceId', target.instanceId, problems);
      if (target.stageId !== null) checkGuid('stageId', target.stageId, problems);
      checkGuid('decisionId', target.decisionId, problems);
      break;
    default:
      problems.push(`unknown item kind ${describe((target as { kind?: unknown }).kind)}`);
  }
  return problems;
}

export function checkApprovalDecision(value: unknown): Checked<ApprovalDecision> {
  return (APPROVAL_DECISIONS as readonly unknown[]).includes(value)
    ? { ok: true, value: value as ApprovalDecision }
    : {
        ok: false,
        problems: [`reviewResult must be one of ${APPROVAL_DECISIONS.join(', ')}, got ${describe(value)}`],
      };
}

export function checkReviewDecision(value: unknown): Checked<ReviewDecision> {
  return (REVIEW_DECISIONS as readonly unknown[]).includes(value)
    ? { ok: true, value: value as ReviewDecision }
    : {
        ok: false,
        problems: [`decision must be one of ${REVIEW_DECISIONS.join(', ')}, got ${describe(value)}`],
      };
}

/** The approver's words as Graph gets them (cleaned, invisible-only becomes empty), or why not. */
export function cleanJustification(value: unknown): Checked<string> {
  const cleaned = cleanDomainJustification(value);
  if (cleaned.ok) return { ok: true, value: cleaned.value };
  return {
    ok: false,
    problems: [
      cleaned.problem === 'notText'
        ? `justification must be text, got ${describe(value)}`
        : `justification is ${cleaned.length} characters long; the limit is ${MAX_JUSTIFICATION_LENGTH}. Shorten it and try again`,
    ],
  };
}
