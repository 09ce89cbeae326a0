import type { DecidedResult, Person, Schedule, Ticket } from '../domain';
import { normalizeResult } from '../domain';

/**
 * Defensive readers for Graph JSON. Graph's samples are sloppy (G14) and shapes drift between versions
 * (G5, G6), so every field is read as unknown and given a safe default.
 */

export type Json = Readonly<Record<string, unknown>>;

export function asObject(value: unknown): Json | null {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : null;
}

export function asArray(value: unknown): readonly unknown[] {
  return Array.isArray(value) ? value : [];
}

export function str(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

export function text(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

const EMPTY_GUID = '00000000-0000-0000-0000-000000000000';

/** An identity, userIdentity or accessPackageSubject; null for nobody (null, empty or all-zero id). */
export function person(value: unknown): Person | null {
  // reviewedBy is a single object on v1.0 and a collection on beta (gotcha G6).
  const raw = Array.isArray(value) ? value[0] : value;
  const o = asObject(raw);
  if (!o) return null;
  const id = str(o.objectId) ?? str(o.id);
  const displayName = str(o.displayName) ?? '';
  if ((id === null || id === EMPTY_GUID) && displayName === '') return null;
  const upn = str(o.userPrincipalName) ?? str(o.principalName);
  const mail = str(o.mail) ?? str(o.email);
  return {
    id: id === EMPTY_GUID ? null : id,
    displayName: displayName || upn || 'Unknown',
    ...(upn ? { userPrincipalName: upn } : {}),
    ...(mail ? { mail } : {}),
  };
}

export interface StageState {
  readonly id: string;
  /** The stage's name from its policy, e.g. "Manager approval"; often absent (§3.2). */
  readonly displayName: string | null;
  readonly assignedToMe: boolean;
  readonly status: string;
  readonly reviewResult: DecidedResult;
  readonly reviewedBy: Person | null;
  readonly reviewedDateTime: string | null;
  readonly justification: string;
}

export function stageState(value: unknown): StageState | null {
  const o = asObject(value);
  const id = o && str(o.id);
  if (!o || !id) return null;
  const name = str(o.displayName)?.trim();
  return {
    id,
    displayName: name ? name : null,
    assignedToMe: o.assignedToMe === true,
    status: str(o.status) ?? 'Unknown',
    reviewResult: normalizeResult(o.reviewResult),
    reviewedBy: person(o.reviewedBy),
    reviewedDateTime: str(o.reviewedDateTime),
    justification: text(o.justification),
  };
}

/** The stages of an approval: `stages` on v1.0, `steps` on beta (and sometimes `stages` on beta, G1). */
export function approvalStages(approval: unknown): readonly StageState[] {
  const o = asObject(approval);
  if (!o) return [];
  const list = Array.isArray(o.stages) ? o.stages : asArray(o.steps);
  return list.map(stageState).filter((s): s is StageState => s !== null);
}

export function isPendingForMe(stage: StageState): boolean {
  return stage.status === 'InProgress' && stage.assignedToMe && stage.reviewResult === 'NotReviewed';
}

export interface DecisionItemState {
  readonly id: string;
  readonly decision: DecidedResult;
  readonly reviewedBy: Person | null;
  readonly reviewedDateTime: string | null;
  readonly justification: string;
}

export function decisionItemState(value: unknown): DecisionItemState | null {
  const o = asObject(value);
  const id = o && str(o.id);
  if (!o || !id) return null;
  return {
    id,
    decision: normalizeResult(o.decision),
    reviewedBy: person(o.reviewedBy),
    reviewedDateTime: str(o.reviewedDateTime),
    justification: text(o.justification),
  };
}

export function schedule(value: unknown): Schedule {
  const o = asObject(value);
  const expiration = asObject(o?.expiration);
  return {
    startDateTime: str(o?.startDateTime),
    duration: str(expiration?.duration),
    endDateTime: str(expiration?.endDateTime),
    expirationType: str(expiration?.type),
  };
}

export function ticket(value: unknown): Ticket {
  const o = asObject(value);
  return { number: str(o?.ticketNumber), system: str(o?.ticketSystem) };
}

/** The `value` array and `@odata.nextLink` of a collection response. */
export function page(body: unknown): {
  readonly value: readonly unknown[];
  readonly nextLink: string | null;
} {
  const o = asObject(body);
  return { value: asArray(o?.value), nextLink: str(o?.['@odata.nextLink']) };
}
