import { TurnContext } from 'botbuilder';
import type { Activity } from 'botbuilder';
import type { ActingUser } from '../../auth';
import type { Decided } from '../../decisions';
import type { Outcome } from '../../domain';
import { itemKey, sameTarget } from '../../domain';
import type { UserGovernance } from '../../graph';
import type { StoredItem } from '../../store';
import type { DecisionPress } from '../action-data';
import { decisionOfFinal } from '../views';
import { message } from '../../messages';
import type { MessageCode } from '../../messages';
import type { ActionDeps, ActionHandler, ActionResult, Press } from './types';

/**
 * approve, deny, dontKnow, reset, retry: a decision, written to Graph as the person who pressed, on the
 * item the store holds (card data only names it), with only their own words.
 */

export function actingUser(activity: Activity): ActingUser | null {
  const aad = activity.from?.aadObjectId;
  if (!aad || !activity.from?.id) return null;
  return {
    aadObjectId: aad,
    channelUserId: activity.from.id,
    name: activity.from.name || 'Unknown user',
    tenantId: activity.conversation?.tenantId ?? null,
  };
}

const REASON_PROMPT: Readonly<
  Record<Extract<Outcome, { kind: 'needsJustification' }>['reason'], MessageCode>
> = {
  deny: 'approvals.bot.reasonForDeny',
  review: 'approvals.bot.reasonForReview',
  stage: 'approvals.bot.reasonForStage',
};

/** A short answer from the catalogue, logged by its code. */
export function say(code: MessageCode, deps: ActionDeps): ActionResult {
  deps.log.info({ message: code }, 'answered a card action');
  return { kind: 'message', text: message(code) };
}

export function withTimeout<T>(
  promise: Promise<T>,
  ms: number,
): Promise<{ done: true; value: T } | { done: false }> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => resolve({ done: false }), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve({ done: true, value });
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}

/** The item card again, with a prompt, the buttons, and the words the user already typed. */
async function promptCard(
  stored: StoredItem,
  outcome: Extract<Outcome, { kind: 'needsJustification' | 'invalid' }>,
  action: DecisionPress,
  press: Press,
  deps: ActionDeps,
): Promise<ActionResult> {
  const prompt =
    outcome.kind === 'invalid'
      ? message('approvals.bot.invalidPress', { problems: outcome.problems.join(' ') })
      : message(REASON_PROMPT[outcome.reason]);
  return {
    kind: 'card',
    card: deps.views.itemCard(stored.item, {
      canAct: true,
      refreshUserIds: await deps.refreshUsers(stored, press.context.activity),
      shared: press.viewer.shared === true,
      prompt,
      justification: action.justification,
      recordedDecision: decisionOfFinal(stored.final),
      ...(outcome.kind === 'needsJustification' && outcome.reason !== 'deny'
        ? { justificationRequired: true }
        : {}),
    }),
  };
}

/**
 * A press on a card older than the store (or from another deployment): the item is looked up with Graph
 * as the person who pressed, through the reads an approver is granted, before anything is written.
 */
async function findForUser(
  graph: UserGovernance,
  action: DecisionPress,
  user: ActingUser,
  deps: ActionDeps,
): Promise<StoredItem | 'missing' | 'unknown'> {
  const found = await graph.discoverPending([action.target.kind]);
  const item = found.items.find((i) => sameTarget(i.target, action.target));
  if (!item) return found.problems.length > 0 ? 'unknown' : 'missing';
  return deps.store.putItem(item, user.aadObjectId);
}

/**
 * Someone the bot has not met as an approver of this item pressed it (a channel card, a card forwarded):
 * whether they may decide is Graph's answer to a read as them, not the bot's list.
 */
async function confirmApprover(
  graph: UserGovernance,
  stored: StoredItem,
  user: ActingUser,
  press: Press,
  deps: ActionDeps,
): Promise<StoredItem | ActionResult> {
  const read = await graph.readState(stored.item.target);
  const state = read.state;
  if (state.kind === 'open' && state.mine) return deps.store.putItem(stored.item, user.aadObjectId);
  if (state.kind === 'unknown' && state.status !== 403 && state.status !== 404)
    return say('approvals.bot.notChecked', deps);
  const outcome: Outcome =
    state.kind === 'decided'
      ? {
          kind: 'alreadyDecided',
          view: 'caller',
          result: state.result,
          by: state.by,
          at: state.at,
          justification: state.justification || null,
          requestId: read.requestId,
        }
      : state.kind === 'closed'
        ? { kind: 'reviewClosed', view: 'item', status: state.status, requestId: read.requestId }
        : {
            kind: 'forbidden',
            view: 'caller',
            reason: 'notApprover',
            message: 'Graph does not list you as an approver of this item.',
            requestId: read.requestId,
          };
  return {
    kind: 'card',
    card: deps.views.outcomeCard(stored.item, outcome, { shared: press.viewer.shared === true }),
  };
}

export const decide: ActionHandler<DecisionPress> = async (action, press, deps) => {
  const { context } = press;
  const key = itemKey(action.target);
  let stored = await deps.store.getItem(key);
  if (stored && !sameTarget(stored.item.target, action.target))
    return say('approvals.bot.cardMismatch', deps);
  if (stored?.final && !stored.final.changeable)
    return { kind: 'card', card: deps.views.finalCard(stored, stored.final, press.viewer) };
  if (stored) {
    const refused = deps.decisions.check(stored.item, action.decision, action.justification);
    if (refused?.kind === 'needsJustification' || refused?.kind === 'invalid')
      return promptCard(stored, refused, action, press, deps);
  }

  const user = actingUser(context.activity);
  if (!user) return say('approvals.bot.unknownUser', deps);
  // The token of whoever pressed, looked up now, for this press only (design rule 1).
  const token = press.submitted
    ? await deps.tokens.getToken(user, context)
    : await deps.tokens.forCardAction(context);
  if (token.kind === 'reply') return { kind: 'reply', body: token.body };
  if (token.kind !== 'token') {
    await deps.tokens.sendSignInCard(context);
    return say('approvals.bot.signInFirst', deps);
  }
  const graph = deps.governance.asUser({ token: token.token, userId: user.aadObjectId });

  if (!stored) {
    const found = await findForUser(graph, action, user, deps);
    if (found === 'missing') return say('approvals.bot.notWaitingOnYou', deps);
    if (found === 'unknown') return say('approvals.bot.notChecked', deps);
    stored = found;
    const refused = deps.decisions.check(stored.item, action.decision, action.justification);
    if (refused?.kind === 'needsJustification' || refused?.kind === 'invalid')
      return promptCard(stored, refused, action, press, deps);
  }
  if (!stored.approverIds.includes(user.aadObjectId.toLowerCase())) {
    const confirmed = await confirmApprover(graph, stored, user, press, deps);
    if ('kind' in confirmed) return confirmed;
    stored = confirmed;
  }

  const item = stored;
  const deciding = deps.decisions.decide({
    user: { id: user.aadObjectId, name: user.name },
    graph,
    item: item.item,
    decision: action.decision,
    justification: action.justification,
  });
  const answer = (decided: Decided): Promise<ActionResult> => {
    deps.track(decided.settled);
    return answerFor(item, decided.outcome, action, press, deps);
  };
  const clickedCopy = context.activity.replyToId ?? null;
  const reference = TurnContext.getConversationReference(context.activity);
  const raced = await withTimeout(deciding, deps.answerWithinMs);
  if (raced.done) {
    const outcome = raced.value.outcome;
    if (outcome.kind === 'signInRequired' && !press.submitted) {
      // Graph refused the token: sign the user out and ask again.
      return { kind: 'reply', body: await deps.tokens.signOutAfterGraph401(context) };
    }
    return answer(raced.value);
  }
  // Graph is slower than Teams waits: say so now, and put the answer in the card when it comes.
  deps.track(
    deciding.then(async (decided) => {
      const late = await answer(decided);
      if (clickedCopy && late.kind === 'card') await deps.updateMessage(reference, clickedCopy, late.card);
    }),
  );
  return { kind: 'card', card: deps.views.workingCard(item.item, action.decision) };
};

async function answerFor(
  stored: StoredItem,
  outcome: Outcome,
  action: DecisionPress,
  press: Press,
  deps: ActionDeps,
): Promise<ActionResult> {
  if (outcome.kind === 'needsJustification') return promptCard(stored, outcome, action, press, deps);
  return {
    kind: 'card',
    card: deps.views.outcomeCard(stored.item, outcome, {
      shared: press.viewer.shared === true,
      decision: action.decision,
      justification: outcome.kind === 'recorded' ? outcome.justification : action.justification,
    }),
  };
}
