import type { Decision, DecisionTarget } from '../domain';
import { ITEM_KINDS, isGuid, MAX_JUSTIFICATION_LENGTH } from '../domain';
import { CARD_VERBS } from '../cards';
import type { CardVerb } from '../cards';

/**
 * Card data is untrusted input (design rule 2): whatever a client sends back from a card is parsed here,
 * at the edge, into a typed action or a clear refusal. Nothing unparsed reaches decisions/ or graph/.
 */

export type Verb = CardVerb;
export type DecisionVerb = 'approve' | 'deny' | 'dontKnow' | 'reset';
export const VERBS: readonly Verb[] = CARD_VERBS;

export const DECISION_OF_VERB: Readonly<Record<DecisionVerb, Decision>> = {
  approve: 'Approve',
  deny: 'Deny',
  dontKnow: 'DontKnow',
  reset: 'NotReviewed',
};

/** A press that decides: the decision, and the words typed with it. */
export interface DecisionPress<V extends Verb = DecisionVerb | 'retry'> {
  readonly verb: V;
  readonly target: DecisionTarget;
  readonly decision: Decision;
  readonly justification: string;
  readonly rev: number;
}

/** A press that only shows something: the card again (refresh), or its buttons again (change). */
export interface ViewPress<V extends Verb = 'refresh' | 'change'> {
  readonly verb: V;
  readonly target: DecisionTarget;
  readonly rev: number;
}

/** A press on a review's bulk card: what to do with every item of it that waits on the presser. */
export interface BulkPress {
  readonly verb: 'bulk';
  /** One item of the review, as the store knows it: the review's ids come from there. */
  readonly target: Extract<DecisionTarget, { kind: 'accessReview' }>;
  readonly rev: number;
  readonly choice: 'accept' | 'approve' | 'deny';
  /** The second press, after the bot said what would happen. */
  readonly confirmed: boolean;
  readonly justification: string;
}

/** Every card action, one variant per verb (so that a verb table can type each handler). */
export type CardAction =
  | { [V in DecisionVerb | 'retry']: DecisionPress<V> }[DecisionVerb | 'retry']
  | { [V in 'refresh' | 'change']: ViewPress<V> }['refresh' | 'change']
  | BulkPress;

export type Parsed<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly message: string };

type Json = Readonly<Record<string, unknown>>;
const obj = (v: unknown): Json | null =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json) : null;

export function parseTarget(value: unknown): Parsed<DecisionTarget> {
  const t = obj(value);
  if (!t) return { ok: false, message: 'The card did not say which request it is about.' };
  const ids = (names: readonly string[]): string | null => {
    for (const name of names) if (!isGuid(t[name])) return `The card's ${name} is not a GUID.`;
    return null;
  };
  switch (t.kind) {
    case 'accessPackage':
    case 'pimGroup': {
      const bad = ids(['approvalId', 'stageId']);
      if (bad) return { ok: false, message: bad };
      if (t.api !== 'v1.0' && t.api !== 'beta')
        return { ok: false, message: "The card's api is not v1.0 or beta." };
      return {
        ok: true,
        value: { kind: t.kind, approvalId: t.approvalId as string, stageId: t.stageId as string, api: t.api },
      };
    }
    case 'pimRole': {
      const bad = ids(['approvalId', 'stageId']);
      if (bad) return { ok: false, message: bad };
      return {
        ok: true,
        value: {
          kind: 'pimRole',
          approvalId: t.approvalId as string,
          stageId: t.stageId as string,
          api: 'beta',
        },
      };
    }
    case 'accessReview': {
      const bad = ids(['definitionId', 'instanceId', 'decisionId']);
      if (bad) return { ok: false, message: bad };
      if (t.stageId !== null && t.stageId !== undefined && !isGuid(t.stageId)) {
        return { ok: false, message: "The card's stageId is not a GUID." };
      }
      return {
        ok: true,
        value: {
          kind: 'accessReview',
          definitionId: t.definitionId as string,
          instanceId: t.instanceId as string,
          stageId: (t.stageId as string | null | undefined) ?? null,
          decisionId: t.decisionId as string,
        },
      };
    }
    default:
      return { ok: false, message: 'The card names an unknown kind of request.' };
  }
}

function isVerb(value: unknown): value is Verb {
  return typeof value === 'string' && (VERBS as readonly string[]).includes(value);
}

function decisionAllowed(target: DecisionTarget, decision: Decision): boolean {
  return ITEM_KINDS[target.kind].decisions.includes(decision);
}

/** Parses an Action.Execute's verb and data, or an Action.Submit's data (which carries the verb inside). */
export function parseCardAction(verbValue: unknown, dataValue: unknown): Parsed<CardAction> {
  const data = obj(dataValue) ?? {};
  const verb = verbValue ?? data.verb;
  if (!isVerb(verb)) return { ok: false, message: 'This card sent an action the bot does not know.' };
  const target = parseTarget(data.target);
  if (!target.ok) return target;
  const rev = typeof data.rev === 'number' && Number.isInteger(data.rev) && data.rev >= 0 ? data.rev : 0;
  if (verb === 'refresh' || verb === 'change')
    return { ok: true, value: { verb, target: target.value, rev } };
  const words = justificationOf(data.justification);
  if (!words.ok) return words;
  if (verb === 'bulk') {
    if (target.value.kind !== 'accessReview')
      return { ok: false, message: 'Only an access review can be decided item by item at once.' };
    const choice = data.choice;
    if (choice !== 'accept' && choice !== 'approve' && choice !== 'deny')
      return { ok: false, message: 'The card did not say what to do with the items.' };
    return {
      ok: true,
      value: {
        verb,
        target: target.value,
        rev,
        choice,
        confirmed: data.confirmed === true,
        justification: words.value,
      },
    };
  }

  let decision: Decision;
  if (verb === 'retry') {
    const raw = data.decision;
    if (raw !== 'Approve' && raw !== 'Deny' && raw !== 'DontKnow' && raw !== 'NotReviewed') {
      return { ok: false, message: 'The retry did not say which decision to retry.' };
    }
    decision = raw;
  } else {
    decision = DECISION_OF_VERB[verb];
  }
  if (!decisionAllowed(target.value, decision)) {
    return { ok: false, message: `${decision} is not a decision for this kind of request.` };
  }
  return { ok: true, value: { verb, target: target.value, decision, justification: words.value, rev } };
}

/** The words typed with a press: text, and not absurdly long (the exact limit is decisions' to say). */
function justificationOf(value: unknown): Parsed<string> {
  const justification = value ?? '';
  if (typeof justification !== 'string') return { ok: false, message: 'The justification must be text.' };
  if (justification.length > MAX_JUSTIFICATION_LENGTH * 4) {
    return {
      ok: false,
      message: `The justification is too long; keep it under ${MAX_JUSTIFICATION_LENGTH} characters.`,
    };
  }
  return { ok: true, value: justification };
}
