import type { ActingUser, TokenResult, UserTokens } from './types';

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
}
