import type {
  Decision,
  DecisionTarget,
  FinalState,
  OutcomeKind,
  PendingItem,
  Person,
  PortalCloud,
  ReviewDecision,
} from '../domain';

/**
 * Every verb a card sends: the one list the templates, the cards' code and the bot's verb table share
 * (`data.verb` carries the same value for Action.Submit).
 */
export const CARD_VERBS = [
  'approve',
  'deny',
  'dontKnow',
  'reset',
  'retry',
  'refresh',
  'change',
  'bulk',
] as const;
export type CardVerb = (typeof CARD_VERBS)[number];

/**
 * `data` of every card action. Teams merges input values into it, so a decision also arrives with
 * `justification` (the Input.Text id). `decision` is present on `retry` only.
 */
export interface CardActionData {
  readonly verb: CardVerb;
  readonly target: DecisionTarget;
  readonly rev: number;
  readonly decision?: Decision;
}

export interface CardRefresh {
  readonly action: {
    readonly type: 'Action.Execute';
    readonly verb: 'refresh';
    readonly data: CardActionData;
  };
  /** Teams user MRIs (29:…), at most 60. */
  readonly userIds: readonly string[];
}

export interface AdaptiveCard {
  readonly type: 'AdaptiveCard';
  readonly version: '1.5';
  readonly $schema?: string;
  readonly body: readonly unknown[];
  readonly refresh?: CardRefresh;
  readonly msteams?: { readonly width?: 'Full' };
}

/** Why the viewer is asked to decide, when the caller knows. */
export type AskedReason =
  'approver' | 'fallbackApprover' | 'groupOwner' | 'manager' | 'reviewer' | 'fallbackReviewer';

export interface ItemCardOptions {
  /** The viewer may decide this item; false renders the read-only onlooker view. */
  readonly canAct: boolean;
  /** Teams user MRIs whose clients refresh the card automatically; only the first 60 are kept. */
  readonly refreshUserIds: readonly string[];
  readonly rev: number;
  readonly now: Date;
  /** IANA zone for dates on the card; UTC by default. */
  readonly timeZone?: string;
  /** The tenant's cloud, for the portal links (public cloud by default). */
  readonly cloud?: PortalCloud;
  /** Plain Action.Submit buttons and no refresh, for clients that fail on Action.Execute. */
  readonly submitOnly?: boolean;
  /** A highlighted line above the justification box, e.g. "Please give a reason for denying". */
  readonly prompt?: string;
  /** What the viewer typed, shown again in the box when a prompt sends the card back. */
  readonly justification?: string;
  /** Require a justification for every decision (access reviews that ask for one require it anyway). */
  readonly justificationRequired?: boolean;
  /** The item expired or its stage closed: no buttons, just a line saying so. */
  readonly closed?: boolean;
  /** The viewer's decision already recorded on an access review item; shows it and offers Reset. */
  readonly recordedDecision?: ReviewDecision | null;
  readonly context?: {
    readonly reason?: AskedReason;
    readonly otherDeciders?: readonly Person[];
    readonly expiresAt?: string | null;
    /** Defaults to true for approval stages with other approvers. */
    readonly firstDecisionWins?: boolean;
  };
}

export interface OutcomeCardOptions {
  /** What the viewer tried to decide; needed for the Retry button. */
  readonly decision?: Decision;
  /** The viewer's justification, shown with their decision and kept for a retry. */
  readonly justification?: string;
  readonly decidedByViewer: boolean;
  /** For a `recorded` outcome seen by someone else: who decided and when. */
  readonly decidedBy?: Person | null;
  readonly decidedAt?: string | null;
  readonly now: Date;
  readonly timeZone?: string;
  /** The tenant's cloud, for the portal links (public cloud by default). */
  readonly cloud?: PortalCloud;
  readonly rev: number;
  readonly submitOnly?: boolean;
}

export interface FinalCardOptions {
  /** The final state's decider is the viewer: "Approved by you". */
  readonly viewerDecided: boolean;
  /** The viewer may change a changeable decision (a reviewer of the item): offers "Change decision". */
  readonly canChange: boolean;
  readonly now: Date;
  readonly timeZone?: string;
  /** The tenant's cloud, for the portal links (public cloud by default). */
  readonly cloud?: PortalCloud;
  readonly rev: number;
  readonly submitOnly?: boolean;
}

export interface WorkingCardOptions {
  readonly now: Date;
  readonly rev: number;
  readonly timeZone?: string;
  readonly submitOnly?: boolean;
  /** When given, the card keeps refreshing for these users until the final card replaces it. */
  readonly refreshUserIds?: readonly string[];
}

export interface SummaryCardOptions {
  /** How many items to list; the rest are counted and linked. */
  readonly max: number;
  readonly now: Date;
  readonly timeZone?: string;
  /** The tenant's cloud, for the portal links (public cloud by default). */
  readonly cloud?: PortalCloud;
  readonly submitOnly?: boolean;
  /** Known expiry per item, keyed by `itemKey(item.target)`; orders the list with review due dates. */
  readonly expiresAt?: ReadonlyMap<string, string | null>;
}

/** One line of the help card: how to type a command, and what it does. */
export interface HelpLine {
  readonly command: string;
  readonly description: string;
}

export interface HelpCardOptions {
  readonly scope: 'personal' | 'channel' | 'groupChat';
  /** The commands that work in this scope (the bot's command table). */
  readonly commands: readonly HelpLine[];
}

/** One line of `history`: an item, how it ended as Graph showed it, and the viewer's own presses on it. */
export interface HistoryEntry {
  /** The item as the bot keeps it; null once only the audit remembers it. */
  readonly item: PendingItem | null;
  /** The audit's title (Graph's words), for an item the bot no longer keeps. */
  readonly title: string;
  /** How the item ended, as Graph showed it; null while unknown. */
  readonly final: FinalState | null;
  /** What the viewer pressed on it and what came of each press, newest first. */
  readonly attempts: readonly { readonly decision: Decision; readonly outcome: OutcomeKind }[];
}

export interface HistoryCardOptions {
  /** The viewer's Entra object id: their own decisions read "by you". */
  readonly viewerId: string;
  /** 1-based, within 1..pages. */
  readonly page: number;
  readonly pages: number;
  readonly now: Date;
  readonly timeZone?: string;
}

/** Thrown only for bugs: a missing or broken template. */
export class CardRenderError extends Error {
  readonly code = 'approvals.cards.render';
}
