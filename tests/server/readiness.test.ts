import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startApp } from '../../src/app';
import type { App } from '../../src/app';
import { BotFrameworkTokens } from '../../src/auth';
import { loadConfig } from '../../src/config';
import { silentLogger } from '../../src/log';
import { startTokenServiceDouble } from '../support/token-service-double';
import type { TokenServiceDouble } from '../support/token-service-double';
import { startStack } from '../bot/harness';

/** /healthz says the process answers; /readyz asks the store and the bot's own app token. */
let double: TokenServiceDouble;
beforeAll(async () => {
  double = await startTokenServiceDouble();
});
afterAll(() => double.close());

async function get(url: string): Promise<{ status: number; body: unknown }> {
  const res = await fetch(url);
  return { status: res.status, body: await res.json() };
}

/** The app in production mode; its app token comes from the double's login endpoint, with `secret`. */
async function production(secret = double.appPassword): Promise<App> {
  const config = loadConfig({ ...double.settings, MicrosoftAppPassword: secret, PORT: '0', STORE: 'memory' });
  return startApp(
    config,
    {
      log: silentLogger,
      tokens: new BotFrameworkTokens({ connectionName: double.connectionName }),
      graphBaseUrl: null,
    },
    { credentialsFactory: double.credentialsWithSecret(secret) },
  );
}

it('is ready in local mode when the store answers', async () => {
  const stack = await startStack();
  try {
    expect(await get(`${stack.botUrl}/readyz`)).toEqual({
      status: 200,
      body: { status: 'ready', checks: { store: 'ok' } },
    });
    expect(await get(`${stack.botUrl}/healthz`)).toEqual({ status: 200, body: { status: 'ok' } });
  } finally {
    await stack.close();
  }
});

it('is ready in production once the bot gets its app token from the token service', async () => {
  const app = await production();
  try {
    expect(await get(`${app.server.url}/readyz`)).toEqual({
      status: 200,
      body: { status: 'ready', checks: { store: 'ok', tokenService: 'ok' } },
    });
  } finally {
    await app.close();
  }
});

it('is not ready with a secret the token service refuses, says which settings to check, and shows no secret', async () => {
  const wrong = 'not-the-secret-0123456789';
  const app = await production(wrong);
  try {
    const { status, body } = await get(`${app.server.url}/readyz`);
    expect(status).toBe(503);
    expect(body).toEqual({
      error: {
        code: 'NotReady',
        message: expect.stringMatching(
          /^Not ready: tokenService: the bot could not get its app token \(\w+\): check MicrosoftAppId/,
        ),
      },
    });
    expect(JSON.stringify(body)).not.toContain(wrong);
    // The process is alive all the same: liveness and readiness are different questions.
    expect((await get(`${app.server.url}/healthz`)).status).toBe(200);
  } finally {
    await app.close();
  }
});

it('is not ready when the store does not answer', async () => {
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'readyz-'));
  const stack = await startStack({ STORE: 'sqlite', DATA_DIR: directory });
  try {
    await stack.app.store.close();
    const { status, body } = await get(`${stack.botUrl}/readyz`);
    expect(status).toBe(503);
    expect(body).toMatchObject({
      error: { code: 'NotReady', message: expect.stringMatching(/^Not ready: store: /) },
    });
  } finally {
    await stack.close().catch(() => undefined);
    fs.rmSync(directory, { recursive: true, force: true });
  }
});
