import { CARD_SIZE_LIMIT_BYTES, cardSize, renderHistoryCard } from '../../src/cards';
import type { HistoryEntry } from '../../src/cards';
import { HISTORY_ENTRIES } from './every-card';
import { accessPackage, alex, megan, NOW } from './fixtures';
import { buttons, textRuns, visibleText } from './helpers';

const options = { viewerId: alex.id.toUpperCase(), page: 2, pages: 3, now: NOW, timeZone: 'Europe/Berlin' };

describe('the history card', () => {
  it('says how each item ended in the words of the cards, by whom and when, as Graph said it', () => {
    const text = visibleText(renderHistoryCard(HISTORY_ENTRIES, options));
    expect(text).toContain('Your decisions, page 2 of 3');
    // Graph's time in the configured zone (10:42 UTC is 11:42 in Berlin), "you" for the viewer's own.
    expect(text).toContain('Alex Wilber requests Marketing campaign tools\nApproved by you at 11:42');
    expect(text).toContain('Your justification\nFine\nYou pressed Approve: recorded.');
    // Graph gave no time: none is shown.
    expect(text).toMatch(/\nDenied by Megan Bowen\nMegan Bowen's justification\nNot needed\n/);
    expect(text).toContain('You pressed Approve: not recorded, already decided by Megan Bowen.');
    expect(text).toContain('Closed before a decision\n');
    expect(text).toContain('Reset by you\nYou pressed Reset: recorded.');
    expect(text).toContain(
      'Review: Adele Vance\nYou pressed Deny: not recorded because Microsoft Graph was busy.',
    );
  });

  it('never names a decider or a time Graph did not give', () => {
    const unnamed: HistoryEntry = {
      item: accessPackage,
      title: '',
      final: {
        result: 'Approved',
        by: { id: megan.id, displayName: '' },
        at: null,
        justification: 'Ok',
        changeable: false,
      },
      attempts: [{ decision: 'Approve', outcome: 'alreadyDecided' }],
    };
    const text = visibleText(renderHistoryCard([unnamed], { ...options, page: 1, pages: 1 }));
    expect(text).toMatch(/\nApproved\nJustification\nOk\n/);
    expect(text).toContain('already decided by someone else.');
    expect(text).not.toMatch(/Someone|\d\d:\d\d/);
  });

  it('offers Newer and Older as typed commands, and only the pages there are', () => {
    const pager = (page: number, pages: number) =>
      buttons(renderHistoryCard(HISTORY_ENTRIES, { ...options, page, pages })).map((b) => [
        b.type,
        b.title,
        b.data,
      ]);
    expect(pager(2, 3)).toEqual([
      ['Action.Submit', 'Newer', { command: 'history 1' }],
      ['Action.Submit', 'Older', { command: 'history 3' }],
    ]);
    expect(pager(1, 3).map((b) => b[1])).toEqual(['Older']);
    expect(pager(3, 3).map((b) => b[1])).toEqual(['Newer']);
    expect(pager(1, 1)).toEqual([]);
  });

  it('keeps titles and justifications inert and the card under the size limit', () => {
    const hostile = '<at>Megan</at> [click](https://evil.example) ${evil} **bold**';
    const entries: HistoryEntry[] = Array.from({ length: 10 }, () => ({
      item: { ...accessPackage, accessPackage: { ...accessPackage.accessPackage, displayName: hostile } },
      title: '',
      final: {
        result: 'Denied',
        by: { id: megan.id, displayName: hostile },
        at: null,
        justification: `${hostile} ${'x'.repeat(5000)}`,
        changeable: false,
      },
      attempts: [],
    }));
    const card = renderHistoryCard(entries, options);
    expect(cardSize(card)).toBeLessThanOrEqual(CARD_SIZE_LIMIT_BYTES);
    const runs = textRuns(card).join('\n');
    expect(runs).not.toContain('<at>');
    expect(runs).not.toContain('](');
    expect(runs).toContain('${evil}');
    expect(runs).toMatch(/x…/);
  });
});
