// The passphrase meter: the core rates (zxcvbn with an Indonesian word list, the same rating the
// vault applies when it is created or changed); this module only asks and shows.
import { passphraseStrength, type PassphraseRatingView, type PassphraseStrength } from '../lib/backend';
import type { MessageKey } from '../lib/i18n/catalogue';

/** The core's minimum length (`MIN_PASSPHRASE_CHARS`), for checks before anything is sent. */
export const MIN_LENGTH = 12;

/** Long enough to send to the core, which rates it and refuses a weak one itself. */
export function isAcceptable(p: string): boolean {
  return [...p].length >= MIN_LENGTH;
}

const ORDER: PassphraseStrength[] = ['too_short', 'weak', 'fair', 'strong'];

/** The meter's position, 0 (too short) to 3 (strong). */
export function meterValue(s: PassphraseStrength): number {
  return ORDER.indexOf(s);
}

export function strengthLabel(s: PassphraseStrength): MessageKey {
  return `strength.${s}`;
}

/** Why the core would refuse it, as the sentence to show; null when acceptable. */
export function refusal(r: PassphraseRatingView): MessageKey | null {
  if (r.acceptable) return null;
  return r.strength === 'too_short' ? 'error.PassphraseTooShort' : 'error.PassphraseTooWeak';
}

/** Asks the core to rate each new text and hands on only the rating of the latest one (an
 * answer to an older keystroke that arrives late is dropped). */
export function createMeter(onRating: (r: PassphraseRatingView | null) => void): (p: string) => Promise<void> {
  let latest = 0;
  return async (p: string) => {
    const mine = ++latest;
    if (p === '') return onRating(null);
    try {
      const r = await passphraseStrength(p);
      if (mine === latest) onRating(r);
    } catch {
      if (mine === latest) onRating(null);
    }
  };
}
