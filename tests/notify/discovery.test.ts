import { itemKey } from '../../src/domain';
import type { DecisionTarget } from '../../src/domain';
import { digestCopyKey, digestEntry } from '../../src/notify';
import { DEMO_IDS } from '../../src/sandbox';
import { syntheticItem } from '../../src/store';
import { cardActions, cardText, installActivity, messageActivity, post } from '../support/teams';
import type { TeamsUser } from '../support/teams';
import {
  BOT,
  asTeamsUser,
  cardItemId,
  cardOf,
  drained,
  personalConversationId,
  personalReference,
  startNotifyStack,
  targetOf,
} from './support/stack';
import type { NotifyStack } from './support/stack';

let stack: NotifyStack;
beforeAll(async () => {
  stack = await startNotifyStack({ notify: { worker: { digestCards: 3 } } });
});
afterAll(() => stack.close());

const personal = () => ({ serviceUrl: stack.connector.serviceUrl });
const cycle = async () => {
  const report = await stack.app.notifier.discoverAll();
  await drained(stack.app);
  return report;
};
const sentTo = (user: TeamsUser) => stack.connector.sendsTo(personalConversationId(user));
const newSends = (before: number) =>
  stack.connector.requests.slice(before).filter((r) => r.method === 'POST' && r.status === 200);

async function install(user: TeamsUser) {
  const res = await post(stack.botUrl, installActivity(personal(), user));
  expect(res.status).toBeLessThan(300);
  await stack.app.bot.idle();
}

describe('discovery', () => {
  it('leaves the install flow alone: cards come at install, and a first cycle sends none again', async () => {
    await install(stack.alex);
    const atInstall = sentTo(stack.alex).length;
    expect(atInstall).toBeGreaterThan(5);
    const before = stack.connector.requests.length;
    const report = await cycle();
    expect(report.approvers).toBeGreaterThanOrEqual(1);
    expect(newSends(before)).toEqual([]);
  });

  it('turns every copy into "Already approved by Megan Bowen" when Megan decides in the portal, without a click', async () => {
    await install(stack.megan);
    const approvalId = DEMO_IDS.accessPackage.financeSharedStage;
    const alexCard = sentTo(stack.alex).find((r) => cardItemId(r.activity) === approvalId);
    const meganCard = sentTo(stack.megan).find((r) => cardItemId(r.activity) === approvalId);
    if (!alexCard || !meganCard) throw new Error('both approvers should have the card');
    const target = targetOf(cardOf(alexCard.activity)) as unknown as DecisionTarget & { stageId: string };
    expect((await stack.app.store.copiesOf(itemKey(target))).length).toBeGreaterThanOrEqual(2);

    // Megan approves in My Access: nothing reaches the bot.
    expect(
      stack.sandbox.decideAs(stack.megan.aadObjectId, {
        approvalId,
        stageId: target.stageId,
        reviewResult: 'Approve',
      }),
    ).toBe(204);
    const report = await cycle();
    expect(report.finished).toBeGreaterThanOrEqual(1);

    const alexNow = cardText(cardOf(stack.connector.messages.get(alexCard.activityId)));
    expect(alexNow).toMatch(/Already approved by Megan Bowen/);
    const meganNow = cardText(cardOf(stack.connector.messages.get(meganCard.activityId)));
    expect(meganNow).toMatch(/Approved by you/);
    for (const copy of await stack.app.store.copiesOf(itemKey(target))) {
      const shown = cardOf(stack.connector.messages.get(copy.activityId));
      expect(JSON.stringify(shown)).not.toMatch(/"verb":"approve"/);
    }
  });

  it("posts a card for a new request in the approver's chat, through the outbox, and records the copy", async () => {
    const seeded = stack.sandbox.seed.accessPackageRequest({
      requestor: stack.lynne.aadObjectId,
      accessPackage: { displayName: 'Design system library' },
      justification: 'New to the design team',
      stages: [{ approvers: [stack.alex.aadObjectId] }],
    });
    const before = stack.connector.requests.length;
    const report = await cycle();
    expect(report.added).toBe(1);
    const sends = newSends(before);
    expect(sends).toHaveLength(1);
    expect(sends[0]?.conversationId).toBe(personalConversationId(stack.alex));
    expect(cardItemId(sends[0]?.activity)).toBe(seeded.approvalId);
    expect(cardText(cardOf(sends[0]?.activity))).toMatch(/Design system library/);
    const key = `accessPackage:${seeded.approvalId}:${seeded.stageIds[0] ?? ''}`;
    expect(await stack.app.store.copiesOf(key)).toMatchObject([
      {
        conversationId: personalConversationId(stack.alex),
        activityId: sends[0]?.activityId,
        scope: 'personal',
      },
    ]);
    // The next cycle has nothing new to say.
    const again = stack.connector.requests.length;
    await cycle();
    expect(newSends(again)).toEqual([]);
  });

  it("sends one card for a new review's 10 items waiting on the reviewer, and pressing it decides them all", async () => {
    await install(stack.alex);
    const review = stack.sandbox.seed.accessReview({
      displayName: 'Contractor access review',
      reviewers: [stack.alex.aadObjectId],
      settings: { recommendationsEnabled: true },
      decisions: Array.from({ length: 10 }, (_, i) => ({
        principal: { displayName: `Contractor ${i + 1}`, userType: 'Guest' as const },
        recommendation: i < 6 ? ('Approve' as const) : ('Deny' as const),
      })),
    });
    const before = stack.connector.requests.length;
    const report = await cycle();
    expect(report.added).toBe(10);
    const sends = newSends(before);
    expect(sends.map((r) => cardText(cardOf(r.activity)).match(/\d+ items of .* wait on you/)?.[0])).toEqual([
      '10 items of Contractor access review wait on you',
    ]);
    expect(sends[0]?.conversationId).toBe(personalConversationId(stack.alex));
    // The card is recorded under the review, so a repeated cycle or a restart does not send it again.
    const again = stack.connector.requests.length;
    await cycle();
    expect(newSends(again)).toEqual([]);

    // Accept recommendations, confirmed: Graph's bulk call, and every item ends as recommended.
    const card = cardOf(sends[0]?.activity);
    const pressOn = async (current: unknown, title: string) => {
      const action = cardActions(current).find((a) => a.title === title);
      if (!action) throw new Error(`no button ${title}`);
      const mark = stack.connector.requests.length;
      await post(stack.botUrl, {
        ...messageActivity(personal(), stack.alex, '', { ...action.data }),
        replyToId: sends[0]?.activityId,
      });
      await stack.app.bot.idle();
      const updated = stack.connector.requests
        .slice(mark)
        .find((r) => r.method === 'PUT' && r.activityId === sends[0]?.activityId);
      return cardOf(updated?.activity);
    };
    const confirm = await pressOn(card, 'Accept recommendations');
    expect(cardText(confirm)).toContain('Decide 10 items at once? 6 items approved and 4 items denied');
    const done = await pressOn(confirm, 'Yes, accept recommendations');
    expect(cardText(done)).toContain('10 decisions recorded in Microsoft Entra.');
    expect(review.decisionIds.map((id) => stack.sandbox.state.reviewDecision(id)?.decision)).toEqual(
      Array.from({ length: 10 }, (_, i) => (i < 6 ? 'Approve' : 'Deny')),
    );
  });

  it('sends one digest and the most urgent few when many requests arrive at once', async () => {
    stack.sandbox.seed.bulk({ kind: 'accessPackage', count: 14, approver: stack.megan.aadObjectId });
    const before = stack.connector.requests.length;
    await cycle();
    const sends = newSends(before).filter((r) => r.conversationId === personalConversationId(stack.megan));
    const digests = sends.filter((r) => /14 items wait for your decision/.test(cardText(cardOf(r.activity))));
    expect(digests).toHaveLength(1);
    expect(sends.filter((r) => cardItemId(r.activity) !== null)).toHaveLength(3);
    expect(sends).toHaveLength(4);
  });

  it('records a digest as a copy of its own and never sends a recorded digest again', async () => {
    const { store, notifier } = stack.app;
    const megan = stack.megan.aadObjectId.toLowerCase();
    const items = [9001, 9002].map((n) => syntheticItem(n));
    await store.putItems(items.map((item) => ({ item, approverId: megan })));
    const keys = items.map((item) => itemKey(item.target));
    const chat = personalConversationId(stack.megan);

    const first = digestEntry(megan, keys, 'copy-test:1', Date.now());
    const before = stack.connector.requests.length;
    await store.enqueue([first]);
    notifier.wake();
    await drained(stack.app);
    const digests = newSends(before).filter(
      (r) => r.conversationId === chat && cardItemId(r.activity) === null,
    );
    expect(digests).toHaveLength(1);
    const recorded = await store.copiesOf(digestCopyKey(first.dedupeKey));
    expect(recorded).toEqual([
      expect.objectContaining({
        conversationId: chat,
        activityId: digests[0]?.activityId,
        recipientId: megan,
      }),
    ]);
    // Not one of the items' copies: a final-state update or an "already carded" check never sees it.
    for (const key of keys)
      expect((await store.copiesOf(key)).map((c) => c.activityId)).not.toContain(digests[0]?.activityId);

    // A digest whose card is recorded in the chat (a crash after the send, or an outbox rolled back) is
    // completed with the recorded activity and not sent again; its follow-up cards were enqueued already.
    const second = digestEntry(megan, keys, 'copy-test:2', Date.now());
    const [copy] = recorded;
    if (!copy) throw new Error('no digest copy');
    await store.addCopy({ ...copy, itemKey: digestCopyKey(second.dedupeKey) });
    const again = stack.connector.requests.length;
    const [entry] = await store.enqueue([second]);
    notifier.wake();
    await drained(stack.app);
    expect(newSends(again)).toEqual([]);
    expect(await store.getOutboxEntry(entry?.id ?? '')).toMatchObject({
      state: 'done',
      activityId: copy.activityId,
    });
  });

  it('costs a couple of Graph requests per approver when nothing is new', async () => {
    await cycle();
    stack.sandbox.clearRequests();
    const report = await cycle();
    const requests = stack.sandbox.requests.filter((r) => !r.batched);
    // One $batch for the v1.0 reads and one for beta (PIM for roles), whatever the number of items.
    const perApprover = requests.length / report.approvers;
    process.stdout.write(
      `discovery with nothing new: ${perApprover.toFixed(2)} Graph requests per approver\n`,
    );
    expect(perApprover).toBeLessThanOrEqual(6);
    expect(report.graphRequests).toBe(requests.length);
  });

  it('opens a 1:1 chat for someone who has the app through a team but never chatted with the bot', async () => {
    const channel = { serviceUrl: stack.connector.serviceUrl, channelId: '19:iam-approvals@thread.tacv2' };
    await post(stack.botUrl, messageActivity(channel, stack.lynne, '<at>Approvals</at> help'));
    const placeholder = await stack.app.store.getReference(`user:${stack.lynne.aadObjectId.toLowerCase()}`);
    expect(placeholder).toMatchObject({ scope: 'personal', conversationId: '', userMri: stack.lynne.mri });

    const seeded = stack.sandbox.seed.pimGroupRequest({
      principal: stack.alex.aadObjectId,
      group: { displayName: 'Design reviewers' },
      approvers: [stack.lynne.aadObjectId],
    });
    const before = stack.connector.requests.length;
    await cycle();
    const made = stack.connector.requests.slice(before);
    const create = made.find((r) => r.method === 'CREATE');
    expect(create?.activity).toMatchObject({ isGroup: false, members: [{ id: stack.lynne.mri }] });
    const chat = (await stack.app.store.getReference(`user:${stack.lynne.aadObjectId.toLowerCase()}`))
      ?.conversationId;
    expect(chat).toBe(create?.activityId);
    expect(made.filter((r) => r.method === 'CREATE')).toHaveLength(1);
    const cards = made.filter((r) => r.method === 'POST' && r.conversationId === chat);
    expect(cards.map((r) => cardItemId(r.activity))).toContain(seeded.approvalId);
  });

  it('remembers every member when the bot is added to a team, and whoever joins later', async () => {
    const team = '19:team@thread.tacv2';
    const adele = asTeamsUser(stack.sandbox.users.adele);
    const isaiah = asTeamsUser(stack.sandbox.users.isaiah);
    const member = (u: TeamsUser) => ({ id: u.mri, name: u.name, aadObjectId: u.aadObjectId });
    stack.connector.setMembers(team, [member(stack.alex), member(adele), member(stack.lynne)]);
    const channel = { serviceUrl: stack.connector.serviceUrl, channelId: '19:general@thread.tacv2' };
    const added = (members: unknown[]) => ({
      ...messageActivity(channel, stack.alex, ''),
      type: 'conversationUpdate',
      text: undefined,
      membersAdded: members,
    });
    expect((await post(stack.botUrl, added([BOT]))).status).toBeLessThan(300);
    // The roster is read page by page in the background, after the inbound request was answered.
    await stack.app.bot.idle();
    const adeleRef = await stack.app.store.getReference(`user:${adele.aadObjectId.toLowerCase()}`);
    expect(adeleRef).toMatchObject({ conversationId: '', userMri: adele.mri });
    // Alex has a chat already: it is kept as it is.
    expect(
      (await stack.app.store.getReference(`user:${stack.alex.aadObjectId.toLowerCase()}`))?.conversationId,
    ).toBe(personalConversationId(stack.alex));

    expect((await post(stack.botUrl, added([member(isaiah)]))).status).toBeLessThan(300);
    expect(await stack.app.store.getReference(`user:${isaiah.aadObjectId.toLowerCase()}`)).toMatchObject({
      conversationId: '',
      userMri: isaiah.mri,
    });
  });

  it('opens the 1:1 again when the user removed the chat history (ConversationNotFound)', async () => {
    stack.connector.loseConversation(personalConversationId(stack.alex));
    const seeded = stack.sandbox.seed.pimRoleRequest({
      principal: stack.megan.aadObjectId,
      role: { displayName: 'Teams Administrator' },
      approvers: [stack.alex.aadObjectId],
    });
    const before = stack.connector.requests.length;
    await cycle();
    const reference = await stack.app.store.getReference(`user:${stack.alex.aadObjectId.toLowerCase()}`);
    const chats = [personalConversationId(stack.alex), `create:${stack.alex.mri}`, reference?.conversationId];
    const made = stack.connector.requests.slice(before).filter((r) => chats.includes(r.conversationId));
    expect(made.map((r) => `${r.method} ${r.status}`)).toEqual(['POST 404', 'CREATE 201', 'POST 200']);
    expect(cardItemId(made[2]?.activity)).toBe(seeded.approvalId);
    expect(reference?.conversationId).toBe(made[1]?.activityId);
  });

  it('stops sending to someone who blocked the bot (MessageWritesBlocked), until they write again', async () => {
    const patti = asTeamsUser(stack.sandbox.users.patti);
    await stack.app.store.saveReference(personalReference(patti, stack.connector.serviceUrl));
    stack.connector.block(personalConversationId(patti));
    stack.sandbox.seed.accessPackageRequest({
      requestor: stack.lynne.aadObjectId,
      accessPackage: { displayName: 'Travel booking' },
      stages: [{ approvers: [patti.aadObjectId] }],
    });
    await cycle();
    expect(await stack.app.store.isUnreachable(patti.aadObjectId)).toBe(true);
    expect((await stack.app.store.outboxCounts()).dead).toBe(1);

    stack.sandbox.seed.accessPackageRequest({
      requestor: stack.lynne.aadObjectId,
      accessPackage: { displayName: 'Travel booking, again' },
      stages: [{ approvers: [patti.aadObjectId] }],
    });
    const before = stack.connector.requests.length;
    await cycle();
    expect(
      stack.connector.requests.slice(before).filter((r) => r.conversationId.includes(patti.aadObjectId)),
    ).toEqual([]);

    // Patti unblocks the bot and writes to it: she is reachable again.
    stack.connector.unblock(personalConversationId(patti));
    await post(stack.botUrl, messageActivity(personal(), patti, 'help'));
    expect(await stack.app.store.isUnreachable(patti.aadObjectId)).toBe(false);
  });
});
