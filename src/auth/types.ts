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

/**
 * The user-token port: a Graph token for the user who acted, looked up at the time of the action and
 * used for that request only (design rule 1).
 */
export interface UserTokens {
  getToken(user: ActingUser): Promise<TokenResult>;
  signOut(user: ActingUser): Promise<void>;
}
