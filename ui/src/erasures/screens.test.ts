// The erasure screens (issue 26): a supervisor approves an open erasure request only after
// confirming, is shown the notice to the person, and the profile closes; a counselor is told a supervisor approves; the register
// says how many devices confirmed and which have not.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { clearMocks, mockIPC } from '@tauri-apps/api/mocks';
import { press, render, settle, stubScrolling } from '../lib/testing/render';
import type { ErasureView, RequestView } from '../lib/backend';
import { team } from '../review/team.svelte';
import RequestPanel from '../requests/RequestPanel.svelte';
import ErasureRegister from './ErasureRegister.svelte';

const noop = (): void => {};
const asRole = (role: 'supervisor' | 'counselor') => {
  team.view = { me: `m-${role}`, role, supervises: role === 'supervisor', admitted: true, members: [], pending: [], safety_numbers: [], org_fingerprint: null, holds_org_key: false, org_name: null, zone: 'WIB' } as unknown as typeof team.view;
};
const request = (identity: 'identity_card' | 'not_yet'): RequestView => ({
  id: 'r9',
  client: 'c9',
  client_code: 'HP-9',
  request: {
    kind: 'erasure', requester: 'person', requester_name: '', received_via: 'letter',
    received_at: '2026-12-01T02:00:00Z', identity, details: 'Hapus semua data saya', handler: null,
  },
  entered_by: null,
  entered_at: '2026-12-01T02:10:00Z',
  answer: null,
  answered_by: null,
  deadline: '2026-12-04T02:00:00Z',
  standing: 'open',
  minutes_left: 600,
  lifted_at: null,
  lifted_by: null,
});
const erasure: ErasureView = {
  id: 'e1', cause: { kind: 'request', request: 'r9' }, subjects: [{ client: 'c9', code: 'HP-9', entity: null }], approved_by: 'm-supervisor',
  approved_at: '2026-12-02T03:00:00Z', confirmed: 3, expected: 5,
  devices: [
    { device: 1, username: 'sup.satu', state: 'confirmed', confirmed_at: '2026-12-02T03:00:00Z' },
    { device: 2, username: 'kons.dua', state: 'confirmed', confirmed_at: '2026-12-02T04:00:00Z' },
    { device: 3, username: 'kons.dua', state: 'confirmed', confirmed_at: '2026-12-02T05:00:00Z' },
    { device: 4, username: 'kons.tiga', state: 'waiting', confirmed_at: null },
    { device: 5, username: null, state: 'waiting', confirmed_at: null },
    { device: 6, username: 'kons.hilang', state: 'unreachable', confirmed_at: null },
  ],
};

let calls: { cmd: string; args: Record<string, unknown> }[] = [];
let identity: 'identity_card' | 'not_yet' = 'identity_card';
beforeEach(() => {
  stubScrolling();
  calls = [];
  identity = 'identity_card';
  mockIPC((cmd, args) => {
    calls.push({ cmd, args: args as Record<string, unknown> });
    if (cmd === 'requests_of') return [request(identity)];
    if (cmd === 'erasure_approve') return { erasure, notice: 'Pemberitahuan Penghapusan Data Pribadi\nKepada Yth.: Dewi Sintetis' };
    if (cmd === 'erasures_list') return [erasure];
    throw new Error(`unexpected ${cmd}`);
  });
});
afterEach(() => {
  clearMocks();
  team.view = null;
});

describe('approving an erasure', () => {
  it('asks first, names the client, then erases and closes her profile', async () => {
    asRole('supervisor');
    let erased = 0;
    const r = render(RequestPanel, { client: 'c9', code: 'HP-9', onErased: () => (erased += 1), onError: noop });
    await settle();
    press(r.q('request-erase'));
    expect(r.q('request-erase-question')?.textContent).toContain('HP-9');
    expect(calls.some((c) => c.cmd === 'erasure_approve')).toBe(false);
    press(r.q('request-erase-confirm'));
    await settle();
    expect(calls.find((c) => c.cmd === 'erasure_approve')?.args.request).toBe('r9');
    // The notice to her is shown once, before the profile closes.
    expect((r.q('erasure-notice-text') as HTMLTextAreaElement | null)?.value).toContain('Kepada Yth.: Dewi Sintetis');
    expect(erased).toBe(0);
    press(r.q('erasure-notice-close'));
    expect(erased).toBe(1);
    r.destroy();
  });

  it('offers no approval to a counselor, nor before the requester was identified', async () => {
    asRole('counselor');
    let r = render(RequestPanel, { client: 'c9', code: 'HP-9', onErased: noop, onError: noop });
    await settle();
    expect(r.q('request-erase')).toBeNull();
    expect(r.q('request-erase-supervisor')).not.toBeNull();
    r.destroy();
    asRole('supervisor');
    identity = 'not_yet';
    r = render(RequestPanel, { client: 'c9', code: 'HP-9', onErased: noop, onError: noop });
    await settle();
    expect(r.q('request-erase')).toBeNull();
    expect(r.q('request-erase-identity')).not.toBeNull();
    r.destroy();
  });
});

describe('the register of erasures', () => {
  it('says how many devices confirmed, the waiting ones first, a revoked one unreachable', async () => {
    asRole('counselor');
    const r = render(ErasureRegister, { onError: noop });
    await settle();
    expect(r.q('erasure-progress')?.textContent).toBe('3 dari 5 perangkat sudah mengonfirmasi');
    expect(r.q('erasure-cause')?.textContent).toBe('atas permintaan klien');
    expect(r.q('erasure-item')?.dataset.complete).toBe('false');
    const states = r.all('erasure-device').map((d) => d.dataset.state);
    expect(states).toEqual(['waiting', 'waiting', 'unreachable', 'confirmed', 'confirmed', 'confirmed']);
    const texts = r.all('erasure-device').map((d) => d.textContent ?? '');
    expect(texts[1]).toContain('perangkat 5');
    expect(texts[2]).toContain('dicabut');
    r.destroy();
  });
});
