import { notAllowed, notFound } from '../errors';
import type { JsonObject } from '../json';
import type { ApprovalRecord, RequestRecord } from '../model/approvals';
import { inScopeFor, waitsOn } from '../model/approvals';
import type { QueryOptions } from '../odata';
import { checkExpand } from '../odata';
import { collection, entity } from '../paging';
import type { ScopeRequirement } from '../permissions';
import { SCOPES } from '../permissions';
import { renderAccessPackageRequest, renderPimGroupRequest, renderPimRoleRequest } from '../render/approvals';
import type { ApprovalKind, GraphVersion } from '../types';
import type { RouteContext, SandboxRoute } from './context';
import { ok, onArgument, param } from './context';

const BOTH: readonly GraphVersion[] = ['v1.0', 'beta'];

interface RequestFamily {
  readonly kind: ApprovalKind;
  readonly prefix: string;
  readonly typeName: string;
  readonly scopes: readonly ScopeRequirement[];
  /** `on` values the function supports, in the docs' order. */
  readonly on: readonly string[];
  readonly expand: readonly string[];
  /** Whether an approver sees the request through the `approver` filter. */
  readonly forApprover: (approval: ApprovalRecord, userId: string) => boolean;
}

const requesterOf = (request: RequestRecord): string =>
  request.kind === 'accessPackage' ? request.requestor.id : request.principal.id;

function render(approval: ApprovalRecord, options: QueryOptions): JsonObject {
  const request = approval.request;
  switch (request.kind) {
    case 'accessPackage':
      return renderAccessPackageRequest(approval, request, options);
    case 'pimGroup':
      return renderPimGroupRequest(approval, request, options);
    case 'pimRole':
      return renderPimRoleRequest(approval, request, options);
  }
}

const FAMILIES: readonly RequestFamily[] = [
  {
    kind: 'accessPackage',
    prefix: 'identityGovernance/entitlementManagement/assignmentRequests',
    typeName: 'accessPackageAssignmentRequest',
    scopes: SCOPES.emRequestsRead,
    on: ['target', 'createdBy', 'approver'],
    expand: ['requestor', 'accessPackage', 'assignment'],
    // "Pending requests that need a decision from the caller" (§2.1): only the stage in progress counts.
    forApprover: waitsOn,
  },
  {
    kind: 'pimGroup',
    prefix: 'identityGovernance/privilegedAccess/group/assignmentScheduleRequests',
    typeName: 'privilegedAccessGroupAssignmentScheduleRequest',
    scopes: SCOPES.pimGroupRead,
    on: ['principal', 'createdBy', 'approver'],
    expand: ['group', 'principal', 'activatedUsing', 'targetSchedule'],
    // Every request the caller approves, whatever its status; callers add $filter=status eq 'PendingApproval'.
    forApprover: inScopeFor,
  },
  {
    kind: 'pimRole',
    prefix: 'roleManagement/directory/roleAssignmentScheduleRequests',
    typeName: 'unifiedRoleAssignmentScheduleRequest',
    scopes: SCOPES.pimRoleRequestsRead,
    // The docs list createdBy and unknownFutureValue but support only these two (§2.3).
    on: ['principal', 'approver'],
    expand: ['roleDefinition', 'principal', 'directoryScope', 'appScope', 'activatedUsing', 'targetSchedule'],
    forApprover: inScopeFor,
  },
];

function requestById(ctx: RouteContext, family: RequestFamily): ApprovalRecord {
  const approval = ctx.store.approvals.find(param(ctx, 'requestId'));
  if (!approval || approval.kind !== family.kind)
    throw notFound(`No request with id '${param(ctx, 'requestId')}' was found.`);
  if (requesterOf(approval.request) !== ctx.caller.id && !inScopeFor(approval, ctx.caller.id)) {
    throw notAllowed('The caller is neither the requestor nor an approver of this request.');
  }
  return approval;
}

function familyRoutes(family: RequestFamily): SandboxRoute[] {
  return [
    {
      method: 'GET',
      versions: BOTH,
      pattern: `${family.prefix}/filterByCurrentUser(on={on})`,
      scopes: family.scopes,
      handle: (ctx) => {
        const on = onArgument(ctx, family.on);
        checkExpand(ctx.query, family.expand, family.typeName);
        // An ignored $expand renders the list as if none had been asked for (filterByCurrentUserExpand).
        const options: QueryOptions =
          ctx.behaviour.filterByCurrentUserExpand === 'honoured'
            ? ctx.query
            : { ...ctx.query, expand: new Map() };
        const items = ctx.store.approvals
          .list(family.kind)
          .filter((approval) =>
            on === 'approver'
              ? family.forApprover(approval, ctx.caller.id)
              : requesterOf(approval.request) === ctx.caller.id,
          )
          .map((approval) => render(approval, options));
        return ok(
          collection(ctx.link, ctx.query, items, { typeName: family.typeName, pageSize: ctx.pageSize }),
        );
      },
    },
    {
      method: 'GET',
      versions: BOTH,
      pattern: `${family.prefix}/{requestId}`,
      scopes: family.scopes,
      handle: (ctx) => {
        checkExpand(ctx.query, family.expand, family.typeName);
        return ok(entity(ctx.link, ctx.query, render(requestById(ctx, family), ctx.query), family.typeName));
      },
    },
    {
      method: 'GET',
      versions: BOTH,
      pattern: family.prefix,
      scopes: family.scopes,
      // The unfiltered list is for administrators; approvers use filterByCurrentUser (§2).
      handle: () => {
        throw notAllowed(
          'Listing every request needs an administrator role; use filterByCurrentUser(on=...) instead.',
        );
      },
    },
  ];
}

export const requestRoutes: readonly SandboxRoute[] = FAMILIES.flatMap(familyRoutes);
