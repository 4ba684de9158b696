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

const noop = (): void => {};
beforeEach(() => stubScrolling());
afterEach(() => {
  clearMocks();
  team.view = null;
  setLocale('id');
});

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

describe('the lock screen', () => {
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
      if (cmd === 'home_today') return { follow_ups: [], drafts: [], red_flags: [], recent_clients: [], open_referrals: [] };
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
    expect(ageText({ birth_date: '2011-10-18', estimated_age: null }, today)).toBe('14 tahun');
    expect(ageText({ birth_date: null, estimated_age: 40 }, today)).toBe('sekitar 40 tahun');
    setLocale('en');
    expect(ageText({ birth_date: '2025-10-17', estimated_age: null }, today)).toBe('1 year');
    setLocale('id');
    expect(phones({ contacts: [{ kind: 'phone', value: '0812', safe_to_contact: true }, { kind: 'email', value: 'a@b', safe_to_contact: true }] })).toBe('0812');
  });
});
