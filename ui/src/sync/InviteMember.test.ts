// Inviting from the supervisor's own device (issue #17): one call makes the invitation, the code
// is shown with "Kirim lewat WhatsApp", and a refusal is said in words.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { clearMocks, mockIPC } from '@tauri-apps/api/mocks';
import type { TeamView } from '../lib/backend';
import { press, render, settle, stubScrolling, typeInto } from '../lib/testing/render';
import { team } from '../review/team.svelte';
import InviteMember from './InviteMember.svelte';

beforeEach(() => stubScrolling());
afterEach(() => {
  clearMocks();
  team.view = null;
});

const CODE = 'ABCDE-FGHJK-MNPQR-STVWX-YZ012-3';

function supervisor(): TeamView {
  return { me: 's1', role: 'supervisor', supervises: true, admitted: true, members: [], may: { register_client: true, assign_case: true, set_levels: true }, volunteer_count: 0, supervisor_count: 1, pending: [], safety_numbers: [], org_fingerprint: null, holds_org_key: false, org_name: null, zone: 'WIB', roster_confirmed_at: null, key_manager_seen_at: null, key_manager_devices: 2 };
}

describe('inviting a newcomer from the supervisor\'s device', () => {
  it('makes the invitation with one call and offers WhatsApp', async () => {
    const calls: [string, unknown][] = [];
    mockIPC((cmd, args) => {
      calls.push([cmd, args]);
      if (cmd === 'team_invite') return { code: CODE, username: 'kons.baru', role: 'counselor', expires_at: 1_900_000_000 };
      if (cmd === 'team_share_invitation') return null;
      throw new Error(`unexpected ${cmd}`);
    });
    team.view = supervisor();
    const r = render(InviteMember, {});
    typeInto(r.q('invite-username'), 'kons.baru');
    press(r.q('invite-make'));
    await settle();
    expect(calls[0]).toEqual(['team_invite', { username: 'kons.baru', role: 'counselor', level: null }]);
    expect(r.q('invite-code')?.textContent).toBe(CODE);
    expect(r.q('invite-made')?.textContent).toContain('Undangan untuk kons.baru (Konselor)');
    press(r.q('invite-whatsapp'));
    await settle();
    expect(calls[1]).toEqual(['team_share_invitation', { code: CODE }]);
    r.destroy();
  });

  it('says why an invitation was refused and shows no code', async () => {
    mockIPC((cmd) => {
      if (cmd === 'team_invite') throw { code: 'InvalidInput', message: 'taken' };
      throw new Error(`unexpected ${cmd}`);
    });
    team.view = supervisor();
    const r = render(InviteMember, {});
    typeInto(r.q('invite-username'), 'sup.ani');
    press(r.q('invite-make'));
    await settle();
    expect(r.q('invite-code')).toBeNull();
    expect(r.q('invite-error')?.dataset.code).toBe('InvalidInput');
    r.destroy();
  });

  it('is not offered to a counselor', () => {
    team.view = { ...supervisor(), role: 'counselor', supervises: false };
    const r = render(InviteMember, {});
    expect(r.q('invite-member')).toBeNull();
    r.destroy();
  });
});
