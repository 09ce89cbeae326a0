import type { Duplex } from 'node:stream';
import * as restify from 'restify';
import type { Activity, ActivityHandler } from 'botbuilder';
import type { Logger } from '../log';
import { throttledLog } from '../log';
import type { ActivityPolicy } from './activity-guard';
import { activityProblem } from './activity-guard';
import type { EdgeAdapter } from './edge-adapter';
import type { Refusal } from './edge';
import { errorBody, readJsonBody } from './edge';

export { EdgeAdapter } from './edge-adapter';
export type { ActivityPolicy } from './activity-guard';
export { activityProblem, serviceUrlAllowed } from './activity-guard';

/** A JSON POST endpoint of another capability (e.g. /api/notify), behind the same strict edge. */
export interface JsonRoute {
  readonly path: string;
  handle(request: {
    readonly headers: Readonly<Record<string, unknown>>;
    /** The raw body as received (UTF-8, already known to be JSON): signatures are checked over it. */
    readonly text: string;
  }): Promise<{ readonly status: number; readonly body: unknown }>;
}

export interface ServerDeps {
  readonly adapter: EdgeAdapter;
  readonly bot: Pick<ActivityHandler, 'run'>;
  readonly log: Logger;
  readonly port: number;
  readonly host: string;
  readonly maxBodyBytes: number;
  readonly policy: ActivityPolicy;
  /** Production: every activity must carry a valid Bot Framework JWT, checked once, before any handler. */
  readonly requireToken: boolean;
  readonly routes?: readonly JsonRoute[];
  /** /readyz: whether the parts a turn needs are usable now (the store, the token service configuration). */
  readonly readiness?: () => Promise<Readiness>;
}

/** What /readyz reports: each check by name, and whether all passed. */
export interface Readiness {
  readonly ready: boolean;
  readonly checks: Readonly<Record<string, 'ok' | string>>;
}

export interface RunningServer {
  readonly port: number;
  readonly url: string;
  close(): Promise<void>;
}

const PRIVACY =
  'Approvals for Microsoft Entra ID Governance keeps, per approver: where to post cards (Teams conversation ' +
  'references), the cards it posted, pending items it found, and an audit of decisions (who, what, when, result, ' +
  "Graph request id). It never stores Microsoft Graph tokens or the text of justifications. Ask your organisation's " +
  'administrator to remove your data.\n';
const TERMS =
  'This bot is operated by your organisation. Decisions you make through it are recorded in Microsoft Entra ID ' +
  'Governance under your own account, as if you had made them in My Access or the Azure portal.\n';

const UNAUTHORIZED: Refusal = {
  status: 401,
  code: 'Unauthorized',
  message: 'A valid Bot Framework token is required.',
};
const INTERNAL: Refusal = {
  status: 500,
  code: 'InternalServerError',
  message: 'The bot could not process this request.',
};
/** A compact JWS: three base64url parts. Anything else is refused without asking botbuilder. */
const BEARER = /^Bearer [\w-]+\.[\w-]+\.[\w-]*$/;
const MAX_AUTH_HEADER = 16 * 1024;
/** How long a request may take to arrive, headers and body together. */
const REQUEST_TIMEOUT_MS = 30_000;

function refuse(res: restify.Response, refusal: Refusal): void {
  // A refused body may not have been read to its end: the connection is not reused.
  if (refusal.status === 413) res.setHeader('connection', 'close');
  res.send(refusal.status, errorBody(refusal));
}

/** restify, and the one way in for activities: strict body, token checked once, activity validated. */
export async function startServer(deps: ServerDeps): Promise<RunningServer> {
  const server = restify.createServer({ name: 'governance-approvals-bot', handleUncaughtExceptions: false });
  const badToken = throttledLog(
    deps.log,
    'warn',
    'refused requests without a valid Bot Framework token',
    10_000,
  );
  const refused = throttledLog(deps.log, 'info', 'refused malformed requests', 10_000);

  // Liveness: the process answers. Cheap by design; /readyz asks the parts.
  server.get('/healthz', (_req, res, next) => {
    res.send(200, { status: 'ok' });
    next();
  });

  server.get('/readyz', async (_req, res) => {
    const readiness = deps.readiness ? await deps.readiness() : { ready: true, checks: {} };
    if (readiness.ready) res.send(200, { status: 'ready', checks: readiness.checks });
    else
      res.send(
        503,
        errorBody({
          code: 'NotReady',
          message: `Not ready: ${Object.entries(readiness.checks)
            .filter(([, v]) => v !== 'ok')
            .map(([k, v]) => `${k}: ${v}`)
            .join('; ')}`,
        }),
      );
  });

  server.post('/api/messages', async (req, res) => {
    const body = await readJsonBody(req, deps.maxBodyBytes);
    if (!body.ok) {
      refused({ status: body.refusal.status, path: '/api/messages' });
      refuse(res, body.refusal);
      return;
    }
    const activity = body.json as Activity;
    const authHeader = req.header('authorization') ?? '';
    if (deps.requireToken && (authHeader.length > MAX_AUTH_HEADER || !BEARER.test(authHeader))) {
      badToken({ reason: authHeader === '' ? 'missing' : 'malformed' });
      refuse(res, UNAUTHORIZED);
      return;
    }
    let authenticated: Awaited<ReturnType<EdgeAdapter['authenticate']>>;
    try {
      authenticated = await deps.adapter.authenticate(activity, authHeader);
    } catch {
      badToken({ reason: 'rejected' });
      refuse(res, UNAUTHORIZED);
      return;
    }
    const problem = activityProblem(activity, deps.policy);
    if (problem) {
      refused({ status: 400, path: '/api/messages', problem });
      refuse(res, { status: 400, code: 'BadRequest', message: problem });
      return;
    }
    try {
      const invoke = await deps.adapter.runTurn(authenticated, activity, (context) => deps.bot.run(context));
      if (invoke?.body === undefined) res.send(invoke?.status ?? 200);
      else res.send(invoke.status, invoke.body);
    } catch (error) {
      deps.log.error({ err: error, activityType: activity.type }, 'activity processing failed');
      if (!res.headersSent) refuse(res, INTERNAL);
    }
  });

  for (const route of deps.routes ?? []) {
    server.post(route.path, async (req, res) => {
      const body = await readJsonBody(req, deps.maxBodyBytes);
      if (!body.ok) {
        refused({ status: body.refusal.status, path: route.path });
        refuse(res, body.refusal);
        return;
      }
      try {
        const answer = await route.handle({ headers: req.headers, text: body.text });
        res.send(answer.status, answer.body);
      } catch (error) {
        deps.log.error({ err: error, path: route.path }, 'request failed');
        if (!res.headersSent) refuse(res, INTERNAL);
      }
    });
  }

  // The manifest's privacy and terms links point here unless real pages are configured.
  server.get('/privacy', (_req, res, next) => {
    res.setHeader('content-type', 'text/plain; charset=utf-8');
    res.sendRaw(200, PRIVACY);
    next();
  });
  server.get('/terms', (_req, res, next) => {
    res.setHeader('content-type', 'text/plain; charset=utf-8');
    res.sendRaw(200, TERMS);
    next();
  });

  // restify's own answers (unknown path, wrong method) take the one error shape and repeat nothing sent.
  const routeRefusal = (status: number, code: string, message: string) =>
    ((_req: restify.Request, res: restify.Response, _err: unknown, callback: () => void) => {
      res.send(status, errorBody({ code, message }));
      callback();
    }) as (...args: unknown[]) => void;
  server.on('NotFound', routeRefusal(404, 'NotFound', 'There is nothing at this address.'));
  server.on(
    'MethodNotAllowed',
    routeRefusal(405, 'MethodNotAllowed', 'This address does not take that method.'),
  );

  // A request Node cannot parse (bytes that are not HTTP, a raw non-ASCII path, too many headers) never
  // reaches restify: it is answered here, in the same shape, and the connection closed.
  server.server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => {
    if (!socket.writable) return;
    const tooLarge = error.code === 'HPE_HEADER_OVERFLOW';
    const [status, reason, refusal] = tooLarge
      ? [
          431,
          'Request Header Fields Too Large',
          { code: 'HeadersTooLarge', message: 'The request headers are too large.' },
        ]
      : [400, 'Bad Request', { code: 'BadRequest', message: 'The request is not valid HTTP.' }];
    const body = JSON.stringify(errorBody(refusal));
    socket.end(
      `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  });
  server.server.requestTimeout = REQUEST_TIMEOUT_MS;
  server.server.headersTimeout = REQUEST_TIMEOUT_MS / 3;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(deps.port, deps.host, () => resolve());
  });
  const address = server.address();
  const port = address.port;
  const shown = deps.host === '0.0.0.0' ? '127.0.0.1' : deps.host;
  deps.log.info({ port }, 'bot listening');
  return {
    port,
    url: `http://${shown}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Keep-alive sockets would hold close() open; end them.
        (server.server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
      }),
  };
}
