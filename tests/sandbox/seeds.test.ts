import type { Sandbox } from '../../src/sandbox';
import { startSandbox } from '../../src/sandbox';
import type { GraphErrorBody, ReviewStageJson } from './support';
import { call } from './support';

/**
 * Each seed document's own example (shared/seeds/00N_*.txt), sent verbatim: the URL with its ids and the
 * JSON body as printed, against a sandbox seeded with those ids; the answer is the documented one.
 */
describe('sandbox answers the seed documents’ examples as documented', () => {
  let sandbox: Sandbox;
  beforeEach(async () => {
    sandbox = await startSandbox({ tenant: 'empty' });
  });
  afterEach(() => sandbox.close());

  const seedApproval = () =>
    sandbox.seed.accessPackageRequest({
      id: 'abd306ef-f7b2-4a10-9fd1-493454322489',
      stageIds: ['d4fa4045-4716-436d-aec5-57b0a713f095'],
      requestor: sandbox.users.isaiah.id,
      accessPackage: { displayName: 'Marketing campaign tools' },
      stages: [{ approvers: [sandbox.users.alex.id] }],
    });

  it('000 Update approvalStage (v1.0): 204 No Content', async () => {
    seedApproval();
    const body = '{\n "reviewResult":"Approve",\n "justification":"OK"\n}';
    const response = await call(
      sandbox,
      'PATCH',
      '/v1.0/identityGovernance/entitlementManagement/accessPackageAssignmentApprovals/abd306ef-f7b2-4a10-9fd1-493454322489/stages/d4fa4045-4716-436d-aec5-57b0a713f095',
      { rawBody: body },
    );
    expect(response.status).toBe(204);
    expect(response.text).toBe('');
    expect(sandbox.state.approval('abd306ef-f7b2-4a10-9fd1-493454322489')?.stages[0]).toMatchObject({
      reviewResult: 'Approve',
      justification: 'OK',
    });
  });

  it('001 Update approvalStep (beta): 204; the sample prints no body, so it takes the one its table requires', async () => {
    seedApproval();
    const path =
      '/beta/identityGovernance/entitlementManagement/accessPackageAssignmentApprovals/abd306ef-f7b2-4a10-9fd1-493454322489/steps/d4fa4045-4716-436d-aec5-57b0a713f095';
    // Verbatim (no body) the sandbox insists on reviewResult, as the page's own table does (G14).
    const bare = await call<GraphErrorBody>(sandbox, 'PATCH', path);
    expect(bare.status).toBe(400);
    const response = await call(sandbox, 'PATCH', path, {
      rawBody: '{"reviewResult":"Approve","justification":"OK"}',
    });
    expect(response.status).toBe(204);
    expect(response.text).toBe('');
  });

  const seedStageReview = () =>
    sandbox.seed.accessReview({
      ids: {
        definitionId: '5dcfcc88-da88-4252-8629-a0807b4b076d',
        instanceId: '720b8ee0-cee4-42ac-b164-894c48703acc',
      },
      displayName: 'Seed 002 review',
      stages: [
        {
          id: '7d244ab1-4ab1-7d24-b14a-247db14a247d',
          status: 'InProgress',
          startDateTime: '2021-12-14T11:15:43.207Z',
          endDateTime: '2021-12-15T11:15:43.207Z',
          reviewers: [sandbox.users.alex.id],
          fallbackReviewers: [
            { query: '/users/4562bcc8-c436-4f95-b7c0-4f8ce89dca5e', queryType: 'MicrosoftGraph' },
          ],
        },
      ],
      decisions: [],
    });

  const documentedStage = {
    '@odata.type': '#microsoft.graph.accessReviewStage',
    id: '7d244ab1-4ab1-7d24-b14a-247db14a247d',
    startDateTime: '2021-12-14T11:15:43.207Z',
    endDateTime: '2021-12-15T11:15:43.207Z',
    status: 'InProgress',
    reviewers: [{ query: '/users/1ed8ac56-4827-4733-8f80-86adc2e67db5', queryType: 'MicrosoftGraph' }],
    fallbackReviewers: [
      { query: '/users/4562bcc8-c436-4f95-b7c0-4f8ce89dca5e', queryType: 'MicrosoftGraph' },
      { query: '/users/1ed8ac56-4827-4733-8f80-86adc2e67db5', queryType: 'MicrosoftGraph' },
    ],
  };

  it('002 Update accessReviewStage (v1.0): 200 OK with the updated stage', async () => {
    seedStageReview();
    const body = `{
  "@odata.type": "#microsoft.graph.accessReviewStage",
  "reviewers": [
      {
          "query": "/users/1ed8ac56-4827-4733-8f80-86adc2e67db5",
          "queryType": "MicrosoftGraph"
      }
  ],
  "fallbackReviewers": [
      {
          "query": "/users/4562bcc8-c436-4f95-b7c0-4f8ce89dca5e",
          "queryType": "MicrosoftGraph"
      },
      {
          "query": "/users/1ed8ac56-4827-4733-8f80-86adc2e67db5",
          "queryType": "MicrosoftGraph"
      }
  ]
}`;
    const response = await call<ReviewStageJson>(
      sandbox,
      'PATCH',
      '/v1.0/identityGovernance/accessReviews/definitions/5dcfcc88-da88-4252-8629-a0807b4b076d/instances/720b8ee0-cee4-42ac-b164-894c48703acc/stages/7d244ab1-4ab1-7d24-b14a-247db14a247d',
      { rawBody: body },
    );
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('application/json');
    const { '@odata.context': context, ...stage } = response.body as ReviewStageJson & {
      '@odata.context': string;
    };
    expect(context).toContain('$metadata#');
    expect(stage).toEqual(documentedStage);
  });

  it('003 Update accessReviewInstanceDecisionItem (beta), examples 1 and 2: 204', async () => {
    sandbox.seed.accessReview({
      ids: {
        definitionId: '5eac5a70-7cd7-4f20-92b0-f9dba70dd7f0',
        instanceId: '6444d4fd-ab55-4608-8cf9-c6702d172bcc',
      },
      displayName: 'Seed 003 review',
      stages: [
        {
          id: '9458f255-dff2-4d86-9a05-69438f49d7f8',
          status: 'InProgress',
          reviewers: [sandbox.users.alex.id],
        },
      ],
      decisions: [{ id: 'e6cafba0-cbf0-4748-8868-0810c7f4cc06', principal: sandbox.users.isaiah.id }],
    });
    const url =
      '/beta/identityGovernance/accessReviews/definitions/5eac5a70-7cd7-4f20-92b0-f9dba70dd7f0/instances/6444d4fd-ab55-4608-8cf9-c6702d172bcc/stages/9458f255-dff2-4d86-9a05-69438f49d7f8/decisions/e6cafba0-cbf0-4748-8868-0810c7f4cc06';
    // The sample's body has a trailing comma (G14); it is sent as printed.
    const body = '{\n"decision": "Approve",\n"justification": "This person is still on my team",\n}';
    for (const _example of ['Example 1', 'Example 2']) {
      const response = await call(sandbox, 'PATCH', url, { rawBody: body });
      expect(response.status).toBe(204);
      expect(response.text).toBe('');
    }
    expect(sandbox.state.reviewDecision('e6cafba0-cbf0-4748-8868-0810c7f4cc06')).toMatchObject({
      decision: 'Approve',
      justification: 'This person is still on my team',
      reviewedBy: sandbox.users.alex.id,
    });
  });

  it('004 Update accessReviewStage (beta): 200 OK with the updated stage (ids from 002; 004 prints placeholders)', async () => {
    seedStageReview();
    // The body its SDK snippets build (C#, Go, Java, PHP, Python all agree).
    const body = {
      '@odata.type': '#microsoft.graph.accessReviewStage',
      reviewers: [{ query: '/users/1ed8ac56-4827-4733-8f80-86adc2e67db5', queryType: 'MicrosoftGraph' }],
      fallbackReviewers: [
        { query: '/users/4562bcc8-c436-4f95-b7c0-4f8ce89dca5e', queryType: 'MicrosoftGraph' },
        { query: '/users/1ed8ac56-4827-4733-8f80-86adc2e67db5', queryType: 'MicrosoftGraph' },
      ],
    };
    const path =
      '/beta/identityGovernance/accessReviews/definitions/5dcfcc88-da88-4252-8629-a0807b4b076d/instances/720b8ee0-cee4-42ac-b164-894c48703acc/stages/7d244ab1-4ab1-7d24-b14a-247db14a247d';
    const response = await call<ReviewStageJson>(sandbox, 'PATCH', path, { body });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject(documentedStage);
    // "Attempting to remove existing fallbackReviewers returns a 409 Conflict response code."
    const removal = await call(sandbox, 'PATCH', path, {
      body: { fallbackReviewers: [body.fallbackReviewers[1]] },
    });
    expect(removal.status).toBe(409);
  });
});
