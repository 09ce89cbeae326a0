import { SpanKind, metrics, trace } from '@opentelemetry/api';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import type { DataPoint } from '@opentelemetry/sdk-metrics';
import type { DecisionTarget } from '../../src/domain';
import type { Sandbox } from '../../src/sandbox';
import type { UserGovernance } from '../../src/graph';
import { GRAPH_CLOUDS, createGovernanceClient, isGraphCloud } from '../../src/graph';
import { renewInstruments } from '../../src/telemetry/instruments';
import { graphUnderTest } from './support';

/** Metrics read on demand, as an exporter would read them. */
class OnDemandReader extends MetricReader {
  protected onShutdown(): Promise<void> {
    return Promise.resolve();
  }
  protected onForceFlush(): Promise<void> {
    return Promise.resolve();
  }
}

let sandbox: Sandbox;
let as: (userId: string) => UserGovernance;

beforeAll(async () => {
  ({ sandbox, as } = await graphUnderTest());
});
afterAll(() => sandbox.close());

function pendingApproval(): DecisionTarget {
  const seeded = sandbox.seed.accessPackageRequest({
    requestor: sandbox.users.adele.id,
    accessPackage: { displayName: 'Marketing campaign tools' },
    stages: [{ approvers: [sandbox.users.alex.id] }],
  });
  return {
    kind: 'accessPackage',
    approvalId: seeded.approvalId,
    stageId: seeded.stageIds[0] as string,
    api: 'v1.0',
  };
}

describe('what every Graph call leaves in telemetry', () => {
  const spans = new InMemorySpanExporter();
  const reader = new OnDemandReader();

  beforeAll(() => {
    trace.setGlobalTracerProvider(
      new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spans)] }),
    );
    metrics.setGlobalMeterProvider(new MeterProvider({ readers: [reader] }));
    renewInstruments();
  });
  afterAll(() => {
    trace.disable();
    metrics.disable();
    renewInstruments();
  });

  async function points(name: string): Promise<DataPoint<unknown>[]> {
    const { resourceMetrics } = await reader.collect();
    return resourceMetrics.scopeMetrics
      .flatMap((s) => s.metrics)
      .filter((m) => m.descriptor.name === name)
      .flatMap((m) => m.dataPoints as DataPoint<unknown>[]);
  }

  it('is a client span named by its route, timed, and counted when Graph throttles it', async () => {
    const target = pendingApproval();
    sandbox.faults.inject({ method: 'GET', status: 429, retryAfterSeconds: 1 });

    const started = performance.now();
    const throttled = await as(sandbox.users.alex.id).readState(target);
    const read = await as(sandbox.users.alex.id).readState(target);
    const elapsed = performance.now() - started;

    expect([throttled.state.kind, read.state.kind]).toEqual(['unknown', 'open']);
    const route =
      '/identityGovernance/entitlementManagement/accessPackageAssignmentApprovals/{id}/stages/{id}';
    const attributes = { 'graph.api': 'v1.0', 'graph.route': route, 'http.request.method': 'GET' };
    expect(
      spans.getFinishedSpans().map((s) => ({ name: s.name, kind: s.kind, attributes: s.attributes })),
    ).toEqual(
      [429, 200].map((status) => ({
        name: `graph GET ${route}`,
        kind: SpanKind.CLIENT,
        attributes: { ...attributes, 'http.response.status_code': status },
      })),
    );

    const durations = await points('approvals.graph.duration');
    expect(durations.map((p) => p.attributes)).toEqual(
      expect.arrayContaining(
        [429, 200].map((status) => ({ ...attributes, 'http.response.status_code': status })),
      ),
    );
    for (const p of durations) {
      const { sum, count } = p.value as { sum: number; count: number };
      expect(count).toBe(1);
      expect(sum).toBeGreaterThanOrEqual(0);
      expect(sum).toBeLessThanOrEqual(elapsed);
    }
    const throttles = await points('approvals.graph.throttled');
    expect(throttles.map((p) => ({ attributes: p.attributes, value: p.value }))).toEqual([
      { attributes: { 'graph.api': 'v1.0', 'graph.route': route }, value: 1 },
    ]);
  });
});

describe('which Graph service root the client talks to', () => {
  it.each([
    ['Global', 'https://graph.microsoft.com'],
    ['USGovL4', 'https://graph.microsoft.us'],
    ['USGovL5', 'https://dod-graph.microsoft.us'],
    ['China', 'https://microsoftgraph.chinacloudapi.cn'],
  ] as const)('is the %s national cloud’s own root when no base URL is given', (cloud, root) => {
    expect(createGovernanceClient({ cloud }).baseUrl).toBe(root);
    expect(createGovernanceClient({ cloud, baseUrl: '   ' }).baseUrl).toBe(root);
    expect(createGovernanceClient({ cloud, baseUrl: null }).baseUrl).toBe(root);
  });

  it('is an explicit base URL, blanks and trailing slashes trimmed, and calls reach it', async () => {
    const client = createGovernanceClient({ cloud: 'USGovL4', baseUrl: `  ${sandbox.url}//  ` });
    expect(client.baseUrl).toBe(sandbox.url);

    const user = sandbox.users.alex.id;
    const read = await client
      .asUser({ token: sandbox.tokenFor(user), userId: user })
      .readState(pendingApproval());
    expect(read.state).toEqual({ kind: 'open', mine: true });
  });

  it('knows the four national clouds by name and no others', () => {
    expect(Object.keys(GRAPH_CLOUDS).filter(isGraphCloud)).toEqual(['Global', 'USGovL4', 'USGovL5', 'China']);
    expect(['Germany', 'toString', ''].filter(isGraphCloud)).toEqual([]);
  });
});
