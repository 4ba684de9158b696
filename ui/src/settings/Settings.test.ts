// Settings (issue #17): moving a joined vault's server or replacing the directory key changes
// whom this computer trusts, so the core asks for a confirmation first; the screen shows it and
// only a "Ya, ganti" repeats the change with the confirmation.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { clearMocks, mockIPC } from '@tauri-apps/api/mocks';
import { press, render, settle, stubScrolling, typeInto } from '../lib/testing/render';
import Settings from './Settings.svelte';

beforeEach(() => stubScrolling());
afterEach(() => clearMocks());

const STATUS = {
  joined: true, server_url: 'https://lama.example.org', username: 'sup.ani', role: 'supervisor', state: 'synced',
  online: true, pending: 0, held: 0, last_success: null, last_attempt: null, last_error: null, progress: null,
  waiting_for_keys: false, update_needed: 0, security_alarms: 0, server_restored_at: null, revision: 1,
};

describe('a change of trust in Settings', () => {
  it('asks first, changes nothing until confirmed, then sends the confirmation', async () => {
    const moves: unknown[] = [];
    mockIPC((cmd, args) => {
      switch (cmd) {
        case 'app_info': return { core_version: '0', data_dir: '/tmp', schema_version: 11, server_url: STATUS.server_url, language: 'id', plain_http_allowed: false };
        case 'sync_status': return STATUS;
        case 'vault_state': return { initialised: true, unlocked: true, auto_lock_minutes: 5 };
        case 'screening_instruments': return [];
      case 'erasures_list': case 'breaches_list': return [];
        case 'erasures_list': case 'breaches_list': return [];
        case 'server_status': return { kind: 'online' };
        case 'set_auto_lock': return 5;
        case 'team_view': return { me: 's1', role: 'supervisor', supervises: true, admitted: true, members: [], pending: [], safety_numbers: [], org_fingerprint: null, holds_org_key: false, org_name: null, zone: 'WIB' };
        case 'set_server_url': {
          moves.push(args);
          if (!(args as { confirm: boolean }).confirm) throw { code: 'ConfirmationNeeded', message: 'confirm' };
          return 'https://baru.example.org';
        }
        default: return null;
      }
    });
    const r = render(Settings, { onError: () => {} });
    await settle();
    typeInto(r.q('settings-server'), 'https://baru.example.org');
    press(r.q('settings-save'));
    await settle();
    expect(r.q('settings-confirm')?.textContent).toContain('memindahkan server tim');
    expect(r.q('settings-saved')).toBeNull();
    press(r.q('settings-confirm-yes'));
    await settle();
    expect(moves).toEqual([
      { url: 'https://baru.example.org', confirm: false },
      { url: 'https://baru.example.org', confirm: true },
    ]);
    expect(r.q('settings-confirm')).toBeNull();
    expect(r.q('settings-saved')).not.toBeNull();
    r.destroy();
  });
});

describe('the export folder in Settings', () => {
  it('shows the folder in use and saves a new one typed as a whole path', async () => {
    const set: unknown[] = [];
    mockIPC((cmd, args) => {
      switch (cmd) {
        case 'app_info': return { core_version: '0', data_dir: '/data', schema_version: 11, server_url: null, language: 'id', plain_http_allowed: false };
        case 'sync_status': return { ...STATUS, joined: false, server_url: null };
        case 'vault_state': return { initialised: true, unlocked: true, auto_lock_minutes: 5 };
        case 'screening_instruments': return [];
      case 'erasures_list': case 'breaches_list': return [];
        case 'erasures_list': case 'breaches_list': return [];
        case 'set_auto_lock': return 5;
        case 'set_server_url': return null;
        case 'export_folder': return '/data/exports';
        case 'set_export_folder': {
          set.push(args);
          return (args as { folder: string }).folder;
        }
        default: return null;
      }
    });
    const r = render(Settings, { onError: () => {} });
    await settle();
    expect((r.q('settings-export-folder') as HTMLInputElement).value).toBe('/data/exports');
    press(r.q('settings-save'));
    await settle();
    expect(set, 'an unchanged folder is not saved again').toEqual([]);
    typeInto(r.q('settings-export-folder'), '/home/rina/Laporan');
    press(r.q('settings-save'));
    await settle();
    expect(set).toEqual([{ folder: '/home/rina/Laporan' }]);
    expect(r.q('settings-saved')).not.toBeNull();
    r.destroy();
  });

  it('says why a folder cannot be used and keeps the form', async () => {
    const codes: string[] = [];
    mockIPC((cmd) => {
      switch (cmd) {
        case 'app_info': return { core_version: '0', data_dir: '/data', schema_version: 11, server_url: null, language: 'id', plain_http_allowed: false };
        case 'screening_instruments': return [];
      case 'erasures_list': case 'breaches_list': return [];
        case 'erasures_list': case 'breaches_list': return [];
        case 'sync_status': return { ...STATUS, joined: false, server_url: null };
        case 'vault_state': return { initialised: true, unlocked: true, auto_lock_minutes: 5 };
        case 'set_auto_lock': return 5;
        case 'export_folder': return '/data/exports';
        case 'set_export_folder': throw { code: 'ExportFailed', message: 'not a folder' };
        default: return null;
      }
    });
    const r = render(Settings, { onError: (c: string) => codes.push(c) });
    await settle();
    typeInto(r.q('settings-export-folder'), '/etc/passwd');
    press(r.q('settings-save'));
    await settle();
    expect(codes).toEqual(['ExportFailed']);
    expect(r.q('settings-saved')).toBeNull();
    expect((r.q('settings-export-folder') as HTMLInputElement).value).toBe('/etc/passwd');
    r.destroy();
  });
});

describe('the record of processing activities in Settings', () => {
  const answer = (cmd: string, joined: boolean, make: () => unknown) => {
    switch (cmd) {
      case 'app_info': return { core_version: '0', data_dir: '/data', schema_version: 11, server_url: null, language: 'id', plain_http_allowed: false };
      case 'sync_status': return joined ? STATUS : { ...STATUS, joined: false, server_url: null };
      case 'vault_state': return { initialised: true, unlocked: true, auto_lock_minutes: 5 };
      case 'screening_instruments': return [];
      case 'erasures_list': case 'breaches_list': return [];
      case 'export_folder': return '/data/exports';
      case 'report_processing_record': return make();
      default: return null;
    }
  };

  it('is made for a member of a team and says where both files went', async () => {
    let made = 0;
    mockIPC((cmd) => answer(cmd, true, () => {
      made += 1;
      return { pdf: '/data/exports/catatan-pemrosesan-20261207.pdf', json: '/data/exports/catatan-pemrosesan-20261207.json' };
    }));
    const r = render(Settings, { onError: () => {} });
    await settle();
    expect(r.q('settings-processing-saved')).toBeNull();
    press(r.q('settings-processing'));
    await settle();
    expect(made).toBe(1);
    const saved = r.q('settings-processing-saved')?.textContent ?? '';
    expect(saved).toContain('catatan-pemrosesan-20261207.pdf');
    expect(saved).toContain('catatan-pemrosesan-20261207.json');
    r.destroy();
  });

  it('shows the reason when the folder is full and claims nothing', async () => {
    const codes: string[] = [];
    mockIPC((cmd) => answer(cmd, true, () => { throw { code: 'DiskFull', message: 'full' }; }));
    const r = render(Settings, { onError: (c: string) => codes.push(c) });
    await settle();
    press(r.q('settings-processing'));
    await settle();
    expect(codes).toEqual(['DiskFull']);
    expect(r.q('settings-processing-saved')).toBeNull();
    r.destroy();
  });

  it('is not offered on a computer outside a team', async () => {
    mockIPC((cmd) => answer(cmd, false, () => null));
    const r = render(Settings, { onError: () => {} });
    await settle();
    expect(r.q('settings-processing')).toBeNull();
    r.destroy();
  });
});
