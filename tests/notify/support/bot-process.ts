/**
 * The bot as its own process, for the crash test: local mode against the Graph sandbox and the connector
 * double of the test process, SQLite in DATA_DIR. It discovers once at start; what is already in the outbox
 * (a previous process's work included) is delivered by its worker. Run with ts-node (transpile only).
 *
 * Once its first discovery is done and its outbox idle it prints `IDLE <worker stats json>`. With
 * TEST_CHECKPOINT_MS (and TEST_WAL_LIMIT_BYTES) it opens the SQLite store itself with that checkpoint
 * interval (and log size limit): the crash test makes them large, so that what it delivers stays in the
 * write-ahead log, to be lost with it.
 *
 * With STORE=azure (the scale-out test) it is one of several instances: the app wires the shared rate budget
 * itself (Teams' real limits; TEST_TENANT_PER_SECOND does not apply), and every change of the discovery
 * buckets it holds is printed as `LEASES <time ms> <json names>`, so that the test sees leases pass.
 */
import { startApp } from '../../../src/app';
import { LocalSandboxTokens } from '../../../src/auth';
import { loadConfig } from '../../../src/config';
import { createLogger } from '../../../src/log';
import { MemoryRateLimiter, TEAMS_LIMITS } from '../../../src/notify';
import { DEMO_TENANT_ID } from '../../../src/sandbox';
import { openSqliteStore } from '../../../src/store';

async function main(): Promise<void> {
  const config = loadConfig(process.env);
  const log = createLogger({ level: config.logLevel });
  const tenantPerSecond = Number(process.env.TEST_TENANT_PER_SECOND ?? '50');
  const checkpointMs = process.env.TEST_CHECKPOINT_MS;
  const walLimit = process.env.TEST_WAL_LIMIT_BYTES;
  const store =
    checkpointMs && config.store.engine === 'sqlite'
      ? await openSqliteStore({
          directory: config.store.directory,
          checkpointMs: Number(checkpointMs),
          ...(walLimit ? { walLimitBytes: Number(walLimit) } : {}),
          warn: (message, error) => log.warn({ err: error }, message),
        })
      : undefined;
  const app = await startApp(
    config,
    { log, tokens: new LocalSandboxTokens(DEMO_TENANT_ID), graphBaseUrl: config.graph.baseUrl },
    {
      ...(store ? { store } : {}),
      notify: {
        firstDiscoveryMs: 0,
        ...(config.store.engine === 'azure'
          ? {}
          : {
              limiter: new MemoryRateLimiter({
                ...TEAMS_LIMITS,
                tenant: [{ limit: tenantPerSecond, windowMs: 1000 }],
              }),
            }),
      },
    },
  );
  process.stdout.write(`READY ${app.server.url} ${app.notifier.owner}\n`);
  // The first discovery was scheduled at once; a moment later it is running, and idle() waits for it.
  void new Promise((resolve) => setTimeout(resolve, 50))
    .then(() => app.notifier.idle())
    .then(() => process.stdout.write(`IDLE ${JSON.stringify(app.notifier.stats)}\n`));
  const leases = app.leases;
  if (leases) {
    let last = '';
    const report = (): void => {
      const held = JSON.stringify([...leases.held()].sort());
      if (held !== last) process.stdout.write(`LEASES ${Date.now()} ${held}\n`);
      last = held;
    };
    report();
    setInterval(report, 50).unref();
  }
  process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));
}

void main().catch((error: unknown) => {
  process.stderr.write(`bot process failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
