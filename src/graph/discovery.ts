import type { BatchResult } from './batch';
import type { Failure } from './to-outcome';
import type { GraphTransport } from './transport';
import type {
  AccessPackagePending,
  AccessReviewPending,
  ApiVersion,
  EarlierStageDecision,
  ItemKind,
  PendingItem,
  PimGroupPending,
  PimRolePending,
} from '../domain';
import { batchGet } from './batch';
import { discoveryPaths } from './paths';
import { isGuid } from '../domain';
import {
  approvalStages,
  asArray,
  asObject,
  decisionItemState,
  isPendingForMe,
  page,
  person,
  schedule,
  str,
  text,
  ticket,
} from './wire';
import type { Json, StageState } from './wire';

export interface DiscoveryProblem {
  readonly source: string;
  readonly failure: Failure;
}

export interface Discovery {
  readonly items: readonly PendingItem[];
  /** Reads that failed; the items they would have found are missing, the rest are complete. */
  readonly problems: readonly DiscoveryProblem[];
  /** HTTP requests this discovery sent to Graph (a `$batch` counts once). */
  readonly graphRequests: number;
}

interface Listing {
  readonly key: string;
  readonly version: ApiVersion;
  next: string | null;
  readonly values: unknown[];
  failure: Failure | null;
}

function listing(key: string, version: ApiVersion, path: string): Listing {
  return { key, version, next: path, values: [], failure: null };
}

/**
 * Reads every page of many collections together: each round sends the next page of every unfinished
 * collection in one `$batch`, so rounds = the longest collection's page count.
 */
async function readAll(transport: GraphTransport, listings: readonly Listing[]): Promise<void> {
  for (;;) {
    const open = listings.filter((l) => l.next !== null);
    if (open.length === 0) return;
    for (const version of ['v1.0', 'beta'] as const) {
      const batch = open.filter((l) => l.version === version);
      if (batch.length === 0) continue;
      const results = await batchGet(
        transport,
        version,
        batch.map((l) => ({ id: l.key, path: l.next as string })),
      );
      for (const l of batch) absorb(transport, l, results.get(l.key));
    }
  }
}

function absorb(transport: GraphTransport, l: Listing, result: BatchResult | undefined): void {
  if (!result || !result.ok) {
    l.failure =
      result && !result.ok
        ? result.failure
        : { kind: 'unavailable', view: 'caller', status: null, message: 'No answer', requestId: null };
    l.next = null;
    return;
  }
  const { value, nextLink } = page(result.response.body);
  l.values.push(...value);
  if (nextLink === null) {
    l.next = null;
    return;
  }
  const relative = transport.relative(nextLink);
  // A nextLink to another host is not followed: the token must not leave our Graph service root.
  l.next = relative && relative.version === l.version ? relative.path : null;
  if (l.next === null) {
    l.failure = {
      kind: 'invalid',
      view: 'caller',
      reachedGraph: true,
      problems: [`Refused to follow a nextLink outside the Graph service root`],
      requestId: result.response.requestId,
    };
  }
}

function objects(values: readonly unknown[]): Json[] {
  return values.map(asObject).filter((o): o is Json => o !== null);
}

function stageInfo(
  stages: readonly StageState[],
): { stage: StageState; stageNumber: number; stageCount: number } | null {
  const index = stages.findIndex(isPendingForMe);
  const stage = stages[index];
  return stage ? { stage, stageNumber: index + 1, stageCount: stages.length } : null;
}

function answers(value: unknown): AccessPackagePending['answers'] {
  return objects(asArray(value)).map((a) => ({
    question: text(asObject(a.answeredQuestion)?.text) || 'Question',
    answer: text(a.displayValue) || text(a.value),
  }));
}

function accessPackageItems(
  requests: readonly Json[],
  approvals: ReadonlyMap<string, readonly StageState[]>,
): AccessPackagePending[] {
  const items: AccessPackagePending[] = [];
  for (const r of requests) {
    const id = str(r.id);
    if (!id || !isGuid(id)) continue;
    const info = stageInfo(approvals.get(id.toLowerCase()) ?? []);
    if (!info || !isGuid(info.stage.id)) continue;
    const pkg = asObject(r.accessPackage);
    items.push({
      kind: 'accessPackage',
      target: { kind: 'accessPackage', approvalId: id, stageId: info.stage.id, api: 'v1.0' },
      stageNumber: info.stageNumber,
      stageCount: info.stageCount,
      stageStatus: info.stage.status,
      stageName: info.stage.displayName,
      justificationRequired: false,
      requestor: person(r.requestor) ?? { id: null, displayName: 'Unknown requestor' },
      accessPackage: {
        id: str(pkg?.id),
        displayName: text(pkg?.displayName) || 'Access package',
        description: text(pkg?.description),
      },
      requestType: str(r.requestType),
      justification: text(r.justification),
      answers: answers(r.answers),
      schedule: schedule(r.schedule),
      createdDateTime: str(r.createdDateTime),
    });
  }
  return items;
}

/** What PIM for Groups and PIM for Entra roles requests share: the request, its principal and stage. */
function pimRequests(
  requests: readonly Json[],
  approvals: ReadonlyMap<string, readonly StageState[]>,
): {
  r: Json;
  approvalId: string;
  stageId: string;
  common: Omit<PimGroupPending, 'kind' | 'target' | 'group' | 'accessId'>;
}[] {
  const found = [];
  for (const r of requests) {
    const id = str(r.id);
    const approvalId = str(r.approvalId);
    if (!id || !approvalId || !isGuid(approvalId)) continue;
    const info = stageInfo(approvals.get(approvalId.toLowerCase()) ?? []);
    if (!info || !isGuid(info.stage.id)) continue;
    found.push({
      r,
      approvalId,
      stageId: info.stage.id,
      common: {
        stageNumber: info.stageNumber,
        stageCount: info.stageCount,
        stageStatus: info.stage.status,
        stageName: info.stage.displayName,
        justificationRequired: false,
        requestId: id,
        principal: person(r.principal) ?? { id: str(r.principalId), displayName: 'Unknown user' },
        action: text(r.action),
        justification: text(r.justification),
        ticket: ticket(r.ticketInfo),
        schedule: schedule(r.scheduleInfo),
        createdDateTime: str(r.createdDateTime),
      },
    });
  }
  return found;
}

function pimGroupItems(
  requests: readonly Json[],
  approvals: ReadonlyMap<string, readonly StageState[]>,
): PimGroupPending[] {
  return pimRequests(requests, approvals).map(({ r, approvalId, stageId, common }) => {
    const group = asObject(r.group);
    return {
      kind: 'pimGroup',
      target: { kind: 'pimGroup', approvalId, stageId, api: 'v1.0' },
      ...common,
      group: { id: str(group?.id) ?? str(r.groupId) ?? '', displayName: text(group?.displayName) || 'Group' },
      accessId: text(r.accessId) || 'member',
    };
  });
}

function pimRoleItems(
  requests: readonly Json[],
  approvals: ReadonlyMap<string, readonly StageState[]>,
): PimRolePending[] {
  return pimRequests(requests, approvals).map(({ r, approvalId, stageId, common }) => {
    const role = asObject(r.roleDefinition);
    return {
      kind: 'pimRole',
      // PIM for Entra roles approvals exist on beta only (§2.3).
      target: { kind: 'pimRole', approvalId, stageId, api: 'beta' },
      ...common,
      role: {
        id: str(role?.id) ?? str(r.roleDefinitionId) ?? '',
        displayName: text(role?.displayName) || 'Directory role',
      },
      directoryScopeId: text(r.directoryScopeId) || '/',
    };
  });
}

function approvalsById(values: readonly unknown[]): Map<string, readonly StageState[]> {
  const map = new Map<string, readonly StageState[]>();
  for (const a of objects(values)) {
    const id = str(a.id);
    if (id && (Array.isArray(a.stages) || Array.isArray(a.steps)))
      map.set(id.toLowerCase(), approvalStages(a));
  }
  return map;
}

/** Approvals the listing returned without their stages are read one by one, batched. */
async function fillMissingApprovals(
  transport: GraphTransport,
  version: ApiVersion,
  approvalIds: readonly string[],
  known: Map<string, readonly StageState[]>,
  pathOf: (approvalId: string) => string,
  source: string,
  problems: DiscoveryProblem[],
): Promise<void> {
  const missing = [...new Set(approvalIds.map((id) => id.toLowerCase()))].filter(
    (id) => isGuid(id) && !known.has(id),
  );
  if (missing.length === 0) return;
  const results = await batchGet(
    transport,
    version,
    missing.map((id) => ({ id, path: pathOf(id) })),
  );
  for (const id of missing) {
    const result = results.get(id);
    if (result?.ok) known.set(id, approvalStages(result.response.body));
    else if (result && result.failure.kind !== 'notFound') problems.push({ source, failure: result.failure });
  }
}

function principalType(value: unknown): AccessReviewPending['principal']['type'] {
  const type = str(asObject(value)?.['@odata.type']) ?? '';
  if (/userIdentity$/i.test(type)) return 'user';
  if (/servicePrincipalIdentity$/i.test(type)) return 'servicePrincipal';
  return 'unknown';
}

function lastSignIn(decision: Json): string | null {
  for (const insight of objects(asArray(decision.insights))) {
    const signIn = str(insight.lastSignInDateTime);
    if (signIn) return signIn;
  }
  return null;
}

function recommendation(value: unknown): AccessReviewPending['recommendation'] {
  return value === 'Approve' || value === 'Deny' || value === 'NoInfoAvailable' ? value : null;
}

const DAY_MS = 86_400_000;

/**
 * Which stage of the review this is. A reviewer sees only the stages they review, so the position in
 * that list can be wrong; a stage's endDateTime is cumulative (§3.8), so it is matched against the
 * instance start plus the stages' durations instead.
 */
function stageNumberOf(definition: Json, instance: Json, stage: Json): number | null {
  const start = Date.parse(text(instance.startDateTime));
  const end = Date.parse(text(stage.endDateTime));
  const durations = objects(asArray(definition.stageSettings)).map((s) => Number(s.durationInDays));
  if (Number.isNaN(start) || Number.isNaN(end) || durations.some((d) => !Number.isFinite(d) || d <= 0))
    return null;
  let best: { number: number; distance: number } | null = null;
  let elapsed = 0;
  durations.forEach((days, i) => {
    elapsed += days * DAY_MS;
    const distance = Math.abs(start + elapsed - end);
    if (!best || distance < best.distance) best = { number: i + 1, distance };
  });
  const found = best as { number: number; distance: number } | null;
  return found && found.distance <= DAY_MS ? found.number : null;
}

interface ReviewScope {
  readonly definition: Json;
  readonly definitionId: string;
  readonly instance: Json;
  readonly instanceId: string;
  readonly stage: Json | null;
  readonly stageNumber: number | null;
  readonly earlierStageIds: readonly string[];
}

async function reviewItems(
  transport: GraphTransport,
  definitions: readonly Json[],
  problems: DiscoveryProblem[],
): Promise<AccessReviewPending[]> {
  const defs = definitions.filter((d) => isGuid(d.id));
  const instanceListings = defs.map((d) =>
    listing(`i:${d.id as string}`, 'v1.0', discoveryPaths.reviewInstances(d.id as string)),
  );
  await readAll(transport, instanceListings);

  const instances: { definition: Json; instance: Json }[] = [];
  defs.forEach((definition, i) => {
    const l = instanceListings[i];
    if (!l) return;
    if (l.failure) problems.push({ source: 'accessReviewInstances', failure: l.failure });
    for (const instance of objects(l.values)) {
      if (isGuid(instance.id) && (str(instance.status) ?? 'InProgress') === 'InProgress')
        instances.push({ definition, instance });
    }
  });

  // Multi-stage reviews are decided per stage (§1.2 R2): find the stage in progress where I review.
  const multi = instances.filter(({ definition }) => asArray(definition.stageSettings).length > 0);
  const stageListings = multi.map(({ definition, instance }) =>
    listing(
      `s:${instance.id as string}`,
      'v1.0',
      discoveryPaths.reviewStages({
        definitionId: definition.id as string,
        instanceId: instance.id as string,
      }),
    ),
  );
  await readAll(transport, stageListings);

  const scopes: ReviewScope[] = [];
  for (const { definition, instance } of instances) {
    const base = {
      definition,
      definitionId: definition.id as string,
      instance,
      instanceId: instance.id as string,
    };
    if (asArray(definition.stageSettings).length === 0) {
      scopes.push({ ...base, stage: null, stageNumber: null, earlierStageIds: [] });
      continue;
    }
    const l = stageListings.find((s) => s.key === `s:${base.instanceId}`);
    if (l?.failure) problems.push({ source: 'accessReviewStages', failure: l.failure });
    const stages = objects(l?.values ?? [])
      .filter((s) => isGuid(s.id))
      .sort((a, b) => text(a.startDateTime).localeCompare(text(b.startDateTime)));
    const index = stages.findIndex((s) => s.status === 'InProgress');
    const stage = stages[index];
    if (!stage) continue;
    const earlier =
      definition.settings && asObject(definition.settings)?.decisionHistoriesForReviewersEnabled === true
        ? stages.slice(0, index).map((s) => s.id as string)
        : [];
    scopes.push({
      ...base,
      stage,
      stageNumber: stageNumberOf(definition, instance, stage) ?? index + 1,
      earlierStageIds: earlier,
    });
  }

  const decisionListings = scopes.map((s, i) =>
    listing(
      `d:${i}`,
      'v1.0',
      discoveryPaths.reviewDecisions(
        {
          definitionId: s.definitionId,
          instanceId: s.instanceId,
          stageId: (s.stage?.id as string | undefined) ?? null,
        },
        true,
      ),
    ),
  );
  const historyListings = scopes.flatMap((s, i) =>
    s.earlierStageIds.map((stageId) =>
      listing(
        `h:${i}:${stageId}`,
        'v1.0',
        discoveryPaths.reviewDecisions(
          { definitionId: s.definitionId, instanceId: s.instanceId, stageId },
          false,
        ),
      ),
    ),
  );
  await readAll(transport, [...decisionListings, ...historyListings]);

  const items: AccessReviewPending[] = [];
  scopes.forEach((scope, i) => {
    const l = decisionListings[i];
    if (!l) return;
    if (l.failure) problems.push({ source: 'accessReviewDecisions', failure: l.failure });
    const settings = asObject(scope.definition.settings);
    const history = historyListings.filter((h) => h.key.startsWith(`h:${i}:`));
    for (const decision of objects(l.values)) {
      if (!isGuid(decision.id) || (str(decision.decision) ?? 'NotReviewed') !== 'NotReviewed') continue;
      const principal = person(decision.principal) ?? { id: null, displayName: 'Unknown' };
      const resource = asObject(decision.resource);
      items.push({
        kind: 'accessReview',
        target: {
          kind: 'accessReview',
          definitionId: scope.definitionId,
          instanceId: scope.instanceId,
          stageId: (scope.stage?.id as string | undefined) ?? null,
          decisionId: decision.id as string,
        },
        reviewName: text(scope.definition.displayName) || 'Access review',
        descriptionForReviewers: text(scope.definition.descriptionForReviewers),
        principal: { ...principal, type: principalType(decision.principal) },
        resource: {
          id: str(resource?.id),
          displayName: text(resource?.displayName) || text(scope.definition.displayName) || 'Resource',
          type: str(resource?.type),
        },
        recommendation:
          settings?.recommendationsEnabled === false ? null : recommendation(decision.recommendation),
        lastSignInDateTime: lastSignIn(decision),
        dueDateTime: str(scope.stage?.endDateTime) ?? str(scope.instance.endDateTime),
        justificationRequired: settings?.justificationRequiredOnApproval === true,
        defaultDecision: settings?.defaultDecisionEnabled === true ? str(settings.defaultDecision) : null,
        stageNumber: scope.stageNumber,
        stageCount: scope.stage ? asArray(scope.definition.stageSettings).length : null,
        earlierStages: earlierDecisions(history, scope, principal.id),
      });
    }
  });
  return items;
}

function earlierDecisions(
  history: readonly Listing[],
  scope: ReviewScope,
  principalId: string | null,
): EarlierStageDecision[] {
  if (principalId === null) return [];
  const found: EarlierStageDecision[] = [];
  scope.earlierStageIds.forEach((stageId, n) => {
    const l = history[n];
    for (const d of objects(l?.values ?? [])) {
      if (person(d.principal)?.id !== principalId) continue;
      const state = decisionItemState(d);
      if (state)
        found.push({
          stageId,
          decision: state.decision,
          reviewedBy: state.reviewedBy,
          justification: state.justification,
        });
    }
  });
  return found;
}

const ALL_KINDS: readonly ItemKind[] = ['accessPackage', 'pimGroup', 'pimRole', 'accessReview'];

/**
 * Everything waiting on the caller, across the four kinds (graph-contract.md §2, §7). The first page of
 * every discovery collection goes out in one `$batch`; later pages, and the per-approval and per-review
 * reads, are batched 20 at a time.
 */
export async function discoverPending(
  transport: GraphTransport,
  kinds: readonly ItemKind[] = ALL_KINDS,
): Promise<Discovery> {
  const before = transport.requestCount;
  const problems: DiscoveryProblem[] = [];
  const want = new Set(kinds);
  const lists = {
    emRequests: listing('emRequests', 'v1.0', discoveryPaths.emRequests),
    emApprovals: listing('emApprovals', 'v1.0', discoveryPaths.emApprovals),
    pimGroupRequests: listing('pimGroupRequests', 'v1.0', discoveryPaths.pimGroupRequests),
    pimGroupApprovals: listing('pimGroupApprovals', 'v1.0', discoveryPaths.pimGroupApprovals),
    pimRoleRequests: listing('pimRoleRequests', 'v1.0', discoveryPaths.pimRoleRequests),
    reviewDefinitions: listing('reviewDefinitions', 'v1.0', discoveryPaths.reviewDefinitions),
  };
  const wanted = [
    ...(want.has('accessPackage') ? [lists.emRequests, lists.emApprovals] : []),
    ...(want.has('pimGroup') ? [lists.pimGroupRequests, lists.pimGroupApprovals] : []),
    ...(want.has('pimRole') ? [lists.pimRoleRequests] : []),
    ...(want.has('accessReview') ? [lists.reviewDefinitions] : []),
  ];
  await readAll(transport, wanted);
  for (const l of wanted) if (l.failure) problems.push({ source: l.key, failure: l.failure });

  const items: PendingItem[] = [];
  if (want.has('accessPackage') && !lists.emRequests.failure) {
    const requests = objects(lists.emRequests.values);
    const approvals = approvalsById(lists.emApprovals.values);
    const ids = requests.map((r) => str(r.id)).filter((id): id is string => id !== null);
    await fillMissingApprovals(
      transport,
      'v1.0',
      ids,
      approvals,
      discoveryPaths.emApproval,
      'emApproval',
      problems,
    );
    items.push(...accessPackageItems(requests, approvals));
  }
  if (want.has('pimGroup') && !lists.pimGroupRequests.failure) {
    const requests = objects(lists.pimGroupRequests.values);
    const approvals = approvalsById(lists.pimGroupApprovals.values);
    const ids = requests.map((r) => str(r.approvalId)).filter((id): id is string => id !== null);
    await fillMissingApprovals(
      transport,
      'v1.0',
      ids,
      approvals,
      discoveryPaths.pimGroupApproval,
      'pimGroupApproval',
      problems,
    );
    items.push(...pimGroupItems(requests, approvals));
  }
  if (want.has('pimRole') && !lists.pimRoleRequests.failure) {
    const requests = objects(lists.pimRoleRequests.values);
    const approvals = new Map<string, readonly StageState[]>();
    const ids = requests.map((r) => str(r.approvalId)).filter((id): id is string => id !== null);
    // Role approvals exist on beta only and have no list of their own that is documented (§2.3).
    await fillMissingApprovals(
      transport,
      'beta',
      ids,
      approvals,
      discoveryPaths.pimRoleApproval,
      'pimRoleApproval',
      problems,
    );
    items.push(...pimRoleItems(requests, approvals));
  }
  if (want.has('accessReview') && !lists.reviewDefinitions.failure) {
    items.push(...(await reviewItems(transport, objects(lists.reviewDefinitions.values), problems)));
  }
  return { items, problems, graphRequests: transport.requestCount - before };
}
