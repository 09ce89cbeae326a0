/**
 * The governance domain at the bottom of the bot: what can wait on an approver (pending items by kind),
 * where a decision is written (targets and their keys), what can be decided, the one Outcome every decision
 * attempt becomes, how an item ends, and its deadline. Every other folder imports these; this folder
 * imports none of them (ESLint enforces the table in eslint.config.mjs).
 */
export type * from './items';
export type * from './decisions';
export type * from './outcome';
export type * from './final-state';
export { APPROVAL_DECISIONS, REVIEW_DECISIONS, normalizeResult } from './decisions';
export { assertNever } from './outcome';
export { itemKey, sameTarget } from './keys';
export { isGuid } from './ids';
export type { CleanJustification } from './justification';
export { MAX_JUSTIFICATION_LENGTH, cleanJustification, hasWords } from './justification';
export type { FollowKind, Followable, ItemOf, KindFacts, KindTable, Portal } from './kinds';
export { ITEM_KINDS, PIM_APPROVAL_WINDOW_MS, deadlineOf, kindOf } from './kinds';
export type { PortalCloud } from './portals';
export { portalIn } from './portals';
