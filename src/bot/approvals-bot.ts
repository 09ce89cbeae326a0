import { CardFactory, TeamsActivityHandler, TurnContext } from 'botbuilder';
import type { Activity, CloudAdapter, ConversationReference, InvokeResponse } from 'botbuilder';
import type { GovernanceClient } from '../graph';
import type { Decisions } from '../decisions';
import type { UserTokens } from '../auth';
import type { Store, StoredItem } from '../store';
import type { Logger } from '../log';
import { BoundedSet } from '../bounded';
import type { AdaptiveCard } from '../cards';
import { parseCardAction } from './action-data';
import type { ActionResult, ActionRouter } from './actions';
import { VERB_TABLE, createActionRouter } from './actions';
import type { UniversalActionResponse } from './invoke-replies';
import { badRequest, cardReply, messageReply, serverError } from './invoke-replies';
import type { CardSettings } from './views';
import { CardViews } from './views';
import type { Notifier } from '../notify';
import { channelIdOf, channelKey, personalKey, refreshUsersOf } from '../notify';
import { message } from '../messages';
import { traced } from '../telemetry';
import type { CommandDeps } from './commands';
import { deliverPending, helpCard, runCommand } from './commands';
import { scopeOf, viewerOf } from './scope';
import { keptConversation, readRoster, rememberJoined, rememberTeamsUser } from './teams-delivery';

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

/**
 * The Teams edge: install events, typed commands and Universal Actions. It parses what Teams sends, asks
 * decisions/ and graph/ for the work, and answers with cards.
 */
export class ApprovalsBot extends TeamsActivityHandler {
  private readonly views: CardViews;
  private readonly now: () => Date;
  private readonly actions: ActionRouter;
  private readonly commands: CommandDeps;
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

    this.commands = {
      store: deps.store,
      governance: deps.governance,
      tokens: deps.tokens,
      views: this.views,
      cards: deps.cards,
      log: deps.log,
      notifier: deps.notifier,
      now: this.now,
      refreshUsers: (stored, activity) => this.refreshUsers(stored, activity),
    };

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
    const scope = scopeOf(context.activity);
    if (scope === 'personal') await deliverPending(context, this.commands, { quietWhenEmpty: false });
    else await context.sendActivity(this.attachment(helpCard(scope)));
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
      if (result.signedIn) await context.sendActivity(message('approvals.bot.signedInRetry'));
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
      body = serverError(message('approvals.bot.actionFailed'));
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
        // The card in the invoke's answer replaces the pressed one: the update Teams shows.
        return traced('teams.card.update', { 'card.via': 'invokeResponse' }, async () =>
          cardReply(result.card),
        );
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
    await traced('teams.card.update', { 'card.via': 'updateActivity' }, () =>
      this.deps.adapter.continueConversationAsync(this.deps.appId, reference, async (context) => {
        await context.updateActivity({
          type: 'message',
          id: activityId,
          attachments: [CardFactory.adaptiveCard(card)],
        });
      }),
    );
  }

  private refreshUsers(stored: StoredItem, activity: Activity): Promise<string[]> {
    const mine = scopeOf(activity) === 'personal' ? (activity.from?.id ?? null) : null;
    return refreshUsersOf(this.deps.store, stored, mine);
  }

  // ---- Messages and commands ----

  private async onMessageOrSubmit(context: TurnContext): Promise<void> {
    const value = context.activity.value as { verb?: unknown; command?: unknown } | undefined;
    if (value && typeof value === 'object' && 'verb' in value) {
      await this.onSubmit(context, value);
      return;
    }
    // A card's button that runs a command (history's pages) sends it as data: the same words one could type.
    const pressed = typeof value?.command === 'string' && !context.activity.text ? value.command : undefined;
    await runCommand(context, this.commands, undefined, pressed);
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

  private attachment(card: AdaptiveCard): Partial<Activity> {
    return { attachments: [CardFactory.adaptiveCard(card)] };
  }

  // ---- Conversation references ----

  private referenceKey(activity: Activity): string {
    const scope = scopeOf(activity);
    return scope === 'personal' && activity.from?.aadObjectId
      ? personalKey(activity.from.aadObjectId)
      : channelKey(channelIdOf(activity.conversation?.id ?? ''));
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
