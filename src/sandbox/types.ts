import type { Logger } from '../log';
import type { JsonObject } from './json';

export type GraphVersion = 'v1.0' | 'beta';

/**
 * Built-in Entra roles that matter to access reviews in delegated mode: the role notes on batchRecordDecisions
 * and on the plain list/get pages (graph-contract.md §1.2, §2.4, §4, G11) name User Administrator or Identity
 * Governance Administrator for reviews of groups and apps, Identity Governance Administrator or Privileged Role
 * Administrator for reviews of roles. Global Administrator may do everything.
 */
export type DirectoryRoleName =
  | 'Global Administrator'
  | 'Identity Governance Administrator'
  | 'User Administrator'
  | 'Privileged Role Administrator';

export interface SandboxUser {
  readonly id: string;
  readonly displayName: string;
  /** Guests: `alias_domain#EXT#@contoso.onmicrosoft.com` (the B2B form), built from their own mail. */
  readonly userPrincipalName: string;
  /** Members: the UPN; guests: their own address at home (e.g. kat.larsson@fabrikam.example). */
  readonly mail: string;
  readonly givenName: string;
  readonly surname: string;
  readonly userType: 'Member' | 'Guest';
  /** Active directory role assignments; empty for plain users, who may only use filterByCurrentUser reads. */
  readonly directoryRoles: readonly DirectoryRoleName[];
}

export interface DemoUsers {
  readonly alex: SandboxUser;
  readonly megan: SandboxUser;
  readonly adele: SandboxUser;
  readonly isaiah: SandboxUser;
  readonly patti: SandboxUser;
  readonly lynne: SandboxUser;
}

/**
 * How a decided approval stage reads back its `reviewResult` (graph-contract.md G5): `verb` = `Approve`/`Deny`
 * (the captured read-back), `pastTense` = `Approved`/`Denied` (the docs), `random` = one of the two per decision.
 */
export type ReviewResultForm = 'verb' | 'pastTense' | 'random';

/**
 * What a caller who is not an approver of any stage hears on a GET of an approval, its stages/steps or one
 * stage. The docs list only 403 for "not allowed to act" (graph-contract.md §1.1); a 404 that hides the
 * object's existence is as plausible, so clients must handle both.
 */
export type NonApproverRead = 'forbidden' | 'notFound';

/**
 * Whether the `filterByCurrentUser` functions of requests and approvals honour `$expand`: it is documented
 * for Get by id only (graph-contract.md §2.1) and the v1.0 approvals sample lists bare ids, so a client
 * must cope with lists that carry no navigation properties (no requestor, package, group, principal,
 * role definition or v1.0 `stages`); beta approvals keep their inline `steps` either way.
 */
export type FilterByCurrentUserExpand = 'honoured' | 'ignored';

export interface SandboxOptions {
  /** 0 = ephemeral (default). */
  readonly port?: number;
  /** Default 127.0.0.1. */
  readonly host?: string;
  /** `demo` seeds pending items of every kind; `empty` has the same directory and nothing pending. */
  readonly tenant?: 'demo' | 'empty';
  /** Items per page when the caller sends no `$top` (default 100). */
  readonly pageSize?: number;
  readonly logger?: Logger;
  /** Default `verb`. */
  readonly reviewResultForm?: ReviewResultForm;
  /**
   * The sandbox's clock (default `Date.now`): seeded timestamps, decision times, error dates, token lifetimes
   * and consistency windows all read it, so that a test can move time on without waiting.
   */
  readonly now?: () => number;
  /** GET of an approval/its stages by a caller who approves no stage of it: 403 (default) or 404. */
  readonly nonApproverRead?: NonApproverRead;
  /** `$expand` on the requests' and approvals' filterByCurrentUser lists: honoured (default) or ignored. */
  readonly filterByCurrentUserExpand?: FilterByCurrentUserExpand;
  /**
   * The 400 message when a stage that requires an approver justification (`approverJustificationRequired`)
   * is decided without one (graph-contract.md §1.1: the answer is undocumented, expect a 400). Default
   * APPROVER_JUSTIFICATION_MESSAGES.default; `.terse` is a second wording without the word "justification",
   * because clients must never branch on Graph's message text (§5.1).
   */
  readonly approverJustificationMessage?: string;
  /**
   * Eventual consistency (default 0): for this many ms after an approval or an access review decision item is
   * created, GET/PATCH by id of it (and of its stages) answer Graph's 404 while the filterByCurrentUser lists
   * already show it, as a replicated directory does. Each seed may override it (`consistencyLagMs`).
   */
  readonly consistencyLagMs?: number;
}

export interface RecordedRequest {
  readonly method: string;
  readonly version: GraphVersion | null;
  /** After the version, without the query, percent-decoded. */
  readonly path: string;
  readonly rawUrl: string;
  readonly query: Readonly<Record<string, string>>;
  readonly body: unknown;
  readonly callerId: string | null;
  /** The status answered; 0 while in flight, -1 when the connection was dropped. */
  readonly status: number;
  readonly batched: boolean;
  readonly at: number;
}

// ---- faults ----------------------------------------------------------------------------------------

export interface FaultMatch {
  /** Case-insensitive; any method when absent. */
  readonly method?: string;
  /** Substring of the decoded path after the version, or of the raw URL. */
  readonly pathIncludes?: string;
  /** How many matching requests the rule hits (default 1; `Infinity` allowed). */
  readonly times?: number;
  /** Only inner `$batch` requests (true) or only top-level requests (false); both when absent. */
  readonly batched?: boolean;
}

export type FaultEffect =
  | { readonly latencyMs: number }
  /** Graph's documented refusals, played without touching state (a 409 whose read then fails, say). */
  | { readonly status: 400 | 403 | 404 | 409; readonly latencyMs?: number }
  | { readonly status: 429; readonly retryAfterSeconds?: number; readonly latencyMs?: number }
  | {
      readonly status: 500 | 502 | 503 | 504;
      readonly retryAfterSeconds?: number;
      readonly latencyMs?: number;
    }
  | { readonly drop: true; readonly latencyMs?: number }
  /**
   * The gateway in front of Graph answers instead of it: a plain-text body, no JSON error and no request-id
   * (graph-contract.md §5.4: for a non-JSON response the client gets whatever text came back).
   */
  | { readonly gateway: 502 | 504; readonly latencyMs?: number }
  | {
      readonly landThenStatus: 429 | 500 | 502 | 503 | 504;
      readonly retryAfterSeconds?: number;
      readonly latencyMs?: number;
    };

export type FaultRule = FaultMatch & FaultEffect;

export interface FaultHandle {
  /** Requests this rule has hit so far. */
  readonly hits: number;
  /** Hits left before the rule retires. */
  readonly remaining: number;
  remove(): void;
}

export interface Faults {
  inject(rule: FaultRule): FaultHandle;
  clear(): void;
  /** Rules that can still hit. */
  readonly active: number;
}

// ---- seeding ---------------------------------------------------------------------------------------

/** A directory user id, or the details of someone who is not (yet) in the directory, e.g. a guest. */
export type PrincipalInput =
  | string
  | {
      readonly id?: string;
      readonly displayName: string;
      readonly userPrincipalName?: string;
      readonly mail?: string;
      readonly userType?: 'Member' | 'Guest';
    };

export interface ApprovalStageInput {
  /** User ids of the primary approvers. */
  readonly approvers: readonly string[];
  /** User ids of fallback approvers; they may decide too and see `assignedToMe: true`. */
  readonly fallbackApprovers?: readonly string[];
  /** The stage's label from the policy, e.g. "Manager approval"; rendered as `displayName`, null when unset (§3.2). */
  readonly displayName?: string;
  /**
   * The policy's `isApproverJustificationRequired` (accessPackageApprovalStage / unifiedApprovalStage,
   * graph-contract.md §1.1): Approve or Deny without a non-blank `justification` answers 400 BadRequest with
   * the `approverJustificationMessage` option's text. Graph shows approvers no field for it, so neither does
   * the stage resource. Default false.
   */
  readonly approverJustificationRequired?: boolean;
  readonly id?: string;
}

export interface ScheduleInput {
  readonly startDateTime?: string;
  readonly expiration?: {
    readonly type: 'notSpecified' | 'noExpiration' | 'afterDateTime' | 'afterDuration';
    readonly endDateTime?: string;
    /** ISO 8601 duration, e.g. PT8H. */
    readonly duration?: string;
  };
}

export interface AccessPackageAnswerInput {
  readonly question: string;
  /** What the requestor answered (displayValue). */
  readonly answer: string;
  /** Choice answers carry the choice's value; text answers repeat the answer. */
  readonly kind?: 'text' | 'choice';
  readonly value?: string;
}

export interface AccessPackageRequestSeed {
  readonly requestor: PrincipalInput;
  readonly accessPackage: {
    readonly displayName: string;
    readonly description?: string;
    readonly id?: string;
    readonly catalog?: string;
  };
  readonly justification?: string;
  readonly answers?: readonly AccessPackageAnswerInput[];
  readonly schedule?: ScheduleInput;
  /** Default `userAdd`. */
  readonly requestType?: string;
  readonly stages: readonly ApprovalStageInput[];
  /** `approverJustificationRequired` for every stage that does not say otherwise. */
  readonly approverJustificationRequired?: boolean;
  /** The request id, which is also the approval id. */
  readonly id?: string;
  readonly stageIds?: readonly string[];
  readonly createdDateTime?: string;
  /** Overrides the `consistencyLagMs` option for this approval. */
  readonly consistencyLagMs?: number;
}

interface PimRequestSeedBase {
  readonly principal: PrincipalInput;
  /** Default `selfActivate`. */
  readonly action?: string;
  readonly justification?: string;
  readonly ticket?: { readonly ticketNumber?: string; readonly ticketSystem?: string };
  readonly schedule?: ScheduleInput;
  /** One stage; give `stages` instead for several. */
  readonly approvers?: readonly string[];
  readonly stages?: readonly ApprovalStageInput[];
  /** `approverJustificationRequired` for every stage that does not say otherwise. */
  readonly approverJustificationRequired?: boolean;
  /** The request id, which is also the approval id (and, by default, the single stage id). */
  readonly id?: string;
  readonly stageIds?: readonly string[];
  readonly createdDateTime?: string;
  /** Overrides the `consistencyLagMs` option for this approval. */
  readonly consistencyLagMs?: number;
}

export interface PimGroupRequestSeed extends PimRequestSeedBase {
  readonly group: {
    readonly displayName: string;
    readonly id?: string;
    readonly description?: string;
    readonly mail?: string;
  };
  /** Default `member`. */
  readonly accessId?: 'member' | 'owner';
}

export interface PimRoleRequestSeed extends PimRequestSeedBase {
  readonly role: { readonly displayName: string; readonly id?: string; readonly description?: string };
  /** Default `/` (tenant-wide). */
  readonly directoryScopeId?: string;
}

export interface SeededApproval {
  readonly approvalId: string;
  readonly requestId: string;
  readonly stageIds: readonly string[];
}

export type ReviewStatus =
  | 'NotStarted'
  | 'Initializing'
  | 'Starting'
  | 'InProgress'
  | 'Completing'
  | 'Completed'
  | 'AutoReviewing'
  | 'AutoReviewed'
  | 'Applying'
  | 'Applied';

export type ReviewDecisionValue = 'Approve' | 'Deny' | 'NotReviewed' | 'DontKnow';

export interface ReviewerScope {
  readonly query: string;
  readonly queryType: string;
  readonly queryRoot?: string | null;
}

/** A user id (becomes `/users/{id}`) or a reviewer scope as Graph stores it. */
export type ReviewerInput = string | ReviewerScope;

export interface AccessReviewSettingsInput {
  readonly justificationRequiredOnApproval?: boolean;
  readonly recommendationsEnabled?: boolean;
  readonly defaultDecisionEnabled?: boolean;
  readonly defaultDecision?: 'Approve' | 'Deny' | 'Recommendation' | 'None';
  readonly decisionHistoriesForReviewersEnabled?: boolean;
  readonly mailNotificationsEnabled?: boolean;
  readonly reminderNotificationsEnabled?: boolean;
  readonly autoApplyDecisionsEnabled?: boolean;
  readonly instanceDurationInDays?: number;
  readonly recommendationLookBackDuration?: string;
}

export interface ReviewResourceInput {
  readonly id?: string;
  readonly displayName: string;
  /** Group, ServicePrincipal, DirectoryRole, AzureRole, AccessPackageAssignmentPolicy. */
  readonly type?: string;
}

export interface ReviewDecisionSeed {
  readonly principal: PrincipalInput;
  readonly resource?: ReviewResourceInput;
  /** Default `NoInfoAvailable`. */
  readonly recommendation?: 'Approve' | 'Deny' | 'NoInfoAvailable';
  /** null = never signed in. */
  readonly lastSignInDateTime?: string | null;
  /** The item id in the current stage (or the instance, single-stage). */
  readonly id?: string;
  /** The principal's `@odata.type` (graph-contract.md §3.5: a userIdentity or servicePrincipalIdentity); default userIdentity. */
  readonly principalType?: 'userIdentity' | 'servicePrincipalIdentity' | 'identity';
  /** Renders `resource: null`, as Graph's samples often show (§3.5). */
  readonly resourceOmitted?: boolean;
  /** Adds a membershipOutlierInsight (§3.5), listed before the sign-in insight. */
  readonly outlierInsight?: boolean;
}

/** A decision already recorded on a seeded item. */
export interface ReviewItemDecision {
  readonly decision: ReviewDecisionValue;
  /** User id of the reviewer who decided. */
  readonly reviewedBy: string;
  readonly justification?: string;
}

export interface ReviewStageSeed {
  readonly reviewers: readonly ReviewerInput[];
  readonly fallbackReviewers?: readonly ReviewerInput[];
  readonly status: ReviewStatus;
  readonly id?: string;
  readonly startDateTime?: string;
  readonly endDateTime?: string;
  /** Decisions already recorded on every item of this stage (e.g. a completed first stage). */
  readonly decided?: ReviewItemDecision;
  /**
   * Per item, aligned with the review's `decisions` (null = not reviewed); wins over `decided`. An item whose
   * decision here is not one of the stage settings' `decisionsThatWillMoveToNextStage` (NotReviewed,
   * Approve) does not reach the next stage, as in Graph (graph-contract.md §3.7).
   */
  readonly decidedItems?: readonly (ReviewItemDecision | null)[];
}

export interface AccessReviewSeed {
  readonly displayName: string;
  readonly descriptionForReviewers?: string;
  readonly descriptionForAdmins?: string;
  readonly settings?: AccessReviewSettingsInput;
  /** Single-stage reviewers (ignored when `stages` is given). */
  readonly reviewers?: readonly ReviewerInput[];
  readonly fallbackReviewers?: readonly ReviewerInput[];
  /** Multi-stage: one entry per stage, in order. Stages that have not started hold no items. */
  readonly stages?: readonly ReviewStageSeed[];
  /** Instance status; default InProgress (multi-stage: derived from the stages). */
  readonly status?: ReviewStatus;
  readonly startDateTime?: string;
  readonly endDateTime?: string;
  /** The definition's scope; defaults to the members of the resource group. */
  readonly scope?: JsonObject;
  /** The reviewed resource when an item does not name its own. */
  readonly resource?: ReviewResourceInput;
  readonly decisions: readonly ReviewDecisionSeed[];
  /**
   * User id of who created the definition (rendered as `createdBy`). With an admin role, the creator may
   * read the definition and everything under it by plain GET and list (graph-contract.md §2.4). Default: the
   * tenant's governance administrator, Diego Siciliani, who reviews nothing.
   */
  readonly createdBy?: string;
  /** Overrides the `consistencyLagMs` option for this review's decision items. */
  readonly consistencyLagMs?: number;
  readonly ids?: {
    readonly definitionId?: string;
    readonly instanceId?: string;
    readonly stageIds?: readonly string[];
    readonly decisionIds?: readonly string[];
  };
}

export interface SeededReview {
  readonly definitionId: string;
  readonly instanceId: string;
  /** Empty for a single-stage review. */
  readonly stageIds: readonly string[];
  /** Items of the instance (single-stage) or of the current stage (multi-stage). */
  readonly decisionIds: readonly string[];
  /** Items per stage, aligned with `stageIds` (empty for stages not started). */
  readonly stageDecisionIds: readonly (readonly string[])[];
}

export interface BulkSeed {
  readonly kind: 'accessPackage' | 'pimGroup' | 'pimRole';
  readonly count: number;
  readonly approver: string;
  readonly requestor?: PrincipalInput;
  /** Overrides the `consistencyLagMs` option for these approvals. */
  readonly consistencyLagMs?: number;
}

export interface UserSeed {
  readonly id?: string;
  readonly displayName: string;
  /** Default: members `DisplayName@contoso.onmicrosoft.com`, guests `alias_domain#EXT#@contoso.onmicrosoft.com`. */
  readonly userPrincipalName?: string;
  /** Members default to the UPN; guests must give their own address. */
  readonly mail?: string;
  readonly givenName?: string;
  readonly surname?: string;
  /** Default `Member`. */
  readonly userType?: 'Member' | 'Guest';
  /** Default none (a plain user). */
  readonly directoryRoles?: readonly DirectoryRoleName[];
}

export interface Seeder {
  /** Adds a directory user (who can then get tokens and be a principal). */
  user(input: UserSeed): SandboxUser;
  accessPackageRequest(input: AccessPackageRequestSeed): SeededApproval;
  pimGroupRequest(input: PimGroupRequestSeed): SeededApproval;
  pimRoleRequest(input: PimRoleRequestSeed): SeededApproval;
  accessReview(input: AccessReviewSeed): SeededReview;
  /** `count` single-stage requests of one kind, all waiting on `approver`. */
  bulk(input: BulkSeed): readonly SeededApproval[];
  /** Sets the status of a review instance or stage, e.g. to close a review under a test. */
  setReviewStatus(instanceOrStageId: string, status: ReviewStatus): void;
  /**
   * Lets the approval's stage in progress time out unanswered: the stage reads `Expired` with no result
   * (approvalStage.status, graph-contract.md §3.2) and the request is denied, as entitlement management and
   * PIM deny a request nobody approved in time.
   */
  expireApproval(approvalId: string): void;
  /** Removes an approval (with its request) or a review definition (with everything under it). */
  remove(id: string): boolean;
}

// ---- read-only state -------------------------------------------------------------------------------

export type ApprovalKind = 'accessPackage' | 'pimGroup' | 'pimRole';
export type ApprovalStageStatus = 'NotStarted' | 'InProgress' | 'Completed' | 'Expired';

export interface ApprovalStageView {
  readonly id: string;
  readonly displayName: string | null;
  /** Seeded policy flag; never on the wire (see ApprovalStageInput). */
  readonly approverJustificationRequired: boolean;
  readonly status: ApprovalStageStatus;
  /** Canonical verb form, whatever the wire reads back. */
  readonly reviewResult: 'NotReviewed' | 'Approve' | 'Deny';
  readonly reviewedBy: string | null;
  readonly reviewedDateTime: string | null;
  readonly justification: string;
  readonly approvers: readonly string[];
  readonly fallbackApprovers: readonly string[];
}

export interface ApprovalView {
  readonly id: string;
  readonly kind: ApprovalKind;
  readonly outcome: 'pending' | 'approved' | 'denied';
  readonly stages: readonly ApprovalStageView[];
}

export interface ReviewDecisionView {
  readonly id: string;
  readonly instanceId: string;
  readonly stageId: string | null;
  readonly decision: ReviewDecisionValue;
  readonly justification: string;
  readonly reviewedBy: string | null;
  readonly reviewedDateTime: string | null;
  readonly principalId: string;
  readonly resourceId: string;
  readonly recommendation: string;
}

export interface ReviewStageView {
  readonly id: string;
  readonly instanceId: string;
  readonly status: ReviewStatus;
  readonly reviewers: readonly ReviewerScope[];
  readonly fallbackReviewers: readonly ReviewerScope[];
}

export interface ReviewInstanceView {
  readonly id: string;
  readonly definitionId: string;
  readonly status: ReviewStatus;
  readonly stageIds: readonly string[];
}

/** Snapshots of the sandbox's state, for assertions without HTTP. */
export interface SandboxState {
  approval(approvalId: string): ApprovalView | undefined;
  reviewInstance(instanceId: string): ReviewInstanceView | undefined;
  reviewStage(stageId: string): ReviewStageView | undefined;
  reviewDecision(decisionId: string): ReviewDecisionView | undefined;
  /** What waits on this user now: approval ids with an InProgress stage of theirs, open review items. */
  pendingFor(userId: string): {
    readonly approvalIds: readonly string[];
    readonly reviewDecisionIds: readonly string[];
  };
}

export type DecideAsTarget =
  | {
      readonly approvalId: string;
      readonly stageId: string;
      readonly reviewResult: 'Approve' | 'Deny';
      readonly justification?: string;
    }
  | { readonly decisionId: string; readonly decision: ReviewDecisionValue; readonly justification?: string };

export interface TokenOptions {
  /** Default: every governance scope the bot asks for. */
  readonly scopes?: readonly string[];
  /** Default 3600; negative makes an expired token. */
  readonly expiresInSeconds?: number;
}

export interface Sandbox {
  /** e.g. http://127.0.0.1:41234; Graph lives under `${url}/v1.0/...` and `${url}/beta/...`. */
  readonly url: string;
  readonly tenantId: string;
  readonly users: DemoUsers;
  /** An unsigned JWT shaped like an Entra access token for this user. */
  tokenFor(userId: string, options?: TokenOptions): string;
  readonly seed: Seeder;
  readonly faults: Faults;
  readonly state: SandboxState;
  /** Every HTTP request received, in order; inner `$batch` requests follow their envelope. */
  readonly requests: readonly RecordedRequest[];
  clearRequests(): void;
  /** Decides as `userId` without HTTP and returns the status Graph would have answered. */
  decideAs(userId: string, target: DecideAsTarget): number;
  close(): Promise<void>;
}
