import type {
  AccessPackagePending,
  AccessReviewPending,
  Answer,
  DecidedResult,
  ItemKind,
  ItemOf,
  PendingItem,
  PimGroupPending,
  PimRolePending,
  Portal,
  PortalCloud,
  Schedule,
} from '../domain';
import { ITEM_KINDS, kindOf, portalIn } from '../domain';
import {
  accessIdText,
  describeSchedule,
  directoryScopeText,
  formatDay,
  formatWhen,
  personName,
  personText,
  pimActionText,
  requestTypeText,
  ticketText,
} from './format';
import type { Line } from './safe-text';
import { blockText, inlineText } from './safe-text';
import type { TextLimits } from './size-guard';
import type { TemplateName } from './templates';
import type { ItemCardOptions, SummaryCardOptions } from './types';

/**
 * How cards show each kind of pending item: its template, its title, its facts and its summary line, in
 * one typed record per kind (CARD_KINDS). The kind's domain facts (label, portal, decisions, deadline)
 * are the domain's ITEM_KINDS; a new kind needs an entry in both, and the compiler names them.
 */

/** Where to decide an item outside Teams: the kind's portal (the domain's kind table). */
export function portalFor(kind: ItemKind, cloud?: PortalCloud): Portal {
  return portalIn(ITEM_KINDS[kind].portal, cloud);
}

/** False for what Graph lets only the portal decide (the domain's kind table). */
export function decidableInTeams(item: PendingItem): boolean {
  return kindOf(item).decidableInTeams(item);
}

function possessive(name: string): string {
  return name.endsWith('s') ? `${name}'` : `${name}'s`;
}

export function stageText(item: PendingItem): string {
  const n = item.stageNumber;
  const m = item.stageCount;
  return n !== null && m !== null && m > 1 ? `Stage ${n} of ${m}` : '';
}

/** "request" for approvals, "access review item" for reviews: the noun user-facing sentences need. */
export function itemNoun(item: PendingItem): string {
  return ITEM_KINDS[item.kind].noun;
}

const RESULT_WORDS: Readonly<Record<DecidedResult, string>> = {
  Approved: 'Approved',
  Denied: 'Denied',
  DontKnow: "Don't know",
  NotReviewed: 'Not reviewed',
};

function requestedText(iso: string | null, options: ItemCardOptions): string {
  const when = formatWhen(iso, options.now, options.timeZone);
  return when ? `Requested ${when}` : '';
}

export interface Budget {
  cut: boolean;
}

function block(text: string, limits: TextLimits, budget: Budget): readonly Line[] {
  const result = blockText(text, limits.chars, limits.lines);
  if (result.cut) budget.cut = true;
  return result.lines;
}

function answerGroups(answers: readonly Answer[], limits: TextLimits, budget: Budget) {
  const groups: { question: string; values: Line[] }[] = [];
  let shown = 0;
  for (const answer of answers) {
    if (shown >= limits.items) break;
    const question = inlineText(answer.question, limits.itemChars) || 'Question';
    let group = groups.find((g) => g.question === question);
    if (!group) {
      group = { question, values: [] };
      groups.push(group);
    }
    const value = blockText(answer.answer, limits.itemChars, 1);
    if (value.cut) budget.cut = true;
    group.values.push({ text: value.lines.map((l) => l.text).join(' ') || '(no answer)' });
    shown += 1;
  }
  const hidden = answers.length - shown;
  if (hidden > 0) budget.cut = true;
  return {
    groups,
    more: hidden > 0 ? `${hidden} more ${hidden === 1 ? 'answer is' : 'answers are'} not shown here.` : '',
  };
}

function accessPackageData(
  item: AccessPackagePending,
  options: ItemCardOptions,
  limits: TextLimits,
  budget: Budget,
) {
  const answers = answerGroups(item.answers, limits, budget);
  return {
    requestor: personText(item.requestor),
    packageName: inlineText(item.accessPackage.displayName),
    packageDescription: block(item.accessPackage.description, limits, budget),
    requestType: requestTypeText(item.requestType),
    schedule: describeSchedule(item.schedule, options.now, options.timeZone),
    requested: requestedText(item.createdDateTime, options),
    justification: block(item.justification, limits, budget),
    answers: answers.groups,
    moreAnswers: answers.more,
  };
}

function pimData(
  item: PimGroupPending | PimRolePending,
  options: ItemCardOptions,
  limits: TextLimits,
  budget: Budget,
) {
  return {
    principal: personText(item.principal),
    requestKind: pimActionText(item.action),
    schedule: describeSchedule(item.schedule, options.now, options.timeZone),
    requested: requestedText(item.createdDateTime, options),
    justification: block(item.justification, limits, budget),
    ticket: ticketText(item.ticket),
  };
}

function recommendationText(item: AccessReviewPending, options: ItemCardOptions): string {
  const lastSignIn = formatDay(item.lastSignInDateTime, options.now, options.timeZone);
  switch (item.recommendation) {
    case 'Approve':
      return lastSignIn
        ? `Approve: last signed in on ${lastSignIn}`
        : 'Approve: signed in within the last 30 days';
    case 'Deny':
      return lastSignIn
        ? `Deny: no sign-in in the last 30 days (last sign-in on ${lastSignIn})`
        : 'Deny: no sign-in in the last 30 days';
    case 'NoInfoAvailable':
      return 'No recommendation: no information about sign-ins';
    case null:
      return '';
  }
}

function defaultDecisionText(value: string | null): string {
  switch ((value ?? '').toLowerCase()) {
    case 'approve':
      return 'If nobody reviews this by the due date, access stays (approved).';
    case 'deny':
      return 'If nobody reviews this by the due date, access is removed (denied).';
    case 'recommendation':
      return 'If nobody reviews this by the due date, the recommendation is applied.';
    default:
      return '';
  }
}

function accessReviewData(
  item: AccessReviewPending,
  options: ItemCardOptions,
  limits: TextLimits,
  budget: Budget,
) {
  const dueIso = options.context?.expiresAt ?? item.dueDateTime;
  const earlier = item.earlierStages.slice(0, limits.items).map((stage, i) => {
    const by = stage.reviewedBy ? ` by ${personName(stage.reviewedBy)}` : '';
    return {
      heading: `Stage ${i + 1}: ${RESULT_WORDS[stage.decision]}${by}`,
      lines: block(stage.justification, limits, budget),
    };
  });
  if (item.earlierStages.length > earlier.length) budget.cut = true;
  return {
    principalLabel: item.principal.type === 'servicePrincipal' ? 'App reviewed' : 'Person reviewed',
    principal: personText(item.principal),
    resource: inlineText(item.resource.displayName),
    recommendation: recommendationText(item, options),
    reviewName: inlineText(item.reviewName),
    due: formatWhen(dueIso, options.now, options.timeZone) ?? '',
    description: block(item.descriptionForReviewers, limits, budget),
    defaultDecision: defaultDecisionText(item.defaultDecision),
    earlierStages: earlier,
  };
}

/** How cards show one kind of pending item. */
export interface CardKind<K extends ItemKind> {
  readonly template: TemplateName;
  /** One line that says what the item is about, e.g. "Alex Wilber requests Marketing campaign tools". */
  title(item: ItemOf<K>): string;
  /** The kind's facts for its template, with free text held to `limits` (`budget.cut` when shortened). */
  facts(
    item: ItemOf<K>,
    options: ItemCardOptions,
    limits: TextLimits,
    budget: Budget,
  ): Record<string, unknown>;
  /** The summary card's line parts after the title. */
  summary(item: ItemOf<K>, options: SummaryCardOptions): readonly string[];
}

export type CardKindTable = { readonly [K in ItemKind]: CardKind<K> };

const schedule = (item: { readonly schedule: Schedule }, options: SummaryCardOptions): string =>
  describeSchedule(item.schedule, options.now, options.timeZone);

export const CARD_KINDS: CardKindTable = {
  accessPackage: {
    template: 'access-package',
    title: (item) =>
      `${personName(item.requestor)} requests ${inlineText(item.accessPackage.displayName) || 'an access package'}`,
    facts: accessPackageData,
    summary: (item, options) => [schedule(item, options), stageText(item)],
  },
  pimGroup: {
    template: 'pim-group',
    title: (item) => {
      const group = inlineText(item.group.displayName) || 'a group';
      const access = accessIdText(item.accessId);
      return `${personName(item.principal)} requests ${access ? `${access} of ${group}` : `access to ${group}`}`;
    },
    facts: (item, options, limits, budget) => ({
      ...pimData(item, options, limits, budget),
      group: inlineText(item.group.displayName),
      accessLevel: accessIdText(item.accessId),
    }),
    summary: (item, options) => [accessIdText(item.accessId), schedule(item, options), stageText(item)],
  },
  pimRole: {
    template: 'pim-role',
    title: (item) =>
      `${personName(item.principal)} requests ${inlineText(item.role.displayName) || 'a directory role'}`,
    facts: (item, options, limits, budget) => ({
      ...pimData(item, options, limits, budget),
      role: inlineText(item.role.displayName),
      scope: directoryScopeText(item.directoryScopeId),
    }),
    summary: (item, options) => [
      directoryScopeText(item.directoryScopeId),
      schedule(item, options),
      stageText(item),
    ],
  },
  accessReview: {
    template: 'access-review',
    title: (item) => {
      const who = possessive(personName(item.principal));
      const resource = inlineText(item.resource.displayName);
      const review = inlineText(item.reviewName);
      if (resource) return `Review ${who} access to ${resource}`;
      return review ? `Review ${who} access (${review})` : `Review ${who} access`;
    },
    facts: accessReviewData,
    summary: (item) => [inlineText(item.reviewName, 120), stageText(item)],
  },
};

/** How cards show this item's kind, typed for the item. */
export function kindOfCard<K extends ItemKind>(item: ItemOf<K>): CardKind<K> {
  // CardKindTable pairs each kind with its entry; TypeScript cannot follow that pairing through an index.
  return CARD_KINDS[item.kind as K] as CardKind<K>;
}

/**
 * One line that says what an item is about. Safe for cards and plain text alike: mentions and links in
 * names are already neutralised.
 */
export function itemTitle(item: PendingItem): string {
  return kindOfCard(item).title(item);
}
