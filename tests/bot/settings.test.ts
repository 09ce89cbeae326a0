import { notifyCards } from '../../src/bot/teams-delivery';
import { itemKey } from '../../src/domain';
import { DEMO_IDS } from '../../src/sandbox';
import { cardActions, cardText, installActivity, messageActivity, post } from '../support/teams';
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

/** The URLs of a card's Action.OpenUrl buttons. */
function openUrls(card: unknown): string[] {
  if (Array.isArray(card)) return card.flatMap(openUrls);
  if (!card || typeof card !== 'object') return [];
  const node = card as Record<string, unknown>;
  const own = node.type === 'Action.OpenUrl' && typeof node.url === 'string' ? [node.url] : [];
  return [...own, ...Object.values(node).flatMap(openUrls)];
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

  it('answers "pending" with one summary card, then the most urgent cards, a review with several items as one card in its place', async () => {
    const cards = (await pendingCards({ PENDING_SUMMARY_THRESHOLD: '3' })).filter((c) => c !== null);
    const [summary, ...rest] = cards;
    expect(JSON.stringify(summary)).toMatch(/items wait for your decision/);
    // The three most urgent items of the other kinds, one card each (a PIM extension has no buttons).
    const bulk = (card: (typeof rest)[number]) => JSON.stringify(card).includes('"verb":"bulk"');
    expect(rest.filter((card) => !bulk(card))).toHaveLength(3);
    // The demo tenant's three reviews with three or more items of Alex's each come as one card, by due date.
    expect(
      rest.filter(bulk).map((card) => cardText(card).match(/\d+ items of (.*) wait on you/)?.[1]),
    ).toEqual([
      'Finance admins: quarterly membership review',
      'Guest access review: Project Falcon',
      'Contoso Sales Portal: two-stage access review',
    ]);
  });

  it('with no setting, a personal chat gets Action.Submit cards; a press decides and updates that card in place, while a channel keeps Universal Actions', async () => {
    const stack = await startStack({ NOTIFY_DISCOVERY_SECONDS: '0' });
    try {
      const personal = { serviceUrl: stack.connector.serviceUrl };
      await post(stack.botUrl, installActivity(personal, stack.alex));
      await stack.app.bot.idle();
      const sent = stack.connector.calls.filter((c) => c.method === 'POST' && targetOf(cardOf(c.activity)));
      expect(sent.length).toBeGreaterThan(5);
      const cards = sent.map((c) => cardOf(c.activity));
      // Teams mobile does nothing on Action.Execute (teams-platform.md §8 #1): none in a personal chat,
      // and no automatic refresh, which only Universal Actions have.
      expect(JSON.stringify(cards)).not.toContain('Action.Execute');
      expect(cards.every((c) => (c as { refresh?: unknown }).refresh === undefined)).toBe(true);

      const pressed = sent.find(
        (c) => targetOf(cardOf(c.activity))?.approvalId === DEMO_IDS.accessPackage.buildAgentsDuration,
      );
      const approve = cardActions(cardOf(pressed?.activity)).find((a) => a.verb === 'approve');
      expect(approve?.type).toBe('Action.Submit');
      const mark = stack.connector.mark();
      const res = await post(stack.botUrl, {
        // What the client sends for that button: its data, with the typed words, as a message replying to the card.
        ...messageActivity(personal, stack.alex, '', { ...approve?.data, justification: 'From my phone' }),
        replyToId: pressed?.activityId,
      });
      expect(res.status).toBeLessThan(300);
      const updated = stack.connector.calls.slice(mark).filter((c) => c.activityId === pressed?.activityId);
      expect(updated.map((c) => c.method)).toEqual(['PUT']);
      expect(cardText(cardOf(updated[0]?.activity))).toMatch(/Approved by you/);
      expect(JSON.stringify(cardOf(updated[0]?.activity))).not.toContain('Action.Execute');
      const patches = stack.sandbox.requests.filter(
        (r) => r.method === 'PATCH' && r.path.includes(DEMO_IDS.accessPackage.buildAgentsDuration),
      );
      expect(patches.map((p) => p.body)).toEqual([
        { reviewResult: 'Approve', justification: 'From my phone' },
      ]);

      // In a channel, several people see one card: Universal Actions and their per-user views stay.
      const stored = await stack.app.store.getItem(itemKey(targetOf(cardOf(sent[0]?.activity)) as never));
      expect(stored).not.toBeNull();
      const cardsFor = notifyCards({
        actions: 'auto',
        timeZone: 'UTC',
        pendingSummaryThreshold: 5,
        cloud: 'Global',
      });
      const options = { canAct: true, refreshUserIds: ['29:alex'] };
      const inChannel = cardsFor.item(stored as never, { ...options, shared: true });
      expect(cardActions(inChannel).some((a) => a.type === 'Action.Execute')).toBe(true);
      expect((inChannel as { refresh?: unknown }).refresh).toBeDefined();
      const inPersonal = cardsFor.item(stored as never, { ...options, shared: false });
      expect(JSON.stringify(inPersonal)).not.toContain('Action.Execute');
    } finally {
      await stack.close();
    }
  });

  it('says once, in local mode, that there is nothing to sign in to, and never that you are signed in', async () => {
    const stack = await startStack({ NOTIFY_DISCOVERY_SECONDS: '0' }, { sandbox: { tenant: 'empty' } });
    try {
      const mark = stack.connector.mark();
      await post(
        stack.botUrl,
        messageActivity({ serviceUrl: stack.connector.serviceUrl }, stack.alex, 'sign in'),
      );
      await stack.app.bot.idle();
      const said = stack.connector.calls.slice(mark).map((c) => JSON.stringify(c.activity));
      expect(said).toHaveLength(1);
      expect(said[0]).toMatch(/nothing to sign in to/);
      expect(said[0]).not.toMatch(/signed in\./i);
    } finally {
      await stack.close();
    }
  });

  it.each([
    ['USGovL4', ['https://myaccess.microsoft.us/#/', 'https://portal.azure.us/#view/'], 'microsoft.com'],
    ['China', ['https://portal.azure.cn/'], 'myaccess'],
  ] as const)(
    'with GRAPH_CLOUD=%s, every portal link on every card goes to that cloud',
    async (cloud, hosts, never) => {
      const stack = await startStack({ NOTIFY_DISCOVERY_SECONDS: '0', GRAPH_CLOUD: cloud });
      try {
        await post(stack.botUrl, installActivity({ serviceUrl: stack.connector.serviceUrl }, stack.alex));
        await stack.app.bot.idle();
        const cards = stack.connector.calls.map((c) => cardOf(c.activity)).filter((c) => c !== null);
        const links = cards.flatMap(openUrls);
        // Every card of the demo tenant's install carries its portal link.
        expect(links.length).toBeGreaterThanOrEqual(cards.length);
        for (const url of links) {
          expect([url, hosts.some((host) => url.startsWith(host))]).toEqual([url, true]);
          expect(url).not.toContain(never);
        }
      } finally {
        await stack.close();
      }
    },
  );
});
