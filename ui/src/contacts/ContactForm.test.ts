// The contact form (issue 20): the keyboard path of a whole contact, saving as she types, the
// earlier contacts of a number.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { flushSync } from 'svelte';
import { clearMocks, mockIPC } from '@tauri-apps/api/mocks';
import ContactForm from './ContactForm.svelte';
import { flushAll } from '../notes/autosave';
import { press, render, settle, stubScrolling, typeInto } from '../lib/testing/render';
import type { ContactFormChoices, ContactInput, ContactView } from '../lib/backend';
import { team } from '../review/team.svelte';

const choices: ContactFormChoices = {
  zone: 'Asia/Jakarta',
  categories: [
    { code: 'psychosocial-distress', id: 'Distres psikososial', en: 'Psychosocial distress' },
    { code: 'suicide-risk', id: 'Risiko bunuh diri', en: 'Suicide risk' },
    { code: 'information', id: 'Hanya informasi', en: 'Information only' },
  ],
  lines: [],
  last_line: null,
};

function stored(id: string, input: ContactInput): ContactView {
  return {
    id, entry: input.entry, volunteer: 'm1', has_number: input.caller_number !== '', red_flag: false, seen_by_supervisor: false,
    converted_to: null, client: null, logged_at: '2026-10-17T07:00:00Z',
  };
}

function earlier(id: string, over: Partial<ContactView['entry']> = {}, converted: string | null = null): ContactView {
  return {
    ...stored(id, { caller_number: '', entry: {
      channel: 'phone_call', line: null, started_at: '2026-10-10T07:00:00Z', ended_at: '2026-10-10T07:10:00Z', zone: 'Asia/Jakarta',
      caller_type: 'anonymous', person: { name: '', age_band: null, sex: 'unspecified', city: '' }, categories: ['suicide-risk'],
      risk: 'high', self_harm: 'yes', actions: [], outcome: 'resolved', summary: 'Menangis, ingin mengakhiri hidup.', callback: null, ...over,
    } }),
    red_flag: true,
    converted_to: converted,
  };
}

let saves: { id: string | null; input: ContactInput }[] = [];
let lookups: { number: string; except: string | null }[] = [];
let previous: ContactView[] = [];

beforeEach(() => {
  stubScrolling();
  saves = [];
  lookups = [];
  previous = [];
  mockIPC((cmd, args) => {
    const a = args as Record<string, unknown>;
    if (cmd === 'contact_form_choices') return choices;
    if (cmd === 'contact_save') {
      saves.push({ id: a.id as string | null, input: a.input as ContactInput });
      return stored((a.id as string | null) ?? 'k-new', a.input as ContactInput);
    }
    if (cmd === 'contact_previous') {
      lookups.push({ number: a.number as string, except: a.except as string | null });
      return previous;
    }
    if (cmd === 'episodes_of') return [];
    throw new Error(`unexpected ${cmd}`);
  });
});
afterEach(() => {
  clearMocks();
  team.view = null;
});

const noop = (): void => {};
const wait = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const STARTED = new Date(Date.now() - 65_000).toISOString();

/** The elements Tab visits, in order: a radio group is one stop (its checked radio, else its
 * first), a closed <details> only its summary. */
function tabOrder(root: HTMLElement): HTMLElement[] {
  const candidates = [...root.querySelectorAll<HTMLElement>('input, select, textarea, button, summary, [tabindex]')].filter((el) => {
    if ((el as HTMLInputElement).disabled) return false;
    const details = el.closest('details');
    if (details && !details.open && el.tagName !== 'SUMMARY') return false;
    return el.tagName === 'SUMMARY' || el.tabIndex >= 0;
  });
  const groups = new Set<string>();
  const order: HTMLElement[] = [];
  for (const el of candidates) {
    if (el instanceof HTMLInputElement && el.type === 'radio') {
      if (groups.has(el.name)) continue;
      groups.add(el.name);
      const group = candidates.filter((o): o is HTMLInputElement => o instanceof HTMLInputElement && o.type === 'radio' && o.name === el.name);
      order.push(group.find((r) => r.checked) ?? el);
    } else order.push(el);
  }
  return order;
}

describe('the contact form', () => {
  it('opens with the channel focused and the timer running from the start', async () => {
    const r = render(ContactForm, { startedAt: STARTED, onFinished: noop, onClose: noop, onConverted: noop, onError: noop });
    await settle();
    expect(document.activeElement).toBe(r.q('contact-channel-phone_call'));
    expect((r.q('contact-channel-phone_call') as HTMLInputElement).checked).toBe(true);
    expect(r.q('contact-timer')?.textContent).toMatch(/^01:0[5-7]$/);
    expect((r.q('contact-self-harm-not_asked') as HTMLInputElement).checked).toBe(true);
    expect((r.q('contact-risk-none') as HTMLInputElement).checked).toBe(true);
    expect(r.target.querySelector('[data-testid^=contact-outcome-]:checked')).toBeNull();
    expect((r.q('contact-more') as HTMLDetailsElement).open).toBe(false);
    r.destroy();
  });

  it('follows the documented order with Tab, one stop per field', async () => {
    const r = render(ContactForm, { startedAt: STARTED, onFinished: noop, onClose: noop, onConverted: noop, onError: noop });
    await settle();
    const order = tabOrder(r.target).map((el) => el.dataset.testid ?? el.tagName.toLowerCase());
    const from = order.indexOf('contact-channel-phone_call');
    expect(order.slice(from, from + 9)).toEqual([
      'contact-channel-phone_call', 'contact-number', 'contact-category-psychosocial-distress', 'contact-self-harm-not_asked',
      'contact-risk-none', 'contact-action-listened', 'contact-outcome-resolved', 'contact-summary', 'summary',
    ]);
    r.destroy();
  });

  it('moves within the categories with the arrows, the tab stop following', async () => {
    const r = render(ContactForm, { startedAt: STARTED, onFinished: noop, onClose: noop, onConverted: noop, onError: noop });
    await settle();
    const first = r.q('contact-category-psychosocial-distress') as HTMLInputElement;
    const second = r.q('contact-category-suicide-risk') as HTMLInputElement;
    first.focus();
    first.dispatchEvent(new KeyboardEvent('keydown', { key: 'ArrowDown', bubbles: true }));
    flushSync();
    expect(document.activeElement).toBe(second);
    expect([first.tabIndex, second.tabIndex]).toEqual([-1, 0]);
    second.dispatchEvent(new KeyboardEvent('keydown', { key: 'ArrowUp', bubbles: true }));
    flushSync();
    expect(document.activeElement).toBe(first);
    r.destroy();
  });

  it('saves the contact of the keyboard sequence, ended, on Ctrl+Enter', async () => {
    let finished = 0;
    const r = render(ContactForm, { startedAt: STARTED, onFinished: () => finished++, onClose: noop, onConverted: noop, onError: noop });
    await settle();
    // jsdom has no native keyboard for radios and checkboxes: each step sets what its key does.
    press(r.q('contact-channel-whats_app')); // ArrowRight
    typeInto(r.q('contact-number'), '0812 3456 7890');
    press(r.q('contact-category-psychosocial-distress')); // Space
    press(r.q('contact-self-harm-no')); // ArrowRight
    press(r.q('contact-risk-low')); // ArrowRight
    press(r.q('contact-action-listened')); // Space
    press(r.q('contact-outcome-resolved')); // Space
    typeInto(r.q('contact-summary'), 'Cemas menjelang ujian; sudah lebih tenang.');
    expect(r.q('contact-red-flag')).toBeNull();
    r.q('contact-summary')?.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', ctrlKey: true, bubbles: true }));
    await settle(10);
    expect(saves).toHaveLength(1);
    const { id, input } = saves[0]!;
    expect(id).toBeNull();
    expect(input.caller_number).toBe('0812 3456 7890');
    expect(input.entry).toMatchObject({
      channel: 'whats_app', categories: ['psychosocial-distress'], self_harm: 'no', risk: 'low', actions: ['listened'],
      outcome: 'resolved', summary: 'Cemas menjelang ujian; sudah lebih tenang.', started_at: STARTED, zone: 'Asia/Jakarta',
      caller_type: 'anonymous', callback: null,
    });
    expect(input.entry.ended_at).not.toBeNull();
    expect(Date.parse(input.entry.ended_at!)).toBeGreaterThanOrEqual(Date.parse(STARTED));
    expect(finished).toBe(1);
    r.destroy();
  });

  it('shows the red flag for self-harm yes and for a high risk', async () => {
    const r = render(ContactForm, { startedAt: STARTED, onFinished: noop, onClose: noop, onConverted: noop, onError: noop });
    await settle();
    press(r.q('contact-self-harm-yes'));
    expect(r.q('contact-red-flag')).not.toBeNull();
    press(r.q('contact-self-harm-no'));
    expect(r.q('contact-red-flag')).toBeNull();
    press(r.q('contact-risk-imminent'));
    expect(r.q('contact-red-flag')?.getAttribute('role')).toBe('alert');
    r.destroy();
  });

  it('shows the earlier contacts of a number once it has 8 digits', async () => {
    previous = [earlier('p1'), earlier('p2', { channel: 'whats_app', categories: [] }, 'c9')];
    const r = render(ContactForm, { startedAt: STARTED, onFinished: noop, onClose: noop, onConverted: noop, onError: noop });
    await settle();
    typeInto(r.q('contact-number'), '0812-345');
    await wait(350);
    await settle();
    expect(lookups, 'seven digits: no lookup').toHaveLength(0);
    typeInto(r.q('contact-number'), '0812-3456');
    await wait(350);
    await settle();
    expect(lookups).toEqual([{ number: '0812-3456', except: null }]);
    expect(r.q('contact-previous-count')?.textContent).toMatch(/^2 kontak sebelumnya/);
    const items = r.all('contact-previous-item');
    expect(items).toHaveLength(2);
    expect(items[0]?.textContent).toContain('10/10/2026 14.00 WIB');
    expect(items[0]?.textContent).toContain('Risiko bunuh diri');
    expect(items[0]?.textContent).toContain('TANDA BAHAYA');
    expect(items[0]?.textContent).toContain('Menangis');
    expect(items[1]?.textContent).toContain('sudah menjadi klien');
    expect(r.q('contact-previous')?.querySelector('button, input, a, [tabindex]'), 'nothing in the panel takes the Tab').toBeNull();
    r.destroy();
  });

  it('saves nothing before the first change, then autosaves, and locking writes a pending save first', async () => {
    const r = render(ContactForm, { startedAt: STARTED, onFinished: noop, onClose: noop, onConverted: noop, onError: noop });
    await settle();
    await wait(450);
    expect(saves).toHaveLength(0);
    typeInto(r.q('contact-summary'), 'Menanyakan layanan.');
    expect(saves).toHaveLength(0);
    await flushAll(); // what locking does first
    await settle();
    expect(saves).toHaveLength(1);
    expect(saves[0]?.input.entry.ended_at).toBeNull();
    expect(r.q('contact-save-status')?.textContent).toContain('Tersimpan');
    // Later saves write the same contact.
    press(r.q('contact-outcome-follow_up'));
    await wait(450);
    await settle();
    expect(saves.map((s) => s.id)).toEqual([null, 'k-new']);
    expect(r.q('contact-convert')).not.toBeNull();
    r.destroy();
  });

  it('makes the caller a client with this contact and the earlier ones of her number', async () => {
    previous = [earlier('p1'), earlier('p2', {}, 'c9')];
    let converted: Record<string, unknown> | null = null;
    clearMocks();
    mockIPC((cmd, args) => {
      const a = args as Record<string, unknown>;
      if (cmd === 'contact_form_choices') return choices;
      if (cmd === 'contact_save') return stored('k-new', a.input as ContactInput);
      if (cmd === 'contact_previous') return previous;
      if (cmd === 'contact_convert') {
        converted = a;
        return 'c-new';
      }
      throw new Error(`unexpected ${cmd}`);
    });
    const clients: string[] = [];
    const r = render(ContactForm, { startedAt: STARTED, onFinished: noop, onClose: noop, onConverted: (id) => clients.push(id), onError: noop });
    await settle();
    typeInto(r.q('contact-number'), '0812 3456 7890');
    await wait(450);
    await settle();
    press(r.q('contact-convert'));
    await settle();
    const boxes = r.all('convert-contact') as HTMLInputElement[];
    expect(boxes.map((b) => [b.value, b.checked]), 'the converted one is not offered').toEqual([['k-new', true], ['p1', true]]);
    press(r.q('convert-save'));
    await settle();
    expect(converted, 'nothing is sent while the form has an error').toBeNull();
    typeInto(r.q('convert-code'), 'HL-7');
    typeInto(r.q('convert-name'), 'Rina');
    typeInto(r.q('convert-age'), '15');
    expect(r.q('convert-guardian-name'), 'a child needs a guardian').not.toBeNull();
    expect((r.q('convert-given-by') as HTMLSelectElement).value).toBe('parent');
    typeInto(r.q('convert-guardian-name'), 'Ibu Sari');
    expect((r.q('convert-giver-name') as HTMLInputElement).value, 'prefilled').toBe('Ibu Sari');
    press(r.q('convert-assent-yes'));
    press(r.q('convert-save'));
    await settle();
    expect(converted).toMatchObject({
      contacts: ['k-new', 'p1'],
      profile: { code: 'HL-7', name: 'Rina', estimated_age: 15, guardian: { name: 'Ibu Sari' } },
      consent: { given_by: 'parent', giver_name: 'Ibu Sari', child_assent: true, channel: 'verbal', purposes: ['service'] },
    });
    expect(clients).toEqual(['c-new']);
    r.destroy();
  });

  it('asks an adult for her own consent once her age is typed, whatever was typed first', async () => {
    let converted: Record<string, unknown> | null = null;
    clearMocks();
    mockIPC((cmd, args) => {
      const a = args as Record<string, unknown>;
      if (cmd === 'contact_form_choices') return choices;
      if (cmd === 'contact_save') return stored('k-adult', a.input as ContactInput);
      if (cmd === 'contact_previous') return [];
      if (cmd === 'contact_convert') {
        converted = a;
        return 'c-adult';
      }
      throw new Error(`unexpected ${cmd}`);
    });
    const r = render(ContactForm, { startedAt: STARTED, onFinished: noop, onClose: noop, onConverted: noop, onError: noop });
    await settle();
    typeInto(r.q('contact-summary'), 'menelepon untuk dirinya sendiri');
    await wait(450);
    await settle();
    press(r.q('contact-convert'));
    await settle();
    typeInto(r.q('convert-code'), 'HL-8');
    typeInto(r.q('convert-name'), 'Penelepon Dewasa');
    typeInto(r.q('convert-age'), '34');
    expect((r.q('convert-given-by') as HTMLSelectElement).value, 'an adult consents herself').toBe('self_given');
    press(r.q('convert-save'));
    await settle();
    expect(converted).toMatchObject({ consent: { given_by: 'self_given', giver_name: 'Penelepon Dewasa' } });
    r.destroy();
  });

  it('asks when a contact left open for more than a day ended, and saves that end', async () => {
    let finished = 0;
    const old = stored('k-old', { caller_number: '', entry: { ...earlier('x').entry, started_at: '2026-10-10T07:00:00Z', ended_at: null } });
    const r = render(ContactForm, { contact: old, startedAt: STARTED, onFinished: () => finished++, onClose: noop, onConverted: noop, onError: noop });
    await settle();
    expect(r.q('contact-ask-end'), 'it asks').not.toBeNull();
    press(r.q('contact-finish'));
    await settle(10);
    expect(r.q('contact-end-missing'), 'nothing saved without the end').not.toBeNull();
    expect(finished).toBe(0);
    typeInto(r.q('contact-end-date'), '10/10/2026');
    typeInto(r.q('contact-end-time'), '14.40');
    press(r.q('contact-finish'));
    await settle(10);
    expect(saves.at(-1)?.input.entry.ended_at).toBe('2026-10-10T07:40:00Z');
    expect(finished).toBe(1);
    r.destroy();
  });

  it('keeps a closed contact unfinished but saved', async () => {
    let closed = 0;
    const r = render(ContactForm, { startedAt: STARTED, onFinished: noop, onClose: () => closed++, onConverted: noop, onError: noop });
    await settle();
    press(r.q('contact-category-information'));
    press(r.q('contact-close'));
    await settle(10);
    expect(saves).toHaveLength(1);
    expect(saves[0]?.input.entry.ended_at).toBeNull();
    expect(closed).toBe(1);
    r.destroy();
  });

  it('shows a refused save through onError and stays open', async () => {
    clearMocks();
    mockIPC((cmd) => {
      if (cmd === 'contact_form_choices') return choices;
      if (cmd === 'contact_save') throw { code: 'InvalidInput', message: 'a caller\'s phone number has 8 to 15 digits' };
      throw new Error(`unexpected ${cmd}`);
    });
    const errors: string[] = [];
    let finished = 0;
    const r = render(ContactForm, { startedAt: STARTED, onFinished: () => finished++, onClose: noop, onConverted: noop, onError: (c) => errors.push(c) });
    await settle();
    typeInto(r.q('contact-number'), '0812');
    press(r.q('contact-finish'));
    await settle(10);
    expect(errors).toEqual(['InvalidInput']);
    expect(finished).toBe(0);
    r.destroy();
  });
});

describe('a junior volunteer (issue 23)', () => {
  it('is not offered "Jadikan klien", and is told that a supervisor assigns her clients', async () => {
    team.view = {
      me: 'm1', role: 'counselor', supervises: false, members: [], zone: 'WIB',
      may: { register_client: false, assign_case: false, set_levels: false },
    } as never;
    const r = render(ContactForm, { startedAt: STARTED, onFinished: noop, onClose: noop, onConverted: noop, onError: noop });
    await settle();
    typeInto(r.q('contact-summary'), 'Menanyakan layanan.');
    await flushAll();
    await settle();
    expect(saves).toHaveLength(1);
    expect(r.q('contact-convert')).toBeNull();
    expect(r.q('contact-convert-not-permitted')?.textContent).toBe('Relawan junior menangani klien yang ditugaskan supervisor.');
    r.destroy();
  });
});
