// "Kirim rujukan" marks the field that stopped it (issue #19).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { clearMocks, mockIPC } from '@tauri-apps/api/mocks';
import { choose, errorBeside, render, settle, stubScrolling, typeInto, press } from '../lib/testing/render';
import ReferralPanel from './ReferralPanel.svelte';

const noop = (): void => {};
beforeEach(() => stubScrolling());
afterEach(() => clearMocks());

describe('sending a referral without consent for it', () => {
  it('shows the missing legal basis beside its select, and the core\'s refusal there too', async () => {
    let sent = 0;
    mockIPC((cmd) => {
      if (cmd === 'referral_add') {
        sent++;
        throw { code: 'NoConsent', message: 'no consent covers referral' };
      }
      throw new Error(`unexpected ${cmd}`);
    });
    const r = render(ReferralPanel, { client: 'c1', referrals: [], consents: [], onChanged: noop, onError: noop });
    press(r.q('referral-new'));
    choose(r.q('referral-outside-toggle'), true);
    typeInto(r.q('referral-outside-name'), 'Rumah Aman Uji');
    typeInto(r.q('referral-outside-contact'), '0800-0000-0000');
    typeInto(r.q('referral-reason'), 'butuh tempat aman (data sintetis)');
    press(r.q('referral-send'));
    await settle();
    expect(sent, 'not sent without a basis').toBe(0);
    expect(errorBeside(r.q('referral-basis'))).toContain('Pilih dasar hukum merujuk tanpa persetujuan');

    choose(r.q('referral-basis'), 'vital_interest');
    expect(errorBeside(r.q('referral-basis')), 'chosen: no longer marked').toBeNull();
    press(r.q('referral-send'));
    await settle();
    expect(sent).toBe(1);
    expect(errorBeside(r.q('referral-basis'))).toBe('Persetujuan klien belum mencakup rujukan. Catat persetujuan untuk rujukan, atau isi dasar hukum merujuk tanpa persetujuan.');
    r.destroy();
  });
});
