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
});
