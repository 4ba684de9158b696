import { describe, expect, it } from 'vitest';
import { isAcceptable, passphraseStrength } from './strength';

describe('passphrase strength', () => {
  it('rates short and repetitive passphrases as weak', () => {
    expect(passphraseStrength('abc')).toBe(0);
    expect(passphraseStrength('aaaaaaaaaaaaaaaa')).toBeLessThanOrEqual(1);
    expect(isAcceptable('aaaaaaaaaaaaaaaa')).toBe(false);
  });

  it('rates several words as strong', () => {
    expect(passphraseStrength('kopi pagi di teras rumah')).toBeGreaterThanOrEqual(3);
    expect(isAcceptable('kopi pagi di teras rumah')).toBe(true);
  });

  it('refuses anything shorter than 12 characters even if varied', () => {
    expect(isAcceptable('Ab1!Cd2@')).toBe(false);
  });
});
