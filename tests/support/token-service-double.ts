import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createSign, generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import { ConfigurationServiceClientCredentialFactory } from 'botbuilder';

/**
 * A stand-in, on loopback, for the Bot Framework token service (https://token.botframework.com), the
 * Entra login endpoint the bot gets its own app token from, and the Bot Framework OpenID metadata and
 * keys that inbound activity JWTs are checked against. It is written from the protocol as botbuilder
 * 4.23's TokenApiClient and JwtTokenExtractor speak it, not from our code.
 */

/** The issuer Bot Framework channel tokens carry (botbuilder's ToBotFromChannelTokenIssuer default). */
export const BOT_FRAMEWORK_ISSUER = 'https://api.botframework.com';
/** The scope the bot asks an app token for when it calls the channel or the token service. */
export const BOT_FRAMEWORK_SCOPE = 'https://api.botframework.com';

export type TokenServiceOperation =
  | 'appToken'
  | 'openIdMetadata'
  | 'keys'
  | 'GetToken'
  | 'exchange'
  | 'SignOut'
  | 'GetTokenStatus'
  | 'GetSignInResource'
  | 'GetSignInUrl'
  | 'signInPage'
  | 'unknown';

/** One request the double answered, in arrival order. */
export interface TokenServiceCall {
  readonly operation: TokenServiceOperation;
  readonly method: string;
  readonly path: string;
  readonly query: Readonly<Record<string, string>>;
  /** The parsed JSON or form body; a client secret is replaced by "[redacted]". */
  readonly body: unknown;
  /** Whether the call carried an app token this double issued (token-service calls require one). */
  readonly authorized: boolean;
  readonly status: number;
  /** For GetSignInResource / GetSignInUrl: the decoded TokenExchangeState botbuilder sent. */
  readonly state?: DecodedExchangeState;
  readonly at: number;
}

/** What botbuilder's UserTokenClient.createTokenExchangeState packs into `state`. */
export interface DecodedExchangeState {
  readonly connectionName?: string;
  readonly msAppId?: string;
  readonly conversation?: {
    readonly user?: { readonly id?: string; readonly aadObjectId?: string };
    readonly conversation?: { readonly id?: string };
    readonly channelId?: string;
    readonly serviceUrl?: string;
  };
}

export interface TokenServiceDoubleOptions {
  readonly appId?: string;
  readonly appPassword?: string;
  readonly tenantId?: string;
  /** The OAuth connection the double knows; a call for any other name is refused, as the real service does. */
  readonly connectionName?: string;
  /** The Token Exchange URL of that connection (the Entra app's Application ID URI). */
  readonly tokenExchangeUri?: string;
  /** Channels each signing key is endorsed for; an activity from another channel fails validation. */
  readonly endorsements?: readonly string[];
  /**
   * How the double mints a user's token after an SSO exchange or a redeemed magic code. By default an
   * opaque string naming the user; tests that call the Graph sandbox pass sandbox-shaped tokens.
   */
  readonly mintUserToken?: (userId: string, connectionName: string) => string;
}

export interface TokenServiceDouble {
  /** Base URL, e.g. http://127.0.0.1:41234 (no trailing slash). */
  readonly url: string;
  readonly appId: string;
  readonly appPassword: string;
  readonly tenantId: string;
  readonly connectionName: string;
  /**
   * Settings as process.env would carry them, pointing botbuilder at this double. Pass them to the
   * bot's configuration (and so to ConfigurationBotFrameworkAuthentication).
   */
  readonly settings: Readonly<Record<string, string>>;
  /**
   * Credentials for the bot's own app token, fetched from this double's login endpoint. botbuilder gets
   * that token with MSAL, which refuses an http:// authority and asks login.microsoftonline.com about
   * unknown hosts, so a loopback double cannot stand in for it through settings alone: pass this as the
   * second argument of `new ConfigurationBotFrameworkAuthentication(settings, credentialsFactory)`.
   */
  readonly credentialsFactory: ConfigurationServiceClientCredentialFactory;
  /** The same, for a bot configured with another secret: the double's login endpoint refuses it. */
  credentialsWithSecret(appPassword: string): ConfigurationServiceClientCredentialFactory;
  /** A Bot Framework channel JWT for an inbound activity, signed with the double's key (no "Bearer "). */
  signActivityJwt(appId: string, serviceUrl: string, options?: SignOptions): string;
  /** The user has signed in before: GetToken returns this token. */
  setUserToken(userId: string, connectionName: string, token: string, channelId?: string): void;
  /** What the service holds for the user now, or null. */
  tokenOf(userId: string, connectionName?: string, channelId?: string): string | null;
  /** The user finished the OAuth sign-in in a browser: returns the magic code that redeems it once. */
  issueMagicCode(userId: string, connectionName?: string, token?: string): string;
  /** An SSO token that only `userId` may exchange (any other non-empty token exchanges for anyone). */
  mintSsoToken(userId: string): string;
  /** The next exchange fails (HTTP 400 with an error body, as the service answers when consent is missing). */
  failNextExchange(): void;
  /**
   * The next `times` calls of this operation answer with this HTTP status and an error body. botbuilder's
   * HTTP pipeline retries 5xx and 408 answers itself (three retries, backing off), so one injected 503
   * is invisible to the bot.
   */
  failNext(operation: TokenServiceOperation, status: number, times?: number): void;
  readonly calls: readonly TokenServiceCall[];
  /** Calls of one operation, for assertions. */
  callsOf(operation: TokenServiceOperation): TokenServiceCall[];
  close(): Promise<void>;
}

export interface SignOptions {
  readonly issuer?: string;
  readonly expiresInSeconds?: number;
  /** Sign with a key the double does not publish (the signature then fails). */
  readonly foreignKey?: boolean;
}

const b64url = (value: string | Buffer) => Buffer.from(value).toString('base64url');

function signJwt(
  header: Record<string, unknown>,
  payload: Record<string, unknown>,
  privateKey: string,
): string {
  const input = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(payload))}`;
  const signer = createSign('RSA-SHA256');
  signer.update(input);
  return `${input}.${signer.sign(privateKey).toString('base64url')}`;
}

function decodeState(raw: string | undefined): DecodedExchangeState | undefined {
  if (!raw) return undefined;
  try {
    const parsed: unknown = JSON.parse(Buffer.from(raw, 'base64').toString('utf8'));
    return parsed && typeof parsed === 'object' ? (parsed as DecodedExchangeState) : undefined;
  } catch {
    return undefined;
  }
}

function operationOf(method: string, path: string): TokenServiceOperation {
  const p = path.toLowerCase();
  if (method === 'POST' && /^\/[^/]+\/oauth2\/v2\.0\/token$/.test(p)) return 'appToken';
  if (method === 'GET' && p === '/v1/.well-known/openidconfiguration') return 'openIdMetadata';
  if (method === 'GET' && p === '/v1/.well-known/keys') return 'keys';
  if (method === 'GET' && p === '/api/usertoken/gettoken') return 'GetToken';
  if (method === 'POST' && p === '/api/usertoken/exchange') return 'exchange';
  if (method === 'DELETE' && p === '/api/usertoken/signout') return 'SignOut';
  if (method === 'GET' && p === '/api/usertoken/gettokenstatus') return 'GetTokenStatus';
  if (method === 'GET' && p === '/api/botsignin/getsigninresource') return 'GetSignInResource';
  if (method === 'GET' && p === '/api/botsignin/getsigninurl') return 'GetSignInUrl';
  if (method === 'GET' && p === '/signin') return 'signInPage';
  return 'unknown';
}

const TOKEN_SERVICE_OPERATIONS: ReadonlySet<TokenServiceOperation> = new Set([
  'GetToken',
  'exchange',
  'SignOut',
  'GetTokenStatus',
  'GetSignInResource',
  'GetSignInUrl',
]);

type WebResource = Parameters<
  Awaited<ReturnType<ConfigurationServiceClientCredentialFactory['createCredentials']>>['signRequest']
>[0];

/** App credentials that get the bot's token from the double with a client-credentials grant, as MSAL would. */
class LoopbackAppCredentials {
  private cached: { token: string; expiresAt: number } | null = null;

  constructor(
    private readonly appId: string,
    private readonly appPassword: string,
    private readonly loginEndpoint: string,
    private readonly scope: string,
  ) {}

  async signRequest(webResource: WebResource): Promise<WebResource> {
    webResource.headers.set('authorization', `Bearer ${await this.token()}`);
    return webResource;
  }

  private async token(): Promise<string> {
    if (this.cached && this.cached.expiresAt > Date.now()) return this.cached.token;
    const res = await fetch(`${this.loginEndpoint.replace(/\/+$/, '')}/oauth2/v2.0/token`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: this.appId,
        client_secret: this.appPassword,
        scope: `${this.scope.replace(/\/+$/, '')}/.default`,
      }).toString(),
    });
    if (!res.ok) throw new Error(`The login endpoint refused the bot's credentials (HTTP ${res.status})`);
    const body = (await res.json()) as { access_token?: unknown; expires_in?: unknown };
    if (typeof body.access_token !== 'string') throw new Error('The login endpoint returned no access_token');
    const seconds = typeof body.expires_in === 'number' ? body.expires_in : 3600;
    this.cached = { token: body.access_token, expiresAt: Date.now() + (seconds - 300) * 1000 };
    return body.access_token;
  }
}

/** botbuilder's own factory (app id checks, auth-disabled rules), with the app token taken from the double. */
class LoopbackCredentialFactory extends ConfigurationServiceClientCredentialFactory {
  constructor(
    private readonly loopbackAppId: string,
    private readonly loopbackPassword: string,
    tenantId: string,
  ) {
    super({
      MicrosoftAppId: loopbackAppId,
      MicrosoftAppPassword: loopbackPassword,
      MicrosoftAppType: 'SingleTenant',
      MicrosoftAppTenantId: tenantId,
    });
  }

  override async createCredentials(
    appId: string,
    audience: string,
    loginEndpoint: string,
    validateAuthority: boolean,
  ): ReturnType<ConfigurationServiceClientCredentialFactory['createCredentials']> {
    if (await this.isAuthenticationDisabled()) {
      return super.createCredentials(appId, audience, loginEndpoint, validateAuthority);
    }
    if (!(await this.isValidAppId(appId))) throw new Error('Invalid appId.');
    return new LoopbackAppCredentials(
      this.loopbackAppId,
      this.loopbackPassword,
      loginEndpoint,
      audience || BOT_FRAMEWORK_SCOPE,
    );
  }
}

interface StoredToken {
  readonly token: string;
  readonly expiration: string;
}

export async function startTokenServiceDouble(
  options: TokenServiceDoubleOptions = {},
): Promise<TokenServiceDouble> {
  const appId = options.appId ?? randomUUID();
  const appPassword = options.appPassword ?? randomBytes(18).toString('base64url');
  const tenantId = options.tenantId ?? randomUUID();
  const connectionName = options.connectionName ?? 'graph';
  const tokenExchangeUri = options.tokenExchangeUri ?? `api://botid-${appId}`;
  const endorsements = [...(options.endorsements ?? ['msteams', 'webchat', 'directline', 'emulator'])];
  let serial = 0;
  const mintUserToken =
    options.mintUserToken ??
    ((userId: string, connection: string) => `user-token.${connection}.${userId}.${++serial}`);

  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const privatePem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const jwk = publicKey.export({ format: 'jwk' });
  const kid = randomBytes(8).toString('hex');
  // A second key, never published: tokens signed with it must be refused.
  const foreignPem = generateKeyPairSync('rsa', { modulusLength: 2048 })
    .privateKey.export({ type: 'pkcs8', format: 'pem' })
    .toString();

  const calls: TokenServiceCall[] = [];
  const appTokens = new Set<string>();
  const userTokens = new Map<string, StoredToken>();
  const magicCodes = new Map<string, { userId: string; connectionName: string; token: string }>();
  const ssoTokens = new Map<string, string>();
  const failures: { operation: TokenServiceOperation; status: number }[] = [];
  const keyOf = (userId: string, connection: string, channelId: string) =>
    JSON.stringify([userId, connection.toLowerCase(), channelId.toLowerCase()]);
  const expiration = () => new Date(Date.now() + 3600_000).toISOString();

  let url = '';

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const parsedUrl = new URL(req.url ?? '/', 'http://127.0.0.1');
      const method = req.method ?? 'GET';
      const operation = operationOf(method, parsedUrl.pathname);
      const query: Record<string, string> = {};
      for (const [k, v] of parsedUrl.searchParams) query[k] = v;
      let body: unknown = undefined;
      const contentType = req.headers['content-type'] ?? '';
      if (raw) {
        if (contentType.includes('application/x-www-form-urlencoded')) {
          const form: Record<string, string> = {};
          for (const [k, v] of new URLSearchParams(raw)) form[k] = v;
          body = form;
        } else {
          try {
            body = JSON.parse(raw);
          } catch {
            body = raw;
          }
        }
      }
      const bearer = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? '')?.[1] ?? null;
      const authorized = bearer !== null && appTokens.has(bearer);
      let state: DecodedExchangeState | undefined;

      const send = (status: number, payload?: unknown, type = 'application/json') => {
        const recordedBody =
          body && typeof body === 'object' && 'client_secret' in body
            ? { ...body, client_secret: '[redacted]' }
            : body;
        calls.push({
          operation,
          method,
          path: parsedUrl.pathname,
          query,
          body: recordedBody,
          authorized,
          status,
          ...(state ? { state } : {}),
          at: Date.now(),
        });
        if (payload === undefined) {
          res.writeHead(status);
          res.end();
          return;
        }
        res.writeHead(status, { 'Content-Type': type });
        res.end(typeof payload === 'string' ? payload : JSON.stringify(payload));
      };
      const error = (status: number, code: string, message: string) =>
        send(status, { error: { code, message } });

      const failure = failures.findIndex((f) => f.operation === operation);
      if (failure !== -1) {
        const [f] = failures.splice(failure, 1);
        if (f) {
          error(f.status, f.status >= 500 ? 'ServiceError' : 'BadRequest', 'Failure injected by the test');
          return;
        }
      }
      if (TOKEN_SERVICE_OPERATIONS.has(operation) && !authorized) {
        error(401, 'Unauthorized', 'The bot must present an app token issued by the login endpoint');
        return;
      }
      const knownConnection = (name: string | undefined) =>
        name !== undefined && name.toLowerCase() === connectionName.toLowerCase();
      const channelId = query.channelId ?? '';

      switch (operation) {
        case 'appToken': {
          const form = (body ?? {}) as Record<string, string>;
          const tenantInPath = parsedUrl.pathname.split('/')[1] ?? '';
          if (
            form.grant_type !== 'client_credentials' ||
            form.client_id !== appId ||
            form.client_secret !== appPassword
          ) {
            send(401, { error: 'invalid_client', error_description: 'Unknown client or wrong secret' });
            return;
          }
          if (tenantInPath.toLowerCase() !== tenantId.toLowerCase() && tenantInPath !== 'botframework.com') {
            send(400, { error: 'invalid_request', error_description: `Unknown tenant ${tenantInPath}` });
            return;
          }
          const token = `app-token.${randomBytes(16).toString('base64url')}`;
          appTokens.add(token);
          send(200, { token_type: 'Bearer', expires_in: 3600, ext_expires_in: 3600, access_token: token });
          return;
        }
        case 'openIdMetadata':
          send(200, {
            issuer: BOT_FRAMEWORK_ISSUER,
            authorization_endpoint: `${url}/v1/authorize`,
            jwks_uri: `${url}/v1/.well-known/keys`,
            id_token_signing_alg_values_supported: ['RS256'],
            token_endpoint_auth_methods_supported: ['private_key_jwt'],
          });
          return;
        case 'keys':
          send(200, { keys: [{ kty: 'RSA', use: 'sig', kid, n: jwk.n, e: jwk.e, endorsements }] });
          return;
        case 'GetToken': {
          const { userId, connectionName: connection, code } = query;
          if (!userId || !knownConnection(connection) || !channelId) {
            error(400, 'BadArgument', 'userId, a known connectionName and channelId are required');
            return;
          }
          const key = keyOf(userId, connection ?? '', channelId);
          if (code) {
            const pending = magicCodes.get(code);
            if (!pending || pending.userId !== userId || !knownConnection(pending.connectionName)) {
              send(404);
              return;
            }
            magicCodes.delete(code);
            userTokens.set(key, { token: pending.token, expiration: expiration() });
          }
          const stored = userTokens.get(key);
          if (!stored) {
            send(404);
            return;
          }
          send(200, { channelId, connectionName, token: stored.token, expiration: stored.expiration });
          return;
        }
        case 'exchange': {
          const { userId, connectionName: connection } = query;
          const request = (body ?? {}) as { token?: unknown; uri?: unknown };
          if (!userId || !knownConnection(connection) || !channelId) {
            error(400, 'BadArgument', 'userId, a known connectionName and channelId are required');
            return;
          }
          if (typeof request.token !== 'string' || request.token === '') {
            error(400, 'BadArgument', 'Only token exchange is supported by this double');
            return;
          }
          const owner = ssoTokens.get(request.token);
          if (owner !== undefined && owner !== userId) {
            error(400, 'InvalidToken', 'The SSO token belongs to another user');
            return;
          }
          const token = mintUserToken(userId, connectionName);
          const stored = { token, expiration: expiration() };
          userTokens.set(keyOf(userId, connectionName, channelId), stored);
          send(200, { channelId, connectionName, token, expiration: stored.expiration });
          return;
        }
        case 'SignOut': {
          const { userId, connectionName: connection } = query;
          if (!userId || !channelId) {
            error(400, 'BadArgument', 'userId and channelId are required');
            return;
          }
          for (const key of [...userTokens.keys()]) {
            const [u, c, ch] = JSON.parse(key) as [string, string, string];
            if (
              u === userId &&
              ch === channelId.toLowerCase() &&
              (!connection || c === connection.toLowerCase())
            ) {
              userTokens.delete(key);
            }
          }
          send(200, {});
          return;
        }
        case 'GetTokenStatus': {
          const { userId } = query;
          const has = userId ? userTokens.has(keyOf(userId, connectionName, channelId)) : false;
          send(200, [
            {
              channelId,
              connectionName,
              hasToken: has,
              serviceProviderDisplayName: 'Azure Active Directory v2',
            },
          ]);
          return;
        }
        case 'GetSignInResource':
        case 'GetSignInUrl': {
          state = decodeState(query.state);
          if (!state || state.msAppId !== appId || !knownConnection(state.connectionName)) {
            error(
              400,
              'BadArgument',
              'state must be a TokenExchangeState for this bot and a known connection',
            );
            return;
          }
          const signInLink = `${url}/signin?id=${randomUUID()}`;
          if (operation === 'GetSignInUrl') {
            send(200, JSON.stringify(signInLink));
            return;
          }
          send(200, {
            signInLink,
            tokenExchangeResource: { id: randomUUID(), uri: tokenExchangeUri, providerId: 'aadv2' },
            tokenPostResource: { sasUrl: `${url}/api/tokenpost/${randomUUID()}` },
          });
          return;
        }
        case 'signInPage':
          send(
            200,
            '<!doctype html><title>Sign in</title><p>Token service double: sign-in page.</p>',
            'text/html',
          );
          return;
        default:
          error(404, 'NotFound', `No route for ${method} ${parsedUrl.pathname}`);
      }
    });
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const settings: Record<string, string> = {
    MicrosoftAppId: appId,
    MicrosoftAppPassword: appPassword,
    MicrosoftAppType: 'SingleTenant',
    MicrosoftAppTenantId: tenantId,
    OAUTH_CONNECTION_NAME: connectionName,
    // Setting any one of these switches botbuilder to its "parameterized" mode, where every one that is
    // left unset is undefined (not the public-cloud default), so they go together.
    OAuthApiEndpoint: url,
    ToBotFromChannelOpenIdMetadataUrl: `${url}/v1/.well-known/openidconfiguration`,
    ToBotFromChannelTokenIssuer: BOT_FRAMEWORK_ISSUER,
    ToBotFromEmulatorOpenIdMetadataUrl: `${url}/v1/.well-known/openidconfiguration`,
    ToChannelFromBotLoginUrl: `${url}/${tenantId}`,
    ToChannelFromBotOAuthScope: BOT_FRAMEWORK_SCOPE,
    CallerId: 'urn:botframework:azure',
    ValidateAuthority: 'true',
    // The Teams service is played by doubles on this machine.
    TEAMS_SERVICE_URL_HOSTS: 'http://127.0.0.1',
  };

  return {
    url,
    appId,
    appPassword,
    tenantId,
    connectionName,
    settings,
    credentialsFactory: new LoopbackCredentialFactory(appId, appPassword, tenantId),
    credentialsWithSecret: (secret) => new LoopbackCredentialFactory(appId, secret, tenantId),
    signActivityJwt(audience, serviceUrl, sign = {}) {
      const now = Math.floor(Date.now() / 1000);
      return signJwt(
        { alg: 'RS256', typ: 'JWT', kid },
        {
          iss: sign.issuer ?? BOT_FRAMEWORK_ISSUER,
          aud: audience,
          serviceurl: serviceUrl,
          nbf: now - 60,
          iat: now - 60,
          exp: now + (sign.expiresInSeconds ?? 3600),
        },
        sign.foreignKey ? foreignPem : privatePem,
      );
    },
    setUserToken(userId, connection, token, channelId = 'msteams') {
      userTokens.set(keyOf(userId, connection, channelId), { token, expiration: expiration() });
    },
    tokenOf(userId, connection = connectionName, channelId = 'msteams') {
      return userTokens.get(keyOf(userId, connection, channelId))?.token ?? null;
    },
    issueMagicCode(userId, connection = connectionName, token) {
      let code: string;
      do code = String(100000 + Math.floor(Math.random() * 900000));
      while (magicCodes.has(code));
      magicCodes.set(code, {
        userId,
        connectionName: connection,
        token: token ?? mintUserToken(userId, connection),
      });
      return code;
    },
    mintSsoToken(userId) {
      const token = `sso-token.${randomBytes(12).toString('base64url')}`;
      ssoTokens.set(token, userId);
      return token;
    },
    failNextExchange() {
      failures.push({ operation: 'exchange', status: 400 });
    },
    failNext(operation, status, times = 1) {
      for (let i = 0; i < times; i++) failures.push({ operation, status });
    },
    calls,
    callsOf: (operation) => calls.filter((c) => c.operation === operation),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
