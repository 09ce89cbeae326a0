import type { Activity, ConversationReference, TurnContext } from 'botbuilder';
import type { AdaptiveCard } from '../../cards';
import type { Decisions } from '../../decisions';
import type { GovernanceClient } from '../../graph';
import type { Logger } from '../../log';
import type { Store, StoredItem } from '../../store';
import type { UserTokens } from '../../auth';
import type { CardAction, ViewPress } from '../action-data';
import type { DecisionTarget } from '../../domain';
import type { UniversalActionResponse } from '../invoke-replies';
import type { CardViews, Viewer } from '../views';

/** What a card action answers: a card, a short message, or a ready Universal Actions body (sign-in). */
export type ActionResult =
  | { readonly kind: 'card'; readonly card: AdaptiveCard }
  | { readonly kind: 'message'; readonly text: string }
  | { readonly kind: 'reply'; readonly body: UniversalActionResponse };

/** One press of a card button, as Teams delivered it. */
export interface Press {
  readonly context: TurnContext;
  readonly viewer: Viewer;
  /** Action.Submit (a message) rather than Action.Execute (an invoke): no sign-in reply is possible. */
  readonly submitted: boolean;
}

/** What every action handler may use: the bot's parts, injected. */
export interface ActionDeps {
  readonly store: Store;
  readonly decisions: Decisions;
  readonly governance: GovernanceClient;
  readonly tokens: UserTokens;
  readonly views: CardViews;
  readonly log: Logger;
  /** How long a press may wait for Graph before the user gets "working on it" (Teams waits about 5 s). */
  readonly answerWithinMs: number;
  /** Teams user ids whose clients refresh the item's card (at most 60). */
  refreshUsers(stored: StoredItem, activity: Activity): Promise<string[]>;
  /** Runs `work` after the answer; shutdown and tests can wait for it. */
  track(work: Promise<unknown>): void;
  /** Replaces the card in a message the bot sent (the late answer after "working on it"). */
  updateMessage(
    reference: Partial<ConversationReference>,
    activityId: string,
    card: AdaptiveCard,
  ): Promise<void>;
}

/** What every routed press has: its verb, the item it points to, and the card's revision. */
export interface RoutedAction {
  readonly verb: string;
  readonly target: DecisionTarget;
  readonly rev: number;
}

export type ActionHandler<A extends RoutedAction = CardAction> = (
  action: A,
  press: Press,
  deps: ActionDeps,
) => Promise<ActionResult>;

/** One handler for each verb of the actions `A`, typed by that verb's parsed action. */
export type TableFor<A extends RoutedAction> = {
  readonly [V in A['verb']]: ActionHandler<Extract<A, { verb: V }>>;
};

/**
 * One handler per verb the cards send: a new verb is one entry here and its handler, and the compiler
 * names every place that must know (the verb list is the cards', CARD_VERBS).
 */
export type VerbTable = TableFor<CardAction>;

/** Every table can show the card again: an automatic refresh uses it whatever verb it carries. */
export type RefreshHandler = ActionHandler<ViewPress<'refresh'>>;
