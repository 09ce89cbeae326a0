import { notAllowed } from '../errors';
import type { JsonObject } from '../json';
import type { DecisionRecord, DefinitionRecord, InstanceRecord, StageRecord } from '../model/reviews';
import { checkExpand, expands } from '../odata';
import { collection, contextUrl, entity } from '../paging';
import { SCOPES } from '../permissions';
import { renderDecision, renderDefinition, renderInstance, renderStage } from '../render/reviews';
import type { GraphVersion } from '../types';
import type { Handler, RouteContext, SandboxRoute } from './context';
import { NO_CONTENT, ok, onArgument, param } from './context';

const BOTH: readonly GraphVersion[] = ['v1.0', 'beta'];
const ROOT = 'identityGovernance/accessReviews';
const DEFINITION = `${ROOT}/definitions/{definitionId}`;
const INSTANCE = `${DEFINITION}/instances/{instanceId}`;
const STAGE = `${INSTANCE}/stages/{stageId}`;
const NOT_A_REVIEWER = 'The caller is not a reviewer of this access review.';

const TYPES = {
  definition: 'accessReviewScheduleDefinition',
  instance: 'accessReviewInstance',
  stage: 'accessReviewStage',
  decision: 'accessReviewInstanceDecisionItem',
} as const;

const definitionOf = (ctx: RouteContext): DefinitionRecord =>
  ctx.store.reviews.definition(param(ctx, 'definitionId'));
const instanceOf = (ctx: RouteContext): InstanceRecord =>
  ctx.store.reviews.instance(param(ctx, 'definitionId'), param(ctx, 'instanceId'));
const stageOf = (ctx: RouteContext, instance: InstanceRecord): StageRecord =>
  ctx.store.reviews.stage(instance, param(ctx, 'stageId'));

function definitionStatus(ctx: RouteContext, definition: DefinitionRecord): string {
  const open = definition.instanceIds.some(
    (id) => ctx.store.reviews.instances.get(id)?.status === 'InProgress',
  );
  return open ? 'InProgress' : 'Completed';
}

function decisionExpand(ctx: RouteContext): void {
  checkExpand(ctx.query, ctx.version === 'beta' ? ['insights', 'instance'] : ['insights'], TYPES.decision);
}

function renderItem(ctx: RouteContext, item: DecisionRecord): JsonObject {
  let instance: JsonObject | undefined;
  const nested = ctx.query.expand.get('instance');
  const record = ctx.store.reviews.instances.get(item.instanceId);
  if (nested !== undefined && record) {
    const definition = ctx.store.reviews.definitions.get(record.definitionId);
    const withDefinition = /definition/i.test(nested) && definition !== undefined;
    instance = {
      ...renderInstance(record),
      ...(withDefinition
        ? { definition: renderDefinition(definition, definitionStatus(ctx, definition)) }
        : {}),
    };
  }
  return renderDecision(ctx.store.directory, item, {
    insights: expands(ctx.query, 'insights'),
    ...(instance ? { instance } : {}),
  });
}

function listItems(ctx: RouteContext, items: readonly DecisionRecord[]): JsonObject {
  onArgument(ctx, ['reviewer']);
  decisionExpand(ctx);
  const mine = items
    .filter((item) => ctx.store.reviews.mayRead(item, ctx.caller.id))
    .map((item) => renderItem(ctx, item));
  return collection(ctx.link, ctx.query, mine, { typeName: TYPES.decision, pageSize: ctx.pageSize });
}

function getItem(ctx: RouteContext, stage: StageRecord | undefined, instance: InstanceRecord): JsonObject {
  decisionExpand(ctx);
  const item = ctx.store.reviews.item(instance, stage, param(ctx, 'decisionId'));
  if (!ctx.store.reviews.mayRead(item, ctx.caller.id)) throw notAllowed(NOT_A_REVIEWER);
  return entity(ctx.link, ctx.query, renderItem(ctx, item), TYPES.decision);
}

function patchItem(ctx: RouteContext, stage: StageRecord | undefined, instance: InstanceRecord) {
  const item = ctx.store.reviews.item(instance, stage, param(ctx, 'decisionId'));
  ctx.store.reviews.decide(instance, item, ctx.caller.id, ctx.body, ctx.at);
  return NO_CONTENT;
}

/** Plain collections need an admin role in delegated mode; reviewers must use filterByCurrentUser (§2.4). */
const adminOnly: Handler = () => {
  throw notAllowed(
    "Listing this collection needs an access reviews administrator role; use filterByCurrentUser(on='reviewer').",
  );
};

const read = (pattern: string, handle: Handler, versions: readonly GraphVersion[] = BOTH): SandboxRoute => ({
  method: 'GET',
  versions,
  pattern,
  scopes: SCOPES.reviewRead,
  handle,
});
const write = (method: 'PATCH' | 'POST', pattern: string, handle: Handler): SandboxRoute => ({
  method,
  versions: BOTH,
  pattern,
  scopes: SCOPES.reviewWrite,
  handle,
});

export const reviewRoutes: readonly SandboxRoute[] = [
  read(`${ROOT}/definitions`, adminOnly),
  read(`${ROOT}/definitions/filterByCurrentUser(on={on})`, (ctx) => {
    onArgument(ctx, ['reviewer']);
    checkExpand(ctx.query, [], TYPES.definition);
    const items = [...ctx.store.reviews.definitions.values()]
      .filter((definition) => ctx.store.reviews.isDefinitionReviewer(definition, ctx.caller.id))
      .map((definition) => renderDefinition(definition, definitionStatus(ctx, definition)));
    return ok(collection(ctx.link, ctx.query, items, { typeName: TYPES.definition, pageSize: ctx.pageSize }));
  }),
  read(DEFINITION, (ctx) => {
    const definition = definitionOf(ctx);
    if (!ctx.store.reviews.isDefinitionReviewer(definition, ctx.caller.id)) throw notAllowed(NOT_A_REVIEWER);
    return ok(
      entity(
        ctx.link,
        ctx.query,
        renderDefinition(definition, definitionStatus(ctx, definition)),
        TYPES.definition,
      ),
    );
  }),

  read(`${DEFINITION}/instances`, adminOnly),
  read(`${DEFINITION}/instances/filterByCurrentUser(on={on})`, (ctx) => {
    onArgument(ctx, ['reviewer']);
    const definition = definitionOf(ctx);
    const items = definition.instanceIds
      .map((id) => ctx.store.reviews.instances.get(id))
      .filter((instance): instance is InstanceRecord => instance !== undefined)
      .filter((instance) => ctx.store.reviews.isInstanceReviewer(instance, ctx.caller.id))
      .map(renderInstance);
    return ok(collection(ctx.link, ctx.query, items, { typeName: TYPES.instance, pageSize: ctx.pageSize }));
  }),
  read(INSTANCE, (ctx) => {
    const instance = instanceOf(ctx);
    if (!ctx.store.reviews.isInstanceReviewer(instance, ctx.caller.id)) throw notAllowed(NOT_A_REVIEWER);
    return ok(entity(ctx.link, ctx.query, renderInstance(instance), TYPES.instance));
  }),

  read(`${INSTANCE}/stages`, adminOnly),
  read(`${INSTANCE}/stages/filterByCurrentUser(on={on})`, (ctx) => {
    onArgument(ctx, ['reviewer']);
    const instance = instanceOf(ctx);
    const items = ctx.store.reviews
      .stagesOf(instance)
      .filter((stage) => ctx.store.reviews.stageReviewers(stage).has(ctx.caller.id))
      .map(renderStage);
    return ok(collection(ctx.link, ctx.query, items, { typeName: TYPES.stage, pageSize: ctx.pageSize }));
  }),
  read(STAGE, (ctx) => {
    const instance = instanceOf(ctx);
    const stage = stageOf(ctx, instance);
    if (!ctx.store.reviews.isInstanceReviewer(instance, ctx.caller.id)) throw notAllowed(NOT_A_REVIEWER);
    return ok(entity(ctx.link, ctx.query, renderStage(stage), TYPES.stage));
  }),
  // An admin operation: scope-checked only, reviewer roles are not modelled (§1.3).
  write('PATCH', STAGE, (ctx) => {
    const stage = stageOf(ctx, instanceOf(ctx));
    ctx.store.reviews.updateStage(stage, ctx.body);
    return ok({
      '@odata.context': contextUrl(ctx.link, `microsoft.graph.${TYPES.stage}`),
      '@odata.type': `#microsoft.graph.${TYPES.stage}`,
      ...renderStage(stage),
    });
  }),

  read(`${INSTANCE}/decisions`, adminOnly),
  read(`${INSTANCE}/decisions/filterByCurrentUser(on={on})`, (ctx) => {
    const instance = instanceOf(ctx);
    return ok(listItems(ctx, ctx.store.reviews.instanceItems(instance)));
  }),
  read(`${INSTANCE}/decisions/{decisionId}`, (ctx) => ok(getItem(ctx, undefined, instanceOf(ctx)))),
  write('PATCH', `${INSTANCE}/decisions/{decisionId}`, (ctx) => patchItem(ctx, undefined, instanceOf(ctx))),

  read(`${STAGE}/decisions`, adminOnly),
  read(`${STAGE}/decisions/filterByCurrentUser(on={on})`, (ctx) => {
    const stage = stageOf(ctx, instanceOf(ctx));
    return ok(listItems(ctx, ctx.store.reviews.itemsOf(stage.id)));
  }),
  read(`${STAGE}/decisions/{decisionId}`, (ctx) => {
    const instance = instanceOf(ctx);
    return ok(getItem(ctx, stageOf(ctx, instance), instance));
  }),
  write('PATCH', `${STAGE}/decisions/{decisionId}`, (ctx) => {
    const instance = instanceOf(ctx);
    return patchItem(ctx, stageOf(ctx, instance), instance);
  }),

  write('POST', `${INSTANCE}/acceptRecommendations`, (ctx) => {
    ctx.store.reviews.acceptRecommendations(instanceOf(ctx), undefined, ctx.caller.id, ctx.at);
    return NO_CONTENT;
  }),
  write('POST', `${STAGE}/acceptRecommendations`, (ctx) => {
    const instance = instanceOf(ctx);
    ctx.store.reviews.acceptRecommendations(instance, stageOf(ctx, instance), ctx.caller.id, ctx.at);
    return NO_CONTENT;
  }),
  write('POST', `${INSTANCE}/batchRecordDecisions`, (ctx) => {
    ctx.store.reviews.batchRecord(instanceOf(ctx), undefined, ctx.caller.id, ctx.body, ctx.at);
    return NO_CONTENT;
  }),
  write('POST', `${STAGE}/batchRecordDecisions`, (ctx) => {
    const instance = instanceOf(ctx);
    ctx.store.reviews.batchRecord(instance, stageOf(ctx, instance), ctx.caller.id, ctx.body, ctx.at);
    return NO_CONTENT;
  }),

  // beta: every item the caller reviews, across reviews, optionally with instance($expand=definition) (§2.4).
  read(
    `${ROOT}/decisions/filterByCurrentUser(on={on})`,
    (ctx) => {
      const items = [...ctx.store.reviews.decisions.values()].filter((item) =>
        ctx.store.reviews.mayWrite(item, ctx.caller.id),
      );
      return ok(listItems(ctx, items));
    },
    ['beta'],
  ),
];
