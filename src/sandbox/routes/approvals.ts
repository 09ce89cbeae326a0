import { notAllowed } from '../errors';
import type { ApprovalRecord } from '../model/approvals';
import { approvalNotFound, inScopeFor } from '../model/approvals';
import { checkExpand, expands } from '../odata';
import { collection, entity } from '../paging';
import type { ScopeRequirement } from '../permissions';
import { SCOPES } from '../permissions';
import { renderApproval, renderStage, stagesProperty } from '../render/approvals';
import type { ApprovalKind, GraphVersion } from '../types';
import type { RouteContext, SandboxRoute } from './context';
import { NO_CONTENT, ok, onArgument, param } from './context';

interface Family {
  readonly kind: ApprovalKind;
  readonly prefix: string;
  readonly versions: readonly GraphVersion[];
  readonly read: readonly ScopeRequirement[];
  readonly list: readonly ScopeRequirement[];
  readonly write: readonly ScopeRequirement[];
}

/** The three approval families share one shape; only paths, versions and scopes differ (§1.1, §2). */
const FAMILIES: readonly Family[] = [
  {
    kind: 'accessPackage',
    prefix: 'identityGovernance/entitlementManagement/accessPackageAssignmentApprovals',
    versions: ['v1.0', 'beta'],
    read: SCOPES.emRead,
    list: SCOPES.emWrite,
    write: SCOPES.emWrite,
  },
  {
    kind: 'pimGroup',
    prefix: 'identityGovernance/privilegedAccess/group/assignmentApprovals',
    versions: ['v1.0', 'beta'],
    read: SCOPES.pimGroupRead,
    list: SCOPES.pimGroupRead,
    write: SCOPES.pimGroupWrite,
  },
  {
    // Beta only: v1.0 has no roleAssignmentApprovals, so the router answers its 400 (§1.1).
    kind: 'pimRole',
    prefix: 'roleManagement/directory/roleAssignmentApprovals',
    versions: ['beta'],
    read: SCOPES.pimRoleApprovalRead,
    list: SCOPES.pimRoleApprovalRead,
    write: SCOPES.pimRoleApprovalWrite,
  },
];

// A caller who approves no stage: 403 by default, or the same 404 as an unknown id (nonApproverRead, §1.1).
function readable(ctx: RouteContext, kind: ApprovalKind): ApprovalRecord {
  const id = param(ctx, 'approvalId');
  const approval = ctx.store.approvals.get(kind, id, ctx.at);
  if (inScopeFor(approval, ctx.caller.id)) return approval;
  if (ctx.behaviour.nonApproverRead === 'notFound') throw approvalNotFound(id);
  throw notAllowed('The caller is not an approver of this approval.');
}

const stageType = (version: GraphVersion): string => (version === 'v1.0' ? 'approvalStage' : 'approvalStep');

function familyRoutes(family: Family): SandboxRoute[] {
  const { kind, prefix } = family;
  const routes: SandboxRoute[] = [
    {
      method: 'GET',
      versions: family.versions,
      pattern: `${prefix}/filterByCurrentUser(on={on})`,
      scopes: family.list,
      handle: (ctx) => {
        onArgument(ctx, ['approver']);
        checkExpand(ctx.query, [stagesProperty(ctx.version)], 'approval');
        // v1.0 answers ids only unless stages are expanded; beta inlines steps (§2.1).
        const withStages =
          ctx.version === 'beta' ||
          (ctx.behaviour.filterByCurrentUserExpand === 'honoured' && expands(ctx.query, 'stages'));
        const items = ctx.store.approvals
          .list(kind)
          .filter((approval) => approval.outcome === 'pending' && inScopeFor(approval, ctx.caller.id))
          .map((approval) =>
            renderApproval(ctx.store.directory, approval, ctx.caller.id, ctx.version, withStages),
          );
        return ok(collection(ctx.link, ctx.query, items, { typeName: 'approval', pageSize: ctx.pageSize }));
      },
    },
    {
      method: 'GET',
      versions: family.versions,
      pattern: `${prefix}/{approvalId}`,
      scopes: family.read,
      handle: (ctx) => {
        checkExpand(ctx.query, [stagesProperty(ctx.version)], 'approval');
        const approval = readable(ctx, kind);
        return ok(
          entity(
            ctx.link,
            ctx.query,
            renderApproval(ctx.store.directory, approval, ctx.caller.id, ctx.version, true),
            'approval',
          ),
        );
      },
    },
  ];
  for (const version of family.versions) {
    const children = `${prefix}/{approvalId}/${stagesProperty(version)}`;
    routes.push(
      {
        method: 'GET',
        versions: [version],
        pattern: children,
        scopes: family.read,
        handle: (ctx) => {
          const approval = readable(ctx, kind);
          const items = approval.stages.map((stage) =>
            renderStage(ctx.store.directory, stage, ctx.caller.id),
          );
          return ok(
            collection(ctx.link, ctx.query, items, { typeName: stageType(version), pageSize: ctx.pageSize }),
          );
        },
      },
      {
        method: 'GET',
        versions: [version],
        pattern: `${children}/{stageId}`,
        scopes: family.read,
        handle: (ctx) => {
          const approval = readable(ctx, kind);
          const stage = ctx.store.approvals.stage(approval, param(ctx, 'stageId'));
          return ok(
            entity(
              ctx.link,
              ctx.query,
              renderStage(ctx.store.directory, stage, ctx.caller.id),
              stageType(version),
            ),
          );
        },
      },
      {
        method: 'PATCH',
        versions: [version],
        pattern: `${children}/{stageId}`,
        scopes: family.write,
        handle: (ctx) => {
          ctx.store.approvals.decide({
            kind,
            approvalId: param(ctx, 'approvalId'),
            stageId: param(ctx, 'stageId'),
            callerId: ctx.caller.id,
            body: ctx.body,
            at: ctx.at,
            form: ctx.behaviour.form,
            justificationMessage: ctx.behaviour.approverJustificationMessage,
          });
          return NO_CONTENT;
        },
      },
    );
  }
  return routes;
}

export const approvalRoutes: readonly SandboxRoute[] = FAMILIES.flatMap(familyRoutes);
