import { createGovernanceClient } from '../../src/graph';
import type { UserGovernance } from '../../src/graph';
import { startSandbox } from '../../src/sandbox';
import type { Sandbox, SandboxOptions, TokenOptions } from '../../src/sandbox';

/** A Graph sandbox on an ephemeral port and a governance client pointed at it. */
export async function graphUnderTest(options: SandboxOptions = { tenant: 'empty' }): Promise<{
  sandbox: Sandbox;
  as: (userId: string, token?: TokenOptions) => UserGovernance;
}> {
  const sandbox = await startSandbox(options);
  const client = createGovernanceClient({ cloud: 'Global', baseUrl: sandbox.url });
  return {
    sandbox,
    as: (userId, token) => client.asUser({ token: sandbox.tokenFor(userId, token), userId }),
  };
}

/** The requests that reached the sandbox with a given method, top-level or batched. */
export function requestsOf(sandbox: Sandbox, method: string) {
  return sandbox.requests.filter((r) => r.method === method);
}
