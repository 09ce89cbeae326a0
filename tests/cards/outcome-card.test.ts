import type { OutcomeCardOptions } from '../../src/cards';
import { renderOutcomeCard, renderWorkingCard } from '../../src/cards';
import type { Outcome } from '../../src/domain';
import type { PendingItem } from '../../src/domain';
import { accessPackage, accessReview, ALL_ITEMS, megan, NOW, pimGroup, pimRole } from './fixtures';
import { button, buttons, inputs, must, verbs, visibleText } from './helpers';

const viewer: OutcomeCardOptions = { decidedByViewer: false, now: NOW, rev: 4 };

function render(item: PendingItem, outcome: Outcome, options: Partial<OutcomeCardOptions> = {}) {
  return renderOutcomeCard(item, outcome, { ...viewer, ...options });
}

const OUTCOMES: readonly (readonly [string, Outcome, readonly string[]])[] = [
  [
    'recorded',
    {
      kind: 'recorded',
      view: 'item',
      justification: 'Fits the launch plan',
      at: '2025-11-26T11:58:00Z',
      by: null,
      decision: 'Approve',
      reconciled: true,
      requestId: 'r1',
    },
    // Graph's time (11:58), not the time the card was rendered (12:00); the approver's own words.
    ['Approved by you at 11:58', 'Your justification', 'Fits the launch plan'],
  ],
  [
    'alreadyDecided',
    {
      kind: 'alreadyDecided',
      view: 'item',
      justification: null,
      result: 'Approved',
      by: megan,
      at: '2025-11-26T10:42:00Z',
      requestId: null,
    },
    ['Already approved by Megan Bowen at 10:42', 'nothing was changed'],
  ],
  [
    'notFound',
    { kind: 'notFound', view: 'caller', message: 'gone', requestId: null },
    ["Microsoft Graph doesn't show you this request", 'Nothing was decided'],
  ],
  [
    'forbidden (missing consent)',
    {
      kind: 'forbidden',
      view: 'caller',
      reason: 'missingConsent',
      message: 'Valid permissions not present.',
      requestId: 'r2',
    },
    ['The app is missing permission; ask your admin to grant consent.', 'Once consent is granted'],
  ],
  [
    'forbidden (not an approver)',
    { kind: 'forbidden', view: 'caller', reason: 'notApprover', message: 'nope', requestId: null },
    ["You're not (or no longer) an approver for this request", "there's nothing more for you to do"],
  ],
  [
    'reviewClosed',
    { kind: 'reviewClosed', view: 'item', status: 'Completed', requestId: null },
    ['This access review has ended', "Decisions can't be changed any more"],
  ],
  [
    'throttled',
    { kind: 'throttled', view: 'caller', retryAfterSeconds: 7, requestId: null },
    ['Microsoft Graph is busy right now', 'Try again in 7 seconds.'],
  ],
  [
    'unavailable',
    { kind: 'unavailable', view: 'caller', status: 503, message: 'down', requestId: null },
    ["Couldn't reach Microsoft Graph", 'Try again in a moment.'],
  ],
  [
    'invalid',
    {
      kind: 'invalid',
      view: 'caller',
      reachedGraph: true,
      problems: ['The justification is required.'],
      requestId: null,
    },
    ["Microsoft Graph didn't accept the decision", 'The justification is required.', 'Fix what is listed'],
  ],
  [
    'invalid, refused before Graph',
    {
      kind: 'invalid',
      view: 'caller',
      reachedGraph: false,
      problems: ['Your justification is 1,500 characters long; the limit is 1,000.'],
      requestId: null,
    },
    ["Your decision wasn't sent", '1,500 characters', 'Nothing was sent to Microsoft Graph'],
  ],
  [
    'needsJustification',
    { kind: 'needsJustification', view: 'caller', reason: 'stage', reachedGraph: true, requestId: 'r3' },
    ['This approval stage asks for your justification', 'Type your reason'],
  ],
  [
    'alreadyDecided, decider unknown (409 without a readable stage)',
    {
      kind: 'alreadyDecided',
      view: 'caller',
      result: null,
      by: null,
      at: null,
      justification: null,
      requestId: 'r4',
    },
    ['Already decided by another approver', "Your decision wasn't needed"],
  ],
  [
    'signInRequired',
    { kind: 'signInRequired', view: 'caller', message: 'token expired', requestId: null },
    ['Your sign-in has expired', 'Select Retry to sign in again'],
  ],
];

describe('an outcome card', () => {
  it.each(OUTCOMES)('for %s says what happened and what to do next', (_kind, outcome, words) => {
    const card = render(accessPackage, outcome, {
      decision: 'Approve',
      decidedByViewer: outcome.kind === 'recorded',
    });
    const text = visibleText(card);
    for (const w of words) expect(text).toContain(w);
  });

  it.each(OUTCOMES)('for %s keeps a short summary of the item and no automatic refresh', (_kind, outcome) => {
    for (const item of ALL_ITEMS) {
      const card = render(item, outcome, { decision: 'Approve' });
      const text = visibleText(card);
      expect(text).toContain(
        {
          accessPackage: 'Access package request',
          pimGroup: 'PIM for Groups request',
          pimRole: 'PIM for Entra roles request',
          accessReview: 'Access review',
        }[item.kind],
      );
      expect(text).toMatch(/requests|Review Alex Wilber's access/);
      expect(card.refresh?.userIds ?? []).toEqual([]);
    }
  });

  it('shows "approved by you" with the time and the justification', () => {
    const card = render(
      pimGroup,
      {
        kind: 'recorded',
        view: 'item',
        justification: '',
        at: null,
        by: null,
        decision: 'Approve',
        reconciled: false,
        requestId: null,
      },
      {
        decidedByViewer: true,
        justification: 'Month-end close is today',
        decidedAt: '2025-11-26T11:58:00Z',
      },
    );
    const text = visibleText(card);
    expect(text).toContain('Approved by you at 11:58');
    expect(text).toContain('Your justification\nMonth-end close is today');
    expect(buttons(card)).toEqual([]);
  });

  it('shows "denied by you" and that a denied request goes no further', () => {
    const text = visibleText(
      render(
        pimRole,
        {
          kind: 'recorded',
          view: 'item',
          justification: '',
          at: null,
          by: null,
          decision: 'Deny',
          reconciled: false,
          requestId: null,
        },
        { decidedByViewer: true, justification: 'No ticket' },
      ),
    );
    expect(text).toContain('Denied by you');
    expect(text).not.toMatch(/at 12:00/);
    expect(text).toContain('No ticket');
    expect(text).toContain("A denied request doesn't go any further");
  });

  it('says an approved multi-stage request goes on to the next stage', () => {
    const text = visibleText(
      render(
        accessPackage,
        {
          kind: 'recorded',
          view: 'item',
          justification: '',
          at: null,
          by: null,
          decision: 'Approve',
          reconciled: false,
          requestId: null,
        },
        { decidedByViewer: true },
      ),
    );
    expect(text).toContain('The request now goes to stage 2 of 2.');
  });

  it.each([
    ['Approve', 'Approved by you', 'change'],
    ['Deny', 'Denied by you', 'change'],
    ['DontKnow', '"Don\'t know" recorded', 'change'],
    ['NotReviewed', 'Your decision was reset', 'refresh'],
  ] as const)('records a review decision %s and offers to change it', (decision, words, verb) => {
    const card = render(
      accessReview,
      {
        kind: 'recorded',
        view: 'item',
        justification: '',
        at: null,
        by: null,
        decision,
        reconciled: false,
        requestId: null,
      },
      { decidedByViewer: true },
    );
    // Straight after the 204, Graph has not said when: no time is shown rather than the render time.
    expect(visibleText(card)).toContain(words);
    expect(visibleText(card)).not.toMatch(/ at \d\d:\d\d/);
    expect(must(button(card, verb)).data).toEqual({ verb, target: accessReview.target, rev: 4 });
  });

  it('names who decided when someone else recorded the decision', () => {
    const outcome: Outcome = {
      kind: 'recorded',
      view: 'item',
      justification: '',
      at: null,
      by: null,
      decision: 'Deny',
      reconciled: false,
      requestId: null,
    };
    expect(
      visibleText(render(pimGroup, outcome, { decidedBy: megan, decidedAt: '2025-11-26T10:42:00Z' })),
    ).toContain('Denied by Megan Bowen at 10:42');
    expect(visibleText(render(pimGroup, outcome))).toContain('This request was denied');
  });

  it.each([
    [{ result: 'Denied', at: '2025-11-26T10:42:00Z' }, 'UTC', 'Already denied by Megan Bowen at 10:42'],
    [
      { result: 'Approved', at: '2025-11-25T10:42:00Z' },
      'UTC',
      'Already approved by Megan Bowen on 25 Nov 10:42',
    ],
    [
      { result: 'Approved', at: '2025-11-26T10:42:00Z' },
      'Europe/Amsterdam',
      'Already approved by Megan Bowen at 11:42',
    ],
    [
      { result: 'DontKnow', at: '2025-11-26T10:42:00Z' },
      'UTC',
      'Already marked "Don\'t know" by Megan Bowen at 10:42',
    ],
  ] as const)('says %j was already decided, in the %s time zone', (result, timeZone, words) => {
    const outcome: Outcome = {
      kind: 'alreadyDecided',
      view: 'item',
      justification: null,
      by: megan,
      requestId: null,
      ...result,
    };
    expect(visibleText(render(accessPackage, outcome, { timeZone, decision: 'Approve' }))).toContain(words);
  });

  it('says "another approver" or "another reviewer" when Graph does not say who decided', () => {
    const outcome: Outcome = {
      kind: 'alreadyDecided',
      view: 'item',
      justification: null,
      result: 'Approved',
      by: null,
      at: null,
      requestId: null,
    };
    expect(visibleText(render(pimRole, outcome))).toContain('Already approved by another approver');
    expect(visibleText(render(accessReview, outcome))).toContain('Already approved by another reviewer');
  });

  it('says a reviewer is no longer a reviewer, and links to My Access reviews', () => {
    const card = render(accessReview, {
      kind: 'forbidden',
      view: 'caller',
      reason: 'notApprover',
      message: '',
      requestId: null,
    });
    expect(visibleText(card)).toContain("You're not (or no longer) a reviewer for this access review");
    expect(must(buttons(card).find((b) => b.type === 'Action.OpenUrl')).url).toBe(
      'https://myaccess.microsoft.com/#/access-reviews',
    );
  });

  it.each([
    { kind: 'throttled', view: 'caller', retryAfterSeconds: 2.5, requestId: null },
    { kind: 'unavailable', view: 'caller', status: null, message: 'timeout', requestId: null },
    { kind: 'signInRequired', view: 'caller', message: 'expired', requestId: null },
    { kind: 'forbidden', view: 'caller', reason: 'missingConsent', message: '', requestId: null },
  ] as const)('offers Retry with the decision being retried after $kind', (outcome) => {
    const card = render(pimGroup, outcome, { decision: 'Deny', justification: 'Not on the rota' });
    expect(verbs(card)).toEqual(['retry']);
    const retry = must(button(card, 'retry'));
    expect(retry.type).toBe('Action.Execute');
    expect(retry.data).toEqual({ verb: 'retry', target: pimGroup.target, rev: 4, decision: 'Deny' });
    // The reason travels with the retry the same way as on the item card: as the justification input.
    expect(must(inputs(card)[0])).toMatchObject({ id: 'justification', value: 'Not on the rota' });
  });

  it('rounds a throttle delay up to whole seconds', () => {
    expect(
      visibleText(
        render(
          pimGroup,
          { kind: 'throttled', view: 'caller', retryAfterSeconds: 0.2, requestId: null },
          { decision: 'Approve' },
        ),
      ),
    ).toContain('Try again in 1 second.');
  });

  it('offers to show the request again when the decision to retry is unknown', () => {
    const card = render(pimGroup, {
      kind: 'throttled',
      view: 'caller',
      retryAfterSeconds: 5,
      requestId: null,
    });
    expect(verbs(card)).toEqual(['refresh']);
  });

  it('offers to show the request again after an invalid decision', () => {
    const card = render(
      accessReview,
      {
        kind: 'invalid',
        view: 'caller',
        reachedGraph: true,
        problems: ['justification required'],
        requestId: null,
      },
      { decision: 'Approve' },
    );
    expect(must(button(card, 'refresh')).data).toEqual({
      verb: 'refresh',
      target: accessReview.target,
      rev: 4,
    });
  });

  it('turns Retry into an Action.Submit with the verb in data when submitOnly is set', () => {
    const card = render(
      pimRole,
      { kind: 'throttled', view: 'caller', retryAfterSeconds: 5, requestId: null },
      { decision: 'Approve', submitOnly: true },
    );
    expect(JSON.stringify(card)).not.toContain('Action.Execute');
    expect(must(button(card, 'retry'))).toMatchObject({
      type: 'Action.Submit',
      data: { verb: 'retry', target: pimRole.target, rev: 4, decision: 'Approve' },
    });
  });
});

describe('a working card', () => {
  it('says the decision is in progress and that the card will update', () => {
    const card = renderWorkingCard(accessPackage, 'Approve', { now: NOW, rev: 5 });
    const text = visibleText(card);
    expect(text).toContain('Working on it: approving this request');
    expect(text).toContain('This card will update');
    expect(text).toContain('Alex Wilber requests Marketing campaign tools');
    expect(buttons(card)).toEqual([]);
    expect(visibleText(renderWorkingCard(accessReview, 'DontKnow', { now: NOW, rev: 5 }))).toContain(
      'Working on it: recording "Don\'t know" for this access review item',
    );
  });

  it('keeps refreshing for the given users until the final card arrives', () => {
    const card = renderWorkingCard(pimGroup, 'Deny', { now: NOW, rev: 5, refreshUserIds: ['29:a'] });
    expect(card.refresh?.userIds).toEqual(['29:a']);
  });
});
