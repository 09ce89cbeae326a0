import type { AdaptiveCard } from '../../src/cards';
import { CARD_OPTIONS, everyCard } from './every-card';
import { walk } from './helpers';

/** A theme's card background per container style, and its text colours per Adaptive Cards colour name. */
interface Theme {
  readonly backgrounds: { readonly default: string; readonly emphasis: string };
  readonly foreground: Partial<Record<string, { readonly default: string; readonly subtle: string }>>;
}

/**
 * Teams' high-contrast theme: Microsoft publishes no Adaptive Cards host config for it, so the colours are
 * those of Fluent's Teams high-contrast palette (@fluentui/tokens: canvas #000000, canvas text #ffffff,
 * highlight #1aebff, hyperlink #ffff00), with no subtle variant. UNCERTAIN which of them Teams gives
 * "accent", so each is played; only the colours the cards may use are known here, and any other fails.
 */
const highContrast = (accent: string): Theme => ({
  backgrounds: { default: '#000000', emphasis: '#000000' },
  foreground: {
    default: { default: '#ffffff', subtle: '#ffffff' },
    accent: { default: accent, subtle: accent },
  },
});

/**
 * Teams' foreground and background colours for cards, per theme and container style, from the host
 * configs Microsoft publishes with the Adaptive Cards designer (samples/HostConfig/microsoft-teams-light.json
 * and microsoft-teams-dark.json in github.com/microsoft/AdaptiveCards). Colours are #RRGGBB or #AARRGGBB.
 */
const THEMES = {
  light: {
    backgrounds: { default: '#ffffff', emphasis: '#f9f8f7' },
    foreground: {
      default: { default: '#252424', subtle: '#bf252424' },
      accent: { default: '#6264a7', subtle: '#8b8cc7' },
      good: { default: '#92c353', subtle: '#e592c353' },
      warning: { default: '#f8d22a', subtle: '#e5f8d22a' },
      attention: { default: '#c4314b', subtle: '#e5c4314b' },
    },
  },
  dark: {
    backgrounds: { default: '#2d2c2c', emphasis: '#292828' },
    foreground: {
      default: { default: '#ffffff', subtle: '#bfffffff' },
      accent: { default: '#a6a7dc', subtle: '#8b8cc7' },
      good: { default: '#92c353', subtle: '#e592c353' },
      warning: { default: '#f8d22a', subtle: '#e5f8d22a' },
      attention: { default: '#d74654', subtle: '#e5d74654' },
    },
  },
  'high contrast, accent as highlight': highContrast('#1aebff'),
  'high contrast, accent as hyperlink': highContrast('#ffff00'),
  'high contrast, accent as text': highContrast('#ffffff'),
} as const satisfies Record<string, Theme>;

type Rgb = readonly [number, number, number];

function parse(hex: string): { rgb: Rgb; alpha: number } {
  const h = hex.replace('#', '');
  const argb = h.length === 8 ? h : `ff${h}`;
  const n = (i: number) => parseInt(argb.slice(i, i + 2), 16);
  return { alpha: n(0) / 255, rgb: [n(2), n(4), n(6)] };
}

/** The colour seen: `fg` with its alpha laid over `bg`. */
function over(fg: string, bg: string): Rgb {
  const f = parse(fg);
  const b = parse(bg).rgb;
  const mix = (i: 0 | 1 | 2) => f.rgb[i] * f.alpha + b[i] * (1 - f.alpha);
  return [mix(0), mix(1), mix(2)];
}

/** WCAG 2 relative luminance and contrast ratio. */
function luminance([r, g, b]: Rgb): number {
  const c = (v: number) => {
    const s = v / 255;
    return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * c(r) + 0.7152 * c(g) + 0.0722 * c(b);
}
function contrast(a: Rgb, b: Rgb): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (hi + 0.05) / (lo + 0.05);
}

/** Every text a card draws, with its colour, subtlety and the container style it sits in. */
function texts(
  card: AdaptiveCard,
): { color: string; subtle: boolean; style: 'default' | 'emphasis'; text: string }[] {
  const found: { color: string; subtle: boolean; style: 'default' | 'emphasis'; text: string }[] = [];
  for (const { node, parents } of walk(card.body)) {
    if (node.type !== 'TextBlock' && node.type !== 'TextRun' && node.type !== 'FactSet') continue;
    const emphasis = parents.some((a) => a.style === 'emphasis' || a.style === 'accent');
    found.push({
      color: typeof node.color === 'string' ? node.color.toLowerCase() : 'default',
      subtle: node.isSubtle === true,
      style: emphasis ? 'emphasis' : 'default',
      text: String(node.text ?? node.type),
    });
  }
  return found;
}

describe('card colours', () => {
  const cards = everyCard(CARD_OPTIONS);

  it("keep 4.5:1 contrast for every text of every card in Teams' light, dark and high-contrast themes", () => {
    const failures = new Set<string>();
    let checked = 0;
    for (const card of cards)
      for (const t of texts(card))
        for (const [name, theme] of Object.entries(THEMES) as [string, Theme][]) {
          const palette = theme.foreground[t.color];
          const bg = theme.backgrounds[t.style];
          if (!palette) {
            failures.add(`${name}: ${t.color} has no known colour "${t.text.slice(0, 40)}"`);
            continue;
          }
          const ratio = contrast(over(palette[t.subtle ? 'subtle' : 'default'], bg), parse(bg).rgb);
          checked += 1;
          if (ratio < 4.5)
            failures.add(
              `${name}: ${t.color}${t.subtle ? ' subtle' : ''} ${ratio.toFixed(1)}:1 "${t.text.slice(0, 40)}"`,
            );
        }
    expect(checked).toBeGreaterThan(1000);
    expect([...failures]).toEqual([]);
  });

  it('would catch the colours Teams draws too faintly (the measure itself)', () => {
    const light = THEMES.light;
    expect(contrast(parse(light.foreground.warning.default).rgb, parse('#ffffff').rgb)).toBeLessThan(2);
    expect(contrast(parse(light.foreground.good.default).rgb, parse('#ffffff').rgb)).toBeLessThan(2.5);
    expect(contrast(parse(THEMES.dark.foreground.attention.default).rgb, parse('#2d2c2c').rgb)).toBeLessThan(
      4.5,
    );
    // The light theme's accent would be too faint on the high-contrast black.
    expect(contrast(parse(light.foreground.accent.default).rgb, parse('#000000').rgb)).toBeLessThan(4.5);
    expect(contrast(parse('#000000').rgb, parse('#ffffff').rgb)).toBeCloseTo(21, 5);
  });
});
