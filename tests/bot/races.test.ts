import type { PendingItem } from '../../src/domain';
import { createGovernanceClient } from '../../src/graph';
import { cardAction, cardText, post } from '../support/teams';
import { startStack } from './harness';
import type { Stack } from './harness';

/**
 * Two approvers of the same stage press Approve at the same moment, through the bot, on 1,000 distinct
 * requests: every time exactly one is recorded and the other is told who was first.
 */

const RACES = 1000;
let stack: Stack;

beforeAll(async () => {
  stack = await startStack({}, { sandbox: { tenant: 'empty' } });
});
afterAll(() => stack.close());

it(`[long] settles ${RACES.toLocaleString('en')} two-approver races: one recorded and one "already … by" the other, every time`, async () => {
  const { alex, megan } = stack.sandbox.users;
  const requestor = stack.sandbox.users.isaiah.id;
  for (let i = 0; i < RACES; i++) {
    stack.sandbox.seed.accessPackageRequest({
      requestor,
      accessPackage: { displayName: `Race ${i}` },
      stages: [{ approvers: [alex.id, megan.id] }],
    });
  }
  // Both approvers have the cards (as after discovery): the bot knows the items and both approvers.
  const items: PendingItem[] = [];
  for (const user of [alex, megan]) {
    const found = await createGovernanceClient({ cloud: 'Global', baseUrl: stack.sandbox.url })
      .asUser({ token: stack.sandbox.tokenFor(user.id), userId: user.id })
      .discoverPending(['accessPackage']);
    await stack.app.store.putItems(found.items.map((item) => ({ item, approverId: user.id })));
    if (user === alex) items.push(...found.items);
  }
  expect(items).toHaveLength(RACES);

  const where = { serviceUrl: stack.connector.serviceUrl };
  const tally = { pairs: 0, recorded: 0, namedLoser: 0, other: [] as string[] };
  let next = 0;
  const started = Date.now();
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (next < items.length) {
        const item = items[next++] as PendingItem;
        const press = (user: Stack['alex']) =>
          post(
            stack.botUrl,
            cardAction(where, user, {
              verb: 'approve',
              data: { verb: 'approve', target: item.target, rev: 1, justification: `First come ${next}` },
            }),
          ).then((res) => cardText((res.body as { value: unknown }).value));
        const [a, m] = await Promise.all([press(stack.alex), press(stack.megan)]);
        tally.pairs += 1;
        const winners = [a, m].filter((t) => /Approved by you/.test(t)).length;
        const alexLost = /Already approved by Megan Bowen/.test(a);
        const meganLost = /Already approved by Alex Wilber/.test(m);
        if (winners === 1) tally.recorded += 1;
        if (winners === 1 && (alexLost || meganLost) && !(alexLost && meganLost)) tally.namedLoser += 1;
        else tally.other.push(`${a.slice(0, 120)} | ${m.slice(0, 120)}`);
      }
    }),
  );
  await stack.app.bot.idle();
  const patches = stack.sandbox.requests.filter((r) => r.method === 'PATCH');
  const landed = patches.filter((r) => r.status === 204).length;
  process.stdout.write(
    `races: ${tally.pairs} pairs in ${((Date.now() - started) / 1000).toFixed(1)} s; one recorded ${tally.recorded}, ` +
      `the other told who was first ${tally.namedLoser}; PATCHes ${patches.length} (204: ${landed}, 409: ${patches.length - landed})\n`,
  );
  expect(tally.other).toEqual([]);
  expect(tally.recorded).toBe(RACES);
  expect(tally.namedLoser).toBe(RACES);
  expect(landed).toBe(RACES);
}, 240_000);
