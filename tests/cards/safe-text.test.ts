import { renderItemCard } from '../../src/cards';
import { blockText, cut, inlineText, inputValue, quoted } from '../../src/cards/safe-text';
import type { AccessPackagePending } from '../../src/domain';
import { accessPackage, NOW } from './fixtures';
import { textRuns } from './helpers';

/** Astral characters whose high surrogates sit at both ends of the range and in the middle. */
const GRIN = '😀'; // U+1F600: D83D DE00
const LINEAR_B = '\u{10000}'; // the first astral character: D800 DC00
const PLANE_16 = '\u{10FFFD}'; // a private-use character near the last: DBFF DFFD
const ASTRAL = [GRIN, LINEAR_B, PLANE_16] as const;

const WJ = '\u2060';
const ZWSP = '\u200B';

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

describe('cutting text at a limit', () => {
  it('leaves text that fits exactly as it is', () => {
    expect(cut('Alex', 4)).toEqual({ text: 'Alex', cut: false });
  });

  it('keeps one unit fewer than the limit and adds an ellipsis, so the result is exactly the limit', () => {
    expect(cut('Marketing', 5)).toEqual({ text: 'Mark…', cut: true });
  });

  it.each(ASTRAL)('never splits an astral character (%s) whose pair straddles the cut', (char) => {
    const result = cut(`ab${char}cd`, 4);
    expect(result).toEqual({ text: 'ab…', cut: true });
    expect(result.text).not.toMatch(LONE_SURROGATE);
  });

  it('keeps an astral character that ends just before the cut', () => {
    expect(cut(`a${GRIN}bc`, 4)).toEqual({ text: `a${GRIN}…`, cut: true });
  });

  it('drops the spaces that would stand before the ellipsis', () => {
    expect(cut('ab   cdef', 5)).toEqual({ text: 'ab…', cut: true });
  });
});

describe('a name or title (inline text)', () => {
  it('is one line, control and bidi characters removed, whitespace collapsed and trimmed', () => {
    expect(inlineText('  Alex\t\tWilber \r\n Jr.\u202E\u0007 ')).toBe('Alex Wilber Jr.');
  });

  it('is empty when there is none', () => {
    expect(inlineText(null)).toBe('');
    expect(inlineText(undefined)).toBe('');
  });

  it('breaks mentions, entities and markdown links with invisible characters only', () => {
    expect(inlineText('<at>Megan</at> & [docs](https://x) [more]  (https://y)')).toBe(
      `<${WJ}at>Megan<${WJ}/at> &${WJ} [docs]${ZWSP}(https://x) [more]${ZWSP} (https://y)`,
    );
  });

  it('is capped at 256 units like an Entra display name, keeping whole emoji', () => {
    expect(inlineText(GRIN.repeat(300))).toBe(`${GRIN.repeat(127)}…`);
  });
});

describe('free text (block text)', () => {
  it('shows one trimmed, collapsed line per non-empty source line, whatever the line endings', () => {
    expect(
      blockText(
        ' first  line \r\nsecond\rthird\n\n\tfourth \u202E\n<at>Megan</at> [docs](https://x)',
        1000,
        10,
      ),
    ).toEqual({
      lines: [
        { text: 'first line' },
        { text: 'second' },
        { text: 'third' },
        { text: 'fourth' },
        { text: `<${WJ}at>Megan<${WJ}/at> [docs]${ZWSP}(https://x)` },
      ],
      cut: false,
    });
  });

  it('shows nothing for no text', () => {
    expect(blockText(null, 10, 10)).toEqual({ lines: [], cut: false });
  });

  it('shows exactly the allowed number of lines uncut', () => {
    expect(blockText('a\nb', 100, 2)).toEqual({ lines: [{ text: 'a' }, { text: 'b' }], cut: false });
  });

  it('stops after the allowed number of lines and says so with an ellipsis line', () => {
    expect(blockText('a\nb\nc', 100, 2)).toEqual({
      lines: [{ text: 'a' }, { text: 'b' }, { text: '…' }],
      cut: true,
    });
  });

  it('ends a line cut short with its own ellipsis, without an extra ellipsis line', () => {
    expect(blockText('abcdef', 4, 10)).toEqual({ lines: [{ text: 'abc…' }], cut: true });
  });

  it('shares the character budget between lines', () => {
    expect(blockText('abcdef\nghijkl', 8, 10)).toEqual({
      lines: [{ text: 'abcdef' }, { text: 'g…' }],
      cut: true,
    });
  });

  it('adds an ellipsis line when the budget ends exactly with a line and more follows', () => {
    expect(blockText('abc\ndef', 3, 10)).toEqual({ lines: [{ text: 'abc' }, { text: '…' }], cut: true });
  });

  it('shows nothing after a cut line, even where trimmed spaces left budget over', () => {
    expect(blockText('ab cdef\nxyz', 4, 10)).toEqual({ lines: [{ text: 'ab…' }], cut: true });
  });

  it('shows nothing, but reports the cut, when there is no room at all', () => {
    expect(blockText('abc', 0, 5)).toEqual({ lines: [], cut: true });
    expect(blockText('abc', 100, 0)).toEqual({ lines: [], cut: true });
  });
});

describe("an input's value (the user's own words)", () => {
  it('is trimmed and cleaned of controls, but nothing is inserted into it', () => {
    expect(inputValue('  see [docs](https://x) & <at>Megan</at>\r\nthanks\ta lot\rbye\u0007  ', 100)).toBe(
      'see [docs](https://x) & <at>Megan</at>\nthanks a lot\nbye',
    );
  });

  it('is kept whole when it fits exactly, and cut at the limit without an ellipsis when longer', () => {
    expect(inputValue('abcd', 4)).toBe('abcd');
    expect(inputValue('abcdef', 4)).toBe('abcd');
  });

  it.each(ASTRAL)('never splits an astral character (%s) at the limit', (char) => {
    expect(inputValue(`ab${char}cd`, 3)).toBe('ab');
  });

  it('keeps an astral character that ends exactly at the limit', () => {
    expect(inputValue(`a${GRIN}bc`, 3)).toBe(`a${GRIN}`);
  });
});

describe('text quoted in a chat message', () => {
  it('sits in a code span, trimmed and with whitespace collapsed', () => {
    expect(quoted('  Marketing   campaign\ttools\n ')).toBe('`Marketing campaign tools`');
  });

  it('turns invisible characters, controls and lone surrogates into spaces', () => {
    expect(quoted('Alex\u200BWilber\u202E\u0000 \uD83Dx\uDE00')).toBe('`Alex Wilber x`');
  });

  it('replaces backticks with a look-alike so that the span cannot be ended early', () => {
    expect(quoted('rm `x` -rf')).toBe('`rm ˋxˋ -rf`');
  });

  it('is a blank code span when there is nothing to show', () => {
    expect(quoted(null)).toBe('` `');
    expect(quoted('')).toBe('` `');
    expect(quoted('\u200B\t')).toBe('` `');
  });

  it('is capped at 80 units by default, with an ellipsis and whole emoji', () => {
    expect(quoted('x'.repeat(100))).toBe(`\`${'x'.repeat(79)}…\``);
    expect(quoted(GRIN.repeat(100), 256)).toBe(`\`${GRIN.repeat(100)}\``);
    expect(quoted(GRIN.repeat(200), 256)).toBe(`\`${GRIN.repeat(127)}…\``);
  });
});

describe('emoji on a rendered card', () => {
  it('cuts a long name and a long justification between emoji, never inside one', () => {
    const item: AccessPackagePending = {
      ...accessPackage,
      requestor: { ...accessPackage.requestor, displayName: GRIN.repeat(300) },
      justification: GRIN.repeat(60000),
    };
    const card = renderItemCard(item, { canAct: true, refreshUserIds: [], rev: 1, now: NOW });
    expect(JSON.stringify(card)).not.toMatch(LONE_SURROGATE);
    const runs = textRuns(card);
    expect(runs).toContain(`${GRIN.repeat(127)}… (AlexW@contoso.com)`);
    // Too long for the first level; the second allows 2000 units of free text.
    expect(runs).toContain(`${GRIN.repeat(999)}…`);
  });
});
