import { behaviourOf, checkLag } from './behaviour';
import { seedDemoTenant } from './demo-tenant';
import { DEMO_COLLEAGUES, DEMO_GUESTS, DEMO_TENANT_ID, DEMO_USERS } from './directory';
import { HttpError } from './errors';
import { FaultBook } from './faults';
import { Pipeline } from './pipeline';
import { Recorder } from './recorder';
import { createSeeder } from './seeder';
import { listen } from './server';
import { SandboxStore, stateView } from './state';
import { Timers } from './timers';
import { GOVERNANCE_SCOPES, mintToken } from './tokens';
import type { DecideAsTarget, Sandbox, SandboxOptions } from './types';

export type {
  AccessPackageAnswerInput,
  AccessPackageRequestSeed,
  AccessReviewSeed,
  AccessReviewSettingsInput,
  ApprovalKind,
  ApprovalStageInput,
  ApprovalStageStatus,
  ApprovalStageView,
  ApprovalView,
  BulkSeed,
  DecideAsTarget,
  DemoUsers,
  DirectoryRoleName,
  FaultEffect,
  FaultHandle,
  FaultMatch,
  FaultRule,
  Faults,
  FilterByCurrentUserExpand,
  GraphVersion,
  NonApproverRead,
  PimGroupRequestSeed,
  PimRoleRequestSeed,
  PrincipalInput,
  RecordedRequest,
  ReviewDecisionSeed,
  ReviewDecisionValue,
  ReviewDecisionView,
  ReviewerInput,
  ReviewerScope,
  ReviewInstanceView,
  ReviewItemDecision,
  ReviewResourceInput,
  ReviewResultForm,
  ReviewStageSeed,
  ReviewStageView,
  ReviewStatus,
  Sandbox,
  SandboxOptions,
  SandboxState,
  SandboxUser,
  ScheduleInput,
  SeededApproval,
  SeededReview,
  Seeder,
  TokenOptions,
  UserSeed,
} from './types';
export { DEMO_IDS } from './demo-tenant';
export { APPROVER_JUSTIFICATION_MESSAGES } from './behaviour';
export { DEMO_COLLEAGUES, DEMO_GUESTS, DEMO_TENANT_ID, DEMO_USERS, GOVERNANCE_SCOPES };
export { MAX_BATCH_REQUESTS } from './batch';

/**
 * Starts a stateful stand-in for Microsoft Graph's identity-governance APIs on loopback: the paths, bodies,
 * status codes, error bodies and faults of docs/graph-contract.md, with a demo tenant by default.
 */
export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const pageSize = options.pageSize ?? 100;
  if (!Number.isInteger(pageSize) || pageSize < 1)
    throw new Error('sandbox: pageSize must be a positive integer');
  const behaviour = behaviourOf(options);
  const now = options.now ?? Date.now;
  const store = new SandboxStore();
  const faults = new FaultBook();
  const recorder = new Recorder();
  const timers = new Timers();
  const seed = createSeeder(store, now, {
    consistencyLagMs: checkLag(options.consistencyLagMs, 'consistencyLagMs') ?? 0,
  });
  if ((options.tenant ?? 'demo') === 'demo') seedDemoTenant(seed, now());

  let baseUrl = '';
  const pipeline = new Pipeline({
    store,
    faults,
    recorder,
    tenantId: DEMO_TENANT_ID,
    baseUrl: () => baseUrl,
    pageSize,
    behaviour,
    now,
    sleep: timers.sleep,
    ...(options.logger ? { logger: options.logger } : {}),
  });
  const listening = await listen(pipeline, options.host ?? '127.0.0.1', options.port ?? 0, (error) =>
    options.logger?.error({ err: error }, 'graph sandbox: request failed'),
  );
  baseUrl = listening.url;
  options.logger?.debug({ url: baseUrl }, 'graph sandbox listening');

  // A decision made elsewhere (My Access, another approver's client): it sees its own object, so no lag.
  const decideAs = (userId: string, target: DecideAsTarget): number => {
    const callerId = userId.toLowerCase();
    try {
      if ('approvalId' in target) {
        const approval = store.approvals.find(target.approvalId);
        if (!approval) return 404;
        const body = { reviewResult: target.reviewResult, justification: target.justification };
        store.approvals.decide({
          kind: approval.kind,
          approvalId: approval.id,
          stageId: target.stageId,
          callerId,
          body,
          at: now(),
          elsewhere: true,
          form: behaviour.form,
          justificationMessage: behaviour.approverJustificationMessage,
        });
        return 204;
      }
      const item = store.reviews.decisions.get(target.decisionId.toLowerCase());
      const instance = item && store.reviews.instances.get(item.instanceId);
      if (!item || !instance) return 404;
      store.reviews.decide(
        instance,
        item,
        callerId,
        { decision: target.decision, justification: target.justification },
        now(),
      );
      return 204;
    } catch (error) {
      if (error instanceof HttpError) return error.status;
      throw error;
    }
  };

  let closed = false;
  return {
    url: baseUrl,
    tenantId: DEMO_TENANT_ID,
    users: DEMO_USERS,
    tokenFor: (userId, tokenOptions = {}) => {
      const user = store.directory.get(userId) ?? {
        id: userId.toLowerCase(),
        displayName: 'Unknown user',
        userPrincipalName: `${userId}@unknown.example`,
      };
      return mintToken({
        user,
        tenantId: DEMO_TENANT_ID,
        scopes: tokenOptions.scopes ?? GOVERNANCE_SCOPES,
        expiresInSeconds: tokenOptions.expiresInSeconds ?? 3600,
        nowSeconds: Math.floor(now() / 1000),
      });
    },
    seed,
    faults,
    state: stateView(store),
    get requests() {
      return recorder.list;
    },
    clearRequests: () => recorder.clear(),
    decideAs,
    close: async () => {
      if (closed) return;
      closed = true;
      faults.clear();
      timers.cancelAll();
      await listening.close();
    },
  };
}
