import { itemKey } from '../../src/domain';
import type { AccessPackagePending, Outcome } from '../../src/domain';
import { DEFAULT_PREFERENCES, syntheticItem } from '../../src/store';
import type { FinalState } from '../../src/domain';
import type {
  AuditEntry,
  CardCopy,
  ChannelSubscription,
  NewOutboxEntry,
  Store,
  StoredReference,
  SubscriptionFilter,
} from '../../src/store';

/**
 * The behaviour every Store implementation owes the bot, written against the port only, so that the memory
 * store, SQLite and (issue 6) Azure Storage are held to the same words.
 */

export interface OpenedStore {
  readonly store: Store;
  /** Closes `store` and opens the same data again, as a restarted process would. */
  readonly reopen?: () => Promise<Store>;
  /** Another handle on the same data, as another process or instance would have; defaults to `store`. */
  readonly openSibling?: () => Promise<Store>;
  /** Closes every handle it opened and removes the data. */
  readonly cleanup: () => Promise<void>;
}

export interface ContractFeatures {
  /** False for stores that keep nothing across a restart (memory): the reopen tests are skipped. */
  readonly persistent: boolean;
}

const T0 = Date.parse('2026-11-26T09:00:00Z');
const LEASE = 30_000;
const ALEX = '6E7B768E-07E2-4810-8459-485F84F8F204';
const MEGAN = '0a8a4ae6-0d87-4d1a-a3d4-1c2ad5d7d2f1';

function item(n: number, title = `Access package ${n}`): AccessPackagePending {
  const base = syntheticItem(n);
  return { ...base, accessPackage: { ...base.accessPackage, displayName: title } };
}

function copy(key: string, conversationId: string, activityId: string): CardCopy {
  return {
    itemKey: key,
    conversationId,
    activityId,
    scope: 'personal',
    recipientId: ALEX.toLowerCase(),
    reference: { conversation: { id: conversationId }, serviceUrl: 'https://smba.trafficmanager.net/emea/' },
    sentAt: new Date(T0).toISOString(),
  };
}

function reference(
  key: string,
  scope: StoredReference['scope'],
  conversationId = `a:${key}`,
): StoredReference {
  return {
    key,
    scope,
    tenantId: 'b6a8c2f0-0000-4000-8000-000000000001',
    userId: scope === 'personal' ? key.slice('user:'.length) : null,
    userMri: scope === 'personal' ? `29:${key}` : null,
    conversationId,
    reference: { conversation: { id: conversationId, conversationType: scope }, channelId: 'msteams' },
    updatedAt: new Date(T0).toISOString(),
  };
}

function audit(userId: string, n: number): AuditEntry {
  return {
    at: new Date(T0 + n * 1000).toISOString(),
    userId,
    userName: 'Alex Wilber',
    itemKey: itemKey(item(n).target),
    kind: 'accessPackage',
    title: `Entry ${n}`,
    decision: 'Approve',
    outcome: 'recorded',
    requestId: `request-${n}`,
    justificationLength: n,
  };
}

function send(n: number, overrides: Partial<NewOutboxEntry> = {}): NewOutboxEntry {
  return {
    kind: 'send',
    conversationKey: `user:${ALEX.toLowerCase()}`,
    itemKey: itemKey(item(n).target),
    payload: {
      card: { type: 'AdaptiveCard', body: [{ type: 'TextBlock', text: `Card ${n} — “quoted” ✓` }] },
    },
    dedupeKey: `send:${n}`,
    notBefore: T0,
    ...overrides,
  };
}

function subscription(
  conversationId: string,
  filter: SubscriptionFilter,
  createdBy = ALEX,
): ChannelSubscription {
  return {
    conversationId,
    teamId: '19:team@thread.tacv2',
    channelName: 'IAM approvals',
    reference: { conversation: { id: conversationId, conversationType: 'channel' } },
    filter,
    createdBy,
    createdAt: new Date(T0).toISOString(),
  };
}

const recorded = {
  kind: 'recorded',
  view: 'item',
  justification: '',
  at: null,
  by: null,
  decision: 'Approve',
  reconciled: false,
  requestId: 'req-1',
} as const;
const reconciled: Outcome = { ...recorded, reconciled: true };

export function describeStoreContract(
  name: string,
  open: () => Promise<OpenedStore>,
  features: ContractFeatures = { persistent: true },
): void {
  describe(`${name} (store contract)`, () => {
    let opened: OpenedStore;
    let store: Store;

    beforeEach(async () => {
      opened = await open();
      store = opened.store;
    });

    afterEach(async () => {
      await opened.cleanup();
    });

    const persistent = features.persistent ? it : it.skip;

    async function reopen(): Promise<Store> {
      if (!opened.reopen) throw new Error(`${name} says it is persistent but gives no reopen()`);
      store = await opened.reopen();
      return store;
    }

    describe('items', () => {
      it('keeps an item with its approvers (lower case) and answers null for an unknown key', async () => {
        const stored = await store.putItem(item(1), ALEX);
        expect(stored.key).toBe(itemKey(item(1).target));
        expect(stored.approverIds).toEqual([ALEX.toLowerCase()]);
        expect(stored.final).toBeNull();
        const read = await store.getItem(stored.key);
        expect(read?.item).toEqual(item(1));
        expect(read?.approverIds).toEqual([ALEX.toLowerCase()]);
        expect(await store.getItem('accessPackage:unknown:unknown')).toBeNull();
      });

      it('merges approvers across sightings, once each whatever the case, and takes the fresh item', async () => {
        await store.putItem(item(1), ALEX);
        await store.putItem(item(1), MEGAN);
        await store.putItem(item(1), ALEX.toLowerCase());
        const last = await store.putItem(item(1, 'Renamed package'), null);
        expect(last.approverIds).toEqual([ALEX.toLowerCase(), MEGAN]);
        const read = await store.getItem(last.key);
        expect(read?.approverIds).toEqual([ALEX.toLowerCase(), MEGAN]);
        expect(read?.item.kind === 'accessPackage' && read.item.accessPackage.displayName).toBe(
          'Renamed package',
        );
      });

      it('puts many sightings at once with the same merging as putItem', async () => {
        await store.putItems([
          { item: item(1), approverId: ALEX },
          { item: item(2), approverId: ALEX },
          { item: item(1), approverId: MEGAN },
          { item: item(3), approverId: null },
        ]);
        await store.putItems([]);
        expect((await store.getItem(itemKey(item(1).target)))?.approverIds).toEqual([
          ALEX.toLowerCase(),
          MEGAN,
        ]);
        expect((await store.getItem(itemKey(item(2).target)))?.approverIds).toEqual([ALEX.toLowerCase()]);
        expect((await store.getItem(itemKey(item(3).target)))?.approverIds).toEqual([]);
        expect((await store.size()).items).toBe(3);
      });

      it('keeps the first final state, lets "gone" give way to a known result, and keeps it on a new sighting', async () => {
        const key = (await store.putItem(item(1), ALEX)).key;
        expect(
          await store.finishItem('accessPackage:unknown:unknown', {
            result: 'gone',
            by: null,
            at: null,
            justification: null,
            changeable: false,
          }),
        ).toBe(false);
        expect(
          await store.finishItem(key, {
            result: 'gone',
            by: null,
            at: null,
            justification: null,
            changeable: false,
          }),
        ).toBe(true);
        const approved: FinalState = {
          result: 'Approved',
          by: { id: MEGAN, displayName: 'Megan Bowen' },
          at: '2026-11-26T10:42:00Z',
          justification: 'Fine by me',
          changeable: false,
        };
        expect(await store.finishItem(key, approved)).toBe(true);
        expect(
          await store.finishItem(key, {
            result: 'Denied',
            by: null,
            at: null,
            justification: null,
            changeable: false,
          }),
        ).toBe(false);
        expect(
          await store.finishItem(key, {
            result: 'gone',
            by: null,
            at: null,
            justification: null,
            changeable: false,
          }),
        ).toBe(false);
        await store.putItem(item(1), MEGAN);
        const read = await store.getItem(key);
        expect(read?.final).toEqual(approved);
        expect(read?.approverIds).toEqual([ALEX.toLowerCase(), MEGAN]);
      });
    });

    describe('card copies', () => {
      it('records each copy once, in the order sent, per item', async () => {
        const a = itemKey(item(1).target);
        const b = itemKey(item(2).target);
        await store.addCopy(copy(a, 'a:alex', '1:1'));
        await store.addCopy(copy(a, '19:channel@thread.tacv2', '1:2'));
        await store.addCopy(copy(a, 'a:alex', '1:1'));
        await store.addCopy(copy(a, 'a:alex', '1:3'));
        await store.addCopy(copy(b, 'a:alex', '1:1'));
        expect((await store.copiesOf(a)).map((c) => `${c.conversationId}/${c.activityId}`)).toEqual([
          'a:alex/1:1',
          '19:channel@thread.tacv2/1:2',
          'a:alex/1:3',
        ]);
        expect(await store.copiesOf(b)).toEqual([copy(b, 'a:alex', '1:1')]);
        expect(await store.copiesOf('accessPackage:none:none')).toEqual([]);
        expect((await store.size()).copies).toBe(4);
      });

      it("lists the ended items that had a card in a user's chat, whoever ended them, the latest first", async () => {
        const keys = [1, 2, 3, 4, 5].map((n) => itemKey(item(n).target));
        const [k1, k2, k3, k4, k5] = keys as [string, string, string, string, string];
        for (const n of [1, 2, 3, 4, 5]) await store.putItem(item(n), ALEX);
        await store.addCopy(copy(k1, 'a:alex', '1:1'));
        await store.addCopy(copy(k2, 'a:alex', '1:2'));
        await store.addCopy(copy(k2, '19:channel@thread.tacv2', '1:3'));
        // In a channel only, in Megan's chat only, and still open: none of them is Alex's.
        await store.addCopy({
          ...copy(k3, '19:channel@thread.tacv2', '1:4'),
          scope: 'channel',
          recipientId: null,
        });
        await store.addCopy({ ...copy(k4, 'a:megan', '1:5'), recipientId: MEGAN.toUpperCase() });
        await store.addCopy(copy(k5, 'a:alex', '1:6'));
        const byMegan: FinalState = {
          result: 'Denied',
          by: { id: MEGAN, displayName: 'Megan Bowen' },
          at: '2026-11-26T10:42:00Z',
          justification: 'Not needed',
          changeable: false,
        };
        const pause = () => new Promise((resolve) => setTimeout(resolve, 5));
        for (const key of [k2, k3, k4, k1]) {
          await store.finishItem(key, byMegan);
          await pause();
        }
        const alex = await store.finishedShownTo(ALEX.toUpperCase(), 10);
        expect(alex.map((s) => s.key)).toEqual([k1, k2]);
        expect(alex[0]).toEqual(await store.getItem(k1));
        expect(alex[0]?.final).toEqual(byMegan);
        expect((await store.finishedShownTo(ALEX, 1)).map((s) => s.key)).toEqual([k1]);
        expect((await store.finishedShownTo(MEGAN.toLowerCase(), 10)).map((s) => s.key)).toEqual([k4]);
        expect(await store.finishedShownTo(ALEX, 0)).toEqual([]);
        expect(await store.finishedShownTo('00000000-0000-0000-0000-000000000000', 10)).toEqual([]);

        // Forgotten with their copies, they are listed no more.
        await store.forgetBefore(Date.now() + 60_000);
        expect(await store.finishedShownTo(ALEX, 10)).toEqual([]);
        await store.finishItem(k5, byMegan);
        expect((await store.finishedShownTo(ALEX, 10)).map((s) => s.key)).toEqual([k5]);
      });
    });

    describe('conversation references', () => {
      it('saves, replaces and removes a reference', async () => {
        const key = `user:${ALEX.toLowerCase()}`;
        await store.saveReference(reference(key, 'personal', 'a:first'));
        await store.saveReference(reference(key, 'personal', 'a:second'));
        expect(await store.getReference(key)).toEqual(reference(key, 'personal', 'a:second'));
        await store.removeReference(key);
        expect(await store.getReference(key)).toBeNull();
        await store.removeReference(key);
      });

      it('lists references by scope, in key order, a page at a time', async () => {
        for (const n of [5, 1, 4, 2, 3]) await store.saveReference(reference(`user:${n}`, 'personal'));
        await store.saveReference(reference('channel:19:x@thread.tacv2', 'channel'));
        await store.saveReference(reference('channel:19:y@thread.v2', 'groupChat'));
        const personal = await store.listReferences({ scope: 'personal' });
        expect(personal.map((r) => r.key)).toEqual(['user:1', 'user:2', 'user:3', 'user:4', 'user:5']);
        expect((await store.listReferences()).length).toBe(7);
        const first = await store.listReferences({ scope: 'personal', limit: 2 });
        expect(first.map((r) => r.key)).toEqual(['user:1', 'user:2']);
        const next = await store.listReferences({ scope: 'personal', limit: 2, afterKey: 'user:2' });
        expect(next.map((r) => r.key)).toEqual(['user:3', 'user:4']);
        const last = await store.listReferences({ scope: 'personal', limit: 2, afterKey: 'user:4' });
        expect(last.map((r) => r.key)).toEqual(['user:5']);
        expect((await store.listReferences({ scope: 'channel' })).map((r) => r.key)).toEqual([
          'channel:19:x@thread.tacv2',
        ]);
      });
    });

    describe('audit', () => {
      it("lists a user's newest entries first, up to the limit, whatever the case of the id", async () => {
        for (let n = 1; n <= 5; n++) await store.appendAudit(audit(n % 2 === 0 ? MEGAN : ALEX, n));
        const alex = await store.auditFor(ALEX.toLowerCase(), 10);
        expect(alex.map((e) => e.title)).toEqual(['Entry 5', 'Entry 3', 'Entry 1']);
        expect(alex[0]).toEqual(audit(ALEX, 5));
        expect((await store.auditFor(ALEX, 2)).map((e) => e.title)).toEqual(['Entry 5', 'Entry 3']);
        expect((await store.auditFor(MEGAN.toUpperCase(), 1)).map((e) => e.title)).toEqual(['Entry 4']);
        expect(await store.auditFor(ALEX, 0)).toEqual([]);
        expect(await store.auditFor('00000000-0000-0000-0000-000000000000', 5)).toEqual([]);
      });
    });

    describe('outbox', () => {
      it('enqueues new entries as pending and returns them', async () => {
        const added = await store.enqueue([
          send(1),
          send(2, { kind: 'update', itemKey: null, notBefore: T0 + 5 }),
        ]);
        expect(added).toHaveLength(2);
        const [first, second] = added;
        expect(first).toMatchObject({
          ...send(1),
          state: 'pending',
          attempts: 0,
          claimOwner: null,
          claimExpiresAt: null,
          lastError: null,
          activityId: null,
        });
        expect(typeof first?.id).toBe('string');
        expect(first?.id).not.toBe(second?.id);
        expect(second).toMatchObject({ kind: 'update', itemKey: null, notBefore: T0 + 5 });
        expect(typeof first?.createdAt).toBe('number');
        expect(await store.getOutboxEntry(first?.id ?? '')).toEqual(first);
        expect(await store.getOutboxEntry('no-such-entry')).toBeNull();
        expect(await store.outboxCounts()).toEqual({ pending: 2, inflight: 0, done: 0, dead: 0 });
      });

      it('never enqueues the same dedupe key twice, within a batch or across batches', async () => {
        const [original] = await store.enqueue([send(1)]);
        const again = await store.enqueue([
          send(1, { payload: { other: true } }),
          send(2),
          send(2, { payload: { other: true } }),
        ]);
        expect(again.map((e) => e.dedupeKey)).toEqual(['send:2']);
        expect(again[0]?.payload).toEqual(send(2).payload);
        expect((await store.getOutboxEntry(original?.id ?? ''))?.payload).toEqual(send(1).payload);
        expect(await store.enqueue([])).toEqual([]);
        expect((await store.outboxCounts()).pending).toBe(2);
        expect((await store.size()).outbox).toBe(2);
      });

      it('claims due entries only, earliest first, up to the limit, leased to the owner', async () => {
        await store.enqueue([
          send(1, { notBefore: T0 + 2000 }),
          send(2, { notBefore: T0 }),
          send(3, { notBefore: T0 + 60_000 }),
          send(4, { notBefore: T0 + 1000 }),
        ]);
        const claimed = await store.claimDue({ now: T0 + 2000, limit: 2, owner: 'a', leaseMs: LEASE });
        expect(claimed.map((e) => e.dedupeKey)).toEqual(['send:2', 'send:4']);
        for (const e of claimed) {
          expect(e).toMatchObject({
            state: 'inflight',
            attempts: 1,
            claimOwner: 'a',
            claimExpiresAt: T0 + 2000 + LEASE,
          });
        }
        const rest = await store.claimDue({ now: T0 + 2000, limit: 10, owner: 'b', leaseMs: LEASE });
        expect(rest.map((e) => e.dedupeKey)).toEqual(['send:1']);
        expect(await store.claimDue({ now: T0 + 2000, limit: 10, owner: 'c', leaseMs: LEASE })).toEqual([]);
        expect(await store.claimDue({ now: T0 + 60_000, limit: 0, owner: 'c', leaseMs: LEASE })).toEqual([]);
        expect(await store.outboxCounts()).toEqual({ pending: 1, inflight: 3, done: 0, dead: 0 });
      });

      it('never gives the same entry to two owners claiming at the same time', async () => {
        const sibling = opened.openSibling ? await opened.openSibling() : store;
        const total = 240;
        await store.enqueue(Array.from({ length: total }, (_, n) => send(n)));
        const claims: Promise<readonly { id: string; claimOwner: string | null }[]>[] = [];
        for (let round = 0; round < 30; round++) {
          claims.push(store.claimDue({ now: T0, limit: 7, owner: 'a', leaseMs: LEASE }));
          claims.push(sibling.claimDue({ now: T0, limit: 7, owner: 'b', leaseMs: LEASE }));
        }
        const results = (await Promise.all(claims)).flat();
        const ids = results.map((e) => e.id);
        expect(new Set(ids).size).toBe(ids.length);
        // Drain what the concurrent rounds left, so that every entry is accounted for exactly once.
        const drained = await store.claimDue({ now: T0, limit: total, owner: 'a', leaseMs: LEASE });
        const all = [...ids, ...drained.map((e) => e.id)];
        expect(all).toHaveLength(total);
        expect(new Set(all).size).toBe(total);
        for (const e of results) {
          expect((await store.getOutboxEntry(e.id))?.claimOwner).toBe(e.claimOwner);
        }
      });

      it('lets another owner take an entry whose lease expired; the stale owner can then settle nothing', async () => {
        const [entry] = await store.enqueue([send(1)]);
        const id = entry?.id ?? '';
        await store.claimDue({ now: T0, limit: 1, owner: 'a', leaseMs: LEASE });
        expect(await store.claimDue({ now: T0 + LEASE - 1, limit: 5, owner: 'b', leaseMs: LEASE })).toEqual(
          [],
        );
        const [taken] = await store.claimDue({ now: T0 + LEASE, limit: 5, owner: 'b', leaseMs: LEASE });
        expect(taken).toMatchObject({ id, claimOwner: 'b', attempts: 2, claimExpiresAt: T0 + 2 * LEASE });
        const later = T0 + LEASE + 1;
        expect(await store.completeOutbox(id, 'a', { activityId: '1:a', now: later })).toBe(false);
        expect(await store.retryOutbox(id, 'a', { notBefore: later, error: 'late', now: later })).toBe(false);
        expect(await store.failOutbox(id, 'a', { error: 'late', now: later })).toBe(false);
        expect(await store.getOutboxEntry(id)).toMatchObject({
          state: 'inflight',
          claimOwner: 'b',
          lastError: null,
        });
        expect(await store.completeOutbox(id, 'b', { activityId: '1:b', now: later })).toBe(true);
        expect(await store.getOutboxEntry(id)).toMatchObject({ state: 'done', activityId: '1:b' });
      });

      it('refuses to settle an entry once its lease has run out, even if nobody took it over', async () => {
        const [entry] = await store.enqueue([send(1)]);
        const id = entry?.id ?? '';
        await store.claimDue({ now: T0, limit: 1, owner: 'a', leaseMs: LEASE });
        expect(await store.completeOutbox(id, 'b', { activityId: '1:b', now: T0 + 1 })).toBe(false);
        expect(await store.completeOutbox(id, 'a', { activityId: '1:a', now: T0 + LEASE })).toBe(false);
        expect(await store.retryOutbox(id, 'a', { notBefore: T0, error: 'x', now: T0 + LEASE })).toBe(false);
        expect(await store.failOutbox(id, 'a', { error: 'x', now: T0 + LEASE + 5 })).toBe(false);
        expect((await store.getOutboxEntry(id))?.state).toBe('inflight');
        expect(await store.completeOutbox('no-such-entry', 'a', { activityId: null, now: T0 })).toBe(false);
      });

      it('completes an entry once, keeps its result, and does not take the same send again', async () => {
        const [entry] = await store.enqueue([send(1)]);
        const id = entry?.id ?? '';
        await store.claimDue({ now: T0, limit: 1, owner: 'a', leaseMs: LEASE });
        expect(await store.completeOutbox(id, 'a', { activityId: '1:1710000000000', now: T0 + 10 })).toBe(
          true,
        );
        expect(await store.completeOutbox(id, 'a', { activityId: '1:again', now: T0 + 11 })).toBe(false);
        expect(await store.getOutboxEntry(id)).toMatchObject({
          state: 'done',
          activityId: '1:1710000000000',
          claimOwner: null,
          claimExpiresAt: null,
          dedupeKey: 'send:1',
          attempts: 1,
        });
        expect(await store.claimDue({ now: T0 + 10 * LEASE, limit: 5, owner: 'b', leaseMs: LEASE })).toEqual(
          [],
        );
        expect(await store.enqueue([send(1)])).toEqual([]);
        expect(await store.outboxCounts()).toEqual({ pending: 0, inflight: 0, done: 1, dead: 0 });
      });

      it('puts a retried entry back until its notBefore, with the error, and counts the next attempt', async () => {
        const [entry] = await store.enqueue([send(1)]);
        const id = entry?.id ?? '';
        await store.claimDue({ now: T0, limit: 1, owner: 'a', leaseMs: LEASE });
        const retryAt = T0 + 5000;
        expect(
          await store.retryOutbox(id, 'a', { notBefore: retryAt, error: '429 Retry-After 5', now: T0 + 1 }),
        ).toBe(true);
        expect(await store.getOutboxEntry(id)).toMatchObject({
          state: 'pending',
          notBefore: retryAt,
          lastError: '429 Retry-After 5',
          claimOwner: null,
          claimExpiresAt: null,
          payload: send(1).payload,
        });
        expect(await store.claimDue({ now: retryAt - 1, limit: 5, owner: 'b', leaseMs: LEASE })).toEqual([]);
        const [again] = await store.claimDue({ now: retryAt, limit: 5, owner: 'b', leaseMs: LEASE });
        expect(again).toMatchObject({ id, attempts: 2, claimOwner: 'b' });
        expect(await store.completeOutbox(id, 'a', { activityId: '1:a', now: retryAt })).toBe(false);
      });

      it('dead-letters a failed entry for good', async () => {
        const [entry] = await store.enqueue([send(1), send(2)]);
        const id = entry?.id ?? '';
        await store.claimDue({ now: T0, limit: 1, owner: 'a', leaseMs: LEASE });
        expect(await store.failOutbox(id, 'a', { error: 'ConversationNotFound twice', now: T0 + 1 })).toBe(
          true,
        );
        expect(await store.getOutboxEntry(id)).toMatchObject({
          state: 'dead',
          lastError: 'ConversationNotFound twice',
          claimOwner: null,
        });
        const later = await store.claimDue({ now: T0 + 100 * LEASE, limit: 10, owner: 'b', leaseMs: LEASE });
        expect(later.map((e) => e.dedupeKey)).toEqual(['send:2']);
        expect(await store.enqueue([send(1)])).toEqual([]);
        expect(await store.outboxCounts()).toEqual({ pending: 0, inflight: 1, done: 0, dead: 1 });
      });

      it('refuses a claim without an owner, with a negative limit or without a lease', async () => {
        await store.enqueue([send(1)]);
        const claim = { now: T0, limit: 1, owner: 'a', leaseMs: LEASE };
        await expect(store.claimDue({ ...claim, owner: '' })).rejects.toThrow();
        await expect(store.claimDue({ ...claim, limit: -1 })).rejects.toThrow();
        await expect(store.claimDue({ ...claim, leaseMs: 0 })).rejects.toThrow();
        expect((await store.outboxCounts()).pending).toBe(1);
      });

      it('takes abandoned claims before fresh work', async () => {
        await store.enqueue([send(1)]);
        await store.claimDue({ now: T0, limit: 1, owner: 'crashed', leaseMs: LEASE });
        await store.enqueue([send(2, { notBefore: T0 + 10 })]);
        const claimed = await store.claimDue({ now: T0 + LEASE, limit: 1, owner: 'b', leaseMs: LEASE });
        expect(claimed.map((e) => e.dedupeKey)).toEqual(['send:1']);
      });
    });

    describe('channel subscriptions', () => {
      const channel = '19:iam@thread.tacv2';
      const other = '19:other@thread.tacv2';
      const marketing: SubscriptionFilter = {
        kind: 'accessPackage',
        id: 'B1C2D3E4-F5A6-4B7C-8D9E-0F1A2B3C4D5E',
        displayName: 'Marketing campaign tools',
      };
      const admins: SubscriptionFilter = {
        kind: 'role',
        id: '62e90394-69f5-4237-9190-012177145e10',
        displayName: 'Global Administrator',
      };

      it('adds a subscription once per channel and filter, refreshing its names on a repeat', async () => {
        expect(await store.addSubscription(subscription(channel, marketing))).toBe(true);
        expect(await store.addSubscription(subscription(channel, admins))).toBe(true);
        const renamed = { ...marketing, id: marketing.id.toLowerCase(), displayName: 'Marketing tools' };
        expect(
          await store.addSubscription({ ...subscription(channel, renamed, MEGAN), channelName: 'IAM' }),
        ).toBe(false);
        const list = await store.subscriptionsOf(channel);
        expect(list.map((s) => s.filter.kind)).toEqual(['accessPackage', 'role']);
        expect(list[0]).toMatchObject({ channelName: 'IAM', createdBy: ALEX });
        expect(list[0]?.filter.displayName).toBe('Marketing tools');
        expect(await store.subscriptionsOf(other)).toEqual([]);
      });

      it('removes a subscription, and says when there was none', async () => {
        await store.addSubscription(subscription(channel, marketing));
        await store.addSubscription(subscription(channel, admins));
        expect(
          await store.removeSubscription(channel, { kind: 'accessPackage', id: marketing.id.toLowerCase() }),
        ).toBe(true);
        expect(await store.removeSubscription(channel, marketing)).toBe(false);
        expect(await store.removeSubscription(other, admins)).toBe(false);
        expect((await store.subscriptionsOf(channel)).map((s) => s.filter.kind)).toEqual(['role']);
        expect(await store.addSubscription(subscription(channel, marketing))).toBe(true);
      });

      it('finds every channel following anything an item is about, once each', async () => {
        await store.addSubscription(subscription(channel, marketing));
        await store.addSubscription(subscription(other, marketing));
        await store.addSubscription(subscription(other, admins));
        await store.addSubscription(
          subscription(channel, { kind: 'group', id: marketing.id, displayName: 'Same id' }),
        );
        const matches = await store.subscriptionsMatching([
          { kind: 'accessPackage', id: marketing.id.toLowerCase() },
          { kind: 'accessPackage', id: marketing.id },
          { kind: 'catalog', id: 'f0000000-0000-4000-8000-000000000000' },
        ]);
        expect(matches.map((s) => `${s.conversationId} ${s.filter.kind}`)).toEqual([
          `${channel} accessPackage`,
          `${other} accessPackage`,
        ]);
        expect(await store.subscriptionsMatching([])).toEqual([]);
        expect((await store.subscriptionsMatching([admins])).map((s) => s.conversationId)).toEqual([other]);
      });
    });

    describe('decision dedupe', () => {
      it('recalls a decision until it expires, and forgets expired ones', async () => {
        await store.rememberDecision('k1', recorded, T0 + 1000);
        await store.rememberDecision(
          'k2',
          { kind: 'notFound', view: 'caller', message: 'gone', requestId: null },
          T0 + 10,
        );
        expect(await store.recalledDecision('k1', T0 + 999)).toEqual(recorded);
        expect(await store.recalledDecision('k1', T0 + 1000)).toBeNull();
        expect(await store.recalledDecision('unknown', T0)).toBeNull();
        await store.rememberDecision('k1', reconciled, T0 + 5000);
        expect(await store.recalledDecision('k1', T0 + 2000)).toEqual(reconciled);
        expect(await store.forgetExpiredDecisions(T0 + 100)).toBe(1);
        expect(await store.recalledDecision('k1', T0 + 100)).toEqual(reconciled);
        expect(await store.forgetExpiredDecisions(T0 + 100)).toBe(0);
      });
    });

    describe('retention', () => {
      const FINAL = {
        result: 'Approved' as const,
        by: { id: ALEX, displayName: 'Alex Wilber' },
        at: null,
        justification: null,
        changeable: false,
      };

      it('says when the oldest entry still waiting was enqueued, and null when none waits', async () => {
        expect(await store.oldestWaiting()).toBeNull();
        const [first] = await store.enqueue([send(1)]);
        await store.enqueue([send(2)]);
        expect(await store.oldestWaiting()).toBe(first?.createdAt);
        await store.claimDue({ now: T0, limit: 1, owner: 'o', leaseMs: LEASE });
        // In flight still waits to be delivered.
        expect(await store.oldestWaiting()).toBe(first?.createdAt);
        await store.completeOutbox(first?.id ?? '', 'o', { activityId: '1:a', now: T0 + 1 });
        const rest = await store.oldestWaiting();
        expect(rest).not.toBeNull();
        expect(rest).toBeGreaterThanOrEqual(first?.createdAt ?? 0);
      });

      it('forgets what ended before the cutoff, and nothing open, pending or in flight', async () => {
        const [open, decided, alsoDecided] = [item(1), item(2), item(3)];
        for (const i of [open, decided, alsoDecided]) await store.putItem(i, ALEX);
        const [keyOpen, keyDecided, keyAlso] = [open, decided, alsoDecided].map((i) => itemKey(i.target)) as [
          string,
          string,
          string,
        ];
        await store.finishItem(keyDecided, FINAL);
        await store.finishItem(keyAlso, FINAL);
        await store.addCopy(copy(keyAlso, 'a:1', '1:a'));
        await store.addCopy(copy(keyOpen, 'a:1', '1:b'));
        expect(await store.markReminded(keyAlso, ALEX)).toBe(true);
        await store.appendAudit(audit(ALEX, 1));

        // Settled entries for a decided item, for the open one, and for no item; one pending, one in flight.
        const settle = async (entries: NewOutboxEntry[]) => {
          const added = await store.enqueue(entries);
          await store.claimDue({ now: T0, limit: 10, owner: 'o', leaseMs: LEASE });
          for (const e of added)
            await store.completeOutbox(e.id, 'o', { activityId: `x:${e.id}`, now: T0 + 1 });
          return added;
        };
        await settle([
          send(2, { itemKey: keyDecided }),
          send(1, { itemKey: keyOpen }),
          send(9, { itemKey: null, dedupeKey: 'digest:9' }),
        ]);
        const [inflight] = await store.enqueue([send(11, { itemKey: keyDecided, dedupeKey: 'send:11' })]);
        await store.claimDue({ now: T0 + 2, limit: 1, owner: 'o', leaseMs: LEASE });
        const [pending] = await store.enqueue([
          send(12, { itemKey: keyDecided, dedupeKey: 'send:12', notBefore: T0 + 10 * LEASE }),
        ]);

        // A cutoff before everything forgets nothing.
        expect(await store.forgetBefore(T0 - 1)).toEqual({ items: 0, outbox: 0, audit: 0 });

        const forgotten = await store.forgetBefore(Date.now() + 60_000);
        expect(forgotten).toEqual({ items: 2, outbox: 2, audit: 1 });
        expect(await store.getItem(keyOpen)).not.toBeNull();
        expect(await store.getItem(keyDecided)).toBeNull();
        expect(await store.getItem(keyAlso)).toBeNull();
        expect(await store.copiesOf(keyAlso)).toEqual([]);
        expect(await store.copiesOf(keyOpen)).toHaveLength(1);
        expect(await store.auditFor(ALEX, 10)).toEqual([]);
        expect(await store.getOutboxEntry(inflight?.id ?? '')).toMatchObject({ state: 'inflight' });
        expect(await store.getOutboxEntry(pending?.id ?? '')).toMatchObject({ state: 'pending' });
        // The open item's delivered card keeps its entry (and so its dedupe key): it is not sent twice.
        expect(await store.enqueue([send(1, { itemKey: keyOpen })])).toEqual([]);
        // A forgotten entry's dedupe key went with it.
        expect(await store.enqueue([send(9, { itemKey: null, dedupeKey: 'digest:9' })])).toHaveLength(1);
        expect(await store.outboxCounts()).toMatchObject({ pending: 2, inflight: 1, done: 1 });
        // A reminder mark of a forgotten item went too.
        expect(await store.markReminded(keyAlso, ALEX)).toBe(true);
      });
    });

    describe('discovery bookkeeping', () => {
      it('replaces what an approver has pending and says what is new and what vanished', async () => {
        expect(await store.pendingFor(ALEX)).toEqual([]);
        expect(await store.setPendingFor(ALEX, ['a', 'b', 'b'])).toEqual({ added: ['a', 'b'], vanished: [] });
        expect(await store.pendingFor(ALEX.toLowerCase())).toEqual(['a', 'b']);
        const diff = await store.setPendingFor(ALEX.toLowerCase(), ['b', 'c']);
        expect(diff).toEqual({ added: ['c'], vanished: ['a'] });
        expect(await store.pendingFor(ALEX)).toEqual(['b', 'c']);
        expect(await store.pendingFor(MEGAN)).toEqual([]);
        expect(await store.setPendingFor(ALEX, [])).toEqual({ added: [], vanished: ['b', 'c'] });
        expect(await store.pendingFor(ALEX)).toEqual([]);
      });

      it('marks a user unreachable until cleared', async () => {
        expect(await store.isUnreachable(ALEX)).toBe(false);
        await store.clearUnreachable(ALEX);
        await store.markUnreachable(ALEX, 'MessageWritesBlocked');
        expect(await store.isUnreachable(ALEX.toLowerCase())).toBe(true);
        expect(await store.isUnreachable(MEGAN)).toBe(false);
        await store.clearUnreachable(ALEX.toLowerCase());
        expect(await store.isUnreachable(ALEX)).toBe(false);
      });

      it('answers the default preferences until a user sets their own', async () => {
        expect(await store.preferencesOf(ALEX)).toEqual(DEFAULT_PREFERENCES);
        expect(DEFAULT_PREFERENCES).toEqual({
          delivery: 'instant',
          quietHours: null,
          requesterUpdates: true,
        });
        const quiet = {
          delivery: 'digest' as const,
          quietHours: { start: '22:00', end: '07:00', timeZone: 'Europe/Berlin' },
          requesterUpdates: true,
        };
        await store.setPreferences(ALEX, quiet);
        await store.markUnreachable(ALEX, 'MessageWritesBlocked');
        expect(await store.preferencesOf(ALEX.toLowerCase())).toEqual(quiet);
        await store.setPreferences(ALEX, { delivery: 'instant', quietHours: null, requesterUpdates: false });
        expect(await store.preferencesOf(ALEX)).toEqual({
          delivery: 'instant',
          quietHours: null,
          requesterUpdates: false,
        });
        expect(await store.isUnreachable(ALEX)).toBe(true);
        expect(await store.preferencesOf(MEGAN)).toEqual(DEFAULT_PREFERENCES);
      });

      it('reminds once per item and approver', async () => {
        expect(await store.markReminded('item-1', ALEX)).toBe(true);
        expect(await store.markReminded('item-1', ALEX.toLowerCase())).toBe(false);
        expect(await store.markReminded('item-1', MEGAN)).toBe(true);
        expect(await store.markReminded('item-2', ALEX)).toBe(true);
      });
    });

    describe('integrity', () => {
      it('says what it found at open: never a loss for data it wrote itself', async () => {
        expect(['first start', 'ok', 'not checked']).toContain(store.integrity.status);
        expect(store.integrity.detail).not.toBe('');
        expect(Number.isNaN(Date.parse(store.integrity.checkedAt))).toBe(false);
      });

      persistent('finds its own data as it was left after a restart', async () => {
        await store.saveReference(reference(`user:${ALEX.toLowerCase()}`, 'personal'));
        const after = await reopen();
        expect(['ok', 'not checked']).toContain(after.integrity.status);
      });
    });

    describe('after a restart', () => {
      persistent(
        'keeps everything: items, copies, references, audit, outbox, subscriptions and flags',
        async () => {
          const key = (await store.putItem(item(1), ALEX)).key;
          await store.putItem(item(1), MEGAN);
          await store.putItem(item(2), ALEX);
          await store.finishItem(key, {
            result: 'Denied',
            by: { id: MEGAN, displayName: 'Megan Bowen' },
            at: null,
            justification: null,
            changeable: false,
          });
          await store.addCopy(copy(key, 'a:alex', '1:1'));
          await store.saveReference(reference(`user:${ALEX.toLowerCase()}`, 'personal'));
          await store.appendAudit(audit(ALEX, 1));
          await store.appendAudit(audit(ALEX, 2));
          const [done, inflight, dead, waiting] = await store.enqueue([send(1), send(2), send(3), send(4)]);
          await store.claimDue({ now: T0, limit: 3, owner: 'before', leaseMs: LEASE });
          await store.completeOutbox(done?.id ?? '', 'before', { activityId: '1:done', now: T0 + 1 });
          await store.failOutbox(dead?.id ?? '', 'before', { error: 'Forbidden', now: T0 + 1 });
          const channelSub = subscription('19:iam@thread.tacv2', {
            kind: 'group',
            id: MEGAN,
            displayName: 'Sales',
          });
          await store.addSubscription(channelSub);
          await store.rememberDecision('decision', recorded, T0 + 60_000);
          await store.setPendingFor(ALEX, ['x', 'y']);
          await store.markUnreachable(MEGAN, 'MessageWritesBlocked');
          const quiet = {
            delivery: 'digest' as const,
            quietHours: { start: '18:00', end: '08:00', timeZone: 'UTC' },
            requesterUpdates: false,
          };
          await store.setPreferences(ALEX, quiet);
          await store.markReminded(key, ALEX);

          const after = await reopen();

          expect(await after.getItem(key)).toMatchObject({
            approverIds: [ALEX.toLowerCase(), MEGAN],
            final: {
              result: 'Denied',
              by: { id: MEGAN, displayName: 'Megan Bowen' },
              at: null,
              justification: null,
              changeable: false,
            },
          });
          expect((await after.getItem(itemKey(item(2).target)))?.item).toEqual(item(2));
          expect(await after.copiesOf(key)).toEqual([copy(key, 'a:alex', '1:1')]);
          expect(await after.getReference(`user:${ALEX.toLowerCase()}`)).toEqual(
            reference(`user:${ALEX.toLowerCase()}`, 'personal'),
          );
          expect((await after.auditFor(ALEX, 5)).map((e) => e.title)).toEqual(['Entry 2', 'Entry 1']);
          expect(await after.outboxCounts()).toEqual({ pending: 1, inflight: 1, done: 1, dead: 1 });
          expect(await after.getOutboxEntry(done?.id ?? '')).toMatchObject({
            state: 'done',
            activityId: '1:done',
          });
          expect(await after.getOutboxEntry(waiting?.id ?? '')).toMatchObject({
            state: 'pending',
            payload: send(4).payload,
          });
          expect(await after.enqueue([send(1), send(2), send(3), send(4)])).toEqual([]);
          // The claim made before the restart still holds until its lease runs out, then passes on.
          const early = await after.claimDue({ now: T0 + 1, limit: 10, owner: 'after', leaseMs: LEASE });
          expect(early.map((e) => e.id)).toEqual([waiting?.id]);
          const late = await after.claimDue({ now: T0 + LEASE, limit: 10, owner: 'after', leaseMs: LEASE });
          expect(late.map((e) => e.id)).toEqual([inflight?.id]);
          expect(await after.subscriptionsOf('19:iam@thread.tacv2')).toEqual([channelSub]);
          expect(await after.recalledDecision('decision', T0)).toEqual(recorded);
          expect(await after.pendingFor(ALEX)).toEqual(['x', 'y']);
          expect(await after.isUnreachable(MEGAN)).toBe(true);
          expect(await after.preferencesOf(ALEX)).toEqual(quiet);
          expect(await after.markReminded(key, ALEX)).toBe(false);
          expect(await after.size()).toMatchObject({ items: 2, copies: 1, outbox: 4 });
        },
      );
    });
  });
}
