import { createLogger } from '../log';
import { DEMO_USERS, startSandbox } from './index';

/** `node dist/src/sandbox/cli.js [port]`: the demo sandbox alone, e.g. to explore it with curl. */
async function main(): Promise<void> {
  // A developer tool outside the app's configuration, so it reads its one setting itself.
  const raw = process.argv[2] ?? process.env.SANDBOX_PORT ?? '4001';
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    process.stderr.write(`Invalid port '${raw}'.\n`);
    process.exit(2);
  }
  const sandbox = await startSandbox({
    port,
    logger: createLogger({ level: process.env.LOG_LEVEL ?? 'info' }),
  });
  process.stdout.write(
    `Graph sandbox (demo tenant ${sandbox.tenantId}) listening on ${sandbox.url}\n` +
      `  e.g. curl -H "Authorization: Bearer $TOKEN" "${sandbox.url}/v1.0/identityGovernance/entitlementManagement/assignmentRequests/filterByCurrentUser(on='approver')"\n` +
      `  TOKEN for Alex Wilber (1 h): ${sandbox.tokenFor(DEMO_USERS.alex.id)}\n`,
  );
  const stop = (): void => {
    void sandbox.close().then(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

void main().catch((error: unknown) => {
  process.stderr.write(
    `The sandbox could not start: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(1);
});
