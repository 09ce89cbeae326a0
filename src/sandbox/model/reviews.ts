import type { Directory, PrincipalRecord } from '../directory';
import { badRequest, conflict, notAllowed, notFound } from '../errors';
import type { JsonObject } from '../json';
import { isRecord } from '../json';
import { isReviewAdmin, requestDenied } from '../roles';
import type {
  ReviewDecisionValue,
  ReviewDecisionView,
  ReviewerScope,
  ReviewInstanceView,
  ReviewStageView,
  ReviewStatus,
  SandboxUser,
} from '../types';

export interface ReviewSettings {
  readonly mailNotificationsEnabled: boolean;
  readonly reminderNotificationsEnabled: boolean;
  readonly justificationRequiredOnApproval: boolean;
  readonly defaultDecisionEnabled: boolean;
  readonly defaultDecision: string;
  readonly instanceDurationInDays: number;
  readonly autoApplyDecisionsEnabled: boolean;
  readonly recommendationsEnabled: boolean;
  readonly recommendationLookBackDuration: string;
  readonly decisionHistoriesForReviewersEnabled: boolean;
}

export interface DefinitionRecord {
  readonly id: string;
  readonly displayName: string;
  readonly descriptionForReviewers: string;
  readonly descriptionForAdmins: string;
  readonly createdDateTime: string;
  /** User id of the creator, who may read everything of the definition by plain GET (§2.4). */
  readonly createdBy: string;
  /** The reviewed resource's type; it decides which admin roles apply (roles.ts). */
  readonly resourceType: string;
  readonly settings: ReviewSettings;
  readonly scope: JsonObject;
  readonly reviewers: readonly ReviewerScope[];
  readonly fallbackReviewers: readonly ReviewerScope[];
  readonly stageSettings: readonly JsonObject[];
  readonly instanceIds: string[];
}

export interface InstanceRecord {
  readonly id: string;
  readonly definitionId: string;
  status: ReviewStatus;
  readonly startDateTime: string;
  readonly endDateTime: string;
  readonly scope: JsonObject;
  readonly reviewers: readonly ReviewerScope[];
  readonly fallbackReviewers: readonly ReviewerScope[];
  /** Empty for a single-stage review. */
  readonly stageIds: readonly string[];
}

export interface StageRecord {
  readonly id: string;
  readonly instanceId: string;
  status: ReviewStatus;
  readonly startDateTime: string;
  readonly endDateTime: string;
  reviewers: readonly ReviewerScope[];
  fallbackReviewers: readonly ReviewerScope[];
}

export interface DecisionRecord {
  readonly id: string;
  readonly instanceId: string;
  readonly stageId: string | null;
  readonly principal: PrincipalRecord;
  readonly resource: { readonly id: string; readonly displayName: string; readonly type: string };
  readonly recommendation: string;
  readonly lastSignInDateTime: string | null;
  readonly insightId: string;
  readonly insightCreatedDateTime: string;
  /** Wire shape only (see ReviewDecisionSeed): the principal's type, a null resource, an outlier insight. */
  readonly principalType?: string;
  readonly resourceOmitted?: boolean;
  readonly outlierInsightId?: string;
  decision: ReviewDecisionValue;
  justification: string;
  reviewedBy: string | null;
  reviewedDateTime: string | null;
  /** Sandbox clock time from which GET/PATCH by id find it; the lists show it at once (consistencyLagMs). */
  readonly visibleAt: number;
}

/** The bulk writes take a verdict; NotReviewed is only for undoing one item (graph-contract.md §4). */
const VERDICTS: readonly ReviewDecisionValue[] = ['Approve', 'Deny', 'DontKnow'];

const DECISIONS: readonly ReviewDecisionValue[] = ['Approve', 'Deny', 'NotReviewed', 'DontKnow'];
const isDecision = (value: unknown): value is ReviewDecisionValue =>
  DECISIONS.some((decision) => decision === value);
const UPDATABLE_STAGE: readonly ReviewStatus[] = ['NotStarted', 'Initializing', 'InProgress'];

/** `/users/{id}` (optionally versioned) names one user; other queries (managers, owners) are not resolved. */
function userIdOf(scope: ReviewerScope): string | undefined {
  return /^(?:\/(?:v1\.0|beta))?\/users\/([^/?]+)$/i.exec(scope.query.trim())?.[1]?.toLowerCase();
}

const scopeKey = (scope: ReviewerScope): string =>
  `${scope.query.trim().toLowerCase()}|${scope.queryType.toLowerCase()}`;

function parseScopes(value: unknown, property: string): ReviewerScope[] {
  if (!Array.isArray(value))
    throw badRequest(`The property '${property}' must be a collection of accessReviewReviewerScope.`);
  return value.map((item: unknown) => {
    if (!isRecord(item) || typeof item.query !== 'string' || item.query.trim() === '') {
      throw badRequest(`Each item of '${property}' needs a 'query' string.`);
    }
    const queryType = typeof item.queryType === 'string' ? item.queryType : 'MicrosoftGraph';
    const queryRoot = item.queryRoot;
    if (queryRoot !== undefined && queryRoot !== null && typeof queryRoot !== 'string') {
      throw badRequest(`'queryRoot' in '${property}' must be a string or null.`);
    }
    return queryRoot === undefined
      ? { query: item.query, queryType }
      : { query: item.query, queryType, queryRoot };
  });
}

const blank = (text: string): boolean => text.trim() === '';

export class ReviewStore {
  readonly definitions = new Map<string, DefinitionRecord>();
  readonly instances = new Map<string, InstanceRecord>();
  readonly stages = new Map<string, StageRecord>();
  readonly decisions = new Map<string, DecisionRecord>();
  /** Items by owner (stage id, or instance id for single-stage), in seeding order. */
  private readonly itemsByOwner = new Map<string, string[]>();

  constructor(private readonly directory: Directory) {}

  // ---- seeding and removal ----

  addDefinition(definition: DefinitionRecord): void {
    this.ensureNew(definition.id);
    this.definitions.set(definition.id, definition);
  }

  addInstance(instance: InstanceRecord): void {
    this.ensureNew(instance.id);
    this.instances.set(instance.id, instance);
  }

  addStage(stage: StageRecord): void {
    this.ensureNew(stage.id);
    this.stages.set(stage.id, stage);
  }

  addDecision(item: DecisionRecord): void {
    this.ensureNew(item.id);
    this.decisions.set(item.id, item);
    const owner = item.stageId ?? item.instanceId;
    const list = this.itemsByOwner.get(owner) ?? [];
    list.push(item.id);
    this.itemsByOwner.set(owner, list);
  }

  private ensureNew(id: string): void {
    if (this.definitions.has(id) || this.instances.has(id) || this.stages.has(id) || this.decisions.has(id)) {
      throw new Error(`sandbox seed: access review object ${id} already exists`);
    }
  }

  removeDefinition(id: string): boolean {
    const definition = this.definitions.get(id.toLowerCase());
    if (!definition) return false;
    for (const instanceId of definition.instanceIds) {
      const instance = this.instances.get(instanceId);
      for (const owner of [instanceId, ...(instance?.stageIds ?? [])]) {
        for (const itemId of this.itemsByOwner.get(owner) ?? []) this.decisions.delete(itemId);
        this.itemsByOwner.delete(owner);
        this.stages.delete(owner);
      }
      this.instances.delete(instanceId);
    }
    return this.definitions.delete(definition.id);
  }

  // ---- lookups along the path (404 when an id is unknown or not under its parent) ----

  definition(id: string): DefinitionRecord {
    const definition = this.definitions.get(id.toLowerCase());
    if (!definition) throw notFound(`No access review definition with id '${id}' was found.`);
    return definition;
  }

  instance(definitionId: string, instanceId: string): InstanceRecord {
    const definition = this.definition(definitionId);
    const instance = this.instances.get(instanceId.toLowerCase());
    if (!instance || instance.definitionId !== definition.id)
      throw notFound(`No access review instance with id '${instanceId}' was found.`);
    return instance;
  }

  stage(instance: InstanceRecord, stageId: string): StageRecord {
    const stage = this.stages.get(stageId.toLowerCase());
    if (!stage || stage.instanceId !== instance.id)
      throw notFound(`No access review stage with id '${stageId}' was found.`);
    return stage;
  }

  /**
   * Instance-level paths reach every item of the instance; stage-level paths only that stage's. An item that
   * has not replicated yet (`visibleAt`, the consistencyLagMs option) is Graph's 404 as if unknown.
   */
  item(
    instance: InstanceRecord,
    stage: StageRecord | undefined,
    decisionId: string,
    at: number,
  ): DecisionRecord {
    const item = this.decisions.get(decisionId.toLowerCase());
    const under = item && item.instanceId === instance.id && (!stage || item.stageId === stage.id);
    if (!item || !under || at < item.visibleAt)
      throw notFound(`No access review decision with id '${decisionId}' was found.`);
    return item;
  }

  // ---- who administers what (directory roles, graph-contract.md §2.4, §4, G11) ----

  /** Admins of the reviewed resource's kind and the definition's creator: plain GETs and lists. */
  mayAdminister(definition: DefinitionRecord, user: SandboxUser): boolean {
    return definition.createdBy === user.id || isReviewAdmin(user, definition.resourceType);
  }

  /** 403 Authorization_RequestDenied for plain users on plain reads; reviewers use filterByCurrentUser. */
  assertAdministers(definition: DefinitionRecord, user: SandboxUser): void {
    if (!this.mayAdminister(definition, user)) throw requestDenied();
  }

  // ---- who reviews what ----

  /** Known users among the reviewers; the fallback reviewers only when no reviewer resolves (as in Graph). */
  reviewerIds(reviewers: readonly ReviewerScope[], fallback: readonly ReviewerScope[]): Set<string> {
    const known = (scopes: readonly ReviewerScope[]) =>
      scopes
        .map(userIdOf)
        .filter((id): id is string => id !== undefined && this.directory.get(id) !== undefined);
    const primary = known(reviewers);
    return new Set(primary.length > 0 ? primary : known(fallback));
  }

  stageReviewers(stage: StageRecord): Set<string> {
    return this.reviewerIds(stage.reviewers, stage.fallbackReviewers);
  }

  stagesOf(instance: InstanceRecord): StageRecord[] {
    return instance.stageIds
      .map((id) => this.stages.get(id))
      .filter((stage): stage is StageRecord => stage !== undefined);
  }

  isInstanceReviewer(instance: InstanceRecord, userId: string): boolean {
    if (instance.stageIds.length === 0)
      return this.reviewerIds(instance.reviewers, instance.fallbackReviewers).has(userId);
    return this.stagesOf(instance).some((stage) => this.stageReviewers(stage).has(userId));
  }

  isDefinitionReviewer(definition: DefinitionRecord, userId: string): boolean {
    return definition.instanceIds.some((id) => {
      const instance = this.instances.get(id);
      return instance !== undefined && this.isInstanceReviewer(instance, userId);
    });
  }

  /** The stage a multi-stage instance's own paths act on: the one in progress, else the last started. */
  currentStage(instance: InstanceRecord): StageRecord | undefined {
    const stages = this.stagesOf(instance);
    return (
      stages.find((stage) => stage.status === 'InProgress') ??
      [...stages].reverse().find((stage) => stage.status !== 'NotStarted')
    );
  }

  itemsOf(owner: string): DecisionRecord[] {
    return (this.itemsByOwner.get(owner) ?? [])
      .map((id) => this.decisions.get(id))
      .filter((item): item is DecisionRecord => item !== undefined);
  }

  instanceItems(instance: InstanceRecord): DecisionRecord[] {
    if (instance.stageIds.length === 0) return this.itemsOf(instance.id);
    const stage = this.currentStage(instance);
    return stage ? this.itemsOf(stage.id) : [];
  }

  mayWrite(item: DecisionRecord, userId: string): boolean {
    const stage = item.stageId ? this.stages.get(item.stageId) : undefined;
    if (stage) return this.stageReviewers(stage).has(userId);
    const instance = this.instances.get(item.instanceId);
    return instance !== undefined && this.isInstanceReviewer(instance, userId);
  }

  private historiesEnabled(instance: InstanceRecord): boolean {
    return (
      this.definitions.get(instance.definitionId)?.settings.decisionHistoriesForReviewersEnabled === true
    );
  }

  /**
   * Earlier-stage items are readable by a later stage's reviewer when the definition enables decision
   * histories, and only for a principal/resource that reached the stage they review (§2.4, §3.7).
   */
  mayRead(item: DecisionRecord, userId: string): boolean {
    if (this.mayWrite(item, userId)) return true;
    const instance = this.instances.get(item.instanceId);
    if (!instance || !item.stageId || !this.historiesEnabled(instance)) return false;
    const stages = this.stagesOf(instance);
    const index = stages.findIndex((stage) => stage.id === item.stageId);
    return stages
      .slice(index + 1)
      .filter((stage) => this.stageReviewers(stage).has(userId))
      .some((stage) =>
        this.itemsOf(stage.id).some(
          (later) => later.principal.id === item.principal.id && later.resource.id === item.resource.id,
        ),
      );
  }

  /**
   * The stages filterByCurrentUser lists: those the caller reviews and, with decision histories enabled,
   * every earlier stage, so that their decisions can be read (§2.4 last bullet).
   */
  stagesFor(instance: InstanceRecord, userId: string): StageRecord[] {
    const stages = this.stagesOf(instance);
    const last = stages.reduce(
      (found, stage, index) => (this.stageReviewers(stage).has(userId) ? index : found),
      -1,
    );
    return stages.filter(
      (stage, index) =>
        this.stageReviewers(stage).has(userId) || (index < last && this.historiesEnabled(instance)),
    );
  }

  settingsOf(instance: InstanceRecord): ReviewSettings {
    return this.definition(instance.definitionId).settings;
  }

  // ---- writes ----

  /** The status that keeps decisions from being recorded, or undefined while instance and stage are open. */
  private closedStatus(instance: InstanceRecord, stage: StageRecord | undefined): ReviewStatus | undefined {
    if (instance.status !== 'InProgress') return instance.status;
    return stage && stage.status !== 'InProgress' ? stage.status : undefined;
  }

  private assertOpen(instance: InstanceRecord, stage: StageRecord | undefined): void {
    const closed = this.closedStatus(instance, stage);
    if (closed !== undefined) {
      throw badRequest(
        `The access review is not in progress (status: ${closed}); decisions can no longer be recorded.`,
      );
    }
  }

  private assertJustified(
    instance: InstanceRecord,
    decision: ReviewDecisionValue,
    justification: string,
  ): void {
    if (
      decision === 'Approve' &&
      this.settingsOf(instance).justificationRequiredOnApproval &&
      blank(justification)
    ) {
      throw badRequest(
        'A justification is required to approve: the review sets justificationRequiredOnApproval.',
      );
    }
  }

  private record(
    item: DecisionRecord,
    userId: string,
    decision: ReviewDecisionValue,
    justification: string,
    at: number,
  ): void {
    item.decision = decision;
    item.justification = justification;
    // Undoing (NotReviewed) clears the reviewer again, like an item nobody has touched.
    item.reviewedBy = decision === 'NotReviewed' ? null : userId;
    item.reviewedDateTime = decision === 'NotReviewed' ? null : new Date(at).toISOString();
  }

  /** PATCH of one item: 400 bad body, 403 not a reviewer, 400 review closed or justification missing. */
  decide(instance: InstanceRecord, item: DecisionRecord, userId: string, body: unknown, at: number): void {
    const { decision, justification } = parseDecisionBody(body);
    if (!this.mayWrite(item, userId)) throw notAllowed('The caller is not a reviewer of this access review.');
    this.assertOpen(instance, item.stageId ? this.stages.get(item.stageId) : undefined);
    this.assertJustified(instance, decision, justification);
    this.record(item, userId, decision, justification, at);
  }

  /** Items this caller reviews in the scope of an instance or stage; 403 when there are none at all. */
  private reviewableItems(
    instance: InstanceRecord,
    stage: StageRecord | undefined,
    userId: string,
  ): DecisionRecord[] {
    const scope = stage ? this.itemsOf(stage.id) : this.instanceItems(instance);
    const reviewer = stage
      ? this.stageReviewers(stage).has(userId)
      : this.isInstanceReviewer(instance, userId);
    if (!reviewer) throw notAllowed('The caller is not a reviewer of this access review.');
    this.assertOpen(
      instance,
      stage ?? (instance.stageIds.length > 0 ? this.currentStage(instance) : undefined),
    );
    return scope.filter((item) => this.mayWrite(item, userId));
  }

  /** Takes the recommendation on NotReviewed items that have one; others are left alone. */
  acceptRecommendations(
    instance: InstanceRecord,
    stage: StageRecord | undefined,
    userId: string,
    at: number,
  ): void {
    for (const item of this.reviewableItems(instance, stage, userId)) {
      if (item.decision !== 'NotReviewed') continue;
      if (item.recommendation !== 'Approve' && item.recommendation !== 'Deny') continue;
      this.record(item, userId, item.recommendation, 'Accepted recommendation', at);
    }
  }

  /**
   * v1.0 batchRecordDecisions carries a delegated role note (User Administrator / Identity Governance
   * Administrator, graph-contract.md §2.4, §4): a plain reviewer gets 403 Authorization_RequestDenied. An admin
   * decides, as themselves, every NotReviewed item in scope (the instance's current items, or the stage's),
   * narrowed by principalId/resourceId when given.
   */
  batchRecord(
    instance: InstanceRecord,
    stage: StageRecord | undefined,
    caller: SandboxUser,
    body: unknown,
    at: number,
  ): void {
    const { decision, justification } = parseDecisionBody(body);
    const { principalId, resourceId } = scopeOf(body);
    if (!isReviewAdmin(caller, this.definition(instance.definitionId).resourceType)) throw requestDenied();
    this.assertOpen(
      instance,
      stage ?? (instance.stageIds.length > 0 ? this.currentStage(instance) : undefined),
    );
    this.assertJustified(instance, decision, justification);
    const scope = stage ? this.itemsOf(stage.id) : this.instanceItems(instance);
    for (const item of scope) {
      if (item.decision !== 'NotReviewed' || !matches(item, principalId, resourceId)) continue;
      this.record(item, caller.id, decision, justification, at);
    }
  }

  /**
   * beta recordAllDecisions on filterByCurrentUser(on='reviewer') (§4): one verdict for every NotReviewed item
   * the caller reviews, across reviews, narrowed by principalId/resourceId; items of closed reviews or stages
   * are skipped. A missing justification where a review requires one fails the whole call before any write.
   */
  recordAll(userId: string, body: unknown, at: number): void {
    const { decision, justification } = parseDecisionBody(body);
    if (!VERDICTS.includes(decision)) {
      throw badRequest(`Invalid value '${decision}' for property 'decision'. Use Approve, Deny or DontKnow.`);
    }
    const { principalId, resourceId } = scopeOf(body);
    const targets: { item: DecisionRecord; instance: InstanceRecord }[] = [];
    for (const item of this.decisions.values()) {
      const instance = this.instances.get(item.instanceId);
      if (!instance || item.decision !== 'NotReviewed' || !matches(item, principalId, resourceId)) continue;
      if (!this.mayWrite(item, userId)) continue;
      const stage = item.stageId ? this.stages.get(item.stageId) : undefined;
      if (this.closedStatus(instance, stage) !== undefined) continue;
      targets.push({ item, instance });
    }
    for (const { instance } of targets) this.assertJustified(instance, decision, justification);
    for (const { item } of targets) this.record(item, userId, decision, justification, at);
  }

  /** Only reviewers and fallbackReviewers change; fallback reviewers can be added, never removed (409). */
  updateStage(stage: StageRecord, body: unknown): void {
    if (!isRecord(body)) throw badRequest('The request body must be a JSON object.');
    for (const key of Object.keys(body)) {
      if (!['reviewers', 'fallbackReviewers', '@odata.type', 'id'].includes(key)) {
        throw badRequest(
          `The property '${key}' cannot be updated; only reviewers and fallbackReviewers can.`,
        );
      }
    }
    if (!UPDATABLE_STAGE.includes(stage.status)) {
      throw badRequest(
        `The access review stage is ${stage.status}; it can be updated only while NotStarted, Initializing or InProgress.`,
      );
    }
    const reviewers = body.reviewers === undefined ? undefined : parseScopes(body.reviewers, 'reviewers');
    const fallback =
      body.fallbackReviewers === undefined
        ? undefined
        : parseScopes(body.fallbackReviewers, 'fallbackReviewers');
    if (fallback) {
      const kept = new Set(fallback.map(scopeKey));
      const removed = stage.fallbackReviewers.filter((scope) => !kept.has(scopeKey(scope)));
      if (removed.length > 0) {
        throw conflict(
          `Existing fallback reviewers cannot be removed: ${removed.map((scope) => scope.query).join(', ')}.`,
        );
      }
    }
    if (reviewers) stage.reviewers = reviewers;
    if (fallback) stage.fallbackReviewers = fallback;
  }

  // ---- views for tests ----

  instanceView(id: string): ReviewInstanceView | undefined {
    const instance = this.instances.get(id.toLowerCase());
    return (
      instance && {
        id: instance.id,
        definitionId: instance.definitionId,
        status: instance.status,
        stageIds: [...instance.stageIds],
      }
    );
  }

  stageView(id: string): ReviewStageView | undefined {
    const stage = this.stages.get(id.toLowerCase());
    return (
      stage && {
        id: stage.id,
        instanceId: stage.instanceId,
        status: stage.status,
        reviewers: [...stage.reviewers],
        fallbackReviewers: [...stage.fallbackReviewers],
      }
    );
  }

  decisionView(id: string): ReviewDecisionView | undefined {
    const item = this.decisions.get(id.toLowerCase());
    return (
      item && {
        id: item.id,
        instanceId: item.instanceId,
        stageId: item.stageId,
        decision: item.decision,
        justification: item.justification,
        reviewedBy: item.reviewedBy,
        reviewedDateTime: item.reviewedDateTime,
        principalId: item.principal.id,
        resourceId: item.resource.id,
        recommendation: item.recommendation,
      }
    );
  }

  /** Open items this user can decide now. */
  pendingItemsFor(userId: string): string[] {
    const open: string[] = [];
    for (const instance of this.instances.values()) {
      if (instance.status !== 'InProgress') continue;
      const stage = instance.stageIds.length > 0 ? this.currentStage(instance) : undefined;
      if (instance.stageIds.length > 0 && stage?.status !== 'InProgress') continue;
      for (const item of this.instanceItems(instance)) {
        if (item.decision === 'NotReviewed' && this.mayWrite(item, userId)) open.push(item.id);
      }
    }
    return open;
  }
}

/** The optional principalId/resourceId that narrow a bulk write. */
function scopeOf(body: unknown): { principalId?: string; resourceId?: string } {
  const fields = isRecord(body) ? body : {};
  for (const name of ['principalId', 'resourceId'] as const) {
    const value = fields[name];
    if (value !== undefined && value !== null && typeof value !== 'string')
      throw badRequest(`The property '${name}' must be a string.`);
  }
  return {
    ...(typeof fields.principalId === 'string' ? { principalId: fields.principalId.toLowerCase() } : {}),
    ...(typeof fields.resourceId === 'string' ? { resourceId: fields.resourceId.toLowerCase() } : {}),
  };
}

const matches = (item: DecisionRecord, principalId?: string, resourceId?: string): boolean =>
  (principalId === undefined || item.principal.id === principalId) &&
  (resourceId === undefined || item.resource.id === resourceId);

function parseDecisionBody(body: unknown): { decision: ReviewDecisionValue; justification: string } {
  if (!isRecord(body))
    throw badRequest('The request body must be a JSON object with decision and justification.');
  const { decision, justification } = body;
  if (!isDecision(decision)) {
    throw badRequest(
      `Invalid value '${String(decision)}' for property 'decision'. Use Approve, Deny, NotReviewed or DontKnow.`,
    );
  }
  if (justification !== undefined && justification !== null && typeof justification !== 'string') {
    throw badRequest("The property 'justification' must be a string.");
  }
  return {
    decision,
    justification: typeof justification === 'string' ? justification : '',
  };
}
