import { itemTitle, renderItemCard, renderOutcomeCard, renderSummaryCard } from '../../src/cards';
import type {
  AccessPackagePending,
  AccessReviewPending,
  PendingItem,
  PimGroupPending,
} from '../../src/domain';
import { accessPackage, accessReview, NOW, pimGroup } from './fixtures';
import { inputs, textRuns, visibleText, walk } from './helpers';

const LINK = '[click](https://evil.example)';
const MENTION = '<at>Megan</at>';
const TEMPLATE = '${evil}';
const ESCAPED_TEMPLATE = "${'$'}{evil}";
const ROOT = '${$root.rev} ${json($root)}';
const HOSTILE = `${LINK} ${MENTION} ${TEMPLATE} ${ESCAPED_TEMPLATE} ${ROOT} **bold** _it_`;

const hostilePerson = {
  id: null,
  displayName: `Mallory ${HOSTILE}`,
  userPrincipalName: `${MENTION}@contoso.com`,
};

const hostilePackage: AccessPackagePending = {
  ...accessPackage,
  requestor: hostilePerson,
  accessPackage: { id: null, displayName: `Pkg ${HOSTILE}`, description: `Desc ${HOSTILE}` },
  justification: `Why ${HOSTILE}\n- a list item\n# a heading\n\n> a quote`,
  answers: [{ question: `Q ${HOSTILE}`, answer: `A ${HOSTILE}` }],
};

const hostileGroup: PimGroupPending = {
  ...pimGroup,
  principal: hostilePerson,
  group: { id: pimGroup.group.id, displayName: `Group ${HOSTILE}` },
  justification: `Why ${HOSTILE}`,
  ticket: { system: `Sys ${HOSTILE}`, number: `No ${HOSTILE}` },
};

const hostileReview: AccessReviewPending = {
  ...accessReview,
  reviewName: `Review ${HOSTILE}`,
  descriptionForReviewers: `Desc ${HOSTILE}`,
  principal: { ...hostilePerson, type: 'user' },
  resource: { id: null, displayName: `Res ${HOSTILE}`, type: 'Group' },
  earlierStages: [
    { stageId: 'x', decision: 'Denied', reviewedBy: hostilePerson, justification: `Earlier ${HOSTILE}` },
  ],
};

const CARDS: readonly (readonly [string, PendingItem])[] = [
  ['access package', hostilePackage],
  ['PIM group', hostileGroup],
  ['access review', hostileReview],
];

function cardsFor(item: PendingItem) {
  return [
    renderItemCard(item, {
      canAct: true,
      refreshUserIds: [],
      rev: 1,
      now: NOW,
      context: { otherDeciders: [hostilePerson], reason: 'manager' },
    }),
    renderOutcomeCard(
      item,
      {
        kind: 'alreadyDecided',
        view: 'item',
        justification: null,
        result: 'Approved',
        by: hostilePerson,
        at: null,
        requestId: null,
      },
      { decidedByViewer: false, now: NOW, rev: 1 },
    ),
    renderOutcomeCard(
      item,
      {
        kind: 'invalid',
        view: 'caller',
        reachedGraph: true,
        problems: [`Problem ${HOSTILE}`],
        requestId: null,
      },
      { decidedByViewer: false, now: NOW, rev: 1 },
    ),
    renderOutcomeCard(
      item,
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
      { decidedByViewer: true, justification: `Mine ${HOSTILE}`, now: NOW, rev: 1 },
    ),
    renderSummaryCard([item], { max: 5, now: NOW }),
  ];
}

describe('text from requestors and Graph on a card', () => {
  it.each(CARDS)('shows a markdown link as literal text, never as a link (%s)', (_name, item) => {
    for (const card of cardsFor(item)) {
      expect(JSON.stringify(card)).not.toContain('](https://evil.example)');
      expect(visibleText(card)).toContain(LINK);
    }
  });

  it.each(CARDS)('neutralises <at> mentions (%s)', (_name, item) => {
    for (const card of cardsFor(item)) {
      expect(JSON.stringify(card).toLowerCase()).not.toMatch(/<\/?at>/);
      expect(visibleText(card)).toContain(MENTION);
    }
  });

  it.each(CARDS)('never evaluates templating expressions typed by a user (%s)', (_name, item) => {
    for (const card of cardsFor(item)) {
      const text = visibleText(card);
      expect(text).toContain(TEMPLATE);
      expect(text).toContain(ESCAPED_TEMPLATE);
      expect(text).toContain(ROOT);
      expect(text).not.toContain('"kindLabel"');
    }
  });

  it.each(CARDS)('puts user text only in TextRuns, where clients do no markdown (%s)', (_name, item) => {
    for (const card of cardsFor(item)) {
      for (const { node } of walk(card.body)) {
        if (node.type === 'TextRun') continue;
        for (const key of ['text', 'title', 'value', 'label', 'placeholder']) {
          const v = node[key];
          if (typeof v === 'string') expect(v).not.toContain('evil.example');
        }
      }
      expect(textRuns(card).some((t) => t.includes('evil.example'))).toBe(true);
    }
  });

  it('turns each line of a justification into its own text run, so newlines make no markdown structure', () => {
    const card = renderItemCard(hostilePackage, { canAct: true, refreshUserIds: [], rev: 1, now: NOW });
    const runs = textRuns(card);
    expect(runs.every((t) => !t.includes('\n'))).toBe(true);
    expect(runs).toEqual(expect.arrayContaining(['- a list item', '# a heading', '> a quote']));
  });

  it('strips bidi overrides and control characters from names', () => {
    const item = { ...pimGroup, principal: { id: null, displayName: 'Eve\u202Egnp.exe\u0007' } };
    expect(itemTitle(item)).toBe('Evegnp.exe requests Member of Finance Admins');
  });

  it("gives a retry the user's own words back unchanged, since they go to Graph", () => {
    const card = renderOutcomeCard(
      pimGroup,
      { kind: 'throttled', view: 'caller', retryAfterSeconds: 3, requestId: null },
      {
        decision: 'Deny',
        justification: `Mine ${HOSTILE}`,
        decidedByViewer: true,
        now: NOW,
        rev: 1,
      },
    );
    expect(inputs(card)[0]?.value).toBe(`Mine ${HOSTILE}`);
  });

  it('gives a one-line title with mentions and links neutralised', () => {
    const title = itemTitle({ ...pimGroup, principal: { id: null, displayName: `A\nB ${MENTION} ${LINK}` } });
    expect(title).not.toContain('\n');
    expect(title).not.toMatch(/<at>/);
    expect(title).not.toContain('](');
    expect(title.replace(/[\u200B\u2060]/g, '')).toBe(
      `A B ${MENTION} ${LINK} requests Member of Finance Admins`,
    );
  });
});
