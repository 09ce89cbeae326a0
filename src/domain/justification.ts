/**
 * Longest justification the bot sends to Graph, in characters. Graph documents no limit; My Access caps
 * approver justifications well below this, and a card's input box is capped at the same length.
 */
export const MAX_JUSTIFICATION_LENGTH = 1000;
