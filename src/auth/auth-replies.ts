/**
 * The Universal Actions bodies of the sign-in flow (teams-platform.md §1.3, §2.3). They go out with
 * HTTP 200; Teams reads statusCode and type from the body and rejects any other pairing of the two.
 */

export const LOGIN_REQUEST_TYPE = 'application/vnd.microsoft.activity.loginRequest';
/** Not the AC doc's misspelt "inccorectAuthCode": Teams itself uses invalidAuthCode (§1.3). */
export const INVALID_AUTH_CODE_TYPE = 'application/vnd.microsoft.error.invalidAuthCode';
export const PRECONDITION_FAILED_TYPE = 'application/vnd.microsoft.error.preconditionFailed';
export const AUTH_ERROR_TYPE = 'application/vnd.microsoft.error';
export const AUTH_MESSAGE_TYPE = 'application/vnd.microsoft.activity.message';

export interface TokenExchangeResource {
  readonly id: string;
  readonly uri: string;
  readonly providerId?: string;
}

/** An OAuthCard-shaped login request. */
export interface LoginRequestBody {
  readonly statusCode: 401;
  readonly type: typeof LOGIN_REQUEST_TYPE;
  readonly value: {
    readonly text: string;
    readonly connectionName: string;
    /** Present: Teams first tries SSO and retries the action with `authentication`. */
    readonly tokenExchangeResource?: TokenExchangeResource;
    readonly buttons: readonly [
      { readonly type: 'signin'; readonly title: string; readonly text: string; readonly value: string },
    ];
  };
}

export interface InvalidAuthCodeBody {
  readonly statusCode: 401;
  readonly type: typeof INVALID_AUTH_CODE_TYPE;
}

export interface PreconditionFailedBody {
  readonly statusCode: 412;
  readonly type: typeof PRECONDITION_FAILED_TYPE;
  readonly value: { readonly code: '412'; readonly message: string };
}

export interface AuthErrorBody {
  readonly statusCode: 400;
  readonly type: typeof AUTH_ERROR_TYPE;
  readonly value: { readonly code: 'BadRequest'; readonly message: string };
}

export interface AuthMessageBody {
  readonly statusCode: 200;
  readonly type: typeof AUTH_MESSAGE_TYPE;
  readonly value: string;
}

/** Every body the sign-in flow may answer a card click with; structurally a Universal Actions response. */
export type AuthReply =
  LoginRequestBody | InvalidAuthCodeBody | PreconditionFailedBody | AuthErrorBody | AuthMessageBody;

export const SIGN_IN_TEXT = 'Sign in to approve or deny with your own account.';
const BUTTON_TITLE = 'Sign in';

export function loginRequest(options: {
  readonly connectionName: string;
  readonly signInLink: string;
  readonly tokenExchangeResource?: TokenExchangeResource | undefined;
  readonly text?: string;
}): LoginRequestBody {
  const resource = options.tokenExchangeResource;
  return {
    statusCode: 401,
    type: LOGIN_REQUEST_TYPE,
    value: {
      text: options.text ?? SIGN_IN_TEXT,
      connectionName: options.connectionName,
      ...(resource
        ? {
            tokenExchangeResource: {
              id: resource.id,
              uri: resource.uri,
              ...(resource.providerId ? { providerId: resource.providerId } : {}),
            },
          }
        : {}),
      buttons: [{ type: 'signin', title: BUTTON_TITLE, text: BUTTON_TITLE, value: options.signInLink }],
    },
  };
}

export function invalidAuthCode(): InvalidAuthCodeBody {
  return { statusCode: 401, type: INVALID_AUTH_CODE_TYPE };
}

export function preconditionFailed(
  message = 'The sign-in token could not be exchanged.',
): PreconditionFailedBody {
  return { statusCode: 412, type: PRECONDITION_FAILED_TYPE, value: { code: '412', message } };
}

export function authError(message: string): AuthErrorBody {
  return { statusCode: 400, type: AUTH_ERROR_TYPE, value: { code: 'BadRequest', message } };
}

/** Never empty: an empty message makes Teams retry the invoke (teams-platform.md §1.3). */
export function authMessage(text: string): AuthMessageBody {
  return { statusCode: 200, type: AUTH_MESSAGE_TYPE, value: text.trim() === '' ? 'Done.' : text };
}
