import type { JsonObject } from './json';

// Thrown by model and routes, answered by the pipeline: keeps deep lookups (definition → … → item) short.
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

export const badRequest = (message: string, code = 'BadRequest'): HttpError =>
  new HttpError(400, code, message);

/** The wording Graph uses for a path segment it does not know (graph-contract.md §1.1, §5.2). */
export const unknownSegment = (segment: string): HttpError =>
  badRequest(`Resource not found for the segment '${segment}'.`);

export const notFound = (message: string): HttpError => new HttpError(404, 'ResourceNotFound', message);

/** 403 for a caller who has consent but is not an approver/reviewer; consent failures use other codes. */
export const notAllowed = (message: string): HttpError => new HttpError(403, 'accessDenied', message);

export const conflict = (message: string): HttpError => new HttpError(409, 'Conflict', message);

export const unauthenticated = (message: string): HttpError =>
  new HttpError(401, 'InvalidAuthenticationToken', message, {
    'WWW-Authenticate':
      'Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize", client_id="00000003-0000-0000-c000-000000000000"',
  });

const DEFAULT_CODES: Readonly<Record<number, string>> = {
  400: 'BadRequest',
  403: 'Authorization_RequestDenied',
  404: 'ResourceNotFound',
  // The 409's body is undocumented (graph-contract.md §1.1): a plausible one; clients branch on the status.
  409: 'Conflict',
  429: 'TooManyRequests',
  500: 'generalException',
  502: 'BadGateway',
  503: 'serviceNotAvailable',
  504: 'GatewayTimeout',
};

const DEFAULT_MESSAGES: Readonly<Record<number, string>> = {
  400: 'The request is not valid.',
  403: 'Insufficient privileges to complete the operation.',
  404: 'The resource was not found.',
  409: 'The request has already been approved by another approver in the same approval stage.',
  429: 'Please retry again later.',
  500: 'General exception while processing.',
  502: 'Bad gateway.',
  503: 'The service is temporarily unavailable. Please retry later.',
  504: 'The gateway timed out.',
};

/**
 * A fault's answer: Graph's refusal, throttling and outage bodies, with `Retry-After` when the rule sets one.
 * Nothing behind it happens: a faulted write does not land.
 */
export function faultError(status: number, retryAfterSeconds?: number): HttpError {
  const headers: Record<string, string> = {};
  if (retryAfterSeconds !== undefined) headers['Retry-After'] = String(retryAfterSeconds);
  return new HttpError(
    status,
    DEFAULT_CODES[status] ?? 'UnknownError',
    DEFAULT_MESSAGES[status] ?? 'Injected fault.',
    headers,
  );
}

/** Graph's date stamp in innerError has no fraction and no zone (graph-contract.md §5.1). */
export const graphDate = (at: number): string => new Date(at).toISOString().slice(0, 19);

export function errorBody(
  error: HttpError,
  ids: { readonly requestId: string; readonly clientRequestId: string },
  at: number,
): JsonObject {
  return {
    error: {
      code: error.code,
      message: error.message,
      innerError: {
        date: graphDate(at),
        'request-id': ids.requestId,
        'client-request-id': ids.clientRequestId,
      },
    },
  };
}
