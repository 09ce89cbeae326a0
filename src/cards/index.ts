/**
 * Adaptive Cards for governance approvals: one card per pending item (approver or onlooker view), the
 * outcome of a decision, "working on it", a summary for `pending`, and help. Templates live in the
 * repository's `cards/` folder; user text is escaped and every card is held under the Teams size limit.
 */
export type { CardAttachment } from './attachment';
export type {
  AdaptiveCard,
  AskedReason,
  CardActionData,
  CardRefresh,
  CardVerb,
  FinalCardOptions,
  HelpCardOptions,
  HelpLine,
  HistoryCardOptions,
  HistoryEntry,
  ItemCardOptions,
  OutcomeCardOptions,
  SummaryCardOptions,
  WorkingCardOptions,
} from './types';
export { CARD_VERBS, CardRenderError } from './types';
/** Decision → the verb its button sends (`reset` is NotReviewed). */
export { MAX_REFRESH_USERS, VERB_OF_DECISION } from './actions';
/** One line naming an item, e.g. "Alex Wilber requests Marketing campaign tools"; mentions and links neutralised. */
export { itemTitle } from './kinds';
export { renderItemCard } from './item-card';
export { renderFinalCard, renderOutcomeCard, renderWorkingCard } from './outcome-card';
export { renderNoticeCard } from './notice-card';
export { recommendedDecision, renderReviewBulkCard } from './review-bulk-card';
export type { BulkChoice, BulkStep, ReviewBatch } from './review-bulk-card';
export type { RequesterNotice } from './notice-card';
export { byUrgencyOrder, renderSummaryCard } from './summary-card';
export { renderHelpCard } from './help-card';
export { renderHistoryCard } from './history-card';
/** UTF-16 byte size as Teams counts it, and the cap every rendered card stays under (36 KB). */
export { CARD_SIZE_LIMIT_BYTES, cardSize } from './size-guard';
export { cardsDirectory } from './templates';
export { cardAttachment } from './attachment';
/** Someone's text repeated in a chat message, made inert (a code span, invisible characters removed). */
export { quoted } from './safe-text';
