import { cardActions, messageActivity, post } from '../support/teams';
import { cardOf, startStack, targetOf } from './harness';

async function pendingCards(env: Record<string, string>) {
  const stack = await startStack(env);
  try {
    await post(
      stack.botUrl,
      messageActivity({ serviceUrl: stack.connector.serviceUrl }, stack.alex, 'pending'),
    );
    return stack.connector.calls.filter((c) => c.method === 'POST').map((c) => cardOf(c.activity));
  } finally {
    await stack.close();
  }
}

describe('deployment settings', () => {
  it('CARD_ACTIONS=submit turns every button into Action.Submit, for mobile clients that fail on Action.Execute', async () => {
    const cards = await pendingCards({ CARD_ACTIONS: 'submit' });
    expect(cards.length).toBeGreaterThan(5);
    const actions = cards.flatMap((card) => cardActions(card));
    expect(actions.length).toBeGreaterThan(0);
    expect(actions.every((a) => a.type === 'Action.Submit' && typeof a.data?.verb === 'string')).toBe(true);
    expect(JSON.stringify(cards)).not.toContain('Action.Execute');
  });

  it('answers "pending" with one summary card and then the most urgent items when there are many', async () => {
    const cards = await pendingCards({ PENDING_SUMMARY_THRESHOLD: '3' });
    expect(cards).toHaveLength(4);
    const [summary, ...items] = cards;
    expect(JSON.stringify(summary)).toMatch(/items wait for your decision/);
    expect(items.every((card) => targetOf(card) !== null)).toBe(true);
  });
});
