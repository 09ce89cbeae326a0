/**
 * What the notification benchmarks share: the bot on SQLite in a temp folder, the Graph sandbox and a
 * connector double that enforces Teams' limits, all in this process, and approvers with a 1:1 chat.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startApp } from '../src/app';
import type { App } from '../src/app';
import { LocalSandboxTokens } from '../src/auth';
import { loadConfig } from '../src/config';
import { createLogger } from '../src/log';
import { startSandbox } from '../src/sandbox';
import type { Sandbox } from '../src/sandbox';
import { startRateLimitedConnector } from '../tests/support/rate-limited-connector';
import type { RateLimitedConnector } from '../tests/support/rate-limited-connector';
import { TENANT_ID, teamsUser } from '../tests/support/teams';

export interface Stack {
  readonly sandbox: Sandbox;
  readonly connector: RateLimitedConnector;
  readonly app: App;
  close(): Promise<void>;
}

export function temp(prefix: string): string {
  return mkdtempSync(path.join(tmpdir(), prefix));
}

export async function startStack(): Promise<Stack> {
  const sandbox = await startSandbox({ tenant: 'empty' });
  const connector = await startRateLimitedConnector();
  const dataDir = temp('approvals-bench-');
  const app = await startApp(
    loadConfig({
      PORT: '0',
      STORE: 'sqlite',
      DATA_DIR: dataDir,
      START_PLAYGROUND: 'false',
      NOTIFY_DISCOVERY_SECONDS: '0',
    }),
    {
      log: createLogger({ level: 'silent' }),
      tokens: new LocalSandboxTokens(sandbox.tenantId),
      graphBaseUrl: sandbox.url,
    },
    { notify: { discoveryConcurrency: Number(process.env.BENCH_DISCOVERY_CONCURRENCY ?? 16) } },
  );
  return {
    sandbox,
    connector,
    app,
    async close() {
      await app.close();
      await connector.close();
      await sandbox.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** A sandbox user who has the app in a 1:1 chat (`a:personal-{n}`); returns their Entra id and chat. */
export async function seedApprover(stack: Stack, n: number): Promise<{ id: string; conversationId: string }> {
  const approver = stack.sandbox.seed.user({ displayName: `Approver ${n}` });
  const user = teamsUser(approver.id, approver.displayName);
  const conversationId = `a:personal-${n}`;
  await stack.app.store.saveReference({
    key: `user:${approver.id.toLowerCase()}`,
    scope: 'personal',
    tenantId: TENANT_ID,
    userId: approver.id.toLowerCase(),
    userMri: user.mri,
    conversationId,
    reference: {
      user: { id: user.mri, name: user.name, aadObjectId: approver.id },
      bot: { id: '28:approvals-bot', name: 'Approvals' },
      conversation: { id: conversationId, conversationType: 'personal', tenantId: TENANT_ID },
      channelId: 'msteams',
      serviceUrl: stack.connector.serviceUrl,
    },
    updatedAt: new Date().toISOString(),
  });
  return { id: approver.id, conversationId };
}

/** A new access package request waiting on one approver; its item key. */
export function seedRequest(
  stack: Stack,
  approverId: string,
  n: number,
): { key: string; approvalId: string } {
  const seeded = stack.sandbox.seed.accessPackageRequest({
    requestor: stack.sandbox.users.lynne.id,
    accessPackage: { displayName: `Access package ${n % 50}` },
    stages: [{ approvers: [approverId] }],
  });
  return {
    key: `accessPackage:${seeded.approvalId}:${seeded.stageIds[0] ?? ''}`,
    approvalId: seeded.approvalId,
  };
}

export async function waitUntil(check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const started = Date.now();
  while (!(await check())) {
    if (Date.now() - started > timeoutMs) throw new Error(`not done within ${timeoutMs / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** CPU time (user + system) of this process since `from`, in ms. */
export function cpuMs(from: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(from);
  return (used.user + used.system) / 1000;
}
