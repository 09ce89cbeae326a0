import { SpanKind, SpanStatusCode, metrics, trace } from '@opentelemetry/api';
import type { Attributes, Counter, Histogram, Span } from '@opentelemetry/api';

/**
 * What the bot measures. Attributes carry kinds, routes, statuses and outcomes only: never a token, a
 * name, a justification or a card's text (item ids would be allowed, and are not needed here).
 */
export interface Instruments {
  /** One decision attempt: item kind, decision, outcome. */
  readonly decisions: Counter;
  /** Milliseconds per Graph request: API version, route template, status. */
  readonly graphDuration: Histogram;
  /** Graph 429s by route template. */
  readonly graphThrottled: Counter;
  /** Outbox entries settled by the delivery worker: kind, result. */
  readonly deliveries: Counter;
  /** Teams 429s seen by the delivery worker or a card update. */
  readonly teamsThrottled: Counter;
  /** Seconds per discovery cycle. */
  readonly discoveryDuration: Histogram;
  /** Approvers looked at per discovery cycle. */
  readonly discoveryApprovers: Histogram;
  /** Sign-in cards or login requests sent: where. */
  readonly signInPrompts: Counter;
}

export const METER_NAME = 'governance-approvals-bot';

/** Instruments on the global meter provider as it is now (a no-op one until telemetry starts). */
export function createInstruments(): Instruments {
  const meter = metrics.getMeter(METER_NAME);
  return {
    decisions: meter.createCounter('approvals.decisions', { description: 'Decision attempts by outcome' }),
    graphDuration: meter.createHistogram('approvals.graph.duration', {
      description: 'Microsoft Graph request duration',
      unit: 'ms',
    }),
    graphThrottled: meter.createCounter('approvals.graph.throttled', { description: 'Microsoft Graph 429s' }),
    deliveries: meter.createCounter('approvals.deliveries', { description: 'Outbox entries settled' }),
    teamsThrottled: meter.createCounter('approvals.teams.throttled', { description: 'Bot Connector 429s' }),
    discoveryDuration: meter.createHistogram('approvals.discovery.duration', {
      description: 'Discovery cycle duration',
      unit: 's',
    }),
    discoveryApprovers: meter.createHistogram('approvals.discovery.approvers', {
      description: 'Approvers per discovery cycle',
    }),
    signInPrompts: meter.createCounter('approvals.signin.prompts', { description: 'Sign-in prompts sent' }),
  };
}

// OpenTelemetry's metrics API has no proxy provider: instruments made before the SDK starts stay no-ops.
// So they are made again when telemetry starts, and every caller reads the current set.
let current: Instruments = createInstruments();

/** The instruments to record on now. */
export function measure(): Instruments {
  return current;
}

/** Makes the instruments again on the global meter provider (when telemetry has just started). */
export function renewInstruments(): void {
  current = createInstruments();
}

const tracer = () => trace.getTracer(METER_NAME);

/**
 * Runs `work` inside a span named `name` (a child of the active one), ending it however `work` ends. The
 * span's status is an error when `work` throws; `outcome` may add attributes from the result.
 */
export async function traced<T>(
  name: string,
  attributes: Attributes,
  work: (span: Span) => Promise<T>,
  options: { readonly kind?: 'client' | 'server' | 'internal' } = {},
): Promise<T> {
  const kind =
    options.kind === 'client'
      ? SpanKind.CLIENT
      : options.kind === 'server'
        ? SpanKind.SERVER
        : SpanKind.INTERNAL;
  return tracer().startActiveSpan(name, { kind, attributes }, async (span) => {
    try {
      return await work(span);
    } catch (error) {
      span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.name : 'error' });
      throw error;
    } finally {
      span.end();
    }
  });
}

/** A Graph path as a route: ids and keys become `{id}`, the query string is dropped. */
export function routeOf(path: string): string {
  const [withoutQuery = ''] = path.split('?', 1);
  return withoutQuery
    .split('/')
    .map((segment) =>
      /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(segment)
        ? '{id}'
        : segment.replace(/\((?:'[^']*'|[^)]*)\)/g, '({id})'),
    )
    .join('/');
}

/**
 * Outbox depth by state, read from the store when metrics are exported (never on a request's path). The
 * callback is dropped when the returned function is called.
 */
export function observeOutbox(outbox: {
  counts(): Promise<Readonly<Record<string, number>>>;
  /** When the oldest waiting entry was enqueued (ms), or null. */
  oldestWaiting(): Promise<number | null>;
  now(): number;
}): () => void {
  const meter = metrics.getMeter(METER_NAME);
  const depth = meter.createObservableGauge('approvals.outbox.depth', {
    description: 'Outbox entries by state',
  });
  const age = meter.createObservableGauge('approvals.outbox.oldest_age', {
    description: 'Age of the oldest entry still waiting to be delivered',
    unit: 's',
  });
  type Result = { observe(value: number, attributes?: Attributes): void };
  const countDepth = async (result: Result) => {
    const counts = await outbox.counts();
    for (const [state, n] of Object.entries(counts)) result.observe(n, { 'outbox.state': state });
  };
  const measureAge = async (result: Result) => {
    const oldest = await outbox.oldestWaiting();
    result.observe(oldest === null ? 0 : Math.max(0, (outbox.now() - oldest) / 1000));
  };
  depth.addCallback(countDepth);
  age.addCallback(measureAge);
  return () => {
    depth.removeCallback(countDepth);
    age.removeCallback(measureAge);
  };
}
