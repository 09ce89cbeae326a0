/** One bot process for bench/invoke.ts: `full` (the product in local mode) or `bare` (fixed card). */
import * as restify from 'restify';
import { ActivityHandler, CloudAdapter, ConfigurationBotFrameworkAuthentication } from 'botbuilder';
import type { InvokeResponse, TurnContext } from 'botbuilder';
import { startApp } from '../src/app';
import { LocalSandboxTokens } from '../src/auth';
import { loadConfig } from '../src/config';
import { createGovernanceClient } from '../src/graph';
import { silentLogger } from '../src/log';
import { MemoryStore } from '../src/store';

const [mode, sandboxUrl] = process.argv.slice(2);
const TENANT = '6d2b6a0e-7c1f-4f0e-9b8a-1a2b3c4d5e00';
const ALEX = '6d2b6a0e-7c1f-4f0e-9b8a-1a2b3c4d5e01';

let peak = 0;
const sample = () => (peak = Math.max(peak, process.memoryUsage().rss));
setInterval(sample, 20).unref();

const FIXED_CARD = {
  type: 'AdaptiveCard',
  version: '1.5',
  body: [{ type: 'TextBlock', text: 'Approved by you', weight: 'Bolder', color: 'Good' }],
};

class FixedCardBot extends ActivityHandler {
  protected override async onInvokeActivity(_context: TurnContext): Promise<InvokeResponse> {
    return {
      status: 200,
      body: { statusCode: 200, type: 'application/vnd.microsoft.card.adaptive', value: FIXED_CARD },
    };
  }
}

async function main(): Promise<string> {
  if (mode === 'bare') {
    const adapter = new CloudAdapter(new ConfigurationBotFrameworkAuthentication({}));
    const bot = new FixedCardBot();
    const server = restify.createServer();
    server.use(restify.plugins.bodyParser());
    server.post('/api/messages', async (req, res) =>
      adapter.process(req, res, (context) => bot.run(context)),
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${server.address().port}`;
  }
  const tokens = new LocalSandboxTokens(TENANT);
  const store = new MemoryStore();
  // The cards the approver received: what the bot knows before anyone presses a button.
  const token = await tokens.getToken({
    aadObjectId: ALEX,
    channelUserId: `29:${ALEX}`,
    name: 'Alex Wilber',
    tenantId: TENANT,
  });
  if (token.kind !== 'token') throw new Error('no token');
  const graph = createGovernanceClient({ cloud: 'Global', baseUrl: sandboxUrl }).asUser({
    token: token.token,
    userId: ALEX,
  });
  const discovery = await graph.discoverPending(['accessPackage']);
  for (const item of discovery.items) await store.putItem(item, ALEX);
  const app = await startApp(
    loadConfig({ PORT: '0', STORE: 'memory' }),
    { log: silentLogger, tokens, graphBaseUrl: sandboxUrl ?? null },
    { store },
  );
  return app.server.url;
}

void main().then((url) => {
  sample();
  const base = process.memoryUsage().rss;
  process.stdout.write(`READY ${url}\n`);
  process.on('SIGTERM', () => {
    sample();
    process.stdout.write(
      `STATS ${JSON.stringify({ peakRssMb: peak / 1048576, baseRssMb: base / 1048576 })}\n`,
      () => process.exit(0),
    );
  });
});
