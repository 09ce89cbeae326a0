import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startApp } from '../../src/app';
import type { App } from '../../src/app';
import { LocalSandboxTokens } from '../../src/auth';
import { loadConfig } from '../../src/config';
import { silentLogger } from '../../src/log';
import type { Logger } from '../../src/log';
import { startSandbox } from '../../src/sandbox';
import type { Sandbox, SandboxOptions } from '../../src/sandbox';
import { startConnectorDouble } from '../support/connector-double';
import type { ConnectorDouble } from '../support/connector-double';
import { teamsUser } from '../support/teams';
import { watchSandbox } from '../support/typed';
import type { TeamsUser } from '../support/teams';

export interface Stack {
  readonly sandbox: Sandbox;
  readonly connector: ConnectorDouble;
  readonly app: App;
  readonly botUrl: string;
  readonly alex: TeamsUser;
  readonly megan: TeamsUser;
  readonly lynne: TeamsUser;
  close(): Promise<void>;
}

/** The whole product in local mode, in-process: Graph sandbox, bot on an ephemeral port, a connector double. */
export async function startStack(
  env: Record<string, string> = {},
  options: { answerWithinMs?: number; log?: Logger; sandbox?: SandboxOptions } = {},
): Promise<Stack> {
  const sandbox = watchSandbox(await startSandbox({ tenant: 'demo', ...options.sandbox }));
  const connector = await startConnectorDouble();
  // SQLite in a temp folder, as the product runs by default, unless the suite asks for another store.
  const dataDir = env.STORE ? null : mkdtempSync(path.join(tmpdir(), 'approvals-bot-'));
  const config = loadConfig({
    PORT: '0',
    ...(dataDir ? { STORE: 'sqlite', DATA_DIR: dataDir } : {}),
    START_PLAYGROUND: 'false',
    PENDING_SUMMARY_THRESHOLD: '50',
    ...env,
  });
  const app = await startApp(
    config,
    {
      log: options.log ?? silentLogger,
      tokens: new LocalSandboxTokens(sandbox.tenantId),
      graphBaseUrl: sandbox.url,
    },
    options.answerWithinMs ? { answerWithinMs: options.answerWithinMs } : {},
  );
  const { alex, megan, lynne } = sandbox.users;
  return {
    sandbox,
    connector,
    app,
    botUrl: app.server.url,
    alex: teamsUser(alex.id, alex.displayName),
    megan: teamsUser(megan.id, megan.displayName),
    lynne: teamsUser(lynne.id, lynne.displayName),
    async close() {
      await app.close();
      await connector.close();
      await sandbox.close();
      if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export { cardOf, targetOf } from '../support/teams';
