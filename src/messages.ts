/**
 * Every chat message the bot sends, in one catalogue keyed by stable codes (`approvals.<area>.<what>`), so
 * that a text is changed in one place and each message sent can be logged by its code. `{name}` marks a
 * value filled in when sent; a value that repeats someone's text is made inert by the caller (cards' `quoted`).
 * Card wording lives with the cards (src/cards), which render it into templates.
 */
export const MESSAGES = {
  // ---- commands ----
  'approvals.bot.unknownCommand': "I don't know {text}. Here is what I can do:",
  'approvals.bot.pendingIsPersonal':
    'Your pending items are private: I list them in our personal chat. Open a chat with me and type "pending".',
  'approvals.bot.personalOnly':
    'Type "{command}" in our personal chat with me: it is about you, so I answer it only there.',
  'approvals.bot.channelOnly':
    '"{command}" belongs to a team channel: @mention me there, e.g. "@Approvals subscribe group Finance admins".',
  'approvals.bot.signedInRetry': 'You are signed in. Press the button on the card again, or type "pending".',
  'approvals.bot.signedOut': 'You are signed out. Type "sign in" when you want to decide again.',
  'approvals.bot.nothingPending':
    'Nothing is waiting on you right now. I will post a card here when something does.',
  'approvals.bot.allShown':
    'Everything waiting on you ({count}) already has a card in this chat: scroll up to decide.',
  'approvals.bot.someShown': '{count} more already {verb} in this chat: scroll up to decide {them}.',
  'approvals.bot.partialDiscovery':
    'Some requests could not be read from Microsoft Graph ({sources}). The cards above may be incomplete; type "pending" to try again.',
  'approvals.bot.noHistory':
    'Nothing to show yet: you have not decided anything through me, and nothing I showed you here has been decided. Type "pending" to see what waits for you.',
  'approvals.bot.historyPageUnknown':
    'I did not understand {text}. Type "history" for your latest decisions, or "history 2" for the page before.',
  // ---- card actions ----
  'approvals.bot.unknownUser': 'Teams did not say who you are, so nothing was decided. Try again from Teams.',
  'approvals.bot.signInFirst':
    'Please sign in first (a sign-in card is in our chat), then press the button again.',
  'approvals.bot.cardMismatch':
    'This card doesn\'t match the request it was made for, so nothing was decided. Type "pending" to get a fresh card.',
  'approvals.bot.notWaitingOnYou':
    'Microsoft Graph doesn\'t show this request as waiting on you, so nothing was decided. It may have been completed or cancelled. Type "pending" to see what waits on you.',
  'approvals.bot.notChecked':
    "I couldn't check this request with Microsoft Graph just now, so nothing was decided. Try again in a minute.",
  'approvals.bot.cardMismatchShown':
    'This card doesn\'t match the request it was made for. Type "pending" to get a fresh card.',
  'approvals.bot.reasonForDeny': 'Please give a reason for denying, then press Deny again.',
  'approvals.bot.reasonForReview':
    'This review asks for a reason with every decision. Type one, then press the button again.',
  'approvals.bot.reasonForStage':
    'This approval stage asks for your justification. Type it, then press the button again.',
  'approvals.bot.invalidPress': '{problems} Nothing was sent to Microsoft Graph.',
  'approvals.bot.changePrompt': 'Choose the new decision. Give a new justification if your reason changed.',
  'approvals.bot.cardOutOfDate': 'This card is out of date. Type "pending" to see what waits on you.',
  'approvals.bot.actionFailed':
    'Something went wrong on our side. Try again in a minute; nothing was decided.',
  'approvals.bot.turnFailed':
    'Something went wrong on our side and nothing was decided. Try again in a minute.',
} as const;

export type MessageCode = keyof typeof MESSAGES;

/** The message for `code`, with `{name}` filled from `values` (missing values stay as written). */
export function message(code: MessageCode, values: Readonly<Record<string, string | number>> = {}): string {
  return MESSAGES[code].replace(/\{(\w+)\}/g, (whole, name: string) =>
    name in values ? String(values[name]) : whole,
  );
}
