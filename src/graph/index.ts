import type { DecisionTarget, ItemKind, Outcome } from '../domain';
import type { DecideRequest } from './decide';
import type { Discovery } from './discovery';
import type { GraphCloud } from './clouds';
import type { ReviewIds } from './paths';
import type { BatchRecord, BulkResult, ReviewerScope, StageUpdateResult } from './reviews';
import type { StateRead } from './read-state';
import { graphBaseUrl } from './clouds';
import { decide } from './decide';
import { discoverPending } from './discovery';
import { readTargetState } from './read-state';
import { acceptRecommendations, batchRecordDecisions, updateReviewStage } from './reviews';
import { GraphTransport } from './transport';

export type { Failure } from './to-outcome';
export type { DecideRequest } from './decide';
export type { Discovery, DiscoveryProblem } from './discovery';
export type { GraphCloud } from './clouds';
export type { ReviewIds } from './paths';
export type { BatchRecord, BulkResult, ReviewStage, ReviewerScope, StageUpdateResult } from './reviews';
export type { ItemState, StateRead } from './read-state';
export { GRAPH_CLOUDS, graphBaseUrl, isGraphCloud } from './clouds';

/** Window for retrying a decision while a user waits (gotcha G16). */
export const INTERACTIVE_BUDGET_MS = 4000;
/** Longest one Graph request of a decision may take. */
export const ATTEMPT_TIMEOUT_MS = 20_000;

export interface GovernanceClientOptions {
  readonly cloud: GraphCloud;
  /** Overrides the cloud's service root, e.g. the local Graph sandbox. */
  readonly baseUrl?: string | null;
}

/** Everything the bot may do in Graph as one signed-in user, with that user's own delegated token. */
export interface UserGovernance {
  /** One decision; never throws: every result is an Outcome. */
  decide(
    request: DecideRequest,
    options?: { readonly budgetMs?: number; readonly attemptTimeoutMs?: number },
  ): Promise<Outcome>;
  /** What Graph says of an item now (decided by whom, still open, gone). */
  readState(target: DecisionTarget, options?: { readonly timeoutMs?: number }): Promise<StateRead>;
  /** Everything waiting on this user. */
  discoverPending(kinds?: readonly ItemKind[]): Promise<Discovery>;
  updateReviewStage(
    ids: ReviewIds & { readonly stageId: string },
    change: {
      readonly reviewers?: readonly ReviewerScope[];
      readonly fallbackReviewers?: readonly ReviewerScope[];
    },
  ): Promise<StageUpdateResult>;
  acceptRecommendations(ids: ReviewIds): Promise<BulkResult>;
  batchRecordDecisions(ids: ReviewIds, record: BatchRecord): Promise<BulkResult>;
}

export interface GovernanceClient {
  readonly baseUrl: string;
  /**
   * A client for one user. The token is used for this user's calls only and kept no longer than the
   * returned object (design rule 1); `userId` is the user's Entra object id, used to recognise their own
   * earlier decisions when reconciling.
   */
  asUser(user: { readonly token: string; readonly userId: string }): UserGovernance;
}

export function createGovernanceClient(options: GovernanceClientOptions): GovernanceClient {
  const baseUrl = graphBaseUrl(options.cloud, options.baseUrl);
  return {
    baseUrl,
    asUser({ token, userId }) {
      const transport = new GraphTransport(baseUrl, token);
      return {
        decide: (request, o) =>
          decide(transport, userId, request, {
            budgetMs: o?.budgetMs ?? INTERACTIVE_BUDGET_MS,
            attemptTimeoutMs: o?.attemptTimeoutMs ?? ATTEMPT_TIMEOUT_MS,
          }),
        readState: (target, o) => readTargetState(transport, target, o?.timeoutMs ?? INTERACTIVE_BUDGET_MS),
        discoverPending: (kinds) => discoverPending(transport, kinds),
        updateReviewStage: (ids, change) => updateReviewStage(transport, ids, change),
        acceptRecommendations: (ids) => acceptRecommendations(transport, ids),
        batchRecordDecisions: (ids, record) => batchRecordDecisions(transport, ids, record),
      };
    },
  };
}
