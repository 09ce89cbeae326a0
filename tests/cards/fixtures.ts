import type {
  AccessPackagePending,
  AccessReviewPending,
  PendingItem,
  PimGroupPending,
  PimRolePending,
} from '../../src/domain';

/** Realistic pending items from the demo tenant, one per kind. */

export const NOW = new Date('2025-11-26T12:00:00Z');

export const alex = {
  id: '6e7b768e-07e2-4810-8459-485f84f8f204',
  displayName: 'Alex Wilber',
  userPrincipalName: 'AlexW@contoso.com',
};
export const megan = {
  id: '0a8a4ae6-0d87-4d1a-a3d4-1c2ad5d7d2f1',
  displayName: 'Megan Bowen',
  userPrincipalName: 'MeganB@contoso.com',
};
export const adele = {
  id: '2f2c1b1e-6a0b-4a36-9b2b-1f7f8f0f6a11',
  displayName: 'Adele Vance',
  userPrincipalName: 'AdeleV@contoso.com',
};

export const accessPackage: AccessPackagePending = {
  kind: 'accessPackage',
  target: {
    kind: 'accessPackage',
    approvalId: '5a1f3c55-9a53-4c7d-8d9f-0d3e2f1b4c6a',
    stageId: '9c0e7b2a-1f4d-4e8b-a6c3-2b5d7e9f1a3c',
    api: 'v1.0',
  },
  stageNumber: 1,
  stageCount: 2,
  stageStatus: 'InProgress',
  stageName: null,
  justificationRequired: false,
  requestor: alex,
  accessPackage: {
    id: 'b1c2d3e4-f5a6-4b7c-8d9e-0f1a2b3c4d5e',
    displayName: 'Marketing campaign tools',
    description: 'Access to the campaign planner, the brand asset library and the Marketing SharePoint site.',
  },
  requestType: 'userAdd',
  justification:
    'I am running the Q1 launch campaign and need the brand assets.\nMy manager Megan asked me to.',
  answers: [
    { question: 'Which campaign?', answer: 'Q1 launch' },
    { question: 'Which regions?', answer: 'EMEA' },
    { question: 'Which regions?', answer: 'APAC' },
  ],
  schedule: {
    startDateTime: '2025-11-26T10:00:00Z',
    duration: 'P30D',
    endDateTime: null,
    expirationType: 'afterDuration',
  },
  createdDateTime: '2025-11-26T10:00:00Z',
};

export const pimGroup: PimGroupPending = {
  kind: 'pimGroup',
  target: {
    kind: 'pimGroup',
    approvalId: '7d3c2b1a-0f9e-4d8c-b7a6-5e4d3c2b1a0f',
    stageId: '1b2c3d4e-5f6a-4b7c-9d8e-7f6a5b4c3d2e',
    api: 'v1.0',
  },
  stageNumber: 1,
  stageCount: 1,
  stageStatus: 'InProgress',
  stageName: null,
  justificationRequired: false,
  requestId: '7d3c2b1a-0f9e-4d8c-b7a6-5e4d3c2b1a0f',
  principal: alex,
  group: { id: 'c3d4e5f6-a7b8-4c9d-8e0f-1a2b3c4d5e6f', displayName: 'Finance Admins' },
  accessId: 'member',
  action: 'selfActivate',
  justification: 'Month-end close',
  ticket: { system: 'ServiceNow', number: 'INC0012345' },
  schedule: {
    startDateTime: '2025-11-26T11:55:00Z',
    duration: 'PT8H',
    endDateTime: null,
    expirationType: 'afterDuration',
  },
  createdDateTime: '2025-11-26T11:55:00Z',
};

export const pimRole: PimRolePending = {
  kind: 'pimRole',
  target: {
    kind: 'pimRole',
    approvalId: 'e1f2a3b4-c5d6-4e7f-8a9b-0c1d2e3f4a5b',
    stageId: 'f1e2d3c4-b5a6-4978-8695-a4b3c2d1e0f9',
    api: 'beta',
  },
  stageNumber: 1,
  stageCount: 1,
  stageStatus: 'InProgress',
  stageName: null,
  justificationRequired: false,
  requestId: 'e1f2a3b4-c5d6-4e7f-8a9b-0c1d2e3f4a5b',
  principal: alex,
  role: { id: 'f2ef992c-3afb-46b9-b7cf-a126ee74c451', displayName: 'Global Reader' },
  directoryScopeId: '/',
  action: 'selfActivate',
  justification: 'Audit preparation',
  ticket: { system: 'Jira', number: 'SEC-42' },
  schedule: { startDateTime: null, duration: 'PT4H', endDateTime: null, expirationType: 'afterDuration' },
  createdDateTime: '2025-11-26T11:30:00Z',
};

export const accessReview: AccessReviewPending = {
  kind: 'accessReview',
  target: {
    kind: 'accessReview',
    definitionId: 'a0b1c2d3-e4f5-4a6b-8c7d-9e0f1a2b3c4d',
    instanceId: 'b1c2d3e4-f5a6-4b7c-8d9e-0f1a2b3c4d5f',
    stageId: 'c2d3e4f5-a6b7-4c8d-9e0f-1a2b3c4d5e6a',
    decisionId: 'd3e4f5a6-b7c8-4d9e-8f0a-1b2c3d4e5f6b',
  },
  reviewName: 'Q4 guest access review',
  descriptionForReviewers: 'Confirm that each guest still works with us.',
  principal: { ...alex, type: 'user' },
  resource: { id: 'e4f5a6b7-c8d9-4e0f-9a1b-2c3d4e5f6a7b', displayName: 'Sales team', type: 'Group' },
  recommendation: 'Deny',
  lastSignInDateTime: null,
  dueDateTime: '2025-11-30T17:00:00Z',
  justificationRequired: false,
  defaultDecision: 'Deny',
  stageNumber: 2,
  stageCount: 2,
  earlierStages: [
    {
      stageId: 'f5a6b7c8-d9e0-4f1a-8b2c-3d4e5f6a7b8c',
      decision: 'Approved',
      reviewedBy: megan,
      justification: 'Still on the project',
    },
  ],
};

export const ALL_ITEMS: readonly PendingItem[] = [accessPackage, pimGroup, pimRole, accessReview];
