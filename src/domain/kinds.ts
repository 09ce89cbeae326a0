import type { Decision } from './decisions';
import { APPROVAL_DECISIONS, REVIEW_DECISIONS } from './decisions';
import type { ItemKind, PendingItem, Person } from './items';

/** The pending item of one kind. */
export type ItemOf<K extends ItemKind> = Extract<PendingItem, { readonly kind: K }>;

/** What a channel can follow: an access package, a catalog, a group, a role, or a review. */
export type FollowKind = 'accessPackage' | 'catalog' | 'group' | 'role' | 'review';

/** One thing an item is about, by Graph id and by the name a person would type. */
export interface Followable {
  readonly kind: FollowKind;
  readonly id: string | null;
  readonly name: string | null;
}

/** Where an approver decides an item outside Teams. */
export interface Portal {
  /** The button's title. */
  readonly title: string;
  readonly url: string;
  /** "My Access" or "the Azure portal", for sentences. */
  readonly name: string;
  /** The summary card's link to everything of these kinds there. */
  readonly listTitle: string;
}

/**
 * PIM approval requests expire when nobody decides them within a day (Microsoft Entra PIM documentation;
 * the Graph approval resource does not carry the deadline). UNCERTAIN: verify in a real tenant.
 */
export const PIM_APPROVAL_WINDOW_MS = 24 * 3_600_000;

const MY_ACCESS_APPROVALS: Portal = {
  title: 'Open in My Access',
  url: 'https://myaccess.microsoft.com/#/approvals',
  name: 'My Access',
  listTitle: 'All requests in My Access',
};
const MY_ACCESS_REVIEWS: Portal = {
  title: 'Open in My Access',
  url: 'https://myaccess.microsoft.com/#/access-reviews',
  name: 'My Access',
  listTitle: 'All reviews in My Access',
};
const PIM_APPROVALS: Portal = {
  title: 'Open in the Azure portal',
  url: 'https://portal.azure.com/#view/Microsoft_Azure_PIMCommon/CommonMenuBlade/~/approvals',
  name: 'the Azure portal',
  listTitle: 'All PIM requests in the Azure portal',
};

/** Extensions and renewals of PIM assignments are decided in the portal only (graph-contract.md §3.4). */
const PORTAL_ONLY_ACTIONS = new Set(['adminextend', 'adminrenew', 'selfextend', 'selfrenew']);

/** Everything the bot knows about one kind of pending item, apart from how Graph spells it and how a card shows it. */
export interface KindFacts<K extends ItemKind> {
  /** As a card's header names it: "Access package request". */
  readonly label: string;
  /** For counts: one and many. */
  readonly count: readonly [string, string];
  /** For sentences: "request", "access review item". */
  readonly noun: string;
  /** The decisions an approver of this kind may record. */
  readonly decisions: readonly Decision[];
  readonly portal: Portal;
  /** False for what Graph lets only the portal decide. */
  decidableInTeams(item: ItemOf<K>): boolean;
  /** When the item stops waiting for a decision, where that is known (ms since the epoch). */
  deadline(item: ItemOf<K>): number | null;
  /** One plain line for the audit log: who, and what about. */
  auditTitle(item: ItemOf<K>): string;
  /** What a channel subscription can match the item by. */
  followedBy(item: ItemOf<K>): readonly Followable[];
  /**
   * Who asked, to be told when an approver decides through the bot; null where nobody asked (a review's
   * principal is never told about it).
   */
  requester(item: ItemOf<K>): Person | null;
  /**
   * Whether the requester is shown the approver's justification in the portal, so the bot may repeat it.
   * UNCERTAIN for PIM: its requester views are not documented as showing it, so the bot does not.
   */
  readonly requesterSeesJustification: boolean;
}

/** One record per item kind: a new kind does not compile until it has its entry. */
export type KindTable = { readonly [K in ItemKind]: KindFacts<K> };

const time = (iso: string | null): number | null => {
  const t = iso ? Date.parse(iso) : NaN;
  return Number.isNaN(t) ? null : t;
};
const pimDeadline = (item: { readonly createdDateTime: string | null }): number | null => {
  const created = time(item.createdDateTime);
  return created === null ? null : created + PIM_APPROVAL_WINDOW_MS;
};
const pimDecidable = (item: { readonly action: string }): boolean =>
  !PORTAL_ONLY_ACTIONS.has(item.action.toLowerCase());

/** In the order cards list portals: approvals in My Access, reviews in My Access, then PIM. */
export const ITEM_KINDS: KindTable = {
  accessPackage: {
    label: 'Access package request',
    count: ['access package request', 'access package requests'],
    noun: 'request',
    decisions: APPROVAL_DECISIONS,
    portal: MY_ACCESS_APPROVALS,
    decidableInTeams: () => true,
    // The policy's durationBeforeAutomaticDenial is not readable by an approver: no known deadline.
    deadline: () => null,
    auditTitle: (item) => `${item.requestor.displayName}: ${item.accessPackage.displayName}`,
    followedBy: (item) => [
      { kind: 'accessPackage', id: item.accessPackage.id, name: item.accessPackage.displayName },
    ],
    requester: (item) => item.requestor,
    // My Access shows the requestor each approver's decision and justification.
    requesterSeesJustification: true,
  },
  accessReview: {
    label: 'Access review',
    count: ['access review decision', 'access review decisions'],
    noun: 'access review item',
    decisions: REVIEW_DECISIONS,
    portal: MY_ACCESS_REVIEWS,
    decidableInTeams: () => true,
    deadline: (item) => time(item.dueDateTime),
    auditTitle: (item) => `${item.reviewName}: ${item.principal.displayName}`,
    followedBy: (item) => [
      { kind: 'review', id: item.target.definitionId, name: item.reviewName },
      // A review of a group's members is also news for a channel that follows that group.
      ...(item.resource.type?.toLowerCase().includes('group')
        ? [{ kind: 'group' as const, id: item.resource.id, name: item.resource.displayName }]
        : []),
    ],
    requester: () => null,
    requesterSeesJustification: false,
  },
  pimGroup: {
    label: 'PIM for Groups request',
    count: ['PIM for Groups request', 'PIM for Groups requests'],
    noun: 'request',
    decisions: APPROVAL_DECISIONS,
    portal: PIM_APPROVALS,
    decidableInTeams: pimDecidable,
    deadline: pimDeadline,
    auditTitle: (item) => `${item.principal.displayName}: ${item.accessId} of ${item.group.displayName}`,
    followedBy: (item) => [{ kind: 'group', id: item.group.id, name: item.group.displayName }],
    requester: (item) => item.principal,
    requesterSeesJustification: false,
  },
  pimRole: {
    label: 'PIM for Entra roles request',
    count: ['PIM for Entra roles request', 'PIM for Entra roles requests'],
    noun: 'request',
    decisions: APPROVAL_DECISIONS,
    portal: PIM_APPROVALS,
    decidableInTeams: pimDecidable,
    deadline: pimDeadline,
    auditTitle: (item) => `${item.principal.displayName}: ${item.role.displayName}`,
    followedBy: (item) => [{ kind: 'role', id: item.role.id, name: item.role.displayName }],
    requester: (item) => item.principal,
    requesterSeesJustification: false,
  },
};

/** The facts of an item's kind, typed for that item. */
export function kindOf<K extends ItemKind>(item: ItemOf<K>): KindFacts<K> {
  // KindTable pairs each kind with its facts; TypeScript cannot follow that pairing through an index.
  return ITEM_KINDS[item.kind as K] as KindFacts<K>;
}

/** When the item stops waiting for a decision, where that is known. */
export function deadlineOf(item: PendingItem): number | null {
  return kindOf(item).deadline(item);
}
