// Security alarms (issue #17): each kind the core raises has its own words in both languages,
// shown newest first; an unknown kind still says something.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { clearMocks, mockIPC } from '@tauri-apps/api/mocks';
import { catalogues } from '../lib/i18n/catalogue';
import { render, settle, stubScrolling } from '../lib/testing/render';
import SecurityAlarms from './SecurityAlarms.svelte';

beforeEach(() => stubScrolling());
afterEach(() => clearMocks());

// teduh_core::team::AlarmKind::code, every variant.
const KINDS = [
  'equivocation', 'forged-team-key', 'team-key-mismatch', 'team-key-conflict', 'epoch-jump',
  'forged-roster', 'replayed-roster', 'rewritten-roster', 'swapped-keys', 'admission-blocked',
  'invitation-reused', 'forged-invitation-proof', 'forged-org-settings', 'fork', 'withheld',
  'erased-without-erasure', 'token-copied',
];

describe('security alarms', () => {
  it('has words for every kind in both languages', () => {
    for (const kind of KINDS) {
      for (const locale of ['id', 'en'] as const) {
        expect((catalogues[locale] as Record<string, string>)[`alarm.${kind}`], `${locale} ${kind}`).toBeTruthy();
      }
    }
  });

  it('lists each alarm in the words of its kind, an unknown kind in general words', async () => {
    mockIPC((cmd) => {
      if (cmd === 'security_alarms') {
        return [
          { kind: 'forged-team-key', detail: 'epoch 3', first_seen: '2026-12-05T10:00:00Z', reported_by: null, verified: true },
          { kind: 'forged-roster', detail: 'roster 4', first_seen: '2026-12-04T12:00:00Z', reported_by: 7, verified: false },
          { kind: 'something-new', detail: '?', first_seen: '2026-12-04T10:00:00Z', reported_by: null, verified: true },
        ];
      }
      throw new Error(`unexpected ${cmd}`);
    });
    const r = render(SecurityAlarms, { count: 3 });
    await settle();
    expect(r.q('security-alarm')?.textContent).toContain('Peringatan keamanan (3)');
    const items = r.all('security-alarm-item');
    expect(items.map((i) => i.dataset.kind)).toEqual(['forged-team-key', 'forged-roster', 'something-new']);
    expect(items[0]?.textContent).toContain('kunci tim yang tidak ditandatangani supervisor');
    expect(items[0]?.querySelector('[data-testid=security-alarm-reported]')).toBeNull();
    expect(items[1]?.querySelector('[data-testid=security-alarm-reported]')?.textContent).toContain('(dilaporkan oleh perangkat 7)');
    expect(items[1]?.textContent, 'a report from a device not admitted yet says so').toContain('belum terverifikasi');
    expect(items[2]?.textContent).toContain('Peringatan keamanan lain');
    r.destroy();
  });
});
