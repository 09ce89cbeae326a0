/**
 * Every inbound activity is checked against what Teams sends before botbuilder or the bot sees it: ids
 * in the shapes Teams produces (plain ASCII: they end up in URLs and in HTTP headers such as
 * x-ms-conversation-id), GUIDs where Entra puts GUIDs, booleans where booleans belong, and a service URL
 * the bot is allowed to call. A problem is answered 400 with a fixed sentence that never repeats input.
 */

import type { ServiceUrlRule } from '../config';

type Json = Readonly<Record<string, unknown>>;
const obj = (v: unknown): Json | null =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json) : null;

export interface ActivityPolicy {
  readonly serviceUrls: readonly ServiceUrlRule[];
}

const TYPES = new Set([
  'message',
  'invoke',
  'conversationUpdate',
  'installationUpdate',
  'messageReaction',
  'messageUpdate',
  'messageDelete',
  'event',
  'typing',
  'endOfConversation',
]);

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/**
 * Teams ids (`29:…`, `a:…`, `19:…@thread.tacv2;messageid=…`, message ids) are printable ASCII without
 * spaces, quotes or brackets; anything else (format characters, surrogates, controls) is not from Teams.
 */
const TEAMS_ID = /^[!#-;=?-[\]_a-z~]+$/i;
const NAME = /^[\w.+\-/:@]+$/;
const MAX_ID = 1024;
const MAX_LIST = 1000;

const isGuid = (v: unknown): v is string => typeof v === 'string' && GUID.test(v);
const teamsId = (v: unknown): v is string =>
  typeof v === 'string' && v.length > 0 && v.length <= MAX_ID && TEAMS_ID.test(v);
const optional = (v: unknown, check: (v: unknown) => boolean): boolean =>
  v === undefined || v === null || check(v);
const text = (max: number) => (v: unknown) => typeof v === 'string' && v.length <= max;
const shortName = (max: number) => (v: unknown) =>
  typeof v === 'string' && v.length > 0 && v.length <= max && NAME.test(v);

function hostMatches(rule: ServiceUrlRule, host: string): boolean {
  return rule.host.startsWith('*.') ? host.endsWith(rule.host.slice(1)) : host === rule.host;
}

/** True when the bot may call this service URL: an allowed scheme, host and port, no credentials in it. */
export function serviceUrlAllowed(value: string, rules: readonly ServiceUrlRule[]): boolean {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return false;
  }
  if (url.username !== '' || url.password !== '') return false;
  const scheme = url.protocol.replace(/:$/, '');
  const port = url.port === '' ? null : Number(url.port);
  return rules.some(
    (rule) =>
      rule.scheme === scheme &&
      hostMatches(rule, url.hostname.toLowerCase()) &&
      (rule.port === null || rule.port === port),
  );
}

function person(value: unknown, name: string): string | null {
  const p = obj(value);
  if (!p || !teamsId(p.id)) return `${name}.id is missing or not a Teams id.`;
  if (!optional(p.aadObjectId, isGuid)) return `${name}.aadObjectId must be a GUID.`;
  if (!optional(p.name, text(1024))) return `${name}.name must be text.`;
  if (!optional(p.role, shortName(32))) return `${name}.role is malformed.`;
  return null;
}

function list(value: unknown, name: string, each?: (v: unknown, n: string) => string | null): string | null {
  if (value === undefined || value === null) return null;
  if (!Array.isArray(value) || value.length > MAX_LIST || value.some((v) => !obj(v)))
    return `${name} must be a list of objects.`;
  if (each) for (const v of value) if (each(v, name)) return `${name} holds a malformed member.`;
  return null;
}

function channelData(value: unknown): string | null {
  if (value === undefined || value === null) return null;
  const data = obj(value);
  if (!data) return 'channelData must be an object.';
  if (!optional(obj(data.tenant)?.id, isGuid)) return 'channelData.tenant.id must be a GUID.';
  for (const key of ['team', 'channel'] as const) {
    const part = data[key];
    if (part === undefined || part === null) continue;
    const o = obj(part);
    if (!o || !optional(o.id, teamsId)) return `channelData.${key}.id is not a Teams id.`;
    if (!optional(o.name, text(1024))) return `channelData.${key}.name must be text.`;
    if (!optional(o.aadGroupId, isGuid)) return `channelData.${key}.aadGroupId must be a GUID.`;
  }
  if (!optional(data.eventType, shortName(64))) return 'channelData.eventType is malformed.';
  return null;
}

/** Null when the activity may be processed; otherwise what is wrong with it, in a fixed sentence. */
export function activityProblem(body: unknown, policy: ActivityPolicy): string | null {
  const activity = obj(body);
  if (!activity) return 'The request body must be a JSON activity object.';
  if (typeof activity.type !== 'string' || !TYPES.has(activity.type))
    return 'The activity type is missing or not supported.';
  if (activity.channelId !== 'msteams') return 'This bot serves Microsoft Teams (channelId msteams) only.';
  if (typeof activity.serviceUrl !== 'string' || activity.serviceUrl.length > 2048)
    return 'The activity has no serviceUrl.';
  if (!serviceUrlAllowed(activity.serviceUrl, policy.serviceUrls))
    return 'The serviceUrl is not one this bot may call.';

  const conversation = obj(activity.conversation);
  if (!conversation || !teamsId(conversation.id)) return 'conversation.id is missing or not a Teams id.';
  if (!optional(conversation.tenantId, isGuid)) return 'conversation.tenantId must be a GUID.';
  if (!optional(conversation.isGroup, (v) => typeof v === 'boolean'))
    return 'conversation.isGroup must be true or false.';
  if (!optional(conversation.conversationType, shortName(32)))
    return 'conversation.conversationType is malformed.';
  if (!optional(conversation.name, text(1024))) return 'conversation.name must be text.';

  const from = person(activity.from, 'from');
  if (from) return from;
  if (activity.recipient !== undefined) {
    const recipient = person(activity.recipient, 'recipient');
    if (recipient) return recipient;
  }
  if (activity.type === 'invoke' && !shortName(128)(activity.name)) return 'An invoke activity needs a name.';
  if (!optional(activity.name, shortName(128))) return 'name is malformed.';
  for (const key of ['id', 'replyToId'] as const)
    if (!optional(activity[key], teamsId)) return `${key} is not a Teams id.`;
  for (const key of ['timestamp', 'localTimestamp', 'locale', 'textFormat', 'inputHint'] as const)
    if (!optional(activity[key], text(64))) return `${key} is malformed.`;
  if (!optional(activity.localTimezone, shortName(64))) return 'localTimezone is malformed.';
  if (!optional(activity.action, shortName(32))) return 'action is malformed.';
  for (const key of ['text', 'summary'] as const)
    if (!optional(activity[key], (v) => typeof v === 'string')) return `${key} must be text.`;
  return (
    list(activity.membersAdded, 'membersAdded', person) ??
    list(activity.membersRemoved, 'membersRemoved', person) ??
    list(activity.entities, 'entities') ??
    list(activity.attachments, 'attachments') ??
    channelData(activity.channelData)
  );
}
