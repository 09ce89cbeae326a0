import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Violation } from './citations';
import { checkSource, formatViolation, indexDoc, repoDocs, sourceFiles } from './citations';

/**
 * Code comments cite docs/design.md ("design rule 5"), docs/graph-contract.md ("gotcha G4", "§1.1 A5") and
 * docs/teams-platform.md ("teams-platform.md §1.3", "§8 #13"). Every citation must point at something that
 * exists, so that a maintainer who clones the repository can follow it. How a bare "§x.y" picks its
 * document is the table BARE_SECTION_DOC in ./citations.ts: src/bot, src/server, src/auth and notify's
 * delivery-worker.ts and rate-limit.ts mean teams-platform.md; everything else in src/ means
 * graph-contract.md; a citation that names its document ("teams-platform.md §1.3") wins.
 */

const root = path.resolve(__dirname, '..', '..');
const docs = repoDocs(root);
const read = (relative: string) => fs.readFileSync(path.join(root, relative), 'utf8');
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);
/** Section numbers from how many subsections each top section has: { 1: 2 } gives 1, 1.1, 1.2. */
const numbered = (counts: Record<number, number>) =>
  Object.entries(counts).flatMap(([top, subs]) => [top, ...range(1, subs).map((n) => `${top}.${n}`)]);

describe('the docs keep the numbering code comments rely on', () => {
  it('design.md numbers rules 1 to 17', () => {
    expect([...indexDoc(read('docs/design.md')).rules].sort((a, b) => a - b)).toEqual(range(1, 17));
  });

  it('graph-contract.md keeps sections §1–§7, rows A1–A5 and R1–R3, and gotchas G1–G16', () => {
    const index = indexDoc(read('docs/graph-contract.md'));
    // §1 has 1.1–1.3, §2 has 2.1–2.4, … ; §4, §6 and §7 have no numbered subsections.
    const sections = numbered({ 1: 3, 2: 4, 3: 9, 4: 0, 5: 6, 6: 0, 7: 0 });
    for (const s of sections) expect(index.sections).toContain(s);
    expect([...(index.rows.get('1.1') ?? [])].sort()).toEqual(['A1', 'A2', 'A3', 'A4', 'A5']);
    expect([...(index.rows.get('1.2') ?? [])].sort()).toEqual(['R1', 'R2', 'R3']);
    expect([...index.gotchas].sort((a, b) => Number(a.slice(1)) - Number(b.slice(1)))).toEqual(
      range(1, 16).map((n) => `G${n}`),
    );
  });

  it('teams-platform.md keeps sections §0–§9 and field reports #1–#19', () => {
    const index = indexDoc(read('docs/teams-platform.md'));
    const sections = numbered({ 0: 9, 1: 7, 2: 4, 3: 8, 4: 3, 5: 4, 6: 2, 7: 6, 8: 0, 9: 0 });
    for (const s of sections) expect(index.sections).toContain(s);
    expect([...(index.rows.get('8') ?? [])].sort((a, b) => Number(a.slice(1)) - Number(b.slice(1)))).toEqual(
      range(1, 19).map((n) => `#${n}`),
    );
  });
});

describe('the check bites', () => {
  const fake = [
    "import { x } from './x';", //                                         1
    '// Built as graph-contract.md §9.9 says.', //                         2  missing section
    '/** Deduplicated (design rule 99). */', //                            3  missing rule
    '// See docs/nowhere.md for the rest.', //                             4  missing file
    '// Needed with several instances (issue 7).', //                      5  issue number
    '/* Fixed in PR #12; gotcha G99; §1.1 A9. */', //                      6  #12, G99, row A9
    '// Fine: design rules 1, 5 and 17 (rule 11), gotcha G4, §1.2 R1/R2.', // 7
    '// Fine: graph-contract.md §2.4, §4, G11; teams-platform.md §8 #13.', // 8
    '// Fine: (docs/design.md, "Shared state changes only on evidence").', // 9
    "const s = 'issue 8 and §9.9 in a string are not comments';", //      10
    '// Bare field report in a Graph file: §8 #13.', //                   11 graph-contract.md has no §8
    '// The seeds are not in the repository (seed 002).', //             12
    '// A rule 3 outside parentheses is prose, not a citation.', //       13
  ].join('\n');

  it('reports a missing section, rule, file, issue, report, row, gotcha and seed, and nothing else', () => {
    const found = checkSource('src/graph/fake.ts', fake, docs);
    const lines = (v: readonly Violation[]) => v.map((x) => `${x.line} ${x.citation}`);
    expect(lines(found)).toEqual([
      '2 §9.9',
      '3 design rule 99',
      '4 docs/nowhere.md',
      '5 issue 7',
      '6 #12',
      '6 gotcha G99',
      '6 §1.1 A9',
      '11 §8 #13',
      '12 seed 002',
    ]);
    expect(found.map((v) => v.problem)).toEqual([
      'docs/graph-contract.md has no section §9.9',
      'docs/design.md has no rule 99',
      'no file docs/nowhere.md in the repository',
      expect.stringContaining('issue number'),
      expect.stringContaining('issue number'),
      'docs/graph-contract.md has no gotcha G99',
      'docs/graph-contract.md §1.1 has no A9',
      'docs/graph-contract.md has no section §8',
      expect.stringContaining('seed'),
    ]);
  });

  it('reads a bare § by the folder: Teams facts in src/bot, Graph facts in src/graph', () => {
    const source = '// Universal Actions want HTTP 200 (§0.1); see §8 #13 too.\n';
    expect(checkSource('src/bot/fake.ts', source, docs)).toEqual([]);
    expect(checkSource('src/graph/fake.ts', source, docs).map((v) => v.citation)).toEqual(['§0.1', '§8 #13']);
  });

  it('reports a heading cited by a title the document does not have', () => {
    const source = '// See docs/design.md, "Rules nobody wrote".\n';
    expect(checkSource('src/app.ts', source, docs).map((v) => v.problem)).toEqual([
      'docs/design.md has no heading "Rules nobody wrote"',
    ]);
  });
});

describe('code comments in src/', () => {
  it('cite only rules, sections, gotchas, reports and files that exist, and no issue numbers', () => {
    const violations = sourceFiles(root, 'src').flatMap((file) => checkSource(file, read(file), docs));
    const list = violations.map(formatViolation);
    if (list.length > 0)
      console.log(
        `${list.length} citations in src/ do not resolve:\n${list.map((l) => `  ${l}`).join('\n')}`,
      );
    expect(list).toEqual([]);
  });
});
