import http from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startSandbox } from '../../src/sandbox';
import type { Sandbox } from '../../src/sandbox';
import { startBotChild } from '../support/bot-child';
import type { BotChild } from '../support/bot-child';
import { startConnectorDouble } from '../support/connector-double';
import type { ConnectorDouble } from '../support/connector-double';
import { installActivity, teamsUser } from '../support/teams';

/**
 * Nothing the bot keeps in memory grows with the number of conversations it has seen: 20,000 installs
 * from distinct conversations (the bot greets each one) leave the heap, after garbage collection, within
 * 10 MB of where it started. The real entry point runs in its own process on its default SQLite store.
 */

const INSTALLS = Number(process.env.INSTALLS ?? 20_000);
const MB = 1024 * 1024;

let sandbox: Sandbox;
let connector: ConnectorDouble;
let bot: BotChild;
let dataDir: string;

beforeAll(async () => {
  sandbox = await startSandbox({ tenant: 'empty' });
  connector = await startConnectorDouble({ remember: false });
  dataDir = mkdtempSync(path.join(tmpdir(), 'approvals-memory-'));
  bot = await startBotChild({ GRAPH_BASE_URL: sandbox.url, DATA_DIR: dataDir }, { heapProbe: true });
}, 60_000);

afterAll(async () => {
  await bot?.stop();
  await connector?.close();
  await sandbox?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

function post(agent: http.Agent, body: string): Promise<number> {
  const url = new URL(bot.url);
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: url.hostname,
        port: url.port,
        method: 'POST',
        path: '/api/messages',
        agent,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

it(`[long] keeps its heap within 10 MB after ${INSTALLS.toLocaleString('en')} installs from distinct conversations`, async () => {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });
  const install = (n: number) => {
    const user = teamsUser(`6d2b6a0e-7c1f-4f0e-9b8a-${String(n).padStart(12, '0')}`, `Member ${n}`);
    return JSON.stringify(
      installActivity({ serviceUrl: connector.serviceUrl, conversationId: `19:group-${n}@thread.v2` }, user),
    );
  };
  // Warm up: the code paths are loaded and compiled before the baseline is taken.
  for (let n = 0; n < 500; n++) expect(await post(agent, install(INSTALLS + n))).toBe(200);
  const before = await bot.heapAfterGc();
  const started = Date.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      while (next < INSTALLS) {
        const n = next++;
        const status = await post(agent, install(n));
        if (status !== 200) throw new Error(`install ${n} answered ${status}`);
      }
    }),
  );
  agent.destroy();
  const after = await bot.heapAfterGc();
  const greeted = connector.count;
  process.stdout.write(
    `bounded memory: ${INSTALLS} installs in ${((Date.now() - started) / 1000).toFixed(1)} s, ` +
      `${greeted} greetings sent; heap after GC ${(before / MB).toFixed(1)} MB → ${(after / MB).toFixed(1)} MB\n`,
  );
  expect(greeted).toBeGreaterThanOrEqual(INSTALLS);
  expect(after - before).toBeLessThan(10 * MB);
  expect(bot.exited).toBe(false);
  // Installs are not news: the log did not grow with them either.
  expect(bot.lines.length).toBeLessThan(50);
}, 240_000);
