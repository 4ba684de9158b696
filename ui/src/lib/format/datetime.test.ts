import { describe, expect, it } from 'vitest';
import { clockText, formatDate, formatLongDate, formatTime } from './datetime';
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
