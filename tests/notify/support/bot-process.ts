/**
 * The bot as its own process, for the crash test: local mode against the Graph sandbox and the connector
 * double of the test process, SQLite in DATA_DIR. It discovers once at start; what is already in the outbox
 * (a previous process's work included) is delivered by its worker. Run with ts-node (transpile only).
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

async function main(): Promise<void> {
  const config = loadConfig(process.env);
  const log = createLogger({ level: config.logLevel });
  const tenantPerSecond = Number(process.env.TEST_TENANT_PER_SECOND ?? '50');
  const app = await startApp(
    config,
    { log, tokens: new LocalSandboxTokens(DEMO_TENANT_ID), graphBaseUrl: config.graph.baseUrl },
    {
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
