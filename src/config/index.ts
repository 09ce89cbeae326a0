/**
 * One validated configuration object, built once at start-up from the environment. This is the only
 * module that reads process.env; everything else receives a Config.
 */

export type GraphCloudName = 'Global' | 'USGovL4' | 'USGovL5' | 'China';
export type AppType = 'MultiTenant' | 'SingleTenant' | 'UserAssignedMsi';

export interface BotFrameworkSettings {
  readonly appId: string;
  readonly appPassword: string | null;
  readonly appType: AppType;
  readonly tenantId: string | null;
  readonly oauthConnectionName: string;
  /**
   * Bot Framework endpoints (national clouds, or a local token-service double). botbuilder leaves every
   * unset one undefined once any is set, so they are always passed as a complete set.
   */
  readonly endpoints: BotFrameworkEndpoints;
}

export interface BotFrameworkEndpoints {
  readonly OAuthApiEndpoint: string;
  readonly ToBotFromChannelOpenIdMetadataUrl: string;
  readonly ToBotFromChannelTokenIssuer: string;
  readonly ToChannelFromBotLoginUrl: string;
  readonly ToChannelFromBotOAuthScope: string;
  readonly ToBotFromEmulatorOpenIdMetadataUrl: string;
  readonly CallerId: string;
  readonly ValidateAuthority: boolean;
}

/** The public cloud's values, used for every endpoint setting that is not given. */
export const PUBLIC_BOT_FRAMEWORK_ENDPOINTS: BotFrameworkEndpoints = {
  OAuthApiEndpoint: 'https://api.botframework.com',
  ToBotFromChannelOpenIdMetadataUrl: 'https://login.botframework.com/v1/.well-known/openidconfiguration',
  ToBotFromChannelTokenIssuer: 'https://api.botframework.com',
  ToChannelFromBotLoginUrl: 'https://login.microsoftonline.com/botframework.com',
  ToChannelFromBotOAuthScope: 'https://api.botframework.com',
  ToBotFromEmulatorOpenIdMetadataUrl:
    'https://login.microsoftonline.com/common/v2.0/.well-known/openid-configuration',
  CallerId: 'urn:botframework:azure',
  ValidateAuthority: true,
};

export interface NotifyConfig {
  /** Every signed-in approver is discovered this often; 0 = only on demand (pushes). */
  readonly discoverySeconds: number;
  /** The shared secret that signs /api/notify pushes (a secret: never logged); null refuses them all. */
  readonly secret: string | null;
  /** A reminder goes this long before a stage or review ends; 0 = none. */
  readonly reminderHours: number;
  /** More new items than this for one approver at once → one digest card instead of a card each. */
  readonly digestThreshold: number;
  /** Local hour (0–23) of the daily digest for approvers who chose "digest on". */
  readonly digestHour: number;
  /** How long a claimed outbox entry is held; after a crash, others take it over after this. */
  readonly leaseSeconds: number;
}

/** One allowed service URL origin: `https://*.teams.microsoft.com`, `http://127.0.0.1` (any port when none). */
export interface ServiceUrlRule {
  readonly scheme: 'https' | 'http';
  /** Lower case; `*.example.com` matches any subdomain of example.com, not example.com itself. */
  readonly host: string;
  readonly port: number | null;
}

/** Where Teams' Bot Connector lives (teams-platform.md §3.2: the public, GCC, GCC High and DoD clouds). */
export const TEAMS_SERVICE_URL_HOSTS = 'smba.trafficmanager.net,*.teams.microsoft.com,*.teams.microsoft.us';
/** Local mode: the Agents Playground and test doubles on this machine. */
export const LOCAL_SERVICE_URL_HOSTS = 'http://localhost,http://127.0.0.1,http://[::1]';

/** Parses `https://host`, `http://127.0.0.1:3978`, `*.teams.microsoft.com` (https when no scheme). */
export function parseServiceUrlRule(entry: string): ServiceUrlRule | null {
  const match = /^(?:(https?):\/\/)?(\*\.)?([a-z0-9.-]+|\[[0-9a-f:]+\])(?::(\d{1,5}))?\/?$/i.exec(
    entry.trim(),
  );
  if (!match) return null;
  const [, scheme, wildcard, host, port] = match;
  return {
    scheme: (scheme?.toLowerCase() ?? 'https') as 'https' | 'http',
    host: `${wildcard ?? ''}${(host ?? '').toLowerCase()}`,
    port: port === undefined ? null : Number(port),
  };
}

export interface Config {
  /** local: no credentials; the Graph sandbox and the Agents Playground stand in for Graph and Teams. */
  readonly mode: 'local' | 'production';
  readonly port: number;
  readonly host: string;
  readonly botFramework: BotFrameworkSettings | null;
  readonly graph: { readonly cloud: GraphCloudName; readonly baseUrl: string | null };
  readonly sandbox: { readonly port: number };
  readonly playground: { readonly port: number; readonly start: boolean };
  readonly cards: {
    /**
     * auto: Action.Submit in personal chats (Teams mobile clients fail on Action.Execute; one viewer needs no
     * per-user views), Universal Actions where several people see one card. execute or submit: one mode
     * everywhere.
     */
    readonly actions: 'auto' | 'execute' | 'submit';
    readonly timeZone: string;
    /** Above this many pending items, `pending` answers with one summary card. */
    readonly pendingSummaryThreshold: number;
  };
  readonly logLevel: string;
  readonly maxBodyBytes: number;
  /** Service URLs an inbound activity may name (the bot calls them back): https in production. */
  readonly serviceUrls: readonly ServiceUrlRule[];
  /**
   * Where the store keeps its data; `memory` keeps nothing across restarts; `azure` is Azure Storage, shared
   * by several instances, with its connection string (a secret: never logged) and name prefix.
   */
  readonly store: {
    readonly engine: 'sqlite' | 'memory' | 'azure';
    readonly directory: string;
    /** `RETENTION_DAYS`: how long ended items, settled outbox entries and audit records are kept. */
    readonly retentionDays: number;
    readonly azure: {
      readonly connectionString: string | null;
      /**
       * The account's table and blob endpoints, used with an Entra token (managed identity in Azure,
       * developer credentials locally) when no connection string is set: no storage secret to rotate.
       */
      readonly tableUrl: string | null;
      readonly blobUrl: string | null;
      /** The client id of the user-assigned managed identity that reads and writes the account. */
      readonly identityClientId: string | null;
      readonly prefix: string;
    };
  };
  /** Notifications: discovery schedule, reminders, digests, the outbox lease, /api/notify. */
  readonly notify: NotifyConfig;
  /** Where traces and metrics go; nowhere unless one is set. */
  readonly telemetry: {
    /** `OTEL_EXPORTER_OTLP_ENDPOINT`: an OTLP/HTTP collector. */
    readonly otlpEndpoint: string | null;
    /** `APPLICATIONINSIGHTS_CONNECTION_STRING`: Application Insights (never logged). */
    readonly appInsightsConnectionString: string | null;
    /** `OTEL_METRIC_EXPORT_INTERVAL` (ms): how often metrics are exported. */
    readonly metricIntervalMs: number;
  };
}

export class ConfigError extends Error {
  readonly code = 'approvals.config.invalid';
  constructor(readonly problems: readonly string[]) {
    super(`Invalid configuration:\n- ${problems.join('\n- ')}`);
  }
}

type Env = Readonly<Record<string, string | undefined>>;

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const CLOUDS: readonly GraphCloudName[] = ['Global', 'USGovL4', 'USGovL5', 'China'];
const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

class Reader {
  readonly problems: string[] = [];
  constructor(private readonly env: Env) {}

  text(name: string): string | null {
    const value = this.env[name];
    return value === undefined || value.trim() === '' ? null : value.trim();
  }

  int(name: string, fallback: number, min: number, max: number): number {
    const raw = this.text(name);
    if (raw === null) return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min || value > max) {
      this.problems.push(`${name} must be a whole number from ${min} to ${max}, got "${raw}"`);
      return fallback;
    }
    return value;
  }

  oneOf<T extends string>(name: string, allowed: readonly T[], fallback: T): T {
    const raw = this.text(name);
    if (raw === null) return fallback;
    const match = allowed.find((a) => a.toLowerCase() === raw.toLowerCase());
    if (!match) this.problems.push(`${name} must be one of ${allowed.join(', ')}, got "${raw}"`);
    return match ?? fallback;
  }

  url(name: string): string | null {
    const raw = this.text(name);
    if (raw === null) return null;
    try {
      const url = new URL(raw);
      if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new Error('not http');
      return raw.replace(/\/+$/, '');
    } catch {
      this.problems.push(`${name} must be an http(s) URL, got "${raw}"`);
      return null;
    }
  }
}

function readBotFramework(r: Reader): BotFrameworkSettings | null {
  const appId = r.text('MicrosoftAppId');
  if (appId === null) return null;
  if (!GUID.test(appId))
    r.problems.push(`MicrosoftAppId must be the bot's Microsoft App ID (a GUID), got "${appId}"`);
  const appType = r.oneOf<AppType>(
    'MicrosoftAppType',
    ['MultiTenant', 'SingleTenant', 'UserAssignedMsi'],
    'SingleTenant',
  );
  const appPassword = r.text('MicrosoftAppPassword');
  const tenantId = r.text('MicrosoftAppTenantId');
  const hasCertificate = r.text('CertificateThumbprint') !== null && r.text('CertificatePrivateKey') !== null;
  if (appType !== 'MultiTenant') {
    if (tenantId === null)
      r.problems.push(`MicrosoftAppTenantId is required when MicrosoftAppType is ${appType}`);
    else if (!GUID.test(tenantId)) r.problems.push(`MicrosoftAppTenantId must be a GUID, got "${tenantId}"`);
  }
  if (appType === 'UserAssignedMsi' && appPassword !== null) {
    r.problems.push('MicrosoftAppPassword must not be set when MicrosoftAppType is UserAssignedMsi');
  }
  if (appType !== 'UserAssignedMsi' && appPassword === null && !hasCertificate) {
    r.problems.push(
      `MicrosoftAppPassword (or CertificateThumbprint and CertificatePrivateKey) is required when MicrosoftAppType is ${appType}`,
    );
  }
  const oauthConnectionName = r.text('OAUTH_CONNECTION_NAME');
  if (oauthConnectionName === null) {
    r.problems.push(
      "OAUTH_CONNECTION_NAME is required in production: the Azure Bot's OAuth connection for Microsoft Graph",
    );
  }
  return {
    appId,
    appPassword,
    appType,
    tenantId,
    oauthConnectionName: oauthConnectionName ?? '',
    endpoints: readEndpoints(r),
  };
}

function readEndpoints(r: Reader): BotFrameworkEndpoints {
  const d = PUBLIC_BOT_FRAMEWORK_ENDPOINTS;
  const validate = r.text('ValidateAuthority');
  return {
    OAuthApiEndpoint: r.url('OAuthApiEndpoint') ?? r.url('OAuthUrl') ?? d.OAuthApiEndpoint,
    ToBotFromChannelOpenIdMetadataUrl:
      r.url('ToBotFromChannelOpenIdMetadataUrl') ?? d.ToBotFromChannelOpenIdMetadataUrl,
    ToBotFromChannelTokenIssuer: r.text('ToBotFromChannelTokenIssuer') ?? d.ToBotFromChannelTokenIssuer,
    ToChannelFromBotLoginUrl: r.url('ToChannelFromBotLoginUrl') ?? d.ToChannelFromBotLoginUrl,
    ToChannelFromBotOAuthScope: r.text('ToChannelFromBotOAuthScope') ?? d.ToChannelFromBotOAuthScope,
    ToBotFromEmulatorOpenIdMetadataUrl:
      r.url('ToBotFromEmulatorOpenIdMetadataUrl') ?? d.ToBotFromEmulatorOpenIdMetadataUrl,
    CallerId: r.text('CallerId') ?? d.CallerId,
    ValidateAuthority: validate === null ? d.ValidateAuthority : validate.toLowerCase() !== 'false',
  };
}

/** Builds the configuration, or throws a ConfigError that names every missing or wrong variable. */
export function loadConfig(env: Env = process.env): Config {
  const r = new Reader(env);
  const botFramework = readBotFramework(r);
  const production = r.text('NODE_ENV') === 'production' || r.text('APP_MODE') === 'production';
  if (production && botFramework === null) {
    r.problems.push(
      'MicrosoftAppId is required in production (with MicrosoftAppType, MicrosoftAppTenantId and MicrosoftAppPassword or a managed identity): the bot refuses to run without Bot Framework authentication',
    );
  }
  const config: Config = {
    mode: botFramework === null && !production ? 'local' : 'production',
    port: r.int('PORT', 3978, 0, 65535),
    host: r.text('HOST') ?? (botFramework === null ? '127.0.0.1' : '0.0.0.0'),
    botFramework,
    graph: { cloud: r.oneOf('GRAPH_CLOUD', CLOUDS, 'Global'), baseUrl: r.url('GRAPH_BASE_URL') },
    sandbox: { port: r.int('SANDBOX_PORT', 4001, 0, 65535) },
    playground: {
      port: r.int('PLAYGROUND_PORT', 56150, 1, 65535),
      start: r.text('START_PLAYGROUND') !== 'false',
    },
    cards: {
      actions: r.oneOf('CARD_ACTIONS', ['auto', 'execute', 'submit'] as const, 'auto'),
      timeZone: timeZone(r),
      pendingSummaryThreshold: r.int('PENDING_SUMMARY_THRESHOLD', 5, 1, 50),
    },
    logLevel: r.oneOf('LOG_LEVEL', LOG_LEVELS, 'info'),
    maxBodyBytes: r.int('MAX_BODY_BYTES', 256 * 1024, 1024, 10 * 1024 * 1024),
    serviceUrls: readServiceUrls(r, botFramework === null && !production),
    store: readStore(r),
    notify: readNotify(r, botFramework === null && !production),
    telemetry: {
      otlpEndpoint: r.url('OTEL_EXPORTER_OTLP_ENDPOINT'),
      appInsightsConnectionString: r.text('APPLICATIONINSIGHTS_CONNECTION_STRING'),
      metricIntervalMs: r.int('OTEL_METRIC_EXPORT_INTERVAL', 60_000, 100, 3_600_000),
    },
  };
  if (r.problems.length > 0) throw new ConfigError(r.problems);
  return Object.freeze(config);
}

function readStore(r: Reader): Config['store'] {
  const engine = r.oneOf('STORE', ['sqlite', 'memory', 'azure'] as const, 'sqlite');
  const connectionString = r.text('AZURE_STORAGE_CONNECTION_STRING');
  const tableUrl = r.url('AZURE_STORAGE_TABLE_URL');
  const blobUrl = r.url('AZURE_STORAGE_BLOB_URL');
  const identityClientId = r.text('AZURE_CLIENT_ID');
  const prefix = r.text('AZURE_STORAGE_PREFIX') ?? 'approvals';
  const byUrl = tableUrl !== null || blobUrl !== null;
  if (engine === 'azure' && connectionString === null && !byUrl) {
    r.problems.push(
      'STORE is azure: set AZURE_STORAGE_TABLE_URL and AZURE_STORAGE_BLOB_URL (with a managed identity), or AZURE_STORAGE_CONNECTION_STRING: the storage account every instance shares',
    );
  }
  if (connectionString !== null && byUrl) {
    r.problems.push(
      'Set either AZURE_STORAGE_CONNECTION_STRING or AZURE_STORAGE_TABLE_URL and AZURE_STORAGE_BLOB_URL, not both',
    );
  } else if (byUrl && (tableUrl === null || blobUrl === null)) {
    r.problems.push(
      `${tableUrl === null ? 'AZURE_STORAGE_TABLE_URL' : 'AZURE_STORAGE_BLOB_URL'} is required with ${tableUrl === null ? 'AZURE_STORAGE_BLOB_URL' : 'AZURE_STORAGE_TABLE_URL'}: the account's table and blob endpoints, e.g. https://<account>.table.core.windows.net`,
    );
  }
  for (const [name, value] of [
    ['AZURE_STORAGE_TABLE_URL', tableUrl],
    ['AZURE_STORAGE_BLOB_URL', blobUrl],
  ] as const) {
    if (value !== null && !value.startsWith('https://'))
      r.problems.push(`${name} must be an https URL: a token is never sent over plain http, got "${value}"`);
  }
  if (!/^[A-Za-z][A-Za-z0-9]{0,39}$/.test(prefix)) {
    r.problems.push(
      `AZURE_STORAGE_PREFIX must be a letter followed by up to 39 letters or digits, got "${prefix}"`,
    );
  }
  return {
    engine,
    directory: r.text('DATA_DIR') ?? 'data',
    retentionDays: r.int('RETENTION_DAYS', 90, 1, 3650),
    azure: { connectionString, tableUrl, blobUrl, identityClientId, prefix },
  };
}

function readNotify(r: Reader, local: boolean): NotifyConfig {
  const secret = r.text('NOTIFY_SECRET');
  if (secret !== null && secret.length < 32) {
    r.problems.push(
      'NOTIFY_SECRET must be at least 32 characters (a random string shared with the push sender)',
    );
  }
  return {
    // Locally a minute, so that the demo shows decisions taken elsewhere soon; five minutes in production.
    discoverySeconds: r.int('NOTIFY_DISCOVERY_SECONDS', local ? 60 : 300, 0, 86_400),
    secret,
    reminderHours: r.int('NOTIFY_REMINDER_HOURS', 24, 0, 720),
    digestThreshold: r.int('NOTIFY_DIGEST_THRESHOLD', 10, 1, 1000),
    digestHour: r.int('NOTIFY_DIGEST_HOUR', 9, 0, 23),
    leaseSeconds: r.int('NOTIFY_LEASE_SECONDS', 60, 5, 3600),
  };
}

function readServiceUrls(r: Reader, local: boolean): readonly ServiceUrlRule[] {
  const raw =
    r.text('TEAMS_SERVICE_URL_HOSTS') ?? (local ? LOCAL_SERVICE_URL_HOSTS : TEAMS_SERVICE_URL_HOSTS);
  const rules: ServiceUrlRule[] = [];
  for (const entry of raw.split(',').filter((e) => e.trim() !== '')) {
    const rule = parseServiceUrlRule(entry);
    if (rule) rules.push(rule);
    else
      r.problems.push(
        `TEAMS_SERVICE_URL_HOSTS must list host names such as smba.trafficmanager.net or *.teams.microsoft.com (http://host for a local double), got "${entry.trim()}"`,
      );
  }
  if (rules.length === 0) r.problems.push('TEAMS_SERVICE_URL_HOSTS must list at least one host');
  if (!local && rules.some((rule) => rule.scheme === 'http' && !isLoopback(rule.host)))
    r.problems.push(
      'TEAMS_SERVICE_URL_HOSTS may name http:// hosts only on this machine (loopback) in production',
    );
  return Object.freeze(rules);
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

function timeZone(r: Reader): string {
  const zone = r.text('CARD_TIME_ZONE') ?? 'UTC';
  try {
    new Intl.DateTimeFormat('en-GB', { timeZone: zone });
    return zone;
  } catch {
    r.problems.push(`CARD_TIME_ZONE must be an IANA time zone such as Europe/London, got "${zone}"`);
    return 'UTC';
  }
}
