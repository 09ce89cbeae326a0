import { message } from '../../messages';
import { actingUser } from '../actions';
import { showHistory } from './history';
import { deliverPending } from './pending';
import type { Command } from './types';

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
    takesWords: true,
    help: {
      usage: 'history | history 2',
      summary: 'Show what you and others decided on your cards, newest first; 2 for the page before',
    },
    run: showHistory,
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
