// Dates and times as Indonesian users read them: dd/MM/yyyy, "17 Oktober 2022", 24-hour HH.mm with
// the zone label WIB/WITA/WIT (HH:mm in the English UI). Always formatted in the zone where the
// event happened.
import { locale } from '../i18n/i18n.svelte';

const MONTHS_ID = [
  'Januari', 'Februari', 'Maret', 'April', 'Mei', 'Juni',
  'Juli', 'Agustus', 'September', 'Oktober', 'November', 'Desember',
] as const;
const MONTHS_EN = [
  'January', 'February', 'March', 'April', 'May', 'June',
  'July', 'August', 'September', 'October', 'November', 'December',
] as const;

/** Indonesia's three zones and their labels. */
export const ZONE_LABELS: Readonly<Record<string, string>> = {
  'Asia/Jakarta': 'WIB',
  'Asia/Pontianak': 'WIB',
  'Asia/Makassar': 'WITA',
  'Asia/Jayapura': 'WIT',
};

/** The zone shown when nothing better is known (no team yet, or a label it does not know). */
export const DEFAULT_ZONE = 'Asia/Jakarta';

/** The IANA zone of a team's zone label (`WIB`, `WITA`, `WIT`, as the team view gives it);
 * WIB for a computer that has not joined a team, or a label it does not know. */
export function zoneOfTeam(label: string | null | undefined): string {
  switch (label) {
    case 'WITA':
      return 'Asia/Makassar';
    case 'WIT':
      return 'Asia/Jayapura';
    default:
      return DEFAULT_ZONE;
  }
}

/** The zone a record's times are shown in: its own zone when it carries one (a note, a
 * contact), else the team's (`teamLabel` as the team view gives it), else WIB. */
export function zoneFor(own: string | null | undefined, teamLabel: string | null | undefined): string {
  return own || zoneOfTeam(teamLabel);
}

interface Parts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
}

function partsIn(instant: Date, timeZone: string): Parts {
  const fmt = new Intl.DateTimeFormat('en-GB', {
    timeZone,
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    hourCycle: 'h23',
  });
  const get = (type: Intl.DateTimeFormatPartTypes): number =>
    Number(fmt.formatToParts(instant).find((p) => p.type === type)?.value ?? NaN);
  return { year: get('year'), month: get('month'), day: get('day'), hour: get('hour'), minute: get('minute') };
}

const pad = (n: number): string => String(n).padStart(2, '0');

/** `17/10/2022` */
export function formatDate(instant: Date, timeZone: string): string {
  const p = partsIn(instant, timeZone);
  return `${pad(p.day)}/${pad(p.month)}/${p.year}`;
}

/** `17 Oktober 2022` (or `17 October 2022`) */
export function formatLongDate(instant: Date, timeZone: string, locale: 'id' | 'en'): string {
  const p = partsIn(instant, timeZone);
  const months = locale === 'id' ? MONTHS_ID : MONTHS_EN;
  return `${p.day} ${months[p.month - 1] ?? ''} ${p.year}`;
}

/** `14.05 WIB` (`14:05 WIB` in English); zones outside Indonesia fall back to their IANA name. */
export function formatTime(instant: Date, timeZone: string, lang: 'id' | 'en' = locale()): string {
  const p = partsIn(instant, timeZone);
  return `${clockText(`${pad(p.hour)}.${pad(p.minute)}`, lang)} ${ZONE_LABELS[timeZone] ?? timeZone}`;
}

/** `17/10/2022 14.05 WITA`: an instant (RFC 3339) with its date, time and zone label in `zone`;
 * '—' when there is none (or it does not parse). */
export function formatWhen(iso: string | null | undefined, zone: string, lang: 'id' | 'en' = locale()): string {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '—';
  return `${formatDate(d, zone)} ${formatTime(d, zone, lang)}`;
}

/** A clock time the core wrote as `16.00`, as the UI's language writes it (`16:00` in English). */
export function clockText(hhDotMm: string, lang: 'id' | 'en' = locale()): string {
  return lang === 'en' ? hhDotMm.replace(/^(\d{1,2})\.(\d{2})$/, '$1:$2') : hhDotMm;
}
