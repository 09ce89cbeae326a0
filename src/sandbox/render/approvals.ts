import type { Directory } from '../directory';
import type { Json, JsonObject } from '../json';
import type {
  AccessPackageRequestRecord,
  ApprovalRecord,
  ApprovalStageRecord,
  PimGroupRequestRecord,
  PimRoleRequestRecord,
} from '../model/approvals';
import { mayDecide } from '../model/approvals';
import type { QueryOptions } from '../odata';
import { expands } from '../odata';
import type { GraphVersion } from '../types';
import { principalUser, stageReviewer } from './identity';

function readBack(stage: ApprovalStageRecord): string {
  if (stage.result === 'NotReviewed' || stage.readBack === 'verb') return stage.result;
  return stage.result === 'Approve' ? 'Approved' : 'Denied';
}

/** approvalStage (v1.0) and approvalStep (beta) share every property (graph-contract.md §3.2). */
export function renderStage(directory: Directory, stage: ApprovalStageRecord, callerId: string): JsonObject {
  return {
    id: stage.id,
    displayName: stage.displayName,
    reviewedDateTime: stage.reviewedDateTime,
    reviewResult: readBack(stage),
    status: stage.status,
    assignedToMe: mayDecide(stage, callerId),
    justification: stage.justification,
    reviewedBy: stageReviewer(directory, stage.reviewedBy),
  };
}

/** v1.0 names the collection `stages`, beta `steps` (G1). */
export const stagesProperty = (version: GraphVersion): 'stages' | 'steps' =>
  version === 'v1.0' ? 'stages' : 'steps';

export function renderApproval(
  directory: Directory,
  approval: ApprovalRecord,
  callerId: string,
  version: GraphVersion,
  withStages: boolean,
): JsonObject {
  if (!withStages) return { id: approval.id };
  return {
    id: approval.id,
    [stagesProperty(version)]: approval.stages.map((stage) => renderStage(directory, stage, callerId)),
  };
}

const EM_STATE = { pending: 'pendingApproval', approved: 'delivered', denied: 'denied' } as const;
const EM_STATUS = { pending: 'PendingApproval', approved: 'Delivered', denied: 'Denied' } as const;
const PIM_STATUS = { pending: 'PendingApproval', approved: 'Granted', denied: 'Denied' } as const;

export function renderAccessPackageRequest(
  approval: ApprovalRecord,
  request: AccessPackageRequestRecord,
  options: QueryOptions,
): JsonObject {
  const body: Record<string, Json | undefined> = {
    id: request.id,
    requestType: request.requestType,
    state: EM_STATE[approval.outcome],
    status: EM_STATUS[approval.outcome],
    createdDateTime: request.createdDateTime,
    completedDateTime: request.completedDateTime,
    schedule: request.schedule,
    answers: request.answers,
    justification: request.justification,
    customExtensionCalloutInstances: [],
  };
  if (expands(options, 'requestor')) {
    body.requestor = {
      id: request.subjectId,
      objectId: request.requestor.id,
      displayName: request.requestor.displayName,
      principalName: request.requestor.userPrincipalName,
      email: request.requestor.mail,
      subjectType: 'user',
      onPremisesSecurityIdentifier: null,
    };
  }
  if (expands(options, 'accessPackage')) {
    const nested = options.expand.get('accesspackage') ?? '';
    body.accessPackage = {
      id: request.accessPackage.id,
      displayName: request.accessPackage.displayName,
      description: request.accessPackage.description,
      isHidden: false,
      createdDateTime: request.createdDateTime,
      modifiedDateTime: request.createdDateTime,
      ...(/catalog/i.test(nested) ? { catalog: { ...request.accessPackage.catalog } } : {}),
    };
  }
  // No assignment exists until the request is delivered.
  if (expands(options, 'assignment')) body.assignment = null;
  return body;
}

function pimCommon(
  approval: ApprovalRecord,
  request: PimGroupRequestRecord | PimRoleRequestRecord,
): Record<string, Json> {
  return {
    id: request.id,
    status: PIM_STATUS[approval.outcome],
    approvalId: approval.id,
    completedDateTime: request.completedDateTime,
    createdDateTime: request.createdDateTime,
    createdBy: {
      application: null,
      device: null,
      user: { id: request.principal.id, displayName: request.principal.displayName },
    },
    customData: null,
    action: request.action,
    isValidationOnly: false,
    justification: request.justification,
    scheduleInfo: request.scheduleInfo,
    ticketInfo: request.ticketInfo,
    principalId: request.principal.id,
    targetScheduleId: request.id,
  };
}

export function renderPimGroupRequest(
  approval: ApprovalRecord,
  request: PimGroupRequestRecord,
  options: QueryOptions,
): JsonObject {
  const body: Record<string, Json | undefined> = {
    ...pimCommon(approval, request),
    accessId: request.accessId,
    groupId: request.group.id,
  };
  if (expands(options, 'group')) body.group = { ...request.group };
  if (expands(options, 'principal')) body.principal = principalUser(request.principal);
  for (const name of ['activatedUsing', 'targetSchedule']) if (expands(options, name)) body[name] = null;
  return body;
}

export function renderPimRoleRequest(
  approval: ApprovalRecord,
  request: PimRoleRequestRecord,
  options: QueryOptions,
): JsonObject {
  const body: Record<string, Json | undefined> = {
    ...pimCommon(approval, request),
    roleDefinitionId: request.roleDefinition.id,
    directoryScopeId: request.directoryScopeId,
    appScopeId: null,
  };
  if (expands(options, 'roleDefinition')) {
    body.roleDefinition = {
      id: request.roleDefinition.id,
      displayName: request.roleDefinition.displayName,
      description: request.roleDefinition.description,
      isBuiltIn: true,
      isEnabled: true,
      templateId: request.roleDefinition.id,
    };
  }
  if (expands(options, 'principal')) body.principal = principalUser(request.principal);
  if (expands(options, 'directoryScope')) {
    const unit = /^\/administrativeUnits\/(.+)$/i.exec(request.directoryScopeId)?.[1];
    body.directoryScope = unit ? { '@odata.type': '#microsoft.graph.administrativeUnit', id: unit } : null;
  }
  for (const name of ['appScope', 'activatedUsing', 'targetSchedule'])
    if (expands(options, name)) body[name] = null;
  return body;
}
