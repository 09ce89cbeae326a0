import { CloudAdapter, ConfigurationBotFrameworkAuthentication } from 'botbuilder';
import type { ConfigurationBotFrameworkAuthenticationOptions } from 'botbuilder';
import type { ServiceClientCredentialsFactory } from 'botframework-connector';
import type { Config } from './config';
import type { Logger } from './log';
import type { Store } from './store';
import type { UserTokens } from './auth';
import type { RunningServer } from './server';
import { ApprovalsBot } from './bot';
import { createDecisions } from './decisions';
import { createGovernanceClient } from './graph';
import { openStore } from './store';
import { startServer } from './server';

export interface AppOverrides {
  readonly store?: Store;
  /** How the bot gets its own app token; tests point it at a local double. */
  readonly credentialsFactory?: ServiceClientCredentialsFactory;
  readonly now?: () => Date;
  readonly answerWithinMs?: number;
}

export interface App {
  readonly server: RunningServer;
  readonly bot: ApprovalsBot;
  readonly adapter: CloudAdapter;
  readonly store: Store;
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
  const bot = new ApprovalsBot({
    adapter,
    appId: config.botFramework?.appId ?? '',
    store,
    decisions,
    governance,
    tokens: deps.tokens,
    log: deps.log,
    cards: {
      submitOnly: config.cards.actions === 'submit',
      timeZone: config.cards.timeZone,
      pendingSummaryThreshold: config.cards.pendingSummaryThreshold,
    },
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
  });
  return {
    server,
    bot,
    adapter,
    store,
    async close() {
      await server.close();
      await bot.idle();
      await store.close();
    },
  };
}
