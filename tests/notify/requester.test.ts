import type { Sandbox } from '../../src/sandbox';
import { cardAction, cardText, messageActivity, post } from '../support/teams';
import type { TeamsUser } from '../support/teams';
import type { NotifyStack } from './support/stack';
import {
  asTeamsUser,
  cardOf,
  drained,
  personalConversationId,
  personalReference,
  startNotifyStack,
  targetOf,
} from './support/stack';

/**
 * The requester's loop: when an approver decides a request through the bot, its requester (who has the
 * app) gets one message with the decision, the approver and, where the portal shows it to them, the
 * approver's justification. "updates off" stops it; a reviewed principal is never told.
 */
let stack: NotifyStack;
let sandbox: Sandbox;
let alex: TeamsUser;
let adele: TeamsUser;

beforeAll(async () => {
  stack = await startNotifyStack({ tenant: 'empty' });
  sandbox = stack.sandbox;
  alex = stack.alex;
  adele = asTeamsUser(sandbox.users.adele);
  await stack.app.store.saveReference(personalReference(alex, stack.connector.serviceUrl));
  await stack.app.store.saveReference(personalReference(adele, stack.connector.serviceUrl));
});
afterAll(() => stack.close());

const where = () => ({ serviceUrl: stack.connector.serviceUrl });
const toAdele = () =>
  stack.connector.requests.filter(
    (r) => r.method === 'POST' && r.conversationId === personalConversationId(adele),
  );

/** Alex's card for `title` after "pending", pressed with `verb` and `words`. */
async function decide(title: string, verb: string, words: string): Promise<void> {
  const before = stack.connector.requests.length;
  await post(stack.botUrl, messageActivity(where(), alex, 'pending'));
  await stack.app.bot.idle();
  const card = stack.connector.requests
    .slice(before)
    .map((r) => cardOf(r.activity))
    .find((c) => cardText(c).includes(title));
  const target = targetOf(card);
  expect(target).toBeTruthy();
  const res = await post(
    stack.botUrl,
    cardAction(where(), alex, { verb, data: { verb, target, rev: 1, justification: words } }),
  );
  expect(res.status).toBe(200);
  await stack.app.bot.idle();
  await drained(stack.app);
}

it('tells the requester once: approved, by whom, when, and the approver’s justification', async () => {
  sandbox.seed.accessPackageRequest({
    requestor: adele.aadObjectId,
    accessPackage: { displayName: 'Marketing campaign tools' },
    justification: 'Launch campaign',
    stages: [{ approvers: [alex.aadObjectId] }],
  });
  await decide('Marketing campaign tools', 'approve', 'Needed for the spring launch');
  const messages = toAdele();
  expect(messages).toHaveLength(1);
  const text = cardText(cardOf(messages[0]?.activity));
  expect(text).toMatch(/Approved by Alex Wilber (at|on) /);
  expect(text).toContain("Alex Wilber's justification");
  expect(text).toContain('Needed for the spring launch');
  expect(text).toContain('Marketing campaign tools');

  // Discovery and the outbox running again send nothing more.
  await stack.app.notifier.discoverAll();
  await drained(stack.app);
  expect(toAdele()).toHaveLength(1);
});

it('does not repeat a PIM approver’s justification, which the requester is not shown', async () => {
  sandbox.seed.pimGroupRequest({
    principal: adele.aadObjectId,
    group: { displayName: 'Finance admins' },
    justification: 'Quarter close',
    stages: [{ approvers: [alex.aadObjectId] }],
  });
  const before = toAdele().length;
  await decide('Finance admins', 'deny', 'Use the shared account');
  const messages = toAdele().slice(before);
  expect(messages).toHaveLength(1);
  const text = cardText(cardOf(messages[0]?.activity));
  expect(text).toMatch(/Denied by Alex Wilber/);
  expect(text).not.toContain('Use the shared account');
});

it('stays quiet after "updates off", and says so when asked', async () => {
  const before = stack.connector.requests.length;
  await post(stack.botUrl, messageActivity(where(), adele, 'updates off'));
  const answer = stack.connector.requests.slice(before).find((r) => r.method === 'POST');
  expect(String(answer?.activity.text)).toContain('I do not tell you when your own requests are decided');
  sandbox.seed.accessPackageRequest({
    requestor: adele.aadObjectId,
    accessPackage: { displayName: 'Travel booking tool' },
    stages: [{ approvers: [alex.aadObjectId] }],
  });
  const told = toAdele().length;
  await decide('Travel booking tool', 'approve', 'Offsite');
  expect(toAdele()).toHaveLength(told);
  await post(stack.botUrl, messageActivity(where(), adele, 'updates on'));
});

it('never tells a reviewed principal about an access review decision', async () => {
  sandbox.seed.accessReview({
    displayName: 'Guests of Project Falcon',
    reviewers: [alex.aadObjectId],
    decisions: [{ principal: adele.aadObjectId, recommendation: 'Deny' }],
  });
  const told = toAdele().length;
  await decide('Guests of Project Falcon', 'deny', 'Project ended');
  expect(toAdele()).toHaveLength(told);
});

it('tells no one, and queues no notice, when the requester has no chat with the bot', async () => {
  const patti = asTeamsUser(sandbox.users.patti);
  sandbox.seed.accessPackageRequest({
    requestor: patti.aadObjectId,
    accessPackage: { displayName: 'Expense reporting' },
    stages: [{ approvers: [alex.aadObjectId] }],
  });
  const before = { requests: stack.connector.requests.length, outbox: await stack.app.store.outboxCounts() };
  await decide('Expense reporting', 'approve', 'Quarterly travel');
  const sent = stack.connector.requests.slice(before.requests).filter((r) => r.method === 'POST');
  expect(sent.filter((r) => r.conversationId === personalConversationId(patti))).toHaveLength(0);
  // One entry: the update of Alex's card to "Approved"; none for Patti.
  expect(await stack.app.store.outboxCounts()).toEqual({ ...before.outbox, done: before.outbox.done + 1 });
});
