import type { AccessPackagePending } from '../domain';
import { itemKey } from '../domain';
import type { ItemSighting, Store } from './types';

/** What one tracked item costs: the numbers the storage benchmark puts in the README. */
export interface StoreMeasurement {
  readonly items: number;
  readonly elapsedMs: number;
  /** Bytes on disk (null for stores without a disk) in all and per item. */
  readonly bytes: number | null;
  readonly bytesPerItem: number | null;
  /** Growth of the JS heap and of the resident set (noisy unless node runs with --expose-gc). */
  readonly heapBytesPerItem: number;
  readonly rssBytesPerItem: number;
}

/** A GUID-shaped id that differs per number and stream, so that keys are unique and realistic in length. */
function guid(n: number, stream: number): string {
  const hex = n.toString(16).padStart(12, '0');
  return `${stream.toString(16).padStart(8, '0')}-0000-4000-8000-${hex}`;
}

/** A realistic access-package request, the commonest item kind, numbered `n`. */
export function syntheticItem(n: number): AccessPackagePending {
  return {
    kind: 'accessPackage',
    target: { kind: 'accessPackage', approvalId: guid(n, 1), stageId: guid(n, 2), api: 'v1.0' },
    stageNumber: 1,
    stageCount: 1,
    stageStatus: 'InProgress',
    stageName: null,
    justificationRequired: false,
    requestor: {
      id: guid(n, 3),
      displayName: `Requestor ${n}`,
      userPrincipalName: `requestor${n}@contoso.com`,
    },
    accessPackage: {
      id: guid(n % 50, 4),
      displayName: `Access package ${n % 50}`,
      description: 'Access to the campaign planner, the brand asset library and the Marketing site.',
    },
    requestType: 'userAdd',
    justification: 'I am running the Q1 launch campaign and need the brand assets.',
    answers: [{ question: 'Which campaign?', answer: 'Q1 launch' }],
    schedule: {
      startDateTime: '2026-11-26T10:00:00Z',
      duration: 'P30D',
      endDateTime: null,
      expirationType: null,
    },
    createdDateTime: '2026-11-26T10:00:00Z',
  };
}

const BATCH = 1000;

/**
 * Puts `n` tracked items through the store as the notifier would: the item with its approver, one outbox
 * send that is claimed and completed, the card copy it produced, and the approver's pending set. Returns
 * the time taken and the size per item.
 */
export async function measureStore(store: Store, n: number): Promise<StoreMeasurement> {
  const collect = (globalThis as { gc?: () => void }).gc;
  collect?.();
  const started = performance.now();
  const heapBefore = process.memoryUsage().heapUsed;
  const rssBefore = process.memoryUsage().rss;
  const owner = 'measure';
  for (let start = 0; start < n; start += BATCH) {
    const count = Math.min(BATCH, n - start);
    const sightings: ItemSighting[] = [];
    for (let i = start; i < start + count; i++)
      sightings.push({ item: syntheticItem(i), approverId: guid(i % 5000, 5) });
    await store.putItems(sightings);
    const now = Date.now();
    await store.enqueue(
      sightings.map((s) => ({
        kind: 'send' as const,
        conversationKey: `user:${s.approverId ?? ''}`,
        itemKey: itemKey(s.item.target),
        // The card itself is dropped when the send completes; a stand-in keeps the write realistic.
        payload: {
          card: {
            type: 'AdaptiveCard',
            version: '1.5',
            body: [{ type: 'TextBlock', text: 'x'.repeat(2000) }],
          },
        },
        dedupeKey: `send:${itemKey(s.item.target)}:${s.approverId ?? ''}`,
        notBefore: now,
      })),
    );
    for (const entry of await store.claimDue({ now, limit: count, owner, leaseMs: 60_000 })) {
      const activityId = `1:${entry.id}`;
      await store.completeOutbox(entry.id, owner, { activityId, now });
      await store.addCopy({
        itemKey: entry.itemKey ?? '',
        conversationId: `a:conversation-${entry.conversationKey}`,
        activityId,
        scope: 'personal',
        recipientId: entry.conversationKey.slice('user:'.length),
        reference: {
          bot: { id: '28:bot', name: 'Approvals' },
          conversation: { id: `a:conversation-${entry.conversationKey}`, conversationType: 'personal' },
          serviceUrl: 'https://smba.trafficmanager.net/emea/',
          channelId: 'msteams',
        },
        sentAt: new Date(now).toISOString(),
      });
    }
  }
  for (let a = 0; a < Math.min(n, 5000); a++) {
    const keys: string[] = [];
    for (let i = a; i < n; i += 5000) keys.push(itemKey(syntheticItem(i).target));
    await store.setPendingFor(guid(a, 5), keys);
  }
  const elapsedMs = performance.now() - started;
  const { bytes } = await store.size();
  collect?.();
  const usage = process.memoryUsage();
  return {
    items: n,
    elapsedMs,
    bytes,
    bytesPerItem: bytes === null || n === 0 ? null : bytes / n,
    heapBytesPerItem: n === 0 ? 0 : (usage.heapUsed - heapBefore) / n,
    rssBytesPerItem: n === 0 ? 0 : (usage.rss - rssBefore) / n,
  };
}
