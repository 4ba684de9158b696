// The join form's errors sit beside the field they concern, its own checks and the core's
// refusals alike; the rest (the server cannot be reached) stays for the whole form (issue #19).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { clearMocks, mockIPC } from '@tauri-apps/api/mocks';
import { errorBeside, press, render, settle, stubScrolling, typeInto } from '../lib/testing/render';
import JoinForm from './JoinForm.svelte';

const noop = (): void => {};
beforeEach(() => stubScrolling());
afterEach(() => clearMocks());

function filled(refusal: string) {
  mockIPC((cmd) => {
    if (cmd === 'team_join') throw { code: refusal, message: 'refused' };
    throw new Error(`unexpected ${cmd}`);
  });
  const r = render(JoinForm, { mode: 'firstRun', onJoined: noop });
  typeInto(r.q('join-server'), 'https://sync.rumahteduh.example');
  typeInto(r.q('join-username'), 'konselor.budi');
  typeInto(r.q('join-invitation'), 'ABCD-EFGH');
  typeInto(r.q('join-passphrase'), 'kopi pagi di teras rumah');
  typeInto(r.q('join-confirm'), 'kopi pagi di teras rumah');
  return r;
}

describe('joining an organisation', () => {
  it('puts a refused invitation beside the invitation code and clears it when she retypes it', async () => {
    const r = filled('InvalidInvitation');
    press(r.q('join-submit'));
    await settle();
    expect(errorBeside(r.q('join-invitation'))).toContain('Kode undangan tidak berlaku');
    expect(r.q('join-error'), 'not also for the whole form').toBeNull();
    typeInto(r.q('join-invitation'), 'WXYZ-1234');
    expect(errorBeside(r.q('join-invitation')), 'retyped: no longer marked').toBeNull();
    r.destroy();
  });

  it('puts a taken username beside the username and a bad address beside the server', async () => {
    const r = filled('UsernameTaken');
    press(r.q('join-submit'));
    await settle();
    expect(errorBeside(r.q('join-username'))).toContain('Nama pengguna ini sudah dipakai');
    r.destroy();

    const s = filled('InvalidServerUrl');
    press(s.q('join-submit'));
    await settle();
    expect(errorBeside(s.q('join-server'))).toContain('Alamat server harus diawali https://');
    s.destroy();
  });

  it('keeps an unreachable server for the whole form, beside no field', async () => {
    const r = filled('ServerUnreachable');
    press(r.q('join-submit'));
    await settle();
    expect(r.q('join-error')?.textContent).toContain('Server tidak dapat dihubungi');
    for (const id of ['join-server', 'join-username', 'join-invitation', 'join-passphrase']) {
      expect(errorBeside(r.q(id)), id).toBeNull();
    }
    r.destroy();
  });

  it('shows its own check beside the field: an address that is not https://', async () => {
    const r = filled('InvalidInvitation');
    // A URL the browser accepts (so the form is submitted) but Teduh does not.
    typeInto(r.q('join-server'), 'ftp://sync.rumahteduh.example');
    press(r.q('join-submit'));
    await settle();
    expect(errorBeside(r.q('join-server'))).not.toBeNull();
    r.destroy();
  });

  it('shows who invites before she sets her passphrase, and joins with the username the code names', async () => {
    const code = 'ABCDE-FGHJK-MNPQR-STVWX-YZ012-3';
    const joined: unknown[] = [];
    mockIPC((cmd, args) => {
      if (cmd === 'invitation_preview') {
        return { inviter: 'sup.ani', inviter_role: 'supervisor', team: 'Tim Kupang', organisation: 'Rumah Healing', username: 'kons.baru', role: 'counselor', level: null, org_fingerprint: '1a2b 3c4d 5e6f 7a8b' };
      }
      if (cmd === 'team_join') {
        joined.push(args);
        return { joined: true };
      }
      throw new Error(`unexpected ${cmd}`);
    });
    const r = render(JoinForm, { mode: 'firstRun', onJoined: noop });
    typeInto(r.q('join-server'), 'https://sync.rumahteduh.example');
    typeInto(r.q('join-invitation'), code);
    await settle();
    expect(r.q('join-invited')?.textContent).toContain('Diundang oleh sup.ani (Supervisor) · Tim Kupang · Rumah Healing');
    expect(r.q('join-invited')?.textContent).toContain('kons.baru (Konselor)');
    expect(r.q('join-org-fingerprint')?.textContent).toContain('Kunci organisasi: 1a2b 3c4d 5e6f 7a8b');
    typeInto(r.q('join-passphrase'), 'kopi pagi di teras rumah');
    typeInto(r.q('join-confirm'), 'kopi pagi di teras rumah');
    press(r.q('join-submit'));
    await settle();
    expect(joined).toEqual([{ form: { server_url: 'https://sync.rumahteduh.example', username: 'kons.baru', passphrase: 'kopi pagi di teras rumah', invitation: code } }]);
    r.destroy();
  });
});
