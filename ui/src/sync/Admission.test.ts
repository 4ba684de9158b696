// Admission by people (issue #17): the newcomer sees her safety number to read out; the
// supervisor types it; a wrong number says so and counts, a blocked admission says why.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { clearMocks, mockIPC } from '@tauri-apps/api/mocks';
import type { TeamView } from '../lib/backend';
import { press, render, settle, stubScrolling, typeInto } from '../lib/testing/render';
import { team } from '../review/team.svelte';
import Admission from './Admission.svelte';

beforeEach(() => stubScrolling());
afterEach(() => {
  clearMocks();
  team.view = null;
});

const NUMBER = '1234 5678 9012 3456 7890 1234';

function view(over: Partial<TeamView>): TeamView {
  return {
    me: 'a1', role: 'counselor', supervises: false, admitted: false, members: [], pending: [],
    may: { register_client: true, assign_case: false, set_levels: false }, volunteer_count: 0, supervisor_count: 0,
    safety_numbers: [], org_fingerprint: null, holds_org_key: false, org_name: null, zone: 'WIB', roster_confirmed_at: null, key_manager_seen_at: null, key_manager_devices: 2, ...over,
  };
}

describe('a newcomer waiting to be admitted', () => {
  it('shows her safety number for each supervisor, to read out by phone', async () => {
    const waiting = view({ safety_numbers: [{ key_manager: 'sup.ani', device: 1, role: 'supervisor', number: NUMBER }] });
    mockIPC((cmd) => {
      if (cmd === 'team_view') return waiting;
      throw new Error(`unexpected ${cmd}`);
    });
    const r = render(Admission, {});
    await settle();
    expect(r.q('admission-waiting')?.textContent).toContain('Menunggu diterima oleh supervisor');
    const shown = r.q('safety-number');
    expect(shown?.textContent).toBe(NUMBER);
    expect(shown?.dataset.keyManager).toBe('sup.ani');
    expect(r.q('admission-waiting')?.textContent).toContain('Nomor keamanan untuk sup.ani (Supervisor), perangkat 1');
    r.destroy();
  });

  it('shows nothing once she is admitted', async () => {
    mockIPC((cmd) => {
      if (cmd === 'team_view') return view({ admitted: true });
      throw new Error(`unexpected ${cmd}`);
    });
    const r = render(Admission, {});
    await settle();
    expect(r.q('admission-waiting')).toBeNull();
    expect(r.q('admission-pending')).toBeNull();
    r.destroy();
  });
});

describe('a further computer of a team member', () => {
  it('waits as one entry, marked as her further device, however many of hers wait', async () => {
    const budi = (device: number) => ({ device, username: 'kons.budi', role: 'counselor', wrong_entries: 0, blocked: false });
    mockIPC((cmd) => {
      if (cmd === 'team_view') {
        return view({
          role: 'supervisor', supervises: true, admitted: true,
          members: [{ id: 'k2', username: 'kons.budi', role: 'counselor', level: 'junior', number: 2, removed: false, devices: [{ device: 2, revoked: false, this_device: false }] }],
          pending: [budi(5), budi(6), { device: 9, username: 'kons.baru', role: 'counselor', wrong_entries: 0, blocked: false }],
        });
      }
      throw new Error(`unexpected ${cmd}`);
    });
    const r = render(Admission, {});
    await settle();
    const entries = r.all('admission-entry');
    expect(entries.map((e) => e.dataset.username)).toEqual(['kons.budi', 'kons.baru']);
    expect(entries[0]!.querySelector('[data-testid=admission-further]')?.textContent).toBe('perangkat tambahan anggota tim ini');
    expect(entries[1]!.querySelector('[data-testid=admission-further]')).toBeNull();
    r.destroy();
  });
});

describe('a supervisor admitting a waiting member', () => {
  const pending = (wrong: number, blocked = false) =>
    view({ role: 'supervisor', supervises: true, admitted: true, pending: [{ device: 7, username: 'kons.budi', role: 'counselor', wrong_entries: wrong, blocked }] });

  it('sends the number she typed and says the member is admitted', async () => {
    const sent: unknown[] = [];
    mockIPC((cmd, args) => {
      if (cmd === 'team_view') return pending(0);
      if (cmd === 'team_confirm') {
        sent.push(args);
        return view({ role: 'supervisor', supervises: true, admitted: true });
      }
      throw new Error(`unexpected ${cmd}`);
    });
    const r = render(Admission, {});
    await settle();
    expect(r.q('admission-pending')?.textContent).toContain('kons.budi');
    typeInto(r.q('admission-number'), NUMBER);
    press(r.q('admission-confirm'));
    await settle();
    expect(sent).toEqual([{ username: 'kons.budi', safetyNumber: NUMBER }]);
    expect(r.q('admission-done')?.textContent).toContain('kons.budi diterima');
    expect(r.q('admission-pending')).toBeNull();
    r.destroy();
  });

  it('says a wrong number does not match and shows how many were wrong', async () => {
    let wrong = 0;
    mockIPC((cmd) => {
      if (cmd === 'team_view') return pending(wrong);
      if (cmd === 'team_confirm') {
        wrong += 1;
        throw { code: 'SafetyNumberMismatch', message: 'no' };
      }
      throw new Error(`unexpected ${cmd}`);
    });
    const r = render(Admission, {});
    await settle();
    typeInto(r.q('admission-number'), '0000 0000 0000 0000 0000 0000');
    press(r.q('admission-confirm'));
    await settle();
    expect(r.q('admission-error')?.dataset.code).toBe('SafetyNumberMismatch');
    expect(r.q('admission-error')?.textContent).toContain('Nomor keamanan tidak cocok');
    expect(r.q('admission-wrong')?.textContent).toBe('1 kali salah dari 3');
    expect(r.q('admission-done')).toBeNull();
    r.destroy();
  });

  it('shows a blocked admission as an alarm, with no field to try again', async () => {
    mockIPC((cmd) => {
      if (cmd === 'team_view') return pending(3, true);
      throw new Error(`unexpected ${cmd}`);
    });
    const r = render(Admission, {});
    await settle();
    expect(r.q('admission-blocked')?.textContent).toContain('diblokir');
    expect(r.q('admission-number')).toBeNull();
    r.destroy();
  });
});
