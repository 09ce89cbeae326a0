import {
  ConfigurationBotFrameworkAuthentication,
  ConfigurationServiceClientCredentialFactory,
} from 'botbuilder';
import type { ConfigurationBotFrameworkAuthenticationOptions } from 'botbuilder';
import type { ServiceClientCredentialsFactory } from 'botframework-connector';
import type { Config } from './config';
import type { Logger } from './log';
import type { Coordination, StorageAccount, Store, StoreOptions } from './store';
import type { TokenCredential } from '@azure/core-auth';
import type { UserTokens } from './auth';
import type { RunningServer } from './server';
import type { Notifier, NotifySettings, RateLimiter } from './notify';
import { ApprovalsBot } from './bot';
import { createDecisions } from './decisions';
import { createGovernanceClient } from './graph';
import {
  BudgetRateLimiter,
  LeaseKeeper,
  leaseBucketOf,
  openCoordination,
  openStore,
  startHousekeeping,
} from './store';
import { EdgeAdapter, startServer } from './server';
import type { Readiness } from './server';
import { observeOutbox, startTelemetry } from './telemetry';
import { message } from './messages';
import type { Telemetry } from './telemetry';
import { processOwner, startNotifier } from './notify';
import { CloudAdapterDelivery, TeamsApproverAccess, notifyCards } from './bot/teams-delivery';

export interface AppOverrides {
  readonly store?: Store;
  /** The token credential for Azure Storage by URL; a managed identity (DefaultAzureCredential) unless given. */
  readonly storageCredential?: TokenCredential;
  /** How the bot gets its own app token; tests point it at a local double. */
  readonly credentialsFactory?: ServiceClientCredentialsFactory;
  readonly now?: () => Date;
  readonly answerWithinMs?: number;
  /** Notifier settings over the configuration's (tests: intervals, worker options, a rate limiter). */
  readonly notify?: Partial<NotifySettings> & { readonly limiter?: RateLimiter };
}

export interface App {
  readonly server: RunningServer;
  readonly bot: ApprovalsBot;
  readonly adapter: EdgeAdapter;
  readonly store: Store;
  readonly notifier: Notifier;
  /** With the Azure store: the discovery lease buckets this instance keeps; null with one instance. */
  readonly leases: LeaseKeeper | null;
  /** Where traces and metrics go; `flush` exports what is buffered. */
  readonly telemetry: Telemetry;
  close(): Promise<void>;
}

/**
 * Approvers are spread over this many discovery lease buckets: enough for a few dozen instances to share,
 * few enough that renewing them costs little (one blob request per bucket held, every third of the ttl).
 */
export const DISCOVERY_BUCKETS = 32;
/** Member leases for counting live instances (LeaseKeeper's fair share): more than any plausible scale-out. */
const MEMBER_SLOTS = 16;

interface ScaleOut {
  readonly leases: LeaseKeeper;
  readonly budget: Coordination['budget'];
  stop(): Promise<void>;
}

/**
 * Several instances on Azure Storage: the discovery buckets' blob leases, kept by a LeaseKeeper
 * ticking every third of the ttl, and the rate budget all instances share. The first tick runs before the
 * notifier starts, so that the first discovery cycle already knows which approvers are this instance's.
 */
async function startScaleOut(
  storeOptions: StoreOptions,
  owner: string,
  ttlMs: number,
  log: Logger,
): Promise<ScaleOut> {
  const coordination = await openCoordination(storeOptions);
  const buckets = Array.from({ length: DISCOVERY_BUCKETS }, (_, n) => `discovery:${n}`);
  const leases = new LeaseKeeper(coordination.leases, owner, buckets, ttlMs, { memberSlots: MEMBER_SLOTS });
  let stopped = false;
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<void> = Promise.resolve();
  const tick = async (): Promise<void> => {
    try {
      const held = await leases.tick();
      log.debug({ held: held.size, instances: leases.instances }, 'discovery leases');
    } catch (error) {
      // Storage unreachable: what is held still counts until its ttl (holds() is conservative); retry.
      log.warn({ err: error }, 'could not renew or take discovery leases');
    }
  };
  const schedule = (): void => {
    if (stopped) return;
    // A little early, at random: instances started together would otherwise probe each other in step.
    timer = setTimeout(
      () => {
        timer = null;
        running = tick().finally(schedule);
      },
      leases.tickMs * (0.75 + 0.25 * Math.random()),
    );
    timer.unref();
  };
  await tick();
  schedule();
  return {
    leases,
    budget: coordination.budget,
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
      // Released rather than left to lapse: the other instances take the buckets on their next tick.
      await leases.releaseAll().catch((error: unknown) => log.warn({ err: error }, 'lease release failed'));
      await coordination.leases.close();
      await coordination.budget.close();
    },
  };
}

/** A failure to reach the Bot Connector (network, TLS, its HTTP errors), as opposed to a bug of ours. */
function isConnectorFailure(error: unknown): boolean {
  const e = error as { code?: unknown; statusCode?: unknown; name?: unknown } | null;
  return (
    !!e &&
    (typeof e.statusCode === 'number' ||
      e.name === 'RestError' ||
      (typeof e.code === 'string' &&
        /^(E[A-Z_]+|ERR_TLS\w*|UND_ERR\w*|CERT_\w+|DEPTH_ZERO\w*)$/.test(e.code)))
  );
}

/** What went wrong reaching Teams, without the addresses and internals an error message carries. */
function connectorReason(error: unknown): string {
  const e = error as { code?: unknown; statusCode?: unknown } | null;
  if (typeof e?.statusCode === 'number') return `HTTP ${e.statusCode}`;
  return typeof e?.code === 'string' ? e.code : 'unknown';
}

/**
 * Says what the store found when it opened. A loss is loud (a warning that spells out what was lost and
 * what the bot does about it) and the bot carries on: its outbox does not repeat what was recorded as sent.
 */
function reportIntegrity(store: Store, log: Logger): void {
  const integrity = store.integrity;
  const message = `store integrity: ${integrity.status}: ${integrity.detail}`;
  if (integrity.status === 'lost recent writes') {
    log.warn({ integrity }, `STORE LOST RECENT WRITES. ${message}`);
  } else if (integrity.status === 'marker missing') {
    log.warn({ integrity }, message);
  } else {
    log.info({ integrity }, message);
  }
}

/** The Bot Framework settings botbuilder reads, from our validated configuration only. */
function botFrameworkOptions(config: Config): ConfigurationBotFrameworkAuthenticationOptions {
  const bf = config.botFramework;
  if (!bf) return {};
  return {
    MicrosoftAppId: bf.appId,
    MicrosoftAppPassword: bf.appPassword ?? undefined,
    MicrosoftAppType: bf.appType,
    MicrosoftAppTenantId: bf.tenantId ?? undefined,
    ...bf.endpoints,
  };
}

/**
 * The storage account as configured: a connection string, or its URLs with an Entra token (the
 * user-assigned managed identity named by AZURE_CLIENT_ID in Azure, developer credentials locally).
 */
async function storageAccount(
  azure: Config['store']['azure'],
  credential: TokenCredential | undefined,
): Promise<StorageAccount | null> {
  if (azure.connectionString) return { connectionString: azure.connectionString };
  if (!azure.tableUrl || !azure.blobUrl) return null;
  // Loaded only here: the other engines never pay for the identity library.
  const { DefaultAzureCredential } = await import('@azure/identity');
  return {
    tableUrl: azure.tableUrl,
    blobUrl: azure.blobUrl,
    credential:
      credential ??
      new DefaultAzureCredential(
        azure.identityClientId ? { managedIdentityClientId: azure.identityClientId } : {},
      ),
  };
}

/** Composition root: builds every part from the configuration and starts the HTTP server. */
export async function startApp(
  config: Config,
  deps: { log: Logger; tokens: UserTokens; graphBaseUrl: string | null },
  overrides: AppOverrides = {},
): Promise<App> {
  // First, so that everything after it is traced and measured.
  const telemetry = await startTelemetry(
    { ...config.telemetry, serviceName: 'governance-approvals-bot' },
    deps.log,
  );
  const storeOptions: StoreOptions =
    config.store.engine === 'memory'
      ? { engine: 'memory' }
      : config.store.engine === 'azure'
        ? {
            engine: 'azure',
            account: await storageAccount(config.store.azure, overrides.storageCredential),
            prefix: config.store.azure.prefix,
          }
        : {
            engine: 'sqlite',
            directory: config.store.directory,
            setting: 'DATA_DIR',
            warn: (message, error) => deps.log.warn({ err: error }, message),
          };
  const store = overrides.store ?? (await openStore(storeOptions));
  const housekeeping = startHousekeeping(store, deps.log, { retentionDays: config.store.retentionDays });
  reportIntegrity(store, deps.log);
  // One owner for outbox claims and leases; unique per process, so a restarted process is a new owner.
  const owner = overrides.notify?.worker?.owner ?? processOwner();
  const scale =
    config.store.engine === 'azure'
      ? await startScaleOut(storeOptions, owner, config.notify.leaseSeconds * 1000, deps.log)
      : null;
  const credentials =
    overrides.credentialsFactory ??
    (config.botFramework
      ? new ConfigurationServiceClientCredentialFactory(botFrameworkOptions(config))
      : undefined);
  const auth = new ConfigurationBotFrameworkAuthentication(botFrameworkOptions(config), credentials);
  const adapter = new EdgeAdapter(auth);
  adapter.onTurnError = async (context, error) => {
    if (isConnectorFailure(error)) {
      // The Teams service named in the activity could not be reached: nothing to tell anyone there.
      deps.log.warn(
        { activityType: context.activity.type, reason: connectorReason(error) },
        'could not reach Teams',
      );
      return;
    }
    deps.log.error({ err: error, activityType: context.activity.type }, 'unhandled error in a turn');
    if (context.activity.type === 'message') {
      await context
        .sendActivity(message('approvals.bot.turnFailed'))
        .catch((sendError: unknown) =>
          deps.log.warn({ reason: connectorReason(sendError) }, 'could not reach Teams'),
        );
    }
  };
  const governance = createGovernanceClient({
    cloud: config.graph.cloud,
    baseUrl: deps.graphBaseUrl ?? config.graph.baseUrl,
  });
  const cards = {
    actions: config.cards.actions,
    timeZone: config.cards.timeZone,
    pendingSummaryThreshold: config.cards.pendingSummaryThreshold,
    cloud: config.graph.cloud,
  };
  const appId = config.botFramework?.appId ?? '';
  const { limiter: limiterOverride, ...notifyOverrides } = overrides.notify ?? {};
  // Teams' limits are per bot, not per instance: with several instances they draw on the shared budget.
  const limiter = limiterOverride ?? (scale ? new BudgetRateLimiter(scale.budget) : undefined);
  const notifier = startNotifier({
    store,
    delivery: new CloudAdapterDelivery({
      adapter,
      appId,
      ...(config.botFramework ? { audience: config.botFramework.endpoints.ToChannelFromBotOAuthScope } : {}),
    }),
    access: new TeamsApproverAccess({ adapter, appId, tokens: deps.tokens, governance }),
    cards: notifyCards(cards, overrides.now),
    log: deps.log,
    settings: {
      discoveryIntervalMs: config.notify.discoverySeconds * 1000,
      secret: config.notify.secret,
      reminderLeadMs: config.notify.reminderHours * 3_600_000,
      digestThreshold: config.notify.digestThreshold,
      digestHour: config.notify.digestHour,
      timeZone: config.cards.timeZone,
      ...(scale
        ? {
            shouldDiscover: (approverId: string) =>
              scale.leases.holds(leaseBucketOf(approverId, DISCOVERY_BUCKETS)),
          }
        : {}),
      ...notifyOverrides,
      worker: {
        leaseMs: config.notify.leaseSeconds * 1000,
        digestCards: config.cards.pendingSummaryThreshold,
        ...notifyOverrides.worker,
        owner,
      },
    },
    ...(limiter ? { limiter } : {}),
    ...(overrides.now ? { now: () => (overrides.now as () => Date)().getTime() } : {}),
  });
  const decisions = createDecisions({
    store,
    log: deps.log,
    // A decision recorded (or found taken) in a card: every copy of the item's card follows, through the outbox.
    onFinal: (key) => notifier.finalized(key),
    // The requester is told of a decision made here, once.
    onRecorded: (key) => notifier.decidedThroughBot(key),
  });
  const bot = new ApprovalsBot({
    adapter,
    appId,
    store,
    decisions,
    governance,
    tokens: deps.tokens,
    log: deps.log,
    cards,
    notifier,
    ...(overrides.now ? { now: overrides.now } : {}),
    ...(overrides.answerWithinMs ? { answerWithinMs: overrides.answerWithinMs } : {}),
  });
  const server = await startServer({
    adapter,
    bot,
    log: deps.log,
    port: config.port,
    host: config.host,
    maxBodyBytes: config.maxBodyBytes,
    policy: { serviceUrls: config.serviceUrls },
    // With an app id, an unsigned or forged request is refused before any handler runs.
    requireToken: config.botFramework !== null,
    // /api/notify: the notifier checks the signature over the raw body.
    routes: [{ path: '/api/notify', handle: ({ headers, text }) => notifier.push(headers, text) }],
    readiness: readinessOf(store, config, credentials),
  });
  const stopObserving = observeOutbox({
    counts: () => store.outboxCounts(),
    oldestWaiting: () => store.oldestWaiting(),
    now: () => overrides.now?.().getTime() ?? Date.now(),
  });
  return {
    server,
    bot,
    adapter,
    store,
    notifier,
    leases: scale?.leases ?? null,
    telemetry,
    async close() {
      await server.close();
      stopObserving();
      await bot.idle();
      await notifier.stop();
      await housekeeping.stop();
      await scale?.stop();
      await store.close();
      await telemetry.shutdown();
    },
  };
}

/** Resolves with `work`'s answer, or rejects after `ms`. */
function within<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms);
    work.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}

/**
 * /readyz: the store answers, and (in production) the bot can get its own app token from the token
 * service with its configuration. A token that worked is trusted for five minutes; a failure is asked
 * again after fifteen seconds, so a probe cannot hammer the token service.
 */
function readinessOf(
  store: Store,
  config: Config,
  credentials: ServiceClientCredentialsFactory | undefined,
): () => Promise<Readiness> {
  let token: { checked: number; result: string } | null = null;
  const bf = config.botFramework;
  const tokenService = async (): Promise<string> => {
    if (!bf || !credentials) return 'ok';
    const now = Date.now();
    if (token && now - token.checked < (token.result === 'ok' ? 300_000 : 15_000)) return token.result;
    let result: string;
    try {
      const made = await credentials.createCredentials(
        bf.appId,
        bf.endpoints.ToChannelFromBotOAuthScope,
        bf.endpoints.ToChannelFromBotLoginUrl,
        true,
      );
      // Signing a request is how botbuilder gets the app token: the same path an outgoing message takes.
      const signed = new Map<string, string>();
      const request = {
        headers: { set: (name: string, value: string) => signed.set(name.toLowerCase(), value) },
      };
      await within(made.signRequest(request as never), 5000, 'the token service');
      result = signed.has('authorization') ? 'ok' : 'the bot got no app token';
    } catch (error) {
      result = `the bot could not get its app token (${error instanceof Error ? error.name : 'error'}): check MicrosoftAppId, MicrosoftAppType, MicrosoftAppTenantId and the secret or managed identity`;
    }
    token = { checked: now, result };
    return result;
  };
  return async () => {
    const storeCheck = await within(store.outboxCounts(), 2000, 'the store').then(
      () => 'ok',
      (error: unknown) =>
        `the store did not answer (${(error as { code?: unknown }).code ?? (error instanceof Error ? error.name : 'error')})`,
    );
    const checks = { store: storeCheck, ...(bf ? { tokenService: await tokenService() } : {}) };
    return { ready: Object.values(checks).every((c) => c === 'ok'), checks };
  };
}
