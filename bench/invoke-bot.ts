/**
 * One bot process for bench/invoke.ts, run from compiled JavaScript:
 * - `full`: the product in local mode on its default store (SQLite in a temp folder);
 * - `floor`: a bare CloudAdapter bot that makes the one Graph PATCH each press needs, with a raw fetch to
 *   the same sandbox, and answers a fixed card: the least work the job needs;
 * - `bare`: a bare CloudAdapter bot that answers a fixed card and calls nothing;
 * - `http`: restify answering the same JSON without botbuilder: the HTTP limit.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as restify from 'restify';
import { ActivityHandler, CloudAdapter, ConfigurationBotFrameworkAuthentication } from 'botbuilder';
import type { InvokeResponse, TurnContext } from 'botbuilder';
import { startApp } from '../src/app';
import { LocalSandboxTokens } from '../src/auth';
import { loadConfig } from '../src/config';
import { createGovernanceClient } from '../src/graph';
import { silentLogger } from '../src/log';
import { openSqliteStore } from '../src/store';

const [mode, sandboxUrl = ''] = process.argv.slice(2);
const TENANT = '6d2b6a0e-7c1f-4f0e-9b8a-1a2b3c4d5e00';
const ALEX = '6d2b6a0e-7c1f-4f0e-9b8a-1a2b3c4d5e01';
const ACTING = { aadObjectId: ALEX, channelUserId: `29:${ALEX}`, name: 'Alex Wilber', tenantId: TENANT };

let peak = 0;
// rss() alone: the full memoryUsage() also walks the heap, a cost every 20 ms in every row.
const sample = () => (peak = Math.max(peak, process.memoryUsage.rss()));
setInterval(sample, 20).unref();

const FIXED_BODY = {
  statusCode: 200,
  type: 'application/vnd.microsoft.card.adaptive',
  value: {
    type: 'AdaptiveCard',
    version: '1.5',
    body: [{ type: 'TextBlock', text: 'Approved by you', weight: 'Bolder', color: 'Accent' }],
  },
};

class FixedCardBot extends ActivityHandler {
  constructor(private readonly patch: ((target: Record<string, string>) => Promise<void>) | null) {
    super();
  }

  protected override async onInvokeActivity(context: TurnContext): Promise<InvokeResponse> {
    if (this.patch) {
      const value = context.activity.value as { action?: { data?: { target?: Record<string, string> } } };
      await this.patch(value.action?.data?.target ?? {});
    }
    return { status: 200, body: FIXED_BODY };
  }
}

async function listen(server: restify.Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${server.address().port}`;
}

async function sandboxToken(): Promise<string> {
  const token = await new LocalSandboxTokens(TENANT).getToken(ACTING);
  if (token.kind !== 'token') throw new Error('no sandbox token');
  return token.token;
}

async function main(): Promise<string> {
  if (mode === 'http') {
    const server = restify.createServer();
    server.use(restify.plugins.bodyParser());
    server.post('/api/messages', (_req, res, next) => {
      res.send(200, FIXED_BODY);
      next();
    });
    return listen(server);
  }
  if (mode === 'bare' || mode === 'floor') {
    const adapter = new CloudAdapter(new ConfigurationBotFrameworkAuthentication({}));
    const token = mode === 'floor' ? await sandboxToken() : '';
    const bot = new FixedCardBot(
      mode === 'floor'
        ? async (target) => {
            const url = `${sandboxUrl}/v1.0/identityGovernance/entitlementManagement/accessPackageAssignmentApprovals/${target.approvalId}/stages/${target.stageId}`;
            const res = await fetch(url, {
              method: 'PATCH',
              headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
              body: JSON.stringify({ reviewResult: 'Approve', justification: 'Benchmark' }),
            });
            await res.arrayBuffer();
          }
        : null,
    );
    const server = restify.createServer();
    server.use(restify.plugins.bodyParser());
    server.post('/api/messages', async (req, res) =>
      adapter.process(req, res, (context) => bot.run(context)),
    );
    return listen(server);
  }
  // The product, on SQLite as it runs by default, knowing the cards the approver received.
  const directory = mkdtempSync(path.join(tmpdir(), 'approvals-bench-invoke-'));
  process.on('exit', () => rmSync(directory, { recursive: true, force: true }));
  const store = await openSqliteStore({ directory });
  const graph = createGovernanceClient({ cloud: 'Global', baseUrl: sandboxUrl }).asUser({
    token: await sandboxToken(),
    userId: ALEX,
  });
  const discovery = await graph.discoverPending(['accessPackage']);
  await store.putItems(discovery.items.map((item) => ({ item, approverId: ALEX })));
  const app = await startApp(
    loadConfig({ PORT: '0', STORE: 'sqlite', DATA_DIR: directory }),
    { log: silentLogger, tokens: new LocalSandboxTokens(TENANT), graphBaseUrl: sandboxUrl },
    { store },
  );
  return app.server.url;
}

void main().then((url) => {
  sample();
  const base = process.memoryUsage().rss;
  process.stdout.write(`READY ${url}\n`);
  // The CPU this process has used so far (µs), asked for around the measured presses.
  process.on('SIGUSR2', () => {
    const { user, system } = process.cpuUsage();
    process.stdout.write(`CPU ${user + system}\n`);
  });
  process.on('SIGTERM', () => {
    sample();
    process.stdout.write(
      `STATS ${JSON.stringify({ peakRssMb: peak / 1048576, baseRssMb: base / 1048576 })}\n`,
      () => process.exit(0),
    );
  });
});
