/**
 * Text from requestors and Graph goes into cards only through these functions (design rule 8). The
 * templates put it in TextRun elements, which Adaptive Cards never treat as markdown; the characters
 * inserted here are a second guard for clients that do, and they are invisible.
 */

const WORD_JOINER = '\u2060';
const ZERO_WIDTH_SPACE = '\u200B';
// Bidi overrides can make a name read differently from what it is ("trojan source").
const BIDI_CONTROLS = /[\u202A-\u202E\u2066-\u2069]/g;
// C0 controls except tab and newline, and DEL: invisible, and some clients choke on them.
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/g;
const ELLIPSIS = '…';

/** One line of text in a TextRun. */
export interface Line {
  readonly text: string;
}

/** Breaks mentions (`<at>`), autolinks, HTML-ish tags, entities and `[text](url)` links, invisibly. */
function neutralise(text: string): string {
  return text
    .replace(/</g, `<${WORD_JOINER}`)
    .replace(/&/g, `&${WORD_JOINER}`)
    .replace(/\]\s*\(/g, (m) => `${m.slice(0, 1)}${ZERO_WIDTH_SPACE}${m.slice(1)}`);
}

function clean(value: string | null | undefined): string {
  return (value ?? '')
    .replace(/\r\n?/g, '\n')
    .replace(/\t/g, ' ')
    .replace(CONTROL, '')
    .replace(BIDI_CONTROLS, '');
}

/** Cuts to at most `max` UTF-16 units without splitting a surrogate pair, adding an ellipsis when cut. */
export function cut(text: string, max: number): { readonly text: string; readonly cut: boolean } {
  if (text.length <= max) return { text, cut: false };
  let end = Math.max(0, max - 1);
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end -= 1;
  return { text: `${text.slice(0, end).trimEnd()}${ELLIPSIS}`, cut: true };
}

/** Names and titles: one line, whitespace collapsed, capped (Entra display names stop at 256). */
export function inlineText(value: string | null | undefined, max = 256): string {
  const single = clean(value).replace(/\s+/g, ' ').trim();
  return neutralise(cut(single, max).text);
}

/**
 * Free text (justifications, descriptions): one Line per non-empty line of the source, so a newline
 * never turns into markdown structure, capped at `maxChars` in total and `maxLines` lines.
 */
export function blockText(
  value: string | null | undefined,
  maxChars: number,
  maxLines: number,
): { readonly lines: readonly Line[]; readonly cut: boolean } {
  const all = clean(value)
    .split('\n')
    .map((line) => line.replace(/\s+/g, ' ').trim())
    .filter((line) => line !== '');
  const lines: Line[] = [];
  let left = maxChars;
  let wasCut = false;
  for (const line of all) {
    if (lines.length >= maxLines || left <= 0) {
      wasCut = true;
      break;
    }
    const part = cut(line, left);
    lines.push({ text: neutralise(part.text) });
    left -= part.text.length;
    if (part.cut) {
      wasCut = true;
      break;
    }
  }
  if (wasCut && lines.length > 0 && !(lines[lines.length - 1]?.text.endsWith(ELLIPSIS) ?? false)) {
    lines.push({ text: ELLIPSIS });
  }
  return { lines, cut: wasCut };
}

/** What an Input.Text shows as its value: the user's own words, sent back unchanged, so nothing is inserted. */
export function inputValue(value: string | null | undefined, max: number): string {
  const text = clean(value).trim();
  if (text.length <= max) return text;
  const last = text.charCodeAt(max - 1);
  return text.slice(0, last >= 0xd800 && last <= 0xdbff ? max - 1 : max);
}

// Format characters (zero-width, joiners, bidi marks and overrides…), lone surrogates and controls: invisible
// or unsafe in a chat message, never needed to read back what someone typed.
const INVISIBLE =
  /[\p{Cc}\p{Cf}\p{Co}\p{Cn}]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/gu;

/**
 * Someone's text repeated in a chat message, made inert: invisible and control characters removed,
 * whitespace collapsed, at most `max` characters, inside a code span so that Teams shows it literally
 * (no link, mention, emphasis or HTML). Backticks, which would end the span, become a look-alike.
 */
export function quoted(value: string | null | undefined, max = 80): string {
  const text = (value ?? '').replace(INVISIBLE, ' ').replace(/\s+/g, ' ').trim().replace(/`/g, '\u02cb');
  return `\`${cut(text, max).text || ' '}\``;
}
