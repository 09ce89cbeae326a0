import type { ItemKind, PendingItem, PortalCloud } from '../domain';
import { ITEM_KINDS, deadlineOf, itemKey, portalIn } from '../domain';
import { finishCard } from './actions';
import { formatWhen, parseDate } from './format';
import { itemTitle, kindOfCard } from './kinds';
import { cut } from './safe-text';
import { firstThatFits } from './size-guard';
import { expandTemplate } from './templates';
import type { AdaptiveCard, SummaryCardOptions } from './types';

const KIND_ORDER: readonly ItemKind[] = ['accessPackage', 'pimGroup', 'pimRole', 'accessReview'];

/** One link per portal the kinds are decided in, in the kind table's order. */
function portalsOf(kinds: ReadonlySet<ItemKind>, cloud?: PortalCloud): { title: string; url: string }[] {
  const links = new Map<string, { title: string; url: string }>();
  for (const [kind, facts] of Object.entries(ITEM_KINDS) as [ItemKind, (typeof ITEM_KINDS)[ItemKind]][]) {
    const portal = portalIn(facts.portal, cloud);
    if (kinds.has(kind)) links.set(portal.url, { title: portal.listTitle, url: portal.url });
  }
  return [...links.values()];
}

/**
 * When the item stops waiting: what the caller learned from Graph, else the kind's rule (domain deadlineOf)
 * while it is ahead. Past it, Graph still listing the item says the rule did not hold, so it has no known
 * deadline, as its card shows (item-view.ts).
 */
function deadline(item: PendingItem, options: SummaryCardOptions): string | null {
  const known = options.expiresAt?.get(itemKey(item.target));
  if (known) return known;
  const ms = deadlineOf(item);
  return ms === null || ms <= options.now.getTime() ? null : new Date(ms).toISOString();
}

function createdAt(item: PendingItem): number {
  const created = item.kind === 'accessReview' ? null : parseDate(item.createdDateTime);
  return created?.getTime() ?? Number.POSITIVE_INFINITY;
}

/** Most urgent first: the nearest deadline, then items without one, oldest request first. */
function byUrgency(options: SummaryCardOptions) {
  return (a: PendingItem, b: PendingItem): number => {
    const da = parseDate(deadline(a, options))?.getTime() ?? Number.POSITIVE_INFINITY;
    const db = parseDate(deadline(b, options))?.getTime() ?? Number.POSITIVE_INFINITY;
    if (da !== db) return da < db ? -1 : 1;
    const ca = createdAt(a);
    const cb = createdAt(b);
    return ca === cb ? 0 : ca < cb ? -1 : 1;
  };
}

/** The items in the order the summary lists them: the nearest deadline first, then the oldest. */
export function byUrgencyOrder(items: readonly PendingItem[], options: SummaryCardOptions): PendingItem[] {
  return [...items].sort(byUrgency(options));
}

function oneLine(item: PendingItem, options: SummaryCardOptions): string {
  const parts: string[] = [];
  parts.push(...kindOfCard(item).summary(item, options));
  if (item.kind !== 'accessReview') {
    const requested = formatWhen(item.createdDateTime, options.now, options.timeZone);
    if (requested) parts.push(`requested ${requested}`);
  }
  const line = parts
    .filter((p) => p !== '')
    .join(' · ')
    .replace(/Stage (\d)/, 'stage $1');
  return line.charAt(0).toUpperCase() + line.slice(1);
}

export function summaryView(
  items: readonly PendingItem[],
  options: SummaryCardOptions,
  listed: number,
  titleChars: number,
): object {
  const sorted = [...items].sort(byUrgency(options));
  const shown = sorted.slice(0, listed);
  const total = items.length;
  const counts = KIND_ORDER.map((kind) => ({ kind, n: items.filter((i) => i.kind === kind).length }))
    .filter((c) => c.n > 0)
    .map(({ kind, n }) => ({ text: `${n} ${ITEM_KINDS[kind].count[n === 1 ? 0 : 1]}` }));
  const kinds = new Set(items.map((i) => i.kind));
  let hint = '';
  if (total === 0) hint = "You're all caught up. I'll send a card when something new needs you.";
  else if (shown.length < total) {
    hint = `The ${shown.length} most urgent of ${total} follow as cards you can decide here. Use the links below to see them all.`;
  } else hint = 'Use the links below to decide them in My Access or the Azure portal.';
  return {
    heading:
      total === 0
        ? 'Nothing waits for your decision'
        : `${total} ${total === 1 ? 'item waits' : 'items wait'} for your decision`,
    counts,
    items: shown.map((item) => {
      const due = deadline(item, options);
      const dueText = formatWhen(due, options.now, options.timeZone);
      return {
        title: cut(itemTitle(item), titleChars).text,
        line: oneLine(item, options),
        due: dueText ? `${item.kind === 'accessReview' ? 'Due' : 'Expires'} ${dueText}` : '',
      };
    }),
    hint,
    links: portalsOf(kinds, options.cloud),
  };
}

/** For `pending` with many items: counts by kind, the most urgent few, and links to see them all. */
export function renderSummaryCard(items: readonly PendingItem[], options: SummaryCardOptions): AdaptiveCard {
  const max = Math.max(0, Math.floor(options.max));
  const sizes: number[] = [];
  for (let n = Math.min(max, items.length); n > 0; n = Math.floor(n / 2)) sizes.push(n);
  sizes.push(0);
  return firstThatFits(
    sizes.map(
      (n) => () =>
        finishCard(expandTemplate('summary', summaryView(items, options, n, 150)), {
          submitOnly: !!options.submitOnly,
        }),
    ),
  );
}
