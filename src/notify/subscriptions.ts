import type { PendingItem } from '../domain';
import { isGuid, kindOf } from '../domain';
import type { SubscriptionFilter, SubscriptionKind, SubscriptionTarget } from '../store';
import { subscriptionTargetsOf } from '../store';

/**
 * Channel subscriptions follow an access package, group, role or review by id or by name. A name is kept
 * as the id `name:<lower-case name>`, so the store matches both the same way.
 */

const NAME_PREFIX = 'name:';

export function nameId(name: string): string {
  return `${NAME_PREFIX}${name.trim().replace(/\s+/g, ' ').toLowerCase()}`;
}

/** Everything a subscription can match an item by: ids, and the names a person would type. */
export function targetsOf(item: PendingItem): readonly SubscriptionTarget[] {
  const named = kindOf(item)
    .followedBy(item)
    .flatMap((f) => (f.name && f.name.trim() !== '' ? [{ kind: f.kind, id: nameId(f.name) }] : []));
  return [...subscriptionTargetsOf(item), ...named];
}

/** How people name the kinds, longest first so "access package" wins over "access". */
const KIND_WORDS: readonly (readonly [string, SubscriptionKind])[] = [
  ['access packages', 'accessPackage'],
  ['access package', 'accessPackage'],
  ['access reviews', 'review'],
  ['access review', 'review'],
  ['accesspackage', 'accessPackage'],
  ['catalogs', 'catalog'],
  ['catalog', 'catalog'],
  ['package', 'accessPackage'],
  ['groups', 'group'],
  ['group', 'group'],
  ['roles', 'role'],
  ['role', 'role'],
  ['reviews', 'review'],
  ['review', 'review'],
];

export const KIND_LABEL: Readonly<Record<SubscriptionKind, string>> = {
  accessPackage: 'access package',
  catalog: 'catalog',
  group: 'group',
  role: 'role',
  review: 'access review',
};

export type ParsedFilter =
  | { readonly ok: true; readonly filter: SubscriptionFilter }
  | { readonly ok: false; readonly message: string };

const USAGE =
  'Say what to follow: "subscribe access package Marketing campaign tools", "subscribe group <name or id>", "subscribe role Global Reader" or "subscribe review <name or id>".';

/** "<kind> <name or id>" (what follows subscribe / unsubscribe) → a filter. */
export function parseFilter(text: string): ParsedFilter {
  const rest = text.trim();
  const lower = rest.toLowerCase();
  const match = KIND_WORDS.find(([word]) => lower === word || lower.startsWith(`${word} `));
  if (!match) return { ok: false, message: USAGE };
  const [word, kind] = match;
  const name = rest
    .slice(word.length)
    .trim()
    .replace(/^["'“”‘’]+|["'“”‘’]+$/g, '')
    .trim();
  if (name === '') return { ok: false, message: `Which ${KIND_LABEL[kind]}? ${USAGE}` };
  if (name.length > 256) return { ok: false, message: 'That name is too long (256 characters at most).' };
  if (kind === 'catalog') {
    return {
      ok: false,
      message:
        'Catalog subscriptions are not available yet: the requests I read do not say their catalog. Subscribe to the access packages instead.',
    };
  }
  return isGuid(name)
    ? { ok: true, filter: { kind, id: name.toLowerCase(), displayName: name.toLowerCase() } }
    : { ok: true, filter: { kind, id: nameId(name), displayName: name } };
}

/** The channel's own id: a message in a channel thread names the thread (`…;messageid=…`). */
export function channelIdOf(conversationId: string): string {
  const at = conversationId.indexOf(';messageid=');
  return at === -1 ? conversationId : conversationId.slice(0, at);
}
