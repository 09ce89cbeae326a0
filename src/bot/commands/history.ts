import { CardFactory } from 'botbuilder';
import { quoted, renderHistoryCard } from '../../cards';
import type { HistoryEntry } from '../../cards';
import type { FinalState } from '../../domain';
import { message } from '../../messages';
import type { Store, StoredItem } from '../../store';
import type { CommandDeps, Said } from './types';

/** Entries on one page of `history`. */
export const HISTORY_PAGE_SIZE = 10;
/** How far back `history` reaches: this many pages of the newest entries. */
export const HISTORY_MAX_PAGES = 20;

/** A final state that says how the item was decided (not only that it closed or vanished). */
const decided = (final: FinalState | null): boolean =>
  final !== null && final.result !== 'gone' && final.result !== 'closed';

/** Milliseconds of an ISO time, or null. */
function ms(iso: string | null | undefined): number | null {
  const value = iso ? Date.parse(iso) : Number.NaN;
  return Number.isNaN(value) ? null : value;
}

interface Gathered {
  stored: StoredItem | null | undefined;
  title: string;
  attempts: HistoryEntry['attempts'][number][];
  /** When the user last pressed on it (our clock), for the order only: never shown. */
  pressedAt: number | null;
}

/**
 * The user's history, newest first, at most `limit` of each source: their own presses (the audit) merged by
 * item with the items that ended after a card in their chat, whoever ended them. An item that only closed
 * or vanished, and that the user never pressed on, is left out: there is nothing to tell about it.
 */
export async function historyOf(store: Store, userId: string, limit: number): Promise<HistoryEntry[]> {
  const byKey = new Map<string, Gathered>();
  for (const stored of await store.finishedShownTo(userId, limit))
    byKey.set(stored.key, { stored, title: '', attempts: [], pressedAt: null });
  for (const audit of await store.auditFor(userId, limit)) {
    const gathered = byKey.get(audit.itemKey) ?? {
      stored: undefined,
      title: audit.title,
      attempts: [],
      pressedAt: null,
    };
    gathered.attempts.push({ decision: audit.decision, outcome: audit.outcome });
    gathered.pressedAt ??= ms(audit.at);
    byKey.set(audit.itemKey, gathered);
  }
  const entries: { entry: HistoryEntry; at: number }[] = [];
  for (const [key, gathered] of byKey) {
    const stored = gathered.stored === undefined ? await store.getItem(key) : gathered.stored;
    const final = stored?.final ?? null;
    if (gathered.attempts.length === 0 && !decided(final)) continue;
    // When it happened: Graph's time of the decision or the user's last press, whichever is later.
    const times = [decided(final) ? ms(final?.at) : null, gathered.pressedAt].filter((t) => t !== null);
    const at = times.length > 0 ? Math.max(...times) : (ms(stored?.updatedAt) ?? 0);
    entries.push({
      entry: { item: stored?.item ?? null, title: gathered.title, final, attempts: gathered.attempts },
      at,
    });
  }
  return entries.sort((a, b) => b.at - a.at).map((e) => e.entry);
}

/** The page typed after `history`: none is the first; a whole number; anything else is not understood. */
export function requestedPage(rest: string): number | null {
  if (rest === '') return 1;
  // The number comes from a button or from typing: only digits, and no more than fit in a page count.
  return /^\d{1,6}$/.test(rest) ? Number(rest) : null;
}

/** `history [page]`: one page of the user's history as a card, newest first; a page out of range is clamped. */
export async function showHistory({ context, rest }: Said, deps: CommandDeps): Promise<void> {
  const userId = context.activity.from?.aadObjectId;
  if (!userId) return;
  const asked = requestedPage(rest);
  if (asked === null) {
    await context.sendActivity(message('approvals.bot.historyPageUnknown', { text: quoted(rest, 40) }));
    return;
  }
  const entries = await historyOf(deps.store, userId, HISTORY_PAGE_SIZE * HISTORY_MAX_PAGES);
  if (entries.length === 0) {
    await context.sendActivity(message('approvals.bot.noHistory'));
    return;
  }
  const pages = Math.ceil(entries.length / HISTORY_PAGE_SIZE);
  const page = Math.min(Math.max(asked, 1), pages);
  const shown = entries.slice((page - 1) * HISTORY_PAGE_SIZE, page * HISTORY_PAGE_SIZE);
  const card = renderHistoryCard(shown, {
    viewerId: userId,
    page,
    pages,
    now: deps.now(),
    timeZone: deps.cards.timeZone,
  });
  await context.sendActivity({ attachments: [CardFactory.adaptiveCard(card)] });
}
