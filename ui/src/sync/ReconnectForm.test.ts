// Signing in again after a restore: a refused invitation sits beside the invitation code, a
// refusal about neither field stays for the form (issue #19).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { clearMocks, mockIPC } from '@tauri-apps/api/mocks';
import { errorBeside, press, render, settle, stubScrolling, typeInto } from '../lib/testing/render';
import ReconnectForm from './ReconnectForm.svelte';

beforeEach(() => stubScrolling());
afterEach(() => clearMocks());

function answering(refusal: string) {
  mockIPC((cmd) => {
    if (cmd === 'sync_reconnect') throw { code: refusal, message: 'refused' };
    throw new Error(`unexpected ${cmd}`);
  });
  const r = render(ReconnectForm, {});
  typeInto(r.q('reconnect-passphrase'), 'kopi pagi di teras rumah');
  typeInto(r.q('reconnect-invitation'), 'ABCD-EFGH');
  press(r.q('reconnect-submit'));
  return r;
}

describe('signing in again to a restored server', () => {
  it('puts a refused invitation beside the code, and clears it when she retypes it', async () => {
    const r = answering('InvalidInvitation');
    await settle();
    expect(errorBeside(r.q('reconnect-invitation'))).toContain('Kode undangan tidak berlaku');
    expect(r.q('reconnect-error')).toBeNull();
    typeInto(r.q('reconnect-invitation'), 'WXYZ-1234');
    expect(errorBeside(r.q('reconnect-invitation'))).toBeNull();
    r.destroy();
  });

  it('keeps "this is another server" for the form, beside no field', async () => {
    const r = answering('ServerMismatch');
    await settle();
    expect(r.q('reconnect-error')?.dataset.code).toBe('ServerMismatch');
    expect(errorBeside(r.q('reconnect-passphrase'))).toBeNull();
    expect(errorBeside(r.q('reconnect-invitation'))).toBeNull();
    r.destroy();
  });
});
