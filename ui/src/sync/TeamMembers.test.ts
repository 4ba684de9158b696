// The supervisor's team list (issue #17): removing a member and revoking a device each ask
// first, then send one call, and say the decision goes out at the next sync.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { flushSync } from 'svelte';
import { clearMocks, mockIPC } from '@tauri-apps/api/mocks';
import type { TeamView } from '../lib/backend';
import { choose, press, render, settle, stubScrolling } from '../lib/testing/render';
import { team } from '../review/team.svelte';
import TeamMembers from './TeamMembers.svelte';

beforeEach(() => stubScrolling());
afterEach(() => {
  clearMocks();
  team.view = null;
});

function view(removed = false, revoked = false): TeamView {
  return {
    me: 's1', role: 'supervisor', supervises: true, admitted: true, pending: [],
    may: { register_client: true, assign_case: true, set_levels: true }, volunteer_count: 1, supervisor_count: 1, safety_numbers: [], org_fingerprint: null, holds_org_key: false, org_name: null, zone: 'WIB', roster_confirmed_at: null, key_manager_seen_at: null, key_manager_devices: 2,
    members: [
      { id: 's1', username: 'sup.ani', role: 'supervisor', level: null, number: 1, removed: false, devices: [{ device: 1, revoked: false, this_device: true }] },
      { id: 'k2', username: 'kons.budi', role: 'counselor', level: 'junior', number: 2, removed, devices: [{ device: 2, revoked: false, this_device: false }, { device: 3, revoked, this_device: false }] },
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

describe('volunteers\' levels and the supervisor ratio (issue 23)', () => {
  function withLevels(over: Partial<TeamView> = {}): TeamView {
    const v = view();
    return {
      ...v,
      members: [
        ...v.members,
        { id: 'o3', username: 'out.rina', role: 'outreach', level: null, number: 3, removed: false, devices: [] },
        { id: 'a4', username: 'adm.adi', role: 'admin', level: null, number: 4, removed: false, devices: [] },
      ],
      ...over,
    };
  }

  it('shows each volunteer\'s level beside her role, and lets a key manager set it for counselors and outreach workers', async () => {
    const calls: unknown[] = [];
    mockIPC((cmd, args) => {
      if (cmd === 'team_set_level') {
        calls.push(args);
        // The roster lists the new level only after the next sync.
        return withLevels();
      }
      throw new Error(`unexpected ${cmd}`);
    });
    team.view = withLevels();
    const r = render(TeamMembers, {});
    expect(r.q('team-level-hint')?.textContent).toContain('setelah sinkronisasi berikutnya');
    const selects = r.all('team-level-select') as HTMLSelectElement[];
    expect(selects.map((s) => s.closest<HTMLElement>('[data-testid=team-member]')?.dataset.username), 'volunteers only').toEqual(['kons.budi', 'out.rina']);
    expect(selects[0]!.value).toBe('junior');
    expect([...selects[0]!.options].map((o) => o.textContent)).toEqual(['Junior', 'Menengah', 'Senior']);
    expect(selects[1]!.value, 'staff: no level yet').toBe('');
    choose(selects[0]!, 'senior');
    await settle();
    expect(calls).toEqual([{ username: 'kons.budi', level: 'senior' }]);
    expect(r.q('team-level-saved')?.textContent).toBe('Tingkat kons.budi: Senior. Berlaku setelah sinkronisasi berikutnya.');
    expect((r.all('team-level-select')[0] as HTMLSelectElement).value, 'her choice stays shown until the sync').toBe('senior');
    r.destroy();
  });

  it('shows the levels without a select to whom may not set them', () => {
    team.view = withLevels({ may: { register_client: true, assign_case: true, set_levels: false } });
    const r = render(TeamMembers, {});
    expect(r.all('team-level-select')).toHaveLength(0);
    expect(r.q('team-level-hint')).toBeNull();
    const levels = r.all('team-member-level');
    expect(levels.map((l) => l.textContent)).toEqual(['Junior', 'staf, tanpa tingkat']);
    r.destroy();
  });

  it('warns when one supervisor has more than ten volunteers, or the team has none', () => {
    team.view = withLevels({ volunteer_count: 10, supervisor_count: 1 });
    const r = render(TeamMembers, {});
    expect(r.q('team-ratio-warning')).toBeNull();
    team.view = withLevels({ volunteer_count: 23, supervisor_count: 2 });
    flushSync();
    expect(r.q('team-ratio-warning')?.textContent).toBe('Satu supervisor untuk lebih dari 10 relawan (23 relawan, 2 supervisor): tambah supervisor.');
    team.view = withLevels({ volunteer_count: 4, supervisor_count: 0 });
    flushSync();
    expect(r.q('team-ratio-warning')?.textContent).toContain('Tim ini belum punya supervisor (4 relawan)');
    r.destroy();
  });
});
