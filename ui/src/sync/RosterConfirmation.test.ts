// The roster confirmation in the sync panel (issue 18): a member sees when another key manager's
// device last confirmed her team roster, a warning after a week without, and a hint when the
// team has fewer than two key-manager devices.
import { afterEach, describe, expect, it } from 'vitest';
import type { TeamView } from '../lib/backend';
import { setLocale } from '../lib/i18n/i18n.svelte';
import { render } from '../lib/testing/render';
import { team } from '../review/team.svelte';
import RosterConfirmation from './RosterConfirmation.svelte';

afterEach(() => {
  team.view = null;
});

function view(over: Partial<TeamView>): TeamView {
  return {
    me: 'k1', role: 'counselor', supervises: false, admitted: true, members: [], pending: [], safety_numbers: [],
    may: { register_client: true, assign_case: false, set_levels: false }, volunteer_count: 1, supervisor_count: 2,
    org_fingerprint: null, holds_org_key: false, org_name: null, zone: 'WIB',
    roster_confirmed_at: null, key_manager_seen_at: null, key_manager_devices: 2, ...over,
  };
}

const daysAgo = (n: number): string => new Date(Date.now() - n * 24 * 3600 * 1000 - 60_000).toISOString();

describe('roster confirmation', () => {
  it('says how long ago the roster was confirmed, calmly within a week', () => {
    setLocale('id');
    team.view = view({ roster_confirmed_at: daysAgo(2), key_manager_seen_at: daysAgo(2) });
    const r = render(RosterConfirmation, {});
    expect(r.q('roster-confirmed')?.textContent).toBe('Daftar tim terakhir dikonfirmasi 2 hari lalu');
    expect(r.q('roster-stale')).toBeNull();
    expect(r.q('key-manager-seen')?.textContent).toContain('Perangkat pengelola kunci terakhir terlihat');
    expect(r.q('key-manager-few')).toBeNull();
    r.destroy();
  });

  it('warns after more than a week, and asks for a second key-manager device', () => {
    setLocale('id');
    team.view = view({ roster_confirmed_at: daysAgo(9), key_manager_devices: 1 });
    const r = render(RosterConfirmation, {});
    expect(r.q('roster-confirmed')?.dataset.stale).toBe('true');
    expect(r.q('roster-stale')?.getAttribute('role')).toBe('alert');
    expect(r.q('key-manager-few')?.textContent).toContain('paling sedikit dua');
    r.destroy();
  });
});
