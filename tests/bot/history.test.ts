import { cardActions, cardText, installActivity, messageActivity, post } from '../support/teams';
import type { TeamsUser } from '../support/teams';
import { cardOf, startStack, targetOf } from './harness';
import type { Stack } from './harness';

/**
 * "history" through the bot over sockets: what Alex decided in his chat and what Megan decided on items
 * that had a card there, in one card, newest first, ten to a page, with Graph's names, times and words.
 */

const ZONE = 'Asia/Kolkata';
let stack: Stack;
beforeAll(async () => {
  // SQLite (the harness's default), no discovery schedule: the test runs the cycle itself.
  stack = await startStack(
    { NOTIFY_DISCOVERY_SECONDS: '0', CARD_TIME_ZONE: ZONE },
    { sandbox: { tenant: 'empty' } },
  );
});
afterAll(() => stack.close());

const personal = () => ({ serviceUrl: stack.connector.serviceUrl });

/** Seeds a request waiting on Alex and Megan (the first decision wins); its package is `name`. */
function seed(name: string) {
  return stack.sandbox.seed.accessPackageRequest({
    requestor: stack.sandbox.users.isaiah.id,
    accessPackage: { displayName: name },
    stages: [{ approvers: [stack.alex.aadObjectId, stack.megan.aadObjectId] }],
  });
}

/** Types a message in Alex's chat and returns what the bot posted back. */
async function say(user: TeamsUser, text: string) {
  const before = stack.connector.calls.length;
  const res = await post(stack.botUrl, messageActivity(personal(), user, text));
  expect(res.status).toBeLessThan(300);
  await stack.app.bot.idle();
  return stack.connector.calls.slice(before).filter((c) => c.method === 'POST');
}

/** The history card Alex gets for `text` ("history", "history 2", a press of Older…). */
async function historyCard(text: string) {
  const [reply] = await say(stack.alex, text);
  const card = cardOf(reply?.activity);
  if (!card) throw new Error(`no card for "${text}": ${JSON.stringify(reply?.activity.text)}`);
  return card;
}

/** Alex presses a pager button in a personal chat: a message whose value is the button's data, no text. */
async function pressPager(data: unknown) {
  const before = stack.connector.calls.length;
  const res = await post(
    stack.botUrl,
    messageActivity(personal(), stack.alex, '', data as Record<string, unknown>),
  );
  expect(res.status).toBeLessThan(300);
  await stack.app.bot.idle();
  const [reply] = stack.connector.calls.slice(before).filter((c) => c.method === 'POST');
  const card = cardOf(reply?.activity);
  if (!card) throw new Error(`no card for the press: ${JSON.stringify(reply?.activity.text)}`);
  return card;
}

/** The entries of a history card, each as the lines a reader sees (its text runs), joined by spaces. */
function entries(card: Record<string, unknown>): string[] {
  const runs = (node: unknown): string[] => {
    if (Array.isArray(node)) return node.flatMap(runs);
    if (!node || typeof node !== 'object') return [];
    const o = node as Record<string, unknown>;
    if (o.type === 'TextRun') return [String(o.text)];
    return Object.values(o).flatMap(runs);
  };
  return (card.body as { type: string; items?: unknown[] }[])
    .filter((b) => b.type === 'Container')
    .map((c) =>
      runs(c.items)
        .join(' ')
        .replace(/[\u200b\u2060]/g, ''),
    );
}

/** Graph's time of a stage's decision, as the card shows it in the configured zone. */
function graphTime(approvalId: string): string {
  const at = stack.sandbox.state.approval(approvalId)?.stages[0]?.reviewedDateTime;
  if (!at) throw new Error('the sandbox has no decision time');
  const hhmm = new Intl.DateTimeFormat('en-GB', {
    timeZone: ZONE,
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).format(new Date(at));
  return hhmm;
}

const title = (n: number) => `Isaiah Langer requests Tool ${String(n).padStart(2, '0')}`;
const OWN = 12;

describe('history', () => {
  const seeded: ReturnType<typeof seed>[] = [];
  const cards = new Map<string, { target: unknown; activityId: string }>();

  beforeAll(async () => {
    // Alex gets a card for each of 14 requests in his chat.
    for (let n = 1; n <= OWN + 2; n++) seeded.push(seed(`Tool ${String(n).padStart(2, '0')}`));
    await post(stack.botUrl, installActivity(personal(), stack.alex));
    await stack.app.bot.idle();
    for (const call of stack.connector.calls.filter((c) => c.method === 'POST')) {
      const target = targetOf(cardOf(call.activity)) as { approvalId?: string } | null;
      if (target?.approvalId) cards.set(target.approvalId, { target, activityId: call.activityId });
    }
    expect(cards.size).toBe(OWN + 2);
  });

  const press = (n: number, verb: 'approve' | 'deny', justification = '') => {
    const approvalId = seeded[n - 1]?.approvalId ?? '';
    const card = cards.get(approvalId);
    return post(
      stack.botUrl,
      messageActivity(personal(), stack.alex, '', {
        verb,
        target: card?.target,
        rev: 1,
        justification,
      }),
    ).then(async (res) => {
      expect(res.status).toBeLessThan(300);
      await stack.app.bot.idle();
    });
  };

  it('says there is nothing yet, and what to do, before anything was decided', async () => {
    const [reply] = await say(stack.alex, 'history');
    expect(cardOf(reply?.activity)).toBeNull();
    expect(reply?.activity.text).toMatch(/^Nothing to show yet: .*Type "pending"/);
  });

  it("shows Alex's decisions and Megan's on his cards, newest first, with Graph's names, times and words", async () => {
    // Alex decides Tools 01 to 12 on his cards (Action.Submit, as in a personal chat): 02 denied with his reason.
    for (let n = 1; n <= OWN; n++) {
      if (n === 2) await press(n, 'deny', 'Duplicate of an existing request');
      else await press(n, 'approve', n === 1 ? 'Needed for the Q4 launch' : '');
    }
    // Megan denies Tool 13 in My Access (the sandbox, as herself), with her reason; discovery notices it.
    const t13 = seeded[12] as (typeof seeded)[number];
    expect(
      stack.sandbox.decideAs(stack.megan.aadObjectId, {
        approvalId: t13.approvalId,
        stageId: t13.stageIds[0] ?? '',
        reviewResult: 'Deny',
        justification: 'Over budget this quarter',
      }),
    ).toBe(204);
    await stack.app.notifier.discoverAll();
    await stack.app.notifier.idle();
    // Megan approves Tool 14 before Alex presses Approve on it: his press finds her decision.
    const t14 = seeded[13] as (typeof seeded)[number];
    stack.sandbox.decideAs(stack.megan.aadObjectId, {
      approvalId: t14.approvalId,
      stageId: t14.stageIds[0] ?? '',
      reviewResult: 'Approve',
      justification: 'Team standard',
    });
    await press(14, 'approve');

    const first = await historyCard('history');
    expect(cardText(first)).toContain('Your decisions, page 1 of 2');
    const page1 = entries(first);
    expect(page1).toHaveLength(10);
    expect(page1[0]).toBe(
      `${title(14)} Approved by Megan Bowen at ${graphTime(t14.approvalId)} ` +
        "Megan Bowen's justification Team standard " +
        'You pressed Approve: not recorded, already decided by Megan Bowen.',
    );
    expect(page1[1]).toBe(
      `${title(13)} Denied by Megan Bowen at ${graphTime(t13.approvalId)} ` +
        "Megan Bowen's justification Over budget this quarter",
    );
    expect(page1[2]).toBe(
      `${title(12)} Approved by you at ${graphTime(seeded[11]?.approvalId ?? '')} You pressed Approve: recorded.`,
    );
    // Older and nothing newer on the first page: a button that runs "history 2" for Alex.
    const older = cardActions(first);
    expect(older.map((a) => [a.type, a.title, a.data])).toEqual([
      ['Action.Submit', 'Older', { command: 'history 2' }],
    ]);

    // Pressing Older: the client sends the button's data as the message's value, with no text.
    const second = await pressPager(older[0]?.data);
    expect(cardText(second)).toContain('Your decisions, page 2 of 2');
    const page2 = entries(second);
    expect(page2).toHaveLength(4);
    expect(page2[2]).toBe(
      `${title(2)} Denied by you at ${graphTime(seeded[1]?.approvalId ?? '')} ` +
        'Your justification Duplicate of an existing request You pressed Deny: recorded.',
    );
    expect(page2[3]).toBe(
      `${title(1)} Approved by you at ${graphTime(seeded[0]?.approvalId ?? '')} ` +
        'Your justification Needed for the Q4 launch You pressed Approve: recorded.',
    );
    expect(cardActions(second).map((a) => [a.title, a.data])).toEqual([['Newer', { command: 'history 1' }]]);
    // Every item once, across both pages, newest first.
    const titles = [...page1, ...page2].map((e) => /Tool \d\d/.exec(e)?.[0]);
    expect(titles).toEqual(
      Array.from({ length: OWN + 2 }, (_, i) => `Tool ${String(OWN + 2 - i).padStart(2, '0')}`),
    );
  });

  it('clamps a page number out of range, and answers words it does not understand', async () => {
    expect(cardText(await historyCard('history 99999'))).toContain('page 2 of 2');
    expect(cardText(await historyCard('history 0'))).toContain('page 1 of 2');
    for (const forged of ['history -1', 'history 2.5', 'history 1e3', 'history two', 'history 9999999999']) {
      const [reply] = await say(stack.alex, forged);
      expect(cardOf(reply?.activity)).toBeNull();
      expect(reply?.activity.text).toMatch(/^I did not understand `.+`\. Type "history" for your latest/);
    }
  });

  it("shows Megan only her own: nothing of Alex's chat", async () => {
    const [reply] = await say(stack.megan, 'history');
    expect(cardOf(reply?.activity)).toBeNull();
    expect(reply?.activity.text).toMatch(/^Nothing to show yet/);
  });
});
