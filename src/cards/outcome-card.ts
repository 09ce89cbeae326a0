import type { Outcome } from '../domain';
import type { DecidedResult, Decision, PendingItem } from '../domain';
import { finishCard } from './actions';
import { formatDateTime, personName } from './format';
import { itemNoun, itemTitle, KIND_LABEL, portalFor } from './item-facts';
import type { Line } from './safe-text';
import { blockText, cut, inlineText, inputValue } from './safe-text';
import type { TextLimits } from './size-guard';
import { FIRST_LEVEL, firstThatFits, LAST_LEVEL, TEXT_LEVELS } from './size-guard';
import { expandTemplate } from './templates';
import type { AdaptiveCard, OutcomeCardOptions, WorkingCardOptions } from './types';

type Tone = 'Default' | 'Good' | 'Warning' | 'Attention';

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
  readonly portal?: boolean;
  /** Show the viewer's justification under the headline. */
  readonly showJustification?: boolean;
}

const DECISION_WORD: Readonly<Record<Decision, string>> = {
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

const RESULT_OF: Readonly<Record<Decision, DecidedResult>> = {
  Approve: 'Approved',
  Deny: 'Denied',
  DontKnow: 'DontKnow',
  NotReviewed: 'NotReviewed',
};

/** " at 10:42", " on 26 Nov 10:42", or nothing when the time is unknown. */
function when(iso: string | null | undefined, options: { now: Date; timeZone?: string }): string {
  const formatted = formatDateTime(iso, options.now, options.timeZone);
  if (!formatted) return '';
  return formatted.includes(' ') ? ` on ${formatted}` : ` at ${formatted}`;
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
  const at = when(options.decidedAt ?? options.now.toISOString(), options);
  if (review) {
    switch (decision) {
      case 'Approve':
        return {
          headline: `Approved by you${at}`,
          tone: 'Good',
          next: 'You can change your decision until the review ends.',
          reopen: 'Change decision',
          showJustification: true,
        };
      case 'Deny':
        return {
          headline: `Denied by you${at}`,
          tone: 'Attention',
          next: 'You can change your decision until the review ends.',
          reopen: 'Change decision',
          showJustification: true,
        };
      case 'DontKnow':
        return {
          headline: `"Don't know" recorded${at}`,
          tone: 'Default',
          next: 'You can change your decision until the review ends.',
          reopen: 'Change decision',
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

function wordingFor(
  item: PendingItem,
  outcome: Outcome,
  options: OutcomeCardOptions,
  limits: TextLimits,
): Wording {
  const review = item.kind === 'accessReview';
  const noun = itemNoun(item);
  const requestId = outcome.requestId
    ? [`Microsoft Graph request id: ${inlineText(outcome.requestId, 80)}`]
    : [];
  switch (outcome.kind) {
    case 'recorded':
      return recordedWording(item, outcome.decision, options);
    case 'alreadyDecided': {
      const by = options.decidedByViewer
        ? 'you'
        : outcome.by
          ? personName(outcome.by)
          : review
            ? 'another reviewer'
            : 'another approver';
      return {
        headline: `Already ${RESULT_WORD[outcome.result]} by ${by}${when(outcome.at, options)}`,
        tone: RESULT_TONE[outcome.result],
        next: options.decision
          ? "Your decision wasn't needed, so nothing was changed. Nothing more to do."
          : 'Nothing more to do.',
      };
    }
    case 'notFound':
      return {
        headline: `This ${noun} no longer exists`,
        tone: 'Warning',
        next: 'It was probably cancelled, completed or expired in the meantime. Nothing more to do.',
      };
    case 'forbidden':
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
        next: `Nothing was changed and there's nothing more for you to do. Open ${portalFor(item.kind).name} to see what waits on you.`,
        portal: true,
      };
    case 'reviewClosed': {
      const status = inlineText(outcome.status, 40);
      return {
        headline: 'This access review has ended',
        tone: 'Warning',
        details: status ? [`Review status: ${status}`] : [],
        next: "Decisions can't be changed any more. Nothing more to do.",
      };
    }
    case 'throttled':
      return {
        headline: 'Microsoft Graph is busy right now',
        tone: 'Warning',
        next: `Your decision wasn't saved yet. Try again in ${seconds(outcome.retryAfterSeconds)}.`,
        retry: true,
      };
    case 'unavailable':
      return {
        headline: "Couldn't reach Microsoft Graph",
        tone: 'Warning',
        details: [
          ...(outcome.status !== null ? [`Microsoft Graph answered with status ${outcome.status}.`] : []),
          ...requestId,
        ],
        next: "Your decision wasn't saved. Try again in a moment.",
        retry: true,
      };
    case 'invalid':
      return {
        headline: "Microsoft Graph didn't accept the decision",
        tone: 'Attention',
        details: [
          ...outcome.problems
            .slice(0, limits.items)
            .map((p) => inlineText(p, limits.itemChars))
            .filter((p) => p !== ''),
          ...requestId,
        ],
        next: 'Nothing was changed. Fix what is listed, then decide again.',
        reopen: 'Show the request again',
      };
    case 'signInRequired':
      return {
        headline: 'Your sign-in has expired',
        tone: 'Warning',
        next: options.decision
          ? 'Nothing was changed. Select Retry to sign in again, or type "sign in".'
          : 'Nothing was changed. Type "sign in", then decide again.',
        retry: true,
      };
  }
}

interface OutcomeData {
  readonly headline: string;
  readonly tone: Tone;
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
  const portal = portalFor(item.kind);
  const justification =
    wording.showJustification && !minimal
      ? blockText(options.justification, limits.chars, limits.lines).lines
      : [];
  const data: OutcomeData = {
    headline: wording.headline,
    tone: wording.tone,
    details: minimal ? [] : (wording.details ?? []).map((text) => ({ text })),
    justificationHeading: 'Your justification',
    justification,
    next: wording.next,
    showRetry: retry,
    retryTitle: decision ? `Retry: ${DECISION_WORD[decision]}` : 'Retry',
    retryJustification: retry ? inputValue(options.justification, 1000) : '',
    decision: decision ?? '',
    showReopen: reopen !== '',
    reopenTitle: reopen,
    portalTitle: wording.portal ? portal.title : '',
    portalUrl: wording.portal ? portal.url : '',
  };
  return {
    kindLabel: KIND_LABEL[item.kind],
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
  return outcomeData(item, wordingFor(item, outcome, options, limits), options, limits, minimal);
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
