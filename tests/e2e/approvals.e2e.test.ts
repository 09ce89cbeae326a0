import { createWriteStream } from 'node:fs';
import type { Browser, Locator, Page, Request } from 'playwright-core';
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
let supplierReview: { decisionIds: readonly string[] };
const PARTNER_RECOMMENDATIONS = [
  'Approve',
  'Deny',
  'Approve',
  'Approve',
  'Approve',
  'Deny',
  'Approve',
  'Approve',
  'Deny',
  'Approve',
] as const;

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
    decisions: PARTNER_RECOMMENDATIONS.map((recommendation, i) => ({
      principal: { displayName: `Partner guest ${i + 1}`, userType: 'Guest' as const },
      recommendation,
    })),
  });
  supplierReview = sandbox.seed.accessReview({
    displayName: 'Supplier guests review',
    reviewers: [alex.id],
    decisions: Array.from({ length: 10 }, (_, i) => ({
      principal: { displayName: `Supplier guest ${i + 1}`, userType: 'Guest' as const },
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

it('posts every waiting item soonest deadline first, each card with its deadline or age and a portal link that opens', async () => {
  const cards = page.locator('.ac-adaptiveCard');
  const pending = sandbox.state.pendingFor(sandbox.users.alex.id);
  const expected = pending.approvalIds.length + pending.reviewDecisionIds.length;
  // Install is over when the cards (a review's several items on one card) account for every waiting item.
  let texts: string[] = [];
  for (const until = Date.now() + 30_000; Date.now() < until; await page.waitForTimeout(500)) {
    texts = await cards.allInnerTexts();
    if (texts.reduce((n, t) => n + itemsOn(t), 0) >= expected) break;
  }
  expect(texts.reduce((n, t) => n + itemsOn(t), 0)).toBe(expected);
  const kinds = new Set(texts.map((t) => t.split('\n')[0]?.trim()));
  expect(kinds).toEqual(
    new Set([
      'Access package request',
      'Access review',
      'PIM for Groups request',
      'PIM for Entra roles request',
    ]),
  );

  // What each card says about time, read as the approver reads it (times are UTC here).
  const when = texts.map((text) => {
    const deadline = /(?:Expires|Due:?)\s+(.+)/.exec(text)?.[1];
    if (deadline) return { deadline: true, at: shownTime(deadline) };
    const requested = /Requested\s+(.+)/.exec(text)?.[1];
    if (requested) return { deadline: false, at: shownTime(requested) };
    throw new Error(`A card shows neither a deadline nor an age:\n${text}`);
  });
  // Soonest deadline first; then what has none, oldest request first.
  for (let i = 1; i < when.length; i++) {
    const [a, b] = [when[i - 1], when[i]] as [(typeof when)[0], (typeof when)[0]];
    const inOrder = a.deadline === b.deadline ? a.at <= b.at : a.deadline;
    if (!inOrder)
      throw new Error(
        `Card ${i + 1} comes after card ${i} but is due sooner:\n${texts[i - 1]}\n---\n${texts[i]}\n${JSON.stringify(when)}`,
      );
  }
  await screenshot(page, '00-install-order');

  // Every card's portal button opens the kind's portal: the Playground, like Teams, hands the URL to
  // window.open, recorded here (no internet).
  await page.evaluate(() => {
    const w = window as unknown as { opened: string[]; open: (url: string) => null };
    w.opened = [];
    w.open = (url: string) => {
      w.opened.push(String(url));
      return null;
    };
  });
  for (let i = 0; i < texts.length; i++) {
    const target = cards.nth(i);
    await target.scrollIntoViewIfNeeded();
    await target
      .getByRole('link', { name: /^Open in / })
      .first()
      .click();
  }
  const opened = await page.evaluate(() => (window as unknown as { opened: string[] }).opened);
  expect(opened).toHaveLength(texts.length);
  texts.forEach((text, i) => {
    const kind = text.split('\n')[0]?.trim();
    expect([kind, opened[i]]).toEqual([kind, PORTALS[kind ?? '']]);
  });
});

it('turns the card into "Approved by you" and Graph recorded the PATCH with the typed justification', async () => {
  // The Playground's client posts an Action.Submit press to its submit route (an Action.Execute is an invoke).
  const pressed: string[] = [];
  const onRequest = (r: Request) => {
    if (r.method() === 'POST' && r.postData()?.includes('"verb":"approve"'))
      pressed.push(new URL(r.url()).pathname);
  };
  page.on('request', onRequest);
  await press(card('Contoso partner portal'), 'Approve', 'Partner onboarding for Q3');
  await expectText(card('Contoso partner portal'), 'Approved by you');
  page.off('request', onRequest);
  // With no setting, a personal chat's card is pressed through Action.Submit and updated in place.
  expect(pressed).toEqual(['/_conversation/v1/submit']);
  await expect(
    page.locator('.ac-adaptiveCard').filter({ hasText: 'Contoso partner portal' }).count(),
  ).resolves.toBe(1);
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

it("accepts the recommendations of a review's 10 items together: one card, a confirmation, Graph's bulk call", async () => {
  const bulk = () => card('items of Partner access review wait on you');
  await bulk().waitFor({ timeout: 20_000 });
  await expectText(bulk(), '10 items of Partner access review wait on you');
  // With no reason typed, Graph's bulk call (it takes none; a typed reason is written with each item).
  await press(bulk(), 'Accept recommendations');
  await expectText(bulk(), 'Decide 10 items at once? 7 items approved and 3 items denied, as recommended.');
  await screenshot(page, '10-bulk-confirm');
  await press(bulk(), 'Yes, accept recommendations');
  await expectText(bulk(), '10 decisions recorded in Microsoft Entra.');
  await screenshot(page, '11-bulk-done');
  const bulkCalls = sandbox.requests.filter(
    (r) => r.method === 'POST' && r.path.endsWith('/acceptRecommendations'),
  );
  expect(bulkCalls.map((r) => r.callerId)).toEqual([sandbox.users.alex.id.toLowerCase()]);
});

it('approves all 10 remaining items of a review with one reason, and Graph holds the 10 decisions', async () => {
  const bulk = () => card('items of Supplier guests review wait on you');
  await press(bulk(), 'Approve all 10', 'Supplier contracts renewed for 2027');
  await expectText(bulk(), 'Decide 10 items at once? 10 items approved.');
  await screenshot(page, '12-approve-all-confirm');
  await press(bulk(), 'Yes, approve all 10');
  await expectText(bulk(), '10 decisions recorded in Microsoft Entra.');
  await screenshot(page, '13-approve-all-done');
  expect(supplierReview.decisionIds.map((id) => sandbox.state.reviewDecision(id))).toEqual(
    supplierReview.decisionIds.map(() =>
      expect.objectContaining({ decision: 'Approve', justification: 'Supplier contracts renewed for 2027' }),
    ),
  );
});

it('shows "history" as a card: decisions in words, who, when, the justifications, and older pages', async () => {
  const box = page.getByRole('textbox').last();
  await box.click();
  await page.keyboard.type('history');
  await page.keyboard.press('Enter');
  const history = () => card('Your decisions');
  await history().waitFor({ timeout: 15_000 });
  await history().scrollIntoViewIfNeeded();
  // Newest first: the ten items approved together, with the one reason given.
  await expectText(history(), 'Approved by you');
  await expectText(history(), 'Supplier contracts renewed for 2027');
  await screenshot(page, '14-history');
  // Older pages, by the card's own button, down to the first decisions of the day.
  for (let pageNo = 2; pageNo <= 6; pageNo++) {
    if ((await history().innerText()).includes('Contoso partner portal')) break;
    await history().getByRole('button', { name: 'Older', exact: true }).click();
    await card(`page ${pageNo} of`).waitFor({ timeout: 15_000 });
  }
  const last = history();
  await last.scrollIntoViewIfNeeded();
  await expectText(last, 'Contoso partner portal');
  await expectText(last, 'Partner onboarding for Q3');
  await expectText(last, 'Approved by Megan Bowen');
  await screenshot(page, '15-history-older');
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

const PORTALS: Readonly<Record<string, string>> = {
  'Access package request': 'https://myaccess.microsoft.com/#/approvals',
  'Access review': 'https://myaccess.microsoft.com/#/access-reviews',
  'PIM for Groups request':
    'https://portal.azure.com/#view/Microsoft_Azure_PIMCommon/CommonMenuBlade/~/approvals',
  'PIM for Entra roles request':
    'https://portal.azure.com/#view/Microsoft_Azure_PIMCommon/CommonMenuBlade/~/approvals',
};

/** How many waiting items a card stands for: a review's card for several says how many. */
function itemsOn(text: string): number {
  const several = /^(\d+) items of .+ wait on you/m.exec(text);
  return several ? Number(several[1]) : 1;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** A card's time ("10:42", "26 Nov 10:42", "26 Nov 2027 10:42"; UTC) in milliseconds. */
function shownTime(text: string): number {
  const m = /^(?:(\d{1,2}) ([A-Z][a-z]{2})(?: (\d{4}))? )?(\d{2}):(\d{2})/.exec(text.trim());
  if (!m) throw new Error(`Not a time a card shows: ${text}`);
  const now = new Date();
  const year = m[3] ? Number(m[3]) : now.getUTCFullYear();
  const month = m[2] ? MONTHS.indexOf(m[2]) : now.getUTCMonth();
  const day = m[1] ? Number(m[1]) : now.getUTCDate();
  return Date.UTC(year, month, day, Number(m[4]), Number(m[5]));
}

async function expectText(target: Locator, text: string): Promise<void> {
  await target.getByText(text, { exact: false }).first().waitFor({ timeout: 15_000 });
}
