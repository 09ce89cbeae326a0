import type { ScopeRequirement } from './permissions';
import type { GraphVersion } from './types';

type Segment =
  | { readonly kind: 'literal'; readonly name: string }
  | { readonly kind: 'param'; readonly name: string }
  | { readonly kind: 'function'; readonly name: string; readonly arg: string; readonly capture: string };

export type Method = 'GET' | 'PATCH' | 'POST';

export interface RouteSpec<H> {
  readonly method: Method;
  readonly versions: readonly GraphVersion[];
  /** e.g. `identityGovernance/accessReviews/definitions/{definitionId}` or `…/filterByCurrentUser(on={on})`. */
  readonly pattern: string;
  readonly scopes: readonly ScopeRequirement[];
  readonly handle: H;
}

export interface Route<H> extends RouteSpec<H> {
  readonly segments: readonly Segment[];
}

function compileSegment(text: string): Segment {
  const param = /^\{(\w+)\}$/.exec(text);
  if (param?.[1]) return { kind: 'param', name: param[1] };
  const fn = /^(\w+)\((\w+)=\{(\w+)\}\)$/.exec(text);
  if (fn?.[1] && fn[2] && fn[3])
    return { kind: 'function', name: fn[1].toLowerCase(), arg: fn[2].toLowerCase(), capture: fn[3] };
  return { kind: 'literal', name: text.toLowerCase() };
}

export function compileRoute<H>(spec: RouteSpec<H>): Route<H> {
  return { ...spec, segments: spec.pattern.split('/').map(compileSegment) };
}

/** Graph accepts actions and functions with or without their namespace. */
const bare = (segment: string): string => segment.replace(/^microsoft\.graph\./i, '');

function matchSegment(pattern: Segment, segment: string, params: Record<string, string>): boolean {
  switch (pattern.kind) {
    case 'literal':
      return bare(segment).toLowerCase() === pattern.name;
    case 'param':
      params[pattern.name] = segment;
      return segment !== '';
    case 'function': {
      const call = /^(\w+)\((\w+)=(.*)\)$/s.exec(bare(segment));
      if (!call?.[1] || !call[2] || call[3] === undefined) return false;
      if (call[1].toLowerCase() !== pattern.name || call[2].toLowerCase() !== pattern.arg) return false;
      params[pattern.capture] = call[3];
      return true;
    }
  }
}

export type Resolution<H> =
  | { readonly kind: 'match'; readonly route: Route<H>; readonly params: Readonly<Record<string, string>> }
  | { readonly kind: 'unknownSegment'; readonly segment: string }
  | { readonly kind: 'methodNotAllowed' }
  | { readonly kind: 'incomplete' };

const specificity = (route: Route<unknown>): number =>
  route.segments.filter((segment) => segment.kind !== 'param').length;

// On a miss, names the first segment this version does not know, as Graph's 400 does (roleAssignmentApprovals on v1.0).
export function resolve<H>(
  routes: readonly Route<H>[],
  version: GraphVersion,
  method: string,
  segments: readonly string[],
): Resolution<H> {
  const full: { route: Route<H>; params: Record<string, string> }[] = [];
  let longestPrefix = 0;
  for (const route of routes) {
    if (!route.versions.includes(version)) continue;
    const params: Record<string, string> = {};
    let matched = 0;
    while (matched < segments.length && matched < route.segments.length) {
      const pattern = route.segments[matched];
      const segment = segments[matched];
      if (pattern === undefined || segment === undefined || !matchSegment(pattern, segment, params)) break;
      matched += 1;
    }
    longestPrefix = Math.max(longestPrefix, matched);
    if (matched === segments.length && matched === route.segments.length) full.push({ route, params });
  }
  if (full.length > 0) {
    const candidates = full.filter((candidate) => candidate.route.method === method.toUpperCase());
    if (candidates.length === 0) return { kind: 'methodNotAllowed' };
    const best = candidates.reduce((a, b) => (specificity(b.route) > specificity(a.route) ? b : a));
    return { kind: 'match', route: best.route, params: best.params };
  }
  const unknown = segments[longestPrefix];
  return unknown === undefined ? { kind: 'incomplete' } : { kind: 'unknownSegment', segment: unknown };
}
