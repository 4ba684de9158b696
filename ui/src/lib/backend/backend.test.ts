import { afterEach, describe, expect, it } from 'vitest';
import { clearMocks, mockIPC } from '@tauri-apps/api/mocks';
import { BackendError, appInfo, caseAssign, caseAssignment, setLanguage, teamJoin, teamSetLevel } from './index';

afterEach(() => clearMocks());

describe('backend', () => {
  it('passes the language to the core under the argument name the command expects', async () => {
    let seen: unknown;
    mockIPC((cmd, args) => {
      if (cmd === 'set_language') {
        seen = args;
        return 'en';
      }
      throw new Error(`unexpected ${cmd}`);
    });
    await expect(setLanguage('en')).resolves.toBe('en');
    expect(seen).toEqual({ language: 'en' });
  });

  it('turns a core error into a BackendError with its code', async () => {
    mockIPC(() => {
      throw { code: 'SettingsFailed', message: 'disk full' };
    });
    const err = await appInfo().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BackendError);
    expect((err as BackendError).code).toBe('SettingsFailed');
  });

  it('reports a missing core as IpcUnavailable', async () => {
    mockIPC(() => {
      throw new Error('no core');
    });
    const err = await appInfo().catch((e: unknown) => e);
    expect((err as BackendError).code).toBe('IpcUnavailable');
  });
});

describe('sync backend', () => {
  it('sends the join form under the argument name the command expects', async () => {
    let seen: unknown;
    mockIPC((cmd, args) => {
      if (cmd === 'team_join') {
        seen = args;
        return { state: 'pending', joined: true };
      }
      throw new Error(`unexpected ${cmd}`);
    });
    const form = { server_url: 'https://s.example', username: 'budi', passphrase: 'x', invitation: null };
    await teamJoin(form);
    expect(seen).toEqual({ form });
  });
});

describe('need-to-know backend (issue 23)', () => {
  it('sends the client, the member numbers, the reason and the level under the names the commands expect', async () => {
    const seen: [string, unknown][] = [];
    const none = { workers: [], history: [], may_assign: true, assignable: [] };
    mockIPC((cmd, args) => {
      seen.push([cmd, args]);
      if (cmd === 'case_assignment' || cmd === 'case_assign') return none;
      if (cmd === 'team_set_level') return {};
      throw new Error(`unexpected ${cmd}`);
    });
    await caseAssignment('c1');
    await caseAssign('c1', [4, 7], null);
    await caseAssign('c1', [], 'pindah kota');
    await teamSetLevel('kons.budi', 'senior');
    expect(seen).toEqual([
      ['case_assignment', { client: 'c1' }],
      ['case_assign', { client: 'c1', workers: [4, 7], reason: null }],
      ['case_assign', { client: 'c1', workers: [], reason: 'pindah kota' }],
      ['team_set_level', { username: 'kons.budi', level: 'senior' }],
    ]);
  });
});
