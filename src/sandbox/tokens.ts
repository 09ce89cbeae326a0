import type { SandboxUser } from './types';
import { isRecord } from './json';

/** The delegated scopes the bot requests (graph-contract.md §7); the default for sandbox tokens. */
export const GOVERNANCE_SCOPES: readonly string[] = Object.freeze([
  'EntitlementManagement.ReadWrite.All',
  'PrivilegedAssignmentSchedule.ReadWrite.AzureADGroup',
  'RoleAssignmentSchedule.ReadWrite.Directory',
  'PrivilegedAccess.ReadWrite.AzureAD',
  'AccessReview.ReadWrite.All',
]);

const GRAPH_AUDIENCES: ReadonlySet<string> = new Set([
  'https://graph.microsoft.com',
  'https://graph.microsoft.com/',
  '00000003-0000-0000-c000-000000000000',
]);

const SANDBOX_CLIENT_ID = '5d1f6b0c-0000-4000-8000-5a4db0c0ffee';

const encode = (value: object): string => Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');

export interface MintInput {
  readonly user: Pick<SandboxUser, 'id' | 'displayName' | 'userPrincipalName'>;
  readonly tenantId: string;
  readonly scopes: readonly string[];
  readonly expiresInSeconds: number;
  readonly nowSeconds: number;
}

/** Unsigned (alg none) and shaped like an Entra v1 access token for Graph. */
export function mintToken(input: MintInput): string {
  const iat = input.nowSeconds;
  const payload = {
    aud: 'https://graph.microsoft.com',
    iss: `https://sts.windows.net/${input.tenantId}/`,
    iat,
    nbf: iat,
    exp: iat + input.expiresInSeconds,
    appid: SANDBOX_CLIENT_ID,
    idtyp: 'user',
    name: input.user.displayName,
    oid: input.user.id,
    scp: input.scopes.join(' '),
    sub: input.user.id,
    tid: input.tenantId,
    unique_name: input.user.userPrincipalName,
    upn: input.user.userPrincipalName,
    ver: '1.0',
  };
  return `${encode({ alg: 'none', typ: 'JWT' })}.${encode(payload)}.`;
}

export interface TokenClaims {
  readonly oid: string;
  readonly scopes: ReadonlySet<string>;
}

export type TokenCheck =
  { readonly ok: true; readonly claims: TokenClaims } | { readonly ok: false; readonly message: string };

function decodePart(part: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    return isRecord(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

/** Reads the bearer token the way Graph would, minus the signature (sandbox tokens are unsigned). */
export function readToken(
  authorization: string | undefined,
  tenantId: string,
  nowSeconds: number,
): TokenCheck {
  if (!authorization || /^(Bearer)?\s*$/i.test(authorization))
    return { ok: false, message: 'Access token is empty.' };
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
  const token = match?.[1];
  if (!token)
    return {
      ok: false,
      message: 'Access token validation failure: the Authorization header is not a bearer token.',
    };
  const parts = token.split('.');
  const [headerPart, payloadPart] = parts;
  if (parts.length !== 3 || !headerPart || !payloadPart) {
    return {
      ok: false,
      message: 'IDX14100: JWT is not well formed, there are no dots (.) or the wrong number of parts.',
    };
  }
  const header = decodePart(headerPart);
  const payload = decodePart(payloadPart);
  if (!header || !payload)
    return {
      ok: false,
      message: 'IDX14102: Unable to decode the header or payload as Base64Url encoded JSON.',
    };

  const { aud, tid, oid, exp, scp } = payload;
  if (typeof aud !== 'string' || !GRAPH_AUDIENCES.has(aud))
    return { ok: false, message: 'Access token validation failure. Invalid audience.' };
  if (typeof exp !== 'number' || exp <= nowSeconds)
    return { ok: false, message: 'Lifetime validation failed, the token is expired.' };
  if (typeof tid !== 'string' || tid.toLowerCase() !== tenantId.toLowerCase()) {
    return {
      ok: false,
      message: `Access token validation failure. The token was issued for tenant '${String(tid)}', not '${tenantId}'.`,
    };
  }
  if (typeof oid !== 'string' || oid === '')
    return { ok: false, message: 'Access token validation failure. The token has no oid claim.' };
  const scopes = new Set(
    (typeof scp === 'string' ? scp : '')
      .split(' ')
      .filter((scope) => scope !== '')
      .map((scope) => scope.toLowerCase()),
  );
  return { ok: true, claims: { oid: oid.toLowerCase(), scopes } };
}
