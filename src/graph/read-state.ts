import type { GraphTransport, Sent } from './transport';
import type { DecidedResult, DecisionTarget, Person } from '../domain';
import { approvalStagePath, reviewDecisionPath, reviewScopePath } from './paths';
import { isSuccess } from './to-outcome';
import { asObject, decisionItemState, stageState, str } from './wire';

/** What a read-back says about the item the write was aimed at. */
export type ItemState =
  | {
      readonly kind: 'decided';
      readonly result: DecidedResult;
      readonly by: Person | null;
      readonly at: string | null;
    }
  | { readonly kind: 'open' }
  | { readonly kind: 'closed'; readonly status: string; readonly requestId: string | null }
  | { readonly kind: 'gone'; readonly requestId: string | null; readonly message: string }
  | { readonly kind: 'unknown' };

async function get(transport: GraphTransport, version: 'v1.0' | 'beta', path: string, timeoutMs: number) {
  return transport.send({ method: 'GET', version, path, mode: 'interactive', timeoutMs });
}

function readFailed(sent: Sent): StateRead {
  if (sent.ok && sent.response.status === 404) {
    return {
      state: { kind: 'gone', requestId: sent.response.requestId, message: 'not found' },
      requestId: sent.response.requestId,
    };
  }
  return { state: { kind: 'unknown' }, requestId: sent.ok ? sent.response.requestId : null };
}

async function readApprovalStage(
  transport: GraphTransport,
  version: 'v1.0' | 'beta',
  path: string,
  timeoutMs: number,
): Promise<StateRead> {
  const sent = await get(transport, version, path, timeoutMs);
  if (!sent.ok || !isSuccess(sent.response.status)) return readFailed(sent);
  const requestId = sent.response.requestId;
  const stage = stageState(sent.response.body);
  if (!stage) return { state: { kind: 'unknown' } as ItemState, requestId };
  if (stage.reviewResult !== 'NotReviewed') {
    return {
      state: {
        kind: 'decided',
        result: stage.reviewResult,
        by: stage.reviewedBy,
        at: stage.reviewedDateTime,
      } as ItemState,
      requestId,
    };
  }
  if (stage.status === 'Completed' || stage.status === 'Expired') {
    return { state: { kind: 'closed', status: stage.status, requestId } as ItemState, requestId };
  }
  return { state: { kind: 'open' } as ItemState, requestId };
}

async function readReviewDecision(
  transport: GraphTransport,
  target: Extract<DecisionTarget, { kind: 'accessReview' }>,
  path: string,
  timeoutMs: number,
): Promise<StateRead> {
  const sent = await get(transport, 'v1.0', path, timeoutMs);
  if (!sent.ok || !isSuccess(sent.response.status)) return readFailed(sent);
  const requestId = sent.response.requestId;
  const item = decisionItemState(sent.response.body);
  if (!item) return { state: { kind: 'unknown' } as ItemState, requestId };
  // The review scope (stage or instance) must still be open for a decision to be taken.
  const scope = await get(transport, 'v1.0', reviewScopePath(target), timeoutMs);
  const status =
    scope.ok && isSuccess(scope.response.status) ? str(asObject(scope.response.body)?.status) : null;
  if (item.decision !== 'NotReviewed' || item.reviewedBy !== null) {
    return {
      state: {
        kind: 'decided',
        result: item.decision,
        by: item.reviewedBy,
        at: item.reviewedDateTime,
      } as ItemState,
      requestId,
    };
  }
  if (status !== null && status !== 'InProgress') {
    return {
      state: { kind: 'closed', status, requestId: scope.ok ? scope.response.requestId : null } as ItemState,
      requestId,
    };
  }
  return { state: { kind: 'open' } as ItemState, requestId };
}

export interface StateRead {
  readonly state: ItemState;
  readonly requestId: string | null;
}

/** The item's state as Graph reads it now: decided (by whom, when), open, closed, gone or unknown. */
export async function readTargetState(
  transport: GraphTransport,
  target: DecisionTarget,
  timeoutMs: number,
): Promise<StateRead> {
  if (target.kind === 'accessReview')
    return readReviewDecision(transport, target, reviewDecisionPath(target).path, timeoutMs);
  const { version, path } = approvalStagePath(target);
  return readApprovalStage(transport, version, path, timeoutMs);
}
