import { CardFactory } from 'botbuilder';
import type { ConfigurationBotFrameworkAuthentication, TurnContext } from 'botbuilder';
import type { AuthReply, LoginRequestBody } from './auth-replies';
import { measure } from '../telemetry';
import { SIGN_IN_TEXT, authError, invalidAuthCode, loginRequest, preconditionFailed } from './auth-replies';
import { tokenOwnership } from './token-owner';
import type {
  ActingUser,
  CardActionToken,
  SignInCardResult,
  SignInInvokeResult,
  TokenResult,
  UserTokens,
} from './types';

/**
 * Production sign-in: the Bot Framework token service, reached through the UserTokenClient that
 * CloudAdapter puts in every turn's state (proactive turns included), with one OAuth connection.
 * The token service keys tokens by (from.id, connection, channelId), so every lookup here is for the
 * current activity's `from` and nothing else; no token is kept after a call returns (design rule 1).
 */

/** botbuilder's UserTokenClient (not exported by name from botbuilder; this is the same type). */
export type UserTokenClient = Awaited<
  ReturnType<ConfigurationBotFrameworkAuthentication['createUserTokenClient']>
>;
/**
 * The four calls the flows make: GetToken, exchange, GetSignInResource, SignOut. botbuilder declares
 * getUserToken's magic code as a string, but its implementation (and OAuthPrompt) pass undefined for
 * "no code", which leaves the `code` query parameter out; an empty string would send `code=`.
 */
export type TokenServiceClient = Pick<
  UserTokenClient,
  'exchangeToken' | 'getSignInResource' | 'signOutUser'
> & {
  getUserToken(
    userId: string,
    connectionName: string,
    channelId: string,
    magicCode: string | undefined,
  ): ReturnType<UserTokenClient['getUserToken']>;
};

export const TOKEN_EXCHANGE_INVOKE = 'signin/tokenExchange';
export const VERIFY_STATE_INVOKE = 'signin/verifyState';
export const SIGN_IN_FAILURE_INVOKE = 'signin/failure';

/** The turn has no UserTokenClient: not a CloudAdapter turn (a test adapter, or a local-mode bug). */
export class SignInUnavailableError extends Error {
  readonly code = 'approvals.auth.noUserTokenClient';
}

/**
 * The token service failed (network, 5xx, or no answer within the budget). It replaces botbuilder's
 * RestError on purpose: that one keeps the HTTP request and response on the error (non-enumerable
 * today), whose headers and body hold the bot's app token or the user's SSO token, and any serializer
 * that walks them would write them out. This one carries the operation and the status only.
 */
export class TokenServiceError extends Error {
  readonly code = 'approvals.auth.tokenService';
  constructor(
    readonly operation: 'GetToken' | 'exchange' | 'GetSignInResource' | 'SignOut',
    readonly status: number | null,
    readonly timedOut = false,
  ) {
    super(
      `The Bot Framework token service ${timedOut ? 'did not answer in time' : 'failed'} on ${operation}` +
        (status ? ` (HTTP ${status})` : ''),
    );
  }
}

export function userTokenClientOf(context: TurnContext): TokenServiceClient {
  const adapter: unknown = context.adapter;
  // CloudAdapterBase makes a new Symbol per adapter instance, so the key must come from this turn's adapter.
  const key =
    adapter && typeof adapter === 'object' && 'UserTokenClientKey' in adapter
      ? adapter.UserTokenClientKey
      : undefined;
  const client: unknown = typeof key === 'symbol' ? context.turnState.get(key) : undefined;
  if (
    !client ||
    typeof client !== 'object' ||
    typeof (client as Partial<TokenServiceClient>).getUserToken !== 'function'
  ) {
    throw new SignInUnavailableError('This turn has no UserTokenClient: sign-in needs a CloudAdapter turn');
  }
  return client as TokenServiceClient;
}

interface TurnUser {
  readonly id: string;
  readonly aadObjectId: string | undefined;
  readonly channelId: string;
}

function turnUser(context: TurnContext): TurnUser | null {
  const from: unknown = context.activity.from;
  const channelId = context.activity.channelId;
  if (!from || typeof from !== 'object' || typeof channelId !== 'string' || channelId === '') return null;
  const { id, aadObjectId } = from as { id?: unknown; aadObjectId?: unknown };
  if (typeof id !== 'string' || id.trim() === '') return null;
  return {
    id,
    aadObjectId: typeof aadObjectId === 'string' && aadObjectId !== '' ? aadObjectId : undefined,
    channelId,
  };
}

function statusOf(error: unknown): number | null {
  if (!error || typeof error !== 'object') return null;
  const e = error as { statusCode?: unknown; status?: unknown; response?: { status?: unknown } };
  for (const candidate of [e.statusCode, e.status, e.response?.status]) {
    if (typeof candidate === 'number') return candidate;
  }
  return null;
}

function tokenOf(response: unknown): string | null {
  if (!response || typeof response !== 'object') return null;
  const token = (response as { token?: unknown }).token;
  return typeof token === 'string' && token !== '' ? token : null;
}

/**
 * How long one flow may spend on the token service. botbuilder's HTTP pipeline retries 5xx answers three
 * times with back-off (about 5 s in all), longer than Teams waits for an invoke; past the budget the
 * flow fails with a TokenServiceError so the bot can still answer in time. The call itself is left to
 * finish in the background (a late exchange only stores the user's own token).
 */
export const DEFAULT_TOKEN_SERVICE_BUDGET_MS = 3000;

export interface FlowOptions {
  /** The text on sign-in prompts. */
  readonly text?: string;
  /** Time for all token-service calls of this flow (default DEFAULT_TOKEN_SERVICE_BUDGET_MS). */
  readonly budgetMs?: number;
}

/** One flow for one turn: the turn's user, the client, the connection, and the time left. */
class Flow {
  private readonly deadline: number;

  constructor(
    readonly context: TurnContext,
    readonly user: TurnUser,
    readonly client: TokenServiceClient,
    readonly connectionName: string,
    options: FlowOptions,
  ) {
    this.deadline = Date.now() + (options.budgetMs ?? DEFAULT_TOKEN_SERVICE_BUDGET_MS);
  }

  static open(context: TurnContext, connectionName: string, options: FlowOptions): Flow | null {
    const user = turnUser(context);
    return user ? new Flow(context, user, userTokenClientOf(context), connectionName, options) : null;
  }

  private async call<T>(operation: TokenServiceError['operation'], work: () => Promise<T>): Promise<T> {
    const left = this.deadline - Date.now();
    if (left <= 0) throw new TokenServiceError(operation, null, true);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new TokenServiceError(operation, null, true)), left);
    });
    const attempt = work().catch((error: unknown) => {
      throw new TokenServiceError(operation, statusOf(error));
    });
    // A late failure after the timeout won: nobody waits for it, so keep it from being "unhandled".
    attempt.catch(() => undefined);
    try {
      return await Promise.race([attempt, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** GetToken without a code: what the service holds for this user now. */
  async lookup(): Promise<string | null> {
    const { user, connectionName } = this;
    return tokenOf(
      await this.call('GetToken', () =>
        this.client.getUserToken(user.id, connectionName, user.channelId, undefined),
      ),
    );
  }

  /** Exchanges a Teams SSO token; any failure (consent missing, bad token, outage, time) is "no token". */
  async exchange(ssoToken: string): Promise<string | null> {
    const { user, connectionName } = this;
    try {
      return tokenOf(
        await this.call('exchange', () =>
          this.client.exchangeToken(user.id, connectionName, user.channelId, { token: ssoToken }),
        ),
      );
    } catch {
      return null;
    }
  }

  /** Redeems a magic code; the service refusing it (4xx) is "no token", an outage is an error. */
  async redeem(code: string): Promise<string | null> {
    const { user, connectionName } = this;
    try {
      return tokenOf(
        await this.call('GetToken', () =>
          this.client.getUserToken(user.id, connectionName, user.channelId, code),
        ),
      );
    } catch (error) {
      if (
        error instanceof TokenServiceError &&
        error.status !== null &&
        error.status >= 400 &&
        error.status < 500
      ) {
        return null;
      }
      throw error;
    }
  }

  async signOut(): Promise<void> {
    const { user, connectionName } = this;
    await this.call('SignOut', () => this.client.signOutUser(user.id, connectionName, user.channelId));
  }

  async signInResource() {
    const resource = await this.call('GetSignInResource', () =>
      this.client.getSignInResource(this.connectionName, this.context.activity, ''),
    );
    if (!resource?.signInLink) throw new TokenServiceError('GetSignInResource', null);
    return { ...resource, signInLink: resource.signInLink };
  }

  /** A token that is readably someone else's is removed from this user's slot and not used. */
  async owned(token: string | null): Promise<string | null> {
    if (token === null) return null;
    if (tokenOwnership(token, this.user.aadObjectId) !== 'mismatch') return token;
    await this.signOut();
    return null;
  }

  /**
   * The 401 loginRequest with the sign-in link and SSO resource for this activity's conversation.
   * Without `sso`, the tokenExchangeResource is left out, so Teams shows the sign-in button instead of
   * trying a silent exchange again.
   */
  async loginRequest(sso: boolean, text: string | undefined): Promise<LoginRequestBody> {
    const resource = await this.signInResource();
    measure().signInPrompts.add(1, { via: sso ? 'loginRequestSso' : 'loginRequest' });
    const exchange = resource.tokenExchangeResource;
    return loginRequest({
      connectionName: this.connectionName,
      signInLink: resource.signInLink,
      tokenExchangeResource:
        sso && exchange?.id && exchange.uri
          ? {
              id: exchange.id,
              uri: exchange.uri,
              ...(exchange.providerId ? { providerId: exchange.providerId } : {}),
            }
          : undefined,
      ...(text ? { text } : {}),
    });
  }
}

/** The parts of an `adaptiveCard/action` value the sign-in flow reads; everything else is the bot's. */
interface ActionAuthValue {
  readonly trigger: unknown;
  readonly ssoToken: string | undefined;
  readonly magicCode: string | undefined;
  readonly hasState: boolean;
}

function actionAuthValue(value: unknown): ActionAuthValue {
  const v = value && typeof value === 'object' ? (value as Record<string, unknown>) : {};
  const authentication = v.authentication && typeof v.authentication === 'object' ? v.authentication : {};
  const token = (authentication as { token?: unknown }).token;
  const state = v.state;
  return {
    trigger: v.trigger,
    ssoToken: typeof token === 'string' && token !== '' ? token : undefined,
    magicCode: typeof state === 'string' || typeof state === 'number' ? String(state) : undefined,
    hasState: state !== undefined && state !== null && state !== '',
  };
}

/** Magic codes are short (Teams shows six digits); anything else is not worth a call to the service. */
const MAGIC_CODE = /^[A-Za-z0-9_-]{1,64}$/;

const UNKNOWN_USER = 'Teams did not say who you are, so nothing was decided. Try again from Teams.';

/**
 * The Universal Actions sign-in flow for a manual `adaptiveCard/action` click (teams-platform.md §2.3):
 * an `authentication` token is exchanged (412 when it cannot be), a `state` magic code is redeemed (401
 * invalidAuthCode when it does not), a token the service already holds is used, and otherwise the
 * answer is a 401 loginRequest with the sign-in link and tokenExchangeResource.
 *
 * Never call it for `trigger: "automatic"`: a refresh renders from stored state and must not answer
 * with a sign-in request, which would stop the card from rendering for people who are not signed in.
 * The `connectionName` Teams echoes in `value.authentication` is ignored; ours comes from configuration.
 * Throws TokenServiceError when the token service is down or slow (answer with a 500 body then).
 */
export async function resolveActionToken(
  context: TurnContext,
  connectionName: string,
  options: FlowOptions = {},
): Promise<CardActionToken> {
  const value = actionAuthValue(context.activity.value);
  if (value.trigger === 'automatic') {
    throw new TypeError('resolveActionToken is for manual clicks; an automatic refresh must not sign in');
  }
  // Checked before the client is looked up: a click without a Teams user never reaches the service.
  if (!turnUser(context)?.aadObjectId) return { kind: 'reply', body: authError(UNKNOWN_USER) };
  const flow = Flow.open(context, connectionName, options);
  if (!flow) return { kind: 'reply', body: authError(UNKNOWN_USER) };

  if (value.ssoToken !== undefined) {
    const token = await flow.owned(await flow.exchange(value.ssoToken));
    return token === null ? { kind: 'reply', body: preconditionFailed() } : { kind: 'token', token };
  }
  if (value.hasState) {
    const code = value.magicCode;
    const redeemed = code !== undefined && MAGIC_CODE.test(code) ? await flow.redeem(code) : null;
    const token = await flow.owned(redeemed);
    return token === null ? { kind: 'reply', body: invalidAuthCode() } : { kind: 'token', token };
  }
  const token = await flow.owned(await flow.lookup());
  if (token !== null) return { kind: 'token', token };
  return { kind: 'reply', body: await flow.loginRequest(true, options.text) };
}

/**
 * Graph answered 401 to a token the service gave us: that token is dead (revoked, or consent withdrawn),
 * so the user is signed out and asked again. If this click already came with an SSO token, the answer
 * leaves SSO out, so Teams shows the sign-in button rather than exchange, retry and fail in a loop.
 */
export async function signOutAfterGraph401(
  context: TurnContext,
  connectionName: string,
  options: FlowOptions = {},
): Promise<AuthReply> {
  const flow = Flow.open(context, connectionName, options);
  if (!flow) return authError(UNKNOWN_USER);
  await flow.signOut();
  const retriedWithSso = actionAuthValue(context.activity.value).ssoToken !== undefined;
  return flow.loginRequest(!retriedWithSso, options.text);
}

/** The token the service holds for this turn's user now, for message flows ("pending" and the like). */
export async function tokenForTurn(
  context: TurnContext,
  connectionName: string,
  options: FlowOptions = {},
): Promise<TokenResult> {
  const flow = Flow.open(context, connectionName, options);
  if (!flow) return { kind: 'signInRequired', reason: 'The activity does not say who sent it.' };
  const token = await flow.owned(await flow.lookup());
  return token === null ? { kind: 'signInRequired', reason: 'Not signed in.' } : { kind: 'token', token };
}

export async function signOut(
  context: TurnContext,
  connectionName: string,
  options: FlowOptions = {},
): Promise<void> {
  await Flow.open(context, connectionName, options)?.signOut();
}

/**
 * The `sign in` command: an OAuthCard. In a personal chat it carries the tokenExchangeResource, so Teams
 * signs the user in silently (signin/tokenExchange) where SSO works; elsewhere it is a plain sign-in
 * button, so that showing it in a channel does not set off a silent exchange for every member who sees
 * it. Whoever presses the button signs in as themselves (signin/verifyState comes from them).
 */
export async function sendSignInCard(
  context: TurnContext,
  connectionName: string,
  options: FlowOptions = {},
): Promise<SignInCardResult> {
  const flow = Flow.open(context, connectionName, options);
  if (!flow) return 'unknownUser';
  if ((await flow.owned(await flow.lookup())) !== null) {
    await context.sendActivity('You are already signed in. Type "sign out" to sign out.');
    return 'alreadySignedIn';
  }
  const resource = await flow.signInResource();
  const personal = (context.activity.conversation?.conversationType ?? 'personal') === 'personal';
  measure().signInPrompts.add(1, { via: 'oauthCard' });
  const card = CardFactory.oauthCard(
    connectionName,
    'Sign in',
    options.text ?? SIGN_IN_TEXT,
    resource.signInLink,
    personal ? resource.tokenExchangeResource : undefined,
    resource.tokenPostResource,
  );
  await context.sendActivity({ attachments: [card] });
  return 'cardSent';
}

/**
 * Remembers `signin/tokenExchange` ids for a while: a user signed in on several Teams clients sends one
 * exchange per client, and only the first should lead to "you are signed in". Ids only, never tokens.
 * Per process; with several instances a duplicate may still greet twice, which is harmless.
 */
export class RecentIds {
  private readonly seen = new Map<string, number>();
  constructor(
    private readonly ttlMs = 10 * 60_000,
    private readonly max = 5000,
    private readonly now: () => number = Date.now,
  ) {}

  /** True the first time an id is seen within the TTL. */
  firstTime(id: string): boolean {
    const now = this.now();
    for (const [key, at] of this.seen) {
      if (at > now - this.ttlMs && this.seen.size < this.max) break;
      this.seen.delete(key);
    }
    if (this.seen.has(id)) return false;
    this.seen.set(id, now);
    return true;
  }
}

function invokeValue(context: TurnContext): Record<string, unknown> {
  const value: unknown = context.activity.value;
  return value && typeof value === 'object' ? (value as Record<string, unknown>) : {};
}

/**
 * `signin/tokenExchange` (message-flow SSO after an OAuthCard with tokenExchangeResource). A failed
 * exchange answers 412 with `{ id, connectionName, failureDetail }`, as botbuilder's
 * TeamsSSOTokenExchangeMiddleware does, so Teams falls back to the sign-in button.
 */
export async function handleTokenExchange(
  context: TurnContext,
  connectionName: string,
  recent: RecentIds = new RecentIds(),
  options: FlowOptions = {},
): Promise<SignInInvokeResult> {
  const value = invokeValue(context);
  const id = typeof value.id === 'string' ? value.id : '';
  const failed = (detail: string): SignInInvokeResult => ({
    response: { status: 412, body: { id, connectionName, failureDetail: detail } },
    signedIn: false,
  });
  const flow = Flow.open(context, connectionName, options);
  if (!flow) return failed('The activity does not say who sent it.');
  if (typeof value.token !== 'string' || value.token === '')
    return failed('The exchange request carries no token.');
  const token = await flow.owned(await flow.exchange(value.token));
  if (token === null) return failed('The bot is unable to exchange token. Proceed with regular login.');
  return { response: { status: 200 }, signedIn: id === '' || recent.firstTime(`${flow.user.id}\u0000${id}`) };
}

/** `signin/verifyState`: the magic code Teams sends after the sign-in window closes. */
export async function handleVerifyState(
  context: TurnContext,
  connectionName: string,
  options: FlowOptions = {},
): Promise<SignInInvokeResult> {
  const state = invokeValue(context).state;
  const code = typeof state === 'string' || typeof state === 'number' ? String(state) : '';
  // Teams sends state "CancelledByUser" when the window is closed; that, like a bad code, is no sign-in.
  const flow = Flow.open(context, connectionName, options);
  if (!flow || !MAGIC_CODE.test(code)) return { response: { status: 404 }, signedIn: false };
  const token = await flow.owned(await flow.redeem(code));
  return token === null
    ? { response: { status: 404 }, signedIn: false }
    : { response: { status: 200 }, signedIn: true };
}

/** Routes the three `signin/*` invokes; anything else is not ours (501, as botbuilder answers). */
export async function handleSignInInvoke(
  context: TurnContext,
  connectionName: string,
  recent?: RecentIds,
  options: FlowOptions = {},
): Promise<SignInInvokeResult> {
  switch (context.activity.name) {
    case TOKEN_EXCHANGE_INVOKE:
      return handleTokenExchange(context, connectionName, recent, options);
    case VERIFY_STATE_INVOKE:
      return handleVerifyState(context, connectionName, options);
    case SIGN_IN_FAILURE_INVOKE:
      // Teams reports a failed SSO attempt; the user still has the sign-in button.
      return { response: { status: 200 }, signedIn: false };
    default:
      return { response: { status: 501 }, signedIn: false };
  }
}

export interface BotFrameworkTokensOptions extends FlowOptions {
  /** The Azure Bot's OAuth connection for Microsoft Graph (OAUTH_CONNECTION_NAME). */
  readonly connectionName: string;
}

/** The production UserTokens: every call goes to the token service through the turn's UserTokenClient. */
export class BotFrameworkTokens implements UserTokens {
  private readonly recent = new RecentIds();
  private readonly connectionName: string;
  private readonly flow: FlowOptions;

  constructor(options: BotFrameworkTokensOptions) {
    if (options.connectionName.trim() === '')
      throw new TypeError('BotFrameworkTokens needs an OAuth connection name');
    this.connectionName = options.connectionName;
    this.flow = {
      ...(options.text ? { text: options.text } : {}),
      ...(options.budgetMs ? { budgetMs: options.budgetMs } : {}),
    };
  }

  async getToken(user: ActingUser, turn?: TurnContext): Promise<TokenResult> {
    return tokenForTurn(this.turnOf(user, turn), this.connectionName, this.flow);
  }

  async signOut(user: ActingUser, turn?: TurnContext): Promise<void> {
    await signOut(this.turnOf(user, turn), this.connectionName, this.flow);
  }

  forCardAction(turn: TurnContext): Promise<CardActionToken> {
    return resolveActionToken(turn, this.connectionName, this.flow);
  }

  signOutAfterGraph401(turn: TurnContext): Promise<AuthReply> {
    return signOutAfterGraph401(turn, this.connectionName, this.flow);
  }

  sendSignInCard(turn: TurnContext): Promise<SignInCardResult> {
    return sendSignInCard(turn, this.connectionName, this.flow);
  }

  onSignInInvoke(turn: TurnContext): Promise<SignInInvokeResult> {
    return handleSignInInvoke(turn, this.connectionName, this.recent, this.flow);
  }

  /** The token service only knows the turn's `from`; asking for anyone else is a bug, not a lookup. */
  private turnOf(user: ActingUser, turn: TurnContext | undefined): TurnContext {
    if (!turn)
      throw new TypeError('BotFrameworkTokens needs the turn: pass the TurnContext to getToken/signOut');
    if (turn.activity.from?.id !== user.channelUserId) {
      throw new TypeError('A token may only be looked up for the user who sent the current activity');
    }
    return turn;
  }
}
