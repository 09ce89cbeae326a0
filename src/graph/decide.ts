import type { Decision, DecisionTarget, Outcome } from '../domain';
import { normalizeResult } from '../domain';
import type { Failure } from './to-outcome';
import type { GraphResponse, GraphTransport, Sent } from './transport';
import type { StateRead } from './read-state';
import { checkApprovalDecision, checkReviewDecision, checkTarget, cleanJustification } from './input';
import { approvalStagePath, reviewDecisionPath } from './paths';
import { readTargetState } from './read-state';
import {
  failureOf,
  failureOfSent,
  isSuccess,
  isTransient,
  refusedLocally,
  retryAfterSeconds,
} from './to-outcome';

/** A decision to write: the target comes from the bot's stored item, the rest from the person who pressed. */
export interface DecideRequest {
  readonly target: DecisionTarget;
  readonly decision: unknown;
  readonly justification: unknown;
}

export interface DecideOptions {
  /** Window in which failed attempts are retried (about 4 s when a user waits, gotcha G16). */
  readonly budgetMs: number;
  /**
   * Longest one request may take. A slow answer is waited for beyond the budget: the caller shows
   * "working on it" and the final card follows (design rule 3).
   */
  readonly attemptTimeoutMs: number;
}

/** Shortest time worth starting a request with. */
const MIN_ATTEMPT_MS = 250;
/** Backoff before retrying a transient failure that carried no Retry-After. */
const BACKOFF_MS = 400;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

interface Plan {
  readonly version: 'v1.0' | 'beta';
  readonly path: string;
  /** Only the approver's own words: no `justification` at all when they typed none. */
  readonly body: Readonly<Record<string, string>>;
  readonly decision: Decision;
  readonly justification: string;
}

function validate(request: DecideRequest): Plan | { problems: readonly string[] } {
  const problems = checkTarget(request.target);
  const justification = cleanJustification(request.justification);
  if (!justification.ok) problems.push(...justification.problems);
  const target = request.target;
  const decision =
    target.kind === 'accessReview'
      ? checkReviewDecision(request.decision)
      : checkApprovalDecision(request.decision);
  if (!decision.ok) problems.push(...decision.problems);
  if (problems.length > 0 || !decision.ok || !justification.ok) return { problems };
  const words: Record<string, string> =
    justification.value === '' ? {} : { justification: justification.value };
  const { version, path } =
    target.kind === 'accessReview' ? reviewDecisionPath(target) : approvalStagePath(target);
  return {
    version,
    path,
    decision: decision.value,
    justification: justification.value,
    body:
      target.kind === 'accessReview'
        ? { decision: decision.value, ...words }
        : { reviewResult: decision.value, ...words },
  };
}

/**
 * What a read after a refused or failed write says, as an outcome; null when the read settles nothing
 * (the item is open, or the read itself failed) and the write's own status must speak.
 */
function settledByRead(read: StateRead, plan: Plan, callerId: string): Outcome | null {
  const state = read.state;
  if (state.kind === 'decided') {
    const byMe = state.by?.id?.toLowerCase() === callerId.toLowerCase();
    if (byMe && state.result === normalizeResult(plan.decision)) {
      return {
        kind: 'recorded',
        view: 'item',
        decision: plan.decision,
        justification: plan.justification,
        reconciled: true,
        at: state.at,
        by: state.by,
        requestId: read.requestId,
      };
    }
    // A reset reads back as our own earlier decision until it lands: not someone else's.
    if (plan.decision === 'NotReviewed' && byMe) return null;
    return {
      kind: 'alreadyDecided',
      view: state.by ? 'item' : 'caller',
      result: state.result,
      by: state.by,
      at: state.at,
      justification: state.justification === '' ? null : state.justification,
      requestId: read.requestId,
    };
  }
  if (state.kind === 'closed')
    return { kind: 'reviewClosed', view: 'item', status: state.status, requestId: state.requestId };
  return null;
}

/** The write's own status, when the read after it settled nothing. Never shared with anyone else. */
function refusal(response: GraphResponse, plan: Plan): Outcome {
  if (response.status === 409) {
    // Graph says another approver of the stage decided first; the read could not say who or how.
    return {
      kind: 'alreadyDecided',
      view: 'caller',
      result: null,
      by: null,
      at: null,
      justification: null,
      requestId: response.requestId,
    };
  }
  if (response.status === 400 && plan.justification === '') {
    // The stage (or review) wants the approver's words, which the write did not carry.
    return {
      kind: 'needsJustification',
      view: 'caller',
      reason: 'stage',
      reachedGraph: true,
      requestId: response.requestId,
    };
  }
  return failureOf(response);
}

/**
 * Writes one decision as the caller and turns whatever happens into an Outcome. A write that does not
 * succeed is reconciled with a read before anything is said (design rule 6): the SDK or we may have
 * replayed a write that had landed, and a 429 or 503 on a write does not prove it failed (§5.3, §5.6).
 * What the read cannot settle is answered from the write's status, for the caller only: a 409 proves the
 * item exists and was decided, whatever a read shows or fails to show.
 */
export async function decide(
  transport: GraphTransport,
  callerId: string,
  request: DecideRequest,
  options: DecideOptions,
): Promise<Outcome> {
  const plan = validate(request);
  if ('problems' in plan) return refusedLocally(plan.problems);

  const deadline = Date.now() + options.budgetMs;
  const remaining = () => deadline - Date.now();

  for (;;) {
    const sent = await transport.send({
      method: 'PATCH',
      version: plan.version,
      path: plan.path,
      body: plan.body,
      mode: 'interactive',
      timeoutMs: options.attemptTimeoutMs,
    });
    if (sent.ok && isSuccess(sent.response.status)) {
      return {
        kind: 'recorded',
        view: 'item',
        decision: plan.decision,
        justification: plan.justification,
        reconciled: false,
        at: null,
        by: null,
        requestId: sent.response.requestId,
      };
    }
    if (sent.ok && sent.response.status === 401) return failureOf(sent.response);

    const read = await readTargetState(transport, request.target, options.attemptTimeoutMs);
    const settled = settledByRead(read, plan, callerId);
    if (settled) return settled;

    const transient = !sent.ok || isTransient(sent.response.status);
    if (!transient) return refusal(sent.response as GraphResponse, plan);
    const wait = sent.ok ? (retryAfterSeconds(sent.response.headers) ?? 0) * 1000 || BACKOFF_MS : BACKOFF_MS;
    if (remaining() - wait < MIN_ATTEMPT_MS * 2) return failureOfOrTimeout(sent);
    await sleep(wait);
  }
}

function failureOfOrTimeout(sent: Sent): Failure {
  return sent.ok ? failureOf(sent.response) : failureOfSent(sent);
}
