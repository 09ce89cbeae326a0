import * as restify from 'restify';
import { CloudAdapter, ConfigurationBotFrameworkAuthentication, TeamsActivityHandler } from 'botbuilder';
import type { InvokeResponse, TurnContext } from 'botbuilder';
import { BotFrameworkTokens, TokenServiceError, authMessage } from '../../src/auth';
import type { ActingUser } from '../../src/auth';
import { startConnectorDouble } from '../support/connector-double';
import type { ConnectorDouble } from '../support/connector-double';
import { startTokenServiceDouble } from '../support/token-service-double';
import type { TokenServiceDouble, TokenServiceDoubleOptions } from '../support/token-service-double';
import { post } from '../support/teams';
import type { Posted } from '../support/teams';

/** A token the stand-in for the decide step went on with, and for whom. */
export interface UsedToken {
  readonly channelUserId: string;
  readonly token: string;
}

export interface AuthHarness {
  readonly double: TokenServiceDouble;
  readonly connector: ConnectorDouble;
  readonly botUrl: string;
  readonly used: UsedToken[];
  /** Errors the test bot caught (it answers 500 for them, as the real bot does). */
  readonly errors: unknown[];
  /** Posts an activity with a Bot Framework JWT signed by the double (or the given Authorization). */
  send(activity: { serviceUrl: string }, authorization?: string | null): Promise<Posted>;
  close(): Promise<void>;
}

function actingUser(context: TurnContext): ActingUser | null {
  const from = context.activity.from;
  if (!from?.id || !from.aadObjectId) return null;
  return { aadObjectId: from.aadObjectId, channelUserId: from.id, name: from.name ?? '', tenantId: null };
}

/**
 * A minimal bot that uses src/auth the way the approvals bot must: card clicks through forCardAction,
 * a simulated Graph 401 through signOutAfterGraph401, `signin/*` invokes, `sign in` / `sign out`.
 * The "decide" step only records which token it was given.
 */
class SignInProbeBot extends TeamsActivityHandler {
  constructor(
    private readonly tokens: BotFrameworkTokens,
    private readonly used: UsedToken[],
    private readonly errors: unknown[],
  ) {
    super();
    this.onMessage(async (context, next) => {
      const text = (context.activity.text ?? '').trim().toLowerCase();
      const user = actingUser(context);
      if (text === 'sign in') await this.tokens.sendSignInCard(context);
      if (text === 'sign out' && user) {
        await this.tokens.signOut(user, context);
        await context.sendActivity('You are signed out.');
      }
      if (text === 'pending' && user) {
        const token = await this.tokens.getToken(user, context);
        if (token.kind === 'token') this.used.push({ channelUserId: user.channelUserId, token: token.token });
        else await this.tokens.sendSignInCard(context);
      }
      await next();
    });
  }

  protected override async onInvokeActivity(context: TurnContext): Promise<InvokeResponse> {
    const name = context.activity.name ?? '';
    if (name.startsWith('signin/')) {
      const result = await this.tokens.onSignInInvoke(context);
      if (result.signedIn) await context.sendActivity('You are signed in.');
      return result.response;
    }
    if (name !== 'adaptiveCard/action') return super.onInvokeActivity(context);
    const value = context.activity.value as {
      trigger?: unknown;
      action?: { data?: { graphStatus?: unknown } };
    };
    if (value.trigger === 'automatic')
      return { status: 200, body: authMessage('rendered from stored state') };
    try {
      const token = await this.tokens.forCardAction(context);
      if (token.kind === 'reply') return { status: 200, body: token.body };
      this.used.push({ channelUserId: context.activity.from.id, token: token.token });
      if (value.action?.data?.graphStatus === 401) {
        return { status: 200, body: await this.tokens.signOutAfterGraph401(context) };
      }
      return { status: 200, body: authMessage('Decided.') };
    } catch (error) {
      this.errors.push(error);
      const message = error instanceof TokenServiceError ? error.message : 'unexpected';
      return {
        status: 200,
        body: { statusCode: 500, type: 'application/vnd.microsoft.error', value: { message } },
      };
    }
  }
}

export async function startAuthHarness(
  options: TokenServiceDoubleOptions & { readonly budgetMs?: number } = {},
): Promise<AuthHarness> {
  const double = await startTokenServiceDouble(options);
  const connector = await startConnectorDouble();
  const adapter = new CloudAdapter(
    new ConfigurationBotFrameworkAuthentication(double.settings, double.credentialsFactory),
  );
  const used: UsedToken[] = [];
  const errors: unknown[] = [];
  adapter.onTurnError = async (_context, error) => {
    errors.push(error);
  };
  const bot = new SignInProbeBot(
    new BotFrameworkTokens({
      connectionName: double.connectionName,
      ...(options.budgetMs ? { budgetMs: options.budgetMs } : {}),
    }),
    used,
    errors,
  );

  const server = restify.createServer({ handleUncaughtExceptions: false });
  server.use(restify.plugins.bodyParser({ mapParams: false }));
  server.post('/api/messages', async (req, res) => {
    await adapter.process(req, res, (context) => bot.run(context));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const botUrl = `http://127.0.0.1:${server.address().port}`;

  return {
    double,
    connector,
    botUrl,
    used,
    errors,
    send(activity, authorization) {
      const header =
        authorization === undefined
          ? `Bearer ${double.signActivityJwt(double.appId, activity.serviceUrl)}`
          : authorization;
      return post(botUrl, activity, header === null ? {} : { Authorization: header });
    },
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        (server.server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
      });
      await connector.close();
      await double.close();
    },
  };
}
