import { SIGNATURE_HEADER, TIMESTAMP_HEADER, signPush } from '../../src/notify';
import { cardText } from '../support/teams';
import {
  cardItemId,
  cardOf,
  drained,
  personalConversationId,
  personalReference,
  startNotifyStack,
  targetOf,
} from './support/stack';
import type { NotifyStack } from './support/stack';

const SECRET = 'push-secret-for-tests-0123456789abcdef';

let stack: NotifyStack;
beforeAll(async () => {
  // Nothing waits on anyone yet; Alex has the bot.
  stack = await startNotifyStack({ env: { NOTIFY_SECRET: SECRET }, tenant: 'empty' });
  await stack.app.store.saveReference(personalReference(stack.alex, stack.connector.serviceUrl));
});
afterAll(() => stack.close());

interface Sent {
  readonly status: number;
  readonly body: {
    error?: { code?: string; message?: string };
    /** restify's own refusal of broken JSON. */
    message?: string;
    accepted?: boolean;
    approvers?: number;
  };
}

async function push(body: string, headers: Record<string, string>): Promise<Sent> {
  const res = await fetch(`${stack.botUrl}/api/notify`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...headers },
    body,
  });
  return { status: res.status, body: (await res.json()) as Sent['body'] };
}

function signed(
  body: string,
  timestamp = Math.floor(Date.now() / 1000),
  secret = SECRET,
): Record<string, string> {
  return { [TIMESTAMP_HEADER]: String(timestamp), [SIGNATURE_HEADER]: signPush(secret, timestamp, body) };
}

/** Everything a refused push must leave as it was. */
async function snapshot() {
  return {
    outbox: await stack.app.store.outboxCounts(),
    connector: stack.connector.requests.length,
    graph: stack.sandbox.requests.length,
    pending: await stack.app.store.pendingFor(stack.alex.aadObjectId),
  };
}

async function expectNothingChanged(before: Awaited<ReturnType<typeof snapshot>>) {
  // Give a wrongly accepted push time to show.
  await new Promise((resolve) => setTimeout(resolve, 200));
  await stack.app.notifier.idle();
  expect(await snapshot()).toEqual(before);
}

describe('/api/notify', () => {
  const body = () => JSON.stringify({ approverIds: [stack.alex.aadObjectId] });

  it('refuses a bad signature with 401 and changes nothing', async () => {
    stack.sandbox.seed.accessPackageRequest({
      requestor: stack.lynne.aadObjectId,
      accessPackage: { displayName: 'Pushed package' },
      stages: [{ approvers: [stack.alex.aadObjectId] }],
    });
    const before = await snapshot();
    const wrongKey = await push(body(), signed(body(), undefined, 'not-the-secret-but-just-as-long-0123'));
    expect(wrongKey).toMatchObject({ status: 401, body: { error: { code: 'badSignature' } } });
    const tampered = await push(body().replace('}', ',"x":1}'), signed(body()));
    expect(tampered.status).toBe(401);
    const unsigned = await push(body(), {});
    expect(unsigned).toMatchObject({ status: 401, body: { error: { code: 'unsigned' } } });
    const stale = await push(body(), signed(body(), Math.floor(Date.now() / 1000) - 3600));
    expect(stale).toMatchObject({ status: 401, body: { error: { code: 'stale' } } });
    await expectNothingChanged(before);
  });

  it('refuses malformed bodies with 400 and changes nothing', async () => {
    const before = await snapshot();
    for (const bad of [
      '{"approverIds": [',
      '{"approverIds": "everyone"}',
      '{"approverIds": ["../../users"]}',
      '{}',
      '{"approverIds": [], "extra": true}',
      JSON.stringify({ target: { kind: 'accessPackage', approvalId: 'x', stageId: 'y' } }),
    ]) {
      const res = await push(bad, signed(bad));
      expect(res.status).toBe(400);
      expect(res.body.error?.message ?? res.body.message).toEqual(expect.any(String));
    }
    await expectNothingChanged(before);
  });

  it('accepts a signed push once, discovers for the approver at once, and refuses the replay with 409', async () => {
    const headers = signed(body());
    const before = stack.connector.requests.length;
    const accepted = await push(body(), headers);
    expect(accepted).toMatchObject({ status: 202, body: { accepted: true, approvers: 1 } });
    await drained(stack.app);
    const cards = stack.connector.requests
      .slice(before)
      .filter((r) => r.method === 'POST' && r.conversationId === personalConversationId(stack.alex));
    expect(cards).toHaveLength(1);
    expect(cardItemId(cards[0]?.activity)).toEqual(expect.any(String));

    const snap = await snapshot();
    const replayed = await push(body(), headers);
    expect(replayed).toMatchObject({ status: 409, body: { error: { code: 'replayed' } } });
    await expectNothingChanged(snap);
  });

  it('takes a push naming only the item: its approvers are discovered, and its copies show the decision', async () => {
    const card = stack.connector.requests.find(
      (r) => r.method === 'POST' && r.conversationId === personalConversationId(stack.alex),
    );
    const target = targetOf(cardOf(card?.activity)) as { approvalId: string; stageId: string } | null;
    if (!card || !target) throw new Error('Alex should have a card');
    // Alex approves in My Access; an entitlement-management custom extension tells the bot.
    expect(
      stack.sandbox.decideAs(stack.alex.aadObjectId, {
        approvalId: target.approvalId,
        stageId: target.stageId,
        reviewResult: 'Approve',
      }),
    ).toBe(204);
    const pushed = JSON.stringify({ target });
    expect(await push(pushed, signed(pushed))).toMatchObject({ status: 202, body: { approvers: 1 } });
    await drained(stack.app);
    expect(cardText(cardOf(stack.connector.messages.get(card.activityId)))).toMatch(/Approved by you/);
  });

  it('answers 503 when no secret is configured', async () => {
    const other = await startNotifyStack({ tenant: 'empty' });
    try {
      const res = await fetch(`${other.botUrl}/api/notify`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', ...signed(body()) },
        body: body(),
      });
      expect(res.status).toBe(503);
    } finally {
      await other.close();
    }
  });
});
