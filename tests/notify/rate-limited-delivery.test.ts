import type { ConnectorRequest } from '../support/rate-limited-connector';
import type { TeamsUser } from '../support/teams';
import {
  asTeamsUser,
  cardItemId,
  drained,
  personalConversationId,
  personalReference,
  startNotifyStack,
} from './support/stack';
import type { NotifyStack } from './support/stack';

/**
 * Delivery against a connector double that enforces Teams' limits and answers 429 with Retry-After past
 * them. Takes about 20 s: one conversation receives 20 cards, which Teams allows at 60 per 30 s.
 */

interface Population {
  readonly approvers: readonly TeamsUser[];
  /** Cards that should arrive: `${conversationId} ${approvalId}`. */
  readonly expected: ReadonlySet<string>;
}

/** `count` approvers with one new request each, and Alex with `forAlex` new requests. */
async function populate(stack: NotifyStack, count: number, forAlex: number): Promise<Population> {
  const approvers: TeamsUser[] = [];
  const expected = new Set<string>();
  for (let i = 0; i < count; i++) {
    const user = asTeamsUser(stack.sandbox.seed.user({ displayName: `Approver ${i}` }));
    approvers.push(user);
    const seeded = stack.sandbox.seed.accessPackageRequest({
      requestor: stack.lynne.aadObjectId,
      accessPackage: { displayName: `Package ${i}` },
      stages: [{ approvers: [user.aadObjectId] }],
    });
    await stack.app.store.saveReference(personalReference(user, stack.connector.serviceUrl));
    expected.add(`${personalConversationId(user)} ${seeded.approvalId}`);
  }
  await stack.app.store.saveReference(personalReference(stack.alex, stack.connector.serviceUrl));
  for (const seeded of stack.sandbox.seed.bulk({
    kind: 'pimGroup',
    count: forAlex,
    approver: stack.alex.aadObjectId,
  }))
    expected.add(`${personalConversationId(stack.alex)} ${seeded.approvalId}`);
  return { approvers: [...approvers, stack.alex], expected };
}

function delivered(requests: readonly ConnectorRequest[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const r of requests) {
    if (r.method !== 'POST' || r.status !== 200) continue;
    const key = `${r.conversationId} ${cardItemId(r.activity) ?? '?'}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}

async function deliverAll(stack: NotifyStack, population: Population) {
  const started = Date.now();
  const report = await stack.app.notifier.discoverAll();
  await drained(stack.app, 60_000);
  const counts = delivered(stack.connector.requests);
  const throttled = stack.connector.requests.filter((r) => r.status === 429);
  const summary = {
    cards: population.expected.size,
    delivered: [...population.expected].filter((k) => (counts.get(k) ?? 0) > 0).length,
    duplicates: [...counts.values()].reduce((sum, n) => sum + Math.max(0, n - 1), 0),
    throttled: throttled.length,
    retried: stack.app.notifier.stats.retried,
    seconds: (Date.now() - started) / 1000,
  };
  return { report, counts, throttled, summary };
}

describe('delivery within Teams rate limits [long, ~20 s]', () => {
  it('stays within the limits on its own: every card arrives once, with no 429', async () => {
    const stack = await startNotifyStack({
      tenant: 'empty',
      sqlite: false,
      env: { NOTIFY_DIGEST_THRESHOLD: '100' },
    });
    try {
      const population = await populate(stack, 120, 20);
      const { summary } = await deliverAll(stack, population);
      process.stdout.write(`Teams limits, bot's own budget: ${JSON.stringify(summary)}\n`);
      expect(summary.delivered).toBe(summary.cards);
      expect(summary.duplicates).toBe(0);
      expect(summary.throttled).toBe(0);
      expect(await stack.app.store.outboxCounts()).toMatchObject({ pending: 0, inflight: 0, dead: 0 });
    } finally {
      await stack.close();
    }
  }, 60_000);

  it('handles every 429 from a stricter service (Retry-After) and every 5xx/412 (back-off): all cards arrive once', async () => {
    const stack = await startNotifyStack({
      sqlite: false,
      tenant: 'empty',
      env: { NOTIFY_DIGEST_THRESHOLD: '100' },
      // Stricter than Teams documents, so the bot's own budget is not enough and the service must push back.
      connector: {
        limits: { conversation: [{ limit: 3, windowMs: 1000 }], tenant: [{ limit: 20, windowMs: 1000 }] },
        latencyMs: 5,
      },
    });
    try {
      const population = await populate(stack, 80, 12);
      stack.connector.failNext(3, 503);
      stack.connector.failNext(2, 502);
      stack.connector.failNext(1, 412);
      stack.connector.failNext(1, 504);
      const { summary, throttled } = await deliverAll(stack, population);
      process.stdout.write(`stricter service: ${JSON.stringify(summary)}\n`);
      expect(summary.throttled).toBeGreaterThan(0);
      expect(summary.delivered).toBe(summary.cards);
      expect(summary.duplicates).toBe(0);
      // No 429 unhandled: every conversation that was told to wait got its cards afterwards.
      for (const refused of throttled) {
        if (refused.method !== 'POST') continue;
        const later = stack.connector.sendsTo(refused.conversationId).filter((r) => r.at >= refused.at);
        expect(later.length).toBeGreaterThan(0);
      }
      expect(stack.connector.requests.filter((r) => [502, 503, 504, 412].includes(r.status))).toHaveLength(7);
      expect(await stack.app.store.outboxCounts()).toMatchObject({ pending: 0, inflight: 0, dead: 0 });
    } finally {
      await stack.close();
    }
  }, 60_000);
});
