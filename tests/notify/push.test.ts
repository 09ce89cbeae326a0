import {
  MAX_REMEMBERED_PUSHES,
  PUSH_TOLERANCE_MS,
  PushGate,
  SIGNATURE_HEADER,
  TIMESTAMP_HEADER,
  signPush,
} from '../../src/notify/push';

/** The signed-push gate on its own, with a clock the test moves. */
const SECRET = 'push-gate-secret-0123456789abcdef0123456789';
const APPROVER = '6d2b6a0e-7c1f-4f0e-9b8a-1a2b3c4d5e01';

function signed(body: string, timestampSeconds: number) {
  return {
    [TIMESTAMP_HEADER]: String(timestampSeconds),
    [SIGNATURE_HEADER]: signPush(SECRET, timestampSeconds, body),
  };
}

const bodyFor = (n: number) =>
  JSON.stringify({ approverIds: [`6d2b6a0e-7c1f-4f0e-9b8a-${String(n).padStart(12, '0')}`] });

describe('PushGate', () => {
  it('refuses a correctly signed push dated more than five minutes ahead of its clock', () => {
    let now = 1_800_000_000_000;
    const gate = new PushGate(SECRET, () => now);
    const body = JSON.stringify({ approverIds: [APPROVER] });
    const ahead = Math.floor((now + PUSH_TOLERANCE_MS + 60_000) / 1000);
    expect(gate.verify(signed(body, ahead), body)).toMatchObject({ ok: false, status: 401, code: 'stale' });
    // Once its time has come, the same request is fresh and accepted.
    now = ahead * 1000;
    expect(gate.verify(signed(body, ahead), body)).toMatchObject({ ok: true });
  });

  it('refuses a push dated more than five minutes in the past', () => {
    const now = 1_800_000_000_000;
    const gate = new PushGate(SECRET, () => now);
    const body = bodyFor(1);
    const behind = Math.floor((now - PUSH_TOLERANCE_MS - 1000) / 1000);
    expect(gate.verify(signed(body, behind), body)).toMatchObject({ ok: false, status: 401, code: 'stale' });
  });

  it('remembers a bounded number of accepted pushes, refusing more until the oldest expire', () => {
    let now = 1_800_000_000_000;
    const gate = new PushGate(SECRET, () => now);
    const at = Math.floor(now / 1000);
    for (let n = 0; n < MAX_REMEMBERED_PUSHES; n++) {
      const body = bodyFor(n);
      expect(gate.verify(signed(body, at), body).ok).toBe(true);
    }
    const extra = bodyFor(MAX_REMEMBERED_PUSHES);
    expect(gate.verify(signed(extra, at), extra)).toMatchObject({ ok: false, status: 429 });
    // The replay of an early one is still caught as a replay, not forgotten.
    now += 60_000;
    const first = bodyFor(0);
    expect(gate.verify(signed(first, at), first)).toMatchObject({ ok: false });
    // After ten minutes every remembered push has expired, and new ones are taken again.
    now += 2 * PUSH_TOLERANCE_MS;
    const later = Math.floor(now / 1000);
    expect(gate.verify(signed(extra, later), extra).ok).toBe(true);
  });

  describe('answers each refusal with its status, code and a message saying what to do', () => {
    const T = 1_796_000_000;
    const gate = () => new PushGate(SECRET, () => T * 1000);
    const body = bodyFor(1);

    it('503 when no secret is configured', () => {
      expect(new PushGate(null).verify(signed(body, T), body)).toEqual({
        ok: false,
        status: 503,
        code: 'notConfigured',
        message: 'Pushes are off: the bot has no NOTIFY_SECRET.',
      });
    });

    it.each([
      ['no signature', { [TIMESTAMP_HEADER]: String(T) }],
      ['no timestamp', { [SIGNATURE_HEADER]: signPush(SECRET, T, body) }],
      ['a timestamp with letters after it', { ...signed(body, T), [TIMESTAMP_HEADER]: `${T}abc` }],
      ['a timestamp with letters before it', { ...signed(body, T), [TIMESTAMP_HEADER]: `x${T}` }],
      ['a signature without its scheme', { ...signed(body, T), [SIGNATURE_HEADER]: 'deadbeef' }],
    ])('401 unsigned for %s', (_what, headers) => {
      expect(gate().verify(headers, body)).toMatchObject({
        ok: false,
        status: 401,
        code: 'unsigned',
        message: expect.stringContaining('Sign the request:'),
      });
    });

    it('401 badSignature for a well-formed signature of another body or secret', () => {
      const other = {
        ...signed(body, T),
        [SIGNATURE_HEADER]: signPush('another-secret-0123456789abcdef', T, body),
      };
      expect(gate().verify(other, body)).toEqual({
        ok: false,
        status: 401,
        code: 'badSignature',
        message: 'The signature does not match the body.',
      });
      expect(gate().verify(signed(bodyFor(2), T), body)).toMatchObject({ code: 'badSignature' });
    });

    it('accepts the signature in upper case, and a header Node gives as a list', () => {
      const headers = signed(body, T);
      const upper = {
        ...headers,
        [SIGNATURE_HEADER]: `sha256=${headers[SIGNATURE_HEADER].slice(7).toUpperCase()}`,
      };
      expect(gate().verify(upper, body)).toMatchObject({ ok: true });
      const listed = {
        [TIMESTAMP_HEADER]: [String(T)],
        [SIGNATURE_HEADER]: [signPush(SECRET, T, bodyFor(3))],
      };
      expect(gate().verify(listed, bodyFor(3))).toMatchObject({ ok: true });
    });

    it('refuses the replay of an accepted push with its signature written in capitals', () => {
      const once = gate();
      const headers = signed(bodyFor(7), T);
      expect(once.verify(headers, bodyFor(7))).toMatchObject({ ok: true });
      const shouted = {
        ...headers,
        [SIGNATURE_HEADER]: `sha256=${headers[SIGNATURE_HEADER].slice(7).toUpperCase()}`,
      };
      expect(once.verify(shouted, bodyFor(7))).toMatchObject({ ok: false, status: 409, code: 'replayed' });
    });

    it('accepts a timestamp exactly five minutes away, and says what to do when it is further', () => {
      const edge = T - PUSH_TOLERANCE_MS / 1000;
      expect(gate().verify(signed(body, edge), body)).toMatchObject({ ok: true });
      expect(gate().verify(signed(body, edge - 1), body)).toEqual({
        ok: false,
        status: 401,
        code: 'stale',
        message: "The timestamp is more than five minutes away from the bot's clock; sign the request again.",
      });
    });

    it('400 malformed for a body that is not JSON, and names what is wrong in one that is', () => {
      expect(gate().verify(signed('{not json', T), '{not json')).toEqual({
        ok: false,
        status: 400,
        code: 'malformed',
        message: 'The body is not JSON.',
      });
      const wrong = JSON.stringify({ approverIds: 'everyone' });
      const answer = gate().verify(signed(wrong, T), wrong);
      expect(answer).toMatchObject({ ok: false, status: 400, code: 'malformed' });
      expect((answer as { message: string }).message).toMatch(/approverIds/);
    });

    it('429 tooManyPushes, saying to send fewer, once the memory of accepted pushes is full', () => {
      const full = gate();
      for (let i = 0; i < MAX_REMEMBERED_PUSHES; i++) full.verify(signed(bodyFor(i), T), bodyFor(i));
      expect(full.verify(signed(bodyFor(-1), T), bodyFor(-1))).toEqual({
        ok: false,
        status: 429,
        code: 'tooManyPushes',
        message: 'Too many pushes in the last ten minutes; send fewer, or try again in a minute.',
      });
    });
  });
});
