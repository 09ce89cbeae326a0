import type { AdaptiveCard } from '../../src/cards';
import { CARD_SIZE_LIMIT_BYTES, cardSize } from '../../src/cards';
import { firstThatFits } from '../../src/cards/size-guard';

/** A card whose JSON is exactly `bytes` UTF-16 bytes long (bytes even). */
function cardOfSize(bytes: number, label: string): AdaptiveCard {
  const shell = (text: string): AdaptiveCard => ({
    type: 'AdaptiveCard',
    version: '1.5',
    body: [{ type: 'TextBlock', text }],
  });
  const padding = bytes / 2 - JSON.stringify(shell(label)).length;
  return shell(`${label}${'.'.repeat(padding)}`);
}

const small = cardOfSize(200, 'small');

describe('choosing the first rendering that fits', () => {
  it('takes a card of exactly the limit', () => {
    const exact = cardOfSize(CARD_SIZE_LIMIT_BYTES, 'exact');
    expect(cardSize(exact)).toBe(CARD_SIZE_LIMIT_BYTES);
    expect(firstThatFits([() => exact, () => small])).toBe(exact);
  });

  it('passes over a card one character over the limit', () => {
    const over = cardOfSize(CARD_SIZE_LIMIT_BYTES + 2, 'over');
    expect(firstThatFits([() => over, () => small])).toBe(small);
  });

  it('returns the last rendering even when nothing fits, rather than failing', () => {
    const big = cardOfSize(CARD_SIZE_LIMIT_BYTES * 2, 'big');
    const bigger = cardOfSize(CARD_SIZE_LIMIT_BYTES * 3, 'bigger');
    expect(firstThatFits([() => big, () => bigger])).toBe(bigger);
  });

  it('is a programming error without any rendering', () => {
    expect(() => firstThatFits([])).toThrow(new Error('firstThatFits needs at least one rendering'));
  });
});
