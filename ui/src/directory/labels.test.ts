import { describe, expect, it } from 'vitest';
import { setLocale } from '../lib/i18n/i18n.svelte';
import { categoryLabel, isOpen, openLabel } from './labels';

describe('directory labels', () => {
  it('says until when a service is open, in its own zone', () => {
    setLocale('id');
    expect(openLabel({ state: 'open', closes: '16.00' }, 'WIB')).toBe('Buka sekarang, sampai 16.00 WIB');
  });

  it('says when a closed service opens again, with the Indonesian weekday', () => {
    setLocale('id');
    expect(openLabel({ state: 'closed', weekday: 0, opens: '08.00' }, 'WITA')).toBe(
      'Tutup sekarang; buka Senin 08.00 WITA',
    );
    setLocale('en');
    expect(openLabel({ state: 'closed', weekday: 4, opens: '08.00' }, 'WIT')).toBe('Closed now; opens Friday 08.00 WIT');
    setLocale('id');
  });

  it('never presents unknown hours as open', () => {
    expect(isOpen({ state: 'unknown' })).toBe(false);
    expect(openLabel({ state: 'unknown' }, 'WIB')).toBe('Jam layanan tidak diketahui');
    expect(isOpen({ state: 'alwaysOpen' })).toBe(true);
  });

  it('translates category codes and shows unknown codes as they are', () => {
    expect(categoryLabel('child_protection')).toBe('Perlindungan anak');
    expect(categoryLabel('something_new')).toBe('something_new');
  });
});
