import type { DecidedResult } from './decisions';

/**
 * What can wait on an approver, and where a decision about it is written: one shape per item kind,
 * discriminated by `kind`. The shapes are the bot's own, read from Graph's resources (graph-contract.md §3);
 * Graph's wire shapes stay in src/graph.
 */

export type ItemKind = 'accessPackage' | 'pimGroup' | 'pimRole' | 'accessReview';

/** Which Graph API surface a decision write goes to. PIM for Entra roles exists on beta only (§1.1 A5). */
export type ApiVersion = 'v1.0' | 'beta';

export interface Person {
  readonly id: string | null;
  readonly displayName: string;
  readonly userPrincipalName?: string;
  readonly mail?: string;
}

export interface Schedule {
  readonly startDateTime: string | null;
  /** ISO 8601 duration such as PT8H, when the request asks for a duration. */
  readonly duration: string | null;
  /** End date, when the request asks for one. */
  readonly endDateTime: string | null;
  readonly expirationType: string | null;
}

export interface Ticket {
  readonly number: string | null;
  readonly system: string | null;
}

export interface Answer {
  readonly question: string;
  readonly answer: string;
}

/** Where a decision is written. Ids are GUIDs (checked before any URL is built). */
export type DecisionTarget =
  | {
      readonly kind: 'accessPackage' | 'pimGroup';
      readonly approvalId: string;
      /** v1.0 `stages/{id}` or beta `steps/{id}`; same id either way. */
      readonly stageId: string;
      readonly api: ApiVersion;
    }
  | { readonly kind: 'pimRole'; readonly approvalId: string; readonly stageId: string; readonly api: 'beta' }
  | {
      readonly kind: 'accessReview';
      readonly definitionId: string;
      readonly instanceId: string;
      /** Present for multi-stage reviews: the decision is written on the stage path (§1.2 R2). */
      readonly stageId: string | null;
      readonly decisionId: string;
    };

interface ApprovalStageInfo {
  /** 1-based position of the stage that waits on me, and how many stages the approval has. */
  readonly stageNumber: number;
  readonly stageCount: number;
  readonly stageStatus: string;
  /** The stage's name from its policy (`displayName`, e.g. "Manager approval"); null when Graph has none. */
  readonly stageName: string | null;
  /**
   * The stage demands the approver's justification. An approver cannot read the policy that says so: the
   * bot learns it from Graph's 400 to a decision without one, and keeps it for the item.
   */
  readonly justificationRequired: boolean;
}

export interface AccessPackagePending extends ApprovalStageInfo {
  readonly kind: 'accessPackage';
  readonly target: Extract<DecisionTarget, { kind: 'accessPackage' | 'pimGroup' }> & {
    kind: 'accessPackage';
  };
  readonly requestor: Person;
  readonly accessPackage: {
    readonly id: string | null;
    readonly displayName: string;
    readonly description: string;
  };
  readonly requestType: string | null;
  readonly justification: string;
  readonly answers: readonly Answer[];
  readonly schedule: Schedule;
  readonly createdDateTime: string | null;
}

export interface PimGroupPending extends ApprovalStageInfo {
  readonly kind: 'pimGroup';
  readonly target: Extract<DecisionTarget, { kind: 'accessPackage' | 'pimGroup' }> & { kind: 'pimGroup' };
  readonly requestId: string;
  readonly principal: Person;
  readonly group: { readonly id: string; readonly displayName: string };
  readonly accessId: 'member' | 'owner' | string;
  readonly action: string;
  readonly justification: string;
  readonly ticket: Ticket;
  readonly schedule: Schedule;
  readonly createdDateTime: string | null;
}

export interface PimRolePending extends ApprovalStageInfo {
  readonly kind: 'pimRole';
  readonly target: Extract<DecisionTarget, { kind: 'pimRole' }>;
  readonly requestId: string;
  readonly principal: Person;
  readonly role: { readonly id: string; readonly displayName: string };
  readonly directoryScopeId: string;
  readonly action: string;
  readonly justification: string;
  readonly ticket: Ticket;
  readonly schedule: Schedule;
  readonly createdDateTime: string | null;
}

export interface EarlierStageDecision {
  readonly stageId: string;
  readonly decision: DecidedResult;
  readonly reviewedBy: Person | null;
  readonly justification: string;
}

export interface AccessReviewPending {
  readonly kind: 'accessReview';
  readonly target: Extract<DecisionTarget, { kind: 'accessReview' }>;
  readonly reviewName: string;
  readonly descriptionForReviewers: string;
  /** The person or app whose access is reviewed. */
  readonly principal: Person & { readonly type: 'user' | 'servicePrincipal' | 'unknown' };
  readonly resource: {
    readonly id: string | null;
    readonly displayName: string;
    readonly type: string | null;
  };
  readonly recommendation: 'Approve' | 'Deny' | 'NoInfoAvailable' | null;
  readonly lastSignInDateTime: string | null;
  readonly dueDateTime: string | null;
  readonly justificationRequired: boolean;
  readonly defaultDecision: string | null;
  readonly stageNumber: number | null;
  readonly stageCount: number | null;
  readonly earlierStages: readonly EarlierStageDecision[];
}

/** Everything that can wait on an approver, discriminated by `kind`. */
export type PendingItem = AccessPackagePending | PimGroupPending | PimRolePending | AccessReviewPending;
