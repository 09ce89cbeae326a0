import type { Sandbox } from '../../src/sandbox';
import type { DecideRequest, UserGovernance } from '../../src/graph';
import { graphUnderTest } from './support';

/**
 * A decision the client will not send: every problem is named (the field, what came instead), the outcome
 * says Graph was never reached, and the sandbox indeed received nothing.
 */
let sandbox: Sandbox;
let as: (userId: string) => UserGovernance;

beforeAll(async () => {
  ({ sandbox, as } = await graphUnderTest());
});
afterAll(() => sandbox.close());
beforeEach(() => sandbox.clearRequests());

const ID = '0e0e0e0e-1111-4222-8333-444455556666';
const LONG = 'a'.repeat(41);
const FORTY = 'b'.repeat(40);

it.each<[string, unknown, readonly string[]]>([
  [
    'an approval with no valid id, stage or version',
    {
      target: { kind: 'accessPackage', approvalId: LONG, stageId: FORTY, api: 'v2.0' },
      decision: 'Approve',
      justification: '',
    },
    [
      `approvalId must be a GUID, got "${'a'.repeat(40)}…"`,
      `stageId must be a GUID, got "${FORTY}"`,
      'api must be v1.0 or beta, got "v2.0"',
    ],
  ],
  [
    'a PIM role approval with ids that are not GUIDs',
    {
      target: { kind: 'pimRole', approvalId: 7, stageId: null, api: 'beta' },
      decision: 'Deny',
      justification: '',
    },
    ['approvalId must be a GUID, got number', 'stageId must be a GUID, got object'],
  ],
  [
    'a review decision whose every id is wrong',
    {
      target: {
        kind: 'accessReview',
        definitionId: 'd',
        instanceId: 'i',
        stageId: 's',
        decisionId: undefined,
      },
      decision: 'Approve',
      justification: '',
    },
    [
      'definitionId must be a GUID, got "d"',
      'instanceId must be a GUID, got "i"',
      'stageId must be a GUID, got "s"',
      'decisionId must be a GUID, got nothing',
    ],
  ],
  [
    'an item of a kind the bot does not know',
    { target: { kind: 'entitlement' }, decision: 'Approve', justification: '' },
    ['unknown item kind "entitlement"'],
  ],
  [
    'a decision and a justification that are not text',
    {
      target: { kind: 'pimGroup', approvalId: ID, stageId: ID, api: 'v1.0' },
      decision: undefined,
      justification: 42,
    },
    ['justification must be text, got number', 'reviewResult must be one of Approve, Deny, got nothing'],
  ],
])('%s is refused before the network, naming every problem', async (_name, request, problems) => {
  const outcome = await as(sandbox.users.alex.id).decide(request as DecideRequest);

  expect(outcome).toEqual({
    kind: 'invalid',
    view: 'caller',
    problems,
    reachedGraph: false,
    requestId: null,
  });
  expect(sandbox.requests).toHaveLength(0);
});
