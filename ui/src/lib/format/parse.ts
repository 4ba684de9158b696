// Parsing what users type: dates as dd/MM/yyyy, times as HH.mm (or HH:mm).

/** Why typed text is not a date: not in the dd/MM/yyyy shape, or in the shape but not in the
 * calendar (`31/02/2026`, `12/13/2026`). */
export type DateProblem = 'format' | 'not_real';

/** `17/10/2022` -> `2022-10-17`, or why it is not a date. */
export function readDate(text: string): { iso: string } | { problem: DateProblem } {
  const m = text.trim().match(/^(\d{1,2})\/(\d{1,2})\/(\d{4})$/);
  if (!m) return { problem: 'format' };
  const [d, mo, y] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(y, mo - 1, d));
  if (date.getUTCFullYear() !== y || date.getUTCMonth() !== mo - 1 || date.getUTCDate() !== d) {
    return { problem: 'not_real' };
  }
  return { iso: `${y}-${String(mo).padStart(2, '0')}-${String(d).padStart(2, '0')}` };
}

/** `17/10/2022` -> `2022-10-17`; null when not a real date. */
export function parseDate(text: string): string | null {
  const r = readDate(text);
  return 'iso' in r ? r.iso : null;
}

/** `2022-10-17` -> `17/10/2022`. */
export function isoToDisplay(iso: string | null): string {
  if (!iso) return '';
  const [y, m, d] = iso.slice(0, 10).split('-');
  return `${d}/${m}/${y}`;
}

/** `14.05` -> minutes after midnight; null when invalid. */
export function parseTime(text: string): number | null {
  const m = text.trim().match(/^(\d{1,2})[.:](\d{2})$/);
  if (!m) return null;
  const [h, mi] = [Number(m[1]), Number(m[2])];
  return h < 24 && mi < 60 ? h * 60 + mi : null;
}

const OFFSETS: Record<string, number> = { 'Asia/Jakarta': 7, 'Asia/Pontianak': 7, 'Asia/Makassar': 8, 'Asia/Jayapura': 9 };

/** A local date and time in an Indonesian zone -> the UTC instant (RFC 3339). */
export function localToUtc(isoDate: string, minutes: number, zone: string): string {
  const [y, m, d] = isoDate.split('-').map(Number) as [number, number, number];
  const offset = OFFSETS[zone] ?? 7;
  const ms = Date.UTC(y, m - 1, d, 0, minutes) - offset * 3600_000;
  return new Date(ms).toISOString().replace('.000Z', 'Z');
}

/** Age in whole years on `today` (ISO dates). */
export function ageOn(birthIso: string, todayIso: string): number {
  const [by, bm, bd] = birthIso.split('-').map(Number) as [number, number, number];
  const [ty, tm, td] = todayIso.split('-').map(Number) as [number, number, number];
  let age = ty - by;
  if (tm < bm || (tm === bm && td < bd)) age -= 1;
  return age;
}
