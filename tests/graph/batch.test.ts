import type { Sandbox } from '../../src/sandbox';
import type { UserGovernance } from '../../src/graph';
import { graphUnderTest } from './support';

/**
 * Discovery reads through JSON `$batch` (graph-contract.md §4): an inner 429 is sent again after its own
 * Retry-After (the SDK never sees it), a batch that fails as a whole fails every read in it, and a
 * throttled envelope is retried by the SDK in the background.
 */
let sandbox: Sandbox;
let as: (userId: string) => UserGovernance;
let alex: string;

beforeAll(async () => {
  ({ sandbox, as } = await graphUnderTest());
  alex = sandbox.users.alex.id;
  sandbox.seed.accessPackageRequest({
    requestor: sandbox.users.adele.id,
    accessPackage: { displayName: 'Marketing campaign tools' },
    stages: [{ approvers: [alex] }],
  });
});
afterAll(() => sandbox.close());
beforeEach(() => {
  sandbox.faults.clear();
  sandbox.clearRequests();
});

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const REQUESTS = 'assignmentRequests/filterByCurrentUser';

const discover = () => as(alex).discoverPending(['accessPackage']);

/** The inner reads of the access package requests' listing, in the order Graph received them. */
const listingReads = () => sandbox.requests.filter((r) => r.batched && r.path.includes(REQUESTS));

describe('an inner request Graph throttles', () => {
  it.each([
    ['its own Retry-After', 2, 2000],
    ['a second when Graph gives no Retry-After', undefined, 1000],
  ] as const)(
    'is sent again after %s and the item is still found',
    async (_name, retryAfterSeconds, waitMs) => {
      sandbox.faults.inject({
        batched: true,
        pathIncludes: REQUESTS,
        status: 429,
        ...(retryAfterSeconds === undefined ? {} : { retryAfterSeconds }),
      });

      const found = await discover();

      expect(found.problems).toEqual([]);
      expect(found.items.map((i) => i.kind)).toEqual(['accessPackage']);
      const [throttled, again] = listingReads();
      expect([throttled?.status, again?.status]).toEqual([429, 200]);
      // A little slack for timer granularity.
      expect((again?.at ?? 0) - (throttled?.at ?? 0)).toBeGreaterThanOrEqual(waitMs - 50);
      expect((again?.at ?? 0) - (throttled?.at ?? 0)).toBeLessThan(waitMs + 900);
    },
  );

  it('is given up after three more tries and reported throttled', async () => {
    sandbox.faults.inject({
      batched: true,
      pathIncludes: REQUESTS,
      status: 429,
      retryAfterSeconds: 0,
      times: 5,
    });

    const found = await discover();

    expect(listingReads().map((r) => r.status)).toEqual([429, 429, 429, 429]);
    expect(found).toEqual({
      items: [],
      problems: [
        {
          source: 'emRequests',
          failure: {
            kind: 'throttled',
            view: 'caller',
            retryAfterSeconds: 0,
            requestId: expect.stringMatching(GUID),
          },
        },
      ],
      graphRequests: 4,
    });
  });
});

describe('a batch that fails as a whole', () => {
  it('fails every read in it with Graph’s refusal', async () => {
    sandbox.faults.inject({ method: 'POST', pathIncludes: '$batch', batched: false, status: 403 });

    const found = await discover();

    const failure = {
      kind: 'forbidden',
      view: 'caller',
      reason: 'notApprover',
      message: 'Insufficient privileges to complete the operation.',
      requestId: expect.stringMatching(GUID),
    };
    expect(found).toEqual({
      items: [],
      problems: [
        { source: 'emRequests', failure },
        { source: 'emApprovals', failure },
      ],
      graphRequests: 1,
    });
  });

  it('fails every read in it as unavailable when the connection drops', async () => {
    sandbox.faults.inject({ method: 'POST', pathIncludes: '$batch', batched: false, drop: true });

    const found = await discover();

    const failure = {
      kind: 'unavailable',
      view: 'caller',
      status: null,
      message: expect.stringMatching(/^Could not reach Microsoft Graph: \S/),
      requestId: null,
    };
    expect(found.problems).toEqual([
      { source: 'emRequests', failure },
      { source: 'emApprovals', failure },
    ]);
  });

  it('is sent again by the SDK when the envelope itself is throttled, and discovery completes', async () => {
    sandbox.faults.inject({
      method: 'POST',
      pathIncludes: '$batch',
      batched: false,
      status: 429,
      retryAfterSeconds: 0,
    });

    const found = await discover();

    expect(found.problems).toEqual([]);
    expect(found.items.map((i) => i.kind)).toEqual(['accessPackage']);
    expect(sandbox.requests.filter((r) => !r.batched).map((r) => r.status)).toEqual([429, 200]);
  });
});
