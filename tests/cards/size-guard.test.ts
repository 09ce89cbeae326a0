import {
  CARD_SIZE_LIMIT_BYTES,
  cardSize,
  renderItemCard,
  renderOutcomeCard,
  renderSummaryCard,
} from '../../src/cards';
import type { AccessPackagePending, AccessReviewPending, Answer, PendingItem } from '../../src/domain';
import { accessPackage, accessReview, NOW, pimGroup } from './fixtures';
import { buttons, must, verbs, visibleText } from './helpers';

const KB = 1024;
const manyIds = Array.from({ length: 60 }, (_, i) => `29:1${'x'.repeat(80)}-${i}`);
const longName = 'N'.repeat(300);

function answers(n: number, size: number): Answer[] {
  return Array.from({ length: n }, (_, i) => ({
    question: `Question ${i % 7}: ${'q'.repeat(size)}`,
    answer: `Answer ${i} ${'a'.repeat(size)}`,
  }));
}

const huge: AccessPackagePending = {
  ...accessPackage,
  justification: 'Because. '.repeat((100 * KB) / 9),
  answers: answers(500, 40),
};

describe('the size guard', () => {
  it('measures a card the way Teams does: UTF-16 bytes of its JSON', () => {
    const card = { type: 'AdaptiveCard', version: '1.5', body: [{ type: 'TextBlock', text: 'é€' }] } as const;
    expect(cardSize(card)).toBe(JSON.stringify(card).length * 2);
    expect(CARD_SIZE_LIMIT_BYTES).toBe(36 * 1024);
  });

  it('leaves a normal card whole', () => {
    const card = renderItemCard(accessPackage, { canAct: true, refreshUserIds: manyIds, rev: 1, now: NOW });
    expect(visibleText(card)).not.toContain('shortened');
    expect(cardSize(card)).toBeLessThan(CARD_SIZE_LIMIT_BYTES);
  });

  it('shortens a 100 KB justification and 500 answers to fit, keeping Approve and Deny', () => {
    const card = renderItemCard(huge, { canAct: true, refreshUserIds: manyIds, rev: 1, now: NOW });
    expect(cardSize(card)).toBeLessThanOrEqual(CARD_SIZE_LIMIT_BYTES);
    expect(verbs(card)).toEqual(['approve', 'deny']);
    const text = visibleText(card);
    expect(text).toContain('Alex Wilber requests Marketing campaign tools');
    expect(text).toContain('Because. Because.');
    expect(text).toMatch(/\d+ more answers are not shown here\./);
    expect(text).toContain('Some details are shortened to fit in Teams. Open My Access to see everything.');
    expect(must(buttons(card).find((b) => b.type === 'Action.OpenUrl')).url).toBe(
      'https://myaccess.microsoft.com/#/approvals',
    );
    expect(card.refresh?.userIds).toHaveLength(60);
  });

  it('shortens every list and name of an enormous request to fit, still with buttons', () => {
    const monster: PendingItem = {
      ...huge,
      requestor: { id: null, displayName: longName, userPrincipalName: longName },
      accessPackage: { id: null, displayName: longName, description: 'D'.repeat(100 * KB) },
      answers: Array.from({ length: 500 }, (_, i) => ({ question: `${i}${longName}`, answer: longName })),
    };
    const card = renderItemCard(monster, {
      canAct: true,
      refreshUserIds: manyIds,
      rev: 1,
      now: NOW,
      context: { otherDeciders: Array.from({ length: 500 }, () => ({ id: null, displayName: longName })) },
    });
    expect(cardSize(card)).toBeLessThanOrEqual(CARD_SIZE_LIMIT_BYTES);
    expect(verbs(card)).toEqual(['approve', 'deny']);
  });

  it('falls back to a short card with a link to My Access when nothing else fits, still with buttons', () => {
    const giantIds = Array.from({ length: 60 }, (_, i) => `29:${'y'.repeat(400)}-${i}`);
    const card = renderItemCard(huge, { canAct: true, refreshUserIds: giantIds, rev: 1, now: NOW });
    expect(cardSize(card)).toBeLessThanOrEqual(CARD_SIZE_LIMIT_BYTES);
    expect(verbs(card)).toEqual(['approve', 'deny']);
    expect(visibleText(card)).toContain(
      'This request has too much detail to show in Teams. Open it in My Access to read it in full.',
    );
    expect(must(buttons(card).find((b) => b.type === 'Action.OpenUrl')).url).toBe(
      'https://myaccess.microsoft.com/#/approvals',
    );
  });

  it('links a shortened review to My Access reviews', () => {
    const padded: AccessReviewPending = {
      ...accessReview,
      descriptionForReviewers: 'x\n'.repeat(5000),
      earlierStages: Array.from({ length: 300 }, (_, i) => ({
        stageId: `${i}`,
        decision: 'Approved' as const,
        reviewedBy: { id: null, displayName: longName },
        justification: 'j'.repeat(2000),
      })),
    };
    const card = renderItemCard(padded, { canAct: true, refreshUserIds: manyIds, rev: 1, now: NOW });
    expect(cardSize(card)).toBeLessThanOrEqual(CARD_SIZE_LIMIT_BYTES);
    expect(verbs(card)).toEqual(['approve', 'deny', 'dontKnow']);
    expect(buttons(card).some((b) => b.url === 'https://myaccess.microsoft.com/#/access-reviews')).toBe(true);
  });

  it('keeps an outcome card with a huge justification under the limit', () => {
    const card = renderOutcomeCard(
      pimGroup,
      {
        kind: 'invalid',
        view: 'caller',
        reachedGraph: true,
        problems: Array.from({ length: 500 }, () => 'p'.repeat(1000)),
        requestId: null,
      },
      {
        decidedByViewer: true,
        justification: 'J'.repeat(100 * KB),
        decision: 'Deny',
        now: NOW,
        rev: 1,
      },
    );
    expect(cardSize(card)).toBeLessThanOrEqual(CARD_SIZE_LIMIT_BYTES);
    expect(visibleText(card)).toContain("Microsoft Graph didn't accept the decision");
  });

  it('lists fewer items on a summary card when many would not fit', () => {
    const items = Array.from({ length: 500 }, () => ({
      ...huge,
      accessPackage: { ...huge.accessPackage, displayName: longName },
    }));
    const card = renderSummaryCard(items, { max: 500, now: NOW });
    expect(cardSize(card)).toBeLessThanOrEqual(CARD_SIZE_LIMIT_BYTES);
    expect(visibleText(card)).toContain('500 items wait for your decision');
    expect(visibleText(card)).toMatch(/The \d+ most urgent of 500 follow as cards/);
  });
});
