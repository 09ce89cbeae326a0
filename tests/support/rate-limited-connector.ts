import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request the double answered. */
export interface ConnectorRequest {
  readonly method: 'POST' | 'PUT' | 'CREATE';
  readonly conversationId: string;
  /** The id given (POST), updated (PUT), or the new conversation's (CREATE). */
  readonly activityId: string;
  readonly activity: Readonly<Record<string, unknown>>;
  readonly status: number;
  readonly at: number;
}

export interface Window {
  readonly limit: number;
  readonly windowMs: number;
}

export interface ConnectorLimits {
  readonly conversation: readonly Window[];
  readonly tenant: readonly Window[];
}

/** Teams' published limits for a bot (teams-platform.md §4.1). */
export const TEAMS_CONNECTOR_LIMITS: ConnectorLimits = {
  conversation: [
    { limit: 7, windowMs: 1000 },
    { limit: 8, windowMs: 2000 },
    { limit: 60, windowMs: 30_000 },
    { limit: 1800, windowMs: 3_600_000 },
  ],
  tenant: [{ limit: 50, windowMs: 1000 }],
};

export interface RateLimitedConnectorOptions {
  /** null: no limits at all (a plain connector). */
  readonly limits?: ConnectorLimits | null;
  /** Added before every answer, so that requests overlap as they do over a real network. */
  readonly latencyMs?: number;
}

export interface RateLimitedConnector {
  readonly serviceUrl: string;
  /** Every answered request, 429s included, in the order answered. */
  readonly requests: readonly ConnectorRequest[];
  /** The latest version of every message, by activity id. */
  readonly messages: ReadonlyMap<string, Readonly<Record<string, unknown>>>;
  /** 429s answered. */
  readonly throttled: number;
  /** Requests received and not yet answered, now and at most. */
  readonly open: number;
  readonly maxOpen: number;
  /** Accepted sends (POST) per conversation. */
  sendsTo(conversationId: string): readonly ConnectorRequest[];
  /** Every send to this conversation answers 404 ConversationNotFound (a deleted 1:1). */
  loseConversation(conversationId: string): void;
  /** Sends to this conversation, and creating a chat with this user, answer 403 MessageWritesBlocked. */
  block(conversationIdOrUserId: string): void;
  unblock(conversationIdOrUserId: string): void;
  /** The members GET /v3/conversations/{id}/pagedmembers lists (two per page, to exercise paging). */
  setMembers(conversationId: string, members: readonly Readonly<Record<string, unknown>>[]): void;
  /** The next `count` requests answer `status` (502, 503, 504, 412). */
  failNext(count: number, status: number): void;
  waitFor(predicate: (r: ConnectorRequest) => boolean, timeoutMs?: number): Promise<ConnectorRequest>;
  close(): Promise<void>;
}

type Json = Record<string, unknown>;

function tenantOf(body: Json): string {
  const conversation = body.conversation as { tenantId?: unknown } | undefined;
  const channelData = body.channelData as { tenant?: { id?: unknown } } | undefined;
  const tenant = conversation?.tenantId ?? body.tenantId ?? channelData?.tenant?.id;
  return typeof tenant === 'string' ? tenant : 'default';
}

/**
 * A Bot Connector stand-in on loopback that enforces Teams' rate limits the strict way (sliding windows
 * over arrival times, per conversation and per tenant) and answers 429 with Retry-After past them, as the
 * real service does. It also plays the failures the outbox must survive: ConversationNotFound,
 * MessageWritesBlocked and transient 5xx/412.
 */
export async function startRateLimitedConnector(
  options: RateLimitedConnectorOptions = {},
): Promise<RateLimitedConnector> {
  const limits = options.limits === undefined ? TEAMS_CONNECTOR_LIMITS : options.limits;
  const requests: ConnectorRequest[] = [];
  const messages = new Map<string, Readonly<Json>>();
  const arrivals = new Map<string, number[]>();
  const lost = new Set<string>();
  const blocked = new Set<string>();
  const failures: number[] = [];
  const rosters = new Map<string, readonly Readonly<Json>[]>();
  const waiters: { predicate: (r: ConnectorRequest) => boolean; resolve: (r: ConnectorRequest) => void }[] =
    [];
  let throttled = 0;
  let open = 0;
  let maxOpen = 0;
  let next = 1;

  const record = (request: ConnectorRequest) => {
    requests.push(request);
    for (const waiter of [...waiters]) {
      if (waiter.predicate(request)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(request);
      }
    }
  };

  /** Seconds until a request would fit every window, or 0 when it fits now (and is then counted). */
  const admit = (keys: readonly (readonly [string, readonly Window[]])[], now: number): number => {
    let waitMs = 0;
    for (const [key, windows] of keys) {
      const times = arrivals.get(key) ?? [];
      for (const w of windows) {
        const inside = times.filter((t) => t > now - w.windowMs);
        if (inside.length >= w.limit) {
          const oldest = inside[inside.length - w.limit] ?? now;
          waitMs = Math.max(waitMs, oldest + w.windowMs - now);
        }
      }
    }
    if (waitMs > 0) return Math.max(1, Math.ceil(waitMs / 1000));
    for (const [key, windows] of keys) {
      const longest = Math.max(...windows.map((w) => w.windowMs));
      const times = (arrivals.get(key) ?? []).filter((t) => t > now - longest);
      times.push(now);
      arrivals.set(key, times);
    }
    return 0;
  };

  const server = http.createServer((req, res) => {
    open += 1;
    maxOpen = Math.max(maxOpen, open);
    let raw = '';
    req.on('data', (chunk: Buffer) => (raw += chunk.toString()));
    req.on('end', () => {
      const arrived = Date.now();
      const answer = (status: number, payload: unknown, headers: Record<string, string> = {}) => {
        const send = () => {
          open -= 1;
          res.writeHead(status, { 'Content-Type': 'application/json', ...headers });
          res.end(JSON.stringify(payload));
        };
        if (options.latencyMs) setTimeout(send, options.latencyMs);
        else send();
      };
      const error = (status: number, code: string, message: string, extra: Json = {}) => ({
        error: { code, message, ...extra },
      });
      let body: Json = {};
      try {
        body = raw ? (JSON.parse(raw) as Json) : {};
      } catch {
        answer(400, error(400, 'BadArgument', 'Malformed JSON'));
        return;
      }
      const url = new URL(req.url ?? '/', 'http://localhost');
      const parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
      if (req.method === 'GET' && parts[1] === 'conversations' && parts[3] === 'pagedmembers') {
        const all = rosters.get(parts[2] ?? '') ?? [];
        const from = Number(url.searchParams.get('continuationToken') ?? '0');
        const next = from + 2 < all.length ? String(from + 2) : undefined;
        answer(200, { members: all.slice(from, from + 2), ...(next ? { continuationToken: next } : {}) });
        return;
      }
      const isCreate = req.method === 'POST' && parts.length === 2 && parts[1] === 'conversations';
      const isActivity =
        parts[0] === 'v3' && parts[1] === 'conversations' && !!parts[2] && parts[3] === 'activities';
      if (!isCreate && !(isActivity && (req.method === 'POST' || (req.method === 'PUT' && parts[4])))) {
        answer(404, error(404, 'NotFound', `No route for ${req.method} ${url.pathname}`));
        return;
      }
      const method: ConnectorRequest['method'] = isCreate ? 'CREATE' : req.method === 'PUT' ? 'PUT' : 'POST';
      const members = (body.members as { id?: unknown }[] | undefined) ?? [];
      const conversationId = isCreate ? `create:${String(members[0]?.id ?? '')}` : (parts[2] ?? '');
      const settle = (
        status: number,
        activityId: string,
        payload: unknown,
        headers: Record<string, string> = {},
      ) => {
        record({ method, conversationId, activityId, activity: body, status, at: arrived });
        answer(status, payload, headers);
      };

      const failure = failures.shift();
      if (failure !== undefined) {
        settle(failure, '', error(failure, 'ServiceError', `Injected ${failure}`));
        return;
      }
      if (limits) {
        const tenant = tenantOf(body);
        const retryAfter = admit(
          [
            [`conversation:${conversationId}`, limits.conversation],
            [`tenant:${tenant}`, limits.tenant],
          ],
          arrived,
        );
        if (retryAfter > 0) {
          throttled += 1;
          settle(429, '', error(429, 'Throttled', 'Too many requests'), {
            'Retry-After': String(retryAfter),
          });
          return;
        }
      }
      if (isCreate) {
        if (members.some((m) => typeof m.id === 'string' && blocked.has(m.id))) {
          settle(403, '', error(403, 'Forbidden', 'Thread is blocked', { subCode: 'MessageWritesBlocked' }));
          return;
        }
        const id = `a:created-${next++}`;
        settle(201, id, { id });
        return;
      }
      if (blocked.has(conversationId)) {
        settle(403, '', error(403, 'Forbidden', 'Thread is blocked', { subCode: 'MessageWritesBlocked' }));
        return;
      }
      if (lost.has(conversationId)) {
        settle(404, '', error(404, 'ConversationNotFound', 'Conversation not found.'));
        return;
      }
      if (method === 'POST') {
        const activityId = `activity-${next++}`;
        messages.set(activityId, body);
        settle(200, activityId, { id: activityId });
        return;
      }
      const activityId = parts[4] ?? '';
      if (!messages.has(activityId)) {
        settle(404, activityId, error(404, 'ActivityNotFoundInConversation', 'Unknown activity'));
        return;
      }
      messages.set(activityId, body);
      settle(200, activityId, { id: activityId });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    serviceUrl: `http://127.0.0.1:${port}/`,
    requests,
    messages,
    get throttled() {
      return throttled;
    },
    get open() {
      return open;
    },
    get maxOpen() {
      return maxOpen;
    },
    sendsTo: (conversationId) =>
      requests.filter((r) => r.method === 'POST' && r.status === 200 && r.conversationId === conversationId),
    loseConversation: (id) => lost.add(id),
    block: (id) => blocked.add(id),
    unblock: (id) => blocked.delete(id),
    setMembers: (conversationId, list) => rosters.set(conversationId, list),
    failNext: (count, status) => {
      for (let i = 0; i < count; i++) failures.push(status);
    },
    waitFor(predicate, timeoutMs = 10_000) {
      const found = requests.find(predicate);
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const waiter = {
          predicate,
          resolve: (r: ConnectorRequest) => {
            clearTimeout(timer);
            resolve(r);
          },
        };
        const timer = setTimeout(() => {
          waiters.splice(waiters.indexOf(waiter), 1);
          reject(new Error('The connector double saw no matching request in time'));
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

/** The most of `times` (sorted, ms) that any window of `windowMs` holds, counted as the double counts. */
export function busiestWindow(times: readonly number[], windowMs: number): number {
  let most = 0;
  let start = 0;
  for (let end = 0; end < times.length; end++) {
    while ((times[end] as number) - (times[start] as number) >= windowMs) start++;
    most = Math.max(most, end - start + 1);
  }
  return most;
}
