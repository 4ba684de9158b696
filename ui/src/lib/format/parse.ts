// Parsing what users type: dates as dd/MM/yyyy, times as HH.mm (or HH:mm).

/** `17/10/2022` -> `2022-10-17`; null when not a real date. */
export function parseDate(text: string): string | null {
  const m = text.trim().match(/^(\d{1,2})\/(\d{1,2})\/(\d{4})$/);
  if (!m) return null;
  const [d, mo, y] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(y, mo - 1, d));
  if (date.getUTCFullYear() !== y || date.getUTCMonth() !== mo - 1 || date.getUTCDate() !== d) return null;
  return `${y}-${String(mo).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
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
