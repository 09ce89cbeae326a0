import { TestAdapter, TurnContext } from 'botbuilder';
import type { Activity } from 'botbuilder';
import {
  BotFrameworkTokens,
  LocalSandboxTokens,
  RecentIds,
  SignInUnavailableError,
  resolveActionToken,
  tokenOwnership,
} from '../../src/auth';
import type { ActingUser } from '../../src/auth';

const ALEX_OID = '0b8f1c2d-3e4f-4a5b-8c6d-7e8f9a0b1c2d';
const TENANT = '6d2b6a0e-7c1f-4f0e-9b8a-1a2b3c4d5e00';

function turn(activity: Partial<Activity>): TurnContext {
  return new TurnContext(new TestAdapter(), {
    type: 'invoke',
    name: 'adaptiveCard/action',
    channelId: 'msteams',
    from: { id: '29:alex', name: 'Alex Wilber', aadObjectId: ALEX_OID },
    conversation: {
      id: 'a:personal',
      conversationType: 'personal',
      tenantId: TENANT,
      isGroup: false,
      name: '',
    },
    recipient: { id: '28:bot', name: 'Approvals' },
    value: { action: { type: 'Action.Execute', verb: 'approve', data: {} }, trigger: 'manual' },
    ...activity,
  });
}

const jwtWith = (claims: Record<string, unknown>) =>
  `eyJhbGciOiJub25lIn0.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.`;

describe('tokenOwnership', () => {
  it('matches a readable oid case-insensitively, refuses another oid, and leaves opaque tokens alone', () => {
    expect(tokenOwnership(jwtWith({ oid: ALEX_OID.toUpperCase() }), ALEX_OID)).toBe('match');
    expect(tokenOwnership(jwtWith({ oid: '1c9e2d3f-4a5b-4c6d-9e7f-8a9b0c1d2e3f' }), ALEX_OID)).toBe(
      'mismatch',
    );
    expect(tokenOwnership('opaque-token', ALEX_OID)).toBe('unknown');
    expect(tokenOwnership('a.%%%.b', ALEX_OID)).toBe('unknown');
    expect(tokenOwnership(jwtWith({ sub: 'x' }), ALEX_OID)).toBe('unknown');
    expect(tokenOwnership(jwtWith({ oid: ALEX_OID }), undefined)).toBe('unknown');
  });
});

describe('production guards', () => {
  it('never runs the sign-in flow for an automatic refresh', async () => {
    const refresh = turn({
      value: { action: { type: 'Action.Execute', verb: 'refresh' }, trigger: 'automatic' },
    });
    await expect(resolveActionToken(refresh, 'graph')).rejects.toThrow(TypeError);
  });

  it('says clearly when the turn has no UserTokenClient (not a CloudAdapter turn)', async () => {
    await expect(resolveActionToken(turn({}), 'graph')).rejects.toThrow(SignInUnavailableError);
  });

  it('answers a click without a Teams user with a 400 body, before any token lookup', async () => {
    const anonymous = turn({ from: { id: '29:x', name: 'x' } });
    await expect(resolveActionToken(anonymous, 'graph')).resolves.toEqual({
      kind: 'reply',
      body: expect.objectContaining({ statusCode: 400, type: 'application/vnd.microsoft.error' }),
    });
  });

  it('refuses to look up a token for anyone but the sender of the current activity, or without a turn', async () => {
    const tokens = new BotFrameworkTokens({ connectionName: 'graph' });
    const megan: ActingUser = { aadObjectId: 'm', channelUserId: '29:megan', name: 'Megan', tenantId: null };
    await expect(tokens.getToken(megan, turn({}))).rejects.toThrow(/only be looked up for the user who sent/);
    await expect(tokens.getToken(megan)).rejects.toThrow(/needs the turn/);
    await expect(tokens.signOut(megan, turn({}))).rejects.toThrow(TypeError);
    expect(() => new BotFrameworkTokens({ connectionName: ' ' })).toThrow(TypeError);
  });
});

describe('RecentIds', () => {
  it('says first time once per id within the TTL, and forgets after it', () => {
    let now = 0;
    const recent = new RecentIds(1000, 10, () => now);
    expect(recent.firstTime('a')).toBe(true);
    expect(recent.firstTime('a')).toBe(false);
    now = 2000;
    expect(recent.firstTime('a')).toBe(true);
  });

  it('stays bounded', () => {
    const recent = new RecentIds(60_000, 3, () => 0);
    for (const id of ['a', 'b', 'c', 'd']) recent.firstTime(id);
    expect(recent.firstTime('a')).toBe(true);
  });
});

describe('local mode (LocalSandboxTokens) through the same port', () => {
  const tokens = new LocalSandboxTokens(TENANT, () => Date.UTC(2026, 0, 1));
  const claimsOf = (token: string) =>
    JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as Record<
      string,
      unknown
    >;

  it('gives the clicking user a sandbox token for themselves', async () => {
    const result = await tokens.forCardAction(turn({}));
    expect(result.kind).toBe('token');
    if (result.kind !== 'token') return;
    expect(claimsOf(result.token)).toMatchObject({ oid: ALEX_OID, tid: TENANT, name: 'Alex Wilber' });
    expect(tokenOwnership(result.token, ALEX_OID)).toBe('match');
  });

  it('keeps the old getToken(user) call shape', async () => {
    const user: ActingUser = {
      aadObjectId: ALEX_OID,
      channelUserId: '29:alex',
      name: 'Alex',
      tenantId: null,
    };
    const result = await tokens.getToken(user);
    expect(result.kind).toBe('token');
  });

  it('answers a click without a Teams user with a 400 body', async () => {
    const result = await tokens.forCardAction(turn({ from: { id: '29:x', name: 'x' } }));
    expect(result).toEqual({ kind: 'reply', body: expect.objectContaining({ statusCode: 400 }) });
  });

  it('has nothing to sign in to: signin invokes answer 200, a Graph 401 is a message, "sign in" says so', async () => {
    await expect(tokens.onSignInInvoke()).resolves.toEqual({ response: { status: 200 }, signedIn: false });
    await expect(tokens.signOutAfterGraph401()).resolves.toMatchObject({
      statusCode: 200,
      type: 'application/vnd.microsoft.activity.message',
    });
    const sent: Partial<Activity>[] = [];
    const adapter = new TestAdapter(async () => undefined);
    const context = new TurnContext(adapter, turn({ type: 'message', name: undefined }).activity);
    context.onSendActivities(async (_ctx, activities) => {
      sent.push(...activities);
      return activities.map(() => ({ id: 'x' }));
    });
    await expect(tokens.sendSignInCard(context)).resolves.toBe('localMode');
    expect(sent[0]?.text).toMatch(/Local mode/);
  });
});
