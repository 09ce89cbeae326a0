// `npm run bench`: every benchmark in bench/, one after another (not timed tests). `npm run bench invoke`
// runs one; options after it go to the benchmark (`npm run bench invoke -- --profile`).
import { execSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { ensureDependencies, root, runtimeEnv } from './setup.mjs';

ensureDependencies();
const args = process.argv.slice(2);
const only = args.find((arg) => !arg.startsWith('--'));
const options = args.filter((arg) => arg.startsWith('--'));
for (const name of ['invoke', 'notify', 'discovery', 'churn']) {
  if (only && only !== name) continue;
  const file = path.join(root, 'bench', `${name}.ts`);
  if (!existsSync(file)) continue;
  console.log(`\n▶ bench/${name}.ts`);
  execSync(`node -r ts-node/register/transpile-only ${file} ${options.join(' ')}`, {
    cwd: root,
    stdio: 'inherit',
    env: { ...runtimeEnv(), TS_NODE_PROJECT: path.join(root, 'tsconfig.json'), LOG_LEVEL: 'silent' },
  });
}
