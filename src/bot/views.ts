import type { Decision, FinalState, Outcome, PendingItem, PortalCloud, ReviewDecision } from '../domain';
import {
  renderFinalCard,
  renderItemCard,
  renderOutcomeCard,
  renderReviewBulkCard,
  renderWorkingCard,
} from '../cards';
import type { AdaptiveCard, BulkStep, ReviewBatch } from '../cards';
import type { StoredItem } from '../store';

/** How cards look for this deployment (from configuration). */
export interface CardSettings {
  /** Which buttons cards carry: see CARD_ACTIONS in src/config. */
  readonly actions: 'auto' | 'execute' | 'submit';
  readonly timeZone: string;
  readonly pendingSummaryThreshold: number;
  /** The tenant's cloud (GRAPH_CLOUD): where the cards' portal links point. */
  readonly cloud: PortalCloud;
}

/** Who looks at a card: their Entra object id and Teams id, and where (a shared conversation or not). */
export interface Viewer {
  readonly aadObjectId: string | null;
  readonly mri: string | null;
  /**
   * In a channel or group chat anyone may press: whether they can decide is Graph's answer to their own
   * press, not the bot's list of the approvers it has met.
   */
  readonly shared?: boolean;
}

const REV = 1;

/** Whether a card shown in this kind of conversation carries Action.Submit buttons only. */
export function submitOnlyFor(settings: Pick<CardSettings, 'actions'>, shared: boolean): boolean {
  return settings.actions === 'submit' || (settings.actions === 'auto' && !shared);
}

function isViewer(person: { readonly id: string | null } | null, viewer: Viewer): boolean {
  return !!viewer.aadObjectId && person?.id?.toLowerCase() === viewer.aadObjectId.toLowerCase();
}

function isApprover(stored: StoredItem, viewer: Viewer): boolean {
  return !!viewer.aadObjectId && stored.approverIds.includes(viewer.aadObjectId.toLowerCase());
}

/** The decision a final state records, as the buttons name it (for "Change decision"). */
export function decisionOfFinal(final: FinalState | null): ReviewDecision | null {
  switch (final?.result) {
    case 'Approved':
      return 'Approve';
    case 'Denied':
      return 'Deny';
    case 'DontKnow':
      return 'DontKnow';
    default:
      return null;
  }
}

export class CardViews {
  constructor(
    private readonly settings: CardSettings,
    private readonly now: () => Date,
  ) {}

  /** The card as one viewer should see it now, from stored state only (design rule 4). */
  forViewer(stored: StoredItem, viewer: Viewer, refreshUserIds: readonly string[]): AdaptiveCard {
    if (stored.final) return this.finalCard(stored, stored.final, viewer);
    const canAct = viewer.shared === true || isApprover(stored, viewer);
    return this.itemCard(stored.item, { canAct, refreshUserIds, shared: viewer.shared === true });
  }

  itemCard(
    item: PendingItem,
    options: {
      readonly canAct: boolean;
      readonly refreshUserIds: readonly string[];
      /** Shown in a channel or group chat (Universal Actions under auto) rather than a personal chat. */
      readonly shared: boolean;
      readonly prompt?: string;
      readonly recordedDecision?: ReviewDecision | null;
      readonly justification?: string;
      /** Graph asked for the approver's words (its 400): say so on the box. */
      readonly justificationRequired?: boolean;
    },
  ): AdaptiveCard {
    return renderItemCard(item, {
      canAct: options.canAct,
      refreshUserIds: options.refreshUserIds,
      rev: REV,
      now: this.now(),
      timeZone: this.settings.timeZone,
      cloud: this.settings.cloud,
      submitOnly: submitOnlyFor(this.settings, options.shared),
      ...(options.prompt ? { prompt: options.prompt } : {}),
      ...(options.recordedDecision ? { recordedDecision: options.recordedDecision } : {}),
      ...(options.justification ? { justification: options.justification } : {}),
      ...(options.justificationRequired ? { justificationRequired: true } : {}),
    });
  }

  /** How the item ended, for this viewer: "by you" for their own decision, Graph's facts only. */
  finalCard(stored: StoredItem, final: FinalState, viewer: Viewer): AdaptiveCard {
    return renderFinalCard(stored.item, final, {
      viewerDecided: isViewer(final.by, viewer),
      canChange: viewer.shared === true || isApprover(stored, viewer),
      now: this.now(),
      timeZone: this.settings.timeZone,
      cloud: this.settings.cloud,
      rev: REV,
      submitOnly: submitOnlyFor(this.settings, viewer.shared === true),
    });
  }

  outcomeCard(
    item: PendingItem,
    outcome: Outcome,
    options: {
      readonly decision?: Decision | undefined;
      readonly justification?: string;
      readonly shared: boolean;
    },
  ): AdaptiveCard {
    const byViewer = outcome.kind === 'recorded';
    return renderOutcomeCard(item, outcome, {
      ...(options.decision ? { decision: options.decision } : {}),
      ...(options.justification ? { justification: options.justification } : {}),
      decidedByViewer: byViewer,
      ...(outcome.kind === 'recorded' ? { decidedAt: outcome.at } : {}),
      now: this.now(),
      timeZone: this.settings.timeZone,
      cloud: this.settings.cloud,
      rev: REV,
      submitOnly: submitOnlyFor(this.settings, options.shared),
    });
  }

  /** One card for every item of one review that waits on the viewer. */
  reviewBulkCard(batch: ReviewBatch, step: BulkStep, shared: boolean): AdaptiveCard {
    return renderReviewBulkCard(batch, step, {
      rev: REV,
      submitOnly: submitOnlyFor(this.settings, shared),
      now: this.now(),
      timeZone: this.settings.timeZone,
      cloud: this.settings.cloud,
    });
  }

  workingCard(item: PendingItem, decision: Decision): AdaptiveCard {
    return renderWorkingCard(item, decision, { now: this.now(), timeZone: this.settings.timeZone, rev: REV });
  }
}
