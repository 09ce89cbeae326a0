import { HttpError } from './errors';

/** One of these delegated scopes must be in the token; `privilegedAccess` failures answer like gotcha G4. */
export interface ScopeRequirement {
  readonly anyOf: readonly string[];
  readonly style?: 'directory' | 'privilegedAccess';
}

const one = (...anyOf: string[]): ScopeRequirement => ({ anyOf });

export const SCOPES = {
  emRead: [one('EntitlementManagement.Read.All', 'EntitlementManagement.ReadWrite.All')],
  /** The approver filter on requests also accepts the newer subject-access scope (graph-contract.md §2.1). */
  emRequestsRead: [
    one(
      'EntitlementManagement.Read.All',
      'EntitlementManagement.ReadWrite.All',
      'EntitlementMgmt-SubjectAccess.ReadWrite',
    ),
  ],
  /** G12: the approvals filter demands ReadWrite even though it only reads. */
  emWrite: [one('EntitlementManagement.ReadWrite.All')],
  pimGroupRead: [
    one(
      'PrivilegedAssignmentSchedule.Read.AzureADGroup',
      'PrivilegedAssignmentSchedule.ReadWrite.AzureADGroup',
    ),
  ],
  pimGroupWrite: [one('PrivilegedAssignmentSchedule.ReadWrite.AzureADGroup')],
  pimRoleRequestsRead: [
    one('RoleAssignmentSchedule.Read.Directory', 'RoleAssignmentSchedule.ReadWrite.Directory'),
  ],
  pimRoleApprovalRead: [
    one('RoleAssignmentSchedule.Read.Directory', 'RoleAssignmentSchedule.ReadWrite.Directory'),
    {
      anyOf: ['PrivilegedAccess.ReadWrite.AzureAD', 'PrivilegedAccess.Read.AzureAD'],
      style: 'privilegedAccess',
    },
  ],
  pimRoleApprovalWrite: [
    one('RoleAssignmentSchedule.ReadWrite.Directory'),
    { anyOf: ['PrivilegedAccess.ReadWrite.AzureAD'], style: 'privilegedAccess' },
  ],
  reviewRead: [one('AccessReview.Read.All', 'AccessReview.ReadWrite.All')],
  reviewWrite: [one('AccessReview.ReadWrite.All')],
} as const satisfies Record<string, readonly ScopeRequirement[]>;

/** The first unmet requirement as Graph's 403, or null. */
export function checkScopes(
  granted: ReadonlySet<string>,
  requirements: readonly ScopeRequirement[],
): HttpError | null {
  for (const requirement of requirements) {
    if (requirement.anyOf.some((scope) => granted.has(scope.toLowerCase()))) continue;
    if (requirement.style === 'privilegedAccess') {
      // Observed for PIM role approvals: an empty code and this exact sentence (graph-contract.md G4).
      return new HttpError(
        403,
        '',
        `Valid permissions not present. User needs one of the following permissions for this action : ${requirement.anyOf.join(',')}`,
      );
    }
    return new HttpError(
      403,
      'Authorization_RequestDenied',
      `Insufficient privileges to complete the operation. The token needs one of these delegated permissions: ${requirement.anyOf.join(', ')}.`,
    );
  }
  return null;
}
