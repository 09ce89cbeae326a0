import { Writable } from 'node:stream';
import { bridgeConsole, createLogger, throttledLog } from '../src/log';

function capture() {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      callback();
    },
  });
  return { lines, log: createLogger({ level: 'info', destination }) };
}

describe('throttledLog', () => {
  it('writes the first event at once and counts the rest until the next window', () => {
    const { lines, log } = capture();
    let now = 0;
    const refused = throttledLog(log, 'warn', 'refused', 10_000, () => now);
    for (let i = 0; i < 37; i++) refused({ reason: 'forged' });
    now = 10_000;
    refused({ reason: 'forged' });
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatchObject({ msg: 'refused', reason: 'forged' });
    expect(lines[0]).not.toHaveProperty('suppressed');
    expect(lines[1]).toMatchObject({ msg: 'refused', suppressed: 36 });
  });
});

describe('bridgeConsole', () => {
  it("turns a library's console output into throttled, shortened log records", () => {
    const { lines, log } = capture();
    const restore = bridgeConsole(log, 60_000);
    try {
      for (let i = 0; i < 82; i++)
        console.error(new Error(`bad token ${i}\n${'-----BEGIN RSA PUBLIC KEY-----'.repeat(40)}`));
    } finally {
      restore();
    }
    expect(lines).toHaveLength(1);
    expect(String(lines[0]?.text).length).toBeLessThanOrEqual(300);
    expect(lines[0]).toMatchObject({ console: 'error', msg: 'library console output' });
    expect(console.error).not.toBe(undefined);
  });
});
