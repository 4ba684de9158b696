// What the profile shows at a glance: age (from the birth date, else the estimate), phone numbers.
import type { ClientProfile } from '../lib/backend';
import { t } from '../lib/i18n/i18n.svelte';

/** Whole years from an ISO birth date (`2010-08-15`) to `today`, or null for no usable date. */
export function yearsSince(isoBirth: string, today: Date): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(isoBirth);
  if (!m) return null;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  let years = today.getFullYear() - y;
  if (today.getMonth() + 1 < mo || (today.getMonth() + 1 === mo && today.getDate() < d)) years -= 1;
  return years >= 0 ? years : null;
}

/** The estimated age on `today`: the estimate grown by the whole years since the day it was
 * given (as the core counts it), null without an estimate. */
export function estimatedAgeNow(p: Pick<ClientProfile, 'estimated_age' | 'estimated_age_on'>, today: Date): number | null {
  if (p.estimated_age === null) return null;
  const since = p.estimated_age_on ? yearsSince(p.estimated_age_on, today) ?? 0 : 0;
  return p.estimated_age + since;
}

/** "15 tahun", "sekitar 40 tahun" for an estimate, "—" when neither is known. */
export function ageText(p: Pick<ClientProfile, 'birth_date' | 'estimated_age' | 'estimated_age_on'>, today: Date): string {
  const years = p.birth_date ? yearsSince(p.birth_date, today) : null;
  if (years !== null) return t('client.ageYears', { years });
  const estimate = estimatedAgeNow(p, today);
  if (estimate !== null) return t('client.ageEstimated', { years: estimate });
  return '—';
}

/** The client's phone and WhatsApp numbers, comma-separated. */
export function phones(p: Pick<ClientProfile, 'contacts'>): string {
  return p.contacts
    .filter((c) => c.kind === 'phone' || c.kind === 'whats_app')
    .map((c) => c.value)
    .join(', ');
}
