import {
  Client,
  HTTPMessageHandler,
  ResponseType,
  RetryHandler,
  RetryHandlerOptions,
} from '@microsoft/microsoft-graph-client';
import type { Context, Middleware } from '@microsoft/microsoft-graph-client';
import type { ApiVersion } from '../domain';
import { measure, routeOf, traced } from '../telemetry';

/** What came back from Graph, whatever the status; the caller decides what it means. */
export interface GraphResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly body: unknown;
  readonly requestId: string | null;
}

export type Sent =
  | { readonly ok: true; readonly response: GraphResponse }
  | { readonly ok: false; readonly failure: 'network' | 'timeout'; readonly message: string };

export interface RequestSpec {
  readonly method: 'GET' | 'PATCH' | 'POST';
  readonly version: ApiVersion;
  /** Path below the version, with its query string, e.g. `/identityGovernance/...?$expand=stages`. */
  readonly path: string;
  readonly body?: unknown;
  /**
   * interactive: one attempt, the caller owns retries within its time budget (gotcha G16).
   * background: the SDK's RetryHandler retries 429/503/504 honouring Retry-After.
   */
  readonly mode: 'interactive' | 'background';
  readonly timeoutMs: number;
}

/** Adds the caller's bearer token. The SDK's own handler only does so for https Graph hosts it knows. */
class BearerToken implements Middleware {
  private next: Middleware | undefined;
  constructor(private readonly token: string) {}
  async execute(context: Context): Promise<void> {
    const options = (context.options ??= {});
    const headers = new Headers(options.headers as HeadersInit | undefined);
    headers.set('Authorization', `Bearer ${this.token}`);
    options.headers = Object.fromEntries(headers.entries());
    if (!this.next) throw new Error('BearerToken middleware has no next handler');
    await this.next.execute(context);
  }
  setNext(next: Middleware): void {
    this.next = next;
  }
}

const NO_RETRY = new RetryHandlerOptions(0, 0, () => false);

function requestIdOf(headers: Headers, body: unknown): string | null {
  const fromHeader = headers.get('request-id');
  if (fromHeader) return fromHeader;
  const inner = (body as { error?: { innerError?: Record<string, unknown> } } | null)?.error?.innerError;
  const fromBody = inner?.['request-id'];
  return typeof fromBody === 'string' ? fromBody : null;
}

async function readBody(response: Response): Promise<unknown> {
  const text = await response.text();
  if (text.trim() === '') return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/**
 * A thin layer over @microsoft/microsoft-graph-client v3 for one user's token. It never throws for an HTTP
 * status: every response comes back as data, network failures and timeouts as `ok: false`.
 */
export class GraphTransport {
  private readonly client: Client;
  /** HTTP requests sent so far (a `$batch` is one); SDK retries are not counted. */
  requestCount = 0;

  constructor(
    readonly baseUrl: string,
    token: string,
  ) {
    this.client = Client.initWithMiddleware({
      baseUrl,
      middleware: [new BearerToken(token), new RetryHandler(), new HTTPMessageHandler()],
    });
  }

  /**
   * An absolute `@odata.nextLink` is followed only when it points at our own service root, so that a
   * token is never sent to another host; the link is turned back into a version and a path.
   */
  relative(link: string): { version: ApiVersion; path: string } | null {
    for (const version of ['v1.0', 'beta'] as const) {
      const prefix = `${this.baseUrl}/${version}/`;
      if (link.startsWith(prefix)) return { version, path: `/${link.slice(prefix.length)}` };
    }
    return null;
  }

  /** One request, as a client span with its route (ids as `{id}`), and its duration and 429s measured. */
  send(spec: RequestSpec): Promise<Sent> {
    const route = routeOf(spec.path);
    const attributes = {
      'graph.api': spec.version,
      'graph.route': route,
      'http.request.method': spec.method,
    };
    return traced(
      `graph ${spec.method} ${route}`,
      attributes,
      async (span) => {
        const started = performance.now();
        const sent = await this.sendOnce(spec);
        const status = sent.ok ? sent.response.status : 0;
        span.setAttribute('http.response.status_code', status);
        measure().graphDuration.record(performance.now() - started, {
          ...attributes,
          'http.response.status_code': status,
        });
        if (status === 429)
          measure().graphThrottled.add(1, { 'graph.api': spec.version, 'graph.route': route });
        return sent;
      },
      { kind: 'client' },
    );
  }

  private async sendOnce(spec: RequestSpec): Promise<Sent> {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), Math.max(1, spec.timeoutMs));
    this.requestCount += 1;
    try {
      let request = this.client
        .api(spec.path)
        .version(spec.version)
        .responseType(ResponseType.RAW)
        .option('signal', controller.signal);
      if (spec.mode === 'interactive') request = request.middlewareOptions([NO_RETRY]);
      if (spec.body !== undefined) request = request.header('Content-Type', 'application/json');
      const raw = (await (spec.method === 'GET'
        ? request.get()
        : spec.method === 'PATCH'
          ? request.patch(spec.body ?? {})
          : request.post(spec.body ?? null))) as Response;
      const body = await readBody(raw);
      return {
        ok: true,
        response: {
          status: raw.status,
          headers: raw.headers,
          body,
          requestId: requestIdOf(raw.headers, body),
        },
      };
    } catch (error) {
      if (controller.signal.aborted) {
        return {
          ok: false,
          failure: 'timeout',
          message: `Microsoft Graph did not answer within ${spec.timeoutMs} ms`,
        };
      }
      // The SDK's error for a dropped connection has no message of its own.
      const message = (error instanceof Error ? error.message : String(error)) || 'the connection closed';
      return { ok: false, failure: 'network', message: `Could not reach Microsoft Graph: ${message}` };
    } finally {
      clearTimeout(timer);
    }
  }
}
