// Makes a fresh clone ready: installs the locked dependencies when they are missing or stale.
import { execSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const marker = path.join(root, 'node_modules', '.package-lock.json');
const lock = path.join(root, 'package-lock.json');

export function ensureDependencies() {
  const stale = !existsSync(marker) || statSync(marker).mtimeMs < statSync(lock).mtimeMs;
  if (stale) {
    console.log('Installing dependencies (npm ci)…');
    execSync('npm ci --no-audit --no-fund', { cwd: root, stdio: 'inherit' });
  }
}

export function build() {
  execSync('npx tsc -p tsconfig.build.json', { cwd: root, stdio: 'inherit' });
}

export { root };

if (process.argv[1] === fileURLToPath(import.meta.url)) ensureDependencies();
