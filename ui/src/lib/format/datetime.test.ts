import { describe, expect, it } from 'vitest';
import { clockText, formatDate, formatLongDate, formatTime, formatWhen, zoneFor, zoneOfTeam } from './datetime';
import { setLocale } from '../i18n/i18n.svelte';

// 2022-10-16T23:30:00Z is already 17 October in all three Indonesian zones.
const instant = new Date('2022-10-16T23:30:00Z');

describe('datetime formatting', () => {
  it('writes dates as dd/MM/yyyy in the zone of the event', () => {
    expect(formatDate(instant, 'Asia/Jakarta')).toBe('17/10/2022');
    expect(formatDate(instant, 'UTC')).toBe('16/10/2022');
  });

  it('writes long dates with Indonesian month names', () => {
    expect(formatLongDate(instant, 'Asia/Jakarta', 'id')).toBe('17 Oktober 2022');
    expect(formatLongDate(instant, 'Asia/Jakarta', 'en')).toBe('17 October 2022');
  });

  it('writes 24-hour times with a dot and the zone label', () => {
    expect(formatTime(instant, 'Asia/Jakarta')).toBe('06.30 WIB');
    expect(formatTime(instant, 'Asia/Makassar')).toBe('07.30 WITA');
    expect(formatTime(instant, 'Asia/Jayapura')).toBe('08.30 WIT');
  });

  it('shows midnight as 00.00, never 24.00', () => {
    expect(formatTime(new Date('2022-10-16T17:00:00Z'), 'Asia/Jakarta')).toBe('00.00 WIB');
  });

  it('writes times HH.mm in Indonesian and HH:mm in the English UI', () => {
    setLocale('en');
    expect(formatTime(instant, 'Asia/Jakarta')).toBe('06:30 WIB');
    expect(clockText('16.00')).toBe('16:00');
    setLocale('id');
    expect(formatTime(instant, 'Asia/Jakarta')).toBe('06.30 WIB');
    expect(clockText('16.00')).toBe('16.00');
  });
});

describe('a time with its date and zone label', () => {
  it('writes an instant as dd/MM/yyyy HH.mm with the label of the zone it is shown in', () => {
    expect(formatWhen('2022-10-17T06:05:00Z', 'Asia/Makassar', 'id')).toBe('17/10/2022 14.05 WITA');
    expect(formatWhen('2022-10-17T06:05:00Z', 'Asia/Jakarta', 'id')).toBe('17/10/2022 13.05 WIB');
    expect(formatWhen('2022-10-17T06:05:00Z', 'Asia/Jayapura', 'en')).toBe('17/10/2022 15:05 WIT');
  });

  it('crosses midnight in the zone, not in UTC', () => {
    expect(formatWhen('2022-10-16T16:30:00Z', 'Asia/Jayapura', 'id'), '01.30 the next day in Papua').toBe('17/10/2022 01.30 WIT');
  });

  it('follows the UI language when none is given', () => {
    setLocale('en');
    expect(formatWhen('2022-10-17T06:05:00Z', 'Asia/Makassar')).toBe('17/10/2022 14:05 WITA');
    setLocale('id');
    expect(formatWhen('2022-10-17T06:05:00Z', 'Asia/Makassar')).toBe('17/10/2022 14.05 WITA');
  });

  it('writes a dash for no time, or one that does not parse', () => {
    expect(formatWhen(null, 'Asia/Jakarta')).toBe('—');
    expect(formatWhen(undefined, 'Asia/Jakarta')).toBe('—');
    expect(formatWhen('', 'Asia/Jakarta')).toBe('—');
    expect(formatWhen('kemarin', 'Asia/Jakarta')).toBe('—');
  });
});

describe('the zone a time is shown in', () => {
  it('maps the team\'s label to its zone, WIB without a team', () => {
    expect(zoneOfTeam('WITA')).toBe('Asia/Makassar');
    expect(zoneOfTeam('WIT')).toBe('Asia/Jayapura');
    expect(zoneOfTeam('WIB')).toBe('Asia/Jakarta');
    expect(zoneOfTeam(null)).toBe('Asia/Jakarta');
    expect(zoneOfTeam('XYZ'), 'a label it does not know').toBe('Asia/Jakarta');
  });

  it('takes the record\'s own zone first, else the team\'s, else WIB', () => {
    expect(zoneFor('Asia/Jayapura', 'WITA'), 'a note written in Papua, team in Makassar').toBe('Asia/Jayapura');
    expect(zoneFor(null, 'WITA'), 'a screening: the team\'s').toBe('Asia/Makassar');
    expect(zoneFor('', 'WIT'), 'an empty zone is no zone').toBe('Asia/Jayapura');
    expect(zoneFor(undefined, null), 'working alone').toBe('Asia/Jakarta');
  });
});
