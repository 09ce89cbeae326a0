import { Directory } from './directory';
import { ApprovalStore, approvalView, waitsOn } from './model/approvals';
import { ReviewStore } from './model/reviews';
import type { SandboxState } from './types';

/** Everything the sandbox knows, in memory; lost on close by design. */
export class SandboxStore {
  readonly directory = new Directory();
  readonly approvals = new ApprovalStore();
  readonly reviews = new ReviewStore(this.directory);
}

/** Read-only snapshots for tests: copies, so that callers cannot reach into live records. */
export function stateView(store: SandboxStore): SandboxState {
  return {
    approval: (id) => {
      const approval = store.approvals.find(id);
      return approval && approvalView(approval);
    },
    reviewInstance: (id) => store.reviews.instanceView(id),
    reviewStage: (id) => store.reviews.stageView(id),
    reviewDecision: (id) => store.reviews.decisionView(id),
    pendingFor: (userId) => {
      const id = userId.toLowerCase();
      return {
        approvalIds: store.approvals
          .list()
          .filter((approval) => waitsOn(approval, id))
          .map((approval) => approval.id),
        reviewDecisionIds: store.reviews.pendingItemsFor(id),
      };
    },
  };
}
