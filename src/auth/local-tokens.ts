import type { TurnContext } from 'botbuilder';
import type { AuthReply } from './auth-replies';
import { authError, authMessage } from './auth-replies';
import type {
  ActingUser,
  CardActionToken,
  SignInCardResult,
  SignInInvokeResult,
  TokenResult,
  UserTokens,
} from './types';

/** Every delegated scope the bot uses (graph-contract.md §7). */
export const GRAPH_SCOPES = [
  'EntitlementManagement.ReadWrite.All',
  'PrivilegedAssignmentSchedule.ReadWrite.AzureADGroup',
  'RoleAssignmentSchedule.ReadWrite.Directory',
  'PrivilegedAccess.ReadWrite.AzureAD',
  'AccessReview.ReadWrite.All',
] as const;

const base64url = (value: string) => Buffer.from(value, 'utf8').toString('base64url');

/**
 * Local mode only: unsigned tokens shaped like Entra access tokens, which the Graph sandbox reads the way
 * Graph would. Never used when Bot Framework credentials are configured.
 */
export class LocalSandboxTokens implements UserTokens {
  constructor(
    private readonly tenantId: string,
    private readonly now: () => number = Date.now,
  ) {}

  async getToken(user: ActingUser): Promise<TokenResult> {
    const issuedAt = Math.floor(this.now() / 1000);
    const payload = {
      aud: 'https://graph.microsoft.com',
      iss: `https://sts.windows.net/${this.tenantId}/`,
      iat: issuedAt,
      nbf: issuedAt,
      exp: issuedAt + 3600,
      oid: user.aadObjectId,
      tid: user.tenantId ?? this.tenantId,
      name: user.name,
      scp: GRAPH_SCOPES.join(' '),
    };
    const token = `${base64url(JSON.stringify({ alg: 'none', typ: 'JWT' }))}.${base64url(JSON.stringify(payload))}.`;
    return { kind: 'token', token };
  }

  async signOut(): Promise<void> {}

  /** The clicking user's sandbox token: the Agents Playground has no sign-in, so there is no flow to run. */
  async forCardAction(turn: TurnContext): Promise<CardActionToken> {
    const user = localUser(turn, this.tenantId);
    if (!user)
      return { kind: 'reply', body: authError('Teams did not say who you are, so nothing was decided.') };
    const result = await this.getToken(user);
    return result.kind === 'token'
      ? result
      : { kind: 'reply', body: authError('No sandbox token for this user, so nothing was decided.') };
  }

  /** A sandbox token is refused only when the sandbox is told to; there is nobody to sign out. */
  async signOutAfterGraph401(): Promise<AuthReply> {
    return authMessage('The Graph sandbox refused the sandbox token, so nothing was decided. Try again.');
  }

  async sendSignInCard(turn: TurnContext): Promise<SignInCardResult> {
    await turn.sendActivity(
      'Local mode: you act with a sandbox token for the Graph sandbox, so there is nothing to sign in to.',
    );
    return 'localMode';
  }

  /** The Playground sends no signin/* invokes; answer 200 so a stray one is not an error. */
  async onSignInInvoke(): Promise<SignInInvokeResult> {
    return { response: { status: 200 }, signedIn: false };
  }
}

/** The user in the activity, as the bot builds it: the same aadObjectId and id, never card data. */
function localUser(turn: TurnContext, defaultTenant: string): ActingUser | null {
  const from = turn.activity.from;
  if (!from?.id || !from.aadObjectId) return null;
  return {
    aadObjectId: from.aadObjectId,
    channelUserId: from.id,
    name: from.name || 'Unknown user',
    tenantId: turn.activity.conversation?.tenantId ?? defaultTenant,
  };
}
