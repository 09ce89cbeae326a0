import { TurnContext } from 'botbuilder';
import { recommendedDecision } from '../../cards';
import type { BulkStep, ReviewBatch } from '../../cards';
import type { AccessReviewPending, Decision, Outcome } from '../../domain';
import { hasWords, itemKey, sameTarget } from '../../domain';
import { openReviewBatch } from '../../notify';
import type { BulkPress } from '../action-data';
import { actingUser, say, withTimeout } from './decide';
import type { ActionDeps, ActionHandler, ActionResult, Press } from './types';

/**
 * bulk: every item of one access review that waits on the presser, decided together after a confirmation.
 * "Accept recommendations" uses Graph's bulk call, which a reviewer may make, when no words are needed; with
 * words (typed, or required by the review) each item is written on its own, since the bulk call takes none.
 * "Approve all" and "Deny all" are written item by item (Graph's batchRecordDecisions is for administrators).
 */

/** What each item gets: the recommendation, or the same decision for all; null leaves the item as it is. */
function decisionFor(item: AccessReviewPending, choice: BulkPress['choice']): Decision | null {
  if (choice === 'approve') return 'Approve';
  if (choice === 'deny') return 'Deny';
  return recommendedDecision(item);
}

/** One line for an item Graph did not record, in the reviewer's words. */
function problemOf(item: AccessReviewPending, outcome: Outcome): string | null {
  const who = item.principal.displayName || 'An item';
  switch (outcome.kind) {
    case 'recorded':
      return null;
    case 'alreadyDecided':
      return `${who}: already decided by someone else.`;
    case 'throttled':
    case 'unavailable':
      return `${who}: Microsoft Graph did not answer; press again later for what is left.`;
    case 'reviewClosed':
      return `${who}: the review has ended.`;
    default:
      return `${who}: not recorded (${outcome.kind}).`;
  }
}

export const bulk: ActionHandler<BulkPress> = async (action, press, deps) => {
  const stored = await deps.store.getItem(itemKey(action.target));
  if (!stored || !sameTarget(stored.item.target, action.target) || stored.item.kind !== 'accessReview')
    return say('approvals.bot.cardMismatch', deps);
  const user = actingUser(press.context.activity);
  if (!user) return say('approvals.bot.unknownUser', deps);
  const batch = await openReviewBatch(deps.store, stored.item, user.aadObjectId);
  const shared = press.viewer.shared === true;
  const card = (step: BulkStep): ActionResult => ({
    kind: 'card',
    card: deps.views.reviewBulkCard(batch, step, shared),
  });
  if (batch.items.length === 0)
    return card({ kind: 'done', choice: action.choice, recorded: 0, problems: [] });

  const required = batch.items.some((i) => i.justificationRequired);
  const words = action.justification;
  if (required && !hasWords(words))
    return card({
      kind: 'offer',
      prompt: 'This review asks for a reason with every decision. Type one, then choose again.',
    });
  const refused = batch.items
    .map((i) => deps.decisions.check(i, decisionFor(i, action.choice) ?? 'Approve', words))
    .find((o) => o?.kind === 'invalid');
  if (refused?.kind === 'invalid') return card({ kind: 'offer', prompt: refused.problems.join(' ') });
  if (!action.confirmed) return card({ kind: 'confirm', choice: action.choice, justification: words });

  const token = press.submitted
    ? await deps.tokens.getToken(user, press.context)
    : await deps.tokens.forCardAction(press.context);
  if (token.kind === 'reply') return { kind: 'reply', body: token.body };
  if (token.kind !== 'token') {
    await deps.tokens.sendSignInCard(press.context);
    return say('approvals.bot.signInFirst', deps);
  }
  const graph = deps.governance.asUser({ token: token.token, userId: user.aadObjectId });
  const who = { id: user.aadObjectId, name: user.name };

  const work = async (): Promise<ActionResult> => {
    let outcomes: readonly (Outcome | null)[];
    if (action.choice === 'accept' && !hasWords(words)) {
      outcomes = await deps.decisions.acceptRecommendations({ user: who, graph, items: batch.items });
    } else {
      const each: (Outcome | null)[] = [];
      for (const item of batch.items) {
        const decision = decisionFor(item, action.choice);
        if (!decision) {
          each.push(null);
          continue;
        }
        const decided = await deps.decisions.decide({
          user: who,
          graph,
          item,
          decision,
          justification: words,
        });
        deps.track(decided.settled);
        each.push(decided.outcome);
      }
      outcomes = each;
    }
    const recorded = outcomes.filter((o) => o?.kind === 'recorded').length;
    const problems = batch.items.flatMap((item, i) => {
      const outcome = outcomes[i];
      const line = outcome ? problemOf(item, outcome) : null;
      return line ? [line] : [];
    });
    return card({ kind: 'done', choice: action.choice, recorded, problems });
  };
  return answerInTime(work(), batch, action, press, deps);
};

/** The answer within Teams' wait, or "working on it" now and the answer in the card when it comes. */
async function answerInTime(
  work: Promise<ActionResult>,
  batch: ReviewBatch,
  action: BulkPress,
  press: Press,
  deps: ActionDeps,
): Promise<ActionResult> {
  const raced = await withTimeout(work, deps.answerWithinMs);
  if (raced.done) return raced.value;
  const clicked = press.context.activity.replyToId ?? null;
  const reference = TurnContext.getConversationReference(press.context.activity);
  deps.track(
    work.then(async (late) => {
      if (clicked && late.kind === 'card') await deps.updateMessage(reference, clicked, late.card);
    }),
  );
  const shared = press.viewer.shared === true;
  return {
    kind: 'card',
    card: deps.views.reviewBulkCard(batch, { kind: 'working' }, shared),
  };
}
