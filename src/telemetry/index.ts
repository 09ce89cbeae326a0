/**
 * Telemetry: OpenTelemetry traces (each turn, Graph call, decision and card send or update) and metrics
 * (decisions by outcome, Graph latency and 429s, deliveries and Teams 429s, outbox depth, discovery, sign-in
 * prompts), exported to OTLP or Application Insights when configured and nowhere otherwise. Only kinds,
 * routes, statuses and outcomes are recorded: no tokens, names, justifications or card text.
 */
export { measure, observeOutbox, routeOf, traced } from './instruments';
export type { Instruments } from './instruments';
export { startTelemetry } from './start';
export type { Telemetry, TelemetrySettings } from './start';
