// A wrong passphrase is shown beside the passphrase field, which is marked (issue #19).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { clearMocks, mockIPC } from '@tauri-apps/api/mocks';
import { errorBeside, press, render, settle, stubScrolling, typeInto } from '../lib/testing/render';
import Unlock from './Unlock.svelte';

beforeEach(() => stubScrolling());
afterEach(() => clearMocks());

describe('unlocking', () => {
  it('marks the passphrase field with the wrong-passphrase message and clears it as she types', async () => {
    mockIPC((cmd) => {
      if (cmd === 'vault_unlock') throw { code: 'WrongPassphrase', message: 'wrong passphrase' };
      throw new Error(`unexpected ${cmd}`);
    });
    const r = render(Unlock, { onUnlocked: () => {} });
    typeInto(r.q('unlock-passphrase'), 'kopi pagi di teras');
    press(r.q('unlock-button'));
    await settle();
    expect(errorBeside(r.q('unlock-passphrase'))).toContain('Frasa sandi salah');
    typeInto(r.q('unlock-passphrase'), 'k');
    expect(errorBeside(r.q('unlock-passphrase')), 'typing again: no longer marked').toBeNull();
    r.destroy();
  });
});
