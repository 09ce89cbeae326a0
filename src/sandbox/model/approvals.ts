import type { PrincipalRecord } from '../directory';
import { badRequest, conflict, notAllowed, notFound } from '../errors';
import type { JsonObject } from '../json';
import { isRecord } from '../json';
import type { ApprovalKind, ApprovalStageStatus, ApprovalView, ReviewResultForm } from '../types';

export interface ApprovalStageRecord {
  readonly id: string;
  readonly displayName: string | null;
  readonly approvers: readonly string[];
  readonly fallbackApprovers: readonly string[];
  /** Policy-side only: never rendered on the stage (graph-contract.md §1.1). */
  readonly approverJustificationRequired: boolean;
  status: ApprovalStageStatus;
  result: 'NotReviewed' | 'Approve' | 'Deny';
  /** Chosen when decided, so that repeated reads agree (graph-contract.md G5). */
  readBack: 'verb' | 'pastTense';
  reviewedBy: string | null;
  reviewedDateTime: string | null;
  justification: string;
}

interface RequestBase {
  readonly id: string;
  readonly createdDateTime: string;
  readonly justification: string;
  completedDateTime: string | null;
}

export interface AccessPackageRequestRecord extends RequestBase {
  readonly kind: 'accessPackage';
  readonly requestor: PrincipalRecord;
  readonly subjectId: string;
  readonly accessPackage: {
    readonly id: string;
    readonly displayName: string;
    readonly description: string;
    readonly catalog: { readonly id: string; readonly displayName: string };
  };
  readonly answers: readonly JsonObject[];
  readonly schedule: JsonObject;
  readonly requestType: string;
}

interface PimRequestBase extends RequestBase {
  readonly principal: PrincipalRecord;
  readonly action: string;
  readonly ticketInfo: { readonly ticketNumber: string | null; readonly ticketSystem: string | null };
  readonly scheduleInfo: JsonObject;
}

export interface PimGroupRequestRecord extends PimRequestBase {
  readonly kind: 'pimGroup';
  readonly group: {
    readonly id: string;
    readonly displayName: string;
    readonly description: string | null;
    readonly mail: string | null;
  };
  readonly accessId: 'member' | 'owner';
}

export interface PimRoleRequestRecord extends PimRequestBase {
  readonly kind: 'pimRole';
  readonly roleDefinition: {
    readonly id: string;
    readonly displayName: string;
    readonly description: string | null;
  };
  readonly directoryScopeId: string;
}

export type RequestRecord = AccessPackageRequestRecord | PimGroupRequestRecord | PimRoleRequestRecord;

export interface ApprovalRecord {
  /** Equals the request id (graph-contract.md §1.1). */
  readonly id: string;
  readonly kind: ApprovalKind;
  outcome: 'pending' | 'approved' | 'denied';
  readonly stages: readonly ApprovalStageRecord[];
  readonly request: RequestRecord;
  /** Sandbox clock time from which GET/PATCH by id find it; the lists show it at once (consistencyLagMs). */
  readonly visibleAt: number;
}

/** One wording for every "no such approval", so that a 404 never tells which reason hid it. */
export const approvalNotFound = (id: string) => notFound(`No approval with id '${id}' was found.`);

export const mayDecide = (stage: ApprovalStageRecord, userId: string): boolean =>
  stage.approvers.includes(userId) || stage.fallbackApprovers.includes(userId);

/** "In scope" for filterByCurrentUser: an approver of any stage, decided or not (G3). */
export const inScopeFor = (approval: ApprovalRecord, userId: string): boolean =>
  approval.stages.some((stage) => mayDecide(stage, userId));

export const currentStage = (approval: ApprovalRecord): ApprovalStageRecord | undefined =>
  approval.stages.find((stage) => stage.status === 'InProgress');

/** Pending and its current stage waits on this user. */
export function waitsOn(approval: ApprovalRecord, userId: string): boolean {
  const stage = currentStage(approval);
  return (
    approval.outcome === 'pending' &&
    stage !== undefined &&
    stage.result === 'NotReviewed' &&
    mayDecide(stage, userId)
  );
}

export interface StageDecision {
  readonly kind: ApprovalKind;
  readonly approvalId: string;
  readonly stageId: string;
  readonly callerId: string;
  readonly body: unknown;
  readonly at: number;
  readonly form: ReviewResultForm;
  /** The 400 message when a stage requiring an approver justification gets none. */
  readonly justificationMessage: string;
  /** Made outside the Graph endpoint (decideAs, e.g. in My Access), which sees its object without lag. */
  readonly elsewhere?: boolean;
}

const blank = (text: string | undefined): boolean => text === undefined || text.trim() === '';

export class ApprovalStore {
  private readonly approvals = new Map<string, ApprovalRecord>();

  add(record: ApprovalRecord): void {
    if (this.approvals.has(record.id)) throw new Error(`sandbox seed: approval ${record.id} already exists`);
    this.approvals.set(record.id, record);
  }

  remove(id: string): boolean {
    return this.approvals.delete(id.toLowerCase());
  }

  find(id: string): ApprovalRecord | undefined {
    return this.approvals.get(id.toLowerCase());
  }

  /**
   * By id, as GET/PATCH see it: only through the path of its own kind, and not before it has replicated
   * (`visibleAt`, the consistencyLagMs option), when Graph answers the same 404 as for an unknown id.
   */
  get(kind: ApprovalKind, id: string, at: number): ApprovalRecord {
    const approval = this.find(id);
    if (!approval || approval.kind !== kind || at < approval.visibleAt) throw approvalNotFound(id);
    return approval;
  }

  list(kind?: ApprovalKind): ApprovalRecord[] {
    const all = [...this.approvals.values()];
    return kind ? all.filter((approval) => approval.kind === kind) : all;
  }

  stage(approval: ApprovalRecord, stageId: string): ApprovalStageRecord {
    const stage = approval.stages.find((candidate) => candidate.id === stageId.toLowerCase());
    if (!stage)
      throw notFound(`No approval stage with id '${stageId}' was found in approval '${approval.id}'.`);
    return stage;
  }

  // 404 ids, 400 body, 403 not an approver, 409 already decided (first wins, own replays too), 400 not open/justification.
  decide(input: StageDecision): void {
    const approval = this.get(input.kind, input.approvalId, input.elsewhere ? Infinity : input.at);
    const stage = this.stage(approval, input.stageId);
    if (!isRecord(input.body)) {
      throw badRequest('The request body must be a JSON object with reviewResult and justification.');
    }
    const { reviewResult, justification } = input.body;
    if (reviewResult !== 'Approve' && reviewResult !== 'Deny') {
      throw badRequest(
        `Invalid value '${String(reviewResult)}' for property 'reviewResult'. Use 'Approve' or 'Deny'.`,
      );
    }
    if (justification !== undefined && justification !== null && typeof justification !== 'string') {
      throw badRequest("The property 'justification' must be a string.");
    }
    if (!mayDecide(stage, input.callerId))
      throw notAllowed('The caller is not an approver of this approval stage.');
    if (stage.status === 'Completed') {
      throw conflict(
        'The request has already been approved or denied by another approver in the same approval stage.',
      );
    }
    if (stage.status !== 'InProgress') {
      throw badRequest(
        `The approval stage is ${stage.status}; only a stage that is InProgress can be decided.`,
      );
    }
    // isApproverJustificationRequired: missing, null, empty and whitespace-only all count as none (§1.1).
    const text = typeof justification === 'string' ? justification : undefined;
    if (stage.approverJustificationRequired && blank(text)) throw badRequest(input.justificationMessage);

    const when = new Date(input.at).toISOString();
    stage.status = 'Completed';
    stage.result = reviewResult;
    stage.readBack = input.form === 'random' ? (Math.random() < 0.5 ? 'verb' : 'pastTense') : input.form;
    stage.reviewedBy = input.callerId;
    stage.reviewedDateTime = when;
    stage.justification = text ?? '';
    this.advance(approval, stage, when);
  }

  /** Deny ends the request; Approve starts the next stage or, after the last one, grants it. */
  private advance(approval: ApprovalRecord, decided: ApprovalStageRecord, when: string): void {
    if (decided.result === 'Deny') {
      approval.outcome = 'denied';
      approval.request.completedDateTime = when;
      return;
    }
    const next = approval.stages[approval.stages.indexOf(decided) + 1];
    if (next) {
      next.status = 'InProgress';
      return;
    }
    approval.outcome = 'approved';
    approval.request.completedDateTime = when;
  }
}

export function approvalView(approval: ApprovalRecord): ApprovalView {
  return {
    id: approval.id,
    kind: approval.kind,
    outcome: approval.outcome,
    stages: approval.stages.map((stage) => ({
      id: stage.id,
      displayName: stage.displayName,
      approverJustificationRequired: stage.approverJustificationRequired,
      status: stage.status,
      reviewResult: stage.result,
      reviewedBy: stage.reviewedBy,
      reviewedDateTime: stage.reviewedDateTime,
      justification: stage.justification,
      approvers: [...stage.approvers],
      fallbackApprovers: [...stage.fallbackApprovers],
    })),
  };
}
