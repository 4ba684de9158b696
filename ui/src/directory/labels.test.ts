import { describe, expect, it } from 'vitest';
import { setLocale } from '../lib/i18n/i18n.svelte';
import { categoryLabel, isOpen, openLabel, rotaDayLabel, situationLabel } from './labels';

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
    expect(openLabel({ state: 'closed', weekday: 4, opens: '08.00' }, 'WIT')).toBe('Closed now; opens Friday 08:00 WIT');
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

  it('says a service is closed for a holiday, and when cuti bersama only probably closes it', () => {
    setLocale('id');
    expect(openLabel({ state: 'holiday', name: 'Idul Fitri 1447 Hijriah', cuti_bersama: false, weekday: 2, opens: '08.00' }, 'WIB')).toBe(
      'Tutup: libur nasional (Idul Fitri 1447 Hijriah); buka Rabu 08.00 WIB',
    );
    expect(openLabel({ state: 'holiday', name: 'Cuti bersama Natal', cuti_bersama: true, weekday: null, opens: null }, 'WITA')).toBe(
      'Cuti bersama (Cuti bersama Natal): kemungkinan tutup',
    );
    expect(isOpen({ state: 'holiday', name: 'x', cuti_bersama: false, weekday: null, opens: null })).toBe(false);
  });

  it('names the situations of the emergency panel and the days of a rota', () => {
    setLocale('id');
    expect(situationLabel('suicide_risk')).toBe('Risiko bunuh diri');
    expect(situationLabel('violence_against_woman')).toBe('Kekerasan terhadap perempuan');
    expect(rotaDayLabel(4, 0)).toBe('Hari ini (Jumat)');
    expect(rotaDayLabel(5, 1)).toBe('Besok (Sabtu)');
    expect(rotaDayLabel(6, 2)).toBe('Minggu');
    setLocale('en');
    expect(situationLabel('child_in_danger')).toBe('A child in danger');
    expect(rotaDayLabel(0, 0)).toBe('Today (Monday)');
    setLocale('id');
  });
});
