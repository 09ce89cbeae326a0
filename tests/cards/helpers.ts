import type { AdaptiveCard } from '../../src/cards';

/** Ways to look at a rendered card the way a client would: every node, every action, every visible text. */

export type Node = { readonly [key: string]: unknown };

function isNode(value: unknown): value is Node {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Every object in the card, each with the chain of objects above it. */
export function walk(card: unknown): { node: Node; parents: readonly Node[] }[] {
  const found: { node: Node; parents: readonly Node[] }[] = [];
  const visit = (value: unknown, parents: readonly Node[]): void => {
    if (Array.isArray(value)) {
      value.forEach((v) => visit(v, parents));
      return;
    }
    if (!isNode(value)) return;
    found.push({ node: value, parents });
    Object.values(value).forEach((v) => visit(v, [...parents, value]));
  };
  visit(card, []);
  return found;
}

/** Buttons in the body (card-level refresh excluded), with the fallback of an Action.Execute not counted twice. */
export function buttons(card: AdaptiveCard): Node[] {
  return walk(card.body)
    .filter(({ node, parents }) => {
      const type = String(node.type ?? '');
      const parent = parents[parents.length - 1];
      return (
        type.startsWith('Action.') &&
        !(parent && parent.type === 'Action.Execute' && parent.fallback === node)
      );
    })
    .map(({ node }) => node);
}

export function verbs(card: AdaptiveCard): string[] {
  return buttons(card)
    .filter((b) => b.type === 'Action.Execute' || b.type === 'Action.Submit')
    .map((b) => String(b.verb ?? (b.data as Node | undefined)?.verb));
}

export function button(card: AdaptiveCard, verb: string): Node | undefined {
  return buttons(card).find((b) => b.verb === verb || (isNode(b.data) && b.data.verb === verb));
}

const INVISIBLE = /[\u200B\u2060]/g;

/** Text a reader sees: text runs, text blocks, facts, labels, button titles; invisible guards removed. */
export function visibleText(card: AdaptiveCard): string {
  const parts: string[] = [];
  for (const { node } of walk(card.body)) {
    for (const key of ['text', 'title', 'value', 'label', 'placeholder', 'errorMessage']) {
      const v = node[key];
      if (typeof v === 'string') parts.push(v);
    }
  }
  return parts.join('\n').replace(INVISIBLE, '');
}

/** Texts of TextRun elements only (where user text belongs). */
export function textRuns(card: AdaptiveCard): string[] {
  return walk(card.body)
    .filter(({ node }) => node.type === 'TextRun')
    .map(({ node }) => String(node.text));
}

export function inputs(card: AdaptiveCard): Node[] {
  return walk(card.body)
    .filter(({ node }) => String(node.type ?? '').startsWith('Input.'))
    .map(({ node }) => node);
}

export function must<T>(value: T | undefined | null, what = 'value'): T {
  if (value === undefined || value === null) throw new Error(`expected ${what}`);
  return value;
}
