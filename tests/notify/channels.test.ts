import { itemKey } from '../../src/domain';
import type { DecisionTarget } from '../../src/domain';
import { cardAction, cardText, installActivity, messageActivity, post } from '../support/teams';
import type { TeamsUser } from '../support/teams';
import {
  BOT,
  cardItemId,
  cardOf,
  drained,
  personalConversationId,
  startNotifyStack,
  targetOf,
} from './support/stack';
import type { NotifyStack } from './support/stack';

let stack: NotifyStack;
beforeAll(async () => {
  // The memory store here; the other notify suites run on SQLite, the product's default.
  stack = await startNotifyStack({ sqlite: false });
});
afterAll(() => stack.close());

const CHANNEL = '19:iam-approvals@thread.tacv2';
const inChannel = (thread = 1) => ({
  serviceUrl: stack.connector.serviceUrl,
  channelId: CHANNEL,
  conversationId: `${CHANNEL};messageid=${thread}`,
});
const personal = () => ({ serviceUrl: stack.connector.serviceUrl });
const cycle = async () => {
  await stack.app.notifier.discoverAll();
  await drained(stack.app);
};

/** Types a command and returns the text the bot answered with. */
async function say(
  where: ReturnType<typeof inChannel> | ReturnType<typeof personal>,
  user: TeamsUser,
  text: string,
) {
  const before = stack.connector.requests.length;
  const activity = messageActivity(where, user, text);
  // Teams marks an @mention of the bot with an entity; the bot strips it before reading the command.
  const mention = text.startsWith('<at>Approvals</at>')
    ? { entities: [{ type: 'mention', text: '<at>Approvals</at>', mentioned: BOT }] }
    : {};
  const res = await post(stack.botUrl, { ...activity, ...mention });
  expect(res.status).toBeLessThan(300);
  const reply = stack.connector.requests.slice(before).find((r) => r.method === 'POST');
  return String(reply?.activity.text ?? '');
}

describe('channel subscriptions', () => {
  beforeAll(async () => {
    await post(stack.botUrl, installActivity(personal(), stack.alex));
    await stack.app.bot.idle();
    // What waits already is known before the channel subscribes: only new requests go to the channel.
    await cycle();
  });

  it('subscribes a channel with a command in it, and lists what it follows', async () => {
    expect(
      await say(inChannel(), stack.alex, '<at>Approvals</at> subscribe access package Design system library'),
    ).toMatch(/^Subscribed\./);
    expect(await say(inChannel(2), stack.megan, '<at>Approvals</at> subscribe group Finance admins')).toMatch(
      /^Subscribed\./,
    );
    expect(await say(inChannel(3), stack.alex, 'subscribe access package design system library')).toMatch(
      /already follows/,
    );
    const listed = await say(inChannel(), stack.alex, '<at>Approvals</at> subscriptions');
    expect(listed).toMatch(/access package: `Design system library`/i);
    expect(listed).toMatch(/group: `Finance admins`/);
    expect(await say(inChannel(), stack.alex, 'subscribe catalog General')).toMatch(/not available yet/);
    expect(await say(inChannel(), stack.alex, 'subscribe')).toMatch(/Say what to follow/);
    expect(await say(personal(), stack.alex, 'subscribe group Finance admins')).toMatch(/team channel/);
    // Kept by channel, not by the thread the command was typed in.
    expect(await stack.app.store.subscriptionsOf(CHANNEL)).toHaveLength(2);
    expect(await stack.app.store.getReference(`channel:${CHANNEL}`)).toMatchObject({
      conversationId: CHANNEL,
    });
  });

  it('posts one card in the channel for a matching new request; an approver there decides as themselves; the outcome shows to all', async () => {
    const seeded = stack.sandbox.seed.accessPackageRequest({
      requestor: stack.lynne.aadObjectId,
      accessPackage: { displayName: 'Design system library' },
      justification: 'Joining the design team',
      stages: [{ approvers: [stack.alex.aadObjectId, stack.megan.aadObjectId] }],
    });
    const before = stack.connector.requests.length;
    await cycle();
    const channelCards = stack.connector.requests
      .slice(before)
      .filter((r) => r.method === 'POST' && r.status === 200 && r.conversationId === CHANNEL);
    expect(channelCards).toHaveLength(1);
    const channelCard = channelCards[0];
    if (!channelCard) throw new Error('no channel card');
    expect(cardItemId(channelCard.activity)).toBe(seeded.approvalId);
    expect(cardText(cardOf(channelCard.activity))).toMatch(/Design system library/);
    const target = targetOf(cardOf(channelCard.activity)) as unknown as DecisionTarget;
    const key = itemKey(target);
    expect(await stack.app.store.copiesOf(key)).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          scope: 'channel',
          conversationId: CHANNEL,
          activityId: channelCard.activityId,
        }),
      ]),
    );
    // Alex (an approver with a chat) also got it in his chat.
    const alexCopy = (await stack.app.store.copiesOf(key)).find(
      (c) => c.conversationId === personalConversationId(stack.alex),
    );
    expect(alexCopy).toBeDefined();

    // Megan, who never installed the bot personally, approves from the channel card, as herself.
    const res = await post(
      stack.botUrl,
      cardAction(inChannel(Number.NaN), stack.megan, {
        verb: 'approve',
        data: { verb: 'approve', target, rev: 1, justification: 'Design onboarding' },
        replyToId: channelCard.activityId,
      }),
    );
    expect(res.status).toBe(200);
    expect(cardText((res.body as { value: unknown }).value)).toMatch(/Approved by you/);
    const patches = stack.sandbox.requests.filter(
      (r) => r.method === 'PATCH' && r.path.includes(seeded.approvalId),
    );
    expect(patches).toMatchObject([{ callerId: stack.megan.aadObjectId, status: 204 }]);

    await stack.app.bot.idle();
    await drained(stack.app);
    // Everyone in the channel sees the outcome; Alex's own copy says it too.
    expect(cardText(cardOf(stack.connector.messages.get(channelCard.activityId)))).toMatch(
      /Already approved by Megan Bowen/,
    );
    expect(cardText(cardOf(stack.connector.messages.get(alexCopy?.activityId ?? '')))).toMatch(
      /Already approved by Megan Bowen/,
    );

    // The audit has who, what, the result, Graph's request-id and the time; "history" shows it to Megan.
    const [entry] = await stack.app.store.auditFor(stack.megan.aadObjectId, 5);
    expect(entry).toEqual({
      at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      userId: stack.megan.aadObjectId,
      userName: 'Megan Bowen',
      itemKey: key,
      kind: 'accessPackage',
      title: expect.stringContaining('Design system library'),
      decision: 'Approve',
      outcome: 'recorded',
      requestId: expect.any(String),
      justificationLength: 'Design onboarding'.length,
    });
    const asked = stack.connector.requests.length;
    await post(stack.botUrl, messageActivity(personal(), stack.megan, 'history'));
    const history = stack.connector.requests.slice(asked).find((r) => r.method === 'POST');
    expect(cardText(cardOf(history?.activity))).toMatch(
      /Design system library .*Approved by you at \d\d:\d\d .*Your justification .*Design onboarding .*You pressed Approve: recorded\./,
    );
  });

  it('matches a group by name for PIM requests, and stops after unsubscribe', async () => {
    stack.sandbox.seed.pimGroupRequest({
      principal: stack.lynne.aadObjectId,
      group: { displayName: 'Finance Admins' },
      approvers: [stack.alex.aadObjectId],
    });
    let before = stack.connector.requests.length;
    await cycle();
    expect(
      stack.connector.sendsTo(CHANNEL).filter((r) => stack.connector.requests.indexOf(r) >= before),
    ).toHaveLength(1);

    expect(await say(inChannel(), stack.alex, 'unsubscribe group finance admins')).toMatch(/^Unsubscribed/);
    expect(await say(inChannel(), stack.alex, 'unsubscribe group finance admins')).toMatch(/does not follow/);
    stack.sandbox.seed.pimGroupRequest({
      principal: stack.lynne.aadObjectId,
      group: { displayName: 'Finance admins' },
      approvers: [stack.alex.aadObjectId],
    });
    before = stack.connector.requests.length;
    await cycle();
    expect(
      stack.connector.sendsTo(CHANNEL).filter((r) => stack.connector.requests.indexOf(r) >= before),
    ).toEqual([]);
  });
});

describe('notification settings', () => {
  it('sets digest delivery and quiet hours from the personal chat', async () => {
    expect(await say(personal(), stack.alex, 'settings')).toMatch(
      /a card for each new request.*no quiet hours/s,
    );
    expect(await say(personal(), stack.alex, 'digest on')).toMatch(
      /one digest of new requests each day at \d\d:00 \(UTC\)/,
    );
    expect(await say(personal(), stack.alex, 'quiet 22:00-07:00 europe/berlin')).toMatch(
      /quiet hours 22:00–07:00 \(Europe\/Berlin\)/,
    );
    expect(await stack.app.store.preferencesOf(stack.alex.aadObjectId)).toEqual({
      delivery: 'digest',
      quietHours: { start: '22:00', end: '07:00', timeZone: 'Europe/Berlin' },
      requesterUpdates: true,
    });
    expect(await say(personal(), stack.alex, 'quiet at night')).toMatch(/Say "quiet 22:00-07:00"/);
    expect(await say(personal(), stack.alex, 'quiet off')).toMatch(/no quiet hours/);
    expect(await say(personal(), stack.alex, 'digest off')).toMatch(/a card for each new request/);
    expect(await say(inChannel(), stack.alex, 'settings')).toMatch(/personal/);
  });
});
