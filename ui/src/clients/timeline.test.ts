import { describe, expect, it } from 'vitest';
import type { Note, ReferralRecord, ScreeningRecord } from '../lib/backend';
import { screeningLanguage, timeline } from './timeline';
import { setLocale } from '../lib/i18n/i18n.svelte';

const note = (id: string, at: string | null): Note =>
  ({ id, client: 'c', author: null, content: { occurred_at: at }, status: { status: 'draft' }, addenda: [] }) as unknown as Note;
const screening = (id: string, at: string): ScreeningRecord =>
  ({ id, answers: { administered_at: at }, result: {} }) as unknown as ScreeningRecord;
const referral = (id: string, at: string): ReferralRecord =>
  ({ id, referral: {}, updates: [{ status: 'sent', at, note: '' }], status: 'sent' }) as unknown as ReferralRecord;

describe('timeline', () => {
  it('puts sessions, screenings and referrals in one list, newest first, undated drafts on top', () => {
    const entries = timeline({
      notes: [note('n1', '2026-11-01T02:00:00Z'), note('n2', null)],
      screenings: [screening('s1', '2026-11-10T02:00:00Z')],
      referrals: [referral('r1', '2026-11-05T02:00:00Z')],
    });
    expect(entries.map((e) => `${e.kind}:${e.kind === 'session' ? e.note.id : e.kind === 'screening' ? e.screening.id : e.referral.id}`)).toEqual([
      'session:n2',
      'screening:s1',
      'referral:r1',
      'session:n1',
    ]);
  });
});

describe('the language a screening was asked in', () => {
  it('is not repeated for Indonesian, names English, and shows any other language as written', () => {
    expect(screeningLanguage('id')).toBeNull();
    expect(screeningLanguage('')).toBeNull();
    expect(screeningLanguage(null)).toBeNull();
    expect(screeningLanguage('en')).toBe('Bahasa: Inggris');
    expect(screeningLanguage('Bahasa Jawa')).toBe('Bahasa: Bahasa Jawa');
    setLocale('en');
    expect(screeningLanguage('en')).toBe('Language: English');
    expect(screeningLanguage('Bahasa Bugis')).toBe('Language: Bahasa Bugis');
    setLocale('id');
  });
});
