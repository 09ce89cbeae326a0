import type { Browser, Locator, Page } from 'playwright-core';
import { startApp } from '../../src/app';
import type { App } from '../../src/app';
import { LocalSandboxTokens } from '../../src/auth';
import { loadConfig } from '../../src/config';
import { silentLogger } from '../../src/log';
import { DEMO_IDS, startSandbox } from '../../src/sandbox';
import type { Sandbox } from '../../src/sandbox';
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

beforeAll(async () => {
  sandbox = await startSandbox({ tenant: 'demo' });
  app = await startApp(loadConfig({ PORT: '0', STORE: 'memory', PENDING_SUMMARY_THRESHOLD: '50' }), {
    log: silentLogger,
    tokens: new LocalSandboxTokens(sandbox.tenantId),
    graphBaseUrl: sandbox.url,
  });
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

async function expectText(target: Locator, text: string): Promise<void> {
  await target.getByText(text, { exact: false }).first().waitFor({ timeout: 15_000 });
}
