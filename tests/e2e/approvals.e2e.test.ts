import { createWriteStream } from 'node:fs';
import type { Browser, Locator, Page } from 'playwright-core';
import { startApp } from '../../src/app';
import type { App } from '../../src/app';
import { LocalSandboxTokens } from '../../src/auth';
import { loadConfig } from '../../src/config';
import { createLogger, silentLogger } from '../../src/log';
import { DEMO_IDS, startSandbox } from '../../src/sandbox';
import type { Sandbox } from '../../src/sandbox';
import { noteTyped, watchSandbox } from '../support/typed';
import { openBrowser, screenshot, startPlayground } from './playground';
import type { Playground } from './playground';

/**
 * The product as a newcomer runs it (local mode), driven through the Microsoft 365 Agents Playground in
 * headless Chromium: what Alex Wilber sees and presses in the personal chat.
 */
let sandbox: Sandbox;
let app: App;
let playground: Playground;
let browser: Browser;
let page: Page;
let travel: { approvalId: string; stageIds: readonly string[] };
let vendorReview: { decisionIds: readonly string[] };

beforeAll(async () => {
  sandbox = watchSandbox(await startSandbox({ tenant: 'demo' }));
  // Seeded before the Playground connects, so its card arrives with the others.
  const { alex, megan } = sandbox.users;
  travel = sandbox.seed.accessPackageRequest({
    requestor: sandbox.users.isaiah.id,
    accessPackage: { displayName: 'Travel booking tool' },
    justification: 'Booking the team offsite.',
    stages: [{ approvers: [alex.id, megan.id] }],
  });
  sandbox.seed.accessReview({
    displayName: 'Partner access review',
    reviewers: [alex.id],
    settings: { recommendationsEnabled: true },
    decisions: (['Approve', 'Deny', 'Approve', 'Approve'] as const).map((recommendation, i) => ({
      principal: { displayName: `Partner guest ${i + 1}`, userType: 'Guest' as const },
      recommendation,
    })),
  });
  vendorReview = sandbox.seed.accessReview({
    displayName: 'Vendor portal access',
    reviewers: [alex.id],
    decisions: [{ principal: sandbox.users.isaiah.id }],
  });
  app = await startApp(
    loadConfig({
      PORT: '0',
      STORE: 'memory',
      PENDING_SUMMARY_THRESHOLD: '50',
      NOTIFY_DISCOVERY_SECONDS: '8',
    }),
    {
      log: process.env.E2E_LOG
        ? createLogger({
            level: 'debug',
            destination: createWriteStream(process.env.E2E_LOG),
          })
        : silentLogger,
      tokens: new LocalSandboxTokens(sandbox.tenantId),
      graphBaseUrl: sandbox.url,
    },
  );
  playground = await startPlayground(app.server.url);
  browser = await openBrowser();
  page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  await page.goto(playground.url, { waitUntil: 'networkidle' });
  await page.getByText('Personal Chat').first().click();
});

afterAll(async () => {
  await browser?.close();
  await playground?.stop();
  await app?.close();
  await sandbox?.close();
});

/** The latest card in the chat that mentions `text`. */
function card(text: string): Locator {
  return page.locator('.ac-adaptiveCard').filter({ hasText: text }).last();
}

async function press(target: Locator, button: string, justification?: string): Promise<void> {
  await target.scrollIntoViewIfNeeded();
  if (justification !== undefined) {
    noteTyped(justification);
    const box = target.locator('textarea').first();
    await box.click();
    // Typed key by key: the Adaptive Cards renderer reads the value from input events.
    await box.pressSequentially(justification);
  }
  await target.getByRole('button', { name: button, exact: true }).click();
}

it('brings the pending access package request card into the personal chat when the bot is installed', async () => {
  const partner = card('Contoso partner portal');
  await partner.waitFor({ timeout: 20_000 });
  await partner.scrollIntoViewIfNeeded();
  await expectText(partner, 'Johanna Lorenz requests Contoso partner portal');
  await expectText(partner, "You're asked because you're an approver");
  await screenshot(page, '01-card-arrived');
});

it('turns the card into "Approved by you" and Graph recorded the PATCH with the typed justification', async () => {
  await press(card('Contoso partner portal'), 'Approve', 'Partner onboarding for Q3');
  await expectText(card('Contoso partner portal'), 'Approved by you');
  await screenshot(page, '02-approved-by-you');
  const patches = sandbox.requests.filter(
    (r) => r.method === 'PATCH' && r.path.includes(DEMO_IDS.accessPackage.partnerPortalQuestions),
  );
  expect(patches).toMatchObject([
    {
      version: 'v1.0',
      body: { reviewResult: 'Approve', justification: 'Partner onboarding for Q3' },
      callerId: sandbox.users.alex.id,
      status: 204,
    },
  ]);
});

it('shows "Already approved by Megan Bowen" when Megan decided first', async () => {
  const approvalId = DEMO_IDS.accessPackage.financeSharedStage;
  const stageId = sandbox.state.approval(approvalId)?.stages[0]?.id as string;
  expect(sandbox.decideAs(sandbox.users.megan.id, { approvalId, stageId, reviewResult: 'Approve' })).toBe(
    204,
  );
  await press(card('Finance reporting'), 'Approve');
  await expectText(card('Finance reporting'), 'Already approved by Megan Bowen');
  await screenshot(page, '03-already-approved-by-megan');
});

it('asks for a reason when Deny is pressed without one, and nothing is written', async () => {
  const before = sandbox.requests.filter((r) => r.method === 'PATCH').length;
  await press(card('Legal document vault'), 'Deny');
  await expectText(card('Legal document vault'), 'Please give a reason for denying');
  await screenshot(page, '04-deny-asks-for-a-reason');
  expect(sandbox.requests.filter((r) => r.method === 'PATCH')).toHaveLength(before);
});

it('turns the card into "Already approved by Megan Bowen" when she decides elsewhere, without a click', async () => {
  const travelCard = card('Travel booking tool');
  await travelCard.scrollIntoViewIfNeeded();
  const approvalId = travel.approvalId;
  const stageId = travel.stageIds[0] as string;
  expect(sandbox.decideAs(sandbox.users.megan.id, { approvalId, stageId, reviewResult: 'Approve' })).toBe(
    204,
  );
  // Discovery (every 8 s here) sees the item gone and the outbox updates every copy.
  await travelCard.getByText('Already approved by Megan Bowen').first().waitFor({ timeout: 40_000 });
  await screenshot(page, '05-decided-elsewhere');
});

it('changes a review decision: Change decision brings the buttons back and the new decision reaches Graph', async () => {
  const review = () => card('Vendor portal access');
  await press(review(), 'Approve', 'Still maintains the vendor portal');
  await expectText(review(), 'Approved by you');
  await press(review(), 'Change decision');
  await expectText(review(), 'Your current decision: Approve');
  await screenshot(page, '06-change-decision');
  await press(review(), 'Deny', 'Moved to another team');
  await expectText(review(), 'Denied by you');
  await screenshot(page, '07-changed-to-deny');
  const decisionId = vendorReview.decisionIds[0] as string;
  const patches = sandbox.requests.filter((r) => r.method === 'PATCH' && r.path.includes(decisionId));
  expect(patches.map((p) => p.body)).toEqual([
    { decision: 'Approve', justification: 'Still maintains the vendor portal' },
    { decision: 'Deny', justification: 'Moved to another team' },
  ]);
});

it('decides the items of one review together: one card, a confirmation, and every end recorded', async () => {
  const bulk = () => card('items of Partner access review wait on you');
  await bulk().waitFor({ timeout: 20_000 });
  await press(bulk(), 'Accept recommendations');
  await expectText(bulk(), 'Decide 4 items at once? 3 items approved and 1 item denied, as recommended.');
  await screenshot(page, '10-bulk-confirm');
  await press(bulk(), 'Yes, accept recommendations');
  await expectText(bulk(), '4 decisions recorded in Microsoft Entra.');
  await screenshot(page, '11-bulk-done');
  const bulkCalls = sandbox.requests.filter(
    (r) => r.method === 'POST' && r.path.endsWith('/acceptRecommendations'),
  );
  expect(bulkCalls.map((r) => r.callerId)).toEqual([sandbox.users.alex.id.toLowerCase()]);
});

it('posts a card in a channel that subscribed to an access package', async () => {
  await page.getByText('Access requests').first().click();
  // A channel takes a new post: the Playground's "Start a new post" box and its Post button.
  await page.getByRole('textbox').first().click();
  // In a channel the bot hears only what @mentions it, as in Teams.
  await page.keyboard.type('@Gov');
  const option = page
    .locator('[role=option], [role=menuitem], li')
    .filter({ hasText: 'Governance Approvals' })
    .first();
  await option.waitFor({ timeout: 5_000 });
  await option.click();
  await page.keyboard.type(' subscribe access package Board papers');
  await page.getByRole('button', { name: 'Post', exact: true }).click();
  await page
    .getByText(/Subscribed/)
    .first()
    .waitFor({ timeout: 15_000 });
  await screenshot(page, '08-subscribed');
  sandbox.seed.accessPackageRequest({
    requestor: sandbox.users.patti.id,
    accessPackage: { displayName: 'Board papers' },
    justification: 'Preparing the board meeting.',
    stages: [{ approvers: [sandbox.users.alex.id] }],
  });
  const boardCard = card('Board papers');
  await boardCard.waitFor({ timeout: 40_000 });
  await boardCard.scrollIntoViewIfNeeded();
  await expectText(boardCard, 'Patti Fernandez requests Board papers');
  await screenshot(page, '09-channel-card');
});

async function expectText(target: Locator, text: string): Promise<void> {
  await target.getByText(text, { exact: false }).first().waitFor({ timeout: 15_000 });
}
