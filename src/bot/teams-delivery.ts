import { CardFactory, TeamsInfo, TurnContext } from 'botbuilder';
import type { Activity, CloudAdapter, ConversationParameters, ConversationReference } from 'botbuilder';
import type { ConnectorClient } from 'botframework-connector';
import type { ActingUser, UserTokens } from '../auth';
import type { AdaptiveCard } from '../cards';
import { byUrgencyOrder, renderNoticeCard, renderSummaryCard } from '../cards';
import type { GovernanceClient, UserGovernance } from '../graph';
import { channelIdOf, personalKey } from '../notify';
import type {
  ApproverAccess,
  CommandInput,
  Created,
  Delivered,
  DeliveryFailure,
  NotifyCards,
  ReferenceJson,
  TeamsDelivery,
} from '../notify';
import type { Store, StoredReference } from '../store';
import type { CardSettings } from './views';
import { CardViews, submitOnlyFor } from './views';

/**
 * The Teams side of notify: posting, updating and creating chats through botbuilder's CloudAdapter, and an
 * approver's Graph token in a proactive turn. Everything here makes one Bot Connector request per call;
 * retries, Retry-After and rate limits are the outbox's (src/notify).
 */

/** Statuses worth another try later (teams-platform.md §4.2), and no answer at all. */
const TRANSIENT = new Set([408, 412, 500, 502, 503, 504]);
const BLOCKED = /MessageWritesBlocked|BotNotInConversationRoster|blocked/i;

interface ErrorShape {
  readonly statusCode?: unknown;
  readonly code?: unknown;
  readonly message?: unknown;
  readonly details?: unknown;
  readonly response?: {
    readonly status?: unknown;
    readonly headers?: { get?(name: string): string | null | undefined };
  };
}

/** Retry-After as seconds or an HTTP date, in ms; null when absent or unreadable. */
export function retryAfterMs(value: string | null | undefined, now = Date.now()): number | null {
  if (!value) return null;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.ceil(seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? null : Math.max(0, date - now);
}

/** What a failed Bot Connector call means for the outbox (botbuilder throws an Azure RestError). */
export function classifyDeliveryError(
  error: unknown,
  operation: 'send' | 'update' | 'create',
): DeliveryFailure {
  const e = (error && typeof error === 'object' ? error : {}) as ErrorShape;
  const status =
    typeof e.statusCode === 'number'
      ? e.statusCode
      : typeof e.response?.status === 'number'
        ? e.response.status
        : null;
  const code = typeof e.code === 'string' ? e.code : '';
  const message = typeof e.message === 'string' ? e.message : String(error);
  // The Teams error body ({ error: { code, subCode, message } }) as botbuilder keeps it.
  const body = e.details === undefined ? '' : JSON.stringify(e.details);
  const detail = `${code || 'error'}: ${message}`.slice(0, 300);
  const everything = `${code} ${message} ${body}`;
  if (status === 429) {
    return {
      kind: 'throttled',
      retryAfterMs: retryAfterMs(e.response?.headers?.get?.('retry-after')),
      detail,
    };
  }
  if (status === 403 && BLOCKED.test(everything)) return { kind: 'blocked', detail };
  if (status === 404 && /ConversationNotFound/i.test(everything))
    return { kind: 'conversationNotFound', detail };
  if (status === 404 && operation === 'update') return { kind: 'messageNotFound', detail };
  if (status === null || TRANSIENT.has(status)) return { kind: 'transient', status, detail };
  return { kind: 'rejected', status, detail };
}

/**
 * botbuilder's HTTP pipeline retries 429 and 5xx by itself, three times, sleeping inside the call. The
 * outbox owns retries instead, so that a Retry-After also pauses the conversation's budget and a slow
 * retry does not hold a delivery slot. (Azure core-rest-pipeline names that policy defaultRetryPolicy.)
 */
function withoutSdkRetries(client: ConnectorClient | undefined): void {
  const pipeline = (
    client as { client?: { pipeline?: { removePolicy(o: { name: string }): unknown } } } | undefined
  )?.client?.pipeline;
  pipeline?.removePolicy({ name: 'defaultRetryPolicy' });
}

function timeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(Object.assign(new Error(`no answer within ${ms} ms`), { code: 'Timeout' })),
      ms,
    );
  });
  work.catch(() => undefined);
  return Promise.race([work, expired]).finally(() => clearTimeout(timer));
}

export interface CloudAdapterDeliveryOptions {
  readonly adapter: CloudAdapter;
  /** The bot's Microsoft App ID; empty in local mode. */
  readonly appId: string;
  /** The Bot Connector's OAuth scope (national clouds differ); botbuilder's default when absent. */
  readonly audience?: string;
  /** Longest wait for one Bot Connector answer. */
  readonly timeoutMs?: number;
}

/** The real TeamsDelivery: continueConversationAsync + the turn's ConnectorClient, createConversationAsync. */
export class CloudAdapterDelivery implements TeamsDelivery {
  private readonly timeoutMs: number;

  constructor(private readonly options: CloudAdapterDeliveryOptions) {
    this.timeoutMs = options.timeoutMs ?? 30_000;
  }

  /** Runs `work` with the connector client of a proactive turn on `reference`. */
  private async inTurn(
    reference: ReferenceJson,
    operation: 'send' | 'update',
    work: (client: ConnectorClient, context: TurnContext) => Promise<string | undefined>,
  ): Promise<Delivered> {
    const { adapter, appId } = this.options;
    const outcome: {
      activityId?: string | undefined;
      conversationId: string;
      error?: unknown;
      ran: boolean;
    } = { conversationId: '', ran: false };
    try {
      await timeout(
        adapter.continueConversationAsync(
          appId,
          reference as Partial<ConversationReference>,
          async (context) => {
            // Caught here: thrown out of the turn, the error would go to onTurnError and be swallowed.
            try {
              const client = context.turnState.get<ConnectorClient>(adapter.ConnectorClientKey);
              withoutSdkRetries(client);
              outcome.conversationId = context.activity.conversation.id;
              outcome.activityId = await work(client, context);
            } catch (error) {
              outcome.error = error;
            }
            outcome.ran = true;
          },
        ),
        this.timeoutMs,
      );
    } catch (error) {
      return { ok: false, failure: classifyDeliveryError(error, operation) };
    }
    if (outcome.error !== undefined || !outcome.ran)
      return { ok: false, failure: classifyDeliveryError(outcome.error, operation) };
    if (!outcome.activityId) {
      return {
        ok: false,
        failure: { kind: 'transient', status: null, detail: 'no activity id in the answer' },
      };
    }
    return { ok: true, activityId: outcome.activityId, conversationId: outcome.conversationId };
  }

  private message(context: TurnContext, card: AdaptiveCard): Partial<Activity> {
    const activity = TurnContext.applyConversationReference(
      { type: 'message', attachments: [CardFactory.adaptiveCard(card)] },
      TurnContext.getConversationReference(context.activity),
    );
    // A new message, not a reply to whatever activity the stored reference last saw.
    delete activity.replyToId;
    return activity;
  }

  send(reference: ReferenceJson, card: AdaptiveCard): Promise<Delivered> {
    return this.inTurn(reference, 'send', async (client, context) => {
      // sendToConversation posts at the end of the conversation: a new thread in a channel (§3.4).
      const sent = await client.conversations.sendToConversation(
        context.activity.conversation.id,
        this.message(context, card),
      );
      return sent.id;
    });
  }

  update(reference: ReferenceJson, activityId: string, card: AdaptiveCard): Promise<Delivered> {
    return this.inTurn(reference, 'update', async (client, context) => {
      const activity = { ...this.message(context, card), id: activityId };
      await client.conversations.updateActivity(context.activity.conversation.id, activityId, activity);
      return activityId;
    });
  }

  async createPersonal(reference: ReferenceJson): Promise<Created> {
    const ref = reference as Partial<ConversationReference>;
    const userId = ref.user?.id;
    const tenantId = ref.conversation?.tenantId;
    if (!userId || !ref.serviceUrl || !ref.bot) {
      return {
        ok: false,
        failure: {
          kind: 'rejected',
          status: null,
          detail: 'the reference lacks the user, bot or serviceUrl',
        },
      };
    }
    // members[].id is the user's Teams id (29:…): an aadObjectId field there is refused with 400 (§3.3).
    const parameters = {
      isGroup: false,
      bot: ref.bot,
      members: [{ id: userId }],
      ...(tenantId ? { tenantId, channelData: { tenant: { id: tenantId } } } : {}),
    } as ConversationParameters;
    const created: { id?: string; error?: unknown } = {};
    try {
      await timeout(
        this.options.adapter.createConversationAsync(
          this.options.appId,
          ref.channelId ?? 'msteams',
          ref.serviceUrl,
          // Typed as string, but botbuilder falls back to its configured Bot Connector scope when undefined.
          this.options.audience as string,
          parameters,
          async (context) => {
            created.id = context.activity.conversation.id;
          },
        ),
        this.timeoutMs,
      );
    } catch (error) {
      return { ok: false, failure: classifyDeliveryError(error, 'create') };
    }
    if (!created.id) {
      return {
        ok: false,
        failure: { kind: 'rejected', status: null, detail: 'no conversation id in the answer' },
      };
    }
    const { activityId: _last, ...rest } = ref;
    const next = {
      ...rest,
      conversation: {
        id: created.id,
        conversationType: 'personal',
        isGroup: false,
        ...(tenantId ? { tenantId } : {}),
      },
    };
    return {
      ok: true,
      conversationId: created.id,
      reference: JSON.parse(JSON.stringify(next)) as ReferenceJson,
    };
  }
}

/** An approver's token from the token service, looked up in a proactive turn on their own reference. */
export class TeamsApproverAccess implements ApproverAccess {
  constructor(
    private readonly deps: {
      readonly adapter: CloudAdapter;
      readonly appId: string;
      readonly tokens: UserTokens;
      readonly governance: GovernanceClient;
    },
  ) {}

  async withGraph<T>(
    reference: StoredReference,
    work: (graph: UserGovernance) => Promise<T>,
  ): Promise<T | null> {
    if (!reference.userId || !reference.userMri) return null;
    const name = (reference.reference.user as { name?: unknown } | undefined)?.name;
    const user: ActingUser = {
      aadObjectId: reference.userId,
      channelUserId: reference.userMri,
      name: typeof name === 'string' && name !== '' ? name : 'Approver',
      tenantId: reference.tenantId,
    };
    const result: { done: boolean; value?: T; error?: unknown } = { done: false };
    await this.deps.adapter.continueConversationAsync(
      this.deps.appId,
      reference.reference as Partial<ConversationReference>,
      async (context) => {
        // Caught here and thrown after the turn: onTurnError would swallow it.
        try {
          // The continuation activity is "from" the reference's user, so the token service answers for them.
          const token = await this.deps.tokens.getToken(user, context);
          if (token.kind !== 'token') return;
          result.value = await work(
            this.deps.governance.asUser({ token: token.token, userId: user.aadObjectId }),
          );
          result.done = true;
        } catch (error) {
          result.error = error ?? new Error('discovery failed');
        }
      },
    );
    if (result.error !== undefined) throw result.error;
    return result.done ? (result.value as T) : null;
  }
}

/** The cards notify posts, rendered exactly as the bot renders its own. */
export function notifyCards(settings: CardSettings, now: () => Date = () => new Date()): NotifyCards {
  const views = new CardViews(settings, now);
  const summary = (max: number) => ({
    max,
    now: now(),
    timeZone: settings.timeZone,
    cloud: settings.cloud,
    // Digests go to personal chats.
    submitOnly: submitOnlyFor(settings, false),
  });
  return {
    item: (stored, options) =>
      views.itemCard(stored.item, {
        canAct: options.canAct,
        refreshUserIds: options.refreshUserIds,
        shared: options.shared,
        ...(options.prompt ? { prompt: options.prompt } : {}),
      }),
    // A channel's copy (no viewer) is seen by everyone there: anyone may press, and Graph decides.
    final: (stored, final, viewerId) =>
      views.finalCard(stored, final, { aadObjectId: viewerId, mri: null, shared: viewerId === null }),
    digest: (items, max) => renderSummaryCard(items, summary(max)),
    urgentFirst: (items) => byUrgencyOrder(items, summary(items.length)),
    notice: (notice) =>
      renderNoticeCard(notice, { now: now(), timeZone: settings.timeZone, cloud: settings.cloud }),
    // Sent to the reviewer's personal chat.
    reviewBulk: (batch) => views.reviewBulkCard(batch, { kind: 'offer' }, false),
  };
}

// ---- What the bot keeps for notify, from inbound activities ----

type Scope = StoredReference['scope'];

/**
 * The conversation to keep for an activity: for a channel the channel itself (a message there names its
 * thread as `19:…;messageid=…`, and new cards should start threads of their own), keyed by channel.
 */
export function keptConversation(
  activity: Activity,
  scope: Scope,
  reference: Record<string, unknown>,
): { readonly conversationId: string; readonly reference: Record<string, unknown> } {
  if (scope !== 'channel') return { conversationId: activity.conversation.id, reference };
  const conversationId = channelIdOf(activity.conversation.id);
  const { activityId: _thread, ...rest } = reference;
  const conversation = (reference.conversation ?? {}) as Record<string, unknown>;
  return { conversationId, reference: { ...rest, conversation: { ...conversation, id: conversationId } } };
}

/** What creating a 1:1 with a user needs (their Teams id, the bot, tenant, serviceUrl), under their key. */
async function rememberPlaceholder(
  store: Store,
  activity: Activity,
  member: { readonly id?: string; readonly name?: string; readonly aadObjectId?: string },
  now: Date,
): Promise<void> {
  const userId = member.aadObjectId?.toLowerCase();
  if (!userId || !member.id) return;
  const key = personalKey(userId);
  if (await store.getReference(key)) return;
  const tenantId = activity.conversation?.tenantId ?? null;
  await store.saveReference({
    key,
    scope: 'personal',
    tenantId,
    userId,
    userMri: member.id,
    conversationId: '',
    reference: JSON.parse(
      JSON.stringify({
        user: { id: member.id, name: member.name, aadObjectId: member.aadObjectId },
        bot: activity.recipient,
        channelId: activity.channelId,
        serviceUrl: activity.serviceUrl,
        conversation: { id: '', conversationType: 'personal', ...(tenantId ? { tenantId } : {}) },
      }),
    ) as Record<string, unknown>,
    updatedAt: now.toISOString(),
  });
}

/**
 * A user who writes in a channel or group chat has the app (through the team or chat) but may have no 1:1
 * with the bot yet: keep what creating one needs under their personal key, with no conversation id; the
 * outbox opens the chat when it first has a card for them. A user who writes to the bot again in their
 * 1:1 is reachable again.
 */
export async function rememberTeamsUser(
  store: Store,
  activity: Activity,
  scope: Scope,
  now: Date,
): Promise<void> {
  const userId = activity.from?.aadObjectId?.toLowerCase();
  if (!userId || !activity.from?.id) return;
  if (scope === 'personal') {
    if (await store.isUnreachable(userId)) await store.clearUnreachable(userId);
    return;
  }
  await rememberPlaceholder(store, activity, activity.from, now);
}

/** How much of a team's roster is read when the bot is added: pages of 500, at most 20 (10,000 members). */
export const ROSTER_PAGE_SIZE = 500;
export const ROSTER_MAX_PAGES = 20;
/** Pause between roster pages, so a large team's roster does not compete with cards for Teams' budget. */
export const ROSTER_PAGE_PAUSE_MS = 1000;

/**
 * Members of a team or group chat have the app there: whoever joins (listed in the activity) gets a
 * placeholder for a 1:1 (see above). When the bot itself is added, the roster is read by `readRoster`,
 * in the background.
 */
export async function rememberJoined(store: Store, activity: Activity, now: Date): Promise<number> {
  if (!activity.conversation || activity.conversation.conversationType === 'personal') return 0;
  let count = 0;
  for (const member of activity.membersAdded ?? []) {
    if (member.id === activity.recipient?.id) continue;
    await rememberPlaceholder(store, activity, member, now);
    count += 1;
  }
  return count;
}

/**
 * The bot was added to a team or group chat: every member gets a placeholder, read page by page from the
 * Bot Connector in a turn of its own after the inbound request was answered, within the page budget.
 */
export async function readRoster(
  adapter: CloudAdapter,
  appId: string,
  where: { readonly reference: Partial<ConversationReference>; readonly teamId: string | null },
  store: Store,
  now: () => Date,
  options: { readonly pauseMs?: number } = {},
): Promise<number> {
  const { reference, teamId } = where;
  let count = 0;
  await adapter.continueConversationAsync(appId, reference, async (context) => {
    let continuationToken: string | undefined;
    for (let page = 0; page < ROSTER_MAX_PAGES; page++) {
      if (page > 0)
        await new Promise((resolve) => setTimeout(resolve, options.pauseMs ?? ROSTER_PAGE_PAUSE_MS));
      // A team's roster is the team's (the turn of our own carries no channelData to say so); a group
      // chat's is the conversation's.
      const members = teamId
        ? await TeamsInfo.getPagedTeamMembers(context, teamId, ROSTER_PAGE_SIZE, continuationToken)
        : await TeamsInfo.getPagedMembers(context, ROSTER_PAGE_SIZE, continuationToken);
      for (const member of members.members) {
        await rememberPlaceholder(store, context.activity, member, now());
        count += 1;
      }
      continuationToken = members.continuationToken || undefined;
      if (!continuationToken) break;
    }
  });
  return count;
}

/** A typed command as notify's commands read it. */
export function notifyCommandInput(activity: Activity, scope: Scope, text: string): CommandInput {
  const channelData = (activity.channelData ?? {}) as {
    team?: { id?: unknown };
    channel?: { name?: unknown };
  };
  const from = activity.from;
  const zone = (activity as { localTimezone?: unknown }).localTimezone;
  return {
    text,
    scope,
    user: from?.aadObjectId ? { id: from.aadObjectId, name: from.name || 'Unknown user' } : null,
    conversation: {
      id: activity.conversation.id,
      teamId: typeof channelData.team?.id === 'string' ? channelData.team.id : null,
      channelName: typeof channelData.channel?.name === 'string' ? channelData.channel.name : null,
      tenantId: activity.conversation.tenantId ?? null,
      reference: JSON.parse(JSON.stringify(TurnContext.getConversationReference(activity))) as ReferenceJson,
    },
    timeZone: typeof zone === 'string' && zone !== '' ? zone : null,
  };
}
