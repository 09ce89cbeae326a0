import type { PendingItem } from '../domain';
import { ITEM_KINDS, MAX_JUSTIFICATION_LENGTH, deadlineOf } from '../domain';
import { formatDateTime, formatWhen, listNames, parseDate, personName } from './format';
import type { Budget } from './kinds';
import { decidableInTeams, itemTitle, kindOfCard, portalFor, stageText } from './kinds';
import type { Line } from './safe-text';
import { cut, inlineText, inputValue } from './safe-text';
import type { TextLimits } from './size-guard';
import { colorOf } from './palette';
import type { TextColor } from './palette';
import type { TemplateName } from './templates';
import type { AskedReason, ItemCardOptions } from './types';

/** A line of context under the facts; `color` is an Adaptive Cards text color. */
interface ColoredLine extends Line {
  readonly color: TextColor;
}

export interface ItemView {
  readonly template: TemplateName;
  readonly data: Record<string, unknown>;
  /** Nobody can decide the item any more (expired or closed): the card is final. */
  readonly final: boolean;
}

/** Approval stages report Completed or Expired once nobody can decide them any more (contract §3.2). */
const CLOSED_STAGE = new Set(['completed', 'expired']);

/** "at 10:42" today, "on 26 Nov 10:42" on another day. */
function atOrOn(formatted: string): string {
  return formatted.includes(' ') ? `on ${formatted}` : `at ${formatted}`;
}

function defaultReason(item: PendingItem): AskedReason {
  return item.kind === 'accessReview' ? 'reviewer' : 'approver';
}

function subjectName(item: PendingItem): string {
  return personName(item.kind === 'accessPackage' ? item.requestor : item.principal);
}

function reasonText(item: PendingItem, reason: AskedReason): string {
  const stage = stageText(item).toLowerCase();
  const forWhat = stage || 'this request';
  switch (reason) {
    case 'approver':
      return `You're asked because you're an approver for ${forWhat}.`;
    case 'fallbackApprover':
      return `You're asked because you're a fallback approver for ${forWhat}.`;
    case 'groupOwner':
      return item.kind === 'pimGroup'
        ? `You're asked because you're an owner of ${inlineText(item.group.displayName) || 'the group'}.`
        : `You're asked because you're a group owner for this request.`;
    case 'manager':
      return `You're asked because you're the manager of ${subjectName(item)}.`;
    case 'reviewer':
      return `You're asked because you're a reviewer of this access review${stage ? ` (${stage})` : ''}.`;
    case 'fallbackReviewer':
      return `You're asked because you're a fallback reviewer of this access review${stage ? ` (${stage})` : ''}.`;
  }
}

const DECISION_WORDS = {
  Approve: 'Approve',
  Deny: 'Deny',
  DontKnow: "Don't know",
  NotReviewed: 'Not reviewed',
} as const;

/** Everything all four item templates share: header, context, status, justification box, buttons. */
function commonView(item: PendingItem, options: ItemCardOptions, limits: TextLimits) {
  const { now, timeZone } = options;
  const ctx = options.context ?? {};
  const review = item.kind === 'accessReview';
  // What Graph said, or a review's due date: past it, the item is over.
  const knownIso = ctx.expiresAt ?? (review ? item.dueDateTime : null);
  const expired = (parseDate(knownIso)?.getTime() ?? Number.POSITIVE_INFINITY) <= now.getTime();
  // Else the kind's rule (a PIM request lapses a day after it was made), shown while ahead, never used to
  // close a card: Graph listing it as pending says otherwise.
  const ruled = deadlineOf(item);
  const ruledIso = ruled !== null && ruled > now.getTime() ? new Date(ruled).toISOString() : null;
  const expiresIso = knownIso ?? ruledIso;
  const expiresAt = parseDate(expiresIso);
  const stageClosed = !review && CLOSED_STAGE.has(item.stageStatus.toLowerCase());
  const closed = !!options.closed || expired || stageClosed;
  const inTeams = decidableInTeams(item);
  const canDecide = options.canAct && !closed && inTeams;
  const portal = portalFor(item.kind, options.cloud);

  let status = '';
  let statusColor: ColoredLine['color'] = 'Default';
  if (closed) {
    const when = expired ? formatDateTime(expiresIso, now, timeZone) : null;
    statusColor = colorOf('Warning');
    if (when) {
      status = review
        ? `This access review ended ${atOrOn(when)}. Nothing more to do.`
        : `This request expired ${atOrOn(when)}. Nothing more to do.`;
    } else {
      status = review
        ? "This access review is closed, so it can't be decided any more. Nothing more to do."
        : "This approval stage is closed, so it can't be decided any more. Nothing more to do.";
    }
  } else if (!inTeams && options.canAct) {
    statusColor = colorOf('Warning');
    status = `Extensions and renewals can't be decided in Teams. Open the request in ${portal.name} to approve or deny it.`;
  } else if (!options.canAct) {
    status = review
      ? 'Only the reviewers of this access review can decide it. Nothing for you to do.'
      : 'Only the approvers of this request can decide it. Nothing for you to do.';
  }

  const context: ColoredLine[] = [];
  if (!review && expiresAt && !expired) {
    context.push({ text: `Expires ${formatWhen(expiresIso, now, timeZone) ?? ''}`, color: 'Default' });
  }
  if (options.canAct && !closed) {
    context.push({ text: reasonText(item, ctx.reason ?? defaultReason(item)), color: 'Default' });
  }
  const others = listNames(ctx.otherDeciders ?? [], Math.min(limits.items, 10));
  if (others) {
    context.push({
      text: `${review ? 'Other reviewers' : 'Others who can decide'}: ${others}`,
      color: 'Default',
    });
  }
  const firstWins = ctx.firstDecisionWins ?? (!review && (ctx.otherDeciders?.length ?? 0) > 0);
  if (firstWins && !closed) {
    context.push({
      text: review ? 'The first reviewer to respond decides.' : 'The first approver to respond decides.',
      color: 'Default',
    });
  }
  const recorded =
    review && options.recordedDecision && options.recordedDecision !== 'NotReviewed'
      ? options.recordedDecision
      : null;
  if (recorded) {
    context.push({
      text: `Your current decision: ${DECISION_WORDS[recorded]}. You can change it until the review ends.`,
      color: colorOf('Good'),
    });
  }

  // Required by the review's settings, or by the stage (learned from Graph's 400 to a press without one).
  const required = !!options.justificationRequired || item.justificationRequired;
  return {
    closed,
    portal,
    data: {
      kindLabel: ITEM_KINDS[item.kind].label,
      title: itemTitle(item),
      stage: stageText(item),
      context,
      status,
      statusColor,
      prompt: canDecide && options.prompt ? inlineText(options.prompt, 300) : '',
      showInput: canDecide,
      justificationLabel: required ? 'Justification (required)' : 'Justification (needed to deny)',
      // What the viewer typed before a prompt sent the card back: their words are not lost.
      justificationValue: inputValue(options.justification, MAX_JUSTIFICATION_LENGTH),
      justificationPlaceholder: review
        ? 'Why should this access stay or go?'
        : 'Why are you approving or denying this request?',
      justificationRequired: required,
      justificationError: 'Enter a justification, then choose again.',
      showButtons: canDecide,
      showReset: canDecide && !!recorded,
      target: item.target,
      rev: options.rev,
      // Filled in by the caller once it knows whether text was shortened.
      portalTitle: '',
      portalUrl: '',
      shortened: '',
    },
    // Every open card links to where it can also be decided: it works where no button does (mobile).
    showPortal: !closed && options.canAct,
  };
}

/** The full card's data for one item kind, with free text held to `limits`. */
export function itemView(item: PendingItem, options: ItemCardOptions, limits: TextLimits): ItemView {
  const common = commonView(item, options, limits);
  const budget: Budget = { cut: false };
  const specific = kindOfCard(item).facts(item, options, limits, budget);
  const showPortal = common.showPortal || budget.cut;
  return {
    template: kindOfCard(item).template,
    final: common.closed,
    data: {
      ...common.data,
      ...specific,
      portalTitle: showPortal ? common.portal.title : '',
      portalUrl: showPortal ? common.portal.url : '',
      shortened: budget.cut
        ? `Some details are shortened to fit in Teams. Open ${common.portal.name} to see everything.`
        : '',
    },
  };
}

/**
 * The size guard's last resort: title, context and buttons, and a link for the rest. `minimal` drops
 * every piece of user text, so it fits whatever the item holds.
 */
export function shortItemView(item: PendingItem, options: ItemCardOptions, minimal: boolean): ItemView {
  const common = commonView(item, options, { chars: 0, lines: 0, items: 3, itemChars: 80 });
  const { portal } = common;
  return {
    template: 'item-short',
    final: common.closed,
    data: {
      ...common.data,
      title: minimal ? '' : cut(itemTitle(item), 150).text,
      context: minimal ? [] : common.data.context,
      prompt: minimal ? '' : common.data.prompt,
      showDontKnow: common.data.showButtons && item.kind === 'accessReview',
      note: `This ${item.kind === 'accessReview' ? 'access review item' : 'request'} has too much detail to show in Teams. Open it in ${portal.name} to read it in full.`,
      portalTitle: portal.title,
      portalUrl: portal.url,
    },
  };
}
