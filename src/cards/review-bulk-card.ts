import type { AccessReviewPending, DecisionTarget, PortalCloud } from '../domain';
import { ITEM_KINDS, portalIn } from '../domain';
import { finishCard } from './actions';
import { formatWhen } from './format';
import { inlineText } from './safe-text';
import { expandTemplate } from './templates';
import type { AdaptiveCard } from './types';

/** What to do with every item of a review that waits on the reviewer. */
export type BulkChoice = 'accept' | 'approve' | 'deny';

/** The three steps of a bulk decision: the offer, the confirmation, and what Graph recorded. */
export type BulkStep =
  | { readonly kind: 'offer'; readonly prompt?: string }
  | { readonly kind: 'confirm'; readonly choice: BulkChoice; readonly justification: string }
  /** Graph is slower than Teams waits: the result replaces this card when it comes. */
  | { readonly kind: 'working' }
  | {
      readonly kind: 'done';
      readonly choice: BulkChoice;
      /** How many were recorded; what happened to the others, in the reviewer's words for each. */
      readonly recorded: number;
      readonly problems: readonly string[];
    };

export interface ReviewBulkOptions {
  readonly rev: number;
  readonly submitOnly?: boolean;
  /** For the due date, shown as every item card shows it. */
  readonly now: Date;
  readonly timeZone?: string;
  /** The tenant's cloud, for the portal links (public cloud by default). */
  readonly cloud?: PortalCloud;
}

/** Items of one review waiting on one reviewer: the bulk card's subject. */
export interface ReviewBatch {
  /** Any of the items: the card points at the review through it (its ids come from the store). */
  readonly target: Extract<DecisionTarget, { kind: 'accessReview' }>;
  readonly items: readonly AccessReviewPending[];
}

const CHOICE_TITLE: Readonly<Record<BulkChoice, (n: number) => string>> = {
  accept: () => 'Accept recommendations',
  approve: (n) => `Approve all ${n}`,
  deny: (n) => `Deny all ${n}`,
};

/** The recommendation an item's decision follows, or null where Graph has none to follow. */
export function recommendedDecision(item: AccessReviewPending): 'Approve' | 'Deny' | null {
  return item.recommendation === 'Approve' || item.recommendation === 'Deny' ? item.recommendation : null;
}

function plural(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

export function reviewBulkView(batch: ReviewBatch, step: BulkStep, options: ReviewBulkOptions): object {
  const first = batch.items[0];
  const n = batch.items.length;
  const approve = batch.items.filter((i) => recommendedDecision(i) === 'Approve').length;
  const deny = batch.items.filter((i) => recommendedDecision(i) === 'Deny').length;
  const none = n - approve - deny;
  const required = batch.items.some((i) => i.justificationRequired);
  const due = formatWhen(first?.dueDateTime, options.now, options.timeZone);
  const action = (choice: BulkChoice, confirmed: boolean, title: string) => ({
    title,
    target: batch.target,
    rev: options.rev,
    choice,
    confirmed,
  });
  let status = '';
  let lines: string[] = [];
  let actions: object[] = [];
  let justification = '';
  if (step.kind === 'offer') {
    status = step.prompt ?? '';
    actions = [
      ...(approve + deny > 0 ? [action('accept', false, CHOICE_TITLE.accept(n))] : []),
      action('approve', false, CHOICE_TITLE.approve(n)),
      action('deny', false, CHOICE_TITLE.deny(n)),
    ];
  } else if (step.kind === 'confirm') {
    justification = step.justification;
    const count =
      step.choice === 'accept'
        ? `${plural(approve, 'item', 'items')} approved and ${plural(deny, 'item', 'items')} denied, as recommended` +
          (none > 0
            ? `; ${plural(none, 'item has', 'items have')} no recommendation and ${none === 1 ? 'stays' : 'stay'} as ${none === 1 ? 'it is' : 'they are'}`
            : '')
        : `${plural(n, 'item', 'items')} ${step.choice === 'approve' ? 'approved' : 'denied'}`;
    status = `Decide ${plural(step.choice === 'accept' ? approve + deny : n, 'item', 'items')} at once? ${count}.`;
    lines = [
      step.justification
        ? 'Each decision gets the reason below.'
        : 'No reason is given: type one below to give it to each decision.',
    ];
    actions = [action(step.choice, true, `Yes, ${CHOICE_TITLE[step.choice](n).toLowerCase()}`)];
  } else if (step.kind === 'working') {
    status = `Deciding ${plural(n, 'item', 'items')}… This card shows the result when Microsoft Graph has answered.`;
  } else {
    status = `${plural(step.recorded, 'decision', 'decisions')} recorded in Microsoft Entra.`;
    lines = step.problems.map((p) => inlineText(p, 300));
  }
  const kind = ITEM_KINDS.accessReview;
  const portal = portalIn(kind.portal, options.cloud);
  return {
    kindLabel: kind.label,
    title: `${plural(n, 'item', 'items')} of ${inlineText(first?.reviewName ?? '') || 'this review'} ${n === 1 ? 'waits' : 'wait'} on you`,
    facts: [
      { title: 'Recommended: approve', value: String(approve) },
      { title: 'Recommended: deny', value: String(deny) },
      ...(none > 0 ? [{ title: 'No recommendation', value: String(none) }] : []),
      ...(due ? [{ title: 'Due', value: due }] : []),
    ],
    status,
    lines: lines.map((text) => ({ text })),
    showInput: step.kind === 'offer' || step.kind === 'confirm',
    justificationLabel: required ? 'Justification (required)' : 'Justification (optional)',
    justificationRequired: required,
    justification,
    actions,
    portalTitle: portal.title,
    portalUrl: portal.url,
  };
}

/** One card for every item of one review that waits on the reviewer: the offer, the check, the result. */
export function renderReviewBulkCard(
  batch: ReviewBatch,
  step: BulkStep,
  options: ReviewBulkOptions,
): AdaptiveCard {
  return finishCard(expandTemplate('review-bulk', reviewBulkView(batch, step, options)), {
    submitOnly: !!options.submitOnly,
  });
}
