// Words for a directory entry's state, through the i18n catalogue.
import type { OpenView } from '../lib/backend';
import { t } from '../lib/i18n/i18n.svelte';
import type { MessageKey } from '../lib/i18n/catalogue';
import { clockText } from '../lib/format/datetime';

export const CATEGORY_CODES = [
  'emergency',
  'mental_health',
  'child_protection',
  'women_and_violence',
  'social_welfare',
  'health',
  'education',
  'civil_registry',
  'legal_aid',
] as const;

export function categoryLabel(code: string): string {
  return (CATEGORY_CODES as readonly string[]).includes(code) ? t(`category.${code}` as MessageKey) : code;
}

/** "Buka sekarang, sampai 16.00 WIB", "Tutup sekarang; buka Senin 08.00 WIB", ... */
export function openLabel(open: OpenView, zone: string): string {
  switch (open.state) {
    case 'alwaysOpen':
      return t('open.always');
    case 'open':
      return t('open.open', { time: clockText(open.closes), zone });
    case 'closed':
      if (open.weekday === null || open.opens === null) return t('open.closed');
      return t('open.closedNext', { day: t(`weekday.${open.weekday}` as MessageKey), time: clockText(open.opens), zone });
    case 'holiday': {
      const what = t(open.cuti_bersama ? 'open.cutiBersama' : 'open.holiday', { name: open.name });
      if (open.weekday === null || open.opens === null) return what;
      return t('open.holidayNext', {
        what,
        day: t(`weekday.${open.weekday}` as MessageKey),
        time: clockText(open.opens),
        zone,
      });
    }
    case 'unknown':
      return t('open.unknown');
  }
}

export const SITUATION_CODES = [
  'suicide_risk',
  'child_in_danger',
  'violence_against_woman',
  'medical_emergency',
  'general_emergency',
] as const;

/** The emergency panel's key for a situation ("Risiko bunuh diri"). */
export function situationLabel(code: string): string {
  return (SITUATION_CODES as readonly string[]).includes(code) ? t(`situation.${code}` as MessageKey) : code;
}

/** "Senin", or "Hari ini (Senin)" / "Besok (Selasa)" for the first two days of a rota week. */
export function rotaDayLabel(weekday: number, position: number): string {
  const day = t(`weekday.${weekday}` as MessageKey);
  if (position === 0) return t('rota.today', { day });
  if (position === 1) return t('rota.tomorrow', { day });
  return day;
}

/** Whether the entry is answering now (for the colour of its badge). */
export function isOpen(open: OpenView): boolean {
  return open.state === 'alwaysOpen' || open.state === 'open';
}
