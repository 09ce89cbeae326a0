import type { ItemCardOptions } from '../../src/cards';
import { renderItemCard } from '../../src/cards';
import type { PendingItem } from '../../src/domain';
import { accessPackage, accessReview, adele, ALL_ITEMS, megan, NOW, pimGroup, pimRole } from './fixtures';
import { button, buttons, inputs, must, verbs, visibleText } from './helpers';

const approver: ItemCardOptions = { canAct: true, refreshUserIds: ['29:alex'], rev: 3, now: NOW };

function render(item: PendingItem, options: Partial<ItemCardOptions> = {}) {
  return renderItemCard(item, { ...approver, ...options });
}

describe('an item card', () => {
  it('shows an access package request: requestor, package, justification, answers, duration, when and stage', () => {
    const text = visibleText(render(accessPackage));
    expect(text).toContain('Access package request');
    expect(text).toContain('Alex Wilber requests Marketing campaign tools');
    expect(text).toContain('Alex Wilber (AlexW@contoso.com)');
    expect(text).toContain('Access to the campaign planner, the brand asset library');
    expect(text).toContain('I am running the Q1 launch campaign and need the brand assets.');
    expect(text).toContain('Which campaign?\nQ1 launch');
    expect(text).toContain('Which regions?\nEMEA\nAPAC');
    expect(text).toContain('30 days');
    expect(text).toContain('Requested 10:00 (2 hours ago)');
    expect(text).toContain('Stage 1 of 2');
  });

  it('shows a requested end date instead of a duration when the request asks for one', () => {
    const item = {
      ...accessPackage,
      schedule: {
        startDateTime: null,
        duration: null,
        endDateTime: '2025-12-31T00:00:00Z',
        expirationType: 'afterDateTime',
      },
    };
    expect(visibleText(render(item))).toContain('until 31 Dec 00:00');
  });

  it('shows a PIM for Groups request: principal, group, membership, duration, justification and ticket', () => {
    const text = visibleText(render(pimGroup));
    expect(text).toContain('PIM for Groups request');
    expect(text).toContain('Alex Wilber requests Member of Finance Admins');
    expect(text).toContain('Membership: \nMember');
    expect(text).toContain('8 hours');
    expect(text).toContain('Month-end close');
    expect(text).toContain('ServiceNow INC0012345');
    expect(text).toContain('Activation');
  });

  it('says when a PIM request starts later than now', () => {
    const item = { ...pimGroup, schedule: { ...pimGroup.schedule, startDateTime: '2025-11-27T09:00:00Z' } };
    expect(visibleText(render(item))).toContain('8 hours from 27 Nov 09:00');
  });

  it('shows a PIM for Entra roles request with "Whole directory" for the tenant scope', () => {
    const text = visibleText(render(pimRole));
    expect(text).toContain('PIM for Entra roles request');
    expect(text).toContain('Alex Wilber requests Global Reader');
    expect(text).toContain('Scope: \nWhole directory');
    expect(text).toContain('4 hours');
    expect(text).toContain('Jira SEC-42');
    expect(visibleText(render({ ...pimRole, directoryScopeId: '/administrativeUnits/abc' }))).toContain(
      'Administrative unit abc',
    );
  });

  it('shows an access review item: who, resource, recommendation and why, review, due date, description, earlier stages', () => {
    const text = visibleText(render(accessReview));
    expect(text).toContain('Access review');
    expect(text).toContain("Review Alex Wilber's access to Sales team");
    expect(text).toContain('Person reviewed: \nAlex Wilber (AlexW@contoso.com)');
    expect(text).toContain('Sales team');
    expect(text).toContain('Deny: no sign-in in the last 30 days');
    expect(text).toContain('Q4 guest access review');
    expect(text).toContain('30 Nov 17:00 (in 4 days)');
    expect(text).toContain('Confirm that each guest still works with us.');
    expect(text).toContain('Stage 1: Approved by Megan Bowen');
    expect(text).toContain('Still on the project');
    expect(text).toContain('Stage 2 of 2');
    expect(text).toContain('access is removed');
  });

  it('calls an app under review an app', () => {
    const item = {
      ...accessReview,
      principal: { ...accessReview.principal, type: 'servicePrincipal' as const },
    };
    expect(visibleText(render(item))).toContain('App reviewed');
  });

  it.each([
    ['Approve', '2025-11-20T08:00:00Z', 'Approve: last signed in on 20 Nov'],
    ['Deny', null, 'Deny: no sign-in in the last 30 days'],
    ['Deny', '2025-08-03T08:00:00Z', 'last sign-in on 3 Aug'],
    ['NoInfoAvailable', null, 'No recommendation: no information'],
  ] as const)(
    'explains a %s recommendation (last sign-in %s)',
    (recommendation, lastSignInDateTime, words) => {
      expect(visibleText(render({ ...accessReview, recommendation, lastSignInDateTime }))).toContain(words);
    },
  );

  it('leaves out earlier stages and the stage line for a single-stage review', () => {
    const text = visibleText(
      render({ ...accessReview, earlierStages: [], stageNumber: null, stageCount: null }),
    );
    expect(text).not.toContain('Earlier stages');
    expect(text).not.toMatch(/Stage \d of/);
  });

  it.each(ALL_ITEMS.filter((i) => i.kind !== 'accessReview'))(
    'gives an approver of a $kind item Approve and Deny carrying the target and the card revision',
    (item) => {
      const card = render(item);
      expect(verbs(card)).toEqual(['approve', 'deny']);
      for (const verb of ['approve', 'deny']) {
        const action = must(button(card, verb));
        expect(action.type).toBe('Action.Execute');
        expect(action.data).toEqual({ verb, target: item.target, rev: 3 });
      }
    },
  );

  it("gives a reviewer Approve, Deny and Don't know, and no Reset before a decision is recorded", () => {
    const card = render(accessReview);
    expect(verbs(card)).toEqual(['approve', 'deny', 'dontKnow']);
    expect(must(button(card, 'dontKnow')).data).toEqual({
      verb: 'dontKnow',
      target: accessReview.target,
      rev: 3,
    });
  });

  it('offers Reset and shows the current decision once the reviewer has recorded one', () => {
    const card = render(accessReview, { recordedDecision: 'DontKnow' });
    expect(verbs(card)).toEqual(['approve', 'deny', 'dontKnow', 'reset']);
    expect(must(button(card, 'reset')).data).toEqual({ verb: 'reset', target: accessReview.target, rev: 3 });
    expect(visibleText(card)).toContain("Your current decision: Don't know");
    expect(verbs(render(accessReview, { recordedDecision: 'NotReviewed' }))).not.toContain('reset');
  });

  it.each(ALL_ITEMS)('links a $kind card an approver can act on to where it can also be decided', (item) => {
    const links = buttons(render(item)).filter((b) => b.type === 'Action.OpenUrl');
    expect(links.map((l) => l.url)).toEqual([
      item.kind === 'accessPackage'
        ? 'https://myaccess.microsoft.com/#/approvals'
        : item.kind === 'accessReview'
          ? 'https://myaccess.microsoft.com/#/access-reviews'
          : 'https://portal.azure.com/#view/Microsoft_Azure_PIMCommon/CommonMenuBlade/~/approvals',
    ]);
  });

  it.each(ALL_ITEMS)('shows an onlooker of a $kind item no buttons and no justification box', (item) => {
    const card = render(item, { canAct: false });
    expect(buttons(card)).toEqual([]);
    expect(inputs(card)).toEqual([]);
    expect(visibleText(card)).toMatch(/Only the (approvers|reviewers) of this .* can decide it/);
    expect(visibleText(card)).not.toContain("You're asked because");
  });

  it.each(ALL_ITEMS)('shows no buttons once a $kind item has expired, and says so', (item) => {
    const card = render(item, { context: { expiresAt: '2025-11-26T09:00:00Z' } });
    expect(buttons(card)).toEqual([]);
    expect(inputs(card)).toEqual([]);
    expect(visibleText(card)).toMatch(/(expired|ended) at 09:00\. Nothing more to do\./);
    expect(card.refresh?.userIds).toEqual([]);
  });

  it('treats an access review past its due date as ended', () => {
    const card = render({ ...accessReview, dueDateTime: '2025-11-20T17:00:00Z' });
    expect(buttons(card)).toEqual([]);
    expect(visibleText(card)).toContain('This access review ended on 20 Nov 17:00.');
  });

  it.each([
    ['the caller says the stage closed', { closed: true }, accessPackage],
    ['the stage reports Completed', {}, { ...pimGroup, stageStatus: 'Completed' }],
    ['the stage reports Expired', {}, { ...pimRole, stageStatus: 'expired' }],
  ] as const)('shows no buttons when %s, and says so', (_why, options, item) => {
    const card = render(item, options);
    expect(buttons(card)).toEqual([]);
    expect(visibleText(card)).toContain("This approval stage is closed, so it can't be decided any more.");
  });

  it.each(['adminExtend', 'adminRenew', 'selfExtend', 'SELFRENEW'])(
    'sends a PIM %s request to the Azure portal instead of offering Approve and Deny',
    (action) => {
      for (const item of [
        { ...pimGroup, action },
        { ...pimRole, action },
      ]) {
        const card = render(item);
        expect(verbs(card)).toEqual([]);
        expect(inputs(card)).toEqual([]);
        const link = must(buttons(card).find((b) => b.type === 'Action.OpenUrl'));
        expect(link.url).toBe(
          'https://portal.azure.com/#view/Microsoft_Azure_PIMCommon/CommonMenuBlade/~/approvals',
        );
        expect(visibleText(card)).toContain("Extensions and renewals can't be decided in Teams.");
      }
    },
  );

  it('offers a justification box that Teams merges into the action data as "justification"', () => {
    const input = must(inputs(render(accessPackage))[0]);
    expect(input).toMatchObject({
      type: 'Input.Text',
      id: 'justification',
      isMultiline: true,
      maxLength: 1000,
      isRequired: false,
    });
    expect(typeof input.placeholder).toBe('string');
    expect(input.label).toBe('Justification (needed to deny)');
  });

  it('requires a justification when the access review asks for one, and says so in the label', () => {
    const input = must(inputs(render({ ...accessReview, justificationRequired: true }))[0]);
    expect(input).toMatchObject({ isRequired: true, label: 'Justification (required)' });
    expect(typeof input.errorMessage).toBe('string');
  });

  it('requires a justification when the caller asks for one', () => {
    expect(must(inputs(render(pimRole, { justificationRequired: true }))[0])).toMatchObject({
      isRequired: true,
    });
  });

  it('shows the prompt as a highlighted line right above the justification box', () => {
    const card = render(accessPackage, { prompt: 'Please give a reason for denying' });
    const body = card.body as {
      type: string;
      inlines?: { text: string; color?: string; weight?: string }[];
    }[];
    const at = body.findIndex((e) => e.inlines?.[0]?.text === 'Please give a reason for denying');
    expect(at).toBeGreaterThan(0);
    expect(body[at]?.inlines?.[0]).toMatchObject({ color: 'Accent', weight: 'Bolder' });
    expect(body[at + 1]?.type).toBe('Input.Text');
    expect(
      visibleText(render(accessPackage, { prompt: 'Please give a reason', canAct: false })),
    ).not.toContain('Please give a reason');
  });

  it.each([
    [accessPackage, undefined, "You're asked because you're an approver for stage 1 of 2."],
    [pimGroup, undefined, "You're asked because you're an approver for this request."],
    [pimGroup, 'fallbackApprover', "You're asked because you're a fallback approver for this request."],
    [pimGroup, 'groupOwner', "You're asked because you're an owner of Finance Admins."],
    [accessPackage, 'manager', "You're asked because you're the manager of Alex Wilber."],
    [accessReview, undefined, "You're asked because you're a reviewer of this access review (stage 2 of 2)."],
    [
      accessReview,
      'fallbackReviewer',
      "You're asked because you're a fallback reviewer of this access review",
    ],
  ] as const)('says in plain words why the viewer is asked (%#)', (item, reason, words) => {
    expect(visibleText(render(item, reason ? { context: { reason } } : {}))).toContain(words);
  });

  it('says who else can decide and that the first approver to respond decides', () => {
    const text = visibleText(render(accessPackage, { context: { otherDeciders: [megan, adele] } }));
    expect(text).toContain('Others who can decide: Megan Bowen and Adele Vance');
    expect(text).toContain('The first approver to respond decides.');
    expect(visibleText(render(accessPackage))).not.toContain('The first approver to respond decides.');
    expect(visibleText(render(accessPackage, { context: { firstDecisionWins: true } }))).toContain(
      'The first approver to respond decides.',
    );
  });

  it('says when the item expires', () => {
    expect(visibleText(render(pimRole, { context: { expiresAt: '2025-11-27T12:00:00Z' } }))).toContain(
      'Expires 27 Nov 12:00 (in 1 day)',
    );
  });

  it('shows dates in the time zone it is given', () => {
    const text = visibleText(
      render(pimRole, { timeZone: 'Europe/Amsterdam', context: { expiresAt: '2025-11-26T15:00:00Z' } }),
    );
    expect(text).toContain('Expires 16:00');
    expect(text).toContain('Requested 12:30');
  });

  it('refreshes for the given users and at most the first 60', () => {
    const ids = Array.from({ length: 75 }, (_, i) => `29:user-${i}`);
    const card = render(pimGroup, { refreshUserIds: ids });
    expect(card.refresh?.userIds).toEqual(ids.slice(0, 60));
    expect(card.refresh?.action).toEqual({
      type: 'Action.Execute',
      verb: 'refresh',
      data: { verb: 'refresh', target: pimGroup.target, rev: 3 },
    });
  });

  it.each(ALL_ITEMS)(
    'uses only Action.Submit, with the verb in data, and no refresh when submitOnly is set ($kind)',
    (item) => {
      const card = render(item, { submitOnly: true, recordedDecision: 'Approve' });
      expect(JSON.stringify(card)).not.toContain('Action.Execute');
      expect(card.refresh).toBeUndefined();
      const submits = buttons(card).filter((b) => b.type === 'Action.Submit');
      expect(submits.length).toBeGreaterThanOrEqual(2);
      for (const b of submits)
        expect(b.data).toEqual({ verb: expect.any(String), target: item.target, rev: 3 });
    },
  );
});
