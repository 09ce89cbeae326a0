import { expandTemplate } from './templates';
import type { AdaptiveCard, HelpCardOptions } from './types';

export function helpView(options: HelpCardOptions): object {
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
    commands: options.commands,
    notes: notes.map((text) => ({ text })),
  };
}

/** The commands that work where the user typed "help", with what they do there. */
export function renderHelpCard(options: HelpCardOptions): AdaptiveCard {
  return expandTemplate('help', helpView(options));
}
