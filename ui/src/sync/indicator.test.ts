import { describe, expect, it } from 'vitest';
import type { SyncState, SyncStatusView } from '../lib/backend';
import { setLocale, t } from '../lib/i18n/i18n.svelte';
import { indicatorText, restoredRecently } from './indicator';

function status(state: SyncState, pending = 0, revision = 1): SyncStatusView {
  return {
    revision,
    state,
    joined: state !== 'notJoined',
    server_url: 'http://127.0.0.1:8470',
    username: 'konselor.budi',
    role: 'counselor',
    online: state !== 'offline',
    pending,
    last_success: null,
    last_attempt: null,
    last_error: null,
    progress: null,
    held: 0,
    update_needed: 0,
    security_alarms: 0,
    waiting_for_keys: state === 'waitingForKeys',
    server_restored_at: null,
  };
}

function shown(s: SyncStatusView | null): string | null {
  const text = indicatorText(s);
  return text === null ? null : t(text.key, text.params);
}

describe('sync indicator', () => {
  it('says each state in Indonesian, with the number of waiting changes (not "catatan", the word for session notes)', () => {
    setLocale('id');
    expect(shown(status('synced'))).toBe('Tersinkron');
    expect(shown(status('syncing', 3))).toBe('Menyinkronkan… 3 perubahan');
    expect(shown(status('syncing', 0))).toBe('Menyinkronkan…');
    expect(shown(status('offline', 2))).toBe('Offline — 2 perubahan menunggu');
    expect(shown(status('offline', 0))).toBe('Offline');
    expect(shown(status('pending', 1))).toBe('1 perubahan menunggu');
    expect(shown(status('waitingForKeys', 4))).toBe('Menunggu supervisor membagikan kunci tim');
    expect(shown(status('revoked'))).toBe('Perangkat dicabut');
    expect(shown(status('error'))).toBe('Sinkronisasi gagal');
  });

  it('shows nothing before joining or before the first answer from the core', () => {
    expect(indicatorText(null)).toBeNull();
    expect(indicatorText(status('notJoined'))).toBeNull();
  });

  it('colours trouble differently from progress', () => {
    expect(indicatorText(status('synced'))?.tone).toBe('ok');
    expect(indicatorText(status('syncing', 1))?.tone).toBe('busy');
    expect(indicatorText(status('offline', 1))?.tone).toBe('warn');
    expect(indicatorText(status('revoked'))?.tone).toBe('danger');
  });

  it('asks for an update when records from a newer version wait, in both languages', () => {
    const newer = { ...status('synced'), update_needed: 2 };
    setLocale('id');
    expect(shown(newer)).toBe('Perbarui Teduh');
    expect(indicatorText(newer)?.tone).toBe('warn');
    setLocale('en');
    expect(shown(newer)).toBe('Update Teduh');
    setLocale('id');
  });

  it('speaks English too', () => {
    setLocale('en');
    expect(shown(status('synced'))).toBe('Synced');
    expect(shown(status('offline', 2))).toBe('Offline — 2 waiting to send');
    setLocale('id');
  });
});

describe('offline', () => {
  it('says when the server was last in touch', () => {
    setLocale('id');
    const now = new Date('2026-12-04T07:30:00Z');
    const s = { ...status('offline', 0), last_success: '2026-12-04T07:05:00Z' };
    const text = indicatorText(s, now);
    expect(text?.key).toBe('sync.offlineSince');
    expect(t(text!.key, text!.params)).toMatch(/^Offline sejak \d\d\.\d\d /);
    const waiting = indicatorText({ ...s, pending: 2 }, now);
    expect(t(waiting!.key, waiting!.params)).toMatch(/^Offline sejak .+ — 2 menunggu$/);
    const yesterday = indicatorText({ ...s, last_success: '2026-12-02T07:05:00Z' }, now);
    expect(String(yesterday!.params.since)).toMatch(/^\d\d\/12\/2026 /);
  });
});

describe('server restored notice', () => {
  it('shows for a week after the device found the server restored from a backup', () => {
    const now = new Date('2026-12-04T20:00:00Z');
    expect(restoredRecently(null, now)).toBe(false);
    expect(restoredRecently('2026-12-04T08:00:00Z', now)).toBe(true);
    expect(restoredRecently('2026-11-28T20:00:00Z', now)).toBe(true);
    expect(restoredRecently('2026-11-26T20:00:00Z', now)).toBe(false);
  });

  it('is worded as information, not as an alarm', () => {
    setLocale('id');
    expect(t('sync.serverRestored', { when: '4 Des 2026 20.00' })).toContain('Server dipulihkan dari cadangan');
    setLocale('en');
    expect(t('sync.serverRestored', { when: '4 Dec 2026 20:00' })).toContain('restored from a backup');
    setLocale('id');
  });
});
