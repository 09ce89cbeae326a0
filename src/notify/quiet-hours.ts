import type { QuietHours } from '../store';

const DAY_MINUTES = 24 * 60;
const CLOCK = /^([01]?\d|2[0-3]):([0-5]\d)$/;

/** Minutes after midnight for "HH:MM", or null. */
export function clockMinutes(text: string): number | null {
  const match = CLOCK.exec(text.trim());
  if (!match) return null;
  return Number(match[1]) * 60 + Number(match[2]);
}

export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-GB', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** Minutes after local midnight at `now` in `timeZone`. */
function localMinutes(now: number, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-GB', {
    timeZone,
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(new Date(now));
  const hour = Number(parts.find((p) => p.type === 'hour')?.value ?? '0');
  const minute = Number(parts.find((p) => p.type === 'minute')?.value ?? '0');
  return hour * 60 + minute;
}

/**
 * The next time the local clock in `timeZone` shows `minutes` after midnight (now, if it does). Counted in
 * wall-clock minutes from now, so a daylight-saving change in between shifts it by that hour: good enough
 * for "not before 07:00".
 */
export function nextLocalTime(now: number, minutes: number, timeZone: string): number {
  const startOfMinute = now - (now % 60_000);
  const ahead = (minutes - localMinutes(now, timeZone) + DAY_MINUTES) % DAY_MINUTES;
  return ahead === 0 ? now : startOfMinute + ahead * 60_000;
}

/** When the quiet hours around `now` end, or null when `now` is not inside them. */
export function quietUntil(now: number, quiet: QuietHours | null): number | null {
  if (!quiet) return null;
  const start = clockMinutes(quiet.start);
  const end = clockMinutes(quiet.end);
  if (start === null || end === null || start === end || !isTimeZone(quiet.timeZone)) return null;
  const local = localMinutes(now, quiet.timeZone);
  // A window may wrap midnight (22:00 to 07:00).
  const inside = start < end ? local >= start && local < end : local >= start || local < end;
  return inside ? nextLocalTime(now, end, quiet.timeZone) : null;
}

/** "22:00-07:00" (also with spaces or an en dash) → the window, or null. */
export function parseWindow(text: string): { readonly start: string; readonly end: string } | null {
  const match = /^\s*(\d{1,2}:\d{2})\s*(?:-|–|to)\s*(\d{1,2}:\d{2})\s*$/i.exec(text);
  if (!match) return null;
  const [, start = '', end = ''] = match;
  const a = clockMinutes(start);
  const b = clockMinutes(end);
  if (a === null || b === null || a === b) return null;
  const pad = (m: number) =>
    `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
  return { start: pad(a), end: pad(b) };
}
