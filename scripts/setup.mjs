// Makes a fresh clone ready: installs the locked dependencies when they are missing or stale, and runs
// the project on its own Node.js (the `node` package, Node 24 LTS) whatever Node started this script.
import { execFileSync, execSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const marker = path.join(root, 'node_modules', '.package-lock.json');
const lock = path.join(root, 'package-lock.json');
const bin = path.join(root, 'node_modules', '.bin');
/** The oldest Node.js major the product supports (package.json engines). */
export const REQUIRED_NODE_MAJOR = 24;

export function ensureDependencies() {
  const stale = !existsSync(marker) || statSync(marker).mtimeMs < statSync(lock).mtimeMs;
  if (stale) {
    console.log('Installing dependencies (npm ci)…');
    execSync('npm ci --no-audit --no-fund', { cwd: root, stdio: 'inherit' });
  }
  runtime();
}

/** The project's node binary: installed by npm from the registry's `node` package. */
export function runtime() {
  const node = path.join(bin, 'node');
  const version = existsSync(node)
    ? execFileSync(node, ['-p', 'process.versions.node']).toString().trim()
    : '';
  if (Number(version.split('.')[0]) < REQUIRED_NODE_MAJOR) {
    console.error(
      `The project runs on Node.js ${REQUIRED_NODE_MAJOR} from node_modules/.bin/node, found "${version || 'nothing'}". ` +
        'Run "npm ci" again (it installs the "node" package).',
    );
    process.exit(2);
  }
  return node;
}

/** The environment for child processes: node_modules/.bin first, so `node` and `npx` tools run on Node 24. */
export function runtimeEnv(env = process.env) {
  return { ...env, PATH: `${bin}${path.delimiter}${env.PATH ?? ''}` };
}

export function build() {
  execSync('npx tsc -p tsconfig.build.json', { cwd: root, stdio: 'inherit', env: runtimeEnv() });
}

export { root };

if (process.argv[1] === fileURLToPath(import.meta.url)) ensureDependencies();
