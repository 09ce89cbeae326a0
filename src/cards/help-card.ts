import { expandTemplate } from './templates';
import type { AdaptiveCard, HelpCardOptions } from './types';

interface Command {
  readonly command: string;
  readonly description: string;
}

const PERSONAL: readonly Command[] = [
  { command: 'pending', description: 'Show what waits for your decision' },
  { command: 'sign in', description: 'Sign in, so I can decide in Microsoft Entra on your behalf' },
  { command: 'sign out', description: 'Sign out; I stop acting for you until you sign in again' },
  { command: 'help', description: 'Show this list' },
];

const CHANNEL: readonly Command[] = [
  { command: 'subscribe', description: 'Post requests for an access package, group or role in this channel' },
  { command: 'unsubscribe', description: 'Stop posting those requests here' },
  { command: 'subscriptions', description: 'List what this channel receives' },
  { command: 'history', description: 'Show recent decisions made from this channel' },
  { command: 'help', description: 'Show this list' },
];

const GROUP_CHAT: readonly Command[] = [{ command: 'help', description: 'Show this list' }];

export function helpView(options: HelpCardOptions): object {
  const commands =
    options.scope === 'personal' ? PERSONAL : options.scope === 'channel' ? CHANNEL : GROUP_CHAT;
  const notes =
    options.scope === 'personal'
      ? [
          'Cards arrive here when a request or an access review waits on you. Approve, deny or answer right on the card.',
        ]
      : [
          ...(options.scope === 'channel'
            ? ['In a channel, @mention me before the command, e.g. "@Approvals subscribe".']
            : []),
          'Type pending, sign in or sign out in your personal chat with me.',
        ];
  return {
    heading: 'Approvals in Teams: what I can do',
    intro:
      'I bring Microsoft Entra approvals and access reviews to Teams, so you can decide them here. Type one of these:',
    commands,
    notes: notes.map((text) => ({ text })),
  };
}

/** The commands the bot understands where the user typed "help". */
/** The help card depends on the scope only: expanded once per scope (three at most). */
const rendered = new Map<HelpCardOptions['scope'], AdaptiveCard>();

export function renderHelpCard(options: HelpCardOptions): AdaptiveCard {
  let card = rendered.get(options.scope);
  if (!card) {
    card = expandTemplate('help', helpView(options));
    rendered.set(options.scope, card);
  }
  return card;
}
