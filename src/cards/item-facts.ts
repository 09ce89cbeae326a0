import type { ItemKind, PendingItem } from '../domain';
import { accessIdText, personName } from './format';
import { inlineText } from './safe-text';

/** Facts about an item that every card speaks the same way: its kind, its title, where to decide it. */

export const PORTAL = {
  pim: 'https://portal.azure.com/#view/Microsoft_Azure_PIMCommon/CommonMenuBlade/~/approvals',
  approvals: 'https://myaccess.microsoft.com/#/approvals',
  reviews: 'https://myaccess.microsoft.com/#/access-reviews',
  myAccess: 'https://myaccess.microsoft.com',
} as const;

export interface PortalLink {
  readonly title: string;
  readonly url: string;
  /** "My Access" or "the Azure portal", for sentences. */
  readonly name: string;
}

export function portalFor(kind: ItemKind): PortalLink {
  switch (kind) {
    case 'accessPackage':
      return { title: 'Open in My Access', url: PORTAL.approvals, name: 'My Access' };
    case 'accessReview':
      return { title: 'Open in My Access', url: PORTAL.reviews, name: 'My Access' };
    case 'pimGroup':
    case 'pimRole':
      return { title: 'Open in the Azure portal', url: PORTAL.pim, name: 'the Azure portal' };
  }
}

export const KIND_LABEL: Readonly<Record<ItemKind, string>> = {
  accessPackage: 'Access package request',
  pimGroup: 'PIM for Groups request',
  pimRole: 'PIM for Entra roles request',
  accessReview: 'Access review',
};

/** Plural nouns for counts on the summary card. */
export const KIND_COUNT: Readonly<Record<ItemKind, readonly [string, string]>> = {
  accessPackage: ['access package request', 'access package requests'],
  pimGroup: ['PIM for Groups request', 'PIM for Groups requests'],
  pimRole: ['PIM for Entra roles request', 'PIM for Entra roles requests'],
  accessReview: ['access review decision', 'access review decisions'],
};

/** Extensions and renewals are decided in the portal only (graph-contract.md §3.4). */
const PORTAL_ONLY_ACTIONS = new Set(['adminextend', 'adminrenew', 'selfextend', 'selfrenew']);

export function decidableInTeams(item: PendingItem): boolean {
  return !(
    (item.kind === 'pimGroup' || item.kind === 'pimRole') &&
    PORTAL_ONLY_ACTIONS.has(item.action.toLowerCase())
  );
}

function possessive(name: string): string {
  return name.endsWith('s') ? `${name}'` : `${name}'s`;
}

/**
 * One line that says what an item is about, e.g. "Alex Wilber requests Marketing campaign tools".
 * Safe for cards and plain text alike: mentions and links in names are already neutralised.
 */
export function itemTitle(item: PendingItem): string {
  switch (item.kind) {
    case 'accessPackage':
      return `${personName(item.requestor)} requests ${inlineText(item.accessPackage.displayName) || 'an access package'}`;
    case 'pimGroup': {
      const group = inlineText(item.group.displayName) || 'a group';
      const access = accessIdText(item.accessId);
      return `${personName(item.principal)} requests ${access ? `${access} of ${group}` : `access to ${group}`}`;
    }
    case 'pimRole':
      return `${personName(item.principal)} requests ${inlineText(item.role.displayName) || 'a directory role'}`;
    case 'accessReview': {
      const who = possessive(personName(item.principal));
      const resource = inlineText(item.resource.displayName);
      const review = inlineText(item.reviewName);
      if (resource) return `Review ${who} access to ${resource}`;
      return review ? `Review ${who} access (${review})` : `Review ${who} access`;
    }
  }
}

export function stageText(item: PendingItem): string {
  const n = item.stageNumber;
  const m = item.stageCount;
  return n !== null && m !== null && m > 1 ? `Stage ${n} of ${m}` : '';
}

/** "request" for approvals, "access review" for reviews: the noun user-facing sentences need. */
export function itemNoun(item: PendingItem): string {
  return item.kind === 'accessReview' ? 'access review item' : 'request';
}
