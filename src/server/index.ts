import * as restify from 'restify';
import type { CloudAdapter } from 'botbuilder';
import type { ActivityHandler } from 'botbuilder';
import type { Activity } from 'botbuilder';
import type { Logger } from '../log';
import { activityProblem } from './activity-guard';

export interface ServerDeps {
  readonly adapter: CloudAdapter;
  readonly bot: Pick<ActivityHandler, 'run'>;
  readonly log: Logger;
  readonly port: number;
  readonly host: string;
  readonly maxBodyBytes: number;
  /**
   * Checks the Bot Framework JWT of an inbound request (production). A request it refuses is answered 401
   * before any handler runs.
   */
  readonly authenticate?: (activity: Activity, authHeader: string) => Promise<void>;
  /** Extra routes mounted by other capabilities (e.g. /api/notify). */
  readonly mount?: (server: restify.Server) => void;
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

/** restify and the CloudAdapter; no business logic lives here. */
export async function startServer(deps: ServerDeps): Promise<RunningServer> {
  const server = restify.createServer({ name: 'governance-approvals-bot', handleUncaughtExceptions: false });
  server.use(
    restify.plugins.bodyParser({ maxBodySize: deps.maxBodyBytes, mapParams: false, rejectUnknown: true }),
  );

  server.get('/healthz', (_req, res, next) => {
    res.send(200, { status: 'ok' });
    next();
  });

  server.post('/api/messages', async (req, res) => {
    const problem = activityProblem(req.body);
    if (problem) {
      res.send(400, { error: { code: 'BadRequest', message: problem } });
      return;
    }
    if (deps.authenticate) {
      try {
        await deps.authenticate(req.body as Activity, req.header('authorization') ?? '');
      } catch {
        res.send(401, {
          error: { code: 'Unauthorized', message: 'A valid Bot Framework token is required.' },
        });
        return;
      }
    }
    try {
      await deps.adapter.process(req, res, (context) => deps.bot.run(context));
    } catch (error) {
      deps.log.error({ err: error }, 'activity processing failed');
      if (!res.headersSent) res.send(500, { error: 'The bot could not process this activity.' });
    }
  });

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

  deps.mount?.(server);

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
