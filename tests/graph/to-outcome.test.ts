import { failureOf, retryAfterSeconds } from '../../src/graph/to-outcome';
import { normalizeResult } from '../../src/domain';
import { person } from '../../src/graph/wire';

function response(status: number, body: unknown, headers: Record<string, string> = {}) {
  return { status, body, headers: new Headers(headers), requestId: 'req-1' };
}

const graphError = (code: string, message: string) => ({
  error: { code, message, innerError: { 'request-id': 'req-1' } },
});

describe('turning a Graph error into an Outcome', () => {
  it.each([
    [400, graphError('BadRequest', 'Invalid decision'), { kind: 'invalid', problems: ['Invalid decision'] }],
    [401, graphError('InvalidAuthenticationToken', 'Token expired'), { kind: 'signInRequired' }],
    // Authorization_RequestDenied answers a missing role as well as a missing scope: the message decides.
    [
      403,
      graphError('Authorization_RequestDenied', 'Insufficient privileges to complete the operation.'),
      { kind: 'forbidden', reason: 'notApprover' },
    ],
    [
      403,
      graphError(
        'Authorization_RequestDenied',
        'Insufficient privileges to complete the operation. The token needs one of these delegated permissions: AccessReview.ReadWrite.All.',
      ),
      { kind: 'forbidden', reason: 'missingConsent' },
    ],
    [
      403,
      graphError(
        '',
        'Valid permissions not present. User needs one of the following permissions for this action : PrivilegedAccess.ReadWrite.AzureAD',
      ),
      { kind: 'forbidden', reason: 'missingConsent' },
    ],
    [
      403,
      graphError('accessDenied', 'The caller is not an approver of this stage'),
      { kind: 'forbidden', reason: 'notApprover' },
    ],
    [404, graphError('itemNotFound', 'Not found'), { kind: 'notFound' }],
    [503, graphError('serviceNotAvailable', 'Try later'), { kind: 'unavailable', status: 503 }],
    [504, 'Gateway Timeout', { kind: 'unavailable', status: 504 }],
  ])('HTTP %i', (status, body, expected) => {
    const outcome = failureOf(response(status, body));
    expect(outcome).toMatchObject({ ...expected, requestId: 'req-1' });
  });

  it('reads how long to wait from Retry-After on a 429', () => {
    expect(
      failureOf(response(429, graphError('TooManyRequests', 'Slow down'), { 'Retry-After': '7' })),
    ).toEqual({
      kind: 'throttled',
      view: 'caller',
      retryAfterSeconds: 7,
      requestId: 'req-1',
    });
  });

  it('reads Retry-After given as an HTTP date', () => {
    const now = Date.parse('2026-11-26T10:00:00Z');
    expect(retryAfterSeconds(new Headers({ 'Retry-After': 'Thu, 26 Nov 2026 10:00:30 GMT' }), now)).toBe(30);
  });
});

describe('normalizing what Graph reads back', () => {
  it.each([
    ['Approve', 'Approved'],
    ['Approved', 'Approved'],
    ['Deny', 'Denied'],
    ['denied', 'Denied'],
    ['DontKnow', 'DontKnow'],
    ['NotReviewed', 'NotReviewed'],
    [null, 'NotReviewed'],
  ])('reviewResult %p reads as %p', (value, expected) => {
    expect(normalizeResult(value)).toBe(expected);
  });

  it('takes reviewedBy as an object or as a collection', () => {
    const megan = {
      id: '6d2b6a0e-7c1f-4f0e-9b8a-1a2b3c4d5e02',
      displayName: 'Megan Bowen',
      userPrincipalName: 'MeganB@contoso.com',
    };
    expect(person(megan)).toEqual(megan);
    expect(person([megan])).toEqual(megan);
    expect(person(null)).toBeNull();
    expect(person({ id: '00000000-0000-0000-0000-000000000000', displayName: '' })).toBeNull();
  });
});
