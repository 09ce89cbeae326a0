export { ApprovalsBot } from './approvals-bot';
export type { BotDeps } from './approvals-bot';
export type { CardSettings } from './views';
export { parseCardAction, parseTarget, VERBS } from './action-data';
export type { CardAction, Verb } from './action-data';
export * from './invoke-replies';
