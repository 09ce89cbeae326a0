import type { CommandInput, NotifyCommands } from '../../notify';
import { notifyCommandInput } from '../teams-delivery';
import type { Command, CommandDeps, Said } from './types';

type NotifyWork = (commands: NotifyCommands, input: CommandInput, rest: string) => Promise<string>;

/** A command whose work is the notifier's: the bot turns the message into its input and sends the answer. */
function notifyCommand(work: NotifyWork) {
  return async (said: Said, deps: CommandDeps): Promise<void> => {
    const input = notifyCommandInput(said.context.activity, said.scope, said.text);
    await said.context.sendActivity(await work(deps.notifier.commands, input, said.rest));
  };
}

/** Channel subscriptions: a team channel gets cards for the packages, groups and roles it follows. */
export const CHANNEL_COMMANDS: readonly Command[] = [
  {
    name: 'subscribe',
    scopes: ['channel'],
    takesWords: true,
    help: {
      usage: 'subscribe',
      summary: 'Post requests for an access package, group or role in this channel',
    },
    run: notifyCommand((c, input, rest) => c.subscribe(input, rest)),
  },
  {
    name: 'unsubscribe',
    scopes: ['channel'],
    takesWords: true,
    help: { usage: 'unsubscribe', summary: 'Stop posting those requests here' },
    run: notifyCommand((c, input, rest) => c.unsubscribe(input, rest)),
  },
  {
    name: 'subscriptions',
    scopes: ['channel'],
    help: { usage: 'subscriptions', summary: 'List what this channel receives' },
    run: notifyCommand((c, input) => c.list(input)),
  },
];

/** Personal notification settings: how and when cards reach one approver. */
export const SETTINGS_COMMANDS: readonly Command[] = [
  {
    name: 'settings',
    scopes: ['personal'],
    help: { usage: 'settings', summary: 'Show how and when I send you cards' },
    run: notifyCommand((c, input) => c.settings(input)),
  },
  {
    name: 'digest',
    scopes: ['personal'],
    takesWords: true,
    help: { usage: 'digest on | off', summary: 'One card a day instead of a card for each request' },
    run: notifyCommand((c, input, rest) => c.digest(input, rest)),
  },
  {
    name: 'updates',
    scopes: ['personal'],
    takesWords: true,
    help: {
      usage: 'updates on | off',
      summary: 'Whether I tell you when a request of yours is decided here',
    },
    run: notifyCommand((c, input, rest) => c.updates(input, rest)),
  },
  {
    name: 'quiet',
    scopes: ['personal'],
    takesWords: true,
    help: { usage: 'quiet 22:00-07:00 | off', summary: 'Hold new cards during these hours' },
    run: notifyCommand((c, input, rest) => c.quiet(input, rest)),
  },
];
