// The breach register (issue 26, UU PDP Ps 46): what the person registering an incident types
// reaches the core as the awareness instant in the team's zone, impossible times are refused
// before anything is sent, the register shows each incident's clock (overdue in red) and its two
// notices, the letter is saved with its text, a supervisor records a notice, and the queue
// shows the incidents still due above the notes.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { clearMocks, mockIPC } from '@tauri-apps/api/mocks';
import { press, render, settle, stubScrolling, typeInto } from '../lib/testing/render';
import type { BreachView } from '../lib/backend';
import { team } from '../review/team.svelte';
import { breachInput, newBreachForm, noticeInput, openBreaches } from './breaches';
import BreachRegister from './BreachRegister.svelte';
import ReviewScreen from '../review/ReviewScreen.svelte';

const noop = (): void => {};
const NOW = new Date('2026-12-07T05:00:00Z');

const incident = (over: Partial<BreachView> = {}): BreachView => ({
  id: 'b1',
  breach: {
    aware_at: '2026-12-05T01:00:00Z', occurred_at: null, what_happened: 'Ponsel relawan hilang di angkot (sintetis)',
    categories: ['hotline_contacts', 'children'], clients: ['K-0042'], people: 3,
    measures: 'Perangkat dicabut dari tim', contact: 'Koordinator Sintetis',
  },
  entered_by: 'm-rel',
  entered_at: '2026-12-05T02:00:00Z',
  persons_notified_at: null,
  persons_notified_by: null,
  authority_notified_at: '2026-12-06T01:00:00Z',
  authority_notified_by: 'm-sup',
  deadline: '2026-12-08T01:00:00Z',
  standing: 'open',
  minutes_left: 1200,
  ...over,
});

describe('the incident form', () => {
  const filled = () => ({
    ...newBreachForm(),
    awareDate: '07/12/2026', awareTime: '09.30', whatHappened: '  Ponsel hilang  ',
    categories: ['mental_health' as const], clients: 'K-1, K-2\nK-1',
  });

  it('sends the awareness instant in the team zone, the codes once and the people counted from them', () => {
    const input = breachInput(filled(), 'Asia/Makassar', NOW);
    expect(input).toEqual({
      aware_at: '2026-12-07T01:30:00Z', occurred_at: null, what_happened: 'Ponsel hilang',
      categories: ['mental_health'], clients: ['K-1', 'K-2'], people: 2, measures: '', contact: '',
    });
  });

  it('refuses what cannot be true before anything is sent', () => {
    const problem = (change: Partial<ReturnType<typeof filled>>) => {
      const r = breachInput({ ...filled(), ...change }, 'Asia/Jakarta', NOW);
      return 'problem' in r ? r.problem : null;
    };
    expect(problem({ awareDate: '31/02/2026' })).toBe('breach.badAwareTime');
    expect(problem({ awareDate: '08/12/2026' })).toBe('breach.awareInFuture');
    expect(problem({ occurredDate: '07/12/2026', occurredTime: '10.00' })).toBe('breach.occurredAfterAware');
    expect(problem({ occurredDate: '7/13/2026' })).toBe('breach.badOccurredTime');
    expect(problem({ whatHappened: ' ' })).toBe('breach.descriptionNeeded');
    expect(problem({ categories: [] })).toBe('breach.categoryNeeded');
    expect(problem({ people: '1' })).toBe('breach.fewerPeopleThanClients');
    expect(problem({ people: 'dua' })).toBe('breach.badPeople');
    expect(problem({ occurredDate: '06/12/2026' })).toBeNull();
  });

  it('takes a notice only once given and not before the incident was known', () => {
    expect(noticeInput('06/12/2026', '08.00', 'Asia/Jakarta', NOW, '2026-12-05T01:00:00Z')).toBe('2026-12-06T01:00:00Z');
    expect(noticeInput('08/12/2026', '08.00', 'Asia/Jakarta', NOW, null)).toEqual({ problem: 'breach.noticeInFuture' });
    expect(noticeInput('04/12/2026', '08.00', 'Asia/Jakarta', NOW, '2026-12-05T01:00:00Z')).toEqual({ problem: 'breach.noticeBeforeAware' });
    expect(noticeInput('', '', 'Asia/Jakarta', NOW, null)).toEqual({ problem: 'breach.badNoticeTime' });
  });

  it('lists the incidents still due, the nearest deadline first', () => {
    const done = incident({ id: 'done', persons_notified_at: '2026-12-06T02:00:00Z', standing: 'notified_in_time' });
    const later = incident({ id: 'later', deadline: '2026-12-09T01:00:00Z' });
    const sooner = incident({ id: 'sooner', deadline: '2026-12-07T06:00:00Z' });
    expect(openBreaches([done, later, sooner]).map((b) => b.id)).toEqual(['sooner', 'later']);
  });
});

let calls: { cmd: string; args: Record<string, unknown> }[] = [];
beforeEach(() => {
  stubScrolling();
  calls = [];
  team.view = null;
});
afterEach(() => {
  clearMocks();
  team.view = null;
});

function answering(list: BreachView[]): void {
  mockIPC((cmd, args) => {
    calls.push({ cmd, args: args as Record<string, unknown> });
    if (cmd === 'breaches_list') return list;
    if (cmd === 'breach_add') return incident();
    if (cmd === 'breach_notified') return incident();
    if (cmd === 'report_breach_notice') return { path: '/ekspor/pemberitahuan-pdp-orang-b1.pdf', text: 'Pemberitahuan Kegagalan Pelindungan Data Pribadi ...' };
    if (cmd === 'episodes_open' || cmd === 'requests_open' || cmd === 'review_queue' || cmd === 'contact_queue') return [];
    if (cmd === 'contact_form_choices') return { zone: 'Asia/Jakarta', categories: [], lines: [], last_line: null };
    throw new Error(`unexpected ${cmd}`);
  });
}

describe('the breach register', () => {
  it('shows an overdue incident in red with what is still to be notified', async () => {
    answering([incident({ standing: 'overdue', deadline: new Date(Date.now() - 2 * 3600_000 - 60_000).toISOString(), minutes_left: -121 })]);
    const r = render(BreachRegister, { onError: noop });
    await settle();
    const item = r.q('breach-item');
    expect(item?.dataset.standing).toBe('overdue');
    expect(r.q('breach-standing')?.classList.contains('late')).toBe(true);
    expect(r.q('breach-left')?.textContent).toContain('lewat 2 jam');
    expect(r.q('breach-notice-persons')?.textContent).toContain('belum diberitahukan');
    expect(r.q('breach-notified-authority')?.textContent).toContain('diberitahukan 06/12/2026 08.00 WIB');
    expect(item?.textContent).toContain('Data anak');
    expect(item?.textContent).toContain('klien: K-0042');
    r.destroy();
  });

  it('registers an incident typed in the form, and says what is wrong first', async () => {
    answering([]);
    const r = render(BreachRegister, { onError: noop });
    await settle();
    expect(r.q('breaches-none')).not.toBeNull();
    press(r.q('breach-new'));
    await settle();
    typeInto(r.q('breach-aware-date'), '06/12/2026');
    typeInto(r.q('breach-aware-time'), '14.00');
    press(r.q('breach-save'));
    await settle();
    expect(r.q('breach-problem')?.textContent).toContain('Tulis apa yang terjadi');
    expect(calls.some((c) => c.cmd === 'breach_add')).toBe(false);
    typeInto(r.q('breach-what'), 'Pesan berisi catatan terkirim ke grup yang salah');
    press(r.q('breach-category-mental_health'));
    typeInto(r.q('breach-clients'), 'K-7');
    press(r.q('breach-save'));
    await settle();
    const added = calls.find((c) => c.cmd === 'breach_add')?.args.breach as Record<string, unknown>;
    expect(added.aware_at).toBe('2026-12-06T07:00:00Z');
    expect(added.clients).toEqual(['K-7']);
    expect(added.people).toBe(1);
    expect(r.q('breach-form')).toBeNull();
    r.destroy();
  });

  it('saves a letter with its text, and lets a supervisor record the notice', async () => {
    answering([incident()]);
    team.view = { me: 'm-sup', role: 'supervisor', supervises: true, admitted: true, members: [], pending: [], safety_numbers: [], org_fingerprint: null, holds_org_key: false, org_name: null, zone: 'WIB' } as unknown as typeof team.view;
    const r = render(BreachRegister, { onError: noop });
    await settle();
    press(r.q('breach-letter-persons'));
    await settle();
    expect(calls.find((c) => c.cmd === 'report_breach_notice')?.args).toEqual({ id: 'b1', to: 'persons' });
    expect(r.q('breach-letter-saved')?.textContent).toContain('/ekspor/pemberitahuan-pdp-orang-b1.pdf');
    expect((r.q('breach-letter-text') as HTMLTextAreaElement).value).toContain('Pemberitahuan Kegagalan');
    expect(r.q('breach-record-authority'), 'the authority was notified already').toBeNull();
    press(r.q('breach-record-persons'));
    await settle();
    typeInto(r.q('breach-notice-date'), '07/12/2026');
    typeInto(r.q('breach-notice-time'), '11.00');
    press(r.q('breach-notice-save'));
    await settle();
    expect(calls.find((c) => c.cmd === 'breach_notified')?.args).toEqual({ id: 'b1', to: 'persons', at: '2026-12-07T04:00:00Z' });
    r.destroy();
  });

  it('offers a volunteer no notice to record', async () => {
    answering([incident()]);
    team.view = { me: 'm-rel', role: 'counselor', supervises: false, admitted: true, members: [], pending: [], safety_numbers: [], org_fingerprint: null, holds_org_key: false, org_name: null, zone: 'WIB' } as unknown as typeof team.view;
    const r = render(BreachRegister, { onError: noop });
    await settle();
    expect(r.q('breach-record-persons')).toBeNull();
    expect(r.q('breach-letter-persons')).not.toBeNull();
    r.destroy();
  });
});

describe("the supervisor's queue", () => {
  it('shows the incidents still due after the requests and above the notes, leading to the register', async () => {
    answering([incident({ standing: 'overdue', deadline: new Date(Date.now() - 3600_000 - 60_000).toISOString() })]);
    const r = render(ReviewScreen, { onOpenClient: noop, onError: noop });
    await settle();
    const panel = r.q('open-breaches');
    const contacts = r.q('contact-queue');
    expect(panel?.classList.contains('danger')).toBe(true);
    expect(panel && contacts && (panel.compareDocumentPosition(contacts) & Node.DOCUMENT_POSITION_FOLLOWING)).toBeTruthy();
    expect(r.q('open-breach-left')?.textContent).toContain('lewat 1 jam');
    press(r.q('open-breach-open'));
    await settle();
    expect(r.q('breach-register')).not.toBeNull();
    r.destroy();
  });
});
