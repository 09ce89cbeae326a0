// npm run test:mutation [-- <glob> ...]: StrykerJS over the core (stryker.config.mjs), then the score per
// folder and every surviving mutant, read from Stryker's JSON report. Globs narrow the files mutated.
import { spawnSync } from 'node:child_process';
import { readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runtimeEnv } from './setup.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const report = path.join(root, 'reports', 'mutation', 'mutation.json');
const globs = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const reportOnly = process.argv.includes('--report-only');
// Results of mutants whose code and covering tests are unchanged are reused from the last run of the same
// globs (Stryker's incremental mode); --fresh runs every mutant again.
const fresh = process.argv.includes('--fresh');
const slug =
  globs.length > 0
    ? globs
        .join('+')
        .replace(/[^A-Za-z0-9]+/g, '-')
        .replace(/^-|-$/g, '')
    : 'core';
const incrementalFile = path.join('reports', 'mutation', `incremental-${slug}.json`);

if (!reportOnly) {
  const stryker = path.join(root, 'node_modules', '@stryker-mutator', 'core', 'bin', 'stryker.js');
  const args = [
    stryker,
    'run',
    ...(globs.length > 0 ? ['--mutate', globs.join(',')] : []),
    '--incremental',
    '--incrementalFile',
    incrementalFile,
    ...(fresh ? ['--force'] : []),
  ];
  const run = spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit', env: runtimeEnv() });
  if (run.status !== 0) process.exit(run.status ?? 1);
}
if (!existsSync(report)) {
  console.error(`No report at ${path.relative(root, report)}: run without --report-only first.`);
  process.exit(1);
}

const DETECTED = new Set(['Killed', 'Timeout']);
const COUNTED = new Set(['Killed', 'Timeout', 'Survived', 'NoCoverage']);
const { files } = JSON.parse(readFileSync(report, 'utf8'));
const folders = new Map();
const survivors = [];
for (const [file, { mutants, source }] of Object.entries(files)) {
  const folder = path.dirname(file).split(path.sep).slice(0, 2).join('/');
  const tally = folders.get(folder) ?? { detected: 0, counted: 0 };
  const lines = (source ?? '').split('\n');
  for (const m of mutants) {
    if (!COUNTED.has(m.status)) continue;
    tally.counted += 1;
    if (DETECTED.has(m.status)) tally.detected += 1;
    else {
      const line = m.location.start.line;
      survivors.push(
        `${file}:${line} ${m.status} ${m.mutatorName}: ${(lines[line - 1] ?? '').trim().slice(0, 90)} → ${String(
          m.replacement ?? '',
        )
          .replace(/\s+/g, ' ')
          .slice(0, 60)}`,
      );
    }
  }
  folders.set(folder, tally);
}
let all = { detected: 0, counted: 0 };
console.log('\nMutation score by folder (killed + timed out / all that ran or had no test):');
for (const [folder, t] of [...folders].sort()) {
  all = { detected: all.detected + t.detected, counted: all.counted + t.counted };
  console.log(
    `  ${folder.padEnd(22)} ${((100 * t.detected) / Math.max(1, t.counted)).toFixed(1).padStart(5)} %  (${t.detected}/${t.counted})`,
  );
}
console.log(
  `  ${'all'.padEnd(22)} ${((100 * all.detected) / Math.max(1, all.counted)).toFixed(1).padStart(5)} %  (${all.detected}/${all.counted})`,
);
console.log(`\nSurvivors (${survivors.length}):`);
for (const s of survivors) console.log(`  ${s}`);
