import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { ConfigError, loadConfig } from './config';
import type { Config } from './config';
import { bridgeConsole, createLogger } from './log';
import type { Logger } from './log';
import { BotFrameworkTokens, LocalSandboxTokens } from './auth';
import { DEMO_TENANT_ID, startSandbox } from './sandbox';
import { startApp } from './app';
import { StoreError } from './store';

/** A port another process holds, with the setting that chose it. */
class PortBusy extends Error {
  constructor(
    readonly port: number,
    readonly setting: string,
  ) {
    super(`port ${port} is busy`);
  }
}

/** Fails with PortBusy when something already listens on `port` (0 asks the OS for a free one: never busy). */
async function ensureFree(port: number, host: string, setting: string): Promise<void> {
  if (port === 0) return;
  await new Promise<void>((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', (error: NodeJS.ErrnoException) =>
      reject(error.code === 'EADDRINUSE' ? new PortBusy(port, setting) : error),
    );
    probe.listen(port, host, () => probe.close(() => resolve()));
  });
}

/** Starts the Agents Playground (a local Teams client and connector) pointed at our bot. */
function startPlayground(config: Config, botUrl: string, log: Logger): ChildProcess {
  const root = path.resolve(__dirname, '..', '..');
  const cli = require.resolve('@microsoft/m365agentsplayground/cli.js', { paths: [root, process.cwd()] });
  const child = spawn(
    process.execPath,
    [
      cli,
      'start',
      '--disable-telemetry',
      '-p',
      String(config.playground.port),
      '-e',
      `${botUrl}/api/messages`,
    ],
    {
      cwd: root,
      env: {
        ...process.env,
        TEAMSAPPTESTER_BROWSER: 'none',
        M365_AGENTS_PLAYGROUND_LOGFILE: path.join(root, 'devTools', 'playground.log'),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  child.stdout?.on('data', (chunk: Buffer) =>
    log.debug({ playground: chunk.toString().trim() }, 'playground'),
  );
  child.stderr?.on('data', (chunk: Buffer) =>
    log.debug({ playground: chunk.toString().trim() }, 'playground'),
  );
  child.on('exit', (code) => log.info({ code }, 'Agents Playground stopped'));
  return child;
}

async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n\nSee README.md, "Configuration", for every setting.\n`);
      process.exit(2);
    }
    throw error;
  }
  const log = createLogger({ level: config.logLevel });
  // Libraries print to the console on every bad token: in the product that goes into the log, throttled.
  bridgeConsole(log);
  const closers: (() => Promise<void> | void)[] = [];

  if (config.mode === 'production' && config.botFramework) {
    const tokens = new BotFrameworkTokens({ connectionName: config.botFramework.oauthConnectionName });
    const app = await startApp(config, { log, tokens, graphBaseUrl: config.graph.baseUrl });
    closers.push(() => app.close());
    log.info(
      { bot: app.server.url, cloud: config.graph.cloud, node: process.versions.node },
      'production mode: bot running',
    );
  } else {
    await startLocal(config, log, closers);
  }

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down');
    for (const close of closers) await close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

/**
 * Local mode: the Graph sandbox (or the one GRAPH_BASE_URL names, e.g. `npm run sandbox` in another
 * terminal), the bot with sandbox tokens, and the Agents Playground.
 */
async function startLocal(
  config: Config,
  log: Logger,
  closers: (() => Promise<void> | void)[],
): Promise<void> {
  // Every port first, so that a second copy says so in one line before anything has started.
  await ensureFree(config.port, config.host, 'PORT');
  if (!config.graph.baseUrl) await ensureFree(config.sandbox.port, '127.0.0.1', 'SANDBOX_PORT');
  if (config.playground.start) await ensureFree(config.playground.port, '127.0.0.1', 'PLAYGROUND_PORT');
  const sandbox = config.graph.baseUrl
    ? { url: config.graph.baseUrl, tenantId: DEMO_TENANT_ID, close: async () => undefined }
    : await startSandbox({ port: config.sandbox.port, logger: log });
  closers.push(() => sandbox.close());
  // The built-in sandbox starts a fresh demo tenant every time, so the demo's store starts fresh with it:
  // decisions a previous run remembered would otherwise hide cards the new tenant still has open.
  const demo =
    !config.graph.baseUrl && config.store.engine === 'sqlite'
      ? { ...config, store: { ...config.store, directory: path.join(config.store.directory, 'local-demo') } }
      : config;
  if (demo !== config) {
    rmSync(demo.store.directory, { recursive: true, force: true });
    log.info(
      { store: demo.store.directory },
      'local mode: a fresh demo tenant and a fresh local store (both start over on every start)',
    );
  }
  const app = await startApp(demo, {
    log,
    tokens: new LocalSandboxTokens(sandbox.tenantId),
    graphBaseUrl: sandbox.url,
  });
  closers.unshift(() => app.close());
  log.info(
    { graph: sandbox.url, bot: app.server.url, node: process.versions.node },
    'local mode: Graph sandbox and bot running',
  );
  // startApp started the notifier: discovery for everyone with a 1:1 reference, and the outbox worker.
  log.info({ everySeconds: config.notify.discoverySeconds }, 'local mode: discovery scheduled');

  if (config.playground.start) {
    const playground = startPlayground(config, app.server.url, log);
    closers.unshift(() => {
      playground.kill('SIGTERM');
    });
    process.stdout.write(
      `\nLocal mode is running.\n  Open the Agents Playground: http://localhost:${config.playground.port}\n` +
        `  You are Alex Wilber; your pending approvals arrive as cards when the bot is installed (or type "pending").\n` +
        `  Graph sandbox: ${sandbox.url}   Bot: ${app.server.url}/api/messages\n  Press Ctrl+C to stop.\n\n`,
    );
  }
}

void main().catch((error: unknown) => {
  if (error instanceof PortBusy) {
    process.stderr.write(
      `Port ${error.port} is already in use (${error.setting}): another copy of the bot may be running. Stop it, or set ${error.setting} to a free port.\n`,
    );
    process.exit(2);
  }
  if (error instanceof StoreError) {
    // The store names the setting, the path and what to do (never a secret): one line, no stack.
    process.stderr.write(`The store could not start: ${error.message.replace(/\s+/g, ' ')}\n`);
    process.exit(2);
  }
  process.stderr.write(`The bot could not start: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
