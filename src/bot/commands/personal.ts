import type { Decision, OutcomeKind } from '../../domain';
import { message } from '../../messages';
import { actingUser } from '../actions';
import { deliverPending } from './pending';
import type { Command } from './types';

/** The button pressed, in the words the cards use. */
const PRESSED: Readonly<Record<Decision, string>> = {
  Approve: 'Approve',
  Deny: 'Deny',
  DontKnow: "Don't know",
  NotReviewed: 'Reset',
};

/** What came of it, as the person was told. */
const RESULT: Readonly<Partial<Record<OutcomeKind, string>>> = {
  recorded: 'recorded',
  alreadyDecided: 'already decided by someone else',
  notFound: 'not waiting on you any more',
  forbidden: 'not yours to decide',
  reviewClosed: 'the review had ended',
  throttled: 'Microsoft Graph was busy; not recorded',
  unavailable: 'Microsoft Graph did not answer; not recorded',
  invalid: 'not accepted',
  needsJustification: 'a reason was needed',
  signInRequired: 'sign-in had expired',
};

/** Commands about the person typing: what waits on them, what they decided, and sign-in. */
export const PERSONAL_COMMANDS: readonly Command[] = [
  {
    name: 'pending',
    scopes: ['personal'],
    elsewhere: 'approvals.bot.pendingIsPersonal',
    help: { usage: 'pending', summary: 'Show what waits for your decision' },
    run: (said, deps) => deliverPending(said.context, deps, { quietWhenEmpty: false }),
  },
  {
    name: 'history',
    scopes: ['personal'],
    help: { usage: 'history', summary: 'Show the last ten decisions you made through me' },
    run: async ({ context }, deps) => {
      const userId = context.activity.from?.aadObjectId;
      if (!userId) return;
      const entries = await deps.store.auditFor(userId, 10);
      if (entries.length === 0) {
        await context.sendActivity(message('approvals.bot.noHistory'));
        return;
      }
      // Titles are Graph's words: markdown in them is dropped so a title cannot become a link.
      const lines = entries.map(
        (e) =>
          `- ${e.at.slice(0, 16).replace('T', ' ')} UTC: ${PRESSED[e.decision]} for ${e.title.replace(/[[\]<>*_`]/g, '')}: ${RESULT[e.outcome] ?? e.outcome}`,
      );
      await context.sendActivity(`${message('approvals.bot.historyHeading')}\n\n${lines.join('\n')}`);
    },
  },
  {
    name: 'sign in',
    aliases: ['signin', 'login'],
    scopes: ['personal'],
    help: { usage: 'sign in', summary: 'Sign in, so I can decide in Microsoft Entra on your behalf' },
    run: async ({ context }, deps) => {
      // Whatever the answer (a sign-in card, "already signed in", local mode), the token side says it.
      await deps.tokens.sendSignInCard(context);
    },
  },
  {
    name: 'sign out',
    aliases: ['signout', 'logout'],
    scopes: ['personal'],
    help: { usage: 'sign out', summary: 'Sign out; I stop acting for you until you sign in again' },
    run: async ({ context }, deps) => {
      const user = actingUser(context.activity);
      if (user) await deps.tokens.signOut(user, context);
      await context.sendActivity(message('approvals.bot.signedOut'));
    },
  },
];
