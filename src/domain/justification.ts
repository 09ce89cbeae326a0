/**
 * The approver's own words: the only justification the bot ever sends. Nothing is generated; what the
 * approver typed is trimmed and cleaned of characters that are invisible or disguise text, and refused
 * (not silently cut) above the limit.
 */

/**
 * Longest justification the bot sends to Graph, in characters. Graph documents no limit; My Access caps
 * approver justifications well below this, and a card's input box is capped at the same length.
 */
export const MAX_JUSTIFICATION_LENGTH = 1000;

// C0 and C1 controls except tab and newline, plus bidi overrides and isolates, which can disguise text.
const CONTROL = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069]/g;
// Everything that shows nothing: separators (spaces), controls, format characters (zero-width, marks).
const INVISIBLE = /[\p{Z}\p{Cc}\p{Cf}\s]/gu;

export type CleanJustification =
  | { readonly ok: true; readonly value: string }
  | { readonly ok: false; readonly problem: 'notText' | 'tooLong'; readonly length: number };

/** Trimmed, without control characters and bidi overrides; refused when longer than the cap. */
export function cleanJustification(value: unknown): CleanJustification {
  if (value === undefined || value === null) return { ok: true, value: '' };
  if (typeof value !== 'string') return { ok: false, problem: 'notText', length: 0 };
  const cleaned = value.replace(/\r\n?/g, '\n').replace(CONTROL, '').trim();
  if (cleaned.length > MAX_JUSTIFICATION_LENGTH)
    return { ok: false, problem: 'tooLong', length: cleaned.length };
  // Only invisible characters left: nothing was said.
  return { ok: true, value: hasWords(cleaned) ? cleaned : '' };
}

/** True when the text shows something: not empty, not only spaces, zero-width or other format characters. */
export function hasWords(text: string): boolean {
  return text.replace(INVISIBLE, '') !== '';
}
