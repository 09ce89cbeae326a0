import fs from 'node:fs';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { DEMO_IDS, DEMO_USERS } from '../../src/sandbox';
import { startBotChild } from '../support/bot-child';
import { startConnectorDouble } from '../support/connector-double';
import type { ConnectorDouble } from '../support/connector-double';
import { cardAction, cardOf, installActivity, post, targetOf, teamsUser } from '../support/teams';

/** Local mode as a newcomer meets it (src/main.ts in its own process): a second copy, and a restart. */
let connector: ConnectorDouble;
let directory: string;
beforeAll(async () => {
  connector = await startConnectorDouble();
  directory = fs.mkdtempSync(path.join(os.tmpdir(), 'local-mode-'));
});
afterAll(async () => {
  await connector.close();
  fs.rmSync(directory, { recursive: true, force: true });
});

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

it('says in one line which port is busy and which setting to change, and exits with 2', async () => {
  const busy = net.createServer();
  await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
  const { port } = busy.address() as AddressInfo;
  try {
    const started = startBotChild({ SANDBOX_PORT: String(port), DATA_DIR: directory });
    const error = await started.then(
      () => null,
      (e: unknown) => e as Error,
    );
    expect(error?.message).toContain('the bot exited (2)');
    const said = (error?.message ?? '')
      .split('\n')
      .filter((l) => l.trim() !== '' && !l.startsWith('the bot exited'));
    expect(said).toEqual([
      `Port ${port} is already in use (SANDBOX_PORT): another copy of the bot may be running. Stop it, or set SANDBOX_PORT to a free port.`,
    ]);
  } finally {
    await new Promise((resolve) => busy.close(resolve));
  }
});

it('starts over with a fresh demo tenant and a fresh store, so a restart shows the same cards again', async () => {
  const alex = teamsUser(DEMO_USERS.alex.id, 'Alex Wilber');
  const where = { serviceUrl: connector.serviceUrl };
  const sandboxPort = String(await freePort());

  const cardsOnInstall = async (url: string) => {
    const before = connector.calls.length;
    await post(url, installActivity(where, alex));
    await new Promise((resolve) => setTimeout(resolve, 1500));
    return connector.calls
      .slice(before)
      .map((c) => targetOf(cardOf(c.activity)))
      .filter((t) => t !== null);
  };

  const first = await startBotChild({
    SANDBOX_PORT: sandboxPort,
    DATA_DIR: directory,
    PENDING_SUMMARY_THRESHOLD: '50',
  });
  let before: unknown[];
  try {
    before = await cardsOnInstall(first.url);
    expect(before.length).toBeGreaterThan(5);
    const target = before.find(
      (t) => (t as { approvalId?: string }).approvalId === DEMO_IDS.accessPackage.marketingTwoStage,
    );
    const res = await post(
      first.url,
      cardAction(where, alex, { verb: 'approve', data: { verb: 'approve', target, rev: 1 } }),
    );
    expect(res.status).toBe(200);
    expect(first.lines.some((l) => l.includes('a fresh demo tenant and a fresh local store'))).toBe(true);
  } finally {
    await first.stop();
  }

  const second = await startBotChild({
    SANDBOX_PORT: sandboxPort,
    DATA_DIR: directory,
    PENDING_SUMMARY_THRESHOLD: '50',
  });
  try {
    const after = await cardsOnInstall(second.url);
    expect(after).toHaveLength(before.length);
  } finally {
    await second.stop();
  }
}, 90_000);
