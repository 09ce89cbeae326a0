import type { Outcome } from '../domain';
import type { Failure } from './to-outcome';
import type { GraphResponse, GraphTransport, Sent } from './transport';
import type { Decision, DecisionTarget } from '../domain';
import type { StateRead } from './read-state';
import { normalizeResult } from '../domain';
import { checkApprovalDecision, checkReviewDecision, checkTarget, cleanJustification } from './input';
import { approvalStagePath, reviewDecisionPath } from './paths';
import { readTargetState } from './read-state';
import { failureOf, failureOfSent, isSuccess, isTransient, retryAfterSeconds } from './to-outcome';

/** A decision as it arrives from a card: untrusted until checked here. */
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
  readonly body: Readonly<Record<string, string>>;
  readonly decision: Decision;
  readBack(transport: GraphTransport, timeoutMs: number): Promise<StateRead>;
}

function validate(request: DecideRequest): Plan | { problems: readonly string[] } {
  const problems = checkTarget(request.target);
  const justification = cleanJustification(request.justification);
  if (!justification.ok) problems.push(...justification.problems);
  const target = request.target;
  if (target.kind === 'accessReview') {
    const decision = checkReviewDecision(request.decision);
    if (!decision.ok) problems.push(...decision.problems);
    if (problems.length > 0 || !decision.ok || !justification.ok) return { problems };
    const { version, path } = reviewDecisionPath(target);
    return {
      version,
      path,
      decision: decision.value,
      body: { decision: decision.value, justification: justification.value },
      readBack: (transport, timeoutMs) => readTargetState(transport, target, timeoutMs),
    };
  }
  const decision = checkApprovalDecision(request.decision);
  if (!decision.ok) problems.push(...decision.problems);
  if (problems.length > 0 || !decision.ok || !justification.ok) return { problems };
  const { version, path } = approvalStagePath(target);
  return {
    version,
    path,
    decision: decision.value,
    body: { reviewResult: decision.value, justification: justification.value },
    readBack: (transport, timeoutMs) => readTargetState(transport, target, timeoutMs),
  };
}

/**
 * Writes one decision as the caller and turns whatever happens into an Outcome. A write that does not
 * succeed is reconciled with a read before anything is said (design rule 6): the SDK or we may have
 * replayed a write that had landed, and a 429 or 503 on a write does not prove it failed (§5.3, §5.6).
 */
export async function decide(
  transport: GraphTransport,
  callerId: string,
  request: DecideRequest,
  options: DecideOptions,
): Promise<Outcome> {
  const plan = validate(request);
  if ('problems' in plan) return { kind: 'invalid', problems: plan.problems, requestId: null };

  const deadline = Date.now() + options.budgetMs;
  const remaining = () => deadline - Date.now();
  const mine = normalizeResult(plan.decision);

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
        decision: plan.decision,
        reconciled: false,
        requestId: sent.response.requestId,
      };
    }
    if (sent.ok && sent.response.status === 401) return failureOf(sent.response);

    const read = await plan.readBack(transport, options.attemptTimeoutMs);
    const state = read.state;
    if (state.kind === 'decided') {
      const byMe = state.by?.id?.toLowerCase() === callerId.toLowerCase();
      if (byMe && state.result === mine) {
        return { kind: 'recorded', decision: plan.decision, reconciled: true, requestId: read.requestId };
      }
      if (!(plan.decision === 'NotReviewed' && byMe)) {
        return {
          kind: 'alreadyDecided',
          result: state.result,
          by: state.by,
          at: state.at,
          requestId: read.requestId,
        };
      }
    }
    if (state.kind === 'gone')
      return { kind: 'notFound', message: 'This item no longer exists.', requestId: state.requestId };
    if (state.kind === 'closed')
      return { kind: 'reviewClosed', status: state.status, requestId: state.requestId };

    if (sent.ok && sent.response.status === 409) {
      // Graph says another approver of the stage decided first, but the read could not say who.
      return {
        kind: 'alreadyDecided',
        result: 'NotReviewed',
        by: null,
        at: null,
        requestId: sent.response.requestId,
      };
    }

    const transient = !sent.ok || isTransient(sent.response.status);
    if (!transient) return failureOf(sent.response as GraphResponse);
    const wait = sent.ok ? (retryAfterSeconds(sent.response.headers) ?? 0) * 1000 || BACKOFF_MS : BACKOFF_MS;
    if (remaining() - wait < MIN_ATTEMPT_MS * 2) return failureOfOrTimeout(sent);
    await sleep(wait);
  }
}

function failureOfOrTimeout(sent: Sent): Failure {
  return sent.ok ? failureOf(sent.response) : failureOfSent(sent);
}
