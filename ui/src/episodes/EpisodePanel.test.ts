// The risk-episode panel (issue 22): what a supervisor and a counselor see, the work saved as
// typed, services picked from the directory, closing with a reason, opening one by hand.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { clearMocks, mockIPC } from '@tauri-apps/api/mocks';
import EpisodePanel from './EpisodePanel.svelte';
import { team } from '../review/team.svelte';
import { choose, press, render, settle, stubScrolling, typeInto } from '../lib/testing/render';
import type { EpisodeView, EpisodeWork } from '../lib/backend';
import { blankWork } from './episode';

const SUP = 'm-ani';
const COUNSELOR = 'm-budi';
const members = [
  { id: SUP, username: 'sup.ani', role: 'supervisor', removed: false, devices: [] },
  { id: COUNSELOR, username: 'kons.budi', role: 'counselor', removed: false, devices: [] },
];

function as(me: string, role: string): void {
  team.view = { me, role, supervises: role === 'supervisor' || role === 'admin', members, zone: 'WIB' } as never;
}

function episode(over: Partial<EpisodeView['episode']> = {}, view: Partial<EpisodeView> = {}): EpisodeView {
  return {
    episode: {
      id: 'ep1', subject: { kind: 'client', id: 'c1' }, opened_by: COUNSELOR, opened_at: '2026-10-17T07:00:00Z',
      trigger: { kind: 'screening', screening: 's1', items: ['phq9.09'] }, work: blankWork(), acknowledged: null, closed: null,
      close_reason: '', ...over,
    },
    subject_code: 'K-1', on_call: SUP, deadline: new Date(Date.now() + (23 * 60 + 10) * 60_000 + 20_000).toISOString(), overdue: false, for_me: false,
    ...view,
  };
}

let stored: EpisodeView[] = [];
let calls: { cmd: string; args: Record<string, unknown> }[] = [];

beforeEach(() => {
  stubScrolling();
  calls = [];
  stored = [episode()];
  mockIPC((cmd, args) => {
    const a = (args ?? {}) as Record<string, unknown>;
    calls.push({ cmd, args: a });
    if (cmd === 'episodes_of') return stored;
    if (cmd === 'episode_save') {
      const first = stored[0]!;
      const saved = { ...first, episode: { ...first.episode, work: a.work as EpisodeWork } };
      stored = [saved, ...stored.slice(1)];
      return saved;
    }
    if (cmd === 'episode_decide') {
      const first = stored[0]!;
      const decision = a.decision as { kind: string; reason?: string };
      const at = { by: team.view?.me ?? '', at: '2026-10-17T08:00:00Z' };
      const next = decision.kind === 'acknowledge'
        ? { ...first, episode: { ...first.episode, acknowledged: at } }
        : { ...first, episode: { ...first.episode, acknowledged: first.episode.acknowledged ?? at, closed: at, close_reason: decision.reason ?? '' } };
      stored = [next, ...stored.slice(1)];
      return next;
    }
    if (cmd === 'episode_open') {
      const opened = episode({ id: 'ep2', trigger: { kind: 'worker' } });
      stored = [opened, ...stored];
      return opened;
    }
    if (cmd === 'directory_search') {
      return [{
        id: 'e-sejiwa', name: 'SEJIWA', category: 'mental_health', services: '', phones: [{ number: '119', extension: '8', tel_url: 'tel:119' }],
        number_today: null, rota: [], rota_show_tomorrow: false, whatsapp_url: null, whatsapp: null, web: null, address: null,
        area: '', coverage: '', zone: 'WIB', hours: '', open: { state: 'alwaysOpen' }, possibly_outdated: false,
        contact_status: 'verified', notes: '', source: '', verified_at: null,
      }];
    }
    throw new Error(`unexpected ${cmd}`);
  });
});
afterEach(() => {
  clearMocks();
  team.view = null;
});

const noop = (): void => {};
const wait = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('the risk-episode panel', () => {
  it('shows a supervisor what opened it, whom it asks, the time left, and "Saya sudah tahu"', async () => {
    as(SUP, 'supervisor');
    const r = render(EpisodePanel, { subject: { kind: 'client', id: 'c1' }, onError: noop });
    await settle();
    expect(r.q('episode-panel')?.dataset.state).toBe('open');
    expect(r.q('episode-trigger')?.textContent).toBe('PHQ-9 butir 9');
    expect(r.q('episode-opened')?.textContent).toContain('kons.budi');
    expect(r.q('episode-goes-to')?.textContent).toBe('sup.ani');
    expect(r.q('episode-deadline')?.textContent).toContain('sisa 23 jam 10 menit');
    expect(r.q('episode-waiting')?.textContent).toBe('menunggu supervisor');
    expect(r.q('episode-ack')?.textContent).toBe('Saya sudah tahu');
    expect(r.q('episode-close')).not.toBeNull();

    press(r.q('episode-ack'));
    await settle();
    expect(calls.find((c) => c.cmd === 'episode_decide')?.args).toEqual({ id: 'ep1', decision: { kind: 'acknowledge' } });
    expect(r.q('episode-ack'), 'hidden once acknowledged').toBeNull();
    expect(r.q('episode-acknowledged')?.textContent).toContain('sudah ditanggapi sup.ani');
    r.destroy();
  });

  it('shows a counselor no "Saya sudah tahu" and no closing, only the work', async () => {
    as(COUNSELOR, 'counselor');
    const r = render(EpisodePanel, { subject: { kind: 'client', id: 'c1' }, onError: noop });
    await settle();
    expect(r.q('episode-panel')?.dataset.state).toBe('open');
    expect(r.q('episode-ack')).toBeNull();
    expect(r.q('episode-close')).toBeNull();
    expect(r.q('episode-save')).not.toBeNull();
    expect(r.q('episode-finding-ideation-yes')).not.toBeNull();
    r.destroy();
  });

  it('says how late an overdue episode is, and that every supervisor is asked', async () => {
    as(COUNSELOR, 'counselor');
    stored = [episode({}, { overdue: true, deadline: new Date(Date.now() - 2 * 3_600_000 - 30_000).toISOString() })];
    const r = render(EpisodePanel, { subject: { kind: 'client', id: 'c1' }, onError: noop });
    await settle();
    expect(r.q('episode-deadline')?.textContent).toContain('lewat 2 jam');
    expect(r.q('episode-deadline')?.dataset.overdue).toBe('true');
    expect(r.q('episode-goes-to')?.textContent).toBe('semua supervisor');
    r.destroy();
  });

  it('saves the edited work: findings, judgement, plan, a service from the directory, actions', async () => {
    as(COUNSELOR, 'counselor');
    const r = render(EpisodePanel, { subject: { kind: 'client', id: 'c1' }, onError: noop });
    await settle();
    choose(r.q('episode-finding-ideation-yes'), true);
    typeInto(r.q('episode-finding-ideation-detail'), 'Sering terpikir sejak minggu lalu.');
    choose(r.q('episode-finding-plan-no'), true);
    choose(r.q('episode-judgement'), 'high');
    typeInto(r.q('episode-coping'), 'Menulis jurnal, berjalan kaki.');
    typeInto(r.q('episode-service-search'), 'sejiwa');
    await wait(300);
    await settle();
    press(r.q('episode-service-pick'));
    typeInto(r.q('episode-service-name'), 'Kakak (Rina)');
    typeInto(r.q('episode-service-number'), '0812 3456');
    press(r.q('episode-service-add'));
    typeInto(r.q('episode-actions'), 'Menghubungi supervisor piket.');
    expect(r.q('episode-unsaved')).not.toBeNull();

    press(r.q('episode-save'));
    await settle();
    const save = calls.find((c) => c.cmd === 'episode_save');
    const work = save?.args.work as EpisodeWork;
    expect(save?.args.id).toBe('ep1');
    expect(work.assessment.ideation).toEqual({ present: true, detail: 'Sering terpikir sejak minggu lalu.' });
    expect(work.assessment.plan).toEqual({ present: false, detail: '' });
    expect(work.assessment.means).toEqual({ present: null, detail: '' });
    expect(work.assessment.judgement).toBe('high');
    expect(work.safety_plan.coping).toBe('Menulis jurnal, berjalan kaki.');
    expect(work.safety_plan.services).toEqual([
      { entry: 'e-sejiwa', name: 'SEJIWA', number: '119' },
      { entry: '', name: 'Kakak (Rina)', number: '0812 3456' },
    ]);
    expect(work.actions).toBe('Menghubungi supervisor piket.');
    expect(r.q('episode-saved')?.textContent).toMatch(/^Tersimpan \d\d\.\d\d WIB$/);
    expect(r.q('episode-unsaved')).toBeNull();
    r.destroy();
  });

  it('closes only with a reason, then offers to open a new one and lists the closed one', async () => {
    as(SUP, 'supervisor');
    const r = render(EpisodePanel, { subject: { kind: 'client', id: 'c1' }, onError: noop });
    await settle();
    press(r.q('episode-close'));
    press(r.q('episode-close-confirm'));
    await settle();
    expect(r.q('episode-close-reason-missing')?.textContent).toBe('Tulis alasan menutup episode.');
    expect(calls.some((c) => c.cmd === 'episode_decide')).toBe(false);
    typeInto(r.q('episode-close-reason'), 'Rencana keselamatan berjalan, risiko rendah.');
    press(r.q('episode-close-confirm'));
    await settle();
    expect(calls.find((c) => c.cmd === 'episode_decide')?.args).toEqual({ id: 'ep1', decision: { kind: 'close', reason: 'Rencana keselamatan berjalan, risiko rendah.' } });
    expect(r.q('episode-panel')?.dataset.state).toBe('none');
    expect(r.all('episode-history-item')[0]?.textContent).toContain('Rencana keselamatan berjalan, risiko rendah.');

    press(r.q('episode-open-button'));
    await settle();
    expect(calls.find((c) => c.cmd === 'episode_open')?.args).toEqual({ subject: { kind: 'client', id: 'c1' } });
    expect(r.q('episode-panel')?.dataset.state).toBe('open');
    expect(r.q('episode-trigger')?.textContent).toBe('Dibuka oleh pekerja');
    r.destroy();
  });

  it('writes unsaved work when the panel is left (another screen, or the lock)', async () => {
    as(COUNSELOR, 'counselor');
    const r = render(EpisodePanel, { subject: { kind: 'client', id: 'c1' }, reloadKey: 1, onError: noop });
    await settle();
    typeInto(r.q('episode-actions'), 'Sedang menelepon keluarga.');
    r.destroy();
    await settle();
    expect((calls.find((c) => c.cmd === 'episode_save')?.args.work as EpisodeWork | undefined)?.actions).toBe('Sedang menelepon keluarga.');
  });
});
