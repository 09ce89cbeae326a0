import type { JsonObject } from '../json';
import type { DecisionRecord, DefinitionRecord, InstanceRecord, StageRecord } from '../model/reviews';
import { checkExpand, expands } from '../odata';
import { collection, contextUrl, entity } from '../paging';
import { SCOPES } from '../permissions';
import { hasAnyReviewAdminRole, requestDenied } from '../roles';
import { renderDecision, renderDefinition, renderInstance, renderStage } from '../render/reviews';
import type { GraphVersion } from '../types';
import type { Handler, RouteContext, SandboxRoute } from './context';
import { NO_CONTENT, ok, onArgument, param } from './context';

const BOTH: readonly GraphVersion[] = ['v1.0', 'beta'];
const ROOT = 'identityGovernance/accessReviews';
const DEFINITION = `${ROOT}/definitions/{definitionId}`;
const INSTANCE = `${DEFINITION}/instances/{instanceId}`;
const STAGE = `${INSTANCE}/stages/{stageId}`;

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
        ? { definition: renderDefinition(ctx.store.directory, definition, definitionStatus(ctx, definition)) }
        : {}),
    };
  }
  return renderDecision(ctx.store.directory, item, {
    insights: expands(ctx.query, 'insights'),
    ...(instance ? { instance } : {}),
  });
}

// $filter (e.g. `id eq '…' and decision eq 'NotReviewed'`, §2.4) is applied by collection() before paging.
function renderItems(ctx: RouteContext, items: readonly DecisionRecord[]): JsonObject {
  decisionExpand(ctx);
  return collection(
    ctx.link,
    ctx.query,
    items.map((item) => renderItem(ctx, item)),
    { typeName: TYPES.decision, pageSize: ctx.pageSize },
  );
}

/** filterByCurrentUser(on='reviewer'): the caller's items, plus earlier stages' when histories allow. */
function myItems(ctx: RouteContext, items: readonly DecisionRecord[]): JsonObject {
  onArgument(ctx, ['reviewer']);
  return renderItems(
    ctx,
    items.filter((item) => ctx.store.reviews.mayRead(item, ctx.caller.id)),
  );
}

// Plain reads of one item are for admins and the creator (§2.4, added 2026-12); a reviewer re-reads their own
// item through filterByCurrentUser with $filter=id eq '…'.
function getItem(ctx: RouteContext, stage: StageRecord | undefined, instance: InstanceRecord): JsonObject {
  decisionExpand(ctx);
  const item = ctx.store.reviews.item(instance, stage, param(ctx, 'decisionId'), ctx.at);
  ctx.store.reviews.assertAdministers(definitionOf(ctx), ctx.caller);
  return entity(ctx.link, ctx.query, renderItem(ctx, item), TYPES.decision);
}

function patchItem(ctx: RouteContext, stage: StageRecord | undefined, instance: InstanceRecord) {
  const item = ctx.store.reviews.item(instance, stage, param(ctx, 'decisionId'), ctx.at);
  ctx.store.reviews.decide(instance, item, ctx.caller.id, ctx.body, ctx.at);
  return NO_CONTENT;
}

/** Plain collections under a definition: its admins and creator only; reviewers use filterByCurrentUser (§2.4). */
function administered(ctx: RouteContext): DefinitionRecord {
  const definition = definitionOf(ctx);
  ctx.store.reviews.assertAdministers(definition, ctx.caller);
  return definition;
}

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

const definitionList = (ctx: RouteContext, definitions: readonly DefinitionRecord[]): JsonObject => {
  checkExpand(ctx.query, [], TYPES.definition);
  const items = definitions.map((definition) =>
    renderDefinition(ctx.store.directory, definition, definitionStatus(ctx, definition)),
  );
  return collection(ctx.link, ctx.query, items, { typeName: TYPES.definition, pageSize: ctx.pageSize });
};

const instanceList = (ctx: RouteContext, instances: readonly InstanceRecord[]): JsonObject =>
  collection(ctx.link, ctx.query, instances.map(renderInstance), {
    typeName: TYPES.instance,
    pageSize: ctx.pageSize,
  });

const stageList = (ctx: RouteContext, stages: readonly StageRecord[]): JsonObject =>
  collection(ctx.link, ctx.query, stages.map(renderStage), { typeName: TYPES.stage, pageSize: ctx.pageSize });

const instancesOf = (ctx: RouteContext, definition: DefinitionRecord): InstanceRecord[] =>
  definition.instanceIds
    .map((id) => ctx.store.reviews.instances.get(id))
    .filter((instance): instance is InstanceRecord => instance !== undefined);

export const reviewRoutes: readonly SandboxRoute[] = [
  // Admins see what their roles cover, a creator what they created; a plain user who created nothing: 403.
  read(`${ROOT}/definitions`, (ctx) => {
    const definitions = [...ctx.store.reviews.definitions.values()].filter((definition) =>
      ctx.store.reviews.mayAdminister(definition, ctx.caller),
    );
    if (definitions.length === 0 && !hasAnyReviewAdminRole(ctx.caller)) throw requestDenied();
    return ok(definitionList(ctx, definitions));
  }),
  read(`${ROOT}/definitions/filterByCurrentUser(on={on})`, (ctx) => {
    onArgument(ctx, ['reviewer']);
    return ok(
      definitionList(
        ctx,
        [...ctx.store.reviews.definitions.values()].filter((definition) =>
          ctx.store.reviews.isDefinitionReviewer(definition, ctx.caller.id),
        ),
      ),
    );
  }),
  read(DEFINITION, (ctx) => {
    const definition = administered(ctx);
    return ok(
      entity(
        ctx.link,
        ctx.query,
        renderDefinition(ctx.store.directory, definition, definitionStatus(ctx, definition)),
        TYPES.definition,
      ),
    );
  }),

  read(`${DEFINITION}/instances`, (ctx) => ok(instanceList(ctx, instancesOf(ctx, administered(ctx))))),
  read(`${DEFINITION}/instances/filterByCurrentUser(on={on})`, (ctx) => {
    onArgument(ctx, ['reviewer']);
    const instances = instancesOf(ctx, definitionOf(ctx)).filter((instance) =>
      ctx.store.reviews.isInstanceReviewer(instance, ctx.caller.id),
    );
    return ok(instanceList(ctx, instances));
  }),
  read(INSTANCE, (ctx) => {
    const instance = instanceOf(ctx);
    administered(ctx);
    return ok(entity(ctx.link, ctx.query, renderInstance(instance), TYPES.instance));
  }),

  read(`${INSTANCE}/stages`, (ctx) => {
    const instance = instanceOf(ctx);
    administered(ctx);
    return ok(stageList(ctx, ctx.store.reviews.stagesOf(instance)));
  }),
  read(`${INSTANCE}/stages/filterByCurrentUser(on={on})`, (ctx) => {
    onArgument(ctx, ['reviewer']);
    return ok(stageList(ctx, ctx.store.reviews.stagesFor(instanceOf(ctx), ctx.caller.id)));
  }),
  read(STAGE, (ctx) => {
    const stage = stageOf(ctx, instanceOf(ctx));
    administered(ctx);
    return ok(entity(ctx.link, ctx.query, renderStage(stage), TYPES.stage));
  }),
  // An admin operation the contract gives no role note (§1.3): scope-checked only.
  write('PATCH', STAGE, (ctx) => {
    const stage = stageOf(ctx, instanceOf(ctx));
    ctx.store.reviews.updateStage(stage, ctx.body);
    return ok({
      '@odata.context': contextUrl(ctx.link, `microsoft.graph.${TYPES.stage}`),
      '@odata.type': `#microsoft.graph.${TYPES.stage}`,
      ...renderStage(stage),
    });
  }),

  read(`${INSTANCE}/decisions`, (ctx) => {
    const instance = instanceOf(ctx);
    administered(ctx);
    return ok(renderItems(ctx, ctx.store.reviews.instanceItems(instance)));
  }),
  read(`${INSTANCE}/decisions/filterByCurrentUser(on={on})`, (ctx) => {
    const instance = instanceOf(ctx);
    return ok(myItems(ctx, ctx.store.reviews.instanceItems(instance)));
  }),
  read(`${INSTANCE}/decisions/{decisionId}`, (ctx) => ok(getItem(ctx, undefined, instanceOf(ctx)))),
  write('PATCH', `${INSTANCE}/decisions/{decisionId}`, (ctx) => patchItem(ctx, undefined, instanceOf(ctx))),

  read(`${STAGE}/decisions`, (ctx) => {
    const stage = stageOf(ctx, instanceOf(ctx));
    administered(ctx);
    return ok(renderItems(ctx, ctx.store.reviews.itemsOf(stage.id)));
  }),
  read(`${STAGE}/decisions/filterByCurrentUser(on={on})`, (ctx) => {
    const stage = stageOf(ctx, instanceOf(ctx));
    return ok(myItems(ctx, ctx.store.reviews.itemsOf(stage.id)));
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
  // Admins only: the v1.0 pages carry a delegated role note (§2.4, §4); acceptRecommendations has none.
  write('POST', `${INSTANCE}/batchRecordDecisions`, (ctx) => {
    ctx.store.reviews.batchRecord(instanceOf(ctx), undefined, ctx.caller, ctx.body, ctx.at);
    return NO_CONTENT;
  }),
  write('POST', `${STAGE}/batchRecordDecisions`, (ctx) => {
    const instance = instanceOf(ctx);
    ctx.store.reviews.batchRecord(instance, stageOf(ctx, instance), ctx.caller, ctx.body, ctx.at);
    return NO_CONTENT;
  }),

  // beta: every item the caller reviews, across reviews, optionally with instance($expand=definition) (§2.4).
  read(
    `${ROOT}/decisions/filterByCurrentUser(on={on})`,
    (ctx) => {
      const items = [...ctx.store.reviews.decisions.values()].filter((item) =>
        ctx.store.reviews.mayWrite(item, ctx.caller.id),
      );
      return ok(myItems(ctx, items));
    },
    ['beta'],
  ),
  // beta only, for reviewers (§4); its page lists AccessReview.Read.All as well as ReadWrite.All.
  {
    method: 'POST',
    versions: ['beta'],
    pattern: `${ROOT}/decisions/filterByCurrentUser(on={on})/recordAllDecisions`,
    scopes: SCOPES.reviewRead,
    handle: (ctx) => {
      onArgument(ctx, ['reviewer']);
      ctx.store.reviews.recordAll(ctx.caller.id, ctx.body, ctx.at);
      return NO_CONTENT;
    },
  },
];
