import { CardFactory, TurnContext } from 'botbuilder';
import { quoted, renderHelpCard } from '../../cards';
import type { HelpLine } from '../../cards';
import { message } from '../../messages';
import { scopeOf } from '../scope';
import { CHANNEL_COMMANDS, SETTINGS_COMMANDS } from './notify';
import { PERSONAL_COMMANDS } from './personal';
import type { Command, CommandDeps, Scope } from './types';

export type { Command, CommandDeps, Said, Scope } from './types';
export { deliverPending } from './pending';

const HELP: Command = {
  name: 'help',
  scopes: ['personal', 'channel', 'groupChat'],
  help: { usage: 'help', summary: 'Show this list' },
  run: async ({ context, scope }) => {
    await context.sendActivity({ attachments: [CardFactory.adaptiveCard(helpCard(scope))] });
  },
};

/** Every command people can type, in the order the help card lists them. */
export const COMMAND_TABLE: readonly Command[] = [
  ...PERSONAL_COMMANDS,
  ...SETTINGS_COMMANDS,
  ...CHANNEL_COMMANDS,
  HELP,
];

/** The help card for a scope: the table's commands that work there. */
export function helpCard(scope: Scope, table: readonly Command[] = COMMAND_TABLE) {
  const lines: HelpLine[] = table
    .filter((c) => c.scopes.includes(scope))
    .map((c) => ({ command: c.help.usage, description: c.help.summary }));
  return renderHelpCard({ scope, commands: lines });
}

/** The command `text` names, and the words after it; null when no command starts the text. */
export function findCommand(
  text: string,
  table: readonly Command[] = COMMAND_TABLE,
): { readonly command: Command; readonly rest: string } | null {
  const words = text.trim().replace(/\s+/g, ' ');
  const lower = words.toLowerCase();
  let best: { command: Command; rest: string; length: number } | null = null;
  for (const command of table) {
    for (const name of [command.name, ...(command.aliases ?? [])]) {
      const matches = lower === name || (command.takesWords === true && lower.startsWith(`${name} `));
      if (matches && (!best || name.length > best.length))
        best = { command, rest: words.slice(name.length).trim(), length: name.length };
    }
  }
  return best && { command: best.command, rest: best.rest };
}

/**
 * Answers a typed message: the command it names, in a scope where that command works; otherwise what
 * to do instead. An empty message (a bare @mention) gets the help card.
 */
export async function runCommand(
  context: TurnContext,
  deps: CommandDeps,
  table: readonly Command[] = COMMAND_TABLE,
  /** The command a card's button sent as data, read as if typed. */
  pressed?: string,
): Promise<void> {
  const typed =
    pressed ?? TurnContext.removeRecipientMention(context.activity) ?? context.activity.text ?? '';
  const text = typed.replace(/<[^>]*>/g, '').trim();
  const scope = scopeOf(context.activity);
  if (text === '') {
    await HELP.run({ context, scope, text, rest: '' }, deps);
    return;
  }
  const found = findCommand(text, table);
  if (!found) {
    deps.log.info({ message: 'approvals.bot.unknownCommand', scope }, 'answered a message');
    await context.sendActivity({
      text: message('approvals.bot.unknownCommand', { text: quoted(text, 60) }),
      attachments: [CardFactory.adaptiveCard(helpCard(scope, table))],
    });
    return;
  }
  const { command, rest } = found;
  if (!command.scopes.includes(scope)) {
    const code =
      command.elsewhere ??
      (command.scopes.includes('channel') ? 'approvals.bot.channelOnly' : 'approvals.bot.personalOnly');
    deps.log.info({ message: code, command: command.name, scope }, 'answered a message');
    await context.sendActivity(message(code, { command: command.name }));
    return;
  }
  deps.log.info({ command: command.name, scope }, 'ran a command');
  await command.run({ context, scope, text, rest }, deps);
}
