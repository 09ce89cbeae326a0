import type { Failure } from './to-outcome';
import type { GraphTransport } from './transport';
import type { ReviewDecision } from '../domain';
import { checkGuid, checkReviewDecision, cleanJustification } from './input';
import { isGuid } from '../domain';
import { reviewScopePath, reviewStagePath, reviewerReads } from './paths';
import type { ReviewIds } from './paths';
import { failureOf, failureOfSent, isSuccess, refusedLocally } from './to-outcome';
import { asArray, asObject, page, str } from './wire';

const TIMEOUT_MS = 10_000;

/** accessReviewReviewerScope (graph-contract.md §3.9). */
export interface ReviewerScope {
  readonly query: string;
  readonly queryType: string;
  readonly queryRoot: string | null;
}

export interface ReviewStage {
  readonly id: string;
  readonly status: string;
  readonly startDateTime: string | null;
  readonly endDateTime: string | null;
  readonly reviewers: readonly ReviewerScope[];
  readonly fallbackReviewers: readonly ReviewerScope[];
}

export type StageUpdateResult =
  { readonly kind: 'updated'; readonly stage: ReviewStage; readonly requestId: string | null } | Failure;
export type BulkResult = { readonly kind: 'done'; readonly requestId: string | null } | Failure;

/** A stage can only be changed while it has not ended (docs/graph-contract.md §1.3). */
const UPDATABLE_STAGE_STATUSES = ['NotStarted', 'Initializing', 'InProgress'];

function scopes(value: unknown): ReviewerScope[] {
  return asArray(value)
    .map(asObject)
    .filter((o) => o !== null && typeof o.query === 'string')
    .map((o) => ({
      query: str(o?.query) ?? '',
      // One doc sample says "type" instead of "queryType" (§3.9).
      queryType: str(o?.queryType) ?? str(o?.type) ?? 'MicrosoftGraph',
      queryRoot: str(o?.queryRoot),
    }));
}

export function reviewStage(value: unknown): ReviewStage | null {
  const o = asObject(value);
  const id = o && str(o.id);
  if (!o || !id) return null;
  return {
    id,
    status: str(o.status) ?? 'Unknown',
    startDateTime: str(o.startDateTime),
    endDateTime: str(o.endDateTime),
    reviewers: scopes(o.reviewers),
    fallbackReviewers: scopes(o.fallbackReviewers),
  };
}

function idProblems(ids: ReviewIds): string[] {
  const problems: string[] = [];
  checkGuid('definitionId', ids.definitionId, problems);
  checkGuid('instanceId', ids.instanceId, problems);
  if (ids.stageId !== null) checkGuid('stageId', ids.stageId, problems);
  return problems;
}

function checkScopes(name: string, value: readonly ReviewerScope[] | undefined, problems: string[]): void {
  if (value === undefined) return;
  if (!Array.isArray(value)) {
    problems.push(`${name} must be a list of reviewer scopes`);
    return;
  }
  for (const scope of value) {
    if (typeof scope?.query !== 'string' || scope.query.trim() === '' || scope.query.length > 500) {
      problems.push(`${name}: every reviewer scope needs a query such as /users/{id}`);
    }
  }
}

const sameScope = (a: ReviewerScope, b: ReviewerScope) =>
  a.query.toLowerCase() === b.query.toLowerCase() && (a.queryRoot ?? null) === (b.queryRoot ?? null);

/**
 * Adds reviewers or fallback reviewers to one stage (docs/graph-contract.md §1.3). Refused before the network when the stage
 * has ended, or when the change would drop an existing fallback reviewer: Graph answers 409 for that.
 */
export async function updateReviewStage(
  transport: GraphTransport,
  ids: ReviewIds & { readonly stageId: string },
  change: {
    readonly reviewers?: readonly ReviewerScope[];
    readonly fallbackReviewers?: readonly ReviewerScope[];
  },
): Promise<StageUpdateResult> {
  const problems = idProblems(ids);
  checkScopes('reviewers', change.reviewers, problems);
  checkScopes('fallbackReviewers', change.fallbackReviewers, problems);
  if (change.reviewers === undefined && change.fallbackReviewers === undefined) {
    problems.push('nothing to change: give reviewers or fallbackReviewers');
  }
  if (problems.length > 0) return refusedLocally(problems);

  const path = reviewStagePath(ids);
  const read = await transport.send({
    method: 'GET',
    version: 'v1.0',
    path,
    mode: 'background',
    timeoutMs: TIMEOUT_MS,
  });
  if (!read.ok) return failureOfSent(read);
  if (!isSuccess(read.response.status)) return failureOf(read.response);
  const current = reviewStage(read.response.body);
  if (!current)
    return {
      kind: 'unavailable',
      view: 'caller',
      status: read.response.status,
      message: 'Graph returned a stage without an id',
      requestId: read.response.requestId,
    };

  if (!UPDATABLE_STAGE_STATUSES.includes(current.status)) {
    return {
      kind: 'invalid',
      view: 'caller',
      reachedGraph: true,
      problems: [
        `this stage is ${current.status}; only a stage that is NotStarted, Initializing or InProgress can be changed`,
      ],
      requestId: read.response.requestId,
    };
  }
  if (change.fallbackReviewers !== undefined) {
    const dropped = current.fallbackReviewers.filter(
      (f) => !change.fallbackReviewers?.some((n) => sameScope(f, n)),
    );
    if (dropped.length > 0) {
      return {
        kind: 'invalid',
        view: 'caller',
        reachedGraph: true,
        problems: [
          `fallback reviewers can only be added, never removed; keep ${dropped.map((d) => d.query).join(', ')}`,
        ],
        requestId: read.response.requestId,
      };
    }
  }

  const body = {
    '@odata.type': '#microsoft.graph.accessReviewStage',
    ...(change.reviewers ? { reviewers: change.reviewers } : {}),
    ...(change.fallbackReviewers ? { fallbackReviewers: change.fallbackReviewers } : {}),
  };
  const sent = await transport.send({
    method: 'PATCH',
    version: 'v1.0',
    path,
    body,
    mode: 'interactive',
    timeoutMs: TIMEOUT_MS,
  });
  if (!sent.ok) return failureOfSent(sent);
  if (!isSuccess(sent.response.status)) return failureOf(sent.response);
  const stage = reviewStage(sent.response.body);
  return stage
    ? { kind: 'updated', stage, requestId: sent.response.requestId }
    : {
        kind: 'unavailable',
        view: 'caller',
        status: sent.response.status,
        message: 'Graph did not return the updated stage',
        requestId: sent.response.requestId,
      };
}

/**
 * The status of the instance (or the stage, for multi-stage reviews), read the way a reviewer may: through
 * filterByCurrentUser (graph-contract.md §2.4), to tell whether the review is still open.
 */
export async function readReviewScopeStatus(
  transport: GraphTransport,
  ids: ReviewIds,
): Promise<string | null> {
  if (idProblems(ids).length > 0) return null;
  const sent = await transport.send({
    method: 'GET',
    version: 'v1.0',
    path: ids.stageId === null ? reviewerReads.instance(ids) : reviewerReads.stages(ids),
    mode: 'background',
    timeoutMs: TIMEOUT_MS,
  });
  if (!sent.ok || !isSuccess(sent.response.status)) return null;
  const wanted = (ids.stageId ?? ids.instanceId).toLowerCase();
  const scope = page(sent.response.body)
    .value.map(asObject)
    .find((o) => str(o?.id)?.toLowerCase() === wanted);
  return str(scope?.status);
}

async function bulk(
  transport: GraphTransport,
  ids: ReviewIds,
  action: string,
  body: unknown,
): Promise<BulkResult> {
  const sent = await transport.send({
    method: 'POST',
    version: 'v1.0',
    path: `${reviewScopePath(ids)}/${action}`,
    body,
    mode: 'interactive',
    timeoutMs: TIMEOUT_MS,
  });
  if (!sent.ok) return failureOfSent(sent);
  if (isSuccess(sent.response.status)) return { kind: 'done', requestId: sent.response.requestId };
  if (sent.response.status === 400) {
    const status = await readReviewScopeStatus(transport, ids);
    if (status !== null && status !== 'InProgress')
      return { kind: 'reviewClosed', view: 'item', status, requestId: sent.response.requestId };
  }
  return failureOf(sent.response);
}

/** Accepts the recommendation on every item I have not reviewed yet (instance or stage level). */
export async function acceptRecommendations(transport: GraphTransport, ids: ReviewIds): Promise<BulkResult> {
  const problems = idProblems(ids);
  if (problems.length > 0) return refusedLocally(problems);
  return bulk(transport, ids, 'acceptRecommendations', undefined);
}

export interface BatchRecord {
  readonly decision: unknown;
  readonly justification: unknown;
  /** Scope the decision to one principal or one resource; without both, every item is decided (§4). */
  readonly principalId?: string;
  readonly resourceId?: string;
}

export async function batchRecordDecisions(
  transport: GraphTransport,
  ids: ReviewIds,
  record: BatchRecord,
): Promise<BulkResult> {
  const problems = idProblems(ids);
  const decision = checkReviewDecision(record.decision);
  if (!decision.ok) problems.push(...decision.problems);
  else if (decision.value === 'NotReviewed')
    problems.push('batchRecordDecisions takes Approve, Deny or DontKnow');
  const justification = cleanJustification(record.justification);
  if (!justification.ok) problems.push(...justification.problems);
  if (record.principalId !== undefined) checkGuid('principalId', record.principalId, problems);
  if (record.resourceId !== undefined) checkGuid('resourceId', record.resourceId, problems);
  if (problems.length > 0 || !decision.ok || !justification.ok) return refusedLocally(problems);
  const body: Record<string, string> = {
    decision: decision.value as ReviewDecision,
    justification: justification.value,
  };
  if (record.principalId && isGuid(record.principalId)) body.principalId = record.principalId;
  if (record.resourceId && isGuid(record.resourceId)) body.resourceId = record.resourceId;
  return bulk(transport, ids, 'batchRecordDecisions', body);
}
