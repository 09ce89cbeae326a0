import type { AdaptiveCard } from './types';

/** Teams rejects messages over 40 KB (UTF-16); the card keeps 4 KB for the rest of the activity (teams-platform.md §0.6, teams-platform.md §8 #13). */
export const CARD_SIZE_LIMIT_BYTES = 36 * 1024;

/** Size as Teams measures it: UTF-16 bytes of the JSON. */
export function cardSize(card: AdaptiveCard): number {
  return Buffer.byteLength(JSON.stringify(card), 'utf16le');
}

/** How much free text a rendering may show; later levels are used only when a card is too large. */
export interface TextLimits {
  /** Characters of one free-text field (justification, description). */
  readonly chars: number;
  /** Lines of one free-text field. */
  readonly lines: number;
  /** Entries of a list (answers, earlier stages, names, summary items). */
  readonly items: number;
  /** Characters of one list entry. */
  readonly itemChars: number;
}

export const FIRST_LEVEL: TextLimits = {
  chars: Number.POSITIVE_INFINITY,
  lines: 200,
  items: 200,
  itemChars: 2000,
};
export const LAST_LEVEL: TextLimits = { chars: 200, lines: 3, items: 3, itemChars: 80 };
export const TEXT_LEVELS: readonly TextLimits[] = [
  FIRST_LEVEL,
  { chars: 2000, lines: 20, items: 20, itemChars: 300 },
  { chars: 600, lines: 8, items: 8, itemChars: 150 },
  LAST_LEVEL,
];

/**
 * The first rendering that fits, trying each in order. The last one must fit whatever the data (it
 * carries no user text); it is returned even if it does not, rather than throwing at a user.
 */
export function firstThatFits(renderings: readonly (() => AdaptiveCard)[]): AdaptiveCard {
  let card: AdaptiveCard | undefined;
  for (const render of renderings) {
    card = render();
    if (cardSize(card) <= CARD_SIZE_LIMIT_BYTES) return card;
  }
  if (!card) throw new Error('firstThatFits needs at least one rendering');
  return card;
}
