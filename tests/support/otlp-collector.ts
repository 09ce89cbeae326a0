import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** An OTLP/HTTP JSON collector on loopback: keeps every export it receives, as sent. */
export interface CollectorDouble {
  readonly url: string;
  /** Raw bodies, in arrival order, by signal. */
  readonly received: { readonly traces: string[]; readonly metrics: string[] };
  spans(): OtlpSpan[];
  /** Data points of a metric across every export, in arrival order. */
  points(name: string): OtlpPoint[];
  close(): Promise<void>;
}

export interface OtlpSpan {
  readonly traceId: string;
  readonly spanId: string;
  readonly parentSpanId?: string;
  readonly name: string;
  readonly attributes: Readonly<Record<string, unknown>>;
}

export interface OtlpPoint {
  readonly value: number;
  readonly attributes: Readonly<Record<string, unknown>>;
}

type KeyValue = { key: string; value: Record<string, unknown> };
const attributesOf = (list: KeyValue[] | undefined): Record<string, unknown> =>
  Object.fromEntries((list ?? []).map((kv) => [kv.key, Object.values(kv.value)[0]]));

export async function startCollectorDouble(): Promise<CollectorDouble> {
  const received = { traces: [] as string[], metrics: [] as string[] };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      if (req.url === '/v1/traces') received.traces.push(body);
      else if (req.url === '/v1/metrics') received.metrics.push(body);
      res.writeHead(req.url === '/v1/traces' || req.url === '/v1/metrics' ? 200 : 404, {
        'content-type': 'application/json',
      });
      res.end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    spans: () =>
      received.traces.flatMap((body) => {
        const parsed = JSON.parse(body) as {
          resourceSpans?: { scopeSpans?: { spans?: (OtlpSpan & { attributes?: KeyValue[] })[] }[] }[];
        };
        return (parsed.resourceSpans ?? []).flatMap((r) =>
          (r.scopeSpans ?? []).flatMap((s) =>
            (s.spans ?? []).map((span) => ({
              ...span,
              attributes: attributesOf(span.attributes as unknown as KeyValue[]),
            })),
          ),
        );
      }),
    points: (name) =>
      received.metrics.flatMap((body) => {
        const parsed = JSON.parse(body) as {
          resourceMetrics?: {
            scopeMetrics?: {
              metrics?: {
                name: string;
                sum?: { dataPoints?: { asInt?: unknown; asDouble?: unknown; attributes?: KeyValue[] }[] };
              }[];
            }[];
          }[];
        };
        return (parsed.resourceMetrics ?? []).flatMap((r) =>
          (r.scopeMetrics ?? []).flatMap((s) =>
            (s.metrics ?? [])
              .filter((m) => m.name === name)
              .flatMap((m) =>
                (m.sum?.dataPoints ?? []).map((p) => ({
                  value: Number(p.asInt ?? p.asDouble ?? 0),
                  attributes: attributesOf(p.attributes),
                })),
              ),
          ),
        );
      }),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
