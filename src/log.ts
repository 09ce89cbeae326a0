import { format } from 'node:util';
import pino from 'pino';
import type { Logger } from 'pino';

export type { Logger };

/** Anything that may carry a secret is redacted wherever it appears in a log record. */
const REDACT = [
  'token',
  'accessToken',
  'authorization',
  'headers.authorization',
  'req.headers.authorization',
  '*.token',
  '*.accessToken',
  '*.authorization',
  '*.headers.authorization',
  'secret',
  '*.secret',
  'password',
  '*.password',
];

export function createLogger(options: { level?: string; destination?: pino.DestinationStream } = {}): Logger {
  const base = { level: options.level ?? 'info', redact: { paths: REDACT, censor: '[redacted]' } };
  return options.destination ? pino(base, options.destination) : pino(base);
}

/** A logger that writes nothing, for tests that do not look at logs. */
export const silentLogger: Logger = pino({ level: 'silent' });

/**
 * At most one record per `everyMs` for a noisy event that anyone on the internet can cause (a bad token,
 * a refused request): the first goes out at once, the rest are counted and reported with the next one.
 */
export function throttledLog(
  log: Logger,
  level: 'warn' | 'info' | 'error',
  message: string,
  everyMs: number,
  now: () => number = Date.now,
): (fields?: Record<string, unknown>) => void {
  let last = Number.NEGATIVE_INFINITY;
  let suppressed = 0;
  return (fields = {}) => {
    const at = now();
    if (at - last < everyMs) {
      suppressed += 1;
      return;
    }
    last = at;
    log[level]({ ...fields, ...(suppressed > 0 ? { suppressed } : {}) }, message);
    suppressed = 0;
  };
}

/** Longest library console message kept in the log. */
const CONSOLE_TEXT_MAX = 300;

/**
 * Libraries (botbuilder's token checks among them) write to the console for every failure, which a caller
 * with forged tokens can turn into unbounded output. In the bot's process their console output goes into
 * the structured log instead, shortened, at most one record per `everyMs` for each console method.
 */
export function bridgeConsole(log: Logger, everyMs = 10_000): () => void {
  const original = { error: console.error, warn: console.warn, log: console.log, info: console.info };
  const sinks = {
    error: throttledLog(log, 'warn', 'library console output', everyMs),
    warn: throttledLog(log, 'warn', 'library console output', everyMs),
    log: throttledLog(log, 'info', 'library console output', everyMs),
    info: throttledLog(log, 'info', 'library console output', everyMs),
  };
  for (const method of ['error', 'warn', 'log', 'info'] as const) {
    console[method] = (...args: unknown[]) => {
      const text = format(...args).replace(/\s+/g, ' ');
      sinks[method]({ console: method, text: text.slice(0, CONSOLE_TEXT_MAX) });
    };
  }
  return () => Object.assign(console, original);
}
