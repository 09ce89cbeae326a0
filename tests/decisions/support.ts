import type { PendingItem } from '../../src/domain';
import type { FinalState } from '../../src/domain';
import type { UserGovernance } from '../../src/graph';
import type { Sandbox } from '../../src/sandbox';
import { graphUnderTest } from '../graph/support';

export type ReviewItem = Extract<PendingItem, { kind: 'accessReview' }>;

/** One sandbox for the test file, its faults and request log cleared before each test. */
export function sandboxForFile(): { sandbox: Sandbox; as: (userId: string) => UserGovernance } {
  const env = {} as { sandbox: Sandbox; as: (userId: string) => UserGovernance };
  beforeAll(async () => Object.assign(env, await graphUnderTest()));
  afterAll(() => env.sandbox.close());
  beforeEach(() => {
    env.sandbox.faults.clear();
    env.sandbox.clearRequests();
  });
  return env;
}

/** The items of the review `title` pending on `graph`'s user. */
export async function pendingReviewItems(graph: UserGovernance, title: string): Promise<ReviewItem[]> {
  const { items } = await graph.discoverPending();
  return items.filter((i): i is ReviewItem => i.kind === 'accessReview' && i.reviewName === title);
}

/** The end recorded when Graph's read gave no facts of the presser's own: their id only, no name, no time. */
export function presserOnly(
  userId: string,
  result: FinalState['result'],
  justification: string,
  changeable: boolean,
): FinalState {
  return { result, by: { id: userId, displayName: '' }, at: null, justification, changeable };
}
