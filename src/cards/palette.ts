/**
 * The only text colours cards use: those that keep 4.5:1 contrast against the card's background in Teams'
 * light and dark themes (the host configs' foreground colours) and its high-contrast theme
 * (tests/cards/contrast.test.ts measures every rendered card). Teams' Good (#92c353) and Warning (#f8d22a)
 * fall to 2.1:1 and 1.5:1 on white, and its Attention (#d74654) to 3.3:1 on the dark theme's background, so
 * none of them is used for text: what a line means is in its words and weight, never in its colour alone.
 */
export type TextColor = 'Default' | 'Accent';

/** What a line says about the item: how it is shown follows from it. */
export type Tone = 'Default' | 'Good' | 'Warning' | 'Attention';

/** Everything but plain information is drawn in the accent colour. */
export function colorOf(tone: Tone): TextColor {
  return tone === 'Default' ? 'Default' : 'Accent';
}
