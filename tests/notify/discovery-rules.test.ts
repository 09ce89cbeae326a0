import { itemKey } from '../../src/domain';
import type { ItemState, UserGovernance } from '../../src/graph';
import type { AccessReviewPending, PendingItem } from '../../src/domain';
import type { Discovery as DiscoveryResult, DiscoveryProblem } from '../../src/graph';
import { silentLogger } from '../../src/log';
import { Discovery } from '../../src/notify';
import type { DiscoverySettings } from '../../src/notify';
import { MemoryStore, syntheticItem } from '../../src/store';
import type { OutboxEntry, StoredReference } from '../../src/store';

/** Discovery's rules with a scripted Graph and a clock: reminders, quiet hours, digests, failed reads. */

const HOUR = 3_600_000;
const APPROVER = '0b8f1c2d-3e4f-4a5b-8c6d-7e8f9a0b1c2d';
const T0 = Date.parse('2026-11-26T10:00:00Z');

function review(n: number, due: number): AccessReviewPending {
  const id = (stream: number) =>
    `${stream.toString(16).padStart(8, '0')}-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;
  return {
    kind: 'accessReview',
    target: {
      kind: 'accessReview',
      definitionId: id(11),
      instanceId: id(12),
      stageId: null,
      decisionId: id(13),
    },
    reviewName: `Review ${n}`,
    descriptionForReviewers: '',
    principal: { id: id(14), displayName: `Guest ${n}`, type: 'user' },
    resource: { id: null, displayName: 'Project Falcon', type: null },
    recommendation: null,
    lastSignInDateTime: null,
    dueDateTime: new Date(due).toISOString(),
    justificationRequired: false,
    defaultDecision: null,
    stageNumber: null,
    stageCount: null,
    earlierStages: [],
  };
}

/** What Graph answers this approver, changeable between cycles. */
interface Script {
  items: PendingItem[];
  problems: DiscoveryProblem[];
  states: Map<string, ItemState>;
}

function graphFor(script: Script): UserGovernance {
  const unused = async (): Promise<never> => {
    throw new Error('not used by discovery');
  };
  return {
    discoverPending: async (): Promise<DiscoveryResult> => ({
      items: script.items,
      problems: script.problems,
      graphRequests: 1,
    }),
    readState: async (target) => ({
      state: script.states.get(itemKey(target)) ?? { kind: 'unknown', status: null },
      requestId: null,
    }),
    decide: unused,
    updateReviewStage: unused,
    acceptRecommendations: unused,
    batchRecordDecisions: unused,
  };
}

const reference: StoredReference = {
  key: `user:${APPROVER}`,
  scope: 'personal',
  tenantId: 'tenant',
  userId: APPROVER,
  userMri: '29:approver',
  conversationId: 'a:chat',
  reference: { conversation: { id: 'a:chat' } },
  updatedAt: new Date(T0).toISOString(),
};

function setup(settings: Partial<DiscoverySettings> = {}) {
  const store = new MemoryStore();
  const script: Script = { items: [], problems: [], states: new Map() };
  let clock = T0;
  const discovery = new Discovery({
    store,
    access: { withGraph: (_ref, work) => work(graphFor(script)) },
    log: silentLogger,
    now: () => clock,
    settings: {
      digestThreshold: 10,
      reminderLeadMs: 24 * HOUR,
      digestHour: 9,
      timeZone: 'UTC',
      concurrency: 4,
      readTimeoutMs: 1000,
      ...settings,
    },
    enqueued: () => undefined,
  });
  const entries = async (): Promise<OutboxEntry[]> => {
    // Claiming far in the future reads every entry enqueued so far (and takes them out of the way).
    return [
      ...(await store.claimDue({ now: Number.MAX_SAFE_INTEGER, limit: 1000, owner: 'test', leaseMs: 1 })),
    ];
  };
  return {
    store,
    script,
    discovery,
    entries,
    at: (time: number) => {
      clock = time;
    },
    run: async () => {
      await store.saveReference(reference);
      return discovery.discoverAll();
    },
  };
}

describe('discovery rules', () => {
  it('reminds once, the lead time before a review ends, and not for a card that has just arrived', async () => {
    const t = setup();
    const soon = review(1, T0 + 48 * HOUR);
    t.script.items = [soon];
    await t.run();
    expect((await t.entries()).map((e) => e.kind)).toEqual(['send']);

    t.at(T0 + 30 * HOUR);
    const late = review(2, T0 + 40 * HOUR);
    t.script.items = [soon, late];
    await t.run();
    const reminders = await t.entries();
    expect(reminders.map((e) => [e.kind, e.itemKey])).toEqual([
      ['send', itemKey(late.target)],
      ['reminder', itemKey(soon.target)],
    ]);
    expect(reminders[1]?.payload.prompt).toMatch(/^Reminder: this ends 28 Nov, 10:00 UTC/);

    t.at(T0 + 31 * HOUR);
    await t.run();
    expect(await t.entries()).toEqual([]);
  });

  it('counts a card posted inside the reminder window (the install flow) as the reminder', async () => {
    const t = setup();
    const due = review(3, T0 + 10 * HOUR);
    const key = itemKey(due.target);
    await t.store.putItem(due, APPROVER);
    await t.store.setPendingFor(APPROVER, [key]);
    await t.store.addCopy({
      itemKey: key,
      conversationId: 'a:chat',
      activityId: '1',
      scope: 'personal',
      recipientId: APPROVER,
      reference: {},
      sentAt: new Date(T0 - HOUR).toISOString(),
    });
    t.script.items = [due];
    await t.run();
    expect(await t.entries()).toEqual([]);
    expect(await t.store.markReminded(key, APPROVER)).toBe(false);
  });

  it("holds new cards until the approver's quiet hours end", async () => {
    const t = setup();
    await t.store.setPreferences(APPROVER, {
      delivery: 'instant',
      quietHours: { start: '22:00', end: '07:00', timeZone: 'UTC' },
      requesterUpdates: true,
    });
    t.at(Date.parse('2026-11-26T23:15:00Z'));
    t.script.items = [syntheticItem(1)];
    await t.run();
    const [send] = await t.entries();
    expect(send).toMatchObject({ kind: 'send', notBefore: Date.parse('2026-11-27T07:00:00Z') });
  });

  it('gives an approver who chose "digest" one digest a day at the digest hour, whatever arrives that day', async () => {
    const t = setup();
    await t.store.setPreferences(APPROVER, { delivery: 'digest', quietHours: null, requesterUpdates: true });
    t.script.items = [syntheticItem(1)];
    await t.run();
    t.at(T0 + 2 * HOUR);
    t.script.items = [syntheticItem(1), syntheticItem(2)];
    await t.run();
    const entries = await t.entries();
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({
      kind: 'digest',
      notBefore: Date.parse('2026-11-27T09:00:00Z'),
      payload: { approverId: APPROVER, itemKeys: null },
    });
  });

  it('sends one digest for a flood, and not a second one when a cycle is repeated after a crash', async () => {
    const t = setup();
    t.script.items = Array.from({ length: 12 }, (_, n) => syntheticItem(n));
    await t.run();
    // The process died after enqueueing and before saving what is pending: the next cycle sees the same news.
    await t.store.setPendingFor(APPROVER, []);
    await t.run();
    const entries = await t.entries();
    expect(entries.map((e) => e.kind)).toEqual(['digest']);
    expect(entries[0]?.payload.itemKeys).toHaveLength(12);
  });

  it('does not call items vanished when a read failed, and reads a vanished item again when its state was unknown', async () => {
    const t = setup();
    const [a, b] = [syntheticItem(1), syntheticItem(2)];
    t.script.items = [a, b];
    await t.run();
    await t.entries();

    t.script.items = [a];
    t.script.problems = [
      {
        source: 'accessPackageRequests',
        failure: { kind: 'unavailable', view: 'caller', status: 503, requestId: null },
      },
    ] as unknown as DiscoveryProblem[];
    await t.run();
    expect(await t.store.pendingFor(APPROVER)).toEqual(
      expect.arrayContaining([itemKey(a.target), itemKey(b.target)]),
    );

    // Now b really vanished, but its state cannot be read: it stays pending, to be read next cycle.
    t.script.problems = [];
    const first = await t.run();
    expect(first).toMatchObject({ vanished: 1, finished: 0 });
    expect(await t.store.pendingFor(APPROVER)).toContain(itemKey(b.target));

    t.script.states.set(itemKey(b.target), {
      kind: 'decided',
      result: 'Approved',
      by: { id: 'someone', displayName: 'Megan Bowen' },
      at: new Date(T0).toISOString(),
      justification: '',
    });
    const second = await t.run();
    expect(second).toMatchObject({ vanished: 1, finished: 1 });
    expect((await t.store.getItem(itemKey(b.target)))?.final).toMatchObject({
      result: 'Approved',
      by: { displayName: 'Megan Bowen' },
    });
    expect(await t.store.pendingFor(APPROVER)).toEqual([itemKey(a.target)]);
  });
});
