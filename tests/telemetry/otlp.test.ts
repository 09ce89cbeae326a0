import { DEMO_IDS, startSandbox } from '../../src/sandbox';
import type { Sandbox } from '../../src/sandbox';
import { startBotChild } from '../support/bot-child';
import type { BotChild } from '../support/bot-child';
import { startConnectorDouble } from '../support/connector-double';
import type { ConnectorDouble } from '../support/connector-double';
import { startCollectorDouble } from '../support/otlp-collector';
import type { CollectorDouble } from '../support/otlp-collector';
import { cardAction, cardOf, installActivity, post, targetOf, teamsUser } from '../support/teams';

/**
 * Telemetry to an OTLP collector (a double on loopback) from the real entry point in its own process: one
 * Approve press is one trace (the turn, the decision, the Graph PATCH and the card update), the decision
 * counter moves by one, and nothing exported carries a token, a justification or a person's name.
 */
let collector: CollectorDouble;
let sandbox: Sandbox;
let connector: ConnectorDouble;
let bot: BotChild;
const JUSTIFICATION = 'Needed for the spring launch, per Lidia';

beforeAll(async () => {
  [collector, sandbox, connector] = await Promise.all([
    startCollectorDouble(),
    startSandbox({ tenant: 'demo' }),
    startConnectorDouble(),
  ]);
  bot = await startBotChild({
    GRAPH_BASE_URL: sandbox.url,
    STORE: 'memory',
    PENDING_SUMMARY_THRESHOLD: '50',
    OTEL_EXPORTER_OTLP_ENDPOINT: collector.url,
    OTEL_METRIC_EXPORT_INTERVAL: '300',
    OTEL_BSP_SCHEDULE_DELAY: '100',
  });
}, 60_000);
afterAll(async () => {
  await bot?.stop();
  await Promise.all([collector?.close(), sandbox?.close(), connector?.close()]);
});

const personal = () => ({ serviceUrl: connector.serviceUrl });
const alex = () => teamsUser(sandbox.users.alex.id, 'Alex Wilber');

async function eventually<T>(read: () => T | undefined, ms = 10_000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const value = read();
    if (value !== undefined) return value;
    if (Date.now() > until)
      throw new Error(
        `not exported in time: spans ${JSON.stringify(collector.spans().map((x) => x.name))}, connector calls ${connector.calls.length}, bot said ${bot.lines.slice(-5).join(' | ')}`,
      );
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function decisionsCounted(): number {
  const points = collector
    .points('approvals.decisions')
    .filter((p) => p.attributes.outcome === 'recorded' && p.attributes.decision === 'Approve');
  // Cumulative sums: the latest export holds the running total.
  return points.length === 0 ? 0 : Math.max(...points.map((p) => p.value));
}

it('traces one Approve press from the turn to the Graph PATCH and the card update, and counts it once', async () => {
  await post(bot.url, installActivity(personal(), alex()));
  const target = await eventually(
    () =>
      targetOf(
        connector.calls
          .map((c) => cardOf(c.activity))
          .find((c) => targetOf(c)?.approvalId === DEMO_IDS.accessPackage.marketingTwoStage),
      ) ?? undefined,
  );
  // The counter as exported before the press (absent until a first decision).
  await new Promise((resolve) => setTimeout(resolve, 700));
  const counted = decisionsCounted();
  const res = await post(
    bot.url,
    cardAction(personal(), alex(), {
      verb: 'approve',
      data: { verb: 'approve', target, rev: 1, justification: JUSTIFICATION },
    }),
  );
  expect(res.status).toBe(200);

  const patch = await eventually(() => collector.spans().find((s) => s.name.startsWith('graph PATCH ')));
  await eventually(() => (decisionsCounted() > counted ? true : undefined));
  await eventually(() => collector.spans().find((s) => s.name === 'teams.turn invoke'));
  const spans = collector.spans();
  const trace = spans.filter((s) => s.traceId === patch?.traceId);
  const byId = new Map(trace.map((s) => [s.spanId, s]));
  const ancestors = (span: (typeof trace)[number] | undefined): string[] => {
    const names: string[] = [];
    for (let at = span; at?.parentSpanId && byId.has(at.parentSpanId);) {
      at = byId.get(at.parentSpanId);
      if (at) names.push(at.name);
    }
    return names;
  };
  expect(ancestors(patch)).toEqual(['approvals.decide', 'teams.turn invoke']);
  expect(patch?.attributes).toMatchObject({
    'graph.api': 'v1.0',
    'graph.route':
      '/identityGovernance/entitlementManagement/accessPackageAssignmentApprovals/{id}/stages/{id}',
    'http.response.status_code': 204,
  });
  const update = trace.find((s) => s.name === 'teams.card.update');
  expect(ancestors(update)).toEqual(['teams.turn invoke']);
  expect(trace.find((s) => s.name === 'approvals.decide')?.attributes).toMatchObject({
    'item.kind': 'accessPackage',
    decision: 'Approve',
    outcome: 'recorded',
  });

  expect(decisionsCounted()).toBe(counted + 1);
  const graphDurations = collector.received.metrics.join('').includes('approvals.graph.duration');
  expect(graphDurations).toBe(true);
});

it('exports no token, justification or display name in any span or metric', async () => {
  const exported = [...collector.received.traces, ...collector.received.metrics].join('\n');
  expect(exported.length).toBeGreaterThan(1000);
  const names = Object.values(sandbox.users).map((u) => u.displayName);
  expect(names.length).toBeGreaterThan(3);
  const tokens = [sandbox.tokenFor(sandbox.users.alex.id)];
  const found = [
    ...names.filter((n) => exported.includes(n)),
    ...(exported.includes(JUSTIFICATION) ? ['the justification'] : []),
    ...(exported.includes('Marketing campaign tools') ? ['an access package name'] : []),
    ...(/eyJ[\w-]{10,}\.[\w-]{10,}/.test(exported) ? ['a JWT'] : []),
    ...(/bearer /i.test(exported) ? ['a bearer header'] : []),
    ...tokens.filter((t) => exported.includes(t)).map(() => "Alex's token"),
  ];
  expect(found).toEqual([]);
});
