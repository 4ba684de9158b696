// The first-run passphrase errors sit beside the passphrase fields (issue #19).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { clearMocks, mockIPC } from '@tauri-apps/api/mocks';
import { errorBeside, render, settle, stubScrolling, typeInto, press } from '../lib/testing/render';
import FirstRun from './FirstRun.svelte';

const noop = (): void => {};
beforeEach(() => stubScrolling());
afterEach(() => clearMocks());

describe('choosing the passphrase at first run', () => {
  it('shows a weak passphrase beside it and a mismatch beside the confirmation', async () => {
    mockIPC((cmd, args) => {
      const p = (args as { passphrase: string }).passphrase;
      if (cmd === 'passphrase_strength') {
        const ok = p !== 'bismillah123';
        return { strength: ok ? 'strong' : 'weak', acceptable: ok, min_chars: 12 };
      }
      throw new Error(`unexpected ${cmd}`);
    });
    const r = render(FirstRun, { onCreated: noop, onError: noop });
    press(r.q('setup-choice-local'));
    typeInto(r.q('setup-passphrase'), 'bismillah123');
    typeInto(r.q('setup-confirm'), 'bismillah123');
    press(r.q('setup-create'));
    await settle();
    expect(errorBeside(r.q('setup-passphrase'))).toContain('Frasa sandi ini mudah ditebak');
    expect(errorBeside(r.q('setup-confirm'))).toBeNull();

    typeInto(r.q('setup-passphrase'), 'kopi pagi di teras rumah');
    expect(errorBeside(r.q('setup-passphrase')), 'changed: no longer marked').toBeNull();
    press(r.q('setup-create'));
    await settle();
    expect(errorBeside(r.q('setup-confirm'))).toBe('Kedua frasa sandi tidak sama.');
    r.destroy();
  });
});
