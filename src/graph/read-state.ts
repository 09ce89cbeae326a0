import type { DecidedResult, DecisionTarget, Person } from '../domain';
import type { GraphTransport, Sent } from './transport';
import { approvalStagePath, reviewerReads } from './paths';
import { isSuccess } from './to-outcome';
import { asObject, decisionItemState, page, stageState, str } from './wire';

/**
 * What a read as the caller says about one item. Every read here is one Graph documents for that caller
 * in delegated calls (graph-contract.md §2): an approver reads the approval stage they are in scope for;
 * a reviewer reads their own decision item and its instance or stage through filterByCurrentUser.
 */
export type ItemState =
  | {
      readonly kind: 'decided';
      readonly result: DecidedResult;
      readonly by: Person | null;
      readonly at: string | null;
      readonly justification: string;
    }
  /** Waiting for a decision; `mine` when it waits on the caller (assignedToMe, or listed for the reviewer). */
  | { readonly kind: 'open'; readonly mine: boolean }
  | { readonly kind: 'closed'; readonly status: string; readonly requestId: string | null }
  /**
   * Graph does not show it to the caller: 404, or absent from the reviewer's own list. Whether it is gone
   * for everyone or only not the caller's, one read cannot tell.
   */
  | { readonly kind: 'gone'; readonly requestId: string | null; readonly message: string }
  /** The read itself failed (403, 429, 5xx, a timeout): nothing is known. */
  | { readonly kind: 'unknown'; readonly status: number | null };

export interface StateRead {
  readonly state: ItemState;
  readonly requestId: string | null;
}

/** Approval stages report these once nobody can decide them any more (graph-contract.md §3.2). */
const CLOSED_STAGE = new Set(['Completed', 'Expired']);

function get(transport: GraphTransport, version: 'v1.0' | 'beta', path: string, timeoutMs: number) {
  return transport.send({ method: 'GET', version, path, mode: 'interactive', timeoutMs });
}

function failed(sent: Sent): StateRead {
  if (sent.ok && sent.response.status === 404) {
    return {
      state: { kind: 'gone', requestId: sent.response.requestId, message: 'not found' },
      requestId: sent.response.requestId,
    };
  }
  return {
    state: { kind: 'unknown', status: sent.ok ? sent.response.status : null },
    requestId: sent.ok ? sent.response.requestId : null,
  };
}

async function readApprovalStage(
  transport: GraphTransport,
  target: Extract<DecisionTarget, { approvalId: string }>,
  timeoutMs: number,
): Promise<StateRead> {
  const { version, path } = approvalStagePath(target);
  const sent = await get(transport, version, path, timeoutMs);
  if (!sent.ok || !isSuccess(sent.response.status)) return failed(sent);
  const requestId = sent.response.requestId;
  const stage = stageState(sent.response.body);
  if (!stage) return { state: { kind: 'unknown', status: sent.response.status }, requestId };
  if (stage.reviewResult !== 'NotReviewed') {
    return {
      state: {
        kind: 'decided',
        result: stage.reviewResult,
        by: stage.reviewedBy,
        at: stage.reviewedDateTime,
        justification: stage.justification,
      },
      requestId,
    };
  }
  if (CLOSED_STAGE.has(stage.status))
    return { state: { kind: 'closed', status: stage.status, requestId }, requestId };
  return { state: { kind: 'open', mine: stage.assignedToMe && stage.status === 'InProgress' }, requestId };
}

/** The status of the review scope a decision is taken in (instance, or stage of a multi-stage review). */
async function reviewScopeStatus(
  transport: GraphTransport,
  target: Extract<DecisionTarget, { kind: 'accessReview' }>,
  timeoutMs: number,
): Promise<{ readonly status: string | null; readonly requestId: string | null }> {
  const path = target.stageId === null ? reviewerReads.instance(target) : reviewerReads.stages(target);
  const sent = await get(transport, 'v1.0', path, timeoutMs);
  if (!sent.ok || !isSuccess(sent.response.status)) return { status: null, requestId: null };
  const wanted = (target.stageId ?? target.instanceId).toLowerCase();
  const scope = page(sent.response.body)
    .value.map(asObject)
    .find((o) => str(o?.id)?.toLowerCase() === wanted);
  return { status: str(scope?.status) ?? null, requestId: sent.response.requestId };
}

async function readReviewDecision(
  transport: GraphTransport,
  target: Extract<DecisionTarget, { kind: 'accessReview' }>,
  timeoutMs: number,
): Promise<StateRead> {
  const sent = await get(transport, 'v1.0', reviewerReads.decision(target), timeoutMs);
  if (!sent.ok || !isSuccess(sent.response.status)) return failed(sent);
  const requestId = sent.response.requestId;
  const wanted = target.decisionId.toLowerCase();
  const item = page(sent.response.body)
    .value.map(decisionItemState)
    .find((d) => d?.id.toLowerCase() === wanted);
  if (!item) return { state: { kind: 'gone', requestId, message: 'not among your review items' }, requestId };
  if (item.decision !== 'NotReviewed') {
    return {
      state: {
        kind: 'decided',
        result: item.decision,
        by: item.reviewedBy,
        at: item.reviewedDateTime,
        justification: item.justification,
      },
      requestId,
    };
  }
  // Not reviewed: decidable only while its instance (or stage) is in progress.
  const scope = await reviewScopeStatus(transport, target, timeoutMs);
  if (scope.status !== null && scope.status !== 'InProgress') {
    return { state: { kind: 'closed', status: scope.status, requestId: scope.requestId }, requestId };
  }
  return { state: { kind: 'open', mine: true }, requestId };
}

/** The item's state as Graph shows it to the caller now: decided (by whom, when), open, closed, gone. */
export async function readTargetState(
  transport: GraphTransport,
  target: DecisionTarget,
  timeoutMs: number,
): Promise<StateRead> {
  return target.kind === 'accessReview'
    ? readReviewDecision(transport, target, timeoutMs)
    : readApprovalStage(transport, target, timeoutMs);
}
