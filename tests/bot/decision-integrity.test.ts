import type { DecisionTarget } from '../../src/domain';
import { itemKey } from '../../src/domain';
import { DEMO_COLLEAGUES, DEMO_IDS } from '../../src/sandbox';
import type { RecordedRequest } from '../../src/sandbox';
import type { TeamsUser } from '../support/teams';
import { cardAction, cardActions, cardText, messageActivity, post } from '../support/teams';
import { cardOf, startStack, targetOf } from './harness';
import type { Stack } from './harness';

/**
 * What the bot writes and says is always true, whatever Graph and the card send back: the stored item
 * names the Graph ids, one person's failure changes only their own answer, only the approver's words are
 * sent, and the card shows Graph's facts. Against the Graph sandbox, which enforces the delegated reads a
 * plain reviewer or approver is granted.
 */

let stack: Stack;
/** The sandbox's clock stands still at this time, so Graph's decision times differ from render times. */
const GRAPH_NOW = Date.parse('2026-12-02T08:15:00Z');

beforeAll(async () => {
  stack = await startStack({}, { sandbox: { now: () => GRAPH_NOW } });
});
afterAll(() => stack.close());
beforeEach(async () => {
  stack.sandbox.faults.clear();
  await settle();
});

const personal = () => ({ serviceUrl: stack.connector.serviceUrl });
const CHANNEL = {
  channelId: '19:iam-approvals@thread.tacv2',
  conversationId: '19:iam-approvals@thread.tacv2;messageid=7',
};
const inChannel = () => ({ serviceUrl: stack.connector.serviceUrl, ...CHANNEL });

async function settle(): Promise<void> {
  await stack.app.bot.idle();
  await stack.app.notifier.idle();
}

type SeenCard = {
  call: Stack['connector']['calls'][number];
  card: Record<string, unknown> | null;
  target: DecisionTarget;
};
/** Every item card the bot posted to a user's chat so far: "pending" posts only what the chat lacks. */
const seen = new Map<string, SeenCard[]>();

/** The user's cards after "pending", by the id of what they decide. */
async function cardsOf(user: TeamsUser) {
  const mark = stack.connector.mark();
  await post(stack.botUrl, messageActivity(personal(), user, 'pending'));
  await settle();
  const posted = stack.connector.calls
    .slice(mark)
    .filter((c) => c.method === 'POST')
    .map((c) => ({
      call: c,
      card: cardOf(c.activity),
      target: targetOf(cardOf(c.activity)) as DecisionTarget | null,
    }))
    .filter((c): c is SeenCard => c.target !== null);
  const cards = [...posted, ...(seen.get(user.aadObjectId) ?? [])];
  seen.set(user.aadObjectId, cards);
  return (id: string) => {
    const found = cards.find((c) =>
      c.target.kind === 'accessReview'
        ? c.target.instanceId === id || c.target.decisionId === id
        : c.target.approvalId === id,
    );
    if (!found) throw new Error(`no card for ${id}`);
    return found;
  };
}

async function press(
  user: TeamsUser,
  target: unknown,
  verb: string,
  justification?: string,
  where: ReturnType<typeof personal> = personal(),
  replyToId?: string,
) {
  const res = await post(
    stack.botUrl,
    cardAction(where, user, {
      verb,
      data: { verb, target, rev: 1, ...(justification === undefined ? {} : { justification }) },
      ...(replyToId ? { replyToId } : {}),
    }),
  );
  expect(res.status).toBe(200);
  const body = res.body as { statusCode: number; type: string; value: unknown };
  expect(body.statusCode).toBe(200);
  return body.type === 'application/vnd.microsoft.card.adaptive'
    ? { card: body.value as Record<string, unknown>, text: cardText(body.value) }
    : { card: null, text: String(body.value) };
}

const writesTo = (id: string, since = 0): RecordedRequest[] =>
  stack.sandbox.requests.slice(since).filter((r) => r.method === 'PATCH' && r.rawUrl.includes(id));
const updatesAfter = (mark: number) => stack.connector.calls.slice(mark).filter((c) => c.method === 'PUT');
const idOf = (t: DecisionTarget) => (t.kind === 'accessReview' ? t.decisionId : t.approvalId);

/** One item of each kind that waits on Alex Wilber alone in the demo tenant. */
const ONE_OF_EACH = [
  ['access package request', DEMO_IDS.accessPackage.buildAgentsDuration],
  ['PIM for Groups request', DEMO_IDS.pimGroup.sharePointOwners],
  ['PIM for Entra roles request', DEMO_IDS.pimRole.userAdministratorTenant],
  ['access review item', DEMO_IDS.review.guestsProjectFalcon.instanceId],
] as const;

describe('one person’s failed write and read', () => {
  const ANSWERS: Record<number, RegExp> = {
    409: /Already decided by another (approver|reviewer)/,
    403: /You're not \(or no longer\) an? (approver|reviewer)/,
    429: /Microsoft Graph is busy right now/,
    503: /Couldn't reach Microsoft Graph/,
  };

  it.each(
    ONE_OF_EACH.flatMap(([name, id]) => [409, 403, 429, 503].map((status) => [name, status, id] as const)),
  )(
    '%s: the write answers %s and the read 404 → a true answer for the presser, nothing changes for anyone else',
    async (_name, status, id) => {
      const card = (await cardsOf(stack.alex))(id);
      const itemId = idOf(card.target);
      const rule = status === 429 ? { status, retryAfterSeconds: 30 } : { status };
      stack.sandbox.faults.inject({
        method: 'PATCH',
        pathIncludes: itemId,
        times: Infinity,
        ...rule,
      } as never);
      stack.sandbox.faults.inject({ method: 'GET', pathIncludes: itemId, times: Infinity, status: 404 });
      const mark = stack.connector.mark();
      const answer = await press(
        stack.alex,
        card.target,
        'approve',
        'Checked',
        personal(),
        card.call.activityId,
      );
      expect(answer.text).toMatch(ANSWERS[status] as RegExp);
      // A 409 proves the item exists: never "no longer exists".
      expect(answer.text).not.toMatch(/no longer exists|no longer waits/);
      await settle();
      expect(updatesAfter(mark)).toEqual([]);
      expect((await stack.app.store.getItem(itemKey(card.target)))?.final).toBeNull();
    },
    20_000,
  );
});

describe('card data is a pointer', () => {
  const OTHER = '6d2b6a0e-7c1f-4f0e-9b8a-ffffffffffff';
  const alterations = (target: DecisionTarget): [string, Record<string, unknown>][] =>
    target.kind === 'accessReview'
      ? [
          ['definitionId', { ...target, definitionId: DEMO_IDS.review.financeAdminsJustified.definitionId }],
          ['instanceId', { ...target, instanceId: OTHER }],
          ['stageId', { ...target, stageId: OTHER }],
          ['decisionId', { ...target, decisionId: OTHER }],
        ]
      : [
          ['approvalId', { ...target, approvalId: OTHER }],
          ['stageId', { ...target, stageId: OTHER }],
          ['api', { ...target, api: target.api === 'v1.0' ? 'beta' : 'v1.0' }],
        ];

  it.each(ONE_OF_EACH)(
    '%s: a card with any one id altered writes nothing, and the real item’s cards stay',
    async (_n, id) => {
      const card = (await cardsOf(stack.alex))(id);
      for (const [name, altered] of alterations(card.target)) {
        if (name === 'api' && card.target.kind === 'pimRole') continue; // PIM roles exist on beta only
        const since = stack.sandbox.requests.length;
        const mark = stack.connector.mark();
        const answer = await press(stack.alex, altered, 'approve', 'Fine');
        expect(answer.text).toMatch(/nothing was decided|doesn't match/i);
        await settle();
        expect(stack.sandbox.requests.slice(since).filter((r) => r.method === 'PATCH')).toEqual([]);
        expect(updatesAfter(mark)).toEqual([]);
      }
      expect((await stack.app.store.getItem(itemKey(card.target)))?.final).toBeNull();
    },
  );
});

describe('only the approver’s words', () => {
  const INVISIBLE = ['', '   ', '\u200b', '\u200f', '\u202e\u202c', ' \u200d\u2060 '];

  it('a review that requires a justification says so before anyone presses, and prompts for empty or invisible words without a Graph call', async () => {
    const card = (await cardsOf(stack.alex))(DEMO_IDS.review.financeAdminsJustified.instanceId);
    expect(cardText(card.card)).toContain('Justification (required)');
    for (const words of INVISIBLE) {
      const since = stack.sandbox.requests.length;
      const answer = await press(stack.alex, card.target, 'approve', words);
      expect(answer.text).toMatch(/asks for a reason with every decision/);
      expect(stack.sandbox.requests.slice(since)).toEqual([]);
    }
  });

  it('an approval stage that requires a justification: Graph’s 400 becomes the same prompt, the card says required from then on, and invisible words never reach Graph', async () => {
    const id = DEMO_IDS.accessPackage.legalVaultEndDate;
    const card = (await cardsOf(stack.alex))(id);
    // Not readable by an approver beforehand: the card makes no claim it cannot back.
    expect(cardText(card.card)).not.toContain('Justification (required)');
    const first = await press(stack.alex, card.target, 'approve', '');
    expect(first.text).toMatch(/This approval stage asks for your justification/);
    expect(writesTo(id).map((w) => w.body)).toEqual([{ reviewResult: 'Approve' }]);
    expect(first.text).toContain('Justification (required)');
    await settle();
    for (const words of INVISIBLE) {
      const answer = await press(stack.alex, card.target, 'approve', words);
      expect(answer.text).toMatch(/asks for your justification/);
    }
    expect(writesTo(id)).toHaveLength(1);
    const refreshed = await press(stack.alex, card.target, 'refresh');
    expect(refreshed.text).toContain('Justification (required)');
    const done = await press(stack.alex, card.target, 'approve', 'Contract review for Northwind');
    expect(done.text).toMatch(/Approved by you/);
    expect(writesTo(id).at(-1)?.body).toEqual({
      reviewResult: 'Approve',
      justification: 'Contract review for Northwind',
    });
  });

  it('Approve with no words writes no justification at all: nothing is generated', async () => {
    const id = seedLike(DEMO_IDS.pimRole.userAdministratorTenant);
    const card = (await cardsOf(stack.alex))(id);
    const answer = await press(stack.alex, card.target, 'approve');
    expect(answer.text).toMatch(/Approved by you/);
    expect(writesTo(id).map((w) => w.body)).toEqual([{ reviewResult: 'Approve' }]);
  });

  it('a justification over the limit is refused before Graph, saying so and keeping the words', async () => {
    const card = (await cardsOf(stack.alex))(DEMO_IDS.accessPackage.partnerPortalQuestions);
    const long = 'x'.repeat(1500);
    const since = stack.sandbox.requests.length;
    const answer = await press(stack.alex, card.target, 'approve', long);
    expect(answer.text).toMatch(/1,500 characters long; the limit is 1,000/);
    expect(answer.text).toMatch(/Nothing was sent to Microsoft Graph/);
    expect(answer.text).not.toMatch(/Microsoft Graph didn't accept/);
    expect(stack.sandbox.requests.slice(since)).toEqual([]);
  });
});

describe('facts on the card are Graph’s', () => {
  it.each(ONE_OF_EACH)(
    '%s: the answer shows the approver’s words, and a final card rendered later shows Graph’s time',
    async (_n, like) => {
      const id = seedLike(like);
      const card = (await cardsOf(stack.alex))(id);
      const answer = await press(stack.alex, card.target, 'approve', `Reason for ${id.slice(-4)}`);
      expect(answer.text).toMatch(/Approved by you/);
      expect(answer.text).toContain('Your justification');
      expect(answer.text).toContain(`Reason for ${id.slice(-4)}`);
      await settle();
      // Rendered now (after the decision), the card says when Graph recorded it: 08:15 on 2 Dec.
      const later = await press(stack.alex, card.target, 'refresh');
      expect(later.text).toMatch(/Approved by you on 2 Dec 08:15/);
      expect(later.text).toContain(`Reason for ${id.slice(-4)}`);
    },
  );
});

describe('changes of mind', () => {
  it('Change decision on a review item brings the buttons back, and the new decision and words reach Graph', async () => {
    const id = seedLike(DEMO_IDS.review.guestsProjectFalcon.instanceId);
    const card = (await cardsOf(stack.alex))(id);
    const decisionId = idOf(card.target);
    const approved = await press(stack.alex, card.target, 'approve', 'Still on the project');
    const change = cardActions(approved.card).find((a) => a.verb === 'change');
    expect(change?.title).toBe('Change decision');
    await settle();
    const changing = await press(stack.alex, card.target, 'change');
    expect(changing.text).toMatch(/Your current decision: Approve/);
    expect(cardActions(changing.card).map((a) => a.verb)).toEqual(
      expect.arrayContaining(['approve', 'deny']),
    );
    const denied = await press(stack.alex, card.target, 'deny', 'Left the project last week');
    expect(denied.text).toMatch(/Denied by you/);
    expect(writesTo(decisionId).map((w) => w.body)).toEqual([
      { decision: 'Approve', justification: 'Still on the project' },
      { decision: 'Deny', justification: 'Left the project last week' },
    ]);
    // The same press again is one write; the same decision with other words is a new one.
    await press(stack.alex, card.target, 'deny', 'Left the project last week');
    expect(writesTo(decisionId)).toHaveLength(2);
    await press(stack.alex, card.target, 'deny', 'Left the project on Friday');
    expect(writesTo(decisionId).at(-1)?.body).toEqual({
      decision: 'Deny',
      justification: 'Left the project on Friday',
    });
  });

  it('an approval stage offers no Change decision: Graph does not allow one', async () => {
    const card = (await cardsOf(stack.alex))(DEMO_IDS.pimGroup.financeAdminsMember);
    const approved = await press(stack.alex, card.target, 'approve', 'ok');
    expect(cardActions(approved.card).map((a) => a.verb)).not.toContain('change');
  });
});

describe('approvers the bot has not met', () => {
  it('an approver Graph lists decides from a channel card; someone who is not is told so and nothing changes', async () => {
    const id = DEMO_IDS.accessPackage.financeSharedStage;
    // Only Alex's chat showed the item: the bot has not met Megan as its approver.
    const card = (await cardsOf(stack.alex))(id);
    expect((await stack.app.store.getItem(itemKey(card.target)))?.approverIds).toEqual([
      stack.alex.aadObjectId.toLowerCase(),
    ]);
    const lynne = stack.lynne;
    const since = stack.sandbox.requests.length;
    const mark = stack.connector.mark();
    const refused = await press(lynne, card.target, 'approve', 'Looks fine', inChannel());
    expect(refused.text).toMatch(/You're not \(or no longer\) an approver/);
    await settle();
    expect(writesTo(id, since)).toEqual([]);
    expect(updatesAfter(mark)).toEqual([]);
    expect((await stack.app.store.getItem(itemKey(card.target)))?.final).toBeNull();

    const decided = await press(stack.megan, card.target, 'approve', 'Month-end close', inChannel());
    expect(decided.text).toMatch(/Approved by you/);
    expect(writesTo(id, since).map((w) => w.callerId)).toEqual([stack.megan.aadObjectId.toLowerCase()]);
  });
});

describe('with Graph enforcing the reads a plain approver and reviewer are granted', () => {
  it.each(ONE_OF_EACH)(
    '%s: decides under 409, 429, 503 and landed-then-503 with correct answers and no refused read',
    async (_n, id) => {
      const cases: [string, () => void, RegExp][] = [
        [
          '429 then success',
          () => stack.sandbox.faults.inject({ method: 'PATCH', status: 429, retryAfterSeconds: 1 }),
          /by you/,
        ],
        ['503 then success', () => stack.sandbox.faults.inject({ method: 'PATCH', status: 503 }), /by you/],
        [
          'landed, then 503',
          () => stack.sandbox.faults.inject({ method: 'PATCH', landThenStatus: 503 }),
          /by you/,
        ],
      ];
      for (const [name, inject, expected] of cases) {
        // A fresh item of the same kind for each case.
        const seeded = seedLike(id);
        const card = (await cardsOf(stack.alex))(seeded);
        const since = stack.sandbox.requests.length;
        inject();
        const answer = await press(
          stack.alex,
          card.target,
          card.target.kind === 'accessReview' ? 'deny' : 'approve',
          `Case ${name}`,
        );
        expect(answer.text).toMatch(expected);
        await settle();
        expect(
          stack.sandbox.requests.slice(since).filter((r) => r.method === 'GET' && r.status === 403),
        ).toEqual([]);
      }
      // 409: another approver decided first.
      const seeded = seedLike(id, true);
      const card = (await cardsOf(stack.alex))(seeded.id);
      seeded.decideByMegan();
      const since = stack.sandbox.requests.length;
      const answer = await press(stack.alex, card.target, 'approve', 'Late');
      // An approval stage answers 409 and the card names Megan. A review item has no 409: any of its
      // reviewers may decide it again while the review runs, and the last decision stands.
      expect(answer.text).toMatch(
        card.target.kind === 'accessReview' ? /Approved by you/ : /Already approved by Megan Bowen/,
      );
      expect(stack.sandbox.requests.slice(since).filter((r) => r.status === 403)).toEqual([]);
    },
    30_000,
  );
});

function seedLike(id: string): string;
function seedLike(id: string, shared: true): { id: string; decideByMegan: () => void };
function seedLike(id: string, shared = false): string | { id: string; decideByMegan: () => void } {
  const { alex, megan } = stack.sandbox.users;
  const approvers = shared ? [alex.id, megan.id] : [alex.id];
  const requestor = DEMO_COLLEAGUES.diego.id;
  if (Object.values(DEMO_IDS.accessPackage).includes(id as never)) {
    const s = stack.sandbox.seed.accessPackageRequest({
      requestor,
      accessPackage: { displayName: 'Case' },
      stages: [{ approvers }],
    });
    return shared
      ? {
          id: s.approvalId,
          decideByMegan: () =>
            void stack.sandbox.decideAs(megan.id, {
              approvalId: s.approvalId,
              stageId: s.stageIds[0] as string,
              reviewResult: 'Approve',
            }),
        }
      : s.approvalId;
  }
  if (Object.values(DEMO_IDS.pimGroup).includes(id as never)) {
    const s = stack.sandbox.seed.pimGroupRequest({
      principal: requestor,
      group: { displayName: 'Case group' },
      approvers,
    });
    return shared
      ? {
          id: s.approvalId,
          decideByMegan: () =>
            void stack.sandbox.decideAs(megan.id, {
              approvalId: s.approvalId,
              stageId: s.stageIds[0] as string,
              reviewResult: 'Approve',
            }),
        }
      : s.approvalId;
  }
  if (Object.values(DEMO_IDS.pimRole).includes(id as never)) {
    const s = stack.sandbox.seed.pimRoleRequest({
      principal: requestor,
      role: { displayName: 'Case role' },
      approvers,
    });
    return shared
      ? {
          id: s.approvalId,
          decideByMegan: () =>
            void stack.sandbox.decideAs(megan.id, {
              approvalId: s.approvalId,
              stageId: s.stageIds[0] as string,
              reviewResult: 'Approve',
            }),
        }
      : s.approvalId;
  }
  const r = stack.sandbox.seed.accessReview({
    displayName: 'Case review',
    reviewers: approvers,
    decisions: [{ principal: requestor }],
  });
  const decisionId = r.decisionIds[0] as string;
  return shared
    ? {
        id: r.instanceId,
        decideByMegan: () =>
          void stack.sandbox.decideAs(megan.id, {
            decisionId,
            decision: 'Deny',
            justification: 'Not needed',
          }),
      }
    : r.instanceId;
}
