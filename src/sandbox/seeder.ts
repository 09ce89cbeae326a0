import { randomUUID } from 'node:crypto';
import { checkLag } from './behaviour';
import { DEMO_COLLEAGUES } from './directory';
import type { JsonObject } from './json';
import type { ApprovalStageRecord } from './model/approvals';
import type { DecisionRecord, ReviewSettings, StageRecord } from './model/reviews';
import type { SandboxStore } from './state';
import type {
  AccessPackageAnswerInput,
  AccessPackageRequestSeed,
  AccessReviewSeed,
  ApprovalStageInput,
  PimGroupRequestSeed,
  PimRoleRequestSeed,
  ReviewDecisionValue,
  ReviewerInput,
  ReviewerScope,
  ReviewItemDecision,
  ScheduleInput,
  SeededApproval,
  SeededReview,
  Seeder,
} from './types';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const iso = (at: number): string => new Date(at).toISOString();
const lower = (ids: readonly string[] | undefined): string[] => (ids ?? []).map((id) => id.toLowerCase());

/** Template ids of built-in Entra roles, so that seeded role requests look like a real tenant's. */
const BUILT_IN_ROLES: Readonly<Record<string, { readonly id: string; readonly description: string }>> = {
  'global administrator': {
    id: '62e90394-69f5-4237-9190-012177145e10',
    description:
      'Can manage all aspects of Microsoft Entra ID and Microsoft services that use Microsoft Entra identities.',
  },
  'user administrator': {
    id: 'fe930be7-5e62-47db-91af-98c3a49a38b1',
    description:
      'Can manage all aspects of users and groups, including resetting passwords for limited admins.',
  },
  'exchange administrator': {
    id: '29232cdf-9323-42fd-ade2-1d097af3e4de',
    description: 'Can manage all aspects of the Exchange product.',
  },
  'helpdesk administrator': {
    id: '729827e3-9c14-49f7-bb1b-9608f156bbb8',
    description: 'Can reset passwords for non-administrators and Helpdesk Administrators.',
  },
  'global reader': {
    id: 'f2ef992c-3afb-46b9-b7cf-a126ee74c451',
    description: 'Can read everything that a Global Administrator can, but not update anything.',
  },
  'security administrator': {
    id: '194ae4cb-b126-40b2-bd5b-6091b380977d',
    description:
      'Can read security information and reports, and manage configuration in Microsoft Entra ID and Office 365.',
  },
  'privileged role administrator': {
    id: 'e8611ab8-c189-46e8-94e1-60213ab1f814',
    description:
      'Can manage role assignments in Microsoft Entra ID, and all aspects of Privileged Identity Management.',
  },
  'sharepoint administrator': {
    id: 'f28a1f50-f6e7-4571-818b-6a12f2af6b6c',
    description: 'Can manage all aspects of the SharePoint service.',
  },
};

const DEFAULT_SETTINGS: ReviewSettings = {
  mailNotificationsEnabled: true,
  reminderNotificationsEnabled: true,
  justificationRequiredOnApproval: false,
  defaultDecisionEnabled: false,
  defaultDecision: 'None',
  instanceDurationInDays: 14,
  autoApplyDecisionsEnabled: false,
  recommendationsEnabled: false,
  recommendationLookBackDuration: 'P30D',
  decisionHistoriesForReviewersEnabled: false,
};

function toScopes(inputs: readonly ReviewerInput[] | undefined): ReviewerScope[] {
  return (inputs ?? []).map((input) =>
    typeof input === 'string'
      ? { query: `/users/${input.toLowerCase()}`, queryType: 'MicrosoftGraph' }
      : { ...input },
  );
}

function answers(inputs: readonly AccessPackageAnswerInput[] | undefined): JsonObject[] {
  return (inputs ?? []).map((input, index) => {
    const choice = input.kind === 'choice';
    return {
      '@odata.type': choice
        ? '#microsoft.graph.accessPackageAnswerChoice'
        : '#microsoft.graph.accessPackageAnswerString',
      displayValue: input.answer,
      value: input.value ?? input.answer,
      answeredQuestion: {
        '@odata.type': choice
          ? '#microsoft.graph.accessPackageMultipleChoiceQuestion'
          : '#microsoft.graph.accessPackageTextInputQuestion',
        id: randomUUID(),
        sequence: index,
        isRequired: true,
        isAnswerEditable: true,
        text: input.question,
        localizations: [],
      },
    };
  });
}

function schedule(
  input: ScheduleInput | undefined,
  start: string,
  fallback: JsonObject['expiration'],
): JsonObject {
  const expiration = input?.expiration;
  return {
    startDateTime: input?.startDateTime ?? start,
    expiration: expiration
      ? {
          type: expiration.type,
          endDateTime: expiration.endDateTime ?? null,
          duration: expiration.duration ?? null,
        }
      : fallback,
    recurrence: null,
  };
}

/** What the seeded stage settings let through to the next stage (graph-contract.md §3.7). */
const MOVES_TO_NEXT_STAGE: readonly ReviewDecisionValue[] = ['NotReviewed', 'Approve'];

/** First stage in progress, later ones waiting; a lone stage may take a default id (PIM: the approval id). */
function stages(
  inputs: readonly ApprovalStageInput[],
  ids: readonly string[] | undefined,
  approverJustificationRequired: boolean | undefined,
  loneStageId?: string,
): ApprovalStageRecord[] {
  if (inputs.length === 0) throw new Error('sandbox seed: an approval needs at least one stage');
  return inputs.map((input, index) => ({
    id: (
      input.id ??
      ids?.[index] ??
      (inputs.length === 1 ? loneStageId : undefined) ??
      randomUUID()
    ).toLowerCase(),
    displayName: input.displayName ?? null,
    approvers: lower(input.approvers),
    fallbackApprovers: lower(input.fallbackApprovers),
    approverJustificationRequired:
      input.approverJustificationRequired ?? approverJustificationRequired ?? false,
    status: index === 0 ? 'InProgress' : 'NotStarted',
    result: 'NotReviewed',
    readBack: 'verb',
    reviewedBy: null,
    reviewedDateTime: null,
    justification: '',
  }));
}

function pimStages(input: PimGroupRequestSeed | PimRoleRequestSeed, id: string): ApprovalStageRecord[] {
  const inputs = input.stages ?? (input.approvers ? [{ approvers: input.approvers }] : []);
  // PIM's single stage id is observed to equal the approval id (graph-contract.md §1.1).
  return stages(inputs, input.stageIds, input.approverJustificationRequired, id);
}

export interface SeederDefaults {
  /** The consistencyLagMs option; seeds may override it. */
  readonly consistencyLagMs: number;
}

export function createSeeder(store: SandboxStore, now: () => number, defaults: SeederDefaults): Seeder {
  const namedIds = new Map<string, string>();
  /** The same display name gets the same id, so repeated packages/groups/catalogs look like one object. */
  const idFor = (kind: string, name: string, given?: string): string => {
    const key = `${kind}:${name.toLowerCase()}`;
    const id = (given ?? namedIds.get(key) ?? randomUUID()).toLowerCase();
    namedIds.set(key, id);
    return id;
  };
  const created = (given: string | undefined): string => given ?? iso(now() - HOUR);
  /** When GET/PATCH by id start to find an object created now (consistencyLagMs, option or per seed). */
  const visibleAt = (lag: number | undefined): number =>
    now() + (checkLag(lag, 'consistencyLagMs') ?? defaults.consistencyLagMs);

  const seeder: Seeder = {
    user: (input) => store.directory.add(input),

    accessPackageRequest(input: AccessPackageRequestSeed): SeededApproval {
      const id = (input.id ?? randomUUID()).toLowerCase();
      const createdDateTime = created(input.createdDateTime);
      const catalogName = input.accessPackage.catalog ?? 'General';
      const approvalStages = stages(input.stages, input.stageIds, input.approverJustificationRequired);
      store.approvals.add({
        id,
        kind: 'accessPackage',
        outcome: 'pending',
        stages: approvalStages,
        visibleAt: visibleAt(input.consistencyLagMs),
        request: {
          kind: 'accessPackage',
          id,
          createdDateTime,
          completedDateTime: null,
          justification: input.justification ?? '',
          requestor: store.directory.principal(input.requestor),
          subjectId: randomUUID(),
          accessPackage: {
            id: idFor('accessPackage', input.accessPackage.displayName, input.accessPackage.id),
            displayName: input.accessPackage.displayName,
            description: input.accessPackage.description ?? '',
            catalog: { id: idFor('catalog', catalogName), displayName: catalogName },
          },
          answers: answers(input.answers),
          schedule: schedule(input.schedule, createdDateTime, {
            type: 'notSpecified',
            endDateTime: null,
            duration: null,
          }),
          requestType: input.requestType ?? 'userAdd',
        },
      });
      return { approvalId: id, requestId: id, stageIds: approvalStages.map((stage) => stage.id) };
    },

    pimGroupRequest(input: PimGroupRequestSeed): SeededApproval {
      const id = (input.id ?? randomUUID()).toLowerCase();
      const createdDateTime = created(input.createdDateTime);
      const approvalStages = pimStages(input, id);
      store.approvals.add({
        id,
        kind: 'pimGroup',
        outcome: 'pending',
        stages: approvalStages,
        visibleAt: visibleAt(input.consistencyLagMs),
        request: {
          kind: 'pimGroup',
          id,
          createdDateTime,
          completedDateTime: null,
          justification: input.justification ?? '',
          principal: store.directory.principal(input.principal),
          action: input.action ?? 'selfActivate',
          ticketInfo: {
            ticketNumber: input.ticket?.ticketNumber ?? null,
            ticketSystem: input.ticket?.ticketSystem ?? null,
          },
          scheduleInfo: schedule(input.schedule, createdDateTime, {
            type: 'afterDuration',
            endDateTime: null,
            duration: 'PT8H',
          }),
          group: {
            id: idFor('group', input.group.displayName, input.group.id),
            displayName: input.group.displayName,
            description: input.group.description ?? null,
            mail: input.group.mail ?? null,
          },
          accessId: input.accessId ?? 'member',
        },
      });
      return { approvalId: id, requestId: id, stageIds: approvalStages.map((stage) => stage.id) };
    },

    pimRoleRequest(input: PimRoleRequestSeed): SeededApproval {
      const id = (input.id ?? randomUUID()).toLowerCase();
      const createdDateTime = created(input.createdDateTime);
      const approvalStages = pimStages(input, id);
      const builtIn = BUILT_IN_ROLES[input.role.displayName.toLowerCase()];
      store.approvals.add({
        id,
        kind: 'pimRole',
        outcome: 'pending',
        stages: approvalStages,
        visibleAt: visibleAt(input.consistencyLagMs),
        request: {
          kind: 'pimRole',
          id,
          createdDateTime,
          completedDateTime: null,
          justification: input.justification ?? '',
          principal: store.directory.principal(input.principal),
          action: input.action ?? 'selfActivate',
          ticketInfo: {
            ticketNumber: input.ticket?.ticketNumber ?? null,
            ticketSystem: input.ticket?.ticketSystem ?? null,
          },
          scheduleInfo: schedule(input.schedule, createdDateTime, {
            type: 'afterDuration',
            endDateTime: null,
            duration: 'PT8H',
          }),
          roleDefinition: {
            id: idFor('role', input.role.displayName, input.role.id ?? builtIn?.id),
            displayName: input.role.displayName,
            description: input.role.description ?? builtIn?.description ?? null,
          },
          directoryScopeId: input.directoryScopeId ?? '/',
        },
      });
      return { approvalId: id, requestId: id, stageIds: approvalStages.map((stage) => stage.id) };
    },

    accessReview(input: AccessReviewSeed): SeededReview {
      const at = now();
      const definitionId = (input.ids?.definitionId ?? randomUUID()).toLowerCase();
      const instanceId = (input.ids?.instanceId ?? randomUUID()).toLowerCase();
      const stageSeeds = input.stages ?? [];
      const multi = stageSeeds.length > 0;
      const settings: ReviewSettings = { ...DEFAULT_SETTINGS, ...input.settings };
      const resource = {
        id: idFor('group', input.resource?.displayName ?? input.displayName, input.resource?.id),
        displayName: input.resource?.displayName ?? input.displayName,
        type: input.resource?.type ?? 'Group',
      };
      const scope: JsonObject = input.scope ?? {
        '@odata.type': '#microsoft.graph.accessReviewQueryScope',
        query: `/groups/${resource.id}/transitiveMembers`,
        queryType: 'MicrosoftGraph',
        queryRoot: null,
      };
      const startMs = input.startDateTime ? Date.parse(input.startDateTime) : at - 2 * DAY;
      const endMs = input.endDateTime ? Date.parse(input.endDateTime) : at + 12 * DAY;
      const stageIds = stageSeeds.map((stage, index) =>
        (stage.id ?? input.ids?.stageIds?.[index] ?? randomUUID()).toLowerCase(),
      );
      const statuses = stageSeeds.map((stage) => stage.status);
      const createdBy = (input.createdBy ?? DEMO_COLLEAGUES.diego.id).toLowerCase();
      if (!store.directory.get(createdBy))
        throw new Error(`sandbox seed: no directory user with id ${createdBy} to create the review`);
      const itemsVisibleAt = visibleAt(input.consistencyLagMs);
      const derived = statuses.includes('InProgress')
        ? 'InProgress'
        : statuses.every((status) => status === 'Completed')
          ? 'Completed'
          : statuses.every((status) => status === 'NotStarted')
            ? 'NotStarted'
            : 'InProgress';

      store.reviews.addDefinition({
        id: definitionId,
        displayName: input.displayName,
        descriptionForReviewers: input.descriptionForReviewers ?? '',
        descriptionForAdmins: input.descriptionForAdmins ?? '',
        createdDateTime: iso(startMs - DAY),
        createdBy,
        resourceType: resource.type,
        settings,
        scope,
        reviewers: multi ? [] : toScopes(input.reviewers),
        fallbackReviewers: multi ? [] : toScopes(input.fallbackReviewers),
        stageSettings: stageSeeds.map((stage, index) => ({
          stageId: String(index + 1),
          dependsOn: index === 0 ? [] : [String(index)],
          durationInDays: Math.max(1, Math.round((endMs - startMs) / DAY / stageSeeds.length)),
          recommendationsEnabled: settings.recommendationsEnabled,
          decisionsThatWillMoveToNextStage: [...MOVES_TO_NEXT_STAGE],
          reviewers: toScopes(stage.reviewers).map((scope) => ({ ...scope })),
          fallbackReviewers: toScopes(stage.fallbackReviewers).map((scope) => ({ ...scope })),
        })),
        instanceIds: [instanceId],
      });
      store.reviews.addInstance({
        id: instanceId,
        definitionId,
        status: input.status ?? (multi ? derived : 'InProgress'),
        startDateTime: iso(startMs),
        endDateTime: iso(endMs),
        scope,
        reviewers: multi ? [] : toScopes(input.reviewers),
        fallbackReviewers: multi ? [] : toScopes(input.fallbackReviewers),
        stageIds,
      });

      const span = (endMs - startMs) / Math.max(1, stageSeeds.length);
      const stageRecords: StageRecord[] = stageSeeds.map((stage, index) => ({
        id: stageIds[index] ?? randomUUID(),
        instanceId,
        status: stage.status,
        startDateTime: stage.startDateTime ?? iso(startMs + index * span),
        endDateTime: stage.endDateTime ?? iso(startMs + (index + 1) * span),
        reviewers: toScopes(stage.reviewers),
        fallbackReviewers: toScopes(stage.fallbackReviewers),
      }));
      for (const stage of stageRecords) store.reviews.addStage(stage);

      // Items exist only where a stage has started (a later stage's items appear when it begins).
      const principals = input.decisions.map((decision) => store.directory.principal(decision.principal));
      const started = stageRecords.filter((stage) => stage.status !== 'NotStarted');
      const current = started.find((stage) => stage.status === 'InProgress') ?? started[started.length - 1];
      const owners: (StageRecord | undefined)[] = multi ? started : [undefined];
      const idsByOwner = new Map<string, string[]>();
      // Every seeded decision starts in the first stage; it reaches the next only if its decision there moves on.
      let moving = input.decisions.map((_decision, index) => index);
      for (const owner of owners) {
        const isCurrent = !multi || owner === current;
        const seed = owner ? stageSeeds[stageRecords.indexOf(owner)] : undefined;
        const ids: string[] = [];
        const next: number[] = [];
        for (const index of moving) {
          const decision = input.decisions[index];
          if (!decision) continue;
          const decided: ReviewItemDecision | undefined =
            seed?.decidedItems?.[index] === null ? undefined : (seed?.decidedItems?.[index] ?? seed?.decided);
          const item: DecisionRecord = {
            id: (
              (isCurrent ? (decision.id ?? input.ids?.decisionIds?.[index]) : undefined) ?? randomUUID()
            ).toLowerCase(),
            instanceId,
            stageId: owner?.id ?? null,
            principal: principals[index] ?? store.directory.principal(decision.principal),
            resource: decision.resource
              ? {
                  id: idFor('group', decision.resource.displayName, decision.resource.id),
                  displayName: decision.resource.displayName,
                  type: decision.resource.type ?? 'Group',
                }
              : resource,
            recommendation: decision.recommendation ?? 'NoInfoAvailable',
            lastSignInDateTime: decision.lastSignInDateTime ?? null,
            insightId: randomUUID(),
            insightCreatedDateTime: iso(startMs),
            principalType: decision.principalType ?? 'userIdentity',
            resourceOmitted: decision.resourceOmitted === true,
            ...(decision.outlierInsight ? { outlierInsightId: randomUUID() } : {}),
            decision: decided?.decision ?? 'NotReviewed',
            justification: decided?.justification ?? '',
            reviewedBy: decided ? decided.reviewedBy.toLowerCase() : null,
            reviewedDateTime:
              decided && owner ? iso(Math.min(Date.parse(owner.startDateTime) + DAY, at)) : null,
            visibleAt: itemsVisibleAt,
          };
          store.reviews.addDecision(item);
          ids.push(item.id);
          if (MOVES_TO_NEXT_STAGE.includes(item.decision)) next.push(index);
        }
        idsByOwner.set(owner?.id ?? instanceId, ids);
        moving = next;
      }
      return {
        definitionId,
        instanceId,
        stageIds,
        decisionIds: idsByOwner.get(multi ? (current?.id ?? '') : instanceId) ?? [],
        stageDecisionIds: stageIds.map((id) => idsByOwner.get(id) ?? []),
      };
    },

    bulk(input) {
      const requestor = input.requestor ?? DEMO_COLLEAGUES.diego.id;
      const lag = input.consistencyLagMs === undefined ? {} : { consistencyLagMs: input.consistencyLagMs };
      const results: SeededApproval[] = [];
      for (let index = 1; index <= input.count; index += 1) {
        const stagesInput = [{ approvers: [input.approver] }];
        if (input.kind === 'accessPackage') {
          results.push(
            seeder.accessPackageRequest({
              requestor,
              accessPackage: { displayName: `Bulk access package ${index}` },
              justification: `Bulk request ${index}`,
              stages: stagesInput,
              ...lag,
            }),
          );
        } else if (input.kind === 'pimGroup') {
          results.push(
            seeder.pimGroupRequest({
              principal: requestor,
              group: { displayName: `Bulk group ${index}` },
              stages: stagesInput,
              ...lag,
            }),
          );
        } else {
          results.push(
            seeder.pimRoleRequest({
              principal: requestor,
              role: { displayName: 'Global Reader' },
              stages: stagesInput,
              ...lag,
            }),
          );
        }
      }
      return results;
    },

    setReviewStatus(id, status) {
      const key = id.toLowerCase();
      const target = store.reviews.instances.get(key) ?? store.reviews.stages.get(key);
      if (!target) throw new Error(`sandbox seed: no access review instance or stage with id ${id}`);
      target.status = status;
    },

    expireApproval(approvalId) {
      const approval = store.approvals.find(approvalId);
      const stage = approval?.stages.find((candidate) => candidate.status === 'InProgress');
      if (!approval || !stage) throw new Error(`sandbox seed: no approval in progress with id ${approvalId}`);
      stage.status = 'Expired';
      approval.outcome = 'denied';
      approval.request.completedDateTime = new Date(now()).toISOString();
    },

    remove: (id) => store.approvals.remove(id) || store.reviews.removeDefinition(id),
  };
  return seeder;
}
