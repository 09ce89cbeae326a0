import type { Decision, DecisionTarget } from '../domain';
import type { AdaptiveCard, CardActionData, CardVerb } from './types';

/** Teams refreshes automatically for at most 60 users (teams-platform.md §1.4). */
export const MAX_REFRESH_USERS = 60;

export const VERB_OF_DECISION: Readonly<Record<Decision, CardVerb>> = {
  Approve: 'approve',
  Deny: 'deny',
  DontKnow: 'dontKnow',
  NotReviewed: 'reset',
};

export function actionData(
  verb: CardVerb,
  target: DecisionTarget,
  rev: number,
  decision?: Decision,
): CardActionData {
  const copy = { ...target };
  return decision ? { verb, target: copy, rev, decision } : { verb, target: copy, rev };
}

type Json = { [key: string]: unknown };

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** An Action.Execute becomes its Action.Submit fallback (same data, verb inside data). */
function toSubmit(action: Json): Json {
  if (isObject(action.fallback) && action.fallback.type === 'Action.Submit') return action.fallback;
  const data = isObject(action.data) ? action.data : {};
  return { type: 'Action.Submit', title: action.title, data: { ...data, verb: action.verb } };
}

function replaceExecute(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(replaceExecute);
  if (!isObject(node)) return node;
  if (node.type === 'Action.Execute') return toSubmit(node);
  const out: Json = {};
  for (const [key, value] of Object.entries(node)) out[key] = replaceExecute(value);
  return out;
}

export interface Finish {
  readonly refresh?: {
    readonly target: DecisionTarget;
    readonly rev: number;
    readonly userIds: readonly string[];
  };
  readonly submitOnly?: boolean;
}

/** Adds the card-level refresh, or turns every button into Action.Submit (which also means no refresh). */
export function finishCard(card: AdaptiveCard, finish: Finish): AdaptiveCard {
  if (finish.submitOnly) {
    const { refresh: _dropped, ...rest } = card;
    return { ...rest, body: replaceExecute(rest.body) as unknown[] };
  }
  if (!finish.refresh) return card;
  const { target, rev, userIds } = finish.refresh;
  return {
    ...card,
    refresh: {
      action: { type: 'Action.Execute', verb: 'refresh', data: actionData('refresh', target, rev) },
      userIds: userIds.slice(0, MAX_REFRESH_USERS),
    },
  };
}
