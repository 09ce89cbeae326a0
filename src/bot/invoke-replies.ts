/**
 * Universal Actions response bodies (teams-platform.md §1.3). The HTTP status is always 200; the body's
 * statusCode and type must be one of these exact pairs or Teams shows an error (§8 #3).
 */

export interface UniversalActionResponse {
  readonly statusCode: number;
  readonly type: string;
  readonly value?: unknown;
}

export const CARD_TYPE = 'application/vnd.microsoft.card.adaptive';
export const MESSAGE_TYPE = 'application/vnd.microsoft.activity.message';
export const ERROR_TYPE = 'application/vnd.microsoft.error';
export const LOGIN_TYPE = 'application/vnd.microsoft.activity.loginRequest';
export const INVALID_AUTH_CODE_TYPE = 'application/vnd.microsoft.error.invalidAuthCode';
export const PRECONDITION_FAILED_TYPE = 'application/vnd.microsoft.error.preconditionFailed';

export function cardReply(card: unknown): UniversalActionResponse {
  return { statusCode: 200, type: CARD_TYPE, value: card };
}

/** Never empty: an empty message makes Teams retry the invoke (§8 #6). */
export function messageReply(text: string): UniversalActionResponse {
  return { statusCode: 200, type: MESSAGE_TYPE, value: text.trim() === '' ? 'Done.' : text };
}

export function badRequest(message: string): UniversalActionResponse {
  return { statusCode: 400, type: ERROR_TYPE, value: { code: 'BadRequest', message } };
}

export function serverError(message: string): UniversalActionResponse {
  return { statusCode: 500, type: ERROR_TYPE, value: { code: 'InternalServerError', message } };
}
