// The contact list (issue 20): searched per keystroke, red flags marked, a row opens what it is.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { clearMocks, mockIPC } from '@tauri-apps/api/mocks';
import ContactList from './ContactList.svelte';
import { choose, press, render, settle, typeInto } from '../lib/testing/render';
import type { ContactFilter, ContactView } from '../lib/backend';

function contact(id: string, over: Partial<ContactView> = {}, entry: Partial<ContactView['entry']> = {}): ContactView {
  return {
    id, volunteer: 'm1', has_number: false, red_flag: false, seen_by_supervisor: false, converted_to: null, client: null,
    logged_at: '2026-10-17T07:00:00Z',
    entry: {
      channel: 'whats_app', line: null, started_at: '2026-10-17T07:00:00Z', ended_at: '2026-10-17T07:10:00Z', zone: 'Asia/Makassar',
      caller_type: 'anonymous', person: { name: '', age_band: null, sex: 'unspecified', city: '' }, categories: ['psychosocial-distress'],
      risk: null, self_harm: 'not_asked', actions: [], outcome: null, summary: 'Cemas.', callback: null, ...entry,
    },
    ...over,
  };
}

const rows = [
  contact('k3', { red_flag: true }, { ended_at: null, self_harm: 'yes' }),
  contact('k2', { converted_to: 'c1' }),
  contact('k1'),
];
let filters: ContactFilter[] = [];

beforeEach(() => {
  filters = [];
  mockIPC((cmd, args) => {
    if (cmd === 'contacts_list') {
      const filter = (args as { filter: ContactFilter }).filter;
      filters.push(filter);
      const shown = rows.filter((r) => (!filter.red_flag_only || r.red_flag) && r.entry.summary.toLowerCase().includes(filter.text.toLowerCase()));
      return { total: shown.length, contacts: shown };
    }
    if (cmd === 'contact_form_choices') {
      return { zone: 'Asia/Jakarta', categories: [{ code: 'psychosocial-distress', id: 'Distres psikososial', en: 'Psychosocial distress' }], lines: [], last_line: null };
    }
    throw new Error(`unexpected ${cmd}`);
  });
});
afterEach(() => clearMocks());

const noop = (): void => {};

describe('the contact list', () => {
  it('searches per keystroke', async () => {
    const r = render(ContactList, { onNew: noop, onOpenContact: noop, onOpenClient: noop, onError: noop });
    await settle();
    expect(filters[0]).toEqual({ text: '', channel: null, category: null, red_flag_only: false, from: null, to: null, limit: 0 });
    typeInto(r.q('contact-filter'), 'c');
    typeInto(r.q('contact-filter'), 'ce');
    await settle();
    expect(filters.map((f) => f.text)).toEqual(['', 'c', 'ce']);
    typeInto(r.q('contact-filter'), 'zz');
    await settle();
    expect(r.q('contact-count')?.textContent?.trim()).toBe('Belum ada kontak yang cocok.');
    r.destroy();
  });

  it('marks red flags, unfinished and converted contacts, with the time in the contact\'s zone', async () => {
    const r = render(ContactList, { onNew: noop, onOpenContact: noop, onOpenClient: noop, onError: noop });
    await settle();
    expect(r.q('contact-count')?.textContent?.trim()).toBe('3 kontak');
    const [flagged, converted, plain] = r.all('contact-row');
    expect(flagged?.dataset.redFlag).toBe('true');
    expect(converted?.dataset.redFlag).toBe('false');
    expect(flagged?.textContent).toContain('TANDA BAHAYA');
    expect(flagged?.querySelector('[data-testid=contact-row-ongoing]')?.textContent).toBe('berlangsung');
    expect(converted?.querySelector('[data-testid=contact-row-client]')?.textContent).toBe('sudah menjadi klien');
    expect(plain?.textContent).toContain('17/10/2026 15.00 WITA');
    expect(plain?.textContent).toContain('WhatsApp');
    expect(plain?.textContent).toContain('Distres psikososial');
    choose(r.q('contact-filter-red-flag'), true);
    await settle();
    expect(filters.at(-1)?.red_flag_only).toBe(true);
    expect(r.all('contact-row')).toHaveLength(1);
    r.destroy();
  });

  it('opens an unfinished contact to continue it and a converted one\'s client', async () => {
    const opened: string[] = [];
    const r = render(ContactList, {
      onNew: () => opened.push('new'), onOpenContact: (c) => opened.push(`contact:${c.id}`), onOpenClient: (id) => opened.push(`client:${id}`), onError: noop,
    });
    await settle();
    const [flagged, converted] = r.all('contact-row');
    press(flagged ?? null);
    press(converted ?? null);
    press(r.q('contact-new'));
    expect(opened).toEqual(['contact:k3', 'client:c1', 'new']);
    expect(r.q('contact-new')?.getAttribute('title')).toContain('Ctrl+K');
    r.destroy();
  });
});
