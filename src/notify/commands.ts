import { quoted } from '../cards';
import type { ConversationScope, Store, UserPreferences } from '../store';
import { channelKey } from './entries';
import { isTimeZone, parseWindow } from './quiet-hours';
import { KIND_LABEL, channelIdOf, parseFilter } from './subscriptions';
import type { ReferenceJson } from './types';

/** A typed command, as the bot hands it over (no botbuilder types: notify stays Teams-free). */
export interface CommandInput {
  /** The text as typed, mention of the bot removed; original case. */
  readonly text: string;
  readonly scope: ConversationScope;
  readonly user: { readonly id: string; readonly name: string } | null;
  readonly conversation: {
    readonly id: string;
    readonly teamId: string | null;
    readonly channelName: string | null;
    readonly tenantId: string | null;
    readonly reference: ReferenceJson;
  };
  /** The sender's IANA time zone when Teams says it (activity.localTimezone). */
  readonly timeZone: string | null;
}

function describePreferences(p: UserPreferences, digest: { hour: number; timeZone: string }): string {
  const at = `${String(digest.hour).padStart(2, '0')}:00 (${p.quietHours?.timeZone ?? digest.timeZone})`;
  const delivery =
    p.delivery === 'digest'
      ? `one digest of new requests each day at ${at} (reminders still come on time)`
      : 'a card for each new request (a digest when many arrive at once)';
  const quiet = p.quietHours
    ? `quiet hours ${p.quietHours.start}–${p.quietHours.end} (${p.quietHours.timeZone}): cards wait until they end`
    : 'no quiet hours';
  const requests = p.requesterUpdates
    ? 'when someone decides a request of yours here, I tell you'
    : 'I do not tell you when your own requests are decided';
  return `You get ${delivery}; ${quiet}; ${requests}.\n\nChange it with "digest on", "digest off", "quiet 22:00-07:00", "quiet off", "updates on" or "updates off".`;
}

/**
 * Channel subscriptions (`subscribe`, `unsubscribe`, `subscriptions`) and personal notification settings
 * (`settings`, `digest on|off`, `quiet HH:MM-HH:MM [time zone]`, `quiet off`): the work behind those
 * commands, each answering the text to reply with. Which scope each belongs to, and its words, are the
 * bot's command table (src/bot/commands).
 */
export class NotifyCommands {
  constructor(
    private readonly store: Store,
    private readonly defaultTimeZone: string,
    private readonly now: () => Date = () => new Date(),
    /** The hour digests go out, in the user's time zone (NOTIFY_DIGEST_HOUR). */
    private readonly digestHour = 8,
  ) {}

  private describe(p: UserPreferences): string {
    return describePreferences(p, { hour: this.digestHour, timeZone: this.defaultTimeZone });
  }

  /** `subscribe <kind> <name or id>`, in a channel. */
  async subscribe(input: CommandInput, rest: string): Promise<string> {
    const parsed = parseFilter(rest);
    if (!parsed.ok) return parsed.message;
    const { id, reference } = this.channel(input);
    // The outbox finds the channel by this reference when a matching item arrives.
    await this.store.saveReference({
      key: channelKey(id),
      scope: 'channel',
      tenantId: input.conversation.tenantId,
      userId: null,
      userMri: null,
      conversationId: id,
      reference,
      updatedAt: this.now().toISOString(),
    });
    const added = await this.store.addSubscription({
      conversationId: id,
      teamId: input.conversation.teamId,
      channelName: input.conversation.channelName,
      reference,
      filter: parsed.filter,
      createdBy: input.user?.id.toLowerCase() ?? null,
      createdAt: this.now().toISOString(),
    });
    const what = `${KIND_LABEL[parsed.filter.kind]} ${quoted(parsed.filter.displayName, 256)}`;
    return added
      ? `Subscribed. New requests for the ${what} will be posted here as cards; every approver in the channel can decide them as themselves.`
      : `This channel already follows the ${what}.`;
  }

  /** `unsubscribe <kind> <name or id>`, in a channel. */
  async unsubscribe(input: CommandInput, rest: string): Promise<string> {
    const parsed = parseFilter(rest);
    if (!parsed.ok) return parsed.message;
    const { id } = this.channel(input);
    const removed = await this.store.removeSubscription(id, parsed.filter);
    const what = `${KIND_LABEL[parsed.filter.kind]} ${quoted(parsed.filter.displayName, 256)}`;
    return removed
      ? `Unsubscribed: no more cards for the ${what} in this channel.`
      : `This channel does not follow the ${what}. Type "subscriptions" to see what it follows.`;
  }

  /** `subscriptions`, in a channel. */
  async list(input: CommandInput): Promise<string> {
    const subscriptions = await this.store.subscriptionsOf(channelIdOf(input.conversation.id));
    if (subscriptions.length === 0)
      return 'This channel follows nothing yet. Try "subscribe access package <name>".';
    const lines = subscriptions.map(
      (s) => `- ${KIND_LABEL[s.filter.kind]}: ${quoted(s.filter.displayName, 256)}`,
    );
    return `This channel gets cards for:\n\n${lines.join('\n')}`;
  }

  /** `settings`: what the user gets, and how to change it. */
  async settings(input: CommandInput): Promise<string> {
    return this.describe(await this.store.preferencesOf(input.user?.id ?? ''));
  }

  /** `digest on|off`. */
  async digest(input: CommandInput, rest: string): Promise<string> {
    const userId = input.user?.id ?? '';
    const current = await this.store.preferencesOf(userId);
    const choice = rest.trim().toLowerCase();
    if (choice !== 'on' && choice !== 'off')
      return 'Say "digest on" (one card a day) or "digest off" (a card each).';
    const next: UserPreferences = { ...current, delivery: choice === 'on' ? 'digest' : 'instant' };
    await this.store.setPreferences(userId, next);
    return this.describe(next);
  }

  /** `updates on|off`: whether you hear when an approver decides a request of yours through the bot. */
  async updates(input: CommandInput, rest: string): Promise<string> {
    const userId = input.user?.id ?? '';
    const choice = rest.trim().toLowerCase();
    if (choice !== 'on' && choice !== 'off')
      return 'Say "updates on" (a message when a request of yours is decided here) or "updates off".';
    const next: UserPreferences = {
      ...(await this.store.preferencesOf(userId)),
      requesterUpdates: choice === 'on',
    };
    await this.store.setPreferences(userId, next);
    return this.describe(next);
  }

  /** `quiet HH:MM-HH:MM [time zone]` or `quiet off`. */
  async quiet(input: CommandInput, rest: string): Promise<string> {
    const userId = input.user?.id ?? '';
    const current = await this.store.preferencesOf(userId);
    const words = rest.trim().toLowerCase();
    let next: UserPreferences;
    if (words === 'off') next = { ...current, quietHours: null };
    else {
      const [window = '', zoneText] = words.split(' ');
      const parsed = parseWindow(window);
      const zone = this.zone(zoneText ?? null, input.timeZone);
      if (!parsed)
        return 'Say "quiet 22:00-07:00" (24-hour clock), optionally with a time zone, or "quiet off".';
      if (!zone)
        return `I don't know the time zone ${quoted(zoneText, 64)}. Use a name such as Europe/Berlin.`;
      next = { ...current, quietHours: { ...parsed, timeZone: zone } };
    }
    await this.store.setPreferences(userId, next);
    return this.describe(next);
  }

  private channel(input: CommandInput): { id: string; reference: ReferenceJson } {
    const id = channelIdOf(input.conversation.id);
    const conversation = (input.conversation.reference.conversation ?? {}) as Record<string, unknown>;
    // Cards go to the channel itself (a new thread each), not to the thread the command was typed in.
    const reference = {
      ...input.conversation.reference,
      conversation: { ...conversation, id },
      activityId: undefined,
    };
    return { id, reference: JSON.parse(JSON.stringify(reference)) as ReferenceJson };
  }

  private zone(typed: string | null, fromTeams: string | null): string | null {
    if (typed) {
      // IANA names are case-sensitive; the text was lower-cased, so find the canonical spelling.
      const canonical = Intl.supportedValuesOf('timeZone').find((z) => z.toLowerCase() === typed);
      return canonical ?? (isTimeZone(typed) ? typed : null);
    }
    if (fromTeams && isTimeZone(fromTeams)) return fromTeams;
    return this.defaultTimeZone;
  }
}
