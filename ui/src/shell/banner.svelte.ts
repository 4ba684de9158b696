// The app-wide error banner belongs to the screen it came from: it is shown there only, and goes
// when the user changes an input or moves to another screen.
import type { ErrorCode } from '../lib/i18n/catalogue';

export const banner = $state<{ code: ErrorCode | null; place: string | null }>({ code: null, place: null });

/** Shows `code` on the screen `place` (its key, e.g. `client:<id>`). */
export function showBanner(code: ErrorCode, place: string): void {
  banner.code = code;
  banner.place = place;
}

/** The error to show on `place`, if one came from there. */
export function bannerOn(place: string): ErrorCode | null {
  return banner.place === place ? banner.code : null;
}

/** The user changed an input or the screen changed: the old error no longer applies. */
export function clearBanner(): void {
  banner.code = null;
  banner.place = null;
}
