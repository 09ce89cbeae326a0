import fs from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..');
const text = fs.readFileSync(path.join(ROOT, 'CONTRIBUTING.md'), 'utf8');
const spans = [...text.matchAll(/`([^`\n]+)`/g)].map((m) => m[1] ?? '');

function sourceText(): string {
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith('.ts') || entry.name.endsWith('.mjs')) files.push(full);
    }
  };
  for (const dir of ['src', 'tests']) walk(path.join(ROOT, dir));
  files.push(path.join(ROOT, 'eslint.config.mjs'));
  return files.map((f) => fs.readFileSync(f, 'utf8')).join('\n');
}

describe('CONTRIBUTING.md matches the code', () => {
  it('names only files and folders that exist', () => {
    const paths = spans.filter((s) => /^(src|tests|cards|docs|infra)\//.test(s) || s.endsWith('.mjs'));
    expect(paths.length).toBeGreaterThan(15);
    const missing = paths
      .filter((p) => !p.includes('<'))
      .filter((p) => !fs.existsSync(path.join(ROOT, p.replace(/\s.*$/, ''))));
    expect(missing).toEqual([]);
  });

  it('names only identifiers the code declares', () => {
    const code = sourceText();
    const identifiers = spans.filter(
      (s) => /^[A-Za-z_][A-Za-z0-9_]*$/.test(s) && /[A-Z_]/.test(s) && !/^G\d+$/.test(s),
    );
    expect(identifiers.length).toBeGreaterThan(10);
    const undeclared = identifiers.filter(
      (name) =>
        !new RegExp(
          `(export |^)(const|function|async function|type|interface|class|let) ${name}\\b|\\b${name}\\??:|'${name}'`,
          'm',
        ).test(code),
    );
    expect(undeclared).toEqual([]);
  });
});
