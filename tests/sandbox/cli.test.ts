import { spawn } from 'node:child_process';
import path from 'node:path';
import { DEMO_USERS } from '../../src/sandbox';

const root = path.resolve(__dirname, '..', '..');

describe('sandbox CLI', () => {
  it('starts the demo sandbox on the given port, prints its URL and a token, and stops on SIGTERM', async () => {
    const child = spawn(
      process.execPath,
      ['-r', 'ts-node/register/transpile-only', 'src/sandbox/cli.ts', '0'],
      {
        cwd: root,
        env: { ...process.env, LOG_LEVEL: 'silent', TS_NODE_PROJECT: path.join(root, 'tsconfig.json') },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    try {
      let output = '';
      const url = await new Promise<string>((resolve, reject) => {
        child.stdout.on('data', (chunk: Buffer) => {
          output += chunk.toString();
          const match =
            /listening on (http:\/\/127\.0\.0\.1:\d+)[\s\S]*TOKEN for Alex Wilber \(1 h\): (\S+)/.exec(
              output,
            );
          if (match?.[1]) resolve(match[1]);
        });
        child.once('exit', (code) => reject(new Error(`cli exited with ${String(code)}: ${output}`)));
      });
      const token = /TOKEN for Alex Wilber \(1 h\): (\S+)/.exec(output)?.[1] ?? '';
      const response = await fetch(
        `${url}/v1.0/identityGovernance/accessReviews/definitions/filterByCurrentUser(on='reviewer')`,
        {
          headers: { Authorization: `Bearer ${token}` },
        },
      );
      expect(response.status).toBe(200);
      const payload = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString()) as {
        oid: string;
      };
      expect(payload.oid).toBe(DEMO_USERS.alex.id);
      const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  }, 20_000);
});
