import { afterEach, describe, expect, it } from 'vitest';
import { clearMocks, mockIPC } from '@tauri-apps/api/mocks';
import type { PassphraseRatingView } from '../lib/backend';
import { createMeter, isAcceptable, meterValue, refusal, strengthLabel } from './strength';

afterEach(() => clearMocks());

const rating = (strength: PassphraseRatingView['strength']): PassphraseRatingView => ({
  strength,
  acceptable: strength === 'fair' || strength === 'strong',
  min_chars: 12,
});

describe('passphrase meter', () => {
  it('asks the core instead of rating by itself, and shows its answer', async () => {
    const asked: unknown[] = [];
    mockIPC((cmd, args) => {
      if (cmd !== 'passphrase_strength') throw new Error(`unexpected ${cmd}`);
      asked.push(args);
      return rating('weak');
    });
    let shown: PassphraseRatingView | null = null;
    await createMeter((r) => (shown = r))('password1234');
    expect(asked).toEqual([{ passphrase: 'password1234' }]);
    expect(shown).toEqual(rating('weak'));
    expect(strengthLabel('weak')).toBe('strength.weak');
    expect(refusal(rating('weak'))).toBe('error.PassphraseTooWeak');
    expect(refusal(rating('too_short'))).toBe('error.PassphraseTooShort');
    expect(refusal(rating('strong'))).toBeNull();
  });

  it('drops a late answer to an older keystroke', async () => {
    let release: (() => void) | null = null;
    mockIPC(async (_cmd, args) => {
      const p = (args as { passphrase: string }).passphrase;
      if (p === 'kopi') await new Promise<void>((r) => (release = r));
      return rating(p === 'kopi' ? 'too_short' : 'strong');
    });
    const shown: (PassphraseRatingView | null)[] = [];
    const meter = createMeter((r) => shown.push(r));
    const first = meter('kopi');
    await meter('kopi pagi di teras rumah');
    (release as (() => void) | null)?.();
    await first;
    expect(shown).toEqual([rating('strong')]);
  });

  it('orders the meter and keeps the length check the join form uses', () => {
    expect([meterValue('too_short'), meterValue('weak'), meterValue('fair'), meterValue('strong')]).toEqual([0, 1, 2, 3]);
    expect(isAcceptable('Ab1!Cd2@')).toBe(false);
    expect(isAcceptable('kopi pagi di teras')).toBe(true);
  });
});
