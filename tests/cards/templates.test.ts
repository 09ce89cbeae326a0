import * as fs from 'node:fs';
import * as path from 'node:path';
import { Template } from 'adaptivecards-templating';
import { cardsDirectory, renderItemCard } from '../../src/cards';
import { helpView } from '../../src/cards/help-card';
import { historyView } from '../../src/cards/history-card';
import { noticeView } from '../../src/cards/notice-card';
import { reviewBulkView } from '../../src/cards/review-bulk-card';

const HELP_LINES = [{ command: 'pending', description: 'Show what waits for your decision' }];
import { itemView, shortItemView } from '../../src/cards/item-view';
import { outcomeView } from '../../src/cards/outcome-card';
import { FIRST_LEVEL } from '../../src/cards/size-guard';
import { summaryView } from '../../src/cards/summary-card';
import { accessPackage, accessReview, ALL_ITEMS, NOW, pimGroup, pimRole } from './fixtures';
import { walk } from './helpers';
import { CARD_OPTIONS, everyCard, HISTORY_ENTRIES } from './every-card';

const root = path.resolve(__dirname, '../..');
const dir = path.join(root, 'cards');
const templates = fs.readdirSync(dir).filter((f) => f.endsWith('.json') && !f.endsWith('.data.json'));

function readJson(file: string): unknown {
  return JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8'));
}

/** Every key path in a value, with array elements merged, e.g. "answers[].values[].text". */
function shape(value: unknown, prefix = ''): string[] {
  if (Array.isArray(value)) return [...new Set(value.flatMap((v) => shape(v, `${prefix}[]`)))];
  if (typeof value === 'object' && value !== null) {
    // The target is the item's own DecisionTarget, not part of the template's shape.
    if (prefix === 'target') return [prefix];
    return Object.entries(value).flatMap(([k, v]) => [
      `${prefix}${prefix ? '.' : ''}${k}`,
      ...shape(v, `${prefix}${prefix ? '.' : ''}${k}`),
    ]);
  }
  return [];
}

const options = CARD_OPTIONS;
const SAMPLES_FROM_CODE: Readonly<Record<string, () => object>> = {
  'access-package': () => itemView(accessPackage, options, FIRST_LEVEL).data,
  'pim-group': () => itemView(pimGroup, options, FIRST_LEVEL).data,
  'pim-role': () => itemView(pimRole, options, FIRST_LEVEL).data,
  'access-review': () =>
    itemView(accessReview, { ...options, recordedDecision: 'Approve' }, FIRST_LEVEL).data,
  'item-short': () => shortItemView(accessPackage, options, false).data,
  outcome: () =>
    outcomeView(
      accessPackage,
      { kind: 'throttled', view: 'caller', retryAfterSeconds: 1, requestId: null },
      { decidedByViewer: true, now: NOW, rev: 1 },
      FIRST_LEVEL,
    ),
  summary: () => summaryView(ALL_ITEMS, { max: 3, now: NOW }, 3, 150),
  help: () => helpView({ scope: 'personal', commands: HELP_LINES }),
  history: () => historyView(HISTORY_ENTRIES, { viewerId: 'x', page: 2, pages: 3, now: NOW }, FIRST_LEVEL),
  'review-bulk': () =>
    reviewBulkView(
      { target: accessReview.target, items: [accessReview, { ...accessReview, recommendation: 'Deny' }] },
      { kind: 'offer' },
      { rev: 1, now: NOW },
    ),
  notice: () =>
    noticeView(
      {
        item: accessPackage,
        result: 'Approved',
        by: 'Alex Wilber',
        at: NOW.toISOString(),
        justification: 'Fine',
      },
      { now: NOW },
    ),
};

describe('the card templates', () => {
  it('live in the cards/ folder beside package.json', () => {
    expect(cardsDirectory()).toBe(dir);
    expect(fs.existsSync(path.join(root, 'package.json'))).toBe(true);
    expect(templates.sort()).toEqual(
      Object.keys(SAMPLES_FROM_CODE)
        .map((n) => `${n}.json`)
        .sort(),
    );
  });

  it.each(templates)('%s is an Adaptive Card 1.5 with the schema', (file) => {
    expect(readJson(file)).toMatchObject({
      $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
      type: 'AdaptiveCard',
      version: '1.5',
      body: expect.any(Array),
    });
  });

  it.each(templates)(
    '%s has a sample data file beside it that renders without unresolved expressions',
    (file) => {
      const sample = readJson(file.replace(/\.json$/, '.data.json'));
      const card: unknown = new Template(readJson(file)).expand({ $root: sample });
      expect(card).toMatchObject({ type: 'AdaptiveCard', version: '1.5' });
      expect(JSON.stringify(card)).not.toContain('${');
    },
  );

  it.each(templates)('%s sample data has the same fields the renderer produces', (file) => {
    const name = file.replace(/\.json$/, '');
    const fromCode = new Set(shape(JSON.parse(JSON.stringify(SAMPLES_FROM_CODE[name]?.()))));
    const sample = new Set(shape(readJson(`${name}.data.json`)));
    expect([...fromCode].filter((k) => !sample.has(k))).toEqual([]);
    expect([...sample].filter((k) => !fromCode.has(k))).toEqual([]);
  });
});

describe('every rendered card', () => {
  const cards = everyCard(options);

  it('has no unresolved template expression', () => {
    for (const card of cards) expect(JSON.stringify(card)).not.toContain('${');
  });

  it('is an Adaptive Card 1.5', () => {
    for (const card of cards) expect(card).toMatchObject({ type: 'AdaptiveCard', version: '1.5' });
  });

  it('uses only Adaptive Cards 1.5 elements, none of them empty', () => {
    const known = new Set([
      'TextBlock',
      'RichTextBlock',
      'TextRun',
      'Container',
      'FactSet',
      'ActionSet',
      'Input.Text',
      'Action.Execute',
      'Action.Submit',
      'Action.OpenUrl',
    ]);
    for (const card of cards) {
      for (const { node, parents } of walk(card.body)) {
        if (typeof node.type !== 'string') continue;
        // An action's data is what it sends (e.g. Teams' imBack), not an element of the card.
        const inAction = parents.some((p) => String(p.type).startsWith('Action.'));
        if (inAction && !node.type.startsWith('Action.')) continue;
        expect(known).toContain(node.type);
        if (node.type === 'TextRun' || node.type === 'TextBlock')
          expect(node.text).toEqual(expect.stringMatching(/\S/));
        if (node.type === 'RichTextBlock')
          expect(node.inlines).toEqual(expect.arrayContaining([expect.anything()]));
        if (node.type === 'Container')
          expect(node.items).toEqual(expect.arrayContaining([expect.anything()]));
        if (node.type === 'ActionSet')
          expect(node.actions).toEqual(expect.arrayContaining([expect.anything()]));
        if (String(node.type).startsWith('Action.')) expect(node.title).toEqual(expect.stringMatching(/\S/));
      }
    }
  });

  it('renders items with empty names and texts without empty elements', () => {
    const blank = { id: null, displayName: '' };
    const empty = [
      renderItemCard(
        {
          ...accessPackage,
          requestor: blank,
          accessPackage: { id: null, displayName: '', description: '' },
          justification: '',
          answers: [],
        },
        options,
      ),
      renderItemCard(
        {
          ...pimGroup,
          principal: blank,
          group: { id: 'g', displayName: '' },
          accessId: '',
          action: '',
          justification: '',
          ticket: { system: null, number: null },
        },
        options,
      ),
      renderItemCard(
        { ...pimRole, principal: blank, role: { id: 'r', displayName: '' }, justification: '' },
        options,
      ),
      renderItemCard(
        {
          ...accessReview,
          principal: { ...blank, type: 'unknown' },
          resource: { id: null, displayName: '', type: null },
          reviewName: '',
          descriptionForReviewers: '',
          recommendation: null,
          dueDateTime: null,
          earlierStages: [],
        },
        options,
      ),
    ];
    for (const card of empty) {
      expect(JSON.stringify(card)).not.toContain('${');
      for (const { node } of walk(card.body)) {
        if (node.type === 'TextRun' || node.type === 'TextBlock')
          expect(node.text).toEqual(expect.stringMatching(/\S/));
      }
    }
  });

  it('puts each Action.Execute, with a verb, in an ActionSet with an Action.Submit fallback carrying the same data and verb', () => {
    let seen = 0;
    const visit = (node: unknown, parent: unknown): void => {
      if (Array.isArray(node)) return node.forEach((n) => visit(n, parent));
      if (typeof node !== 'object' || node === null) return;
      const n = node as Record<string, unknown>;
      if (n.type === 'Action.Execute') {
        seen += 1;
        expect(typeof n.verb).toBe('string');
        expect((parent as Record<string, unknown> | null)?.type).toBe('ActionSet');
        const data = n.data as Record<string, unknown>;
        expect(data.verb).toBe(n.verb);
        expect(n.fallback).toEqual({
          type: 'Action.Submit',
          title: n.title,
          ...(n.style ? { style: n.style } : {}),
          data,
        });
      }
      for (const value of Object.values(n)) visit(value, n);
    };
    for (const card of cards) visit(card.body, card);
    expect(seen).toBeGreaterThan(50);
  });

  it('gives every action data the verb, the item target and the revision, and nothing else but a retried decision or a bulk choice', () => {
    let seen = 0;
    for (const card of cards) {
      for (const { node } of walk(card)) {
        const data = node.data;
        if (typeof data !== 'object' || data === null || !('verb' in data)) continue;
        seen += 1;
        const d = data as Record<string, unknown>;
        expect(Object.keys(d).sort()).toEqual(
          d.verb === 'retry'
            ? ['decision', 'rev', 'target', 'verb']
            : d.verb === 'bulk'
              ? ['choice', 'confirmed', 'rev', 'target', 'verb']
              : ['rev', 'target', 'verb'],
        );
        if (d.verb === 'bulk') expect(typeof d.confirmed).toBe('boolean');
        expect(d.rev).toBe(1);
        expect(ALL_ITEMS.map((i) => i.target)).toContainEqual(d.target);
      }
    }
    expect(seen).toBeGreaterThan(100);
  });
});
