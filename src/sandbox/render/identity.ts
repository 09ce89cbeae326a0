import type { Directory, PrincipalRecord } from '../directory';
import type { JsonObject } from '../json';

export const ZERO_GUID = '00000000-0000-0000-0000-000000000000';

/** `reviewedBy` on approval stages: a single object (G6), or null before a decision. */
export function stageReviewer(directory: Directory, userId: string | null): JsonObject | null {
  if (userId === null) return null;
  const user = directory.get(userId);
  return {
    id: userId,
    displayName: user?.displayName ?? null,
    userPrincipalName: user?.userPrincipalName ?? null,
    mail: user?.mail ?? null,
  };
}

/** userIdentity on review items; the all-zero id stands for "nobody yet" (graph-contract.md §3.5). */
export function userIdentity(directory: Directory, userId: string | null): JsonObject {
  const user = userId === null ? undefined : directory.get(userId);
  return {
    '@odata.type': '#microsoft.graph.userIdentity',
    id: userId ?? ZERO_GUID,
    displayName: user?.displayName ?? '',
    ipAddress: null,
    userPrincipalName: user?.userPrincipalName ?? '',
  };
}

export function principalUser(principal: PrincipalRecord): JsonObject {
  return {
    '@odata.type': '#microsoft.graph.user',
    id: principal.id,
    displayName: principal.displayName,
    userPrincipalName: principal.userPrincipalName,
    mail: principal.mail,
    userType: principal.userType,
  };
}
