import { startApp } from '../../src/app';
import type { App } from '../../src/app';
import { BotFrameworkTokens, LOGIN_REQUEST_TYPE } from '../../src/auth';
import { createGovernanceClient } from '../../src/graph';
import { loadConfig } from '../../src/config';
import { silentLogger } from '../../src/log';
import { startSandbox } from '../../src/sandbox';
import type { Sandbox } from '../../src/sandbox';
import { startConnectorDouble } from '../support/connector-double';
import type { ConnectorDouble } from '../support/connector-double';
import { cardAction, post, teamsUser } from '../support/teams';
import type { Posted } from '../support/teams';
import type { TeamsUser } from '../support/teams';
import { startTokenServiceDouble } from '../support/token-service-double';
import type { TokenServiceDouble } from '../support/token-service-double';

/**
 * Sign-in on the real app in production mode: Bot Framework JWTs checked at the edge, the token service
 * double for users' tokens, the Graph sandbox for decisions. What Graph sees (whose token wrote) is the
 * evidence of whose token the app used.
 */
let sandbox: Sandbox;
let double: TokenServiceDouble;
let connector: ConnectorDouble;
let app: App;
let alex: TeamsUser;
let megan: TeamsUser;
const byMri = new Map<string, string>();

beforeAll(async () => {
  sandbox = await startSandbox({ tenant: 'empty' });
  // The user's token after a sign-in is one the Graph sandbox accepts for that user.
  double = await startTokenServiceDouble({
    mintUserToken: (userId) => sandbox.tokenFor(byMri.get(userId) ?? userId),
  });
  connector = await startConnectorDouble();
  alex = teamsUser(sandbox.users.alex.id, 'Alex Wilber');
  megan = teamsUser(sandbox.users.megan.id, 'Megan Bowen');
  for (const u of [alex, megan]) byMri.set(u.mri, u.aadObjectId);
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
    { credentialsFactory: double.credentialsFactory },
  );
});
afterAll(async () => {
  await app?.close();
  await Promise.all([connector?.close(), double?.close(), sandbox?.close()]);
});
beforeEach(() => sandbox.clearRequests());

const where = () => ({ serviceUrl: connector.serviceUrl });
const signed = (serviceUrl = connector.serviceUrl) =>
  `Bearer ${double.signActivityJwt(double.appId, serviceUrl)}`;
const send = (activity: unknown, authorization: string | null = signed()): Promise<Posted> =>
  post(app.server.url, activity, authorization === null ? {} : { authorization });

/** An approval waiting on Alex and Megan, known to the bot (discovered as Alex), and its card's target. */
async function pendingApproval(title: string) {
  const seeded = sandbox.seed.accessPackageRequest({
    requestor: sandbox.users.adele.id,
    accessPackage: { displayName: title },
    stages: [{ approvers: [alex.aadObjectId, megan.aadObjectId] }],
  });
  const graph = createGovernanceClient({ cloud: 'Global', baseUrl: sandbox.url }).asUser({
    token: sandbox.tokenFor(alex.aadObjectId),
    userId: alex.aadObjectId,
  });
  const { items } = await graph.discoverPending(['accessPackage']);
  const item = items.find(
    (i) => i.target.kind === 'accessPackage' && i.target.approvalId === seeded.approvalId,
  );
  if (!item) throw new Error(`${title} is not pending for Alex`);
  await app.store.putItem(item, alex.aadObjectId);
  await app.store.putItem(item, megan.aadObjectId);
  return { kind: 'accessPackage', approvalId: seeded.approvalId, stageId: seeded.stageIds[0], api: 'v1.0' };
}

const approve = (user: TeamsUser, target: unknown, extra: Record<string, unknown> = {}, channel = false) => {
  const activity = cardAction(
    channel ? { serviceUrl: connector.serviceUrl, channelId: '19:approvals@thread.tacv2' } : where(),
    user,
    { verb: 'approve', data: { verb: 'approve', target, rev: 1, justification: 'Signed in' } },
  );
  return { ...activity, value: { ...activity.value, ...extra } };
};

const writesBy = (user: TeamsUser) =>
  sandbox.requests.filter((r) => r.method === 'PATCH' && r.callerId === user.aadObjectId.toLowerCase());

it('answers a press from someone with no token with the 401 loginRequest, and writes nothing', async () => {
  const target = await pendingApproval('No token yet');
  const res = await send(approve(alex, target));
  expect(res.status).toBe(200);
  expect(res.body).toMatchObject({ statusCode: 401, type: LOGIN_REQUEST_TYPE });
  expect(sandbox.requests.filter((r) => r.method === 'PATCH')).toHaveLength(0);
});

it('exchanges the SSO token Teams sends and decides with the user’s own token', async () => {
  const target = await pendingApproval('After SSO');
  const sso = double.mintSsoToken(alex.mri);
  const res = await send(
    approve(alex, target, { authentication: { id: 'x', connectionName: 'c', token: sso } }),
  );
  expect(res.body).toMatchObject({ statusCode: 200, type: 'application/vnd.microsoft.card.adaptive' });
  expect(JSON.stringify(res.body)).toContain('Approved by you');
  expect(writesBy(alex)).toHaveLength(1);
});

it('in a channel, two approvers pressing the same card each act with their own token', async () => {
  const target = await pendingApproval('Channel card');
  double.setUserToken(alex.mri, double.connectionName, sandbox.tokenFor(alex.aadObjectId), 'msteams');
  double.setUserToken(megan.mri, double.connectionName, sandbox.tokenFor(megan.aadObjectId), 'msteams');
  const [a, m] = await Promise.all([
    send(approve(alex, target, {}, true)),
    send(approve(megan, target, {}, true)),
  ]);
  const texts = [JSON.stringify(a.body), JSON.stringify(m.body)];
  // One recorded, the other told who was first: each wrote with their own token.
  expect(texts.filter((t) => t.includes('Approved by you'))).toHaveLength(1);
  expect(texts.filter((t) => /Already approved by (Alex Wilber|Megan Bowen)/.test(t))).toHaveLength(1);
  expect(writesBy(alex).length + writesBy(megan).length).toBe(2);
  expect(writesBy(alex)).toHaveLength(1);
  expect(writesBy(megan)).toHaveLength(1);
});

it('a Graph 401 on the write signs the user out at the token service and asks them to sign in again', async () => {
  const target = await pendingApproval('Graph refuses the token');
  // A token the token service still holds but Graph no longer takes (it expired).
  const expired = sandbox.tokenFor(alex.aadObjectId, { expiresInSeconds: -60 });
  double.setUserToken(alex.mri, double.connectionName, expired, 'msteams');
  const res = await send(approve(alex, target));
  expect(res.body).toMatchObject({ statusCode: 401, type: LOGIN_REQUEST_TYPE });
  expect(double.tokenOf(alex.mri)).toBeNull();
});

it('refuses with 401, before any handler or token lookup, an activity signed with a key Teams does not publish', async () => {
  const target = await pendingApproval('Forged');
  const lookups = double.callsOf('GetToken').length;
  const foreign = await send(
    approve(alex, target),
    `Bearer ${double.signActivityJwt(double.appId, connector.serviceUrl, { foreignKey: true })}`,
  );
  const unsigned = await send(approve(alex, target), null);
  expect(foreign.status).toBe(401);
  expect(unsigned.status).toBe(401);
  expect(foreign.body).toEqual({ error: { code: 'Unauthorized', message: expect.any(String) } });
  expect(double.callsOf('GetToken')).toHaveLength(lookups);
  expect(sandbox.requests.filter((r) => r.method === 'PATCH')).toHaveLength(0);
});
