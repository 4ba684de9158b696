// The everyday screens as a person meets them (issue #19), mounted with a mocked core.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { clearMocks, mockIPC } from '@tauri-apps/api/mocks';
import { render, settle, stubScrolling } from '../lib/testing/render';
import { setLocale } from '../lib/i18n/i18n.svelte';
import { team } from '../review/team.svelte';
import EmergencyPanel from '../directory/EmergencyPanel.svelte';
import ReviewScreen from '../review/ReviewScreen.svelte';
import Unlock from '../vault/Unlock.svelte';
import ClientList from '../clients/ClientList.svelte';
import Today from '../home/Today.svelte';
import { ageText, phones } from '../clients/details';
import type { ContactView } from '../lib/backend';

const noop = (): void => {};
beforeEach(() => stubScrolling());
afterEach(() => {
  clearMocks();
  team.view = null;
  setLocale('id');
});

const choices = { zone: 'Asia/Jakarta', categories: [{ code: 'suicide-risk', id: 'Risiko bunuh diri', en: 'Suicide risk' }], lines: [], last_line: null };

/** A red-flagged contact taken by `m-vol`. */
function flagged(id: string, summary: string): ContactView {
  return {
    id, volunteer: 'm-vol', has_number: true, red_flag: true, seen_by_supervisor: false, converted_to: null, client: null, logged_at: '2026-10-17T07:00:00Z',
    entry: {
      channel: 'phone_call', line: null, started_at: '2026-10-17T07:00:00Z', ended_at: null, zone: 'Asia/Jakarta', caller_type: 'anonymous',
      person: { name: '', age_band: null, sex: 'unspecified', city: '' }, categories: ['suicide-risk'], risk: 'high', self_harm: 'yes',
      actions: ['listened'], outcome: null, summary, callback: null,
    },
  };
}

const entry = {
  id: 'e1', name: 'Layanan Uji', category: 'mental_health', services: 'Konseling krisis', phones: [{ number: '119', extension: '8', tel_url: 'tel:119' }],
  number_today: null, rota: [], rota_show_tomorrow: false, whatsapp_url: null, whatsapp: null, web: null, address: null,
  area: '', coverage: '', zone: 'WIB', hours: '', open: { state: 'alwaysOpen' }, possibly_outdated: false,
  contact_status: 'verified', notes: '', source: '', verified_at: null,
};

describe('the emergency panel', () => {
  it('shows a "Telepon" failure inside the panel, not behind its overlay', async () => {
    mockIPC((cmd) => {
      if (cmd === 'emergency_numbers') return [{ situation: 'suicide_risk', entries: [entry] }];
      if (cmd === 'open_contact') throw { code: 'OpenFailed', message: 'no handler' };
      throw new Error(`unexpected ${cmd}`);
    });
    const r = render(EmergencyPanel, { onClose: noop });
    await settle();
    const call = [...r.target.querySelectorAll('button')].find((b) => b.textContent === 'Telepon');
    call?.click();
    await settle();
    const panel = r.q('emergency-panel');
    expect(panel?.querySelector('[data-testid=emergency-error]')?.textContent).toContain('Sistem tidak dapat membuka tautan');
    r.destroy();
  });
});

describe('the supervision screen', () => {
  it('keeps the queue tab\'s count in step with the dashboard', async () => {
    let waiting = 1;
    const item = { note: 'n1', client: 'c1', client_code: 'K-1', author: null, occurred_at: null, risk: null, red_flag: false, waiting_since: '2026-10-17T00:00:00Z' };
    mockIPC((cmd) => {
      if (cmd === 'review_queue') return waiting ? [item] : [];
      if (cmd === 'team_dashboard') return { caseloads: [], sessions_per_week: [], waiting: waiting ? [item] : [], overdue_follow_ups: [], open_referrals: [], high_risk_clients: [] };
      if (cmd === 'clients_search') return [];
      if (cmd === 'contact_queue') return [];
      if (cmd === 'episodes_open') return [];
      if (cmd === 'requests_open') return [];
      if (cmd === 'contact_stats') return { per_day: [], per_line: [], per_category: [], callbacks_overdue: [] };
      if (cmd === 'contact_form_choices') return choices;
      throw new Error(`unexpected ${cmd}`);
    });
    const r = render(ReviewScreen, { onOpenClient: noop, onError: noop });
    await settle();
    expect(r.q('review-tab-queue')?.textContent).toContain('(1)');
    waiting = 0; // approved on another screen, or a sync brought the approval
    r.q('review-tab-dashboard')?.click();
    await settle();
    expect(r.q('dash-waiting')?.textContent).toMatch(/^0/);
    expect(r.q('review-tab-queue')?.textContent, 'the tab says what the dashboard says').toContain('(0)');
    r.destroy();
  });
});

describe('the supervisor\'s red-flagged contacts (issue 20)', () => {
  it('lists them above the notes with who took them, and "Tandai sudah dilihat" takes one off', async () => {
    team.view = { me: 'm-sup', role: 'supervisor', supervises: true, members: [
      { id: 'm-sup', username: 'sup.ani', role: 'supervisor', removed: false },
      { id: 'm-vol', username: 'rel.budi', role: 'counselor', removed: false },
    ] } as never;
    let queue = [flagged('k1', 'Ingin mengakhiri hidup.'), flagged('k2', 'Dipukul suami.')];
    const reviews: unknown[] = [];
    mockIPC((cmd, args) => {
      if (cmd === 'review_queue' || cmd === 'episodes_open' || cmd === 'requests_open') return [];
      if (cmd === 'contact_queue') return queue;
      if (cmd === 'contact_form_choices') return choices;
      if (cmd === 'contact_review') {
        reviews.push(args);
        queue = queue.filter((c) => c.id !== (args as { contact: string }).contact);
        return { ...flagged('k1', ''), seen_by_supervisor: true };
      }
      throw new Error(`unexpected ${cmd}`);
    });
    const r = render(ReviewScreen, { onOpenClient: noop, onError: noop });
    await settle();
    const section = r.q('contact-queue');
    const notes = r.q('queue-empty');
    expect(section && notes && (section.compareDocumentPosition(notes) & Node.DOCUMENT_POSITION_FOLLOWING), 'above the notes').toBeTruthy();
    const items = r.all('contact-queue-item');
    expect(items).toHaveLength(2);
    expect(items[0]?.textContent).toContain('rel.budi');
    expect(items[0]?.textContent).toContain('17/10/2026 14.00 WIB');
    expect(items[0]?.textContent).toContain('Risiko bunuh diri');
    expect(items[0]?.textContent).toContain('Ingin mengakhiri hidup.');
    items[0]?.querySelector<HTMLElement>('[data-testid=contact-seen]')?.click();
    await settle();
    expect(reviews).toEqual([{ contact: 'k1', draft: { action: 'approve', comment: '' } }]);
    expect(r.all('contact-queue-item').map((i) => i.dataset.contact)).toEqual(['k2']);
    r.all('contact-queue-item')[0]?.querySelector<HTMLElement>('[data-testid=contact-seen]')?.click();
    await settle();
    expect(r.q('contact-queue-empty')).not.toBeNull();
    r.destroy();
  });

  it('shows the contact figures on the dashboard', async () => {
    team.view = { me: 'm-sup', role: 'supervisor', supervises: true, members: [{ id: 'm-vol', username: 'rel.budi', role: 'counselor', removed: false }] } as never;
    const late = { ...flagged('k9', ''), entry: { ...flagged('k9', '').entry, callback: { due: '2026-10-16T02:00:00Z', number_consented: true, number: '0812', done_at: null } } };
    mockIPC((cmd) => {
      if (cmd === 'review_queue' || cmd === 'contact_queue' || cmd === 'clients_search' || cmd === 'episodes_open' || cmd === 'requests_open') return [];
      if (cmd === 'on_call_rota') return { days: [[], [], [], [], [], [], []], numbers: [] };
      if (cmd === 'team_dashboard') return { caseloads: [], sessions_per_week: [], waiting: [], overdue_follow_ups: [], open_referrals: [], high_risk_clients: [] };
      if (cmd === 'contact_form_choices') return choices;
      if (cmd === 'contact_stats') {
        return {
          per_day: ['11', '12', '13', '14', '15', '16', '17'].map((d, i) => ({ key: `2026-10-${d}`, count: i })),
          per_line: [{ key: 'SEJIWA 119', count: 4 }, { key: '', count: 1 }],
          per_category: [{ key: 'suicide-risk', count: 3 }],
          callbacks_overdue: [late],
        };
      }
      throw new Error(`unexpected ${cmd}`);
    });
    const r = render(ReviewScreen, { onOpenClient: noop, onError: noop });
    await settle();
    r.q('review-tab-dashboard')?.click();
    await settle();
    expect(r.q('dash-contacts-day')?.querySelectorAll('[role=listitem]')).toHaveLength(7);
    expect(r.q('dash-contacts-line')?.textContent).toContain('SEJIWA 119');
    expect(r.q('dash-contacts-line')?.textContent).toContain('Tanpa jalur');
    expect(r.q('dash-contacts-category')?.textContent).toContain('Risiko bunuh diri');
    expect(r.q('dash-callbacks-overdue')?.textContent).toMatch(/1\s*Telepon balik terlambat/);
    expect(r.q('dash-callbacks-overdue')?.textContent).toContain('rel.budi');
    r.destroy();
  });
});

describe('the lock screen', () => {
  it('says that Ctrl+K waits for the unlock, timed from the key press', () => {
    const r = render(Unlock, { onUnlocked: noop, contactPending: true });
    expect(r.q('unlock-contact-pending')?.textContent).toBe('Buka kunci untuk mencatat kontak baru; waktunya dihitung sejak Anda menekan Ctrl+K.');
    r.destroy();
  });

  it('says calmly that Teduh locked itself, not as an error', () => {
    const r = render(Unlock, { onUnlocked: noop, notice: true });
    const notice = r.q('unlock-notice');
    expect(notice?.getAttribute('role')).toBe('status');
    expect(notice?.classList.contains('error')).toBe(false);
    expect(r.target.querySelector('[role=alert]')).toBeNull();
    r.destroy();
  });
});

describe('the client list', () => {
  it('shows the child badge and the current risk beside the code', async () => {
    mockIPC((cmd) => {
      if (cmd === 'clients_search') return [
        { id: 'c1', code: 'K-1', name: 'A', nickname: '', facets: { child: true, risk: 'high', stage: null, mine: true } },
        { id: 'c2', code: 'K-2', name: 'B', nickname: '', facets: { child: false, risk: null, stage: null, mine: true } },
      ];
      throw new Error(`unexpected ${cmd}`);
    });
    const r = render(ClientList, { onOpen: noop, onNew: noop, onError: noop });
    await settle();
    const [first, second] = r.all('client-row');
    expect(first?.querySelector('[data-testid=client-row-child]')?.textContent).toBe('Anak');
    expect(first?.querySelector('[data-testid=client-row-risk]')?.textContent).toBe('Risiko: Tinggi');
    expect(second?.querySelector('[data-testid=client-row-child]')).toBeNull();
    r.destroy();
  });
});

describe('Home of a new vault', () => {
  it('prompts to add the first client', async () => {
    let added = false;
    mockIPC((cmd) => {
      if (cmd === 'home_today') return { follow_ups: [], drafts: [], episodes: [], recent_clients: [], open_referrals: [], requests: [] };
      if (cmd === 'clients_search') return [];
      if (cmd === 'review_news') return [];
      throw new Error(`unexpected ${cmd}`);
    });
    const r = render(Today, { onOpenClient: noop, onNewClient: () => (added = true), onOpenNote: noop, onOpenReview: noop, onNewsSeen: noop, onError: noop });
    await settle();
    r.q('today-first-client-add')?.click();
    expect(added).toBe(true);
    r.destroy();
  });
});

describe('the profile details', () => {
  it('gives the age from the birth date, else the estimate, and the phone numbers', () => {
    const today = new Date(2026, 9, 17);
    expect(ageText({ birth_date: '2011-10-18', estimated_age: null, estimated_age_on: null }, today)).toBe('14 tahun');
    expect(ageText({ birth_date: null, estimated_age: 40, estimated_age_on: null }, today)).toBe('sekitar 40 tahun');
    // A child estimated at 17 more than a year ago is an adult now.
    expect(ageText({ birth_date: null, estimated_age: 17, estimated_age_on: '2025-10-01' }, today)).toBe('sekitar 18 tahun');
    setLocale('en');
    expect(ageText({ birth_date: '2025-10-17', estimated_age: null, estimated_age_on: null }, today)).toBe('1 year');
    setLocale('id');
    expect(phones({ contacts: [{ kind: 'phone', value: '0812', safe_to_contact: true }, { kind: 'email', value: 'a@b', safe_to_contact: true }] })).toBe('0812');
  });
});

describe('a junior volunteer (issue 23)', () => {
  const junior = (register_client: boolean): void => {
    team.view = {
      me: 'm-budi', role: 'counselor', supervises: false, members: [], zone: 'WIB',
      may: { register_client, assign_case: false, set_levels: false },
    } as never;
  };

  it('is offered no new client, and told that a supervisor assigns hers', async () => {
    mockIPC((cmd) => {
      if (cmd === 'clients_search') return [];
      if (cmd === 'clients_duplicate_codes') return [];
      throw new Error(`unexpected ${cmd}`);
    });
    junior(false);
    const r = render(ClientList, { onOpen: noop, onNew: noop, onError: noop });
    await settle();
    expect(r.q('client-new')).toBeNull();
    expect(r.q('client-new-not-permitted')?.textContent).toBe('Relawan junior menangani klien yang ditugaskan supervisor.');
    r.destroy();

    junior(true);
    const other = render(ClientList, { onOpen: noop, onNew: noop, onError: noop });
    await settle();
    expect(other.q('client-new')).not.toBeNull();
    expect(other.q('client-new-not-permitted')).toBeNull();
    other.destroy();
  });

  it('is not prompted to add a first client on Home', async () => {
    mockIPC((cmd) => {
      if (cmd === 'home_today') return { follow_ups: [], drafts: [], episodes: [], recent_clients: [], open_referrals: [], requests: [] };
      if (cmd === 'clients_search') return [];
      if (cmd === 'review_news') return [];
      throw new Error(`unexpected ${cmd}`);
    });
    junior(false);
    const r = render(Today, { onOpenClient: noop, onNewClient: noop, onOpenNote: noop, onOpenReview: noop, onNewsSeen: noop, onError: noop });
    await settle();
    expect(r.q('today-first-client')).not.toBeNull();
    expect(r.q('today-first-client-add')).toBeNull();
    expect(r.q('today-first-client-not-permitted')?.textContent).toContain('ditugaskan supervisor');
    r.destroy();
  });
});
