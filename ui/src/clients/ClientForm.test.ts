// Errors of the client form are shown beside the field they concern (issue #19).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { clearMocks, mockIPC } from '@tauri-apps/api/mocks';
import { errorBeside, render, settle, stubScrolling, typeInto, press } from '../lib/testing/render';
import type { ErrorCode } from '../lib/i18n/catalogue';
import ClientForm from './ClientForm.svelte';

const noop = (): void => {};
beforeEach(() => stubScrolling());
afterEach(() => clearMocks());

function form(onError: (code: ErrorCode) => void = noop) {
  const r = render(ClientForm, { onSaved: noop, onCancel: noop, onError });
  typeInto(r.q('client-code'), 'K-UJI-1');
  typeInto(r.q('client-name'), 'Klien Uji');
  return r;
}

describe('the client form', () => {
  it('shows a birth date that does not exist beside the birth-date field, and clears it when she corrects it', () => {
    mockIPC(() => {
      throw new Error('nothing is saved while the form has an error');
    });
    const r = form();
    typeInto(r.q('client-birth-date'), '31/02/2026');
    press(r.q('client-save'));
    expect(errorBeside(r.q('client-birth-date'))).toBe('Tanggal ini tidak ada di kalender (periksa hari dan bulan).');
    expect(errorBeside(r.q('client-code')), 'the code is fine').toBeNull();

    typeInto(r.q('client-birth-date'), '28/02/1990');
    expect(errorBeside(r.q('client-birth-date')), 'corrected: no longer marked').toBeNull();
    expect(r.target.textContent).not.toContain('tidak ada di kalender');
    r.destroy();
  });

  it('drops "birth date or age" from the age field once a birth date is typed', () => {
    const r = form();
    press(r.q('client-save'));
    expect(errorBeside(r.q('client-estimated-age'))).toBe('Isi tanggal lahir atau perkiraan usia.');
    typeInto(r.q('client-birth-date'), '17/10/1990');
    expect(errorBeside(r.q('client-estimated-age')), 'what it asked for is there').toBeNull();
    r.destroy();
  });

  it('puts the core\'s "code already used" beside the code, and a failure without a field in the screen banner', async () => {
    let refusal = 'DuplicateCode';
    mockIPC((cmd) => {
      if (cmd === 'client_create') throw { code: refusal, message: 'refused' };
      throw new Error(`unexpected ${cmd}`);
    });
    const banner: ErrorCode[] = [];
    const r = form((code) => banner.push(code));
    typeInto(r.q('client-estimated-age'), '30');
    press(r.q('client-save'));
    await settle();
    expect(errorBeside(r.q('client-code'))).toBe('Kode klien ini sudah dipakai. Pilih kode lain.');
    expect(banner, 'not also in the banner').toEqual([]);

    refusal = 'DiskFull';
    typeInto(r.q('client-code'), 'K-UJI-2');
    press(r.q('client-save'));
    await settle();
    expect(banner).toEqual(['DiskFull']);
    expect(errorBeside(r.q('client-code'))).toBeNull();
    r.destroy();
  });
});
