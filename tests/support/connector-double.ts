import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** One activity the bot sent or updated through the Bot Connector REST API. */
export interface ConnectorCall {
  readonly method: 'POST' | 'PUT' | 'DELETE';
  readonly conversationId: string;
  /** The activity id: assigned by us on POST, the one updated on PUT. */
  readonly activityId: string;
  readonly activity: Readonly<Record<string, unknown>>;
  readonly at: number;
}

export interface ConnectorDouble {
  /** The serviceUrl to put on inbound activities, e.g. http://127.0.0.1:1234/ */
  readonly serviceUrl: string;
  readonly calls: readonly ConnectorCall[];
  /** The latest version of every message, by activity id. */
  readonly messages: ReadonlyMap<string, Readonly<Record<string, unknown>>>;
  /** Conversations created with POST /v3/conversations. */
  readonly created: readonly Readonly<Record<string, unknown>>[];
  /** How many activities were sent or updated, remembered or not. */
  readonly count: number;
  /** Where the call log stands now: pass it to `waitFor` as `after`, before the action under test. */
  mark(): number;
  /** The first call after `after` (a mark taken before the action) that matches; earlier calls never do. */
  waitFor(
    predicate: (call: ConnectorCall) => boolean,
    options: { readonly after: number; readonly timeoutMs?: number },
  ): Promise<ConnectorCall>;
  close(): Promise<void>;
}

/**
 * A stand-in for the Teams Bot Connector on loopback: it accepts what botbuilder's ConnectorClient sends
 * (send, reply, update, delete, create conversation) and remembers it, so tests can see what a Teams
 * user would see.
 */
export async function startConnectorDouble(
  options: {
    /** false: only count what arrives (for load tests that send tens of thousands of cards). */
    readonly remember?: boolean;
  } = {},
): Promise<ConnectorDouble> {
  const remember = options.remember ?? true;
  let count = 0;
  const calls: ConnectorCall[] = [];
  const messages = new Map<string, Readonly<Record<string, unknown>>>();
  const created: Readonly<Record<string, unknown>>[] = [];
  const waiters: { predicate: (call: ConnectorCall) => boolean; resolve: (call: ConnectorCall) => void }[] =
    [];
  let next = 1;

  const record = (call: ConnectorCall) => {
    count += 1;
    if (!remember) return;
    calls.push(call);
    if (call.method !== 'DELETE') messages.set(call.activityId, call.activity);
    for (const waiter of [...waiters]) {
      if (waiter.predicate(call)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(call);
      }
    }
  };

  const server = http.createServer((req, res) => {
    let raw = '';
    req.on('data', (chunk: Buffer) => (raw += chunk.toString()));
    req.on('end', () => {
      const body = raw ? (JSON.parse(raw) as Record<string, unknown>) : {};
      const url = new URL(req.url ?? '/', 'http://localhost');
      const parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
      const reply = (status: number, payload: unknown) => {
        res.writeHead(status, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify(payload));
      };
      // /v3/conversations
      if (req.method === 'POST' && parts.length === 2 && parts[1] === 'conversations') {
        created.push(body);
        const id = `a:created-${next++}`;
        reply(201, { id, activityId: `created-activity-${next}` });
        return;
      }
      // /v3/conversations/{id}/activities[/{activityId}]
      if (parts[0] === 'v3' && parts[1] === 'conversations' && parts[2] && parts[3] === 'activities') {
        const conversationId = parts[2];
        if (req.method === 'POST') {
          const activityId = `activity-${next++}`;
          record({ method: 'POST', conversationId, activityId, activity: body, at: Date.now() });
          reply(200, { id: activityId });
          return;
        }
        if ((req.method === 'PUT' || req.method === 'DELETE') && parts[4]) {
          record({
            method: req.method,
            conversationId,
            activityId: parts[4],
            activity: body,
            at: Date.now(),
          });
          reply(200, { id: parts[4] });
          return;
        }
      }
      reply(404, { error: { code: 'NotFound', message: `No route for ${req.method} ${url.pathname}` } });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    serviceUrl: `http://127.0.0.1:${port}/`,
    calls,
    messages,
    created,
    get count() {
      return count;
    },
    mark: () => calls.length,
    waitFor(predicate, { after, timeoutMs = 10_000 }) {
      const found = calls.slice(after).find(predicate);
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const waiter = { predicate, resolve: (call: ConnectorCall) => (clearTimeout(timer), resolve(call)) };
        const timer = setTimeout(() => {
          waiters.splice(waiters.indexOf(waiter), 1);
          reject(new Error('The connector double saw no matching call in time'));
        }, timeoutMs);
        waiters.push(waiter);
      });
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
