import type { Logger } from '../log';
import type { Store } from './types';

export interface Housekeeping {
  /** Runs one pass now (tests, shutdown). */
  run(): Promise<void>;
  stop(): Promise<void>;
}

/** How often expired records are deleted. */
export const HOUSEKEEPING_EVERY_MS = 10 * 60_000;

/**
 * Deletes what the store no longer needs, on a timer: remembered decisions whose replay window ended (so
 * the dedupe table holds only the last few minutes of clicks, however long the bot runs), and, past the
 * retention window, ended items with their copies, settled outbox entries and audit records.
 */
export function startHousekeeping(
  store: Store,
  log: Logger,
  options: { readonly everyMs?: number; readonly now?: () => number; readonly retentionDays?: number } = {},
): Housekeeping {
  const retentionMs = (options.retentionDays ?? 90) * 86_400_000;
  const now = options.now ?? Date.now;
  let running: Promise<void> = Promise.resolve();
  const pass = async (): Promise<void> => {
    try {
      const decisions = await store.forgetExpiredDecisions(now());
      const ended = await store.forgetBefore(now() - retentionMs);
      if (decisions + ended.items + ended.outbox + ended.audit > 0)
        log.debug({ decisions, ...ended }, 'housekeeping: expired records deleted');
    } catch (error) {
      log.warn({ err: error }, 'housekeeping failed; it runs again later');
    }
  };
  const run = (): Promise<void> => (running = running.then(pass));
  void run();
  const timer = setInterval(() => void run(), options.everyMs ?? HOUSEKEEPING_EVERY_MS);
  timer.unref();
  return {
    run,
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
