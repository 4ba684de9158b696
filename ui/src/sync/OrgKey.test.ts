// The organisation key in Settings (issue #17): an administrator makes it after a confirmation
// and sees its recovery sheet once; everyone sees the fingerprint the signed roster names and
// the settings it signed, which only the device holding the key edits.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { clearMocks, mockIPC } from '@tauri-apps/api/mocks';
import type { TeamView } from '../lib/backend';
import { choose, press, render, settle, stubScrolling, typeInto } from '../lib/testing/render';
import { team } from '../review/team.svelte';
import OrgKey from './OrgKey.svelte';

beforeEach(() => stubScrolling());
afterEach(() => {
  clearMocks();
  team.view = null;
});

function view(over: Partial<TeamView>): TeamView {
  return {
    me: 'a1', role: 'admin', supervises: true, admitted: true, members: [], pending: [], safety_numbers: [],
    may: { register_client: true, assign_case: false, set_levels: true }, volunteer_count: 0, supervisor_count: 0,
    org_fingerprint: null, holds_org_key: false, org_name: null, zone: 'WIB', roster_confirmed_at: null, key_manager_seen_at: null, key_manager_devices: 2, ...over,
  };
}

describe('the organisation key', () => {
  it('is made by an administrator after a confirmation, and its sheet is shown to print', async () => {
    let made = 0;
    mockIPC((cmd) => {
      if (cmd === 'org_key_init') {
        made += 1;
        return { recovery_code: 'TEDUH-ORG1-AAAAA-BBBBB', fingerprint: 'ab12 cd34 ef56 7890' };
      }
      if (cmd === 'team_view') return view({ org_fingerprint: 'ab12 cd34 ef56 7890', holds_org_key: true });
      throw new Error(`unexpected ${cmd}`);
    });
    team.view = view({});
    const r = render(OrgKey, {});
    press(r.q('org-make'));
    expect(made, 'nothing before she confirms').toBe(0);
    press(r.q('org-make-yes'));
    await settle();
    expect(made).toBe(1);
    expect(r.q('org-recovery-code')?.textContent).toBe('TEDUH-ORG1-AAAAA-BBBBB');
    expect(r.q('org-fingerprint')?.textContent).toContain('ab12 cd34 ef56 7890');
    expect(r.q('org-make'), 'made once').toBeNull();
    r.destroy();
  });

  it('shows a counselor just the fingerprint, and nothing before the roster names a key', () => {
    team.view = view({ role: 'counselor', supervises: false, org_fingerprint: 'ab12 cd34 ef56 7890' });
    let r = render(OrgKey, {});
    expect(r.q('org-fingerprint')?.textContent).toContain('ab12 cd34 ef56 7890');
    expect(r.q('org-make')).toBeNull();
    r.destroy();
    team.view = view({ role: 'counselor', supervises: false });
    r = render(OrgKey, {});
    expect(r.q('org-key')).toBeNull();
    r.destroy();
  });

  it('shows everyone the organisation and the team zone, and lets the key holder sign new ones', async () => {
    const calls: unknown[] = [];
    mockIPC((cmd, args) => {
      if (cmd === 'org_settings_save') {
        calls.push(args);
        return view({ holds_org_key: true, org_fingerprint: 'ab12 cd34 ef56 7890', org_name: 'Layanan Uji', zone: 'WITA' });
      }
      throw new Error(`unexpected ${cmd}`);
    });
    team.view = view({ role: 'counselor', supervises: false, org_fingerprint: 'ab12 cd34 ef56 7890', org_name: 'Rumah Uji', zone: 'WIB' });
    let r = render(OrgKey, {});
    expect(r.q('org-settings')?.textContent).toBe('Organisasi: Rumah Uji · zona waktu tim: WIB');
    expect(r.q('org-edit'), 'a counselor cannot edit them').toBeNull();
    r.destroy();
    team.view = view({ holds_org_key: true, org_fingerprint: 'ab12 cd34 ef56 7890', org_name: 'Rumah Uji', zone: 'WIB' });
    r = render(OrgKey, {});
    press(r.q('org-edit'));
    await settle();
    expect((r.q('org-name') as HTMLInputElement).value).toBe('Rumah Uji');
    typeInto(r.q('org-name'), 'Layanan Uji');
    choose(r.q('org-zone'), 'WITA');
    (r.q('org-settings-form') as HTMLFormElement).requestSubmit();
    await settle();
    expect(calls).toEqual([{ name: 'Layanan Uji', zone: 'WITA' }]);
    expect(r.q('org-settings')?.textContent).toBe('Organisasi: Layanan Uji · zona waktu tim: WITA');
    expect(r.q('org-saved')).not.toBeNull();
    r.destroy();
  });
});
