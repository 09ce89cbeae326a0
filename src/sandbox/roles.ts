import { HttpError } from './errors';
import type { DirectoryRoleName, SandboxUser } from './types';

/** Reviews of these resource types are administered with the role-management roles, others with User Administrator. */
const ROLE_RESOURCES: ReadonlySet<string> = new Set(['directoryrole', 'azurerole']);

/**
 * Who may administer an access review of this resource type in delegated mode. The role notes (graph-contract.md
 * §1.2, §2.4, §4) name User Administrator / Identity Governance Administrator for groups and apps, Identity
 * Governance Administrator / Privileged Role Administrator for roles; Global Administrator covers both.
 */
export function reviewAdminRoles(resourceType: string): readonly DirectoryRoleName[] {
  return ROLE_RESOURCES.has(resourceType.toLowerCase())
    ? ['Global Administrator', 'Identity Governance Administrator', 'Privileged Role Administrator']
    : ['Global Administrator', 'Identity Governance Administrator', 'User Administrator'];
}

export function isReviewAdmin(user: SandboxUser, resourceType: string): boolean {
  const roles = reviewAdminRoles(resourceType);
  return user.directoryRoles.some((role) => roles.includes(role));
}

/** Holds any role that administers some kind of access review. */
export const hasAnyReviewAdminRole = (user: SandboxUser): boolean =>
  isReviewAdmin(user, 'Group') || isReviewAdmin(user, 'DirectoryRole');

/** Graph's 403 for a delegated caller whose directory roles do not allow the call (graph-contract.md §5.1). */
export const requestDenied = (): HttpError =>
  new HttpError(403, 'Authorization_RequestDenied', 'Insufficient privileges to complete the operation.');
