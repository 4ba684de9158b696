// Adding a further computer of one's own (issue #17): one call makes the code, shown with what
// to do on the new computer; a refusal is said in words.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { clearMocks, mockIPC } from '@tauri-apps/api/mocks';
import { press, render, settle, stubScrolling } from '../lib/testing/render';
import AddDevice from './AddDevice.svelte';

beforeEach(() => stubScrolling());
afterEach(() => clearMocks());

describe('adding a further computer', () => {
  it('shows the code and what to type on the new computer', async () => {
    let calls = 0;
    mockIPC((cmd) => {
      if (cmd === 'team_device_code') {
        calls += 1;
        return 'ABCDE-FGHJK-MNPQR-STVWX';
      }
      throw new Error(`unexpected ${cmd}`);
    });
    const r = render(AddDevice, { username: 'kons.budi' });
    expect(r.q('add-device-code')).toBeNull();
    press(r.q('add-device-make'));
    await settle();
    expect(calls).toBe(1);
    expect(r.q('add-device-code')?.textContent).toBe('ABCDE-FGHJK-MNPQR-STVWX');
    expect(r.q('add-device-next')?.textContent).toContain('kons.budi');
    r.destroy();
  });

  it('says why when the server cannot be reached', async () => {
    mockIPC((cmd) => {
      if (cmd === 'team_device_code') throw { code: 'ServerUnreachable', message: 'offline' };
      throw new Error(`unexpected ${cmd}`);
    });
    const r = render(AddDevice, { username: 'kons.budi' });
    press(r.q('add-device-make'));
    await settle();
    expect(r.q('add-device-code')).toBeNull();
    expect(r.q('add-device-error')?.dataset.code).toBe('ServerUnreachable');
    r.destroy();
  });
});
