// The supervisor's team list (issue #17): removing a member and revoking a device each ask
// first, then send one call, and say the decision goes out at the next sync.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { clearMocks, mockIPC } from '@tauri-apps/api/mocks';
import type { TeamView } from '../lib/backend';
import { press, render, settle, stubScrolling } from '../lib/testing/render';
import { team } from '../review/team.svelte';
import TeamMembers from './TeamMembers.svelte';

beforeEach(() => stubScrolling());
afterEach(() => {
  clearMocks();
  team.view = null;
});

function view(removed = false, revoked = false): TeamView {
  return {
    me: 's1', role: 'supervisor', supervises: true, admitted: true, pending: [], safety_numbers: [], org_fingerprint: null, holds_org_key: false, org_name: null, zone: 'WIB',
    members: [
      { id: 's1', username: 'sup.ani', role: 'supervisor', removed: false, devices: [{ device: 1, revoked: false, this_device: true }] },
      { id: 'k2', username: 'kons.budi', role: 'counselor', removed, devices: [{ device: 2, revoked: false, this_device: false }, { device: 3, revoked, this_device: false }] },
    ],
  };
}

describe('the supervisor\'s team list', () => {
  it('lists members with their devices, and offers no decision about herself or this device', () => {
    team.view = view();
    const r = render(TeamMembers, {});
    const rows = r.all('team-member');
    expect(rows.map((e) => e.dataset.username)).toEqual(['sup.ani', 'kons.budi']);
    expect(rows[0]!.querySelector('[data-testid=member-remove]')).toBeNull();
    expect(rows[0]!.querySelector('[data-testid=device-revoke]')).toBeNull();
    expect(rows[1]!.textContent).toContain('Perangkat 3');
    r.destroy();
  });

  it('asks before removing, then removes with one call', async () => {
    const calls: unknown[] = [];
    mockIPC((cmd, args) => {
      if (cmd === 'team_remove') {
        calls.push(args);
        return view(true);
      }
      throw new Error(`unexpected ${cmd}`);
    });
    team.view = view();
    const r = render(TeamMembers, {});
    press(r.all('team-member')[1]!.querySelector('[data-testid=member-remove]'));
    await settle();
    expect(r.q('members-confirm')?.textContent).toContain('Keluarkan kons.budi dari tim?');
    expect(calls).toEqual([]);
    press(r.q('members-confirm-yes'));
    await settle();
    expect(calls).toEqual([{ username: 'kons.budi' }]);
    expect(r.all('team-member')[1]!.textContent).toContain('dikeluarkan');
    expect(r.q('members-done')?.textContent).toContain('Sinkronkan sekarang');
    r.destroy();
  });

  it('revokes one device after asking, by its number', async () => {
    const calls: unknown[] = [];
    mockIPC((cmd, args) => {
      if (cmd === 'team_revoke_device') {
        calls.push(args);
        return view(false, true);
      }
      throw new Error(`unexpected ${cmd}`);
    });
    team.view = view();
    const r = render(TeamMembers, {});
    const revokes = r.all('device-revoke');
    expect(revokes.length).toBe(2);
    press(revokes[1]!);
    await settle();
    expect(r.q('members-confirm')?.textContent).toContain('Cabut perangkat 3 milik kons.budi?');
    press(r.q('members-confirm-yes'));
    await settle();
    expect(calls).toEqual([{ device: 3 }]);
    expect(r.all('device-revoke').length).toBe(1);
    r.destroy();
  });
});
