import type { Directory } from '../directory';
import type { Json, JsonObject } from '../json';
import type { DecisionRecord, DefinitionRecord, InstanceRecord, StageRecord } from '../model/reviews';
import type { ReviewerScope } from '../types';
import { userIdentity } from './identity';

export const renderScopes = (scopes: readonly ReviewerScope[]): JsonObject[] =>
  scopes.map((scope) => ({ ...scope }));

export function renderDefinition(
  directory: Directory,
  definition: DefinitionRecord,
  status: string,
): JsonObject {
  return {
    id: definition.id,
    displayName: definition.displayName,
    createdDateTime: definition.createdDateTime,
    // userIdentity of the creator (accessReviewScheduleDefinition.createdBy); creators may read it all (§2.4).
    createdBy: userIdentity(directory, definition.createdBy),
    lastModifiedDateTime: definition.createdDateTime,
    status,
    descriptionForAdmins: definition.descriptionForAdmins,
    descriptionForReviewers: definition.descriptionForReviewers,
    scope: definition.scope,
    instanceEnumerationScope: null,
    reviewers: renderScopes(definition.reviewers),
    fallbackReviewers: renderScopes(definition.fallbackReviewers),
    backupReviewers: [],
    settings: {
      ...definition.settings,
      applyActions: [],
      recurrence: {
        pattern: { type: 'absoluteMonthly', interval: 3 },
        range: { type: 'noEnd', startDate: definition.createdDateTime.slice(0, 10) },
      },
    },
    // Only multi-stage definitions carry stage settings.
    ...(definition.stageSettings.length > 0 ? { stageSettings: [...definition.stageSettings] } : {}),
  };
}

export function renderInstance(instance: InstanceRecord): JsonObject {
  return {
    id: instance.id,
    startDateTime: instance.startDateTime,
    endDateTime: instance.endDateTime,
    status: instance.status,
    scope: instance.scope,
    reviewers: renderScopes(instance.reviewers),
    fallbackReviewers: renderScopes(instance.fallbackReviewers),
  };
}

export function renderStage(stage: StageRecord): JsonObject {
  return {
    id: stage.id,
    startDateTime: stage.startDateTime,
    endDateTime: stage.endDateTime,
    status: stage.status,
    reviewers: renderScopes(stage.reviewers),
    fallbackReviewers: renderScopes(stage.fallbackReviewers),
  };
}

const RESOURCE_LINKS: Readonly<Record<string, string>> = {
  group: 'groups',
  serviceprincipal: 'servicePrincipals',
  directoryrole: 'roleManagement/directory/roleDefinitions',
};

export interface DecisionExtras {
  readonly insights: boolean;
  /** beta: `$expand=instance` (and `instance($expand=definition)`). */
  readonly instance?: JsonObject;
}

export function renderDecision(
  directory: Directory,
  item: DecisionRecord,
  extras: DecisionExtras,
): JsonObject {
  const link = RESOURCE_LINKS[item.resource.type.toLowerCase()];
  const body: Record<string, Json | undefined> = {
    id: item.id,
    accessReviewId: item.instanceId,
    reviewedDateTime: item.reviewedDateTime,
    decision: item.decision,
    justification: item.justification,
    appliedDateTime: null,
    applyResult: 'New',
    recommendation: item.recommendation,
    principalLink: `https://graph.microsoft.com/v1.0/users/${item.principal.id}`,
    resourceLink: link ? `https://graph.microsoft.com/v1.0/${link}/${item.resource.id}` : null,
    reviewedBy: userIdentity(directory, item.reviewedBy),
    appliedBy: userIdentity(directory, null),
    resource: item.resourceOmitted
      ? null
      : { id: item.resource.id, displayName: item.resource.displayName, type: item.resource.type },
    principal: {
      '@odata.type': `#microsoft.graph.${item.principalType ?? 'userIdentity'}`,
      id: item.principal.id,
      displayName: item.principal.displayName,
      ipAddress: null,
      userPrincipalName: item.principal.userPrincipalName,
    },
  };
  if (extras.insights) {
    body.insights = [
      ...(item.outlierInsightId
        ? [
            {
              '@odata.type': '#microsoft.graph.membershipOutlierInsight',
              id: item.outlierInsightId,
              insightCreatedDateTime: item.insightCreatedDateTime,
            },
          ]
        : []),
      {
        '@odata.type': '#microsoft.graph.userSignInInsight',
        id: item.insightId,
        insightCreatedDateTime: item.insightCreatedDateTime,
        lastSignInDateTime: item.lastSignInDateTime,
      },
    ];
  }
  if (extras.instance) body.instance = extras.instance;
  return body;
}
