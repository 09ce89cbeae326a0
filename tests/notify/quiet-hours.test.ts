import { nextLocalTime, parseWindow, quietUntil } from '../../src/notify';

const at = (iso: string) => Date.parse(iso);

describe('quiet hours', () => {
  const night = { start: '22:00', end: '07:00', timeZone: 'Europe/Berlin' };

  it("holds cards inside a window that wraps midnight until it ends, in the user's time zone", () => {
    // 23:30 in Berlin (CET, UTC+1) → 07:00 Berlin = 06:00 UTC the next day.
    expect(quietUntil(at('2026-11-26T22:30:00Z'), night)).toBe(at('2026-11-27T06:00:00Z'));
    // 05:59 Berlin → 07:00 Berlin the same morning.
    expect(quietUntil(at('2026-11-27T04:59:00Z'), night)).toBe(at('2026-11-27T06:00:00Z'));
  });

  it('lets cards through outside the window, and at its end', () => {
    expect(quietUntil(at('2026-11-27T06:00:00Z'), night)).toBeNull();
    expect(quietUntil(at('2026-11-27T12:00:00Z'), night)).toBeNull();
    expect(quietUntil(at('2026-11-27T12:00:00Z'), null)).toBeNull();
  });

  it('handles a daytime window', () => {
    const lunch = { start: '12:00', end: '13:30', timeZone: 'UTC' };
    expect(quietUntil(at('2026-11-27T12:15:00Z'), lunch)).toBe(at('2026-11-27T13:30:00Z'));
    expect(quietUntil(at('2026-11-27T11:59:00Z'), lunch)).toBeNull();
  });

  it('finds the next local time of day', () => {
    expect(nextLocalTime(at('2026-11-27T10:00:00Z'), 9 * 60, 'UTC')).toBe(at('2026-11-28T09:00:00Z'));
    expect(nextLocalTime(at('2026-11-27T08:00:00Z'), 9 * 60, 'America/New_York')).toBe(
      at('2026-11-27T14:00:00Z'),
    );
  });

  it('reads "22:00-07:00" and refuses nonsense', () => {
    expect(parseWindow('22:00-07:00')).toEqual({ start: '22:00', end: '07:00' });
    expect(parseWindow('7:05 – 8:00')).toEqual({ start: '07:05', end: '08:00' });
    expect(parseWindow('25:00-07:00')).toBeNull();
    expect(parseWindow('22:00-22:00')).toBeNull();
    expect(parseWindow('tonight')).toBeNull();
  });
});
