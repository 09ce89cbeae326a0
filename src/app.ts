import { CloudAdapter, ConfigurationBotFrameworkAuthentication } from 'botbuilder';
import type { ConfigurationBotFrameworkAuthenticationOptions } from 'botbuilder';
import type { ServiceClientCredentialsFactory } from 'botframework-connector';
import type { Config } from './config';
import type { Logger } from './log';
import type { Store } from './store';
import type { UserTokens } from './auth';
import type { RunningServer } from './server';
import type { Notifier, NotifySettings, RateLimiter } from './notify';
import { ApprovalsBot } from './bot';
import { createDecisions } from './decisions';
import { createGovernanceClient } from './graph';
import { openStore } from './store';
import { startServer } from './server';
import { startNotifier } from './notify';
import { CloudAdapterDelivery, TeamsApproverAccess, notifyCards } from './bot/teams-delivery';

export interface AppOverrides {
  readonly store?: Store;
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
  readonly adapter: CloudAdapter;
  readonly store: Store;
  readonly notifier: Notifier;
  close(): Promise<void>;
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

/** Composition root: builds every part from the configuration and starts the HTTP server. */
export async function startApp(
  config: Config,
  deps: { log: Logger; tokens: UserTokens; graphBaseUrl: string | null },
  overrides: AppOverrides = {},
): Promise<App> {
  const store =
    overrides.store ??
    (await openStore(
      config.store.engine === 'memory'
        ? { engine: 'memory' }
        : config.store.engine === 'azure'
          ? { engine: 'azure', ...config.store.azure }
          : { engine: 'sqlite', directory: config.store.directory },
    ));
  const auth = new ConfigurationBotFrameworkAuthentication(
    botFrameworkOptions(config),
    overrides.credentialsFactory,
  );
  const adapter = new CloudAdapter(auth);
  adapter.onTurnError = async (context, error) => {
    deps.log.error({ err: error, activityType: context.activity.type }, 'unhandled error in a turn');
    if (context.activity.type === 'message') {
      await context.sendActivity(
        'Something went wrong on our side and nothing was decided. Try again in a minute.',
      );
    }
  };
  const governance = createGovernanceClient({
    cloud: config.graph.cloud,
    baseUrl: deps.graphBaseUrl ?? config.graph.baseUrl,
  });
  const decisions = createDecisions({
    store,
    log: deps.log,
    ...(overrides.now ? { now: overrides.now } : {}),
  });
  const cards = {
    submitOnly: config.cards.actions === 'submit',
    timeZone: config.cards.timeZone,
    pendingSummaryThreshold: config.cards.pendingSummaryThreshold,
  };
  const appId = config.botFramework?.appId ?? '';
  const { limiter, ...notifyOverrides } = overrides.notify ?? {};
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
      ...notifyOverrides,
      worker: {
        leaseMs: config.notify.leaseSeconds * 1000,
        digestCards: config.cards.pendingSummaryThreshold,
        ...notifyOverrides.worker,
      },
    },
    ...(limiter ? { limiter } : {}),
    ...(overrides.now ? { now: () => (overrides.now as () => Date)().getTime() } : {}),
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
    // With an app id, an unsigned or forged request is refused before any handler runs (issue 4).
    ...(config.botFramework
      ? {
          authenticate: async (activity, header) => {
            await auth.authenticateRequest(activity, header);
          },
        }
      : {}),
    // /api/notify: the notifier checks the signature over the raw body that restify kept (rawBody).
    mount: (server) =>
      server.post('/api/notify', async (req, res) => {
        const raw = (req as { rawBody?: unknown }).rawBody;
        const answer = await notifier.push(
          req.headers,
          Buffer.isBuffer(raw) ? raw.toString('utf8') : String(raw ?? ''),
        );
        res.send(answer.status, answer.body);
      }),
  });
  return {
    server,
    bot,
    adapter,
    store,
    notifier,
    async close() {
      await server.close();
      await bot.idle();
      await notifier.stop();
      await store.close();
    },
  };
}
