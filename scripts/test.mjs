// `npm test`: installs what is missing, then typecheck, lint, formatting and the jest suites.
import { execSync } from 'node:child_process';
import { ensureDependencies, root, runtimeEnv } from './setup.mjs';

ensureDependencies();
const steps = [
  ['typecheck', 'npx tsc --noEmit -p tsconfig.json'],
  ['lint', 'npx eslint .'],
  ['format', 'npx prettier --check .'],
  ['tests', `npx jest --ci ${process.argv.slice(2).join(' ')}`],
];
for (const [name, command] of steps) {
  console.log(`\n▶ ${name}: ${command}`);
  try {
    execSync(command, { cwd: root, stdio: 'inherit', env: runtimeEnv() });
  } catch {
    console.error(`\n✖ ${name} failed (see above).`);
    process.exit(1);
  }
}
