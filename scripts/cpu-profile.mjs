// Where a V8 CPU profile (`node --cpu-prof`) spent its time: self time by package (or src/ folder), by
// file and by function, largest first.
//   node scripts/cpu-profile.mjs <file.cpuprofile | folder> [--top N] [--from µs] [--to µs] [--per N]
// A folder means its newest .cpuprofile. `--from`/`--to` keep only the samples taken in that window, as
// monotonic-clock microseconds (`process.hrtime.bigint() / 1000n` in any process on the same machine: V8
// stamps its samples with the same clock on Linux). bench/invoke.ts runs it on the product's profile
// (`--profile`) over the measured presses only; `--per N` divides the busy time by the N requests served.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** The newest .cpuprofile in a folder, or the file itself. */
export function profileFile(target) {
  if (!statSync(target).isDirectory()) return target;
  const files = readdirSync(target)
    .filter((name) => name.endsWith('.cpuprofile'))
    .map((name) => path.join(target, name))
    .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs);
  if (files.length === 0) throw new Error(`no .cpuprofile in ${target}`);
  return files[0];
}

/** A script's place in the tree: `node_modules/<package>` → the package, the project's own files by path. */
function fileOf(url, functionName) {
  if (!url) return functionName.startsWith('(') ? functionName : '(native)';
  const plain = url.startsWith('file://') ? fileURLToPath(url) : url;
  const modules = plain.lastIndexOf('/node_modules/');
  if (modules >= 0) return plain.slice(modules + 1);
  if (plain.startsWith(root)) return path.relative(root, plain).replace(/^\.bench-build\//, '');
  return plain;
}

function groupOf(file) {
  if (file.startsWith('(')) return file;
  if (file.startsWith('node_modules/')) {
    const [, first, second] = file.split('/');
    return `npm ${first?.startsWith('@') ? `${first}/${second}` : first}`;
  }
  if (file.startsWith('node:')) {
    const parts = file.slice('node:'.length).split('/');
    if (parts[0] !== 'internal' || parts.length < 3) return `node ${parts[0]}`;
    return `node ${parts[1] === 'deps' ? parts[2] : parts[1]}`;
  }
  const [top, folder] = file.split('/');
  return top === 'src' && folder && !folder.endsWith('.js') ? `src/${folder}` : top;
}

/** Self time (ms) by package, file and function, of the samples taken between `from` and `to` (µs). */
export function summarize(profile, from = -Infinity, to = Infinity) {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const self = new Map();
  let at = profile.startTime;
  profile.samples.forEach((id, i) => {
    const delta = profile.timeDeltas[i] ?? 0;
    at += delta;
    if (at >= from && at <= to) self.set(id, (self.get(id) ?? 0) + delta);
  });
  const groups = new Map();
  const files = new Map();
  const functions = new Map();
  const add = (map, key, us) => map.set(key, (map.get(key) ?? 0) + us);
  let total = 0;
  for (const [id, us] of self) {
    const { functionName, url, lineNumber } = byId.get(id).callFrame;
    const file = fileOf(url, functionName);
    total += us;
    add(groups, groupOf(file), us);
    add(files, file, us);
    const name = functionName || '(anonymous)';
    const where = file === '(native)' ? `${name}  (native)` : `${name}  ${file}:${lineNumber + 1}`;
    add(functions, file.startsWith('(') && file !== '(native)' ? file : where, us);
  }
  const ranked = (map) => [...map].map(([key, us]) => ({ key, ms: us / 1000 })).sort((a, b) => b.ms - a.ms);
  return {
    totalMs: total / 1000,
    groups: ranked(groups),
    files: ranked(files),
    functions: ranked(functions),
  };
}

/**
 * The summary as three short tables (none with `top` 0); `(idle)` counts in the total so that the busy
 * share shows. With `per` (how many requests the window served), the busy time per request too.
 */
export function report(summary, top = 15, per = 0) {
  const lines = [];
  const idle = summary.groups.find((g) => g.key === '(idle)')?.ms ?? 0;
  const busy = summary.totalMs - idle;
  lines.push(
    `CPU profile: ${(summary.totalMs / 1000).toFixed(1)} s sampled, ${(100 - (100 * idle) / summary.totalMs).toFixed(0)} % busy` +
      // Samples are stamped with wall time: on a busy machine a sample also counts the time the process
      // waited for a core, so this is above the CPU time the process was given (bench's own CPU column).
      (per > 0 ? `, ${(busy / per).toFixed(2)} ms sampled busy per request` : ''),
  );
  if (top <= 0) return lines.join('\n');
  lines.push('Self time, share of busy time:');
  for (const [title, rows] of [
    ['package or folder', summary.groups],
    ['file', summary.files],
    ['function', summary.functions],
  ]) {
    lines.push('', `| ${title} | self ms | % |`, '|---|---:|---:|');
    for (const row of rows.filter((r) => r.key !== '(idle)').slice(0, top))
      lines.push(`| ${row.key} | ${row.ms.toFixed(0)} | ${((100 * row.ms) / busy).toFixed(1)} |`);
  }
  return lines.join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const option = (name, fallback) => {
    const at = args.indexOf(name);
    return at >= 0 ? Number(args.splice(at, 2)[1]) : fallback;
  };
  const top = option('--top', 15);
  const from = option('--from', -Infinity);
  const to = option('--to', Infinity);
  const per = option('--per', 0);
  if (!args[0]) {
    console.error(
      'usage: node scripts/cpu-profile.mjs <file.cpuprofile | folder> [--top N] [--from µs] [--to µs] [--per N]',
    );
    process.exit(2);
  }
  const file = profileFile(args[0]);
  console.log(`${path.relative(process.cwd(), file)}\n`);
  console.log(report(summarize(JSON.parse(readFileSync(file, 'utf8')), from, to), top, per));
}
