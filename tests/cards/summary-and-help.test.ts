import { renderHelpCard, renderSummaryCard } from '../../src/cards';
import { itemKey } from '../../src/domain';
import { accessPackage, accessReview, ALL_ITEMS, NOW, pimGroup, pimRole } from './fixtures';
import { buttons, visibleText } from './helpers';

describe('the summary card for "pending"', () => {
  const items = [
    ...ALL_ITEMS,
    { ...accessPackage, createdDateTime: '2025-11-20T08:00:00Z' },
    { ...accessReview, dueDateTime: '2025-11-27T09:00:00Z' },
  ];

  it('counts the items by kind', () => {
    const text = visibleText(renderSummaryCard(items, { max: 3, now: NOW }));
    expect(text).toContain('6 items wait for your decision');
    expect(text).toContain('2 access package requests');
    expect(text).toContain('1 PIM for Groups request');
    expect(text).toContain('1 PIM for Entra roles request');
    expect(text).toContain('2 access review decisions');
  });

  it('lists the first N items, most urgent first across kinds (a PIM request lapses a day after it was made)', () => {
    const text = visibleText(renderSummaryCard(items, { max: 3, now: NOW }));
    const order = [
      'Due 27 Nov 09:00 (in 21 hours)',
      'Expires 27 Nov 11:30 (in 24 hours)',
      'Expires 27 Nov 11:55 (in 24 hours)',
    ];
    const positions = order.map((w) => text.indexOf(w));
    expect(positions.every((p) => p >= 0)).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
    expect(text).toContain('Whole directory · 4 hours · requested 11:30 (30 minutes ago)');
    // The review due in four days and the access package requests (no deadline) come later.
    expect(text).not.toContain('Due 30 Nov 17:00');
    expect(text).not.toContain('requested 20 Nov 08:00');
  });

  it('orders by a known expiry when the caller gives one', () => {
    const expiresAt = new Map([[itemKey(pimRole.target), '2025-11-26T13:00:00Z']]);
    const text = visibleText(renderSummaryCard(items, { max: 1, now: NOW, expiresAt }));
    expect(text).toContain('Alex Wilber requests Global Reader');
    expect(text).toContain('Expires 13:00 (in 1 hour)');
  });

  it('says how many are not shown and links to where all of them are', () => {
    const card = renderSummaryCard(items, { max: 3, now: NOW });
    expect(visibleText(card)).toContain(
      'The 3 most urgent of 6 follow as cards you can decide here. Use the links below to see them all.',
    );
    expect(buttons(card).map((b) => b.url)).toEqual([
      'https://myaccess.microsoft.com/#/approvals',
      'https://myaccess.microsoft.com/#/access-reviews',
      'https://portal.azure.com/#view/Microsoft_Azure_PIMCommon/CommonMenuBlade/~/approvals',
    ]);
  });

  it('links only to the places that hold the listed kinds', () => {
    const card = renderSummaryCard([pimGroup], { max: 3, now: NOW });
    expect(buttons(card).map((b) => b.title)).toEqual(['All PIM requests in the Azure portal']);
  });

  it('says when nothing waits', () => {
    const text = visibleText(renderSummaryCard([], { max: 5, now: NOW }));
    expect(text).toContain('Nothing waits for your decision');
    expect(text).toContain("You're all caught up.");
  });
});

describe('the help card', () => {
  const lines = [
    { command: 'pending', description: 'Show what waits for your decision' },
    { command: 'quiet 22:00-07:00 | off', description: 'Hold new cards during these hours' },
  ];

  it('lists the commands it is given, each with what it does', () => {
    const text = visibleText(renderHelpCard({ scope: 'personal', commands: lines }));
    expect(text).toContain('pending\nShow what waits for your decision');
    expect(text).toContain('quiet 22:00-07:00 | off\nHold new cards during these hours');
  });

  it('says how to use commands in a channel', () => {
    const text = visibleText(renderHelpCard({ scope: 'channel', commands: lines }));
    expect(text).toContain('@mention me');
    expect(text).toContain('Type pending, sign in or sign out in your personal chat with me.');
  });

  it('points a group chat to the personal chat', () => {
    expect(visibleText(renderHelpCard({ scope: 'groupChat', commands: [] }))).toContain(
      'in your personal chat with me',
    );
  });
});
