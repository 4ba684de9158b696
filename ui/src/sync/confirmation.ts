// What the sync panel says about the roster this device holds (issue 18, trust 3/3): when
// another key manager's device last confirmed it through a checkpoint, a warning after a week
// without one (a server may be showing this device an old roster and hiding what would say so),
// and a hint when the team has fewer than two key-manager devices. Pure, so every case is tested.
import type { MessageKey } from '../lib/i18n/catalogue';

/** After this many days without a confirmation the panel warns (the core's
 * `ROSTER_CONFIRMATION_WARNING_DAYS`). */
export const WARNING_DAYS = 7;

export interface ConfirmationLine {
  key: MessageKey;
  params: Record<string, number>;
  /** Over a week without a confirmation. */
  stale: boolean;
}

/** Whole days between `iso` and `now` (0 within the first 24 hours). */
function daysSince(iso: string, now: Date): number {
  return Math.max(0, Math.floor((now.getTime() - new Date(iso).getTime()) / (24 * 3600 * 1000)));
}

/** The confirmation line, or null when the team has no other key-manager device to confirm. */
export function confirmationLine(
  confirmedAt: string | null,
  keyManagerDevices: number,
  now: Date = new Date(),
): ConfirmationLine | null {
  if (confirmedAt === null) {
    return keyManagerDevices > 0 ? { key: 'sync.rosterNeverConfirmed', params: {}, stale: false } : null;
  }
  const days = daysSince(confirmedAt, now);
  const stale = days > WARNING_DAYS;
  if (days === 0) return { key: 'sync.rosterConfirmedToday', params: {}, stale };
  return { key: 'sync.rosterConfirmedDays', params: { days }, stale };
}

/** Every team should have at least two key-manager devices: one offline must not leave the team
 * without anyone to make new keys or confirm the roster. */
export function tooFewKeyManagers(keyManagerDevices: number): boolean {
  return keyManagerDevices < 2;
}
