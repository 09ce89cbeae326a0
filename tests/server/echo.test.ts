import { cardText, messageActivity, post } from '../support/teams';
import { cardOf, startStack } from '../bot/harness';
import type { Stack } from '../bot/harness';

/**
 * Hostile text from requestors and from users, as it comes back to them: a requestor's markdown in a card
 * and a user's own words in a reply are shown literally, never as a link, a mention or formatting.
 * (The edge's 10,000-request fuzz is tests/server/edge-fuzz.test.ts.)
 */
let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(() => stack.close());

it("shows a requestor's markdown link and mention as literal text, not a link", async () => {
  const seeded = stack.sandbox.seed.accessPackageRequest({
    requestor: stack.megan.aadObjectId,
    accessPackage: { displayName: 'Injection test package' },
    justification: 'Please approve [click](https://evil.example) <at>Alex Wilber</at>\n# Heading\n- list',
    stages: [{ approvers: [stack.alex.aadObjectId] }],
  });
  const before = stack.connector.calls.length;
  await post(
    stack.botUrl,
    messageActivity({ serviceUrl: stack.connector.serviceUrl }, stack.alex, 'pending'),
  );
  const card = stack.connector.calls
    .slice(before)
    .map((c) => cardOf(c.activity))
    .find((c) => JSON.stringify(c).includes(seeded.approvalId));
  expect(card).toBeTruthy();
  expect(cardText(card)).toContain('[click](https://evil.example)');
  // Markdown is only rendered in TextBlocks and Facts; the requestor's text never lands in one.
  const rendersMarkdown: string[] = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(walk);
    if (!node || typeof node !== 'object') return;
    const o = node as Record<string, unknown>;
    if (
      (o.type === 'TextBlock' && typeof o.text === 'string') ||
      (typeof o.title === 'string' && typeof o.value === 'string')
    ) {
      rendersMarkdown.push(String(o.text ?? `${o.title} ${o.value}`));
    }
    Object.values(o).forEach(walk);
  };
  walk(card);
  expect(rendersMarkdown.join('\n')).not.toMatch(/evil\.example|<at>/);
});

/** The parts of a chat message outside code spans: what Teams renders as markdown. */
function outsideCode(text: string): string {
  return text
    .split('`')
    .filter((_, i) => i % 2 === 0)
    .join(' ');
}

it.each([
  ['an unknown command with a link', '[click here](https://evil.example) now'],
  ['an unknown command with a mention and HTML', '<at>Megan Bowen</at> <img src=x onerror=alert(1)>'],
  ['a quiet-hours time zone with a NUL and a link', 'quiet 22:00-07:00 [tz](https://evil.example)\u0000'],
  ['a time zone with zero-width and bidi characters', 'quiet 22:00-07:00 \u200b\u202eevil'],
])('repeats %s inertly: inside a code span, without invisible characters', async (_name, text) => {
  const before = stack.connector.calls.length;
  const res = await post(
    stack.botUrl,
    messageActivity({ serviceUrl: stack.connector.serviceUrl }, stack.alex, text),
  );
  expect(res.status).toBe(200);
  const replies = stack.connector.calls.slice(before).map((c) => String(c.activity.text ?? ''));
  const reply = replies.join('\n');
  expect(reply).not.toBe('');
  expect(outsideCode(reply)).not.toMatch(/evil\.example|<at>|<img|\]\(/);
  expect(reply).not.toMatch(
    /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u200b-\u200f\u202a-\u202e\u2066-\u2069]/,
  );
});

it('repeats a channel subscription target inertly', async () => {
  const where = { serviceUrl: stack.connector.serviceUrl, channelId: '19:echo@thread.tacv2' };
  for (const text of [
    '<at>Approvals</at> subscribe access package [x](https://evil.example) <at>Megan</at>',
    '<at>Approvals</at> unsubscribe group [y](https://evil.example)',
    '<at>Approvals</at> subscriptions',
  ]) {
    const before = stack.connector.calls.length;
    // Teams marks an @mention of the bot with an entity; the bot strips it before reading the command.
    const mention = {
      type: 'mention',
      text: '<at>Approvals</at>',
      mentioned: { id: '28:approvals-bot', name: 'Approvals' },
    };
    await post(stack.botUrl, { ...messageActivity(where, stack.alex, text), entities: [mention] });
    const reply = stack.connector.calls
      .slice(before)
      .map((c) => String(c.activity.text ?? ''))
      .join('\n');
    expect(reply).not.toBe('');
    expect(outsideCode(reply)).not.toMatch(/evil\.example|<at>|\]\(/);
  }
});
