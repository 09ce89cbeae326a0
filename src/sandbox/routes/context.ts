import type { Behaviour } from '../behaviour';
import { badRequest } from '../errors';
import type { JsonObject } from '../json';
import type { QueryOptions } from '../odata';
import type { LinkContext } from '../paging';
import type { RouteSpec } from '../router';
import type { SandboxStore } from '../state';
import type { GraphVersion, SandboxUser } from '../types';

export interface RouteContext {
  readonly store: SandboxStore;
  readonly caller: SandboxUser;
  readonly version: GraphVersion;
  readonly params: Readonly<Record<string, string>>;
  readonly query: QueryOptions;
  readonly body: unknown;
  readonly link: LinkContext;
  readonly pageSize: number;
  /** The sandbox clock when the request arrived. */
  readonly at: number;
  readonly behaviour: Behaviour;
}

export interface Reply {
  readonly status: number;
  readonly body?: JsonObject;
  readonly headers?: Readonly<Record<string, string>>;
}

export type Handler = (ctx: RouteContext) => Reply;
export type SandboxRoute = RouteSpec<Handler>;

export const ok = (body: JsonObject): Reply => ({ status: 200, body });
export const NO_CONTENT: Reply = { status: 204 };

export const param = (ctx: RouteContext, name: string): string => ctx.params[name] ?? '';

// `on` must be a quoted (optionally type-prefixed) enum value the function supports; anything else is Graph's 400.
export function onArgument(ctx: RouteContext, allowed: readonly string[]): string {
  const raw = param(ctx, 'on').trim();
  const quoted = /^(?:[\w.]+)?'([^']*)'$/.exec(raw)?.[1];
  if (quoted === undefined) {
    throw badRequest(
      `The value '${raw}' for parameter 'on' is not a valid literal; quote it, e.g. on='${allowed[0] ?? ''}'.`,
    );
  }
  const value = allowed.find((candidate) => candidate.toLowerCase() === quoted.toLowerCase());
  if (value === undefined) {
    throw badRequest(
      `The value '${quoted}' is not supported for parameter 'on'. Supported: ${allowed.map((v) => `'${v}'`).join(', ')}.`,
    );
  }
  return value;
}
