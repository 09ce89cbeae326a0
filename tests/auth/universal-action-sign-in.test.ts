import { LOGIN_REQUEST_TYPE, INVALID_AUTH_CODE_TYPE, PRECONDITION_FAILED_TYPE } from '../../src/auth';
import { cardAction, messageActivity, teamsUser } from '../support/teams';
import type { AuthHarness } from './harness';
import { startAuthHarness } from './harness';

const ALEX = teamsUser('0b8f1c2d-3e4f-4a5b-8c6d-7e8f9a0b1c2d', 'Alex Wilber');
const MEGAN = teamsUser('1c9e2d3f-4a5b-4c6d-9e7f-8a9b0c1d2e3f', 'Megan Bowen');
const DATA = { requestId: '2f0b6a1e-8c4d-4e5f-9a6b-7c8d9e0f1a2b' };

interface Body {
  statusCode?: number;
  type?: string;
  value?: {
    text?: string;
    connectionName?: string;
    tokenExchangeResource?: { id?: string; uri?: string; providerId?: string };
    buttons?: { type?: string; title?: string; value?: string }[];
    code?: string;
  };
}

let h: AuthHarness;
beforeEach(async () => {
  h = await startAuthHarness();
});
afterEach(async () => {
  await h.close();
});

const where = () => ({ serviceUrl: h.connector.serviceUrl });
const click = (user = ALEX, value: Record<string, unknown> = {}, data: Record<string, unknown> = DATA) => {
  const activity = cardAction(where(), user, { verb: 'approve', data });
  return { ...activity, value: { ...activity.value, ...value } };
};

describe('Universal Actions sign-in through CloudAdapter and the token service double', () => {
  it('answers a click from a user with no token with a 401 loginRequest carrying the sign-in link and SSO resource', async () => {
    const res = await h.send(click());
    expect(res.status).toBe(200);
    const body = res.body as Body;
    expect(body.statusCode).toBe(401);
    expect(body.type).toBe(LOGIN_REQUEST_TYPE);
    expect(body.value?.connectionName).toBe(h.double.connectionName);
    expect(body.value?.text).toEqual(expect.any(String));
    const [button, ...others] = body.value?.buttons ?? [];
    expect(others).toHaveLength(0);
    expect(button?.type).toBe('signin');
    expect(button?.value).toMatch(new RegExp(`^${h.double.url}/signin\\?id=`));
    expect(body.value?.tokenExchangeResource).toEqual({
      id: expect.any(String),
      uri: `api://botid-${h.double.appId}`,
      providerId: 'aadv2',
    });
    expect(h.used).toHaveLength(0);

    // The lookup was for the clicking user, and the sign-in resource for this bot and conversation.
    const [lookup] = h.double.callsOf('GetToken');
    expect(lookup?.query).toEqual({
      userId: ALEX.mri,
      connectionName: h.double.connectionName,
      channelId: 'msteams',
    });
    const [resource] = h.double.callsOf('GetSignInResource');
    expect(resource?.state?.msAppId).toBe(h.double.appId);
    expect(resource?.state?.connectionName).toBe(h.double.connectionName);
    expect(resource?.state?.conversation?.user?.id).toBe(ALEX.mri);
    // botbuilder called the token service with the bot's own app token, got from the login endpoint.
    const serviceCalls = h.double.calls.filter((c) => c.path.startsWith('/api/'));
    expect(serviceCalls.every((c) => c.authorized)).toBe(true);
    expect(h.double.callsOf('appToken')[0]?.body).toMatchObject({
      grant_type: 'client_credentials',
      client_id: h.double.appId,
      client_secret: '[redacted]',
    });
  });

  it('exchanges the SSO token Teams sends after the loginRequest and goes on with the user’s own token', async () => {
    const sso = h.double.mintSsoToken(ALEX.mri);
    const res = await h.send(
      click(ALEX, { authentication: { id: 'x', connectionName: 'ignored', token: sso } }),
    );
    expect(res.body).toEqual({
      statusCode: 200,
      type: 'application/vnd.microsoft.activity.message',
      value: 'Decided.',
    });
    const stored = h.double.tokenOf(ALEX.mri);
    expect(stored).not.toBeNull();
    expect(h.used).toEqual([{ channelUserId: ALEX.mri, token: stored }]);
    const [exchange] = h.double.callsOf('exchange');
    expect(exchange?.query).toEqual({
      userId: ALEX.mri,
      connectionName: h.double.connectionName,
      channelId: 'msteams',
    });
    expect(exchange?.body).toEqual({ token: sso });
  });

  it('answers 412 preconditionFailed when the exchange fails, and nothing proceeds', async () => {
    h.double.failNextExchange();
    const res = await h.send(click(ALEX, { authentication: { token: 'sso-token-from-teams' } }));
    const body = res.body as Body;
    expect(res.status).toBe(200);
    expect(body.statusCode).toBe(412);
    expect(body.type).toBe(PRECONDITION_FAILED_TYPE);
    expect(body.value?.code).toBe('412');
    expect(h.used).toHaveLength(0);
    expect(h.double.tokenOf(ALEX.mri)).toBeNull();
  });

  it('answers 412 when the SSO token belongs to someone else', async () => {
    const megansSso = h.double.mintSsoToken(MEGAN.mri);
    const res = await h.send(click(ALEX, { authentication: { token: megansSso } }));
    expect((res.body as Body).statusCode).toBe(412);
    expect(h.used).toHaveLength(0);
  });

  it('answers 401 invalidAuthCode for a magic code that does not redeem, and for one not worth asking about', async () => {
    h.double.issueMagicCode(ALEX.mri);
    const wrong = await h.send(click(ALEX, { state: '000000' }));
    expect(wrong.body).toEqual({ statusCode: 401, type: INVALID_AUTH_CODE_TYPE });

    const hostile = await h.send(click(ALEX, { state: '../../api/usertoken/SignOut?userId=29:other' }));
    expect(hostile.body).toEqual({ statusCode: 401, type: INVALID_AUTH_CODE_TYPE });
    expect(h.double.callsOf('GetToken').filter((c) => c.query.code !== undefined)).toHaveLength(1);
    expect(h.used).toHaveLength(0);
  });

  it('redeems a good magic code, then finds the stored token on the next click without one', async () => {
    const code = h.double.issueMagicCode(ALEX.mri);
    const first = await h.send(click(ALEX, { state: code }));
    expect((first.body as Body).value).toBe('Decided.');
    const token = h.double.tokenOf(ALEX.mri);
    expect(token).not.toBeNull();

    const again = await h.send(click());
    expect((again.body as Body).value).toBe('Decided.');
    expect(h.used).toEqual([
      { channelUserId: ALEX.mri, token },
      { channelUserId: ALEX.mri, token },
    ]);
    // A magic code redeems once.
    const replay = await h.send(click(ALEX, { state: code }));
    expect((replay.body as Body).type).toBe(INVALID_AUTH_CODE_TYPE);
  });

  it('a Graph 401 signs the user out at the token service and asks again', async () => {
    h.double.setUserToken(ALEX.mri, h.double.connectionName, 'alex-graph-token');
    const res = await h.send(click(ALEX, {}, { ...DATA, graphStatus: 401 }));
    const body = res.body as Body;
    expect(body.type).toBe(LOGIN_REQUEST_TYPE);
    expect(body.value?.tokenExchangeResource).toBeDefined();
    expect(h.double.tokenOf(ALEX.mri)).toBeNull();
    expect(h.double.callsOf('SignOut')[0]?.query).toEqual({
      userId: ALEX.mri,
      connectionName: h.double.connectionName,
      channelId: 'msteams',
    });
  });

  it('after a Graph 401 on a click that already came with SSO, asks for the sign-in button, not SSO again', async () => {
    const sso = h.double.mintSsoToken(ALEX.mri);
    const res = await h.send(click(ALEX, { authentication: { token: sso } }, { ...DATA, graphStatus: 401 }));
    const body = res.body as Body;
    expect(body.type).toBe(LOGIN_REQUEST_TYPE);
    expect(body.value?.tokenExchangeResource).toBeUndefined();
    expect(body.value?.buttons?.[0]?.type).toBe('signin');
  });

  it('in a channel, two users pressing the same card each act with their own token', async () => {
    h.double.setUserToken(ALEX.mri, h.double.connectionName, 'alex-token');
    h.double.setUserToken(MEGAN.mri, h.double.connectionName, 'megan-token');
    const channel = { serviceUrl: h.connector.serviceUrl, channelId: '19:approvals@thread.tacv2' };
    const press = (user: typeof ALEX) => h.send(cardAction(channel, user, { verb: 'approve', data: DATA }));
    const [a, m] = await Promise.all([press(ALEX), press(MEGAN)]);
    expect((a.body as Body).value).toBe('Decided.');
    expect((m.body as Body).value).toBe('Decided.');
    expect(h.used).toEqual(
      expect.arrayContaining([
        { channelUserId: ALEX.mri, token: 'alex-token' },
        { channelUserId: MEGAN.mri, token: 'megan-token' },
      ]),
    );
    expect(h.used).toHaveLength(2);
    expect(
      h.double
        .callsOf('GetToken')
        .map((c) => c.query.userId)
        .sort(),
    ).toEqual([ALEX.mri, MEGAN.mri].sort());
  });

  it('refuses a stored token whose oid is another user’s: signs out and asks to sign in', async () => {
    const payload = Buffer.from(JSON.stringify({ oid: MEGAN.aadObjectId })).toString('base64url');
    h.double.setUserToken(ALEX.mri, h.double.connectionName, `eyJhbGciOiJub25lIn0.${payload}.`);
    const res = await h.send(click());
    expect((res.body as Body).type).toBe(LOGIN_REQUEST_TYPE);
    expect(h.used).toHaveLength(0);
    expect(h.double.tokenOf(ALEX.mri)).toBeNull();
  });

  it('a token service outage is an error the bot can answer, and the error carries no token', async () => {
    h.double.setUserToken(ALEX.mri, h.double.connectionName, 'alex-secret-token');
    h.double.failNext('GetToken', 400);
    const res = await h.send(click());
    expect((res.body as Body).statusCode).toBe(500);
    expect(h.errors).toHaveLength(1);
    const serialized = JSON.stringify(h.errors[0], Object.getOwnPropertyNames(h.errors[0] as object));
    expect(serialized).toContain('GetToken');
    expect(serialized).toContain('HTTP 400');
    expect(serialized).not.toMatch(/alex-secret-token|app-token\.|Bearer/);
  });

  it('refuses an activity without a valid Bot Framework JWT before any handler or token lookup runs', async () => {
    const unsigned = await h.send(click(), null);
    const foreign = await h.send(
      click(),
      `Bearer ${h.double.signActivityJwt(h.double.appId, where().serviceUrl, { foreignKey: true })}`,
    );
    const otherBot = await h.send(
      click(),
      `Bearer ${h.double.signActivityJwt('3a1b2c3d-0000-4000-8000-000000000000', where().serviceUrl)}`,
    );
    const otherService = await h.send(
      click(),
      `Bearer ${h.double.signActivityJwt(h.double.appId, 'https://evil.example/')}`,
    );
    const expired = await h.send(
      click(),
      `Bearer ${h.double.signActivityJwt(h.double.appId, where().serviceUrl, { expiresInSeconds: -3600 })}`,
    );
    for (const res of [unsigned, otherBot, otherService, expired]) expect(res.status).toBe(401);
    // botbuilder's own process() answers a bad signature with 500, not 401 (jsonwebtoken's error is not an
    // AuthenticationError); the product's edge checks the token itself and answers 401
    // (tests/auth/sign-in-app.test.ts). Either way nothing runs.
    expect(foreign.status).toBe(500);
    expect(h.double.callsOf('GetToken')).toHaveLength(0);
    expect(h.used).toHaveLength(0);
    // The inbound check read the double's OpenID metadata and keys.
    expect(h.double.callsOf('openIdMetadata').length).toBeGreaterThan(0);
  });
});

describe('message-flow sign-in (sign in / sign out, signin/tokenExchange, signin/verifyState)', () => {
  const oauthCardOf = async (after: number) => {
    const call = await h.connector.waitFor((c) => c.method === 'POST', { after });
    const attachments = call.activity.attachments as
      { contentType?: string; content?: Body['value'] }[] | undefined;
    return attachments?.[0];
  };

  it('"sign in" in a personal chat sends an OAuthCard with the sign-in link and SSO resource', async () => {
    const mark = h.connector.mark();
    const res = await h.send(messageActivity(where(), ALEX, 'sign in'));
    expect(res.status).toBe(200);
    const card = await oauthCardOf(mark);
    expect(card?.contentType).toBe('application/vnd.microsoft.card.oauth');
    expect(card?.content?.connectionName).toBe(h.double.connectionName);
    expect(card?.content?.buttons?.[0]).toMatchObject({
      type: 'signin',
      value: expect.stringContaining('/signin?id='),
    });
    expect(card?.content?.tokenExchangeResource?.uri).toBe(`api://botid-${h.double.appId}`);
  });

  it('"sign in" in a channel sends a plain sign-in button (no silent exchange for every member)', async () => {
    const mark = h.connector.mark();
    await h.send(messageActivity({ ...where(), channelId: '19:approvals@thread.tacv2' }, ALEX, 'sign in'));
    const card = await oauthCardOf(mark);
    expect(card?.contentType).toBe('application/vnd.microsoft.card.oauth');
    expect(card?.content?.tokenExchangeResource).toBeUndefined();
  });

  it('"sign in" when already signed in says so instead of sending a card', async () => {
    h.double.setUserToken(ALEX.mri, h.double.connectionName, 'alex-token');
    const mark = h.connector.mark();
    await h.send(messageActivity(where(), ALEX, 'sign in'));
    const call = await h.connector.waitFor((c) => c.method === 'POST', { after: mark });
    expect(call.activity.text).toMatch(/already signed in/);
    expect(h.double.callsOf('GetSignInResource')).toHaveLength(0);
  });

  it('"sign out" removes the token at the token service, and the next click asks to sign in', async () => {
    h.double.setUserToken(ALEX.mri, h.double.connectionName, 'alex-token');
    h.double.setUserToken(MEGAN.mri, h.double.connectionName, 'megan-token');
    await h.send(messageActivity(where(), ALEX, 'sign out'));
    expect(h.double.tokenOf(ALEX.mri)).toBeNull();
    expect(h.double.tokenOf(MEGAN.mri)).toBe('megan-token');
    const res = await h.send(click());
    expect((res.body as Body).type).toBe(LOGIN_REQUEST_TYPE);
  });

  it('"pending" with a token uses the user’s own token; without one it sends the sign-in card', async () => {
    const mark = h.connector.mark();
    await h.send(messageActivity(where(), MEGAN, 'pending'));
    expect((await oauthCardOf(mark))?.contentType).toBe('application/vnd.microsoft.card.oauth');
    h.double.setUserToken(ALEX.mri, h.double.connectionName, 'alex-token');
    await h.send(messageActivity(where(), ALEX, 'pending'));
    expect(h.used).toEqual([{ channelUserId: ALEX.mri, token: 'alex-token' }]);
  });

  const signinInvoke = (name: string, user: typeof ALEX, value: unknown) => ({
    ...messageActivity(where(), user, ''),
    type: 'invoke',
    name,
    value,
    text: undefined,
  });

  it('signin/tokenExchange stores the user’s token, greets once however many clients send it', async () => {
    const sso = h.double.mintSsoToken(ALEX.mri);
    const value = { id: 'exchange-1', connectionName: h.double.connectionName, token: sso };
    const mark = h.connector.mark();
    const first = await h.send(signinInvoke('signin/tokenExchange', ALEX, value));
    const second = await h.send(signinInvoke('signin/tokenExchange', ALEX, value));
    expect(first.status).toBe(200);
    expect(second.status).toBe(200);
    expect(h.double.tokenOf(ALEX.mri)).not.toBeNull();
    await h.connector.waitFor((c) => c.activity.text === 'You are signed in.', { after: mark });
    expect(
      h.connector.calls.slice(mark).filter((c) => c.activity.text === 'You are signed in.'),
    ).toHaveLength(1);
  });

  it('a failed signin/tokenExchange answers 412 with id, connectionName and failureDetail', async () => {
    h.double.failNextExchange();
    const res = await h.send(signinInvoke('signin/tokenExchange', ALEX, { id: 'exchange-2', token: 'sso' }));
    expect(res.status).toBe(412);
    expect(res.body).toEqual({
      id: 'exchange-2',
      connectionName: h.double.connectionName,
      failureDetail: expect.any(String),
    });
  });

  it('signin/verifyState redeems a good code (200) and refuses a bad one (404)', async () => {
    const bad = await h.send(signinInvoke('signin/verifyState', ALEX, { state: '123456' }));
    expect(bad.status).toBe(404);
    const cancelled = await h.send(signinInvoke('signin/verifyState', ALEX, { state: 'CancelledByUser' }));
    expect(cancelled.status).toBe(404);
    const code = h.double.issueMagicCode(ALEX.mri, h.double.connectionName, 'alex-from-code');
    const good = await h.send(signinInvoke('signin/verifyState', ALEX, { state: code }));
    expect(good.status).toBe(200);
    expect(h.double.tokenOf(ALEX.mri)).toBe('alex-from-code');
  });
});

describe('token service time budget', () => {
  it('gives up on a token service that keeps failing within the budget, so the click can still be answered', async () => {
    const slow = await startAuthHarness({ budgetMs: 800 });
    try {
      slow.double.failNext('GetToken', 503, 10);
      const click = cardAction({ serviceUrl: slow.connector.serviceUrl }, ALEX, {
        verb: 'approve',
        data: DATA,
      });
      const res = await slow.send(click);
      expect((res.body as Body).statusCode).toBe(500);
      expect(res.ms).toBeLessThan(2500);
      expect(String(slow.errors[0])).toMatch(/did not answer in time on GetToken/);
      // botbuilder's pipeline goes on retrying in the background (1 + 3 attempts); let it finish so
      // that its back-off timers do not outlive the test.
      const until = Date.now() + 15_000;
      while (slow.double.callsOf('GetToken').length < 4 && Date.now() < until) {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    } finally {
      await slow.close();
    }
  });
});
