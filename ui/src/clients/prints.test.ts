// Printing from a client's profile: the case file with the parts chosen, and a referral's
// letter with its text for a chat, both saved in the export folder (the path is shown).
import { afterEach, describe, expect, it } from 'vitest';
import { clearMocks, mockIPC } from '@tauri-apps/api/mocks';
import { press, render, settle } from '../lib/testing/render';
import CaseFilePrint from './CaseFilePrint.svelte';
import ReferralPanel from './ReferralPanel.svelte';
import type { ReferralRecord } from '../lib/backend';

afterEach(() => clearMocks());

describe('printing from the profile', () => {
  it('prints the case file with just the parts left ticked and shows where it went', async () => {
    const asked: unknown[] = [];
    mockIPC((cmd, args) => {
      if (cmd === 'report_case_file') {
        asked.push(args);
        return '/data/ekspor/berkas-kasus-BK-0001-20261206.pdf';
      }
      throw new Error(`unexpected ${cmd}`);
    });
    const r = render(CaseFilePrint, { client: 'c1', onError: () => {} });
    (r.q('case-file-sessions') as HTMLInputElement).click();
    press(r.q('case-file-print'));
    await settle();
    expect(asked).toEqual([{ client: 'c1', parts: { profile: true, cases: true, consents: true, sessions: false, screenings: true, referrals: true, reviews: true } }]);
    expect(r.q('case-file-saved')?.textContent).toContain('berkas-kasus-BK-0001-20261206.pdf');
    r.destroy();
  });

  it('prints a referral letter and offers its text for WhatsApp', async () => {
    mockIPC((cmd, args) => {
      if (cmd === 'report_referral_letter') {
        expect(args).toEqual({ client: 'c1', referral: 'r1' });
        return { path: '/data/ekspor/surat-rujukan-BK-0001-r1.pdf', text: 'Surat Rujukan\nNomor: RJK/2026/12/R1' };
      }
      return [];
    });
    const referral: ReferralRecord = {
      id: 'r1',
      referral: {
        partner_id: 'sapa-129', partner_name: 'SAPA 129', partner_contact: '', partner_outside_directory: false,
        reason: 'Pendampingan hukum', urgency: 'routine', shared_data: [], lawful_basis: null, follow_up_due: null, follow_up_task: null,
      },
      updates: [],
      status: 'sent',
    };
    const r = render(ReferralPanel, { client: 'c1', referrals: [referral], consents: [], onChanged: () => {}, onError: () => {} });
    press(r.q('referral-letter'));
    await settle();
    expect(r.q('referral-letter-saved')?.textContent).toContain('surat-rujukan-BK-0001-r1.pdf');
    expect((r.q('referral-letter-text') as HTMLTextAreaElement).value).toContain('Nomor: RJK/2026/12/R1');
    r.destroy();
  });
});
