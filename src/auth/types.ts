import type { InvokeResponse, TurnContext } from 'botbuilder';
import type { AuthReply } from './auth-replies';

/** Who pressed the button, as the channel says (never from card data). */
export interface ActingUser {
  /** Entra object id (activity.from.aadObjectId). */
  readonly aadObjectId: string;
  /** Teams user id (activity.from.id, 29:…). */
  readonly channelUserId: string;
  readonly name: string;
  readonly tenantId: string | null;
}

export type TokenResult =
  | { readonly kind: 'token'; readonly token: string }
  /** No token yet: the user must sign in (the bot answers with a sign-in request). */
  | { readonly kind: 'signInRequired'; readonly reason: string };

/** The result of looking up a token for a manual Action.Execute click. */
export type CardActionToken =
  | { readonly kind: 'token'; readonly token: string }
  /** Answer the invoke with this Universal Actions body (HTTP 200): sign-in request or sign-in error. */
  | { readonly kind: 'reply'; readonly body: AuthReply };

/** What a `signin/*` invoke came to: the invoke response to return, and whether the user is now signed in. */
export interface SignInInvokeResult {
  readonly response: InvokeResponse;
  /** True once per sign-in (duplicates from the user's other Teams clients say false). */
  readonly signedIn: boolean;
}

/** unknownUser: the activity has no `from`, so there is nobody to sign in (nothing was sent). */
export type SignInCardResult = 'alreadySignedIn' | 'cardSent' | 'localMode' | 'unknownUser';

/**
 * The user-token port: a Graph token for the user who acted, looked up at the time of the action and
 * used for that request only (design rule 1). Every method that takes a turn acts for
 * `turn.activity.from` only; nothing here keeps a token after the call returns.
 */
export interface UserTokens {
  /**
   * The token of `user`. Production needs the turn (the token service is reached through the turn's
   * UserTokenClient) and refuses a user who is not the turn's `from`.
   */
  getToken(user: ActingUser, turn?: TurnContext): Promise<TokenResult>;
  signOut(user: ActingUser, turn?: TurnContext): Promise<void>;
  /**
   * A manual `adaptiveCard/action` click (never `trigger: automatic`): the Universal Actions sign-in flow
   * (SSO token exchanged, magic code redeemed, or a 401 loginRequest / 401 invalidAuthCode / 412).
   */
  forCardAction(turn: TurnContext): Promise<CardActionToken>;
  /**
   * Graph answered 401 to a token from this port during a card click: the user is signed out and the
   * returned body asks them to sign in again.
   */
  signOutAfterGraph401(turn: TurnContext): Promise<AuthReply>;
  /** The `sign in` command (or a message flow that needs a token): sends the sign-in card. */
  sendSignInCard(turn: TurnContext): Promise<SignInCardResult>;
  /** `signin/tokenExchange`, `signin/verifyState` and `signin/failure` invokes. */
  onSignInInvoke(turn: TurnContext): Promise<SignInInvokeResult>;
}
