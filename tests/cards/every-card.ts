import {
  renderHelpCard,
  renderHistoryCard,
  renderItemCard,
  renderNoticeCard,
  renderReviewBulkCard,
  renderOutcomeCard,
  renderSummaryCard,
  renderWorkingCard,
} from '../../src/cards';
import type { AdaptiveCard, HistoryEntry } from '../../src/cards';
import type { Outcome } from '../../src/domain';
import { accessPackage, accessReview, alex, ALL_ITEMS, megan, NOW, pimGroup, pimRole } from './fixtures';

/** The options item cards are rendered with in the template-wide checks. */
export const CARD_OPTIONS = {
  canAct: true,
  refreshUserIds: ['29:a'],
  rev: 1,
  now: NOW,
  context: { otherDeciders: [megan] },
};

const HELP_LINES = [{ command: 'pending', description: 'Show what waits for your decision' }];

/** `history` entries of every shape: decided by the viewer or by another, closed, forgotten, not recorded. */
export const HISTORY_ENTRIES: readonly HistoryEntry[] = [
  {
    item: accessPackage,
    title: '',
    final: {
      result: 'Approved',
      by: alex,
      at: '2025-11-26T10:42:00Z',
      justification: 'Fine',
      changeable: false,
    },
    attempts: [{ decision: 'Approve', outcome: 'recorded' }],
  },
  {
    item: pimGroup,
    title: '',
    final: { result: 'Denied', by: megan, at: null, justification: 'Not needed', changeable: false },
    attempts: [{ decision: 'Approve', outcome: 'alreadyDecided' }],
  },
  {
    item: accessReview,
    title: '',
    final: { result: 'closed', by: null, at: null, justification: null, changeable: false },
    attempts: [],
  },
  {
    item: accessReview,
    title: '',
    final: null,
    attempts: [{ decision: 'NotReviewed', outcome: 'recorded' }],
  },
  {
    item: null,
    title: 'Review: Adele Vance',
    final: null,
    attempts: [{ decision: 'Deny', outcome: 'throttled' }],
  },
];

/** Every card the bot can send, for each kind and outcome: what template-wide checks run over. */
export function everyCard(options: Parameters<typeof renderItemCard>[1]): AdaptiveCard[] {
  const outcomes: Outcome[] = [
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
      kind: 'alreadyDecided',
      view: 'item',
      justification: null,
      result: 'Denied',
      by: megan,
      at: '2025-11-26T10:42:00Z',
      requestId: null,
    },
    { kind: 'forbidden', view: 'caller', reason: 'missingConsent', message: 'x', requestId: null },
    { kind: 'forbidden', view: 'caller', reason: 'notApprover', message: 'x', requestId: null },
    { kind: 'notFound', view: 'caller', message: 'x', requestId: null },
    { kind: 'invalid', view: 'caller', reachedGraph: true, problems: ['x'], requestId: null },
    { kind: 'reviewClosed', view: 'item', status: 'Completed', requestId: null },
    { kind: 'throttled', view: 'caller', retryAfterSeconds: 3, requestId: null },
    { kind: 'signInRequired', view: 'caller', message: 'x', requestId: null },
    { kind: 'unavailable', view: 'caller', status: null, message: 'x', requestId: null },
  ];
  return [
    ...ALL_ITEMS.flatMap((item) => [
      renderItemCard(item, {
        ...options,
        recordedDecision: 'Deny',
        prompt: 'Please give a reason for denying',
      }),
      renderItemCard(item, { ...options, canAct: false }),
      renderItemCard(item, { ...options, closed: true }),
      renderWorkingCard(item, 'Approve', { now: NOW, rev: 1, refreshUserIds: ['29:a'] }),
      ...outcomes.map((o) =>
        renderOutcomeCard(item, o, {
          decision: 'Approve',
          decidedByViewer: o.kind === 'recorded',
          now: NOW,
          rev: 1,
        }),
      ),
      ...outcomes.map((o) => renderOutcomeCard(item, o, { decidedByViewer: false, now: NOW, rev: 1 })),
    ]),
    renderItemCard({ ...pimRole, action: 'selfExtend' }, options),
    renderSummaryCard(ALL_ITEMS, { max: 2, now: NOW }),
    renderSummaryCard([], { max: 2, now: NOW }),
    renderHistoryCard(HISTORY_ENTRIES, { viewerId: alex.id, page: 2, pages: 3, now: NOW }),
    renderHistoryCard([], { viewerId: alex.id, page: 1, pages: 1, now: NOW }),
    renderHelpCard({ scope: 'personal', commands: HELP_LINES }),
    renderHelpCard({ scope: 'channel', commands: HELP_LINES }),
    renderHelpCard({ scope: 'groupChat', commands: HELP_LINES }),
    ...(['offer', 'confirm', 'working', 'done'] as const).map((kind) =>
      renderReviewBulkCard(
        { target: accessReview.target, items: [accessReview, { ...accessReview, recommendation: 'Deny' }] },
        kind === 'confirm'
          ? { kind, choice: 'accept', justification: 'Quarterly check' }
          : kind === 'done'
            ? {
                kind,
                choice: 'approve',
                recorded: 1,
                problems: ['Adele Vance: already decided by someone else.'],
              }
            : { kind },
        { rev: 1, now: NOW },
      ),
    ),
    ...ALL_ITEMS.map((item) =>
      renderNoticeCard(
        {
          item,
          result: 'Denied',
          by: 'Megan Bowen',
          at: '2025-11-26T10:42:00Z',
          justification: 'Not needed',
        },
        { now: NOW },
      ),
    ),
  ];
}
