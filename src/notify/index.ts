/**
 * Notifications: discovery of what waits on each approver, a durable outbox of card sends,
 * updates, reminders and digests, delivery within Teams' rate limits, channel subscriptions, and
 * /api/notify pushes. No botbuilder and no restify here: Teams is reached through the `TeamsDelivery` and
 * `ApproverAccess` ports (src/bot/teams-delivery.ts), and the HTTP edge hands pushes over as headers and
 * a raw body.
 */
export { processOwner, startNotifier } from './notifier';
export type { Notifier, NotifierDeps, NotifySettings, PushAnswer } from './notifier';
export type { WorkerOptions, WorkerStats } from './delivery-worker';
export { DEFAULT_WORKER_OPTIONS, DeliveryWorker } from './delivery-worker';
export { Discovery, emptyReport } from './discovery';
export type { DiscoveryReport, DiscoverySettings } from './discovery';
export { MemoryRateLimiter, TEAMS_LIMITS } from './rate-limit';
export type { BucketOptions, RateLimiter, RateWindow, SendScope, TeamsLimits } from './rate-limit';
export { NotifyCommands } from './commands';
export type { CommandInput } from './commands';
export { PUSH_TOLERANCE_MS, PushGate, SIGNATURE_HEADER, TIMESTAMP_HEADER, signPush } from './push';
export type { PushRequest } from './push';
export { nextLocalTime, parseWindow, quietUntil } from './quiet-hours';
export { channelIdOf, nameId, parseFilter, targetsOf } from './subscriptions';
export { BULK_MIN_ITEMS, bulkCopyKey, openReviewBatch, reviewBatches } from './review-batches';
export { channelKey, digestCopyKey, digestEntry, personalKey, refreshUsersOf } from './entries';
export type {
  ApproverAccess,
  Created,
  Delivered,
  DeliveryFailure,
  NotifyCards,
  ReferenceJson,
  TeamsDelivery,
} from './types';
