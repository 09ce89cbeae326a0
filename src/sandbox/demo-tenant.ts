import { DEMO_COLLEAGUES, DEMO_GUESTS, DEMO_USERS } from './directory';
import type { Seeder } from './types';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const id = (suffix: string): string => `6d2b6a0e-7c1f-4f0e-9b8a-${suffix}`;

/** Fixed ids of the demo tenant's items, so that docs and end-to-end tests can name them. */
export const DEMO_IDS = Object.freeze({
  accessPackage: Object.freeze({
    marketingTwoStage: id('a10000000001'),
    financeSharedStage: id('a10000000002'),
    partnerPortalQuestions: id('a10000000003'),
    buildAgentsDuration: id('a10000000004'),
    legalVaultEndDate: id('a10000000005'),
    salesContentForMegan: id('a10000000006'),
    hrKitForAdele: id('a10000000007'),
    /** A guest (Ravi Patel, Northwind) asks; two named stages: Alex, then Megan. */
    supplierExtranetGuest: id('a10000000008'),
  }),
  pimGroup: Object.freeze({
    financeAdminsMember: id('b10000000001'),
    sharePointOwners: id('b10000000002'),
    helpdeskOperatorsForMegan: id('b10000000003'),
    /** A guest (Ben Walters, Fabrikam) activates a group membership. */
    falconContributorsGuest: id('b10000000004'),
  }),
  pimRole: Object.freeze({
    userAdministratorTenant: id('c10000000001'),
    exchangeAdministratorExtend: id('c10000000002'),
    helpdeskAdministratorUnitForAdele: id('c10000000003'),
    /** A guest (Sofia Moreno, Tailspin) activates a role. */
    globalReaderGuest: id('c10000000004'),
  }),
  review: Object.freeze({
    guestsProjectFalcon: Object.freeze({ definitionId: id('d10000000001'), instanceId: id('d20000000001') }),
    financeAdminsJustified: Object.freeze({
      definitionId: id('d10000000002'),
      instanceId: id('d20000000002'),
    }),
    salesAppMultiStage: Object.freeze({
      definitionId: id('d10000000003'),
      instanceId: id('d20000000003'),
      stageIds: Object.freeze([id('d30000000001'), id('d30000000002')]),
    }),
    marketingForMeganAdele: Object.freeze({
      definitionId: id('d10000000004'),
      instanceId: id('d20000000004'),
    }),
  }),
});

/**
 * Pending items of every kind; Alex Wilber (who local mode signs in as) approves most of them. Guests request
 * and are reviewed too (DEMO_GUESTS); Diego Siciliani, the Identity Governance Administrator, created every
 * review and reviews none.
 */
export function seedDemoTenant(seed: Seeder, now: number): void {
  const { alex, megan, adele, isaiah, patti, lynne } = DEMO_USERS;
  const { diego, grady, johanna, lee, miriam, nestor, pradeep, joni } = DEMO_COLLEAGUES;
  const { kat, ravi, sofia, ben } = DEMO_GUESTS;
  const ago = (ms: number): string => new Date(now - ms).toISOString();
  const ahead = (ms: number): string => new Date(now + ms).toISOString();
  const A = DEMO_IDS.accessPackage;

  // ---- entitlement management ----
  seed.accessPackageRequest({
    id: A.marketingTwoStage,
    stageIds: [id('a20000000001'), id('a20000000002')],
    requestor: diego.id,
    accessPackage: {
      displayName: 'Marketing campaign tools',
      description: 'Social scheduling, campaign analytics and the brand asset library.',
      catalog: 'Marketing',
    },
    justification: 'I run the Q3 product launch campaign and need the scheduling and analytics tools.',
    stages: [
      { approvers: [alex.id], displayName: 'Manager approval' },
      { approvers: [megan.id], displayName: 'Marketing lead approval' },
    ],
    createdDateTime: ago(3 * HOUR),
  });
  seed.accessPackageRequest({
    id: A.financeSharedStage,
    stageIds: [id('a20000000003')],
    requestor: grady.id,
    accessPackage: {
      displayName: 'Finance reporting',
      description: 'Read access to the finance reporting workspace.',
      catalog: 'Finance',
    },
    justification: 'Month-end close: I prepare the variance report for the CFO.',
    stages: [{ approvers: [alex.id, megan.id] }],
    createdDateTime: ago(5 * HOUR),
  });
  seed.accessPackageRequest({
    id: A.partnerPortalQuestions,
    stageIds: [id('a20000000004')],
    requestor: johanna.id,
    accessPackage: {
      displayName: 'Contoso partner portal',
      description: 'Supplier onboarding workspace shared with partners.',
      catalog: 'Partners',
    },
    justification: 'Onboarding two new suppliers for Project Falcon.',
    answers: [
      { question: 'Which project are you working on?', answer: 'Project Falcon: supplier onboarding' },
      { question: 'Who is your sponsor at Contoso?', answer: 'Megan Bowen' },
      { question: 'Which region do you need?', answer: 'Europe', kind: 'choice', value: 'EU' },
    ],
    stages: [{ approvers: [alex.id] }],
    createdDateTime: ago(26 * HOUR),
  });
  seed.accessPackageRequest({
    id: A.buildAgentsDuration,
    stageIds: [id('a20000000005')],
    requestor: lee.id,
    accessPackage: {
      displayName: 'Engineering build agents',
      description: 'Run and administer the CI build agent pool.',
      catalog: 'Engineering',
    },
    justification: 'Covering the nightly build rotation while Pradeep is on leave.',
    schedule: { startDateTime: ago(2 * HOUR), expiration: { type: 'afterDuration', duration: 'P14D' } },
    stages: [{ approvers: [alex.id] }],
    createdDateTime: ago(2 * HOUR),
  });
  seed.accessPackageRequest({
    id: A.legalVaultEndDate,
    stageIds: [id('a20000000006')],
    requestor: miriam.id,
    accessPackage: {
      displayName: 'Legal document vault',
      description: 'Confidential contracts and M&A documents.',
      catalog: 'Legal',
    },
    justification: 'Contract review for the Northwind acquisition until the deal closes.',
    schedule: {
      startDateTime: ago(HOUR),
      expiration: { type: 'afterDateTime', endDateTime: ahead(21 * DAY) },
    },
    stages: [{ approvers: [alex.id], approverJustificationRequired: true }],
    createdDateTime: ago(HOUR),
  });
  seed.accessPackageRequest({
    id: A.salesContentForMegan,
    stageIds: [id('a20000000007')],
    requestor: nestor.id,
    accessPackage: {
      displayName: 'Sales enablement content',
      description: 'Pitch decks, battle cards and pricing sheets.',
      catalog: 'Sales',
    },
    justification: 'New account executive for the Benelux territory.',
    stages: [{ approvers: [megan.id] }],
    createdDateTime: ago(4 * HOUR),
  });
  seed.accessPackageRequest({
    id: A.hrKitForAdele,
    stageIds: [id('a20000000008')],
    requestor: pradeep.id,
    accessPackage: {
      displayName: 'HR onboarding kit',
      description: 'HR systems for people managers.',
      catalog: 'Human Resources',
    },
    justification: 'I start managing two interns next week.',
    stages: [{ approvers: [adele.id], fallbackApprovers: [lynne.id] }],
    createdDateTime: ago(6 * HOUR),
  });
  seed.accessPackageRequest({
    id: A.supplierExtranetGuest,
    stageIds: [id('a20000000009'), id('a2000000000a')],
    requestor: ravi.id,
    accessPackage: {
      displayName: 'Contoso supplier extranet',
      description: 'Purchase orders, delivery schedules and invoices shared with suppliers.',
      catalog: 'Partners',
    },
    justification: 'Northwind delivers the Q3 packaging order; I need to confirm the delivery schedule.',
    stages: [
      { approvers: [alex.id], displayName: 'Sponsor approval' },
      { approvers: [megan.id], displayName: 'Supplier manager approval' },
    ],
    createdDateTime: ago(8 * 60_000),
  });

  // ---- PIM for Groups ----
  const G = DEMO_IDS.pimGroup;
  seed.pimGroupRequest({
    id: G.financeAdminsMember,
    principal: isaiah.id,
    group: {
      displayName: 'Finance admins',
      description: 'Administrators of the finance ERP.',
      mail: 'financeadmins@contoso.onmicrosoft.com',
    },
    accessId: 'member',
    action: 'selfActivate',
    justification: 'Quarter-end: apply the approved GL account changes.',
    ticket: { ticketNumber: 'CHG0041873', ticketSystem: 'ServiceNow' },
    schedule: { startDateTime: ago(20 * 60_000), expiration: { type: 'afterDuration', duration: 'PT4H' } },
    approvers: [alex.id],
    createdDateTime: ago(20 * 60_000),
  });
  seed.pimGroupRequest({
    id: G.sharePointOwners,
    principal: patti.id,
    group: { displayName: 'SharePoint site owners', description: 'Owners of the intranet hub sites.' },
    accessId: 'owner',
    action: 'selfActivate',
    justification: "Restructure the Marketing hub navigation before Monday's launch.",
    schedule: { startDateTime: ago(45 * 60_000), expiration: { type: 'afterDuration', duration: 'PT8H' } },
    approvers: [alex.id, megan.id],
    createdDateTime: ago(45 * 60_000),
  });
  seed.pimGroupRequest({
    id: G.helpdeskOperatorsForMegan,
    principal: lynne.id,
    group: { displayName: 'Helpdesk operators' },
    justification: 'Covering the evening helpdesk shift.',
    schedule: { expiration: { type: 'afterDuration', duration: 'PT6H' } },
    approvers: [megan.id],
  });
  seed.pimGroupRequest({
    id: G.falconContributorsGuest,
    principal: ben.id,
    group: {
      displayName: 'Project Falcon contributors',
      description: 'Partners who edit Project Falcon files.',
    },
    accessId: 'member',
    justification: 'Upload the revised supplier drawings.',
    schedule: { startDateTime: ago(6 * 60_000), expiration: { type: 'afterDuration', duration: 'PT4H' } },
    approvers: [alex.id],
    createdDateTime: ago(6 * 60_000),
  });

  // ---- PIM for Microsoft Entra roles ----
  const R = DEMO_IDS.pimRole;
  seed.pimRoleRequest({
    id: R.userAdministratorTenant,
    principal: lynne.id,
    role: { displayName: 'User Administrator' },
    directoryScopeId: '/',
    action: 'selfActivate',
    justification: 'Reset MFA for three new hires in Sales.',
    ticket: { ticketNumber: 'INC0012345', ticketSystem: 'ServiceNow' },
    schedule: { startDateTime: ago(10 * 60_000), expiration: { type: 'afterDuration', duration: 'PT2H' } },
    approvers: [alex.id],
    createdDateTime: ago(10 * 60_000),
  });
  seed.pimRoleRequest({
    id: R.exchangeAdministratorExtend,
    principal: isaiah.id,
    role: { displayName: 'Exchange Administrator' },
    directoryScopeId: '/',
    // Extensions are decided in the portal; the bot links there instead of approving in chat.
    action: 'selfExtend',
    justification: 'Extend my eligible assignment for the mailbox migration through Q4.',
    schedule: {
      startDateTime: ahead(DAY),
      expiration: { type: 'afterDateTime', endDateTime: ahead(90 * DAY) },
    },
    approvers: [alex.id],
    createdDateTime: ago(30 * HOUR),
  });
  seed.pimRoleRequest({
    id: R.helpdeskAdministratorUnitForAdele,
    principal: patti.id,
    role: { displayName: 'Helpdesk Administrator' },
    directoryScopeId: `/administrativeUnits/${id('e20000000001')}`,
    justification: 'Password resets for the Seattle office.',
    approvers: [adele.id],
  });
  seed.pimRoleRequest({
    id: R.globalReaderGuest,
    principal: sofia.id,
    role: { displayName: 'Global Reader' },
    directoryScopeId: '/',
    justification: 'Tailspin security assessment: read the tenant configuration.',
    ticket: { ticketNumber: 'SEC-2291', ticketSystem: 'Jira' },
    schedule: { startDateTime: ago(4 * 60_000), expiration: { type: 'afterDuration', duration: 'PT8H' } },
    approvers: [alex.id],
    createdDateTime: ago(4 * 60_000),
  });

  // ---- access reviews ----
  const V = DEMO_IDS.review;
  seed.accessReview({
    ids: V.guestsProjectFalcon,
    displayName: 'Guest access review: Project Falcon',
    descriptionForReviewers:
      'Review the external guests in the Project Falcon team. Deny anyone who no longer works on the project.',
    settings: {
      recommendationsEnabled: true,
      defaultDecisionEnabled: true,
      defaultDecision: 'Recommendation',
    },
    reviewers: [alex.id],
    resource: { displayName: 'Project Falcon', type: 'Group' },
    endDateTime: ahead(9 * DAY),
    decisions: [
      {
        id: id('d40000000001'),
        principal: kat.id,
        recommendation: 'Approve',
        lastSignInDateTime: ago(2 * DAY),
      },
      {
        id: id('d40000000002'),
        principal: ravi.id,
        recommendation: 'Deny',
        lastSignInDateTime: ago(97 * DAY),
      },
      {
        id: id('d40000000003'),
        principal: sofia.id,
        recommendation: 'NoInfoAvailable',
        lastSignInDateTime: null,
      },
      {
        id: id('d40000000004'),
        principal: ben.id,
        recommendation: 'Approve',
        lastSignInDateTime: ago(9 * DAY),
      },
    ],
  });
  seed.accessReview({
    ids: V.financeAdminsJustified,
    displayName: 'Finance admins: quarterly membership review',
    descriptionForReviewers:
      'Confirm who still needs administrative access to the finance ERP. Say why when you approve.',
    settings: { justificationRequiredOnApproval: true, recommendationsEnabled: true },
    reviewers: [alex.id],
    resource: { displayName: 'Finance admins', type: 'Group' },
    endDateTime: ahead(5 * DAY),
    decisions: [
      {
        id: id('d40000000011'),
        principal: isaiah.id,
        recommendation: 'Approve',
        lastSignInDateTime: ago(DAY),
      },
      {
        id: id('d40000000012'),
        principal: grady.id,
        recommendation: 'Approve',
        lastSignInDateTime: ago(3 * DAY),
      },
      {
        id: id('d40000000013'),
        principal: nestor.id,
        recommendation: 'Deny',
        lastSignInDateTime: ago(60 * DAY),
      },
    ],
  });
  seed.accessReview({
    ids: {
      ...V.salesAppMultiStage,
      decisionIds: [id('d40000000021'), id('d40000000022'), id('d40000000023')],
    },
    displayName: 'Contoso Sales Portal: two-stage access review',
    descriptionForReviewers: 'Stage 1: managers confirm. Stage 2: the application owner decides.',
    settings: { decisionHistoriesForReviewersEnabled: true, recommendationsEnabled: true },
    resource: { displayName: 'Contoso Sales Portal', type: 'ServicePrincipal' },
    stages: [
      {
        reviewers: [megan.id],
        status: 'Completed',
        decided: { decision: 'Approve', reviewedBy: megan.id, justification: 'Still in the Sales org.' },
      },
      { reviewers: [alex.id], status: 'InProgress' },
    ],
    endDateTime: ahead(12 * DAY),
    decisions: [
      { principal: lee.id, recommendation: 'Approve', lastSignInDateTime: ago(DAY) },
      { principal: joni.id, recommendation: 'Approve', lastSignInDateTime: ago(4 * DAY) },
      { principal: miriam.id, recommendation: 'Deny', lastSignInDateTime: ago(45 * DAY) },
    ],
  });
  seed.accessReview({
    ids: V.marketingForMeganAdele,
    displayName: 'Marketing team membership review',
    descriptionForReviewers: 'Is each person still part of the Marketing team?',
    reviewers: [megan.id, adele.id],
    resource: { displayName: 'Marketing team', type: 'Group' },
    decisions: [
      { principal: diego.id, recommendation: 'Approve', lastSignInDateTime: ago(DAY) },
      { principal: nestor.id, recommendation: 'Approve', lastSignInDateTime: ago(2 * DAY) },
      { principal: pradeep.id, recommendation: 'NoInfoAvailable', lastSignInDateTime: null },
    ],
  });
}
