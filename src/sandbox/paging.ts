import { badRequest } from './errors';
import type { Json, JsonObject } from './json';
import type { QueryOptions } from './odata';
import { applyFilter, applySelect } from './odata';
import type { GraphVersion } from './types';

/** Where a request came in, so that links point back at the sandbox. */
export interface LinkContext {
  readonly baseUrl: string;
  readonly version: GraphVersion;
  /** The path after the version exactly as received (still percent-encoded), without a leading slash. */
  readonly rawPath: string;
}

export const contextUrl = (link: LinkContext, fragment: string): string =>
  `${link.baseUrl}/${link.version}/$metadata#${fragment}`;

const encodeSkipToken = (offset: number): string =>
  Buffer.from(`offset:${offset}`, 'utf8').toString('base64url');

function decodeSkipToken(token: string): number {
  const match = /^offset:(\d+)$/.exec(Buffer.from(token, 'base64url').toString('utf8'));
  if (!match?.[1]) throw badRequest(`The $skiptoken '${token}' is not valid.`);
  return Number(match[1]);
}

/** `$` stays literal in the keys, as in Graph's own nextLinks; values are percent-encoded. */
function nextLink(link: LinkContext, options: QueryOptions, offset: number): string {
  const params = Object.entries(options.raw)
    .filter(([key]) => !['$skip', '$skiptoken'].includes(key.toLowerCase()))
    .map(([key, value]) => `${key}=${encodeURIComponent(value)}`);
  params.push(`$skiptoken=${encodeSkipToken(offset)}`);
  return `${link.baseUrl}/${link.version}/${link.rawPath}?${params.join('&')}`;
}

export interface CollectionSpec {
  readonly typeName: string;
  readonly pageSize: number;
}

// $filter, then $skip/$skiptoken, then $top as the page size (as most Graph collections treat it), then $select.
export function collection(
  link: LinkContext,
  options: QueryOptions,
  items: readonly JsonObject[],
  spec: CollectionSpec,
): JsonObject {
  const filtered = applyFilter(items, options, spec.typeName);
  const offset = options.skiptoken !== undefined ? decodeSkipToken(options.skiptoken) : (options.skip ?? 0);
  const size = options.top ?? spec.pageSize;
  const page = filtered.slice(offset, offset + size);
  const value: Json[] = page.map((item) => applySelect(item, options, spec.typeName));
  const more = offset + size < filtered.length && size > 0;
  return {
    '@odata.context': contextUrl(link, `Collection(microsoft.graph.${spec.typeName})`),
    ...(options.count ? { '@odata.count': filtered.length } : {}),
    ...(more ? { '@odata.nextLink': nextLink(link, options, offset + size) } : {}),
    value,
  };
}

/** A single entity with its context and $select applied. */
export function entity(
  link: LinkContext,
  options: QueryOptions,
  item: JsonObject,
  typeName: string,
): JsonObject {
  return {
    '@odata.context': contextUrl(link, `microsoft.graph.${typeName}`),
    ...applySelect(item, options, typeName),
  };
}
