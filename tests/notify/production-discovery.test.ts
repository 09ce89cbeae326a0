import { startApp } from '../../src/app';
import type { App } from '../../src/app';
import { BotFrameworkTokens } from '../../src/auth';
import { loadConfig } from '../../src/config';
import { silentLogger } from '../../src/log';
import { startSandbox } from '../../src/sandbox';
import { watchSandbox } from '../support/typed';
import type { Sandbox } from '../../src/sandbox';
import { startRateLimitedConnector } from '../support/rate-limited-connector';
import type { RateLimitedConnector } from '../support/rate-limited-connector';
import { startTokenServiceDouble } from '../support/token-service-double';
import type { TokenServiceDouble } from '../support/token-service-double';
import { drained, personalConversationId, personalReference } from './support/stack';
import { teamsUser } from '../support/teams';

/**
 * Production mode: discovery asks the Bot Framework token service for each approver's token in a proactive
 * turn on their own conversation, and discovers only those who have one (signed in). Cards go out through
 * the Bot Connector with the bot's app token.
 */

let sandbox: Sandbox;
let double: TokenServiceDouble;
let connector: RateLimitedConnector;
let app: App;

beforeAll(async () => {
  sandbox = watchSandbox(await startSandbox({ tenant: 'demo' }));
  double = await startTokenServiceDouble();
  connector = await startRateLimitedConnector();
  const config = loadConfig({
    ...double.settings,
    PORT: '0',
    STORE: 'memory',
    NOTIFY_DISCOVERY_SECONDS: '0',
  });
  expect(config.mode).toBe('production');
  app = await startApp(
    config,
    {
      log: silentLogger,
      tokens: new BotFrameworkTokens({ connectionName: double.connectionName }),
      graphBaseUrl: sandbox.url,
    },
    { credentialsFactory: double.credentialsFactory, notify: { worker: { pollMs: 50 } } },
  );
});

afterAll(async () => {
  await app.close();
  await connector.close();
  await double.close();
  await sandbox.close();
});

it('discovers only approvers the token service has a token for, each with their own token', async () => {
  const alex = teamsUser(sandbox.users.alex.id, 'Alex Wilber');
  const megan = teamsUser(sandbox.users.megan.id, 'Megan Bowen');
  await app.store.saveReference(personalReference(alex, connector.serviceUrl));
  await app.store.saveReference(personalReference(megan, connector.serviceUrl));
  // Alex signed in earlier; Megan never did.
  double.setUserToken(alex.mri, double.connectionName, sandbox.tokenFor(alex.aadObjectId), 'msteams');

  const report = await app.notifier.discoverAll();
  await drained(app);
  expect(report).toMatchObject({ approvers: 1, skipped: 1, failed: 0 });

  // Each lookup was for that approver, on the Teams channel, for the bot's OAuth connection.
  const lookups = double.callsOf('GetToken').map((c) => c.query?.userId);
  expect(lookups).toEqual(expect.arrayContaining([alex.mri, megan.mri]));
  // Graph saw Alex's token only.
  const callers = new Set(sandbox.requests.map((r) => r.callerId));
  expect(callers).toEqual(new Set([alex.aadObjectId.toLowerCase()]));

  // Alex has many new items: one digest, then the most urgent as cards.
  const alexCards = connector.sendsTo(personalConversationId(alex));
  // (A PIM extension's card has no buttons, so no item id: the digest is told apart by what it says.)
  const isDigest = (r: (typeof alexCards)[number]) =>
    JSON.stringify(r.activity).includes('wait for your decision');
  expect(alexCards.filter(isDigest)).toHaveLength(1);
  expect(alexCards.filter((r) => !isDigest(r))).toHaveLength(5);
  expect(connector.sendsTo(personalConversationId(megan))).toEqual([]);
});
