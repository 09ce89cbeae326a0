import { TestAdapter, TurnContext } from 'botbuilder';
import type { Activity } from 'botbuilder';
import pino from 'pino';
import { VERB_TABLE, createActionRouter } from '../../src/bot/actions';
import type { ActionDeps, Press, TableFor } from '../../src/bot/actions';
import type { CardAction } from '../../src/bot/action-data';
import { COMMAND_TABLE, findCommand, helpCard, runCommand } from '../../src/bot/commands';
import type { Command, CommandDeps } from '../../src/bot/commands';
import { MESSAGES } from '../../src/messages';
import type { DecisionTarget } from '../../src/domain';
import { visibleText } from '../cards/helpers';

const target: DecisionTarget = {
  kind: 'accessPackage',
  approvalId: '11111111-1111-1111-1111-111111111111',
  stageId: '22222222-2222-2222-2222-222222222222',
  api: 'v1.0',
};

function contextIn(scope: 'personal' | 'channel' | 'groupChat', text: string): TurnContext {
  const adapter = new TestAdapter(async () => undefined);
  const activity: Partial<Activity> = {
    type: 'message',
    text,
    channelId: 'msteams',
    from: { id: '29:alex', name: 'Alex', aadObjectId: 'aaaaaaaa-0000-0000-0000-000000000001' },
    recipient: { id: '28:bot', name: 'Approvals' },
    conversation: {
      id: scope === 'personal' ? 'a:1' : '19:chan@thread.tacv2',
      isGroup: scope !== 'personal',
      conversationType: scope,
      name: '',
    },
    serviceUrl: 'https://smba.trafficmanager.net/amer/',
  };
  return new TurnContext(adapter, activity);
}

/** What the bot sent in a turn: texts, and the visible text of any card. */
function sent(context: TurnContext): string[] {
  return (context.adapter as TestAdapter).activeQueue.flatMap((a) => [
    ...(a.text ? [a.text] : []),
    ...(a.attachments ?? []).map((att) => visibleText(att.content as never)),
  ]);
}

// Routing fixtures touch none of the bot's parts: a handler that used one would fail loudly.
const noParts = {} as ActionDeps;
const commandParts = { log: pino({ level: 'silent' }) } as unknown as CommandDeps;

describe('the verb table', () => {
  type Snooze = { readonly verb: 'snooze'; readonly target: DecisionTarget; readonly rev: number };
  type FixtureAction = CardAction | Snooze;

  it('routes a verb added in a fixture to its handler, and an automatic refresh to refresh', async () => {
    const seen: string[] = [];
    const table: TableFor<FixtureAction> = {
      ...VERB_TABLE,
      snooze: async (action) => {
        seen.push(`snooze ${action.target.kind} rev ${action.rev}`);
        return { kind: 'message', text: 'snoozed' };
      },
      refresh: async (action) => {
        seen.push(`refresh rev ${action.rev}`);
        return { kind: 'message', text: 'refreshed' };
      },
    };
    const router = createActionRouter<FixtureAction>(table, noParts);
    const press: Press = {
      context: contextIn('personal', ''),
      viewer: { aadObjectId: null, mri: null, shared: false },
      submitted: false,
    };

    expect(await router.route({ verb: 'snooze', target, rev: 3 }, press, false)).toEqual({
      kind: 'message',
      text: 'snoozed',
    });
    expect(await router.route({ verb: 'snooze', target, rev: 4 }, press, true)).toEqual({
      kind: 'message',
      text: 'refreshed',
    });
    expect(seen).toEqual(['snooze accessPackage rev 3', 'refresh rev 4']);
  });

  it('does not compile without a handler for every verb', () => {
    // @ts-expect-error: the table lacks 'snooze', and the compiler says so.
    const missing: TableFor<FixtureAction> = { ...VERB_TABLE };
    // @ts-expect-error: every verb the cards send needs its handler ('change' removed).
    const withoutChange: TableFor<CardAction> = { ...VERB_TABLE, change: undefined };
    expect([missing, withoutChange]).toHaveLength(2);
  });
});

describe('the command table', () => {
  const listed = (scope: 'personal' | 'channel' | 'groupChat') =>
    COMMAND_TABLE.filter((c) => c.scopes.includes(scope)).map((c) => c.help.usage);

  it('is what the help card of each scope lists, and nothing else', () => {
    for (const scope of ['personal', 'channel', 'groupChat'] as const) {
      const text = visibleText(helpCard(scope));
      for (const command of COMMAND_TABLE) {
        const line = `${command.help.usage}\n${command.help.summary}`;
        if (command.scopes.includes(scope)) expect(text).toContain(line);
        else expect(text).not.toContain(line);
      }
    }
    expect(listed('personal')).toEqual([
      'pending',
      'history | history 2',
      'sign in',
      'sign out',
      'settings',
      'digest on | off',
      'updates on | off',
      'quiet 22:00-07:00 | off',
      'help',
    ]);
    expect(listed('channel')).toEqual(['subscribe', 'unsubscribe', 'subscriptions', 'help']);
    expect(listed('groupChat')).toEqual(['help']);
  });

  it('finds commands by name or alias, in any case, with the words after them', () => {
    expect(findCommand('Sign   In')?.command.name).toBe('sign in');
    expect(findCommand('LOGIN')?.command.name).toBe('sign in');
    expect(findCommand('signout')?.command.name).toBe('sign out');
    expect(findCommand('subscribe  access package   Sales Team')).toMatchObject({
      command: { name: 'subscribe' },
      rest: 'access package Sales Team',
    });
    expect(findCommand('subscriptions')?.command.name).toBe('subscriptions');
    expect(findCommand('quiet 22:00-07:00 Europe/Berlin')?.rest).toBe('22:00-07:00 Europe/Berlin');
    expect(findCommand('History  2')).toMatchObject({ command: { name: 'history' }, rest: '2' });
    // Words after a command that takes none make it something else.
    expect(findCommand('pending please')).toBeNull();
    expect(findCommand('pendingx')).toBeNull();
    expect(findCommand('subscribers')).toBeNull();
  });

  it('runs a command added in a fixture, lists it in help, and refuses it outside its scopes', async () => {
    const ran: string[] = [];
    const snooze: Command = {
      name: 'snooze',
      aliases: ['zz'],
      scopes: ['personal'],
      takesWords: true,
      help: { usage: 'snooze 2h', summary: 'Hold cards for a while' },
      run: async (said) => {
        ran.push(`${said.scope}:${said.rest}`);
        await said.context.sendActivity('snoozed');
      },
    };
    const table = [...COMMAND_TABLE, snooze];

    const personal = contextIn('personal', 'ZZ  2h');
    await runCommand(personal, commandParts, table);
    expect(ran).toEqual(['personal:2h']);
    expect(sent(personal)).toEqual(['snoozed']);
    expect(visibleText(helpCard('personal', table))).toContain('snooze 2h\nHold cards for a while');

    const channel = contextIn('channel', 'snooze 2h');
    await runCommand(channel, commandParts, table);
    expect(ran).toHaveLength(1);
    expect(sent(channel)).toEqual([
      'Type "snooze" in our personal chat with me: it is about you, so I answer it only there.',
    ]);
  });

  it('answers where a command works instead', async () => {
    const channel = contextIn('channel', 'pending');
    await runCommand(channel, commandParts);
    expect(sent(channel)).toEqual([MESSAGES['approvals.bot.pendingIsPersonal']]);

    const personal = contextIn('personal', 'subscribe group Finance');
    await runCommand(personal, commandParts);
    expect(sent(personal)[0]).toMatch(/belongs to a team channel/);

    const group = contextIn('groupChat', 'history');
    await runCommand(group, commandParts);
    expect(sent(group)[0]).toMatch(/personal chat with me/);
  });

  it('answers an unknown command with its words made inert and the help card of the scope', async () => {
    const personal = contextIn('personal', 'approve all [now](https://evil.example)');
    await runCommand(personal, commandParts);
    const [text, card] = sent(personal);
    expect(text).toMatch(/^I don't know /);
    // In a code span, markdown is shown as typed, not made into a link.
    expect(text).toBe("I don't know `approve all [now](https://evil.example)`. Here is what I can do:");
    expect(card).toContain('pending\nShow what waits for your decision');

    const empty = contextIn('channel', '   ');
    await runCommand(empty, commandParts);
    expect(sent(empty)).toHaveLength(1);
    expect(sent(empty)[0]).toContain('subscribe\nPost requests');
  });
});
