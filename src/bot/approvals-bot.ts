import { CardFactory, TeamsActivityHandler, TurnContext } from 'botbuilder';
import type { Activity, CloudAdapter, ConversationReference, InvokeResponse } from 'botbuilder';
import type { GovernanceClient } from '../graph';
import { itemKey } from '../domain';
import type { Decisions } from '../decisions';
import type { UserTokens } from '../auth';
import type { CardCopy, Store, StoredItem, StoredReference } from '../store';
import type { Logger } from '../log';
import { BoundedSet } from '../bounded';
import type { AdaptiveCard } from '../cards';
import { byUrgencyOrder, quoted, renderHelpCard, renderSummaryCard } from '../cards';
import { parseCardAction } from './action-data';
import type { ActionResult, ActionRouter } from './actions';
import { VERB_TABLE, actingUser, createActionRouter } from './actions';
import type { UniversalActionResponse } from './invoke-replies';
import { badRequest, cardReply, messageReply, serverError } from './invoke-replies';
import type { CardSettings, Viewer } from './views';
import { CardViews } from './views';
import type { Notifier } from '../notify';
import { channelIdOf, isNotifyCommand } from '../notify';
import {
  keptConversation,
  notifyCommandInput,
  readRoster,
  rememberJoined,
  rememberTeamsUser,
} from './teams-delivery';

export interface BotDeps {
  readonly adapter: CloudAdapter;
  /** The bot's Microsoft App ID; empty in local mode. */
  readonly appId: string;
  readonly store: Store;
  readonly decisions: Decisions;
  readonly governance: GovernanceClient;
  readonly tokens: UserTokens;
  readonly log: Logger;
  readonly cards: CardSettings;
  readonly now?: () => Date;
  /** How long a click may wait for Graph before the user gets "working on it" (Teams waits about 5 s). */
  readonly answerWithinMs?: number;
  /** Notifications: copies updated through the durable outbox, subscription and settings commands. */
  readonly notifier: Pick<Notifier, 'finalized' | 'commands' | 'observed'>;
}

type Scope = StoredReference['scope'];

const MAX_REFRESH_USERS = 60;

function scopeOf(activity: Activity): Scope {
  const type = activity.conversation?.conversationType;
  if (type === 'channel') return 'channel';
  if (type === 'groupChat') return 'groupChat';
  return 'personal';
}

function viewerOf(activity: Activity): Viewer {
  return {
    aadObjectId: activity.from?.aadObjectId ?? null,
    mri: activity.from?.id ?? null,
    shared: scopeOf(activity) !== 'personal',
  };
}

/**
 * The Teams edge: install events, typed commands and Universal Actions. It parses what Teams sends, asks
 * decisions/ and graph/ for the work, and answers with cards.
 */
export class ApprovalsBot extends TeamsActivityHandler {
  private readonly views: CardViews;
  private readonly now: () => Date;
  private readonly actions: ActionRouter;
  /** Background work (late card updates) that shutdown and tests can wait for. */
  private readonly background = new Set<Promise<unknown>>();

  constructor(private readonly deps: BotDeps) {
    super();
    this.now = deps.now ?? (() => new Date());
    this.views = new CardViews(deps.cards, this.now);
    this.actions = createActionRouter(VERB_TABLE, {
      store: deps.store,
      decisions: deps.decisions,
      governance: deps.governance,
      tokens: deps.tokens,
      views: this.views,
      log: deps.log,
      answerWithinMs: deps.answerWithinMs ?? 4500,
      refreshUsers: (stored, activity) => this.refreshUsers(stored, activity),
      track: (work) => this.track(work),
      updateMessage: (reference, activityId, card) => this.updateMessage(reference, activityId, card),
    });

    this.onTurn(async (context, next) => {
      await this.rememberConversation(context);
      await next();
    });
    this.onInstallationUpdateAdd(async (context, next) => {
      await this.greet(context);
      await next();
    });
    this.onInstallationUpdateRemove(async (context, next) => {
      await this.deps.store.removeReference(this.referenceKey(context.activity));
      await next();
    });
    this.onMembersAdded(async (context, next) => {
      const botAdded = (context.activity.membersAdded ?? []).some(
        (m) => m.id === context.activity.recipient?.id,
      );
      if (botAdded) await this.greet(context);
      // Team members have the app through the team: notify may open a 1:1 with them.
      if (botAdded && scopeOf(context.activity) !== 'personal') {
        const reference = TurnContext.getConversationReference(context.activity);
        const team = (context.activity.channelData as { team?: { id?: unknown } } | undefined)?.team?.id;
        const where = { reference, teamId: typeof team === 'string' ? team : null };
        this.track(
          readRoster(this.deps.adapter, this.deps.appId, where, this.deps.store, this.now).then(
            (members) => this.deps.log.info({ members }, 'read the roster of a team or chat'),
            (error: unknown) =>
              this.deps.log.warn({ err: error }, 'could not read the members of this team or chat'),
          ),
        );
      } else await rememberJoined(this.deps.store, context.activity, this.now());
      await next();
    });
    this.onMessage(async (context, next) => {
      await this.onMessageOrSubmit(context);
      await next();
    });
  }

  /**
   * Teams sends both installationUpdate and conversationUpdate on install, seconds apart; greet once. Only
   * recent installs need remembering: bounded to the last 1,000 conversations greeted.
   */
  private readonly greeted = new BoundedSet<string>(1000);

  private async greet(context: TurnContext): Promise<void> {
    if (!this.greeted.add(context.activity.conversation.id)) return;
    if (scopeOf(context.activity) === 'personal')
      await this.deliverPending(context, { quietWhenEmpty: false });
    else await context.sendActivity(this.attachment(renderHelpCard({ scope: scopeOf(context.activity) })));
  }

  /** Resolves when every late card update started so far has finished. */
  async idle(): Promise<void> {
    while (this.background.size > 0) await Promise.allSettled([...this.background]);
  }

  private track(work: Promise<unknown>): void {
    const guarded = work.catch((error: unknown) =>
      this.deps.log.error({ err: error }, 'background card update failed'),
    );
    this.background.add(guarded);
    void guarded.finally(() => this.background.delete(guarded));
  }

  protected override async onInvokeActivity(context: TurnContext): Promise<InvokeResponse> {
    if (context.activity.name?.startsWith('signin/')) {
      const result = await this.deps.tokens.onSignInInvoke(context);
      if (result.signedIn)
        await context.sendActivity(
          'You are signed in. Press the button on the card again, or type "pending".',
        );
      return result.response;
    }
    if (context.activity.name !== 'adaptiveCard/action') {
      // An invoke this bot does not handle is the caller's mistake: a 400 with a body, and no handler of
      // botbuilder's (file consent, message extensions…) runs on input nobody here validated.
      return {
        status: 400,
        body: { error: { code: 'NotSupported', message: 'This bot does not handle this kind of invoke.' } },
      };
    }
    let body: UniversalActionResponse;
    try {
      body = await this.onCardAction(context);
    } catch (error) {
      this.deps.log.error({ err: error }, 'card action failed');
      body = serverError('Something went wrong on our side. Try again in a minute; nothing was decided.');
    }
    // Universal Actions want HTTP 200 whatever the body says (teams-platform.md §0.1).
    return { status: 200, body };
  }

  // ---- Universal Actions ----

  private async onCardAction(context: TurnContext): Promise<UniversalActionResponse> {
    const value = (context.activity.value ?? {}) as {
      action?: { type?: unknown; verb?: unknown; data?: unknown };
      trigger?: unknown;
    };
    const action = value.action;
    if (!action || action.type !== 'Action.Execute') return badRequest('This card action is not supported.');
    const parsed = parseCardAction(action.verb, action.data);
    if (!parsed.ok) return badRequest(parsed.message);
    const automatic = value.trigger === 'automatic';
    const press = { context, viewer: viewerOf(context.activity), submitted: false };
    const result = await this.actions.route(parsed.value, press, automatic);
    switch (result.kind) {
      case 'card':
        return cardReply(result.card);
      case 'message':
        return messageReply(result.text);
      case 'reply':
        return result.body;
    }
  }

  private async updateMessage(
    reference: Partial<ConversationReference>,
    activityId: string,
    card: AdaptiveCard,
  ): Promise<void> {
    await this.deps.adapter.continueConversationAsync(this.deps.appId, reference, async (context) => {
      await context.updateActivity({
        type: 'message',
        id: activityId,
        attachments: [CardFactory.adaptiveCard(card)],
      });
    });
  }

  private async refreshUsers(stored: StoredItem, activity: Activity): Promise<string[]> {
    const users = new Set<string>();
    for (const approverId of stored.approverIds) {
      const reference = await this.deps.store.getReference(`user:${approverId}`);
      if (reference?.userMri) users.add(reference.userMri);
      if (users.size >= MAX_REFRESH_USERS) break;
    }
    if (scopeOf(activity) === 'personal' && activity.from?.id && users.size < MAX_REFRESH_USERS)
      users.add(activity.from.id);
    return [...users];
  }

  // ---- Messages and commands ----

  private async onMessageOrSubmit(context: TurnContext): Promise<void> {
    const value = context.activity.value as { verb?: unknown } | undefined;
    if (value && typeof value === 'object' && 'verb' in value) {
      await this.onSubmit(context, value);
      return;
    }
    const text = TurnContext.removeRecipientMention(context.activity) ?? context.activity.text ?? '';
    const command = text
      .replace(/<[^>]*>/g, '')
      .trim()
      .toLowerCase();
    const scope = scopeOf(context.activity);
    if (isNotifyCommand(command)) {
      const input = notifyCommandInput(context.activity, scope, text.replace(/<[^>]*>/g, '').trim());
      const reply = await this.deps.notifier.commands.handle(input);
      if (reply !== null) {
        await context.sendActivity(reply);
        return;
      }
    }
    switch (command) {
      case 'pending':
        if (scope !== 'personal') {
          await context.sendActivity(
            'Your pending items are private: I list them in our personal chat. Open a chat with me and type "pending".',
          );
          return;
        }
        await this.deliverPending(context, { quietWhenEmpty: false });
        return;
      case 'sign in':
      case 'signin':
      case 'login': {
        const result = await this.deps.tokens.sendSignInCard(context);
        if (result === 'alreadySignedIn' || result === 'localMode')
          await context.sendActivity('You are signed in.');
        return;
      }
      case 'sign out':
      case 'signout':
      case 'logout': {
        const user = actingUser(context.activity);
        if (user) await this.deps.tokens.signOut(user, context);
        await context.sendActivity('You are signed out. Type "sign in" when you want to decide again.');
        return;
      }
      case 'history':
        await this.sendHistory(context);
        return;
      case 'help':
      case '':
        await context.sendActivity(this.attachment(renderHelpCard({ scope })));
        return;
      default:
        await context.sendActivity({
          text: `I don't know ${quoted(text, 60)}. Here is what I can do:`,
          attachments: [CardFactory.adaptiveCard(renderHelpCard({ scope }))],
        });
    }
  }

  /** Action.Submit fallback: the click arrives as a message, and the card can only be changed by an update. */
  private async onSubmit(context: TurnContext, value: unknown): Promise<void> {
    const data = value as { verb?: unknown };
    const parsed = parseCardAction(data.verb, value);
    if (!parsed.ok) {
      await context.sendActivity(parsed.message);
      return;
    }
    const press = { context, viewer: viewerOf(context.activity), submitted: true };
    const result: ActionResult = await this.actions.route(parsed.value, press, false);
    const cardId = context.activity.replyToId;
    if (result.kind === 'card' && cardId) {
      try {
        await context.updateActivity({
          type: 'message',
          id: cardId,
          attachments: [CardFactory.adaptiveCard(result.card)],
        });
        return;
      } catch (error) {
        this.deps.log.warn({ err: error }, 'could not update the card after Action.Submit; replying instead');
      }
    }
    if (result.kind === 'card') await context.sendActivity(this.attachment(result.card));
    else if (result.kind === 'message') await context.sendActivity(result.text);
    else await this.deps.tokens.sendSignInCard(context);
  }

  /** Reads what waits on the user in Graph, as the user, and posts one card per item (or a summary). */
  private async deliverPending(context: TurnContext, options: { quietWhenEmpty: boolean }): Promise<void> {
    const user = actingUser(context.activity);
    if (!user) return;
    const token = await this.deps.tokens.getToken(user, context);
    if (token.kind !== 'token') {
      await this.deps.tokens.sendSignInCard(context);
      return;
    }
    const discovery = await this.deps.governance
      .asUser({ token: token.token, userId: user.aadObjectId })
      .discoverPending();
    const stored: StoredItem[] = [];
    for (const item of discovery.items) stored.push(await this.deps.store.putItem(item, user.aadObjectId));
    // Discovery watches these from now on, so a card shown here is updated when decided elsewhere.
    await this.deps.notifier.observed(
      user.aadObjectId,
      stored.map((s) => s.key),
    );
    const open = stored.filter((s) => !s.final);

    if (open.length === 0 && discovery.problems.length === 0) {
      if (!options.quietWhenEmpty)
        await context.sendActivity(
          'Nothing is waiting on you right now. I will post a card here when something does.',
        );
      return;
    }
    // What already has a card in this chat is not posted again: the chat holds it, and a second copy
    // would only be one more card to keep up to date.
    const here = context.activity.conversation.id;
    const unseen: StoredItem[] = [];
    for (const s of open) {
      const copies = await this.deps.store.copiesOf(s.key);
      if (!copies.some((c) => c.conversationId === here)) unseen.push(s);
    }
    const max = this.deps.cards.pendingSummaryThreshold;
    const summary = {
      max,
      now: this.now(),
      timeZone: this.deps.cards.timeZone,
      submitOnly: this.deps.cards.submitOnly,
    };
    const shown = open.length - unseen.length;
    if (open.length > max || unseen.length === 0) {
      // Many items, or all of them already here: one summary, most urgent first.
      await context.sendActivity(
        this.attachment(
          renderSummaryCard(
            open.map((s) => s.item),
            summary,
          ),
        ),
      );
    }
    const urgent = byUrgencyOrder(
      unseen.map((s) => s.item),
      summary,
    )
      .slice(0, max)
      .map((item) => itemKey(item.target));
    for (const key of urgent) {
      const s = unseen.find((o) => o.key === key);
      if (s) await this.sendItemCard(context, s);
    }
    if (shown > 0) {
      await context.sendActivity(
        unseen.length === 0
          ? `Everything waiting on you (${open.length}) already has a card in this chat: scroll up to decide.`
          : `${shown} more already ${shown === 1 ? 'has a card' : 'have cards'} in this chat: scroll up to decide ${shown === 1 ? 'it' : 'them'}.`,
      );
    }
    if (discovery.problems.length > 0) {
      const sources = [...new Set(discovery.problems.map((p) => p.source))].join(', ');
      await context.sendActivity(
        `Some requests could not be read from Microsoft Graph (${sources}). The cards above may be incomplete; type "pending" to try again.`,
      );
    }
  }

  /** The user's own recent decisions, from the audit log. */
  private async sendHistory(context: TurnContext): Promise<void> {
    const userId = context.activity.from?.aadObjectId;
    if (!userId) return;
    const entries = await this.deps.store.auditFor(userId, 10);
    if (entries.length === 0) {
      await context.sendActivity('You have not decided anything through me yet.');
      return;
    }
    const lines = entries.map(
      (e) =>
        `- ${e.at.slice(0, 16).replace('T', ' ')} UTC: ${e.decision} on ${e.title.replace(/[[\]<>*_`]/g, '')} → ${e.outcome}`,
    );
    await context.sendActivity(`Your recent decisions:\n\n${lines.join('\n')}`);
  }

  private async sendItemCard(context: TurnContext, stored: StoredItem): Promise<void> {
    const card = this.views.forViewer(
      stored,
      viewerOf(context.activity),
      await this.refreshUsers(stored, context.activity),
    );
    const sent = await context.sendActivity(this.attachment(card));
    if (!sent?.id) return;
    const reference = TurnContext.getConversationReference(context.activity);
    const copy: CardCopy = {
      itemKey: stored.key,
      conversationId: context.activity.conversation.id,
      activityId: sent.id,
      scope: scopeOf(context.activity),
      recipientId:
        scopeOf(context.activity) === 'personal'
          ? (context.activity.from?.aadObjectId?.toLowerCase() ?? null)
          : null,
      reference: JSON.parse(JSON.stringify(reference)) as Record<string, unknown>,
      sentAt: this.now().toISOString(),
    };
    await this.deps.store.addCopy(copy);
  }

  private attachment(card: AdaptiveCard): Partial<Activity> {
    return { attachments: [CardFactory.adaptiveCard(card)] };
  }

  // ---- Conversation references ----

  private referenceKey(activity: Activity): string {
    const scope = scopeOf(activity);
    return scope === 'personal' && activity.from?.aadObjectId
      ? `user:${activity.from.aadObjectId.toLowerCase()}`
      : `channel:${channelIdOf(activity.conversation?.id ?? '')}`;
  }

  /** Every inbound activity refreshes where we can reach this user or channel (flow 1). */
  private async rememberConversation(context: TurnContext): Promise<void> {
    const activity = context.activity;
    if (
      !activity.conversation?.id ||
      (activity.type === 'installationUpdate' && activity.action === 'remove')
    )
      return;
    const scope = scopeOf(activity);
    const reference = JSON.parse(JSON.stringify(TurnContext.getConversationReference(activity))) as Record<
      string,
      unknown
    >;
    const kept = keptConversation(activity, scope, reference);
    await this.deps.store.saveReference({
      key: this.referenceKey(activity),
      scope,
      tenantId: activity.conversation.tenantId ?? null,
      userId: scope === 'personal' ? (activity.from?.aadObjectId?.toLowerCase() ?? null) : null,
      userMri: scope === 'personal' ? (activity.from?.id ?? null) : null,
      conversationId: kept.conversationId,
      reference: kept.reference,
      updatedAt: this.now().toISOString(),
    });
    await rememberTeamsUser(this.deps.store, activity, scope, this.now());
  }
}
