import type { ApiVersion, DecisionTarget } from '../domain';
import { isGuid } from '../domain';

/**
 * The one place Graph paths are built (design rule 2). Every id is checked again here and every segment
 * encoded, so a path can only be built from GUIDs whatever the caller checked before.
 */

const EM = '/identityGovernance/entitlementManagement';
const PIM_GROUP = '/identityGovernance/privilegedAccess/group';
const ROLES = '/roleManagement/directory';
const REVIEWS = '/identityGovernance/accessReviews';

export class UnsafePathError extends Error {
  readonly code = 'approvals.graph.unsafePath';
}

function id(value: string): string {
  if (!isGuid(value)) throw new UnsafePathError(`Refusing to build a Graph path from a non-GUID id`);
  return encodeURIComponent(value);
}

/** v1.0 calls the approval's children `stages`; beta calls them `steps` (gotcha G1). */
function stageSegment(api: ApiVersion): 'stages' | 'steps' {
  return api === 'v1.0' ? 'stages' : 'steps';
}

export interface GraphPath {
  readonly version: ApiVersion;
  readonly path: string;
}

function approvalsRoot(target: Extract<DecisionTarget, { approvalId: string }>): string {
  switch (target.kind) {
    case 'accessPackage':
      return `${EM}/accessPackageAssignmentApprovals/${id(target.approvalId)}`;
    case 'pimGroup':
      return `${PIM_GROUP}/assignmentApprovals/${id(target.approvalId)}`;
    case 'pimRole':
      return `${ROLES}/roleAssignmentApprovals/${id(target.approvalId)}`;
  }
}

/** The stage or step a decision is PATCHed to, and read back from when reconciling. */
export function approvalStagePath(target: Extract<DecisionTarget, { approvalId: string }>): GraphPath {
  const version: ApiVersion = target.kind === 'pimRole' ? 'beta' : target.api;
  return { version, path: `${approvalsRoot(target)}/${stageSegment(version)}/${id(target.stageId)}` };
}

export interface ReviewIds {
  readonly definitionId: string;
  readonly instanceId: string;
  readonly stageId: string | null;
}

export function reviewInstancePath(ids: Pick<ReviewIds, 'definitionId' | 'instanceId'>): string {
  return `${REVIEWS}/definitions/${id(ids.definitionId)}/instances/${id(ids.instanceId)}`;
}

export function reviewStagePath(ids: ReviewIds & { readonly stageId: string }): string {
  return `${reviewInstancePath(ids)}/stages/${id(ids.stageId)}`;
}

/** Instance level for single-stage reviews, stage level for multi-stage ones (§1.2 R1/R2). */
export function reviewScopePath(ids: ReviewIds): string {
  return ids.stageId === null ? reviewInstancePath(ids) : reviewStagePath({ ...ids, stageId: ids.stageId });
}

export function reviewDecisionPath(target: Extract<DecisionTarget, { kind: 'accessReview' }>): GraphPath {
  return { version: 'v1.0', path: `${reviewScopePath(target)}/decisions/${id(target.decisionId)}` };
}

/**
 * The reads a plain reviewer is granted (graph-contract.md §2.4): Get by id of a decision item, instance
 * or stage needs an admin role or the review's creator in delegated calls, so a reviewer re-reads them
 * through `filterByCurrentUser(on='reviewer')`, narrowed with `$filter=id eq '…'` where the function allows.
 */
export const reviewerReads = {
  /** The one decision item, as its reviewer sees it: an empty list when it is not theirs (or gone). */
  decision: (target: Extract<DecisionTarget, { kind: 'accessReview' }>): string =>
    `${reviewScopePath(target)}/decisions/filterByCurrentUser(on='reviewer')?$filter=id eq '${id(target.decisionId)}'`,
  /** The instance, for its status (single-stage reviews). */
  instance: (ids: Pick<ReviewIds, 'definitionId' | 'instanceId'>): string =>
    `${REVIEWS}/definitions/${id(ids.definitionId)}/instances/filterByCurrentUser(on='reviewer')?$filter=id eq '${id(ids.instanceId)}'`,
  /** The stages the reviewer reviews, for the status of one (multi-stage reviews). */
  stages: (ids: Pick<ReviewIds, 'definitionId' | 'instanceId'>): string =>
    `${reviewInstancePath(ids)}/stages/filterByCurrentUser(on='reviewer')`,
} as const;

export const discoveryPaths = {
  emRequests: `${EM}/assignmentRequests/filterByCurrentUser(on='approver')?$expand=requestor,accessPackage`,
  emApprovals: `${EM}/accessPackageAssignmentApprovals/filterByCurrentUser(on='approver')?$expand=stages`,
  pimGroupRequests: `${PIM_GROUP}/assignmentScheduleRequests/filterByCurrentUser(on='approver')?$filter=status eq 'PendingApproval'&$expand=group,principal`,
  pimGroupApprovals: `${PIM_GROUP}/assignmentApprovals/filterByCurrentUser(on='approver')?$expand=stages`,
  pimRoleRequests: `${ROLES}/roleAssignmentScheduleRequests/filterByCurrentUser(on='approver')?$filter=status eq 'PendingApproval'&$expand=roleDefinition,principal`,
  reviewDefinitions: `${REVIEWS}/definitions/filterByCurrentUser(on='reviewer')?$top=100`,
  emApproval: (approvalId: string) =>
    `${EM}/accessPackageAssignmentApprovals/${id(approvalId)}?$expand=stages`,
  pimGroupApproval: (approvalId: string) =>
    `${PIM_GROUP}/assignmentApprovals/${id(approvalId)}?$expand=stages`,
  /** beta only (§2.3). */
  pimRoleApproval: (approvalId: string) => `${ROLES}/roleAssignmentApprovals/${id(approvalId)}?$expand=steps`,
  reviewInstances: (definitionId: string) =>
    `${REVIEWS}/definitions/${id(definitionId)}/instances/filterByCurrentUser(on='reviewer')?$filter=status eq 'InProgress'&$top=100`,
  reviewStages: (ids: Pick<ReviewIds, 'definitionId' | 'instanceId'>) =>
    `${reviewInstancePath(ids)}/stages/filterByCurrentUser(on='reviewer')`,
  reviewDecisions: (ids: ReviewIds, onlyPending: boolean) =>
    `${reviewScopePath(ids)}/decisions/filterByCurrentUser(on='reviewer')?` +
    (onlyPending ? `$filter=decision eq 'NotReviewed'&` : '') +
    `$expand=insights&$top=100`,
} as const;
