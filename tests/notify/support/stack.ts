import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startApp } from '../../../src/app';
import type { App, AppOverrides } from '../../../src/app';
import { LocalSandboxTokens } from '../../../src/auth';
import { loadConfig } from '../../../src/config';
import { silentLogger } from '../../../src/log';
import type { Logger } from '../../../src/log';
import { startSandbox } from '../../../src/sandbox';
import { watchSandbox } from '../../support/typed';
import type { Sandbox, SandboxUser } from '../../../src/sandbox';
import { openSqliteStore } from '../../../src/store';
import type { Store, StoredReference } from '../../../src/store';
import { startRateLimitedConnector } from '../../support/rate-limited-connector';
import type { RateLimitedConnector, RateLimitedConnectorOptions } from '../../support/rate-limited-connector';
import { TENANT_ID, cardOf, targetOf, teamsUser } from '../../support/teams';
import type { TeamsUser } from '../../support/teams';

export const BOT = { id: '28:approvals-bot', name: 'Approvals' };

export interface NotifyStack {
  readonly sandbox: Sandbox;
  readonly connector: RateLimitedConnector;
  readonly app: App;
  readonly botUrl: string;
  readonly alex: TeamsUser;
  readonly megan: TeamsUser;
  readonly lynne: TeamsUser;
  readonly dataDir: string | null;
  close(): Promise<void>;
}

export interface NotifyStackOptions {
  readonly env?: Record<string, string>;
  readonly connector?: RateLimitedConnectorOptions;
  readonly notify?: AppOverrides['notify'];
  /** SQLite in a temp folder (removed on close), as the product runs by default; false for the memory store. */
  readonly sqlite?: boolean;
  readonly tenant?: 'demo' | 'empty';
  readonly log?: Logger;
}

/**
 * The product in local mode, in-process, for notify tests: the Graph sandbox, the bot on an ephemeral port,
 * and the rate-limiting connector double. No discovery schedule: tests run cycles themselves.
 */
export async function startNotifyStack(options: NotifyStackOptions = {}): Promise<NotifyStack> {
  const sandbox = watchSandbox(await startSandbox({ tenant: options.tenant ?? 'demo' }));
  const connector = await startRateLimitedConnector(options.connector);
  const dataDir = options.sqlite !== false ? mkdtempSync(path.join(tmpdir(), 'approvals-notify-')) : null;
  const config = loadConfig({
    PORT: '0',
    STORE: 'memory',
    START_PLAYGROUND: 'false',
    PENDING_SUMMARY_THRESHOLD: '50',
    NOTIFY_DISCOVERY_SECONDS: '0',
    ...options.env,
  });
  const store: Store | undefined = dataDir ? await openSqliteStore({ directory: dataDir }) : undefined;
  const app = await startApp(
    config,
    {
      log: options.log ?? silentLogger,
      tokens: new LocalSandboxTokens(sandbox.tenantId),
      graphBaseUrl: sandbox.url,
    },
    {
      ...(store ? { store } : {}),
      notify: { ...options.notify, worker: { pollMs: 50, backoffBaseMs: 200, ...options.notify?.worker } },
    },
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
    dataDir,
    async close() {
      await app.close();
      await connector.close();
      await sandbox.close();
      if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export function asTeamsUser(user: SandboxUser): TeamsUser {
  return teamsUser(user.id, user.displayName);
}

export function personalConversationId(user: TeamsUser): string {
  return `a:personal-${user.aadObjectId}`;
}

/** The reference the bot keeps after a user installed it in their 1:1 chat. */
export function personalReference(user: TeamsUser, serviceUrl: string): StoredReference {
  const conversationId = personalConversationId(user);
  return {
    key: `user:${user.aadObjectId.toLowerCase()}`,
    scope: 'personal',
    tenantId: TENANT_ID,
    userId: user.aadObjectId.toLowerCase(),
    userMri: user.mri,
    conversationId,
    reference: {
      user: { id: user.mri, name: user.name, aadObjectId: user.aadObjectId },
      bot: BOT,
      conversation: { id: conversationId, conversationType: 'personal', tenantId: TENANT_ID },
      channelId: 'msteams',
      serviceUrl,
    },
    updatedAt: new Date().toISOString(),
  };
}

export { cardOf, targetOf };

/** The approval or review decision id a card is about. */
export function cardItemId(activity: unknown): string | null {
  const target = targetOf(cardOf(activity));
  const id = target?.approvalId ?? target?.decisionId;
  return typeof id === 'string' ? id : null;
}

/** Polls `check` until it returns true, or fails after `timeoutMs`. */
export async function eventually(check: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const started = Date.now();
  for (;;) {
    if (await check()) return;
    if (Date.now() - started > timeoutMs) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** Waits until the outbox has nothing pending or in flight (retries and deferrals included). */
export async function drained(app: App, timeoutMs = 20_000): Promise<void> {
  await app.notifier.idle();
  await eventually(async () => {
    const counts = await app.store.outboxCounts();
    return counts.pending === 0 && counts.inflight === 0;
  }, timeoutMs);
  await app.notifier.idle();
}
