import { cardOf, cardText, installActivity, post } from '../support/teams';
import { startStack } from './harness';
import type { Stack } from './harness';

/**
 * The right item first: on install, cards arrive soonest real deadline first across kinds (a PIM request
 * lapses 24 h after it was made, a review item is due when its review ends), then what has no deadline, oldest
 * first; every card says its deadline or its age.
 */
let stack: Stack;
beforeAll(async () => {
  stack = await startStack({}, { sandbox: { tenant: 'empty' } });
});
afterAll(() => stack.close());

const hoursAgo = (h: number) => new Date(Date.now() - h * 3_600_000).toISOString();
const inHours = (h: number) => new Date(Date.now() + h * 3_600_000).toISOString();

it('posts the most urgent first across kinds, each card with its deadline or age', async () => {
  const { alex, adele, megan } = stack.sandbox.users;
  stack.sandbox.seed.accessPackageRequest({
    requestor: adele.id,
    accessPackage: { displayName: 'Old package request' },
    createdDateTime: hoursAgo(72),
    stages: [{ approvers: [alex.id] }],
  });
  stack.sandbox.seed.accessPackageRequest({
    requestor: megan.id,
    accessPackage: { displayName: 'New package request' },
    createdDateTime: hoursAgo(1),
    stages: [{ approvers: [alex.id] }],
  });
  stack.sandbox.seed.pimRoleRequest({
    principal: megan.id,
    role: { displayName: 'Exchange Administrator' },
    createdDateTime: hoursAgo(2),
    approvers: [alex.id],
  });
  stack.sandbox.seed.pimGroupRequest({
    principal: adele.id,
    group: { displayName: 'Finance admins' },
    createdDateTime: hoursAgo(20),
    approvers: [alex.id],
  });
  stack.sandbox.seed.accessReview({
    displayName: 'Vendor review',
    reviewers: [alex.id],
    endDateTime: inHours(48),
    decisions: [{ principal: adele.id }],
  });

  const mark = stack.connector.mark();
  await post(stack.botUrl, installActivity({ serviceUrl: stack.connector.serviceUrl }, stack.alex));
  await stack.app.bot.idle();
  const texts = stack.connector.calls
    .slice(mark)
    .map((c) => cardText(cardOf(c.activity)))
    .filter((t) => t !== '');
  const order = [
    'Finance admins',
    'Exchange Administrator',
    'Vendor review',
    'Old package request',
    'New package request',
  ];
  const positions = order.map((title) => texts.findIndex((t) => t.includes(title)));
  expect(positions.every((p) => p >= 0)).toBe(true);
  expect(positions).toEqual([...positions].sort((a, b) => a - b));
  // Deadlines where Graph gives them (PIM: 24 h from the request; a review: its end), age otherwise.
  for (const title of ['Finance admins', 'Exchange Administrator'])
    expect(texts.find((t) => t.includes(title))).toMatch(/Expires/);
  expect(texts.find((t) => t.includes('Vendor review'))).toMatch(/Due|ends/);
  for (const title of ['Old package request', 'New package request'])
    expect(texts.find((t) => t.includes(title))).toMatch(/Requested/);
});

it("puts a review's one card for several items in the same order, by the review's end", async () => {
  const { megan, adele, isaiah, lynne } = stack.sandbox.users;
  stack.sandbox.seed.pimGroupRequest({
    principal: adele.id,
    group: { displayName: 'Helpdesk operators' },
    createdDateTime: hoursAgo(10),
    approvers: [megan.id],
  });
  stack.sandbox.seed.accessReview({
    displayName: 'Closing soon review',
    reviewers: [megan.id],
    endDateTime: inHours(6),
    decisions: [{ principal: adele.id }, { principal: isaiah.id }, { principal: lynne.id }],
  });
  stack.sandbox.seed.accessReview({
    displayName: 'Later review',
    reviewers: [megan.id],
    endDateTime: inHours(30),
    decisions: [{ principal: adele.id }],
  });

  const mark = stack.connector.mark();
  await post(stack.botUrl, installActivity({ serviceUrl: stack.connector.serviceUrl }, stack.megan));
  await stack.app.bot.idle();
  const texts = stack.connector.calls
    .slice(mark)
    .map((c) => cardText(cardOf(c.activity)))
    .filter((t) => t !== '');
  // Due in 6 h (one card for its 3 items), the PIM request lapsing in 14 h, the review due in 30 h.
  expect(
    texts.map((t) =>
      ['Closing soon review', 'Helpdesk operators', 'Later review'].find((x) => t.includes(x)),
    ),
  ).toEqual(['Closing soon review', 'Helpdesk operators', 'Later review']);
  expect(texts[0]).toMatch(/3 items of Closing soon review wait on you/);
});
