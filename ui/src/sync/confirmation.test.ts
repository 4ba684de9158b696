import { describe, expect, it } from 'vitest';
import { setLocale, t } from '../lib/i18n/i18n.svelte';
import { confirmationLine, tooFewKeyManagers } from './confirmation';

const now = new Date('2026-12-06T08:00:00Z');
const said = (line: ReturnType<typeof confirmationLine>): string | null => (line ? t(line.key, line.params) : null);

describe('roster confirmation', () => {
  it('says how many days ago another key manager confirmed the roster, in both languages', () => {
    setLocale('id');
    expect(said(confirmationLine('2026-12-06T01:00:00Z', 2, now))).toBe('Daftar tim terakhir dikonfirmasi hari ini');
    expect(said(confirmationLine('2026-12-03T07:00:00Z', 2, now))).toBe('Daftar tim terakhir dikonfirmasi 3 hari lalu');
    setLocale('en');
    expect(said(confirmationLine('2026-12-03T07:00:00Z', 2, now))).toBe('Team roster last confirmed 3 days ago');
    setLocale('id');
  });

  it('warns after a week without a confirmation, not before', () => {
    expect(confirmationLine('2026-11-29T09:00:00Z', 2, now)?.stale).toBe(false);
    expect(confirmationLine('2026-11-28T07:00:00Z', 2, now)?.stale).toBe(true);
  });

  it('says when no other key manager has confirmed yet, and nothing when there is none', () => {
    expect(confirmationLine(null, 1, now)?.key).toBe('sync.rosterNeverConfirmed');
    expect(confirmationLine(null, 0, now)).toBeNull();
  });

  it('asks for at least two key-manager devices', () => {
    expect(tooFewKeyManagers(1)).toBe(true);
    expect(tooFewKeyManagers(2)).toBe(false);
  });
});
