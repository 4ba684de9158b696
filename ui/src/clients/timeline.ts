// The client's timeline: sessions, screenings and referrals in one list, newest first, so the
// story of the work reads in order (each kind also has its own panel for actions).
import type { ClientDetail, Note, ReferralRecord, ScreeningRecord } from '../lib/backend';
import { t } from '../lib/i18n/i18n.svelte';

export type TimelineEntry =
  | { kind: 'session'; at: string | null; note: Note }
  | { kind: 'screening'; at: string | null; screening: ScreeningRecord }
  | { kind: 'referral'; at: string | null; referral: ReferralRecord };

/** Newest first; entries without a time (an undated draft) lead, as work in progress. */
export function timeline(detail: Pick<ClientDetail, 'notes' | 'screenings' | 'referrals'>): TimelineEntry[] {
  const entries: TimelineEntry[] = [
    ...detail.notes.map((note) => ({ kind: 'session' as const, at: note.content.occurred_at, note })),
    ...detail.screenings.map((screening) => ({ kind: 'screening' as const, at: screening.answers.administered_at, screening })),
    ...detail.referrals.map((referral) => ({ kind: 'referral' as const, at: referral.updates[0]?.at ?? null, referral })),
  ];
  const time = (e: TimelineEntry): number => (e.at ? new Date(e.at).getTime() : Number.POSITIVE_INFINITY);
  // A stable sort keeps creation order among entries at the same time.
  return entries
    .map((e, i) => ({ e, i }))
    .sort((a, b) => time(b.e) - time(a.e) || b.i - a.i)
    .map(({ e }) => e);
}

/** "Bahasa: Inggris": the language a screening was asked in, for its timeline line; null for
 * Indonesian (the usual case, not repeated on every line). English is named in the UI's
 * language; any other language is shown as it was written. */
export function screeningLanguage(language: string | null | undefined): string | null {
  const code = (language ?? '').trim();
  if (code === '' || code.toLowerCase() === 'id') return null;
  const name = code.toLowerCase() === 'en' ? t('profile.screeningLanguage.en') : code;
  return t('profile.screeningLanguage', { language: name });
}
