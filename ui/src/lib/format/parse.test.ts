import { describe, expect, it } from 'vitest';
import { ageOn, isoToDisplay, localToUtc, parseDate, parseTime } from './parse';

describe('parsing what users type', () => {
  it('reads dd/MM/yyyy and rejects impossible dates', () => {
    expect(parseDate('17/10/2022')).toBe('2022-10-17');
    expect(parseDate('1/2/2020')).toBe('2020-02-01');
    expect(parseDate('31/02/2022')).toBeNull();
    expect(parseDate('2022-10-17')).toBeNull();
    expect(isoToDisplay('2022-10-17')).toBe('17/10/2022');
  });

  it('reads 24-hour times with a dot or a colon', () => {
    expect(parseTime('14.05')).toBe(845);
    expect(parseTime('00:00')).toBe(0);
    expect(parseTime('24.00')).toBeNull();
  });

  it('turns a WITA time into the right UTC instant', () => {
    expect(localToUtc('2022-10-17', 9 * 60, 'Asia/Makassar')).toBe('2022-10-17T01:00:00Z');
    expect(localToUtc('2022-10-17', 6 * 60, 'Asia/Jakarta')).toBe('2022-10-16T23:00:00Z');
  });

  it('counts age in whole years, birthdays included', () => {
    expect(ageOn('2010-11-23', '2026-11-23')).toBe(16);
    expect(ageOn('2008-11-24', '2026-11-23')).toBe(17);
    expect(ageOn('2008-11-23', '2026-11-23')).toBe(18);
  });
});
