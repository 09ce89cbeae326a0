import { itemKey } from '../../src/domain';
import { DEMO_IDS } from '../../src/sandbox';
import { cardAction, cardActions, cardText, installActivity, messageActivity, post } from '../support/teams';
import { cardOf, startStack, targetOf } from './harness';
import type { Stack } from './harness';

let stack: Stack;
beforeAll(async () => {
  // The memory store here (the other bot suites run on SQLite, the product's default), and Universal Actions
  // in personal chats too (CARD_ACTIONS=execute): this suite is about them.
  stack = await startStack({ STORE: 'memory', CARD_ACTIONS: 'execute' });
});
afterAll(() => stack.close());
beforeEach(() => stack.sandbox.faults.clear());

const personal = () => ({ serviceUrl: stack.connector.serviceUrl });

type Posted = {
  call: Stack['connector']['calls'][number];
  card: ReturnType<typeof cardOf>;
  target: ReturnType<typeof targetOf>;
};
/** Every item card posted to a user so far: "pending" posts only what the chat lacks. */
const posted = new Map<string, Posted[]>();

/** Installs the bot for a user (or asks "pending" after that) and returns the cards it posted. */
async function install(user: Stack['alex'], activity: 'install' | 'pending' = 'pending') {
  const before = stack.connector.calls.length;
  const res = await post(
    stack.botUrl,
    activity === 'install' ? installActivity(personal(), user) : messageActivity(personal(), user, 'pending'),
  );
  expect(res.status).toBeLessThan(300);
  await stack.app.bot.idle();
  const cards = stack.connector.calls
    .slice(before)
    .filter((c) => c.method === 'POST')
    .map((c) => ({ call: c, card: cardOf(c.activity), target: targetOf(cardOf(c.activity)) }))
    .filter((p) => p.card && p.target);
  posted.set(user.aadObjectId, [...cards, ...(posted.get(user.aadObjectId) ?? [])]);
  return cards;
}

async function cardFor(user: Stack['alex'], id: string) {
  await install(user);
  const cards = posted.get(user.aadObjectId) ?? [];
  const found = cards.find((c) => c.target?.approvalId === id || c.target?.instanceId === id);
  if (!found) throw new Error(`no card for ${id}`);
  return found;
}

function expectCardReply(body: unknown): Record<string, unknown> {
  expect(body).toMatchObject({ statusCode: 200, type: 'application/vnd.microsoft.card.adaptive' });
  return (body as { value: Record<string, unknown> }).value;
}

const patchesTo = (approvalId: string) =>
  stack.sandbox.requests.filter((r) => r.method === 'PATCH' && r.path.includes(approvalId));

describe('installing the bot', () => {
  it('posts a card for every item waiting on the user', async () => {
    const cards = await install(stack.alex, 'install');
    const ids = cards.map((c) => c.target?.approvalId ?? c.target?.decisionId);
    expect(new Set(ids).size).toBe(ids.length);
    const kinds = new Set(cards.map((c) => c.target?.kind));
    expect(kinds).toEqual(new Set(['accessPackage', 'pimGroup', 'pimRole', 'accessReview']));
    const marketing = cards.find((c) => c.target?.approvalId === DEMO_IDS.accessPackage.marketingTwoStage);
    expect(cardText(marketing?.card)).toContain('Marketing campaign tools');
    // Each card refreshes for Alex, the approver, and no one else.
    expect((marketing?.card?.refresh as { userIds: string[] }).userIds).toEqual([stack.alex.mri]);
  });
});

describe('Universal Actions', () => {
  it('approves with the justification, answers "Approved by you" and the PATCH carries that body', async () => {
    const { target, call } = await cardFor(stack.alex, DEMO_IDS.accessPackage.partnerPortalQuestions);
    const res = await post(
      stack.botUrl,
      cardAction(personal(), stack.alex, {
        verb: 'approve',
        data: { verb: 'approve', target, rev: 1, justification: 'Partner onboarding' },
        replyToId: call.activityId,
      }),
    );
    expect(res.status).toBe(200);
    const card = expectCardReply(res.body);
    expect(cardText(card)).toMatch(/Approved by you/);
    expect(cardActions(card).filter((a) => a.verb === 'approve')).toHaveLength(0);
    expect(patchesTo(DEMO_IDS.accessPackage.partnerPortalQuestions)).toMatchObject([
      {
        body: { reviewResult: 'Approve', justification: 'Partner onboarding' },
        callerId: stack.alex.aadObjectId,
        status: 204,
      },
    ]);
  });

  it('asks for a reason when Deny is pressed without one, and calls no Graph', async () => {
    const { target } = await cardFor(stack.alex, DEMO_IDS.accessPackage.legalVaultEndDate);
    stack.sandbox.clearRequests();
    const res = await post(
      stack.botUrl,
      cardAction(personal(), stack.alex, {
        verb: 'deny',
        data: { verb: 'deny', target, rev: 1, justification: '  ' },
      }),
    );
    const card = expectCardReply(res.body);
    expect(cardText(card)).toMatch(/Please give a reason for denying/);
    expect(cardActions(card).map((a) => a.verb)).toEqual(expect.arrayContaining(['approve', 'deny']));
    expect(stack.sandbox.requests.filter((r) => r.method === 'PATCH')).toHaveLength(0);
  });

  it('says "Already approved by Megan Bowen" when Megan decided first, and updates Megan\'s copy too', async () => {
    const approvalId = DEMO_IDS.accessPackage.financeSharedStage;
    const alexCard = await cardFor(stack.alex, approvalId);
    const meganCard = await cardFor(stack.megan, approvalId);
    const stageId = (alexCard.target as { stageId: string }).stageId;
    expect(
      stack.sandbox.decideAs(stack.megan.aadObjectId, { approvalId, stageId, reviewResult: 'Approve' }),
    ).toBe(204);

    const mark = stack.connector.mark();
    const res = await post(
      stack.botUrl,
      cardAction(personal(), stack.alex, {
        verb: 'approve',
        data: { verb: 'approve', target: alexCard.target, rev: 1 },
        replyToId: alexCard.call.activityId,
      }),
    );
    expect(cardText(expectCardReply(res.body))).toMatch(/Already approved by Megan Bowen at \d\d:\d\d/);

    // Megan's own copy of the card ends showing the final state, without anyone clicking it.
    const update = await stack.connector.waitFor(
      (c) => c.method === 'PUT' && c.activityId === meganCard.call.activityId,
      { after: mark },
    );
    expect(cardText(cardOf(update.activity))).toMatch(/Approved by you/);
  });

  it('renders an automatic refresh from stored state: no Graph call, no message update', async () => {
    const { target } = await cardFor(stack.alex, DEMO_IDS.pimGroup.financeAdminsMember);
    stack.sandbox.clearRequests();
    const updatesBefore = stack.connector.calls.filter((c) => c.method === 'PUT').length;
    const res = await post(
      stack.botUrl,
      cardAction(personal(), stack.alex, {
        verb: 'refresh',
        data: { verb: 'refresh', target, rev: 1 },
        trigger: 'automatic',
      }),
    );
    const card = expectCardReply(res.body);
    expect(cardActions(card).map((a) => a.verb)).toEqual(expect.arrayContaining(['approve', 'deny']));
    expect(stack.sandbox.requests).toHaveLength(0);
    await stack.app.bot.idle();
    expect(stack.connector.calls.filter((c) => c.method === 'PUT')).toHaveLength(updatesBefore);
  });

  it('shows the read-only view on refresh to someone who is not an approver', async () => {
    const { target } = await cardFor(stack.alex, DEMO_IDS.pimGroup.sharePointOwners);
    const res = await post(
      stack.botUrl,
      cardAction(personal(), stack.lynne, {
        verb: 'refresh',
        data: { verb: 'refresh', target, rev: 1 },
        trigger: 'automatic',
      }),
    );
    expect(cardActions(expectCardReply(res.body)).filter((a) => a.verb === 'approve')).toHaveLength(0);
  });

  it('sends one PATCH for 20 concurrent identical clicks, and all get the same answer', async () => {
    const { target } = await cardFor(stack.alex, DEMO_IDS.pimRole.userAdministratorTenant);
    stack.sandbox.faults.inject({ method: 'PATCH', latencyMs: 300 });
    const clicks = Array.from({ length: 20 }, () =>
      post(
        stack.botUrl,
        cardAction(personal(), stack.alex, {
          verb: 'approve',
          data: { verb: 'approve', target, rev: 1, justification: 'On call' },
        }),
      ),
    );
    const answers = await Promise.all(clicks);
    expect(new Set(answers.map((a) => a.status))).toEqual(new Set([200]));
    const texts = answers.map((a) => cardText(expectCardReply(a.body)));
    expect(new Set(texts).size).toBe(1);
    expect(texts[0]).toMatch(/Approved by you/);
    expect(patchesTo(DEMO_IDS.pimRole.userAdministratorTenant)).toHaveLength(1);
  });

  it('answers "working on it" within 5 s when Graph takes 6 s, then updates the card', async () => {
    const { target, call } = await cardFor(stack.alex, DEMO_IDS.pimGroup.sharePointOwners);
    stack.sandbox.faults.inject({ method: 'PATCH', latencyMs: 6000 });
    const mark = stack.connector.mark();
    const res = await post(
      stack.botUrl,
      cardAction(personal(), stack.alex, {
        verb: 'approve',
        data: { verb: 'approve', target, rev: 1 },
        replyToId: call.activityId,
      }),
    );
    expect(res.ms).toBeLessThan(5000);
    expect(cardText(expectCardReply(res.body))).toMatch(/Working on it/);
    const update = await stack.connector.waitFor(
      (c) => c.method === 'PUT' && c.activityId === call.activityId,
      { after: mark, timeoutMs: 15_000 },
    );
    expect(cardText(cardOf(update.activity))).toMatch(/Approved by you/);
  }, 20_000);

  it('refuses malformed card data with a 400 Universal Actions error and no Graph call', async () => {
    await stack.app.bot.idle();
    stack.sandbox.clearRequests();
    const res = await post(
      stack.botUrl,
      cardAction(personal(), stack.alex, {
        verb: 'approve',
        data: {
          verb: 'approve',
          target: { kind: 'accessPackage', approvalId: '../../users/x', stageId: 'y', api: 'v1.0' },
          rev: 1,
        },
      }),
    );
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      statusCode: 400,
      type: 'application/vnd.microsoft.error',
      value: { code: 'BadRequest', message: "The card's approvalId is not a GUID." },
    });
    expect(stack.sandbox.requests).toHaveLength(0);
  });

  it('answers an Action.Submit press by updating the very message it came from, before the turn ends', async () => {
    const { target } = await cardFor(stack.alex, DEMO_IDS.accessPackage.buildAgentsDuration);
    // Teams sends the press as a message that replies to the card's message; this one is not a copy the
    // outbox knows, so only the answer to the press can change it.
    const pressed = 'submit-card-message-1';
    const mark = stack.connector.mark();
    const res = await post(stack.botUrl, {
      ...messageActivity(personal(), stack.alex, '', {
        verb: 'approve',
        target,
        rev: 1,
        justification: 'Via submit',
      }),
      replyToId: pressed,
    });
    expect(res.status).toBeLessThan(300);
    const answered = stack.connector.calls.slice(mark).filter((c) => c.activityId === pressed);
    expect(answered.map((c) => c.method)).toEqual(['PUT']);
    expect(cardText(cardOf(answered[0]?.activity))).toMatch(/Approved by you/);
    expect(patchesTo(DEMO_IDS.accessPackage.buildAgentsDuration)[0]?.body).toEqual({
      reviewResult: 'Approve',
      justification: 'Via submit',
    });
  });

  it('answers an Action.Submit press that names no message with a reply card, before the turn ends', async () => {
    const { target } = await cardFor(stack.alex, DEMO_IDS.accessPackage.legalVaultEndDate);
    const mark = stack.connector.mark();
    await post(
      stack.botUrl,
      messageActivity(personal(), stack.alex, '', {
        verb: 'approve',
        target,
        rev: 1,
        justification: 'Contract review approved',
      }),
    );
    const replies = stack.connector.calls
      .slice(mark)
      .filter((c) => c.method === 'POST' && c.conversationId === `a:personal-${stack.alex.aadObjectId}`);
    expect(replies.map((c) => cardText(cardOf(c.activity)))).toEqual([
      expect.stringMatching(/Approved by you/),
    ]);
  });
});

describe('every outcome in the card', () => {
  async function clickOn(approvalOrInstance: string, verb = 'approve', justification = 'ok') {
    const { target } = await cardFor(stack.alex, approvalOrInstance);
    const res = await post(
      stack.botUrl,
      cardAction(personal(), stack.alex, { verb, data: { verb, target, rev: 1, justification } }),
    );
    expect(res.status).toBe(200);
    return cardText(expectCardReply(res.body));
  }

  it('notFound: Graph does not show the request to the presser; only their answer says so', async () => {
    const id = DEMO_IDS.accessPackage.marketingTwoStage;
    const { target } = await cardFor(stack.alex, id);
    stack.sandbox.seed.remove(id);
    const res = await post(
      stack.botUrl,
      cardAction(personal(), stack.alex, { verb: 'approve', data: { verb: 'approve', target, rev: 1 } }),
    );
    expect(cardText(expectCardReply(res.body))).toMatch(/Microsoft Graph doesn't show you this request/);
    // One person's failed write and read are not evidence for anyone else: the item is not marked gone.
    await stack.app.bot.idle();
    expect((await stack.app.store.getItem(itemKey(target as never)))?.final).toBeNull();
  });

  it('throttled: busy, with a retry button', async () => {
    // An access review item: "Don't know" exists only there.
    const { target } = await cardFor(stack.alex, DEMO_IDS.review.guestsProjectFalcon.instanceId);
    stack.sandbox.faults.inject({ method: 'PATCH', status: 429, retryAfterSeconds: 30 });
    const res = await post(
      stack.botUrl,
      cardAction(personal(), stack.alex, { verb: 'dontKnow', data: { verb: 'dontKnow', target, rev: 1 } }),
    );
    const card = expectCardReply(res.body);
    expect(cardText(card)).toMatch(/busy/i);
    expect(cardText(card)).toMatch(/30 seconds/);
    expect(cardActions(card).some((a) => a.verb === 'retry')).toBe(true);
  });

  it('unavailable: could not reach Graph, with a retry button', async () => {
    stack.sandbox.faults.inject({ method: 'PATCH', status: 503, times: Infinity });
    const text = await clickOn(DEMO_IDS.pimGroup.financeAdminsMember);
    expect(text).toMatch(/Couldn't reach Microsoft Graph/);
  });

  it('reviewClosed: the review has ended', async () => {
    const ids = DEMO_IDS.review.financeAdminsJustified;
    const { target } = await cardFor(stack.alex, ids.instanceId);
    stack.sandbox.seed.setReviewStatus(ids.instanceId, 'Completed');
    const res = await post(
      stack.botUrl,
      cardAction(personal(), stack.alex, {
        verb: 'approve',
        data: { verb: 'approve', target, rev: 1, justification: 'Still needed' },
      }),
    );
    expect(cardText(expectCardReply(res.body))).toMatch(/This access review has ended/);
  });

  it('forbidden: someone who is not an approver is told so', async () => {
    const { target } = await cardFor(stack.alex, DEMO_IDS.pimGroup.financeAdminsMember);
    const res = await post(
      stack.botUrl,
      cardAction(personal(), stack.lynne, { verb: 'approve', data: { verb: 'approve', target, rev: 1 } }),
    );
    // Lynne is not an approver of this open request: nothing is written as her, and she is told why.
    expect(
      stack.sandbox.requests.filter(
        (r) => r.method === 'PATCH' && r.status === 204 && r.callerId === stack.lynne.aadObjectId,
      ),
    ).toHaveLength(0);
    expect(cardText(expectCardReply(res.body))).toMatch(
      /You're not \(or no longer\) an approver for this request/,
    );
  });
});

describe('commands', () => {
  it('answers help, and unknown text with help rather than silence', async () => {
    for (const text of ['help', 'what can you do']) {
      const before = stack.connector.calls.length;
      await post(stack.botUrl, messageActivity(personal(), stack.alex, text));
      const sent = stack.connector.calls.slice(before).find((c) => c.method === 'POST');
      expect(cardText(cardOf(sent?.activity))).toMatch(/pending/);
    }
  });
});
