import type { FinalState, OutcomeKind } from '../domain';
import { atTime } from './format';
import { itemTitle } from './kinds';
import { DECISION_WORD, RESULT_OF } from './outcome-card';
import { colorOf } from './palette';
import { blockText, cut, inlineText } from './safe-text';
import { LAST_LEVEL, TEXT_LEVELS } from './size-guard';
import type { TextLimits } from './size-guard';
import { firstThatFits } from './size-guard';
import { expandTemplate } from './templates';
import type { AdaptiveCard, HistoryCardOptions, HistoryEntry } from './types';

/** How an item ended, in the words the cards use ("Approved by Megan Bowen"). */
const ENDED: Readonly<Record<FinalState['result'], string | null>> = {
  Approved: 'Approved',
  Denied: 'Denied',
  DontKnow: "Don't know",
  NotReviewed: 'Reset',
  closed: 'Closed before a decision',
  // Vanished without Graph saying why: nothing to tell.
  gone: null,
};

/** What came of a press that did not record anything. */
const NOT_RECORDED: Readonly<Record<Exclude<OutcomeKind, 'recorded' | 'alreadyDecided'>, string>> = {
  reviewClosed: 'the review had ended',
  forbidden: 'it was not yours to decide',
  notFound: 'it no longer waited on you',
  invalid: 'Microsoft Graph did not accept it',
  needsJustification: 'a justification was needed',
  throttled: 'Microsoft Graph was busy',
  signInRequired: 'your sign-in had expired',
  unavailable: 'Microsoft Graph did not answer',
};

function isViewer(person: FinalState['by'], viewerId: string): boolean {
  return !!person?.id && person.id.toLowerCase() === viewerId.toLowerCase();
}

/** The decider as Graph named them: "you", their name, or null when Graph gave no name. */
function deciderOf(final: FinalState, viewerId: string): string | null {
  if (isViewer(final.by, viewerId)) return 'you';
  return inlineText(final.by?.displayName) || null;
}

function headlineOf(entry: HistoryEntry, options: HistoryCardOptions): string {
  const { final } = entry;
  const words = final ? ENDED[final.result] : null;
  if (final && words) {
    const by = final.result === 'closed' ? null : deciderOf(final, options.viewerId);
    return `${words}${by ? ` by ${by}` : ''}${atTime(final.at, options.now, options.timeZone)}`;
  }
  // Nothing read back (a reset reopens the item): the viewer's own recorded press, without a time.
  const recorded = entry.attempts.find((a) => a.outcome === 'recorded');
  return recorded ? `${ENDED[RESULT_OF[recorded.decision]] ?? ''} by you` : '';
}

function attemptText(
  attempt: HistoryEntry['attempts'][number],
  final: FinalState | null,
  viewerId: string,
): string {
  const pressed = `You pressed ${DECISION_WORD[attempt.decision]}`;
  switch (attempt.outcome) {
    case 'recorded':
      return `${pressed}: recorded.`;
    case 'alreadyDecided': {
      const by = final && !isViewer(final.by, viewerId) ? inlineText(final.by?.displayName) : '';
      return `${pressed}: not recorded, already decided by ${by || 'someone else'}.`;
    }
    default:
      return `${pressed}: not recorded because ${NOT_RECORDED[attempt.outcome]}.`;
  }
}

function justificationHeading(final: FinalState, viewerId: string): string {
  const by = deciderOf(final, viewerId);
  if (by === 'you') return 'Your justification';
  return by ? `${by}'s justification` : 'Justification';
}

function entryView(entry: HistoryEntry, options: HistoryCardOptions, limits: TextLimits | null) {
  const { final } = entry;
  const title = entry.item ? itemTitle(entry.item) : inlineText(entry.title) || 'An item';
  const words =
    limits && final?.justification ? blockText(final.justification, limits.chars, limits.lines) : null;
  return {
    title: cut(title, (limits ?? LAST_LEVEL).itemChars).text,
    headline: headlineOf(entry, options),
    justificationHeading: final && words ? justificationHeading(final, options.viewerId) : '',
    justification: words?.lines ?? [],
    attempts: entry.attempts.map((a) => ({
      text: attemptText(a, final, options.viewerId),
      color: colorOf(a.outcome === 'recorded' ? 'Default' : 'Warning'),
    })),
  };
}

export function historyView(
  entries: readonly HistoryEntry[],
  options: HistoryCardOptions,
  limits: TextLimits | null,
): object {
  const { page, pages } = options;
  const pager = [
    ...(page > 1 ? [{ title: 'Newer', command: `history ${page - 1}` }] : []),
    ...(page < pages ? [{ title: 'Older', command: `history ${page + 1}` }] : []),
  ];
  return {
    heading: pages > 1 ? `Your decisions, page ${page} of ${pages}` : 'Your decisions',
    intro: 'Newest first: what you decided through me, and what others decided on items I showed you here.',
    entries: entries.map((e) => entryView(e, options, limits)),
    pager,
  };
}

/**
 * `history`: one page of the viewer's decisions and of the items others decided that had a card in their
 * chat, with Graph's facts only (who, when, their justification) and what came of each of the viewer's own
 * presses. The buttons are Action.Submit with the command `history <page>` as their data, which the bot runs
 * as if typed: Teams' imBack would type it in the chat, but the Agents Playground ignores imBack buttons.
 */
export function renderHistoryCard(
  entries: readonly HistoryEntry[],
  options: HistoryCardOptions,
): AdaptiveCard {
  return firstThatFits(
    [...TEXT_LEVELS, null].map(
      (limits) => () => expandTemplate('history', historyView(entries, options, limits)),
    ),
  );
}
