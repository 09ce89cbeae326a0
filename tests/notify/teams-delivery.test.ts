import { CloudAdapter, ConfigurationBotFrameworkAuthentication } from 'botbuilder';
import { CloudAdapterDelivery, retryAfterMs } from '../../src/bot/teams-delivery';
import type { AdaptiveCard } from '../../src/cards';
import { startRateLimitedConnector } from '../support/rate-limited-connector';
import type { RateLimitedConnector } from '../support/rate-limited-connector';
import { TENANT_ID } from '../support/teams';
import { BOT } from './support/stack';

/** The real TeamsDelivery (botbuilder's CloudAdapter) against the connector double, over loopback. */

const card: AdaptiveCard = {
  type: 'AdaptiveCard',
  version: '1.5',
  body: [{ type: 'TextBlock', text: 'Hello' }],
};

let connector: RateLimitedConnector;
let delivery: CloudAdapterDelivery;

beforeAll(async () => {
  connector = await startRateLimitedConnector({
    limits: { conversation: [{ limit: 2, windowMs: 60_000 }], tenant: [] },
  });
  const adapter = new CloudAdapter(new ConfigurationBotFrameworkAuthentication({}));
  delivery = new CloudAdapterDelivery({ adapter, appId: '' });
});
afterAll(() => connector.close());

const reference = (conversationId: string) => ({
  user: { id: '29:user-1', name: 'Alex Wilber', aadObjectId: '6d2b6a0e-7c1f-4f0e-9b8a-1a2b3c4d5e01' },
  bot: BOT,
  conversation: { id: conversationId, conversationType: 'personal', tenantId: TENANT_ID },
  channelId: 'msteams',
  serviceUrl: connector.serviceUrl,
  activityId: 'the-message-this-reference-came-from',
});

const requestsTo = (conversationId: string) =>
  connector.requests.filter((r) => r.conversationId === conversationId);

describe('CloudAdapterDelivery', () => {
  it('posts a new message (not a reply) and updates it', async () => {
    const sent = await delivery.send(reference('a:one'), card);
    expect(sent).toEqual({ ok: true, activityId: expect.any(String), conversationId: 'a:one' });
    expect(requestsTo('a:one')[0]?.activity).not.toHaveProperty('replyToId');
    const activityId = sent.ok ? sent.activityId : '';
    const updated = await delivery.update(reference('a:one'), activityId, {
      ...card,
      body: [{ type: 'TextBlock', text: 'Approved' }],
    });
    expect(updated).toMatchObject({ ok: true, activityId });
    expect(JSON.stringify(connector.messages.get(activityId))).toMatch(/Approved/);
  });

  it("says 429 with its Retry-After, after one request: botbuilder's own retries are off", async () => {
    await delivery.send(reference('a:busy'), card);
    await delivery.send(reference('a:busy'), card);
    const before = connector.requests.length;
    const result = await delivery.send(reference('a:busy'), card);
    expect(result).toMatchObject({ ok: false, failure: { kind: 'throttled' } });
    const failure = result.ok ? null : result.failure;
    expect(failure?.kind === 'throttled' ? failure.retryAfterMs : 0).toBeGreaterThan(50_000);
    expect(connector.requests.length - before).toBe(1);
  });

  it('tells ConversationNotFound, MessageWritesBlocked, a lost message and 5xx apart', async () => {
    connector.loseConversation('a:deleted');
    expect(await delivery.send(reference('a:deleted'), card)).toMatchObject({
      ok: false,
      failure: { kind: 'conversationNotFound' },
    });
    connector.block('a:blocked');
    expect(await delivery.send(reference('a:blocked'), card)).toMatchObject({
      ok: false,
      failure: { kind: 'blocked' },
    });
    expect(await delivery.update(reference('a:two'), 'no-such-message', card)).toMatchObject({
      ok: false,
      failure: { kind: 'messageNotFound' },
    });
    connector.failNext(1, 503);
    const before = connector.requests.length;
    expect(await delivery.send(reference('a:three'), card)).toMatchObject({
      ok: false,
      failure: { kind: 'transient', status: 503 },
    });
    expect(connector.requests.length - before).toBe(1);
    connector.failNext(1, 400);
    expect(await delivery.send(reference('a:three'), card)).toMatchObject({
      ok: false,
      failure: { kind: 'rejected', status: 400 },
    });
  });

  it('opens a 1:1 with the user by their Teams id and answers its reference', async () => {
    const created = await delivery.createPersonal({
      ...reference(''),
      conversation: { id: '', tenantId: TENANT_ID },
    });
    expect(created).toMatchObject({ ok: true, conversationId: expect.stringMatching(/^a:created-/) });
    const request = connector.requests.find((r) => r.method === 'CREATE');
    expect(request?.activity).toMatchObject({
      isGroup: false,
      bot: BOT,
      members: [{ id: '29:user-1' }],
      tenantId: TENANT_ID,
      channelData: { tenant: { id: TENANT_ID } },
    });
    if (!created.ok) throw new Error('not created');
    expect(created.reference).toMatchObject({
      conversation: { id: created.conversationId },
      user: { id: '29:user-1' },
    });
    expect(created.reference).not.toHaveProperty('activityId');
    expect(await delivery.send(created.reference, card)).toMatchObject({
      ok: true,
      conversationId: created.conversationId,
    });

    connector.block('29:user-2');
    const refused = await delivery.createPersonal({
      ...reference(''),
      user: { id: '29:user-2', name: 'Megan' },
    });
    expect(refused).toMatchObject({ ok: false, failure: { kind: 'blocked' } });
  });

  it('reads Retry-After as seconds or as a date', () => {
    expect(retryAfterMs('3')).toBe(3000);
    expect(retryAfterMs('0.5')).toBe(500);
    expect(retryAfterMs(new Date(10_000).toUTCString(), 4000)).toBe(6000);
    expect(retryAfterMs(null)).toBeNull();
    expect(retryAfterMs('soon')).toBeNull();
  });
});
