import type { Outcome } from '../domain';
import type { DecidedResult, Decision, FinalState, PendingItem } from '../domain';
import { ITEM_KINDS } from '../domain';
import { colorOf } from './palette';
import type { TextColor, Tone } from './palette';
import { finishCard } from './actions';
import { atTime, personName } from './format';
import { itemNoun, itemTitle, portalFor } from './kinds';
import type { Line } from './safe-text';
import { blockText, cut, inlineText, inputValue } from './safe-text';
import type { TextLimits } from './size-guard';
import { FIRST_LEVEL, firstThatFits, LAST_LEVEL, TEXT_LEVELS } from './size-guard';
import { expandTemplate } from './templates';
import type { AdaptiveCard, FinalCardOptions, OutcomeCardOptions, WorkingCardOptions } from './types';

/** What an outcome card says: what happened (headline, details) and what to do next. */
interface Wording {
  readonly headline: string;
  readonly tone: Tone;
  readonly details?: readonly string[];
  readonly next: string;
  /** Offer Retry with the same decision (when the decision is known). */
  readonly retry?: boolean;
  /** Offer a button that shows the item card again (verb refresh), with this title. */
  readonly reopen?: string;
  /** `change`: the reopen button brings the decision buttons back (a review decision being changed). */
  readonly reopenVerb?: 'refresh' | 'change';
  readonly portal?: boolean;
  /** Show the viewer's justification under the headline. */
  readonly showJustification?: boolean;
  /** Another decider's justification as Graph returned it, and whose it is ("Megan Bowen's"). */
  readonly decidersWords?: string;
  readonly decidersName?: string;
}

/** A decision as its button names it. */
export const DECISION_WORD: Readonly<Record<Decision, string>> = {
  Approve: 'Approve',
  Deny: 'Deny',
  DontKnow: "Don't know",
  NotReviewed: 'Reset',
};

const RESULT_WORD: Readonly<Record<DecidedResult, string>> = {
  Approved: 'approved',
  Denied: 'denied',
  DontKnow: 'marked "Don\'t know"',
  NotReviewed: 'reset to "Not reviewed"',
};

const RESULT_TONE: Readonly<Record<DecidedResult, Tone>> = {
  Approved: 'Good',
  Denied: 'Attention',
  DontKnow: 'Default',
  NotReviewed: 'Default',
};

/** The result a recorded decision reads back as. */
export const RESULT_OF: Readonly<Record<Decision, DecidedResult>> = {
  Approve: 'Approved',
  Deny: 'Denied',
  DontKnow: 'DontKnow',
  NotReviewed: 'NotReviewed',
};

function when(iso: string | null | undefined, options: { now: Date; timeZone?: string }): string {
  return atTime(iso, options.now, options.timeZone);
}

function seconds(n: number): string {
  const whole = Math.max(1, Math.ceil(n));
  return `${whole} second${whole === 1 ? '' : 's'}`;
}

function recordedWording(item: PendingItem, decision: Decision, options: OutcomeCardOptions): Wording {
  const review = item.kind === 'accessReview';
  if (!options.decidedByViewer) {
    const result = RESULT_WORD[RESULT_OF[decision]];
    const at = options.decidedAt ? when(options.decidedAt, options) : '';
    return {
      headline: options.decidedBy
        ? `${result.charAt(0).toUpperCase()}${result.slice(1)} by ${personName(options.decidedBy)}${at}`
        : `This ${itemNoun(item)} was ${result}${at}`,
      tone: RESULT_TONE[RESULT_OF[decision]],
      next: 'Nothing more to do.',
    };
  }
  // Only Graph's time: right after a 204 Graph has not said it yet, and the card says no time at all.
  const at = when(options.decidedAt ?? null, options);
  if (review) {
    switch (decision) {
      case 'Approve':
        return {
          headline: `Approved by you${at}`,
          tone: 'Good',
          next: 'You can change your decision until the review ends.',
          reopen: 'Change decision',
          reopenVerb: 'change',
          showJustification: true,
        };
      case 'Deny':
        return {
          headline: `Denied by you${at}`,
          tone: 'Attention',
          next: 'You can change your decision until the review ends.',
          reopen: 'Change decision',
          reopenVerb: 'change',
          showJustification: true,
        };
      case 'DontKnow':
        return {
          headline: `"Don't know" recorded${at}`,
          tone: 'Default',
          next: 'You can change your decision until the review ends.',
          reopen: 'Change decision',
          reopenVerb: 'change',
          showJustification: true,
        };
      case 'NotReviewed':
        return {
          headline: `Your decision was reset${at}`,
          tone: 'Default',
          next: 'The item is back to "Not reviewed". Decide it when you\'re ready, before the review ends.',
          reopen: 'Decide now',
        };
    }
  }
  if (decision === 'Deny') {
    return {
      headline: `Denied by you${at}`,
      tone: 'Attention',
      next: "Nothing more to do. A denied request doesn't go any further.",
      showJustification: true,
    };
  }
  const n = item.stageNumber;
  const m = item.stageCount;
  const next =
    n !== null && m !== null && n < m
      ? `The request now goes to stage ${n + 1} of ${m}. Nothing more to do for you.`
      : 'Nothing more to do.';
  return { headline: `Approved by you${at}`, tone: 'Good', next, showJustification: true };
}

/** What a wording is worded from: the item, the outcome of one kind, and how the card is shown. */
interface WordingInput<K extends Outcome['kind']> {
  readonly item: PendingItem;
  readonly outcome: Extract<Outcome, { readonly kind: K }>;
  readonly options: OutcomeCardOptions;
  readonly limits: TextLimits;
  readonly review: boolean;
  readonly noun: string;
  /** Graph's request id as a detail line, when Graph gave one. */
  readonly requestId: readonly string[];
}

/** One wording per outcome kind: a new kind of Outcome does not compile until it has its words here. */
const WORDING: { readonly [K in Outcome['kind']]: (input: WordingInput<K>) => Wording } = {
  recorded: ({ item, outcome, options }) => recordedWording(item, outcome.decision, options),
  alreadyDecided: ({ item, outcome, options, review }) => {
    const other = review ? 'another reviewer' : 'another approver';
    if (outcome.result === null) {
      // Graph's 409 says the stage was decided, and no read could say by whom or how.
      return {
        headline: `Already decided by ${other}`,
        tone: 'Default',
        next: options.decision
          ? `Your decision wasn't needed, so nothing was changed. Open ${portalFor(item.kind, options.cloud).name} to see who decided and how.`
          : 'Nothing more to do.',
        portal: true,
      };
    }
    const by = options.decidedByViewer ? 'you' : outcome.by?.displayName ? personName(outcome.by) : other;
    return {
      headline: `Already ${RESULT_WORD[outcome.result]} by ${by}${when(outcome.at, options)}`,
      tone: RESULT_TONE[outcome.result],
      next: options.decision
        ? "Your decision wasn't needed, so nothing was changed. Nothing more to do."
        : 'Nothing more to do.',
      decidersWords: outcome.justification ?? '',
      decidersName: options.decidedByViewer ? 'Your' : by === other ? 'Their' : `${by}'s`,
    };
  },
  notFound: ({ item, noun, options }) => {
    // One read by one person: the item may be gone, not theirs, or not visible yet. Nothing more is claimed.
    return {
      headline: `Microsoft Graph doesn't show you this ${noun}`,
      tone: 'Warning',
      next: `Nothing was decided. It may have been completed or cancelled, or it isn't waiting on you; if it arrived moments ago, try again in a minute. Open ${portalFor(item.kind, options.cloud).name} to see what waits on you.`,
      portal: true,
      reopen: 'Show the request again',
    };
  },
  needsJustification: ({ outcome }) => ({
    headline:
      outcome.reason === 'deny'
        ? 'Please give a reason for denying'
        : outcome.reason === 'review'
          ? 'This review asks for a reason with every decision'
          : 'This approval stage asks for your justification',
    tone: 'Warning',
    next: outcome.reachedGraph
      ? 'Microsoft Graph did not record your decision without one. Type your reason, then choose again.'
      : 'Nothing was sent to Microsoft Graph. Type your reason, then choose again.',
    reopen: 'Show the request again',
  }),
  forbidden: ({ item, outcome, options, limits, review, requestId }) => {
    if (outcome.reason === 'missingConsent') {
      const said = inlineText(outcome.message, limits.itemChars);
      return {
        headline: "Your decision couldn't be saved",
        tone: 'Attention',
        details: [
          'The app is missing permission; ask your admin to grant consent.',
          ...(said ? [`Microsoft Graph said: ${said}`] : []),
          ...requestId,
        ],
        next: options.decision
          ? 'Once consent is granted, select Retry.'
          : 'Once consent is granted, decide again from the request card.',
        retry: true,
      };
    }
    return {
      headline: review
        ? "You're not (or no longer) a reviewer for this access review"
        : "You're not (or no longer) an approver for this request",
      tone: 'Warning',
      next: `Nothing was changed and there's nothing more for you to do. Open ${portalFor(item.kind, options.cloud).name} to see what waits on you.`,
      portal: true,
    };
  },
  reviewClosed: ({ outcome }) => {
    const status = inlineText(outcome.status, 40);
    return {
      headline: 'This access review has ended',
      tone: 'Warning',
      details: status ? [`Review status: ${status}`] : [],
      next: "Decisions can't be changed any more. Nothing more to do.",
    };
  },
  throttled: ({ outcome }) => ({
    headline: 'Microsoft Graph is busy right now',
    tone: 'Warning',
    next: `Your decision wasn't saved yet. Try again in ${seconds(outcome.retryAfterSeconds)}.`,
    retry: true,
  }),
  unavailable: ({ outcome, requestId }) => ({
    headline: "Couldn't reach Microsoft Graph",
    tone: 'Warning',
    details: [
      ...(outcome.status !== null ? [`Microsoft Graph answered with status ${outcome.status}.`] : []),
      ...requestId,
    ],
    next: "Your decision wasn't saved. Try again in a moment.",
    retry: true,
  }),
  invalid: ({ outcome, limits, requestId }) => ({
    headline: outcome.reachedGraph
      ? "Microsoft Graph didn't accept the decision"
      : "Your decision wasn't sent",
    tone: 'Attention',
    details: [
      ...outcome.problems
        .slice(0, limits.items)
        .map((p) => inlineText(p, limits.itemChars))
        .filter((p) => p !== ''),
      ...requestId,
    ],
    next: outcome.reachedGraph
      ? 'Nothing was changed. Fix what is listed, then decide again.'
      : 'Nothing was sent to Microsoft Graph. Fix what is listed, then decide again.',
    reopen: 'Show the request again',
  }),
  signInRequired: ({ options }) => ({
    headline: 'Your sign-in has expired',
    tone: 'Warning',
    next: options.decision
      ? 'Nothing was changed. Select Retry to sign in again, or type "sign in".'
      : 'Nothing was changed. Type "sign in", then decide again.',
    retry: true,
  }),
};

function wordingFor(
  item: PendingItem,
  outcome: Outcome,
  options: OutcomeCardOptions,
  limits: TextLimits,
): Wording {
  const requestId = outcome.requestId
    ? [`Microsoft Graph request id: ${inlineText(outcome.requestId, 80)}`]
    : [];
  const review = item.kind === 'accessReview';
  const input = { item, outcome, options, limits, review, noun: itemNoun(item), requestId };
  // WORDING pairs each outcome kind with its words; TypeScript cannot follow that pairing through an index.
  return (WORDING[outcome.kind] as (input: WordingInput<Outcome['kind']>) => Wording)(input);
}

interface OutcomeData {
  readonly headline: string;
  readonly tone: TextColor;
  readonly details: readonly Line[];
  readonly justificationHeading: string;
  readonly justification: readonly Line[];
  readonly next: string;
  readonly showRetry: boolean;
  readonly retryTitle: string;
  readonly retryJustification: string;
  readonly decision: string;
  readonly showReopen: boolean;
  readonly reopenTitle: string;
  readonly reopenVerb: 'refresh' | 'change';
  readonly portalTitle: string;
  readonly portalUrl: string;
}

function outcomeData(
  item: PendingItem,
  wording: Wording,
  options: OutcomeCardOptions,
  limits: TextLimits,
  minimal: boolean,
): object {
  const decision = options.decision;
  const retry = !!wording.retry && !!decision;
  // Without a decision to retry, the way on is the request card itself.
  const reopen = wording.reopen ?? (wording.retry && !decision ? 'Show the request again' : '');
  const portal = portalFor(item.kind, options.cloud);
  const words = wording.decidersWords ?? (wording.showJustification ? options.justification : '');
  const justification = !minimal && words ? blockText(words, limits.chars, limits.lines).lines : [];
  const data: OutcomeData = {
    headline: wording.headline,
    tone: colorOf(wording.tone),
    details: minimal ? [] : (wording.details ?? []).map((text) => ({ text })),
    justificationHeading: wording.decidersWords
      ? `${wording.decidersName ?? 'Their'} justification`
      : 'Your justification',
    justification,
    next: wording.next,
    showRetry: retry,
    retryTitle: decision ? `Retry: ${DECISION_WORD[decision]}` : 'Retry',
    retryJustification: retry ? inputValue(options.justification, 1000) : '',
    decision: decision ?? '',
    showReopen: reopen !== '',
    reopenTitle: reopen,
    reopenVerb: wording.reopenVerb ?? 'refresh',
    portalTitle: wording.portal ? portal.title : '',
    portalUrl: wording.portal ? portal.url : '',
  };
  return {
    kindLabel: ITEM_KINDS[item.kind].label,
    title: minimal ? '' : cut(itemTitle(item), limits.chars === Number.POSITIVE_INFINITY ? 256 : 150).text,
    target: item.target,
    rev: options.rev,
    ...data,
  };
}

/** The outcome template's data; `minimal` keeps only what needs no user text. */
export function outcomeView(
  item: PendingItem,
  outcome: Outcome,
  options: OutcomeCardOptions,
  limits: TextLimits,
  minimal = false,
): object {
  // A recorded decision carries Graph's time (when a read gave it) and the words that were sent.
  const effective: OutcomeCardOptions =
    outcome.kind === 'recorded'
      ? {
          ...options,
          decidedAt: options.decidedAt ?? outcome.at,
          ...(options.justification === undefined && outcome.justification !== ''
            ? { justification: outcome.justification }
            : {}),
        }
      : options;
  return outcomeData(item, wordingFor(item, outcome, effective, limits), effective, limits, minimal);
}

/** How an item ended, as one viewer reads it (design rule 7): only what Graph showed. */
function finalWording(item: PendingItem, final: FinalState, options: FinalCardOptions): Wording {
  const review = item.kind === 'accessReview';
  const noun = itemNoun(item);
  const at = when(final.at, options);
  if (final.result === 'gone') {
    return {
      headline: `This ${noun} no longer waits for a decision`,
      tone: 'Default',
      next: `Microsoft Graph no longer lists it for its ${review ? 'reviewers' : 'approvers'}. Nothing more to do.`,
    };
  }
  if (final.result === 'closed') {
    return {
      headline: review ? 'This access review has ended' : 'This approval stage is closed',
      tone: 'Warning',
      next: "It can't be decided any more. Nothing more to do.",
    };
  }
  const result = RESULT_WORD[final.result];
  const change =
    final.changeable && options.canChange
      ? {
          reopen: 'Change decision',
          reopenVerb: 'change' as const,
          next: 'You can change the decision until the review ends.',
        }
      : { next: 'Nothing more to do.' };
  if (options.viewerDecided) {
    return {
      headline: `${result.charAt(0).toUpperCase()}${result.slice(1)} by you${at}`,
      tone: RESULT_TONE[final.result],
      ...change,
      decidersWords: final.justification ?? '',
      decidersName: 'Your',
    };
  }
  const name = final.by?.displayName ? personName(final.by) : null;
  return {
    headline: name ? `Already ${result} by ${name}${at}` : `This ${noun} was already ${result}${at}`,
    tone: RESULT_TONE[final.result],
    ...change,
    decidersWords: final.justification ?? '',
    decidersName: name ? `${name}'s` : 'Their',
  };
}

/** The card of an item that ended, for every copy and every refresh. */
export function renderFinalCard(
  item: PendingItem,
  final: FinalState,
  options: FinalCardOptions,
): AdaptiveCard {
  const submitOnly = !!options.submitOnly;
  const outcomeOptions: OutcomeCardOptions = {
    decidedByViewer: options.viewerDecided,
    now: options.now,
    rev: options.rev,
    submitOnly,
    ...(options.timeZone ? { timeZone: options.timeZone } : {}),
  };
  const wording = finalWording(item, final, options);
  return firstThatFits([
    ...TEXT_LEVELS.map(
      (limits) => () =>
        finishCard(expandTemplate('outcome', outcomeData(item, wording, outcomeOptions, limits, false)), {
          submitOnly,
        }),
    ),
    () =>
      finishCard(expandTemplate('outcome', outcomeData(item, wording, outcomeOptions, LAST_LEVEL, true)), {
        submitOnly,
      }),
  ]);
}

/** The card after a decision attempt: the item's summary, what happened, and what to do next. */
export function renderOutcomeCard(
  item: PendingItem,
  outcome: Outcome,
  options: OutcomeCardOptions,
): AdaptiveCard {
  const submitOnly = !!options.submitOnly;
  return firstThatFits([
    ...TEXT_LEVELS.map(
      (limits) => () =>
        finishCard(expandTemplate('outcome', outcomeView(item, outcome, options, limits)), { submitOnly }),
    ),
    () =>
      finishCard(expandTemplate('outcome', outcomeView(item, outcome, options, LAST_LEVEL, true)), {
        submitOnly,
      }),
  ]);
}

const WORKING: Readonly<Record<Decision, string>> = {
  Approve: 'approving',
  Deny: 'denying',
  DontKnow: 'recording "Don\'t know" for',
  NotReviewed: 'resetting your decision on',
};

/** Shown while Graph is slower than Teams waits; the final card replaces it by an update. */
export function renderWorkingCard(
  item: PendingItem,
  decision: Decision,
  options: WorkingCardOptions,
): AdaptiveCard {
  const wording: Wording = {
    headline: `Working on it: ${WORKING[decision]} this ${itemNoun(item)}…`,
    tone: 'Default',
    next: "Microsoft Graph is taking a moment. This card will update when it's done; there's no need to press anything again.",
  };
  const outcomeOptions: OutcomeCardOptions = {
    decidedByViewer: true,
    now: options.now,
    rev: options.rev,
    ...(options.timeZone ? { timeZone: options.timeZone } : {}),
  };
  const refresh = options.refreshUserIds
    ? { target: item.target, rev: options.rev, userIds: options.refreshUserIds }
    : undefined;
  return firstThatFits(
    [false, true].map(
      (minimal) => () =>
        finishCard(
          expandTemplate('outcome', outcomeData(item, wording, outcomeOptions, FIRST_LEVEL, minimal)),
          {
            ...(refresh && !minimal ? { refresh } : {}),
            submitOnly: !!options.submitOnly,
          },
        ),
    ),
  );
}
