import type { Decision, Outcome, PendingItem } from '../domain';
import type { StoredItem } from '../store';
import type { FinalState } from '../domain';
import { renderItemCard, renderOutcomeCard, renderWorkingCard } from '../cards';
import type { AdaptiveCard } from '../cards';

/** How cards look for this deployment (from configuration). */
export interface CardSettings {
  readonly submitOnly: boolean;
  readonly timeZone: string;
  readonly pendingSummaryThreshold: number;
}

/** Who looks at a card: their Entra object id and Teams id. */
export interface Viewer {
  readonly aadObjectId: string | null;
  readonly mri: string | null;
}

const REV = 1;

/** The outcome a final state means for one viewer: their own decision reads "by you". */
export function outcomeOfFinal(final: FinalState): Outcome {
  switch (final.result) {
    case 'gone':
      return { kind: 'notFound', message: 'This request no longer exists.', requestId: null };
    case 'closed':
      return { kind: 'reviewClosed', status: 'Completed', requestId: null };
    default:
      return { kind: 'alreadyDecided', result: final.result, by: final.by, at: final.at, requestId: null };
  }
}

function decisionOf(final: FinalState): Decision | undefined {
  switch (final.result) {
    case 'Approved':
      return 'Approve';
    case 'Denied':
      return 'Deny';
    case 'DontKnow':
      return 'DontKnow';
    default:
      return undefined;
  }
}

function decidedBy(final: FinalState, viewer: Viewer): boolean {
  return !!viewer.aadObjectId && final.by?.id?.toLowerCase() === viewer.aadObjectId.toLowerCase();
}

export class CardViews {
  constructor(
    private readonly settings: CardSettings,
    private readonly now: () => Date,
  ) {}

  /** The card as one viewer should see it now, from stored state only (design rule 4). */
  forViewer(stored: StoredItem, viewer: Viewer, refreshUserIds: readonly string[]): AdaptiveCard {
    if (stored.final) return this.finalCard(stored.item, stored.final, viewer);
    const canAct = !!viewer.aadObjectId && stored.approverIds.includes(viewer.aadObjectId.toLowerCase());
    return this.itemCard(stored.item, { canAct, refreshUserIds });
  }

  itemCard(
    item: PendingItem,
    options: {
      readonly canAct: boolean;
      readonly refreshUserIds: readonly string[];
      readonly prompt?: string;
    },
  ): AdaptiveCard {
    return renderItemCard(item, {
      canAct: options.canAct,
      refreshUserIds: options.refreshUserIds,
      rev: REV,
      now: this.now(),
      timeZone: this.settings.timeZone,
      submitOnly: this.settings.submitOnly,
      ...(options.prompt ? { prompt: options.prompt } : {}),
    });
  }

  finalCard(item: PendingItem, final: FinalState, viewer: Viewer): AdaptiveCard {
    const byViewer = decidedBy(final, viewer);
    const decision = decisionOf(final);
    const outcome: Outcome =
      byViewer && decision
        ? { kind: 'recorded', decision, reconciled: false, requestId: null }
        : outcomeOfFinal(final);
    return this.outcomeCard(item, outcome, { decision, decidedByViewer: byViewer });
  }

  outcomeCard(
    item: PendingItem,
    outcome: Outcome,
    options: {
      readonly decision?: Decision | undefined;
      readonly justification?: string;
      readonly decidedByViewer: boolean;
    },
  ): AdaptiveCard {
    return renderOutcomeCard(item, outcome, {
      ...(options.decision ? { decision: options.decision } : {}),
      ...(options.justification ? { justification: options.justification } : {}),
      decidedByViewer: options.decidedByViewer,
      now: this.now(),
      timeZone: this.settings.timeZone,
      rev: REV,
      submitOnly: this.settings.submitOnly,
    });
  }

  workingCard(item: PendingItem, decision: Decision): AdaptiveCard {
    return renderWorkingCard(item, decision, { now: this.now(), timeZone: this.settings.timeZone, rev: REV });
  }
}
