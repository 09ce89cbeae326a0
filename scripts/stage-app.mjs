// `node scripts/stage-app.mjs [folder]` (default .deploy/app): the files the web app runs, for
// `atk deploy` to zip and upload (m365agents.yml). Run `npm run build` first.
//
//   dist/src/        the compiled bot (started with `node dist/src/main.js`, the web app's startup command)
//   cards/           the Adaptive Card templates, read at run time
//   package.json, package-lock.json, node_modules/ (production dependencies only)
//
// Install scripts are skipped, so better-sqlite3's native module is not built: App Service runs with
// STORE=azure, which never loads it, and a module built on the deploying machine would not fit Linux anyway.
import { execSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const target = path.resolve(root, process.argv[2] ?? '.deploy/app');
const relative = path.relative(root, target);
if (relative === '' || relative.startsWith('..') || path.isAbsolute(relative)) {
  console.error(`The staging folder must be inside the project, got ${target}`);
  process.exit(1);
}
if (!existsSync(path.join(root, 'dist', 'src', 'main.js'))) {
  console.error('dist/src/main.js is missing: run `npm run build` first.');
  process.exit(1);
}

rmSync(target, { recursive: true, force: true });
mkdirSync(target, { recursive: true });
for (const item of ['package.json', 'package-lock.json', 'cards', path.join('dist', 'src')]) {
  cpSync(path.join(root, item), path.join(target, item), { recursive: true });
}
execSync('npm ci --omit=dev --ignore-scripts --no-audit --no-fund', { cwd: target, stdio: 'inherit' });
console.log(`Staged ${relative}: dist/src, cards, production dependencies.`);
