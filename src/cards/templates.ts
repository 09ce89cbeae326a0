import * as fs from 'node:fs';
import * as path from 'node:path';
import { Template } from 'adaptivecards-templating';
import type { AdaptiveCard } from './types';
import { CardRenderError } from './types';

export const TEMPLATE_NAMES = [
  'access-package',
  'pim-group',
  'pim-role',
  'access-review',
  'item-short',
  'outcome',
  'summary',
  'help',
  'notice',
  'review-bulk',
  'history',
] as const;
export type TemplateName = (typeof TEMPLATE_NAMES)[number];

let directory: string | undefined;

/**
 * The repository's `cards/` folder: beside package.json, whether this file runs from `src/cards`
 * (ts-node, jest) or from `dist/src/cards` (compiled).
 */
export function cardsDirectory(): string {
  if (directory) return directory;
  const direct = path.resolve(__dirname, '../../cards');
  if (fs.existsSync(path.join(direct, 'access-package.json'))) return (directory = direct);
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'cards');
    if (
      fs.existsSync(path.join(dir, 'package.json')) &&
      fs.existsSync(path.join(candidate, 'access-package.json'))
    ) {
      return (directory = candidate);
    }
    if (path.dirname(dir) === dir) break;
  }
  throw new CardRenderError(`No cards/ folder with the card templates was found above ${__dirname}.`);
}

const templates = new Map<TemplateName, Template>();

function templateFor(name: TemplateName): Template {
  const known = templates.get(name);
  if (known) return known;
  const file = path.join(cardsDirectory(), `${name}.json`);
  let payload: unknown;
  try {
    payload = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (error) {
    throw new CardRenderError(`Card template ${file} could not be read: ${(error as Error).message}`);
  }
  const template = new Template(payload);
  templates.set(name, template);
  return template;
}

function isCard(value: unknown): value is AdaptiveCard {
  const card = value as Partial<AdaptiveCard> | null;
  return !!card && card.type === 'AdaptiveCard' && card.version === '1.5' && Array.isArray(card.body);
}

/**
 * Expands a template over view data. User text lives only in the data, never in the template, so a
 * `${…}` typed by a requestor is inserted as it is and never evaluated (the engine parses templates only).
 */
export function expandTemplate(name: TemplateName, data: object): AdaptiveCard {
  const expanded: unknown = templateFor(name).expand({ $root: data });
  // A JSON copy drops shared references into the data (e.g. the item's target) and any undefined.
  const card: unknown = JSON.parse(JSON.stringify(expanded));
  if (!isCard(card))
    throw new CardRenderError(`Card template ${name} did not expand to an Adaptive Card 1.5.`);
  return card;
}
