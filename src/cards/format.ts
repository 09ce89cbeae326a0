import type { Person, Schedule } from '../domain';
import { BoundedMap } from '../bounded';
import { inlineText } from './safe-text';

/** Dates, durations and labels in the words a card uses. Dates are shown in one time zone (default UTC). */

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

interface ZonedParts {
  readonly year: number;
  readonly month: number;
  readonly day: number;
  readonly hour: string;
  readonly minute: string;
}

/** One formatter per time zone in use: IANA zones and offsets, at most 1,000 kept. */
const formatters = new BoundedMap<string, Intl.DateTimeFormat>(1000);

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  const known = formatters.get(timeZone);
  if (known) return known;
  let formatter: Intl.DateTimeFormat;
  try {
    formatter = new Intl.DateTimeFormat('en-GB', {
      timeZone,
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    });
  } catch {
    // An unknown zone must not break a card; configuration validates it, this keeps the renderer total.
    return formatterFor('UTC');
  }
  formatters.set(timeZone, formatter);
  return formatter;
}

function zoned(date: Date, timeZone: string): ZonedParts {
  const parts = formatterFor(timeZone).formatToParts(date);
  const get = (type: Intl.DateTimeFormatPartTypes): string =>
    parts.find((p) => p.type === type)?.value ?? '0';
  return {
    year: Number(get('year')),
    month: Number(get('month')),
    day: Number(get('day')),
    hour: get('hour'),
    minute: get('minute'),
  };
}

export function parseDate(iso: string | null | undefined): Date | null {
  if (!iso) return null;
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? null : date;
}

function dayLabel(at: ZonedParts, now: ZonedParts): string {
  const base = `${at.day} ${MONTHS[at.month - 1] ?? ''}`;
  return at.year === now.year ? base : `${base} ${at.year}`;
}

/** "10:42" on the same day, "26 Nov 10:42" in the same year, "26 Nov 2024 10:42" otherwise. */
export function formatDateTime(iso: string | null | undefined, now: Date, timeZone = 'UTC'): string | null {
  const date = parseDate(iso);
  if (!date) return null;
  const at = zoned(date, timeZone);
  const today = zoned(now, timeZone);
  const time = `${at.hour}:${at.minute}`;
  if (at.year === today.year && at.month === today.month && at.day === today.day) return time;
  return `${dayLabel(at, today)} ${time}`;
}

/** " at 10:42", " on 26 Nov 10:42", or nothing when the time is unknown. */
export function atTime(iso: string | null | undefined, now: Date, timeZone?: string): string {
  const formatted = formatDateTime(iso, now, timeZone);
  if (!formatted) return '';
  return formatted.includes(' ') ? ` on ${formatted}` : ` at ${formatted}`;
}

/** "26 Nov", or "26 Nov 2024" in another year. */
export function formatDay(iso: string | null | undefined, now: Date, timeZone = 'UTC'): string | null {
  const date = parseDate(iso);
  return date ? dayLabel(zoned(date, timeZone), zoned(now, timeZone)) : null;
}

function plural(n: number, unit: string): string {
  return `${n} ${unit}${n === 1 ? '' : 's'}`;
}

/** "in 2 days", "3 hours ago", "now". */
export function relativeTime(iso: string | null | undefined, now: Date): string | null {
  const date = parseDate(iso);
  if (!date) return null;
  const diff = date.getTime() - now.getTime();
  const abs = Math.abs(diff);
  const minutes = Math.round(abs / 60_000);
  if (minutes < 1) return 'now';
  let amount: string;
  if (minutes < 60) amount = plural(minutes, 'minute');
  else if (minutes < 24 * 60) amount = plural(Math.round(minutes / 60), 'hour');
  else amount = plural(Math.round(minutes / (24 * 60)), 'day');
  return diff > 0 ? `in ${amount}` : `${amount} ago`;
}

/** "26 Nov 10:42 (in 2 days)". */
export function formatWhen(iso: string | null | undefined, now: Date, timeZone?: string): string | null {
  const at = formatDateTime(iso, now, timeZone);
  if (!at) return null;
  const rel = relativeTime(iso, now);
  return rel ? `${at} (${rel})` : at;
}

const DURATION =
  /^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:[.,]\d+)?)S)?)?$/i;
const DURATION_UNITS = ['year', 'month', 'week', 'day', 'hour', 'minute', 'second'];

/** ISO 8601 duration in words: PT8H → "8 hours", P30D → "30 days", PT1H30M → "1 hour 30 minutes". */
export function humanizeDuration(iso: string | null | undefined): string | null {
  if (!iso) return null;
  const match = DURATION.exec(iso.trim());
  if (!match || /T$/i.test(iso.trim()) || iso.trim().length < 3) return null;
  const words: string[] = [];
  DURATION_UNITS.forEach((unit, i) => {
    const raw = match[i + 1];
    if (raw === undefined) return;
    const n = Number(raw.replace(',', '.'));
    if (n > 0) words.push(plural(n, unit));
  });
  return words.length > 0 ? words.join(' ') : null;
}

/** What is asked for, in time: "8 hours", "8 hours from 27 Nov 09:00", "until 30 Dec", "no end date". */
export function describeSchedule(schedule: Schedule, now: Date, timeZone?: string): string {
  const start = parseDate(schedule.startDateTime);
  // A start in the past just means "as soon as approved"; only a later start tells the approver something.
  const from =
    start && start.getTime() > now.getTime() ? formatDateTime(schedule.startDateTime, now, timeZone) : null;
  const type = (schedule.expirationType ?? '').toLowerCase();
  const duration = humanizeDuration(schedule.duration);
  const until = formatDateTime(schedule.endDateTime, now, timeZone);
  let span: string | null = null;
  if (type === 'noexpiration') span = 'no end date';
  else if (type === 'afterduration' && duration) span = duration;
  else if (type === 'afterdatetime' && until) span = `until ${until}`;
  else if (duration) span = duration;
  else if (until) span = `until ${until}`;
  else if (schedule.duration) span = inlineText(schedule.duration, 40);
  if (span && from) return `${span} from ${from}`;
  if (span) return span;
  return from ? `from ${from}` : '';
}

/** "Alex Wilber (alex@contoso.com)", safe for a TextRun. */
/**
 * A guest's home address from the user principal name Entra gives guests
 * (`kat.larsson_fabrikam.example#EXT#@contoso.onmicrosoft.com` → `kat.larsson@fabrikam.example`).
 */
function guestAddress(upn: string): string | null {
  const at = upn.toUpperCase().indexOf('#EXT#');
  if (at <= 0) return null;
  const local = upn.slice(0, at);
  const cut = local.lastIndexOf('_');
  return cut > 0 ? `${local.slice(0, cut)}@${local.slice(cut + 1)}` : null;
}

export function personText(person: Person | null | undefined): string {
  if (!person) return '';
  const name = inlineText(person.displayName) || 'Someone';
  const upn = person.userPrincipalName ?? '';
  const guest = guestAddress(upn);
  // A guest reads as their own address and says so, never as the tenant's #EXT# form.
  if (guest !== null) return `${name} (${inlineText(person.mail ?? guest)}, guest)`;
  const detail = inlineText(upn || person.mail || '');
  return detail && detail !== name ? `${name} (${detail})` : name;
}

export function personName(person: Person | null | undefined): string {
  return person ? inlineText(person.displayName) || 'Someone' : '';
}

/** "Megan Bowen", "Megan Bowen and Adele Vance", "A, B, C and 4 others". */
export function listNames(people: readonly Person[], max: number): string {
  const names = people.map((p) => personName(p)).filter((n) => n !== '');
  if (names.length === 0) return '';
  const shown = names.slice(0, Math.max(1, max));
  const rest = names.length - shown.length;
  if (rest > 0) return `${shown.join(', ')} and ${plural(rest, 'other')}`;
  if (shown.length === 1) return shown[0] ?? '';
  return `${shown.slice(0, -1).join(', ')} and ${shown[shown.length - 1] ?? ''}`;
}

export function directoryScopeText(scopeId: string): string {
  const scope = scopeId.trim();
  if (scope === '' || scope === '/') return 'Whole directory';
  const unit = /^\/administrativeUnits\/(.+)$/i.exec(scope);
  if (unit?.[1]) return `Administrative unit ${inlineText(unit[1], 80)}`;
  return inlineText(scope, 200);
}

export function accessIdText(accessId: string): string {
  switch (accessId.toLowerCase()) {
    case 'member':
      return 'Member';
    case 'owner':
      return 'Owner';
    default:
      return inlineText(accessId, 40);
  }
}

const PIM_ACTIONS: Readonly<Record<string, string>> = {
  selfactivate: 'Activation',
  selfdeactivate: 'Deactivation',
  selfextend: 'Extension',
  selfrenew: 'Renewal',
  adminassign: 'Assignment by an admin',
  adminupdate: 'Change by an admin',
  adminremove: 'Removal by an admin',
  adminextend: 'Extension by an admin',
  adminrenew: 'Renewal by an admin',
};

export function pimActionText(action: string): string {
  return PIM_ACTIONS[action.toLowerCase()] ?? inlineText(action, 40);
}

const REQUEST_TYPES: Readonly<Record<string, string>> = {
  useradd: 'New access',
  userextend: 'Extend access',
  userupdate: 'Change access',
  userremove: 'Remove access',
  adminadd: 'Assignment by an admin',
  adminupdate: 'Change by an admin',
  adminremove: 'Removal by an admin',
  systemadd: 'Assignment by a policy',
  systemupdate: 'Change by a policy',
  systemremove: 'Removal by a policy',
};

export function requestTypeText(requestType: string | null): string {
  if (!requestType) return '';
  return REQUEST_TYPES[requestType.toLowerCase()] ?? '';
}

export function ticketText(ticket: {
  readonly system: string | null;
  readonly number: string | null;
}): string {
  return [inlineText(ticket.system ?? '', 80), inlineText(ticket.number ?? '', 80)]
    .filter((s) => s !== '')
    .join(' ');
}
