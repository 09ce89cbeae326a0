import { badRequest } from './errors';
import type { Json, JsonObject } from './json';
import { isRecord } from './json';

export interface FilterClause {
  readonly path: readonly string[];
  readonly op: 'eq' | 'ne';
  readonly value: string | number | boolean | null;
}

export interface QueryOptions {
  readonly top?: number;
  readonly skip?: number;
  readonly skiptoken?: string;
  readonly filter: readonly FilterClause[];
  /** Lower-cased navigation name → the nested options inside its parentheses ('' when none). */
  readonly expand: ReadonlyMap<string, string>;
  readonly select?: readonly string[];
  readonly count: boolean;
  /** Every query parameter as received (decoded), for nextLinks. */
  readonly raw: Readonly<Record<string, string>>;
}

const SYSTEM_OPTIONS = new Set([
  '$top',
  '$skip',
  '$skiptoken',
  '$filter',
  '$expand',
  '$select',
  '$count',
  '$orderby',
]);

function nonNegativeInt(name: string, text: string): number {
  if (!/^\d+$/.test(text.trim())) throw badRequest(`Invalid value '${text}' for query option '${name}'.`);
  return Number(text.trim());
}

/** Splits on commas that are not inside parentheses or quotes. */
function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quoted = false;
  let current = '';
  for (const ch of text) {
    if (ch === "'") quoted = !quoted;
    if (!quoted && ch === '(') depth += 1;
    if (!quoted && ch === ')') depth -= 1;
    if (!quoted && depth === 0 && ch === ',') {
      parts.push(current);
      current = '';
    } else current += ch;
  }
  parts.push(current);
  return parts.map((part) => part.trim()).filter((part) => part !== '');
}

export function parseExpand(text: string): Map<string, string> {
  const map = new Map<string, string>();
  for (const item of splitTopLevel(text)) {
    const match = /^([A-Za-z][\w.]*)(?:\((.*)\))?$/s.exec(item);
    const name = match?.[1];
    if (!name) throw badRequest(`Invalid $expand item '${item}'.`);
    map.set(name.replace(/^microsoft\.graph\./i, '').toLowerCase(), match[2] ?? '');
  }
  return map;
}

function parseLiteral(text: string): string | number | boolean | null {
  if (/^'(?:[^']|'')*'$/.test(text)) return text.slice(1, -1).replace(/''/g, "'");
  if (text === 'true' || text === 'false') return text === 'true';
  if (text === 'null') return null;
  if (/^-?\d+(\.\d+)?$/.test(text)) return Number(text);
  throw badRequest(`Invalid filter literal '${text}'.`);
}

/** Whether the parentheses at both ends enclose the whole text, as in `(a eq 'x')` but not `(a) and (b)`. */
function wrapped(text: string): boolean {
  if (!text.startsWith('(') || !text.endsWith(')')) return false;
  let depth = 0;
  let quoted = false;
  for (let i = 0; i < text.length; i += 1) {
    const ch = text.charAt(i);
    if (ch === "'") quoted = !quoted;
    if (quoted) continue;
    if (ch === '(') depth += 1;
    if (ch === ')') depth -= 1;
    if (depth === 0 && i < text.length - 1) return false;
  }
  return true;
}

function unwrap(text: string): string {
  let inner = text.trim();
  while (wrapped(inner)) inner = inner.slice(1, -1).trim();
  return inner;
}

/** Splits on ` and ` outside quotes and parentheses, so that a literal may itself contain " and ". */
function splitAnd(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quoted = false;
  let start = 0;
  for (let i = 0; i < text.length; i += 1) {
    const ch = text.charAt(i);
    if (ch === "'") quoted = !quoted;
    if (quoted) continue;
    if (ch === '(') depth += 1;
    if (ch === ')') depth -= 1;
    const and = /^\s+and\s+/i.exec(text.slice(i));
    if (depth === 0 && and && /\s/.test(ch)) {
      parts.push(text.slice(start, i));
      i += and[0].length - 1;
      start = i + 1;
    }
  }
  parts.push(text.slice(start));
  return parts;
}

/**
 * The subset of OData $filter the governance APIs document: `prop eq 'x'` / `ne`, joined with `and`, each side
 * optionally in parentheses (e.g. `id eq '…' and decision eq 'NotReviewed'`, graph-contract.md §2.4).
 */
export function parseFilter(text: string): FilterClause[] {
  return splitAnd(unwrap(text)).map((clause) => {
    const inner = unwrap(clause);
    const match = /^([A-Za-z][\w/]*)\s+(eq|ne)\s+(.+)$/i.exec(inner);
    const [, path, op, literal] = match ?? [];
    if (!path || !op || !literal)
      throw badRequest(
        `Invalid $filter clause '${inner}'. Only 'property eq|ne value' joined with 'and' is supported.`,
      );
    return {
      path: path.split('/'),
      op: op.toLowerCase() === 'ne' ? 'ne' : 'eq',
      value: parseLiteral(literal.trim()),
    };
  });
}

export function parseQuery(raw: Readonly<Record<string, string>>): QueryOptions {
  for (const key of Object.keys(raw)) {
    if (key.startsWith('$') && !SYSTEM_OPTIONS.has(key.toLowerCase())) {
      throw badRequest(
        `Query option '${key}' is not allowed. Make sure that it is supported for this resource.`,
      );
    }
  }
  const get = (name: string): string | undefined => {
    const key = Object.keys(raw).find((candidate) => candidate.toLowerCase() === name);
    return key === undefined ? undefined : raw[key];
  };
  const top = get('$top');
  const skip = get('$skip');
  const filter = get('$filter');
  const expand = get('$expand');
  const select = get('$select');
  const count = get('$count');
  return {
    ...(top !== undefined ? { top: nonNegativeInt('$top', top) } : {}),
    ...(skip !== undefined ? { skip: nonNegativeInt('$skip', skip) } : {}),
    ...(get('$skiptoken') !== undefined ? { skiptoken: get('$skiptoken') } : {}),
    filter: filter !== undefined && filter.trim() !== '' ? parseFilter(filter) : [],
    expand: expand !== undefined ? parseExpand(expand) : new Map(),
    ...(select !== undefined
      ? {
          select: select
            .split(',')
            .map((name) => name.trim())
            .filter((name) => name !== ''),
        }
      : {}),
    count: count?.toLowerCase() === 'true',
    raw,
  };
}

/** Graph's wording for a property a type does not have. */
export const noSuchProperty = (name: string, typeName: string) =>
  badRequest(`Could not find a property named '${name}' on type 'microsoft.graph.${typeName}'.`);

/** Rejects expansions the resource does not have; Graph answers 400 rather than ignoring them. */
export function checkExpand(options: QueryOptions, allowed: readonly string[], typeName: string): void {
  const known = new Set(allowed.map((name) => name.toLowerCase()));
  for (const name of options.expand.keys()) if (!known.has(name)) throw noSuchProperty(name, typeName);
}

export const expands = (options: QueryOptions, name: string): boolean =>
  options.expand.has(name.toLowerCase());

function lookup(item: JsonObject, path: readonly string[], typeName: string): Json | undefined {
  let current: Json | undefined = item;
  path.forEach((segment, index) => {
    if (!isRecord(current)) {
      current = undefined;
      return;
    }
    const key = Object.keys(current).find((candidate) => candidate.toLowerCase() === segment.toLowerCase());
    if (key === undefined) {
      if (index === 0) throw noSuchProperty(segment, typeName);
      current = undefined;
      return;
    }
    current = current[key];
  });
  return current;
}

function sameValue(actual: Json | undefined, expected: FilterClause['value']): boolean {
  if (expected === null) return actual === null || actual === undefined;
  if (typeof expected === 'string')
    return typeof actual === 'string' && actual.toLowerCase() === expected.toLowerCase();
  return actual === expected;
}

export function applyFilter(
  items: readonly JsonObject[],
  options: QueryOptions,
  typeName: string,
): JsonObject[] {
  if (options.filter.length === 0) return [...items];
  return items.filter((item) =>
    options.filter.every((clause) => {
      const same = sameValue(lookup(item, clause.path, typeName), clause.value);
      return clause.op === 'eq' ? same : !same;
    }),
  );
}

/** Keeps the selected properties plus id, annotations and expansions. */
export function applySelect(item: JsonObject, options: QueryOptions, typeName: string): JsonObject {
  if (!options.select || options.select.length === 0) return item;
  const keys = Object.keys(item);
  const wanted = new Set<string>();
  for (const name of options.select) {
    const key = keys.find((candidate) => candidate.toLowerCase() === name.toLowerCase());
    if (key === undefined) throw noSuchProperty(name, typeName);
    wanted.add(key);
  }
  const out: Record<string, Json | undefined> = {};
  for (const key of keys) {
    if (wanted.has(key) || key === 'id' || key.startsWith('@odata.') || options.expand.has(key.toLowerCase()))
      out[key] = item[key];
  }
  return out;
}
