/**
 * A second check that a token from the token service is the clicking user's own: when the token is a
 * readable JWT with an `oid`, it must be the activity's aadObjectId. This is not a signature check (Graph
 * does that); it only stops the bot from ever acting for someone else if a token reached the wrong slot.
 * Access tokens are meant to be opaque to clients and may be encrypted, so a token we cannot read is
 * "unknown", not refused.
 */
export type TokenOwnership = 'match' | 'mismatch' | 'unknown';

const MAX_TOKEN_LENGTH = 16 * 1024;

export function tokenOwnership(token: string, aadObjectId: string | undefined): TokenOwnership {
  if (!aadObjectId || token.length > MAX_TOKEN_LENGTH) return 'unknown';
  const payload = token.split('.')[1];
  if (!payload) return 'unknown';
  let claims: unknown;
  try {
    claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    return 'unknown';
  }
  if (!claims || typeof claims !== 'object') return 'unknown';
  const oid = (claims as { oid?: unknown }).oid;
  if (typeof oid !== 'string' || oid === '') return 'unknown';
  return oid.toLowerCase() === aadObjectId.toLowerCase() ? 'match' : 'mismatch';
}
