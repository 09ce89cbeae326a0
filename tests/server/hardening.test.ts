import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { Writable } from 'node:stream';
import { ConfigurationBotFrameworkAuthentication } from 'botbuilder';
import { startApp } from '../../src/app';
import type { App } from '../../src/app';
import { BotFrameworkTokens } from '../../src/auth';
import { loadConfig } from '../../src/config';
import { createLogger } from '../../src/log';
import { MemoryStore } from '../../src/store';
import { DEMO_IDS } from '../../src/sandbox';
import { startTokenServiceDouble } from '../support/token-service-double';
import type { TokenServiceDouble } from '../support/token-service-double';
import { startConnectorDouble } from '../support/connector-double';
import { cardAction, messageActivity, post } from '../support/teams';
import { startStack } from '../bot/harness';

const ROOT = path.resolve(__dirname, '..', '..');

describe('with a MicrosoftAppId configured', () => {
  const user = { aadObjectId: '6d2b6a0e-7c1f-4f0e-9b8a-1a2b3c4d5e01', mri: '29:alex', name: 'Alex Wilber' };
  let double: TokenServiceDouble;
  let app: App;
  let store: MemoryStore;

  beforeAll(async () => {
    double = await startTokenServiceDouble();
    store = new MemoryStore();
    const config = loadConfig({ ...double.settings, PORT: '0', STORE: 'memory', START_PLAYGROUND: 'false' });
    app = await startApp(
      config,
      {
        log: createLogger({ level: 'silent' }),
        tokens: new BotFrameworkTokens({ connectionName: double.connectionName }),
        graphBaseUrl: null,
      },
      { store, credentialsFactory: double.credentialsFactory },
    );
  });
  afterAll(async () => {
    await app.close();
    await double.close();
  });

  it('refuses an unsigned POST to /api/messages before any handler runs', async () => {
    const connector = await startConnectorDouble();
    try {
      const res = await post(
        app.server.url,
        messageActivity({ serviceUrl: connector.serviceUrl }, user, 'help'),
      );
      expect(res.status).toBe(401);
      // No handler ran: no conversation was remembered and nothing was sent.
      expect(await store.getReference(`user:${user.aadObjectId}`)).toBeNull();
      expect(connector.calls).toHaveLength(0);
    } finally {
      await connector.close();
    }
  });

  it('refuses a token signed with a key the Bot Framework does not publish, with 401 and not 500', async () => {
    const connector = await startConnectorDouble();
    try {
      const jwt = double.signActivityJwt(double.appId, connector.serviceUrl, { foreignKey: true });
      const res = await post(
        app.server.url,
        messageActivity({ serviceUrl: connector.serviceUrl }, user, 'help'),
        { Authorization: `Bearer ${jwt}` },
      );
      expect(res.status).toBe(401);
      expect(connector.calls).toHaveLength(0);
    } finally {
      await connector.close();
    }
  });

  it('accepts a properly signed activity', async () => {
    const connector = await startConnectorDouble();
    try {
      const jwt = double.signActivityJwt(double.appId, connector.serviceUrl);
      const res = await post(
        app.server.url,
        messageActivity({ serviceUrl: connector.serviceUrl }, user, 'help'),
        { Authorization: `Bearer ${jwt}` },
      );
      expect(res.status).toBeLessThan(300);
      expect(await store.getReference(`user:${user.aadObjectId}`)).not.toBeNull();
    } finally {
      await connector.close();
    }
  });

  it('checks the token once per request, not again inside the adapter', async () => {
    const connector = await startConnectorDouble();
    const checks = jest.spyOn(ConfigurationBotFrameworkAuthentication.prototype, 'authenticateRequest');
    try {
      const jwt = double.signActivityJwt(double.appId, connector.serviceUrl);
      for (let i = 0; i < 3; i++) {
        const res = await post(
          app.server.url,
          messageActivity({ serviceUrl: connector.serviceUrl }, user, 'help'),
          { Authorization: `Bearer ${jwt}` },
        );
        expect(res.status).toBeLessThan(300);
      }
      expect(checks).toHaveBeenCalledTimes(3);
      // Not even asked for a header that is not a JWT at all.
      await post(app.server.url, messageActivity({ serviceUrl: connector.serviceUrl }, user, 'help'), {
        Authorization: 'Bearer nonsense',
      });
      expect(checks).toHaveBeenCalledTimes(3);
    } finally {
      checks.mockRestore();
      await connector.close();
    }
  });
});

describe('starting in production', () => {
  it('refuses to start without Bot Framework credentials and names what is missing', () => {
    const run = spawnSync(
      process.execPath,
      ['-r', 'ts-node/register/transpile-only', path.join(ROOT, 'src', 'main.ts')],
      {
        cwd: ROOT,
        env: {
          PATH: process.env.PATH,
          NODE_ENV: 'production',
          TS_NODE_PROJECT: path.join(ROOT, 'tsconfig.json'),
        },
        encoding: 'utf8',
        timeout: 30_000,
      },
    );
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/MicrosoftAppId is required in production/);
  });
});

describe('in a channel', () => {
  it("writes each press with the pressing user's own token", async () => {
    const stack = await startStack();
    try {
      const channel = {
        serviceUrl: stack.connector.serviceUrl,
        channelId: '19:iam-approvals@thread.tacv2',
        conversationId: '19:iam-approvals@thread.tacv2;messageid=42',
      };
      const approvalId = DEMO_IDS.accessPackage.financeSharedStage;
      const stageId = stack.sandbox.state.approval(approvalId)?.stages[0]?.id as string;
      const target = { kind: 'accessPackage', approvalId, stageId, api: 'v1.0' };
      // The item is known to the bot, and both approvers are known to it (each saw it in their chat), so
      // both presses go to Graph.
      for (const approver of [stack.alex, stack.megan])
        await post(
          stack.botUrl,
          messageActivity({ serviceUrl: stack.connector.serviceUrl }, approver, 'pending'),
        );

      const [a, m] = await Promise.all([
        post(
          stack.botUrl,
          cardAction(channel, stack.alex, { verb: 'approve', data: { verb: 'approve', target, rev: 1 } }),
        ),
        post(
          stack.botUrl,
          cardAction(channel, stack.megan, {
            verb: 'deny',
            data: { verb: 'deny', target, rev: 1, justification: 'Not this quarter' },
          }),
        ),
      ]);
      expect([a.status, m.status]).toEqual([200, 200]);
      const patches = stack.sandbox.requests.filter(
        (r) => r.method === 'PATCH' && r.path.includes(approvalId),
      );
      expect(new Set(patches.map((p) => p.callerId))).toEqual(
        new Set([stack.alex.aadObjectId, stack.megan.aadObjectId]),
      );
      const alexPatch = patches.find((p) => p.callerId === stack.alex.aadObjectId);
      const meganPatch = patches.find((p) => p.callerId === stack.megan.aadObjectId);
      expect(alexPatch?.body).toMatchObject({ reviewResult: 'Approve' });
      expect(meganPatch?.body).toMatchObject({ reviewResult: 'Deny', justification: 'Not this quarter' });
      expect([alexPatch?.status, meganPatch?.status].sort()).toEqual([204, 409]);
    } finally {
      await stack.close();
    }
  });
});

describe('logs', () => {
  it('never contain a token during a full decide flow', async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const stack = await startStack({}, { log: createLogger({ level: 'trace', destination: sink }) });
    try {
      const personal = { serviceUrl: stack.connector.serviceUrl };
      await post(stack.botUrl, messageActivity(personal, stack.alex, 'pending'));
      const approvalId = DEMO_IDS.accessPackage.buildAgentsDuration;
      const stageId = stack.sandbox.state.approval(approvalId)?.stages[0]?.id as string;
      const res = await post(
        stack.botUrl,
        cardAction(personal, stack.alex, {
          verb: 'approve',
          data: {
            verb: 'approve',
            target: { kind: 'accessPackage', approvalId, stageId, api: 'v1.0' },
            rev: 1,
            justification: 'Secret project name',
          },
        }),
      );
      expect(res.status).toBe(200);
      await stack.app.bot.idle();
      const log = lines.join('');
      expect(log).toContain('decision attempt'); // the flow was logged
      const token = stack.sandbox.tokenFor(stack.alex.aadObjectId);
      const payload = token.split('.')[1] as string;
      expect(log).not.toContain(payload.slice(0, 40));
      expect(log).not.toMatch(/eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}/);
      expect(log).not.toMatch(/Bearer /i);
      expect(log).not.toContain('Secret project name');
    } finally {
      await stack.close();
    }
  });
});
