// Risk episodes where the team meets them (issue 22): the supervisor's queue, Home, the emergency
// panel's supervisor on call, and the on-call rota editor.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { clearMocks, mockIPC } from '@tauri-apps/api/mocks';
import { choose, press, render, settle, stubScrolling, typeInto } from '../lib/testing/render';
import { team } from '../review/team.svelte';
import ReviewScreen from '../review/ReviewScreen.svelte';
import Today from '../home/Today.svelte';
import EmergencyPanel from '../directory/EmergencyPanel.svelte';
import OnCallEditor from './OnCallEditor.svelte';
import type { EpisodeView, OnCallRota } from '../lib/backend';
import { blankWork } from './episode';

const noop = (): void => {};
const members = [
  { id: 'm-ani', username: 'sup.ani', role: 'supervisor', removed: false, devices: [] },
  { id: 'm-adi', username: 'adm.adi', role: 'admin', removed: false, devices: [] },
  { id: 'm-budi', username: 'kons.budi', role: 'counselor', removed: false, devices: [] },
];
const as = (me: string, role: string): void => {
  team.view = { me, role, supervises: role === 'supervisor' || role === 'admin', members, zone: 'WIB' } as never;
};

const HOUR = 3_600_000;
function ep(id: string, over: Partial<EpisodeView> = {}, episode: Partial<EpisodeView['episode']> = {}): EpisodeView {
  return {
    episode: {
      id, subject: { kind: 'client', id: `c-${id}` }, opened_by: 'm-budi', opened_at: new Date(Date.now() - HOUR).toISOString(),
      trigger: { kind: 'note_risk', note: 'n1' }, work: blankWork(), acknowledged: null, closed: null, close_reason: '', ...episode,
    },
    subject_code: `K-${id}`, on_call: 'm-ani', deadline: new Date(Date.now() + 5 * HOUR + 60_000).toISOString(), overdue: false, for_me: false, ...over,
  };
}

beforeEach(() => stubScrolling());
afterEach(() => {
  clearMocks();
  team.view = null;
});

describe('the supervisor\'s queue', () => {
  it('leads with the open episodes, overdue first, then hers, and acknowledges one', async () => {
    as('m-ani', 'supervisor');
    let open = [
      ep('1'),
      ep('2', { for_me: true }),
      ep('3', { overdue: true, for_me: true, deadline: new Date(Date.now() - 2 * HOUR - 60_000).toISOString() }, { subject: { kind: 'contact', id: 'k1' }, trigger: { kind: 'contact_self_harm', contact: 'k1' } }),
    ];
    const decided: unknown[] = [];
    const opened: string[] = [];
    mockIPC((cmd, args) => {
      if (cmd === 'episodes_open') return open;
      if (cmd === 'requests_open') return [];
      if (cmd === 'episode_decide') {
        decided.push(args);
        const id = (args as { id: string }).id;
        open = open.map((e) => (e.episode.id === id ? { ...e, for_me: false, episode: { ...e.episode, acknowledged: { by: 'm-ani', at: new Date().toISOString() } } } : e));
        return open.find((e) => e.episode.id === id);
      }
      if (cmd === 'review_queue' || cmd === 'contact_queue') return [];
      if (cmd === 'contact_form_choices') return { zone: 'Asia/Jakarta', categories: [], lines: [], last_line: null };
      throw new Error(`unexpected ${cmd}`);
    });
    const r = render(ReviewScreen, { onOpenClient: (id: string) => opened.push(id), onError: noop });
    await settle();
    const section = r.q('review-episodes');
    const contacts = r.q('contact-queue');
    expect(section && contacts && (section.compareDocumentPosition(contacts) & Node.DOCUMENT_POSITION_FOLLOWING), 'at the top').toBeTruthy();
    const items = r.all('review-episode');
    expect(items.map((i) => i.dataset.episode)).toEqual(['3', '2', '1']);
    expect(items.map((i) => [i.dataset.overdue, i.dataset.forMe])).toEqual([['true', 'true'], ['false', 'true'], ['false', 'false']]);
    expect(items[0]?.textContent).toContain('Kontak hotline');
    expect(items[0]?.textContent).toContain('Kontak: menyakiti diri');
    expect(items[0]?.textContent).toContain('lewat 2 jam');
    expect(items[0]?.querySelector('[data-testid=review-episode-open]'), 'a contact has no profile').toBeNull();
    expect(items[1]?.textContent).toContain('Untuk Anda');
    expect(items[1]?.textContent).toContain('Risiko segera di catatan');
    expect(items[1]?.textContent).toContain('sisa 5 jam');

    press(items[1]?.querySelector<HTMLElement>('[data-testid=review-episode-open]') ?? null);
    expect(opened).toEqual(['c-2']);
    press(items[1]?.querySelector<HTMLElement>('[data-testid=review-episode-ack]') ?? null);
    await settle();
    expect(decided).toEqual([{ id: '2', decision: { kind: 'acknowledge' } }]);
    const after = r.all('review-episode').find((i) => i.dataset.episode === '2');
    expect(after?.querySelector('[data-testid=review-episode-ack]')).toBeNull();
    expect(after?.textContent).toContain('sudah ditanggapi sup.ani');
    r.destroy();
  });
});

describe('Home', () => {
  it('lists each episode with what opened it, its time left and whether a supervisor answered', async () => {
    as('m-budi', 'counselor');
    const episodes = [
      ep('1', { overdue: true, deadline: new Date(Date.now() - 3 * HOUR - 60_000).toISOString() }, { trigger: { kind: 'screening', screening: 's', items: ['srq20.17'] } }),
      ep('2', {}, { acknowledged: { by: 'm-ani', at: new Date().toISOString() } }),
    ];
    const opened: string[] = [];
    mockIPC((cmd) => {
      if (cmd === 'home_today') return { follow_ups: [], drafts: [], episodes, recent_clients: [], open_referrals: [], requests: [] };
      if (cmd === 'clients_search') return [];
      if (cmd === 'review_news') return [];
      throw new Error(`unexpected ${cmd}`);
    });
    const r = render(Today, { onOpenClient: (id: string) => opened.push(id), onOpenNote: noop, onOpenReview: noop, onNewsSeen: noop, onError: noop });
    await settle();
    const [late, answered] = r.all('today-red-flag');
    expect(late?.dataset.overdue).toBe('true');
    expect(late?.textContent).toContain('K-1');
    expect(late?.textContent).toContain('SRQ-20 butir 17');
    expect(late?.textContent).toContain('menunggu supervisor');
    expect(late?.textContent).toContain('lewat 3 jam');
    expect(answered?.textContent).toContain('sudah ditanggapi sup.ani');
    expect(answered?.querySelector('[data-testid=today-red-flag-left]')).toBeNull();
    press(late?.querySelector<HTMLElement>('[data-testid=today-red-flag-open]') ?? null);
    expect(opened).toEqual(['c-1']);
    r.destroy();
  });
});

describe('the emergency panel', () => {
  const numbers = [{ situation: 'suicide_risk', entries: [] }];

  it('shows the supervisors on call above the numbers, with call and WhatsApp', async () => {
    const links: string[] = [];
    mockIPC((cmd, args) => {
      if (cmd === 'emergency_numbers') return numbers;
      if (cmd === 'on_call_now') return [
        { member: 'm-ani', username: 'sup.ani', phone: '0812-1111-2222', whatsapp: '0812 1111 2222' },
        { member: 'm-adi', username: 'adm.adi', phone: '', whatsapp: '' },
      ];
      if (cmd === 'open_contact') {
        links.push((args as { url: string }).url);
        return null;
      }
      throw new Error(`unexpected ${cmd}`);
    });
    const r = render(EmergencyPanel, { onClose: noop });
    await settle();
    const section = r.q('on-call-now');
    const group = r.q('situation-group');
    expect(section && group && (section.compareDocumentPosition(group) & Node.DOCUMENT_POSITION_FOLLOWING), 'above the numbers').toBeTruthy();
    const people = r.all('on-call-person');
    expect(people.map((p) => p.dataset.member)).toEqual(['m-ani', 'm-adi']);
    expect(people[0]?.textContent).toContain('sup.ani');
    expect(people[0]?.textContent).toContain('piket utama');
    expect(people[1]?.textContent).toContain('Nomor belum diisi.');
    press(people[0]?.querySelector<HTMLElement>('[data-testid=on-call-call]') ?? null);
    press(people[0]?.querySelector<HTMLElement>('[data-testid=on-call-whatsapp]') ?? null);
    await settle();
    expect(links).toEqual(['tel:081211112222', 'https://wa.me/6281211112222']);
    r.destroy();
  });

  it('shows only the emergency numbers when locked', async () => {
    mockIPC((cmd) => {
      if (cmd === 'emergency_numbers') return numbers;
      if (cmd === 'on_call_now') throw { code: 'Locked', message: 'locked' };
      throw new Error(`unexpected ${cmd}`);
    });
    const r = render(EmergencyPanel, { onClose: noop });
    await settle();
    expect(r.q('on-call-now')).toBeNull();
    expect(r.q('emergency-error')).toBeNull();
    expect(r.all('situation-group')).toHaveLength(1);
    r.destroy();
  });
});

describe('the on-call rota editor', () => {
  it('lets a supervisor choose each weekday\'s supervisors in order and their numbers', async () => {
    as('m-ani', 'supervisor');
    let rota: OnCallRota = { days: [['m-ani'], [], [], [], [], [], []], numbers: [{ member: 'm-ani', phone: '0812', whatsapp: '' }] };
    const saved: OnCallRota[] = [];
    mockIPC((cmd, args) => {
      if (cmd === 'on_call_rota') return rota;
      if (cmd === 'on_call_save') {
        rota = (args as { rota: OnCallRota }).rota;
        saved.push(rota);
        return rota;
      }
      throw new Error(`unexpected ${cmd}`);
    });
    const r = render(OnCallEditor, { onError: noop });
    await settle();
    expect(r.q('on-call-editor')?.textContent).toContain('Senin');
    expect(r.q('on-call-editor')?.textContent).toContain('Minggu');
    const monday = r.q('on-call-day-0')?.querySelectorAll('select');
    expect(monday, 'a place for each supervisor or admin').toHaveLength(2);
    expect((monday?.[0] as HTMLSelectElement).value).toBe('m-ani');
    expect([...(monday?.[0] as HTMLSelectElement).options].map((o) => o.textContent)).toEqual(['— tidak ada —', 'sup.ani', 'adm.adi']);
    choose(monday?.[1] ?? null, 'm-adi');
    choose(r.q('on-call-day-6')?.querySelector('select') ?? null, 'm-adi');
    typeInto(r.q('on-call-whatsapp-adm.adi'), ' 0813 ');
    expect((r.q('on-call-phone-sup.ani') as HTMLInputElement).value).toBe('0812');
    press(r.q('on-call-save'));
    await settle();
    expect(saved).toEqual([{
      days: [['m-ani', 'm-adi'], [], [], [], [], [], ['m-adi']],
      numbers: [{ member: 'm-ani', phone: '0812', whatsapp: '' }, { member: 'm-adi', phone: '', whatsapp: '0813' }],
    }]);
    expect(r.q('on-call-saved')?.textContent).toMatch(/^Jadwal tersimpan \d\d\.\d\d WIB/);
    r.destroy();
  });

  it('is not shown to a counselor', async () => {
    as('m-budi', 'counselor');
    mockIPC((cmd) => {
      throw new Error(`unexpected ${cmd}`);
    });
    const r = render(OnCallEditor, { onError: noop });
    await settle();
    expect(r.q('on-call-editor')).toBeNull();
    r.destroy();
  });
});
