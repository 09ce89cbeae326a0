import * as fs from 'node:fs';
import * as path from 'node:path';
import * as ts from 'typescript';

/**
 * Finds the citations in source comments ("design rule 5", "gotcha G4", "graph-contract.md §1.1 A5",
 * "teams-platform.md §8 #13", bare "§2.4", "docs/design.md", "issue 6") and checks that each one points at
 * something that exists in the repository's docs.
 */

// ---- Which document a bare § means ----

/**
 * A bare "§x.y" (no document named before it) means the document of the file's folder. The first prefix
 * that matches wins. A citation that names its document ("teams-platform.md §1.3") ignores this table.
 */
export const BARE_SECTION_DOC: readonly (readonly [prefix: string, doc: string])[] = [
  // notify's delivery side talks to Teams; the rest of notify (discovery) is about Graph.
  ['src/notify/delivery-worker.ts', 'teams-platform.md'],
  ['src/notify/rate-limit.ts', 'teams-platform.md'],
  ['src/bot/', 'teams-platform.md'],
  ['src/server/', 'teams-platform.md'],
  ['src/auth/', 'teams-platform.md'],
  // graph, sandbox, domain, decisions, store, cards, config, notify discovery, app.ts, main.ts
  ['src/', 'graph-contract.md'],
];

/** Rules live in this document, gotchas in that one. */
export const RULES_DOC = 'design.md';
export const GOTCHAS_DOC = 'graph-contract.md';

export function bareSectionDoc(file: string): string {
  const posix = file.split(path.sep).join('/');
  for (const [prefix, doc] of BARE_SECTION_DOC) if (posix.startsWith(prefix)) return doc;
  return GOTCHAS_DOC;
}

// ---- What a document offers ----

export interface DocIndex {
  /** Numbered sections from headings: "1", "1.2", "5.6", "0.1". */
  readonly sections: ReadonlySet<string>;
  /** Row ids of tables (first cell "A5", "R2", "#13"), by the numbered section they sit in. */
  readonly rows: ReadonlyMap<string, ReadonlySet<string>>;
  /** Numbered rules from headings "### Rule 5. …". */
  readonly rules: ReadonlySet<number>;
  /** Gotchas from headings "### G4. …". */
  readonly gotchas: ReadonlySet<string>;
  /** Heading texts, for citations by title. */
  readonly headings: readonly string[];
}

const HEADING = /^(#{1,6})\s+(.+?)\s*#*\s*$/;
const SECTION_NUMBER = /^(\d+(?:\.\d+)*)\.?(?=\s|$)/;
const RULE_HEADING = /^Rule\s+(\d+)\b/;
const GOTCHA_HEADING = /^(G\d+)\b/;
const ROW_ID = /^\|\s*(#\d+|[A-Z]\d+)\s*\|/;

/** Reads headings and table rows of a markdown text, outside fenced code blocks. */
export function indexDoc(markdown: string): DocIndex {
  const sections = new Set<string>();
  const rows = new Map<string, Set<string>>();
  const rules = new Set<number>();
  const gotchas = new Set<string>();
  const headings: string[] = [];
  let fenced = false;
  let current: string | null = null;
  for (const line of markdown.split(/\r?\n/)) {
    if (/^\s*(```|~~~)/.test(line)) {
      fenced = !fenced;
      continue;
    }
    if (fenced) continue;
    const heading = HEADING.exec(line);
    if (heading) {
      const text = heading[2] ?? '';
      headings.push(text);
      const number = SECTION_NUMBER.exec(text)?.[1];
      if (number) {
        sections.add(number);
        current = number;
      }
      const rule = RULE_HEADING.exec(text)?.[1];
      if (rule) rules.add(Number(rule));
      const gotcha = GOTCHA_HEADING.exec(text)?.[1];
      if (gotcha) gotchas.add(gotcha);
      continue;
    }
    const row = ROW_ID.exec(line)?.[1];
    if (row && current !== null) {
      const set = rows.get(current) ?? new Set<string>();
      set.add(row);
      rows.set(current, set);
    }
  }
  return { sections, rows, rules, gotchas, headings };
}

// ---- The repository as the check sees it ----

export interface Docs {
  /** The repository-relative path a cited `.md` path resolves to, or null when there is none. */
  resolve(cited: string, fromFile: string): string | null;
  /** The index of a resolved document. */
  index(resolved: string): DocIndex;
}

/** Documents read from a repository on disk: bare names are looked for at the root, then in docs/. */
export function repoDocs(root: string): Docs {
  const cache = new Map<string, DocIndex>();
  const isFile = (relative: string): boolean => {
    try {
      return fs.statSync(path.join(root, relative)).isFile();
    } catch {
      return false;
    }
  };
  return {
    resolve(cited, fromFile) {
      const candidates = cited.includes('/')
        ? [path.posix.normalize(cited), path.posix.join(path.posix.dirname(fromFile), cited)]
        : [cited, `docs/${cited}`];
      return candidates.find((c) => !c.startsWith('..') && isFile(c)) ?? null;
    },
    index(resolved) {
      let found = cache.get(resolved);
      if (!found) {
        found = indexDoc(fs.readFileSync(path.join(root, resolved), 'utf8'));
        cache.set(resolved, found);
      }
      return found;
    },
  };
}

// ---- Comments ----

export interface Comment {
  readonly pos: number;
  readonly text: string;
}

/** Every comment of a TypeScript source (line, block and JSDoc), by the compiler's own scanner. */
export function commentsOf(fileName: string, source: string): Comment[] {
  const file = ts.createSourceFile(fileName, source, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const found = new Map<number, string>();
  const add = (ranges: readonly ts.CommentRange[] | undefined): void => {
    for (const r of ranges ?? []) if (!found.has(r.pos)) found.set(r.pos, source.slice(r.pos, r.end));
  };
  const visit = (node: ts.Node): void => {
    // JSDoc nodes lie inside comments: their positions are not places where trivia starts.
    if (node.kind >= ts.SyntaxKind.FirstJSDocNode && node.kind <= ts.SyntaxKind.LastJSDocNode) return;
    add(ts.getLeadingCommentRanges(source, node.getFullStart()));
    add(ts.getTrailingCommentRanges(source, node.getEnd()));
    for (const child of node.getChildren(file)) visit(child);
  };
  visit(file);
  return [...found].sort(([a], [b]) => a - b).map(([pos, text]) => ({ pos, text }));
}

// ---- Citations ----

export type Token =
  | { kind: 'doc'; start: number; end: number; text: string; path: string; title: string | null }
  | { kind: 'section'; start: number; end: number; text: string; section: string; rows: string[] }
  | { kind: 'gotcha'; start: number; end: number; text: string; gotcha: string }
  | { kind: 'rules'; start: number; end: number; text: string; rules: number[] }
  | { kind: 'issue'; start: number; end: number; text: string }
  | { kind: 'seed'; start: number; end: number; text: string };

const NUMBERS = String.raw`\d+(?:(?:\s*,\s*|\s+and\s+)\d+)*`;
const PATTERNS: readonly { kind: Token['kind']; re: RegExp }[] = [
  // docs/design.md, graph-contract.md, ../README.md; optionally followed by , "A title"
  { kind: 'doc', re: /(?<![\w./-])((?:\.{1,2}\/)*(?:[\w.-]+\/)*[\w-]+\.md)\b(?:,\s*"([^"\n]+)")?/g },
  // §1.2, § 5.6, §1.1 A5, §1.2 R1/R2 (rows of the approval and review tables), §8 #13 (a field report)
  { kind: 'section', re: /§\s?(\d+(?:\.\d+)*)((?:\s+#\d+)?)((?:\s+[AR]\d+(?:\/[AR]\d+)*)?)/g },
  { kind: 'gotcha', re: /(?:\bgotcha\s+)?\b(G\d{1,2})\b/g },
  { kind: 'rules', re: new RegExp(String.raw`\bdesign\s+rules?\s+(${NUMBERS})`, 'g') },
  { kind: 'rules', re: new RegExp(String.raw`\brules?\s+(${NUMBERS})`, 'g') },
  { kind: 'issue', re: /\bissues?\s+#?\d+|(?<![\w&#/])#\d+\b/g },
  { kind: 'seed', re: /\bseeds?\s+\d+/g },
];

function numbers(list: string): number[] {
  return list.split(/\s*,\s*|\s+and\s+/).map(Number);
}

/** Depth of open parentheses at `at`. */
function parenDepth(text: string, at: number): number {
  let depth = 0;
  for (let i = 0; i < at; i++) {
    if (text[i] === '(') depth += 1;
    else if (text[i] === ')' && depth > 0) depth -= 1;
  }
  return depth;
}

export function tokensOf(text: string): Token[] {
  const found: Token[] = [];
  for (const { kind, re } of PATTERNS) {
    re.lastIndex = 0;
    for (let m = re.exec(text); m; m = re.exec(text)) {
      const start = m.index;
      const end = start + m[0].length;
      const base = { start, end, text: m[0] };
      switch (kind) {
        case 'doc':
          found.push({ kind, ...base, path: m[1] ?? '', title: m[2] ?? null });
          break;
        case 'section': {
          const report = (m[2] ?? '').trim();
          const rows = (m[3] ?? '').trim();
          found.push({
            kind,
            ...base,
            section: m[1] ?? '',
            rows: [...(report ? [report] : []), ...(rows ? rows.split('/') : [])],
          });
          break;
        }
        case 'gotcha':
          found.push({ kind, ...base, gotcha: m[1] ?? '' });
          break;
        case 'rules':
          // "rule N" without "design" counts only inside parentheses: "(rule 5)", "(rules 7, 9)".
          if (!/^design/i.test(m[0]) && parenDepth(text, start) === 0) break;
          found.push({ kind, ...base, rules: numbers(m[1] ?? '') });
          break;
        case 'issue':
        case 'seed':
          found.push({ kind, ...base });
          break;
      }
    }
  }
  // Earlier and longer first; a token inside one already taken ("#13" of "§8 #13") is dropped.
  found.sort((a, b) => a.start - b.start || b.end - a.end);
  const kept: Token[] = [];
  for (const t of found) if (!kept.some((k) => t.start < k.end && k.start < t.end)) kept.push(t);
  return kept;
}

/** Only separators between a document's name and the citations that belong to it. */
const LIST_GLUE = /^(?:[\s*,/(]|\band\b)*$/;

export interface Violation {
  readonly file: string;
  readonly line: number;
  readonly citation: string;
  readonly problem: string;
}

/** Every citation in the comments of one source file that does not resolve. */
export function checkSource(file: string, source: string, docs: Docs): Violation[] {
  const violations: Violation[] = [];
  const lineOf = (pos: number): number => source.slice(0, pos).split('\n').length;
  const defaultDoc = bareSectionDoc(file);
  const rulesDoc = docs.resolve(RULES_DOC, file);
  const gotchasDoc = docs.resolve(GOTCHAS_DOC, file);

  for (const comment of commentsOf(file, source)) {
    const text = comment.text;
    // The document named last, and where the citations that belong to it end.
    let named: { resolved: string | null; end: number } | null = null;
    for (const token of tokensOf(text)) {
      const report = (problem: string): void => {
        violations.push({
          file,
          line: lineOf(comment.pos + token.start),
          citation: token.text.trim(),
          problem,
        });
      };
      const governed = named !== null && LIST_GLUE.test(text.slice(named.end, token.start));
      if (!governed) named = null;
      switch (token.kind) {
        case 'doc': {
          const resolved = docs.resolve(token.path, file);
          named = { resolved, end: token.end };
          if (!resolved) {
            report(`no file ${token.path} in the repository`);
            break;
          }
          const title = token.title;
          if (
            title &&
            !docs.index(resolved).headings.some((h) => h.toLowerCase().includes(title.toLowerCase()))
          )
            report(`${resolved} has no heading "${title}"`);
          break;
        }
        case 'section': {
          if (named) named.end = token.end;
          const resolved = named ? named.resolved : docs.resolve(defaultDoc, file);
          if (named && !resolved) break; // the missing file is already reported
          if (!resolved) {
            report(`no file ${defaultDoc} in the repository`);
            break;
          }
          const index = docs.index(resolved);
          if (!index.sections.has(token.section)) {
            report(`${resolved} has no section §${token.section}`);
            break;
          }
          const rows = index.rows.get(token.section) ?? new Set<string>();
          const missing = token.rows.filter((r) => !rows.has(r));
          if (missing.length > 0) report(`${resolved} §${token.section} has no ${missing.join(', ')}`);
          break;
        }
        case 'gotcha': {
          if (named) named.end = token.end;
          const resolved = named ? named.resolved : gotchasDoc;
          if (named && !resolved) break;
          if (!resolved) report(`no file ${GOTCHAS_DOC} in the repository`);
          else if (!docs.index(resolved).gotchas.has(token.gotcha))
            report(`${resolved} has no gotcha ${token.gotcha}`);
          break;
        }
        case 'rules': {
          if (!rulesDoc) {
            report(`no file ${RULES_DOC} in the repository`);
            break;
          }
          const missing = token.rules.filter((n) => !docs.index(rulesDoc).rules.has(n));
          if (missing.length > 0) report(`${rulesDoc} has no rule ${missing.join(', ')}`);
          break;
        }
        case 'issue':
          report('an issue number: the tracker it refers to is not part of the repository');
          break;
        case 'seed':
          report('a seed document: the seeds are not part of the repository');
          break;
      }
    }
  }
  return violations;
}

/** Every .ts file under `dir`, repository-relative, sorted. */
export function sourceFiles(root: string, dir: string): string[] {
  const out: string[] = [];
  const walk = (relative: string): void => {
    for (const entry of fs.readdirSync(path.join(root, relative), { withFileTypes: true })) {
      const child = path.posix.join(relative, entry.name);
      if (entry.isDirectory()) walk(child);
      else if (entry.isFile() && entry.name.endsWith('.ts')) out.push(child);
    }
  };
  walk(dir);
  return out.sort();
}

export function formatViolation(v: Violation): string {
  return `${v.file}:${v.line} '${v.citation}': ${v.problem}`;
}
