import {
  describeSchedule,
  formatDateTime,
  humanizeDuration,
  listNames,
  personText,
  relativeTime,
} from '../../src/cards/format';
import { adele, alex, megan, NOW } from './fixtures';

describe('card wording for time', () => {
  it.each([
    ['PT8H', '8 hours'],
    ['P30D', '30 days'],
    ['PT1H30M', '1 hour 30 minutes'],
    ['P1D', '1 day'],
    ['PT30M', '30 minutes'],
    ['P2W', '2 weeks'],
    ['P1Y2M', '1 year 2 months'],
    ['P1DT12H', '1 day 12 hours'],
    ['pt45s', '45 seconds'],
    ['PT0S', null],
    ['P', null],
    ['PT', null],
    ['8 hours', null],
    [null, null],
  ])('humanizes the ISO 8601 duration %s as %s', (iso, words) => {
    expect(humanizeDuration(iso)).toBe(words);
  });

  it.each([
    ['2025-11-26T10:42:00Z', 'UTC', '10:42'],
    ['2025-11-25T10:42:00Z', 'UTC', '25 Nov 10:42'],
    ['2024-11-26T10:42:00Z', 'UTC', '26 Nov 2024 10:42'],
    ['2025-11-26T10:42:00Z', 'America/New_York', '05:42'],
    ['2025-11-26T23:30:00Z', 'Asia/Tokyo', '27 Nov 08:30'],
    ['2025-11-26T10:42:00Z', 'Not/AZone', '10:42'],
    ['garbage', 'UTC', null],
  ])('formats %s in %s as %s', (iso, zone, words) => {
    expect(formatDateTime(iso, NOW, zone)).toBe(words);
  });

  it.each([
    ['2025-11-26T12:00:20Z', 'now'],
    ['2025-11-26T12:05:00Z', 'in 5 minutes'],
    ['2025-11-26T09:00:00Z', '3 hours ago'],
    ['2025-11-29T12:00:00Z', 'in 3 days'],
  ])('says %s is %s', (iso, words) => {
    expect(relativeTime(iso, NOW)).toBe(words);
  });

  it.each([
    [
      { startDateTime: null, duration: 'PT8H', endDateTime: null, expirationType: 'afterDuration' },
      '8 hours',
    ],
    [
      {
        startDateTime: '2025-11-27T09:00:00Z',
        duration: 'PT8H',
        endDateTime: null,
        expirationType: 'afterDuration',
      },
      '8 hours from 27 Nov 09:00',
    ],
    [
      {
        startDateTime: null,
        duration: null,
        endDateTime: '2026-01-31T00:00:00Z',
        expirationType: 'afterDateTime',
      },
      'until 31 Jan 2026 00:00',
    ],
    [
      { startDateTime: null, duration: null, endDateTime: null, expirationType: 'noExpiration' },
      'no end date',
    ],
    [{ startDateTime: null, duration: 'weird', endDateTime: null, expirationType: null }, 'weird'],
    [{ startDateTime: null, duration: null, endDateTime: null, expirationType: 'notSpecified' }, ''],
  ])('describes the schedule %j as "%s"', (schedule, words) => {
    expect(describeSchedule(schedule, NOW)).toBe(words);
  });
});

describe('card wording for people', () => {
  it('lists names in plain English and counts the rest', () => {
    expect(listNames([megan], 10)).toBe('Megan Bowen');
    expect(listNames([megan, adele, alex], 10)).toBe('Megan Bowen, Adele Vance and Alex Wilber');
    expect(listNames([megan, adele, alex], 2)).toBe('Megan Bowen, Adele Vance and 1 other');
  });
});

describe('people on cards', () => {
  it('shows a member with their sign-in name', () => {
    expect(
      personText({ id: null, displayName: 'Adele Vance', userPrincipalName: 'AdeleV@contoso.example' }),
    ).toBe('Adele Vance (AdeleV@contoso.example)');
  });

  it('shows a guest by their own address, labelled guest, never as the #EXT# sign-in name', () => {
    const upn = 'kat.larsson_fabrikam.example#EXT#@contoso.onmicrosoft.com';
    expect(personText({ id: null, displayName: 'Kat Larsson', userPrincipalName: upn })).toBe(
      'Kat Larsson (kat.larsson@fabrikam.example, guest)',
    );
    expect(
      personText({
        id: null,
        displayName: 'Kat Larsson',
        userPrincipalName: upn,
        mail: 'kat@fabrikam.example',
      }),
    ).toBe('Kat Larsson (kat@fabrikam.example, guest)');
  });
});
