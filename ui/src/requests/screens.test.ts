// The UU PDP screens (issue 25): a client's request register (what the handler types reaches
// the core as the receipt instant, a refusal needs its grounds, an overdue request shows as
// such), the access export made from an open access request, the open requests on Home and
// above the queue, and who opened a client's data.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { clearMocks, mockIPC } from '@tauri-apps/api/mocks';
import { choose, press, render, settle, stubScrolling, typeInto } from '../lib/testing/render';
import type { RequestView } from '../lib/backend';
import RequestPanel from './RequestPanel.svelte';
import Today from '../home/Today.svelte';
import ReviewScreen from '../review/ReviewScreen.svelte';
import AccessLog from './AccessLog.svelte';

const noop = (): void => {};
const view = (over: Partial<RequestView> = {}): RequestView => ({
  id: 'r1',
  client: 'c1',
  client_code: 'RQ-1',
  request: {
    kind: 'access', requester: 'person', requester_name: '', received_via: 'letter',
    received_at: '2026-12-01T02:00:00Z', identity: 'identity_card', details: 'Salinan catatan', handler: null,
  },
  entered_by: null,
  entered_at: '2026-12-03T02:00:00Z',
  answer: null,
  answered_by: null,
  deadline: '2026-12-04T02:00:00Z',
  standing: 'overdue',
  minutes_left: -60,
  lifted_at: null,
  lifted_by: null,
  ...over,
});

let calls: { cmd: string; args: Record<string, unknown> }[] = [];
beforeEach(() => {
  stubScrolling();
  calls = [];
  mockIPC((cmd, args) => {
    calls.push({ cmd, args: args as Record<string, unknown> });
    if (cmd === 'requests_of') return [view()];
    if (cmd === 'request_add') return view({ standing: 'open' });
    if (cmd === 'report_access_export') return { pdf: '/ekspor/salinan-data-RQ-1-20261205.pdf', json: '/ekspor/salinan-data-RQ-1-20261205.json' };
    throw new Error(`unexpected ${cmd}`);
  });
});
afterEach(() => clearMocks());

describe('the request register on a client profile', () => {
  it('shows an overdue request in red, with its late entry', async () => {
    const r = render(RequestPanel, { client: 'c1', code: 'RQ-1', onErased: noop, onError: noop });
    await settle();
    const item = r.q('request-item');
    expect(item?.dataset.standing).toBe('overdue');
    expect(r.q('request-standing')?.classList.contains('late')).toBe(true);
    expect(r.q('request-left')?.textContent).toMatch(/^lewat /);
    expect(item?.textContent).toContain('dicatat');
    r.destroy();
  });

  it('sends the receipt typed in the team zone, and refuses to save without it', async () => {
    const r = render(RequestPanel, { client: 'c1', code: 'RQ-1', onErased: noop, onError: noop });
    await settle();
    press(r.q('request-new'));
    choose(r.q('request-kind'), 'correction');
    press(r.q('request-save'));
    expect(r.q('request-problem')?.textContent).toContain('Tulis tanggal');
    expect(calls.some((c) => c.cmd === 'request_add')).toBe(false);
    typeInto(r.q('request-date'), '05/12/2026');
    typeInto(r.q('request-time'), '09.15');
    press(r.q('request-save'));
    await settle();
    const add = calls.find((c) => c.cmd === 'request_add');
    expect(add?.args.client).toBe('c1');
    expect(add?.args.request).toMatchObject({ kind: 'correction', received_at: '2026-12-05T02:15:00Z' });
    r.destroy();
  });

  it('asks for the Ps 33 grounds of a refusal before anything is sent', async () => {
    const r = render(RequestPanel, { client: 'c1', code: 'RQ-1', onErased: noop, onError: noop });
    await settle();
    press(r.q('request-answer-open'));
    choose(r.target.querySelector<HTMLElement>('[data-testid=request-outcome-refused]'), true);
    typeInto(r.q('request-answer-text'), 'Ditolak.');
    press(r.q('request-answer-save'));
    expect(r.q('request-answer-problem')?.textContent).toContain('Ps 33');
    expect(calls.some((c) => c.cmd === 'request_answer')).toBe(false);
    r.destroy();
  });
});

describe('the access export', () => {
  it('is made from an open access request and says where both files are', async () => {
    const r = render(RequestPanel, { client: 'c1', code: 'RQ-1', onErased: noop, onError: noop });
    await settle();
    press(r.q('request-export'));
    await settle();
    expect(calls.find((c) => c.cmd === 'report_access_export')?.args).toEqual({ request: 'r1' });
    const saved = r.q('request-export-saved')?.textContent ?? '';
    expect(saved).toContain('salinan-data-RQ-1-20261205.pdf');
    expect(saved).toContain('salinan-data-RQ-1-20261205.json');
    r.destroy();
  });

  it('is not offered before the identity is checked, nor for another kind of request', async () => {
    clearMocks();
    mockIPC((cmd) => {
      if (cmd === 'requests_of') {
        return [
          view({ id: 'r1', request: { ...view().request, identity: 'not_yet' } }),
          view({ id: 'r2', request: { ...view().request, kind: 'correction' } }),
        ];
      }
      throw new Error(`unexpected ${cmd}`);
    });
    const r = render(RequestPanel, { client: 'c1', code: 'RQ-1', onErased: noop, onError: noop });
    await settle();
    expect(r.q('request-export')).toBeNull();
    expect(r.q('request-export-identity')?.textContent).toContain('Identitas pemohon belum diperiksa');
    r.destroy();
  });
});

describe('a restriction', () => {
  it('says the record is read-only while granted, tells the profile, and is lifted by a click', async () => {
    const granted = view({
      request: { ...view().request, kind: 'restriction' },
      answer: { answered_at: '2026-12-02T02:00:00Z', outcome: 'granted', text: 'Dibatasi.', grounds: [] },
      standing: 'answered_in_time',
    });
    clearMocks();
    calls = [];
    let lifted = false;
    mockIPC((cmd, args) => {
      calls.push({ cmd, args: args as Record<string, unknown> });
      if (cmd === 'requests_of') return [lifted ? { ...granted, lifted_at: '2026-12-05T02:00:00Z' } : granted];
      if (cmd === 'request_lift') {
        lifted = true;
        return { ...granted, lifted_at: '2026-12-05T02:00:00Z' };
      }
      throw new Error(`unexpected ${cmd}`);
    });
    const told: boolean[] = [];
    const r = render(RequestPanel, { client: 'c1', code: 'RQ-1', onErased: noop, onError: noop, onRestrictedChange: (x: boolean) => told.push(x) });
    await settle();
    expect(r.q('request-restricts')?.textContent).toContain('Pembatasan berlaku');
    expect(r.q('request-export')).toBeNull();
    expect(told.at(-1)).toBe(true);
    press(r.q('request-lift'));
    await settle();
    expect(calls.find((c) => c.cmd === 'request_lift')?.args).toEqual({ id: 'r1' });
    expect(r.q('request-restricts')).toBeNull();
    expect(r.q('request-lifted')?.textContent).toContain('Pembatasan dicabut');
    expect(told.at(-1)).toBe(false);
    r.destroy();
  });
});

describe('Home', () => {
  it('lists the open requests with their time left, the overdue one in red, and opens the client', async () => {
    const hour = 3600_000;
    const requests = [
      view({ id: 'late', deadline: new Date(Date.now() - 2 * hour - 60_000).toISOString() }),
      view({ id: 'soon', client: 'c2', client_code: 'RQ-2', standing: 'open', deadline: new Date(Date.now() + 5 * hour + 60_000).toISOString() }),
    ];
    mockIPC((cmd) => {
      if (cmd === 'home_today') return { follow_ups: [], drafts: [], episodes: [], recent_clients: [], open_referrals: [], requests };
      if (cmd === 'clients_search') return [];
      if (cmd === 'review_news') return [];
      throw new Error(`unexpected ${cmd}`);
    });
    const opened: string[] = [];
    const r = render(Today, { onOpenClient: (id: string) => opened.push(id), onOpenNote: noop, onOpenReview: noop, onNewsSeen: noop, onError: noop });
    await settle();
    const [late, soon] = r.all('open-request');
    expect(late?.dataset.overdue).toBe('true');
    expect(late?.textContent).toContain('lewat 2 jam');
    expect(late?.querySelector('.late')).not.toBeNull();
    expect(soon?.dataset.overdue).toBe('false');
    expect(soon?.textContent).toContain('RQ-2');
    expect(soon?.textContent).toContain('Akses dan salinan data');
    expect(soon?.textContent).toContain('sisa 5 jam');
    expect(r.q('today-requests')?.classList.contains('danger')).toBe(true);
    press(soon?.querySelector<HTMLElement>('[data-testid=open-request-client]') ?? null);
    expect(opened).toEqual(['c2']);
    r.destroy();
  });
});

describe('the supervisor\'s queue', () => {
  it('shows the open requests after the episodes and above the queue, overdue in red', async () => {
    mockIPC((cmd) => {
      if (cmd === 'requests_open') return [view({ client_code: 'RQ-7', deadline: new Date(Date.now() - 3600_000 - 60_000).toISOString() })];
      if (cmd === 'episodes_open' || cmd === 'review_queue' || cmd === 'contact_queue') return [];
      if (cmd === 'contact_form_choices') return { zone: 'Asia/Jakarta', categories: [], lines: [], last_line: null };
      throw new Error(`unexpected ${cmd}`);
    });
    const r = render(ReviewScreen, { onOpenClient: noop, onError: noop });
    await settle();
    const section = r.q('review-requests');
    const episodes = r.q('review-episodes');
    const contacts = r.q('contact-queue');
    expect(episodes && section && (episodes.compareDocumentPosition(section) & Node.DOCUMENT_POSITION_FOLLOWING)).toBeTruthy();
    expect(section && contacts && (section.compareDocumentPosition(contacts) & Node.DOCUMENT_POSITION_FOLLOWING)).toBeTruthy();
    const item = r.q('open-request');
    expect(item?.dataset.overdue).toBe('true');
    expect(item?.textContent).toContain('RQ-7');
    expect(item?.textContent).toContain('lewat 1 jam');
    r.destroy();
  });
});

describe('who opened this data', () => {
  it('lists the openings and prints, newest first, when the supervisor asks', async () => {
    mockIPC((cmd) => {
      if (cmd === 'access_log') return [
        { by: 'm-ana', username: 'kons.ana', device: 'd1', at: '2026-12-07T03:00:00Z', action: 'printed', entity: 'c1' },
        { by: 'm-ana', username: 'kons.ana', device: 'd1', at: '2026-12-07T02:00:00Z', action: 'opened_profile', entity: 'c1' },
      ];
      throw new Error(`unexpected ${cmd}`);
    });
    const r = render(AccessLog, { client: 'c1', onError: noop });
    expect(r.all('access-entry')).toHaveLength(0);
    press(r.q('access-log-show'));
    await settle();
    const entries = r.all('access-entry');
    expect(entries.map((e) => e.dataset.action)).toEqual(['printed', 'opened_profile']);
    expect(entries[0]?.textContent).toContain('kons.ana mencetak');
    expect(entries[1]?.textContent).toContain('07/12/2026 09.00 WIB');
    r.destroy();
  });
});
