import type { Activity, TurnContext } from 'botbuilder';
import type { UserTokens } from '../../auth';
import type { CardSettings, CardViews } from '../views';
import type { GovernanceClient } from '../../graph';
import type { Logger } from '../../log';
import type { MessageCode } from '../../messages';
import type { Notifier } from '../../notify';
import type { Store, StoredItem, StoredReference } from '../../store';

export type Scope = StoredReference['scope'];

/** One typed command as the bot understood it: who said it, where, and the words after the command. */
export interface Said {
  readonly context: TurnContext;
  readonly scope: Scope;
  /** The whole message without mentions or markup, as typed (case kept). */
  readonly text: string;
  /** What follows the command's name, whitespace collapsed, case kept. */
  readonly rest: string;
}

/** What every command handler may use: the bot's parts, injected. */
export interface CommandDeps {
  readonly store: Store;
  readonly governance: GovernanceClient;
  readonly tokens: UserTokens;
  readonly views: CardViews;
  readonly cards: CardSettings;
  readonly log: Logger;
  readonly notifier: Pick<Notifier, 'commands' | 'observed'>;
  readonly now: () => Date;
  /** Teams user ids whose clients refresh the item's card (at most 60). */
  refreshUsers(stored: StoredItem, activity: Activity): Promise<string[]>;
}

/**
 * A command people type. A new command is one entry in COMMAND_TABLE: the help card lists it in the
 * scopes it names, and typing it anywhere else gets the entry's `elsewhere` answer.
 */
export interface Command {
  /** What people type, lower case; may be more than one word ("sign in"). */
  readonly name: string;
  readonly aliases?: readonly string[];
  /** Where the command works; the help card of each of these scopes lists it. */
  readonly scopes: readonly Scope[];
  /** True when words may follow the name ("subscribe group Finance"); otherwise extra words are unknown. */
  readonly takesWords?: boolean;
  /** The help card's line: how to type it, and what it does. */
  readonly help: { readonly usage: string; readonly summary: string };
  /** The answer when typed where it does not work; by default, where it does. */
  readonly elsewhere?: MessageCode;
  run(said: Said, deps: CommandDeps): Promise<void>;
}
