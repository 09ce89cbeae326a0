import pino from 'pino';
import { createDecisions } from '../../src/decisions';
import type { DecideCommand, DecisionsDeps } from '../../src/decisions';
import type { PendingItem } from '../../src/domain';
import { itemKey } from '../../src/domain';
import { MemoryStore } from '../../src/store';
import { requestsOf } from '../graph/support';
import { pendingReviewItems, presserOnly, sandboxForFile } from './support';
import type { ReviewItem } from './support';

/**
 * What one decision leaves behind after its answer: the end recorded from Graph's own facts (or only the
 * presser's id when Graph's read says otherwise or is late), the hooks told, and failures logged, not thrown.
 */
const env = sandboxForFile();

const alex = () => ({ id: env.sandbox.users.alex.id, name: 'Alex Wilber' });

function seedReview(title: string, settings: Record<string, unknown> = {}) {
  const seeded = env.sandbox.seed.accessReview({
    displayName: title,
    reviewers: [alex().id, env.sandbox.users.megan.id],
    settings,
    decisions: [{ principal: env.sandbox.users.adele.id }],
  });
  return seeded.decisionIds[0] as string;
}

async function reviewItem(title: string): Promise<ReviewItem> {
  const [item] = await pendingReviewItems(env.as(alex().id), title);
  if (!item) throw new Error(`nothing pending named ${title}`);
  return item;
}

/** Decides as Alex over a fresh store; `between` runs after the answer, before the background settles. */
async function decide(
  item: PendingItem,
  decision: DecideCommand['decision'],
  justification: string,
  options: { deps?: Partial<DecisionsDeps>; store?: MemoryStore; between?: () => void } = {},
) {
  const warnings: Record<string, unknown>[] = [];
  const log = pino({ level: 'warn' }, { write: (line: string) => warnings.push(JSON.parse(line)) });
  const store = options.store ?? new MemoryStore();
  await store.putItem(item, alex().id);
  const decisions = createDecisions({ store, log, readBackTimeoutMs: 2000, ...options.deps });
  const decided = await decisions.decide({
    user: alex(),
    graph: env.as(alex().id),
    item,
    decision,
    justification,
  });
  const answered = env.sandbox.requests.length;
  options.between?.();
  await decided.settled;
  const stored = await store.getItem(itemKey(item.target));
  return { outcome: decided.outcome, stored, warnings, settleRequests: env.sandbox.requests.slice(answered) };
}

it('resets a review decision without words even where the review asks for words, and records no end', async () => {
  const decisionId = seedReview('Reset without words', { justificationRequiredOnApproval: true });
  const item = await reviewItem('Reset without words');
  env.sandbox.decideAs(alex().id, { decisionId, decision: 'Approve', justification: 'Still needed' });
  const { outcome, stored, warnings } = await decide(item, 'NotReviewed', '');
  expect(outcome).toMatchObject({ kind: 'recorded', view: 'item', decision: 'NotReviewed' });
  expect(requestsOf(env.sandbox, 'PATCH').length + requestsOf(env.sandbox, 'POST').length).toBeGreaterThan(0);
  expect(stored?.final).toBeNull();
  expect(warnings).toEqual([]);
});

it('names only the presser when another reviewer changed the item before Graph’s read-back', async () => {
  seedReview('Changed before the read');
  const item = await reviewItem('Changed before the read');
  // The read after the write is slow; Megan denies meanwhile, so Graph's read shows her decision, not Alex's.
  env.sandbox.faults.inject({ method: 'GET', latencyMs: 400, times: Infinity });
  const { outcome, stored } = await decide(item, 'Approve', 'Fine', {
    between: () =>
      env.sandbox.decideAs(env.sandbox.users.megan.id, {
        decisionId: item.target.decisionId,
        decision: 'Deny',
      }),
  });
  expect(outcome).toMatchObject({ kind: 'recorded', decision: 'Approve', reconciled: false });
  expect(stored?.final).toEqual(presserOnly(alex().id, 'Approved', 'Fine', true));
});

it('gives up Graph’s read-back after the configured wait and names only the presser', async () => {
  seedReview('Slow read-back');
  const item = await reviewItem('Slow read-back');
  env.sandbox.faults.inject({ method: 'GET', latencyMs: 1500, times: Infinity });
  const { stored } = await decide(item, 'Deny', 'Left the team', { deps: { readBackTimeoutMs: 300 } });
  expect(stored?.final).toEqual(presserOnly(alex().id, 'Denied', 'Left the team', true));
});

it('records Graph’s facts from the reconciling read when the write landed but its answer failed, without reading again', async () => {
  seedReview('Landed then 503');
  const item = await reviewItem('Landed then 503');
  env.sandbox.faults.inject({ method: 'PATCH', landThenStatus: 503, times: Infinity });
  env.sandbox.faults.inject({ method: 'POST', landThenStatus: 503, times: Infinity });
  const { outcome, stored, settleRequests, warnings } = await decide(item, 'Approve', 'Fine');
  expect(outcome).toMatchObject({ kind: 'recorded', decision: 'Approve', reconciled: true });
  expect(stored?.final).toEqual({
    result: 'Approved',
    by: expect.objectContaining({ id: alex().id, displayName: 'Alex Wilber' }),
    at: expect.any(String),
    justification: 'Fine',
    changeable: true,
  });
  expect(settleRequests).toEqual([]);
  expect(warnings).toEqual([]);
});

it('does not mark a review as wanting words when Graph’s 400 says so: the review’s settings already tell', async () => {
  seedReview('Words asked since discovery', { justificationRequiredOnApproval: true });
  // The item as stored before the review began to ask for words.
  const item = { ...(await reviewItem('Words asked since discovery')), justificationRequired: false };
  const { outcome, stored } = await decide(item, 'Approve', '');
  expect(outcome).toMatchObject({ kind: 'needsJustification', reachedGraph: true });
  expect(stored?.item.justificationRequired).toBe(false);
  expect(stored?.final).toBeNull();
});

it('tells the card hook, then the requester hook, about a recorded decision', async () => {
  seedReview('Hooks told');
  const item = await reviewItem('Hooks told');
  const told: string[] = [];
  const deps = {
    onFinal: async (key: string) => void told.push(`final ${key}`),
    onRecorded: async (key: string) => void told.push(`recorded ${key}`),
  };
  const key = itemKey(item.target);
  const { warnings } = await decide(item, 'Approve', 'Fine', { deps });
  expect(told).toEqual([`final ${key}`, `recorded ${key}`]);
  expect(warnings).toEqual([]);
});

it('logs, and does not throw, when the item’s end cannot be recorded', async () => {
  seedReview('Store refuses');
  const item = await reviewItem('Store refuses');
  const store = new MemoryStore();
  store.finishItem = () => Promise.reject(new Error('disk full'));
  const { outcome, warnings } = await decide(item, 'Approve', 'Fine', { store });
  expect(outcome).toMatchObject({ kind: 'recorded' });
  expect(warnings).toEqual([
    expect.objectContaining({
      itemKey: itemKey(item.target),
      msg: 'could not record how the item ended; discovery will',
      err: expect.objectContaining({ message: 'disk full' }),
    }),
  ]);
});

it('records no end when Graph’s 409 says someone decided first but its read cannot say how', async () => {
  env.sandbox.seed.accessPackageRequest({
    requestor: env.sandbox.users.adele.id,
    accessPackage: { displayName: 'Decided elsewhere, unread' },
    stages: [{ approvers: [alex().id, env.sandbox.users.megan.id] }],
  });
  const { items } = await env.as(alex().id).discoverPending();
  const item = items.find(
    (i) => i.kind === 'accessPackage' && i.accessPackage.displayName === 'Decided elsewhere, unread',
  );
  if (!item) throw new Error('the request is not pending');
  env.sandbox.faults.inject({ method: 'PATCH', status: 409 });
  env.sandbox.faults.inject({ method: 'GET', status: 503, times: Infinity });
  const { outcome, stored, warnings } = await decide(item, 'Approve', 'Fine');
  expect(outcome).toMatchObject({ kind: 'alreadyDecided', view: 'caller', result: null });
  expect(stored?.final).toBeNull();
  expect(warnings).toEqual([]);
});
