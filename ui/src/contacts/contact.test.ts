import { afterEach, describe, expect, it } from 'vitest';
import { setLocale } from '../lib/i18n/i18n.svelte';
import type { ContactView } from '../lib/backend';
import {
  callbackDue, categoryLabel, needsEndTime, typedEnd, contactInput, contactWhen, convertCandidates, digitCount, entryFromForm, formatTimer,
  formFromEntry, isRedFlag, lineOptions, newContactForm, normaliseNumber, numberToSend, rovingIndex, shouldLookUp,
} from './contact';

afterEach(() => setLocale('id'));

const ctx = { startedAt: '2026-10-17T07:00:00Z', endedAt: null, zone: 'Asia/Jakarta' as const, lines: [{ entry: 'l1', name: 'SEJIWA', number: '119' }] };

function view(over: Partial<ContactView> = {}): ContactView {
  return {
    id: 'k1', entry: entryFromForm(newContactForm(), ctx), volunteer: 'm1', has_number: false, red_flag: false,
    seen_by_supervisor: false, converted_to: null, client: null, logged_at: '2026-10-17T07:00:00Z', ...over,
  };
}

describe('the contact input', () => {
  it('is built from the form: the anonymous WhatsApp contact of the keyboard sequence', () => {
    const f = {
      ...newContactForm(), channel: 'whats_app' as const, categories: ['psychosocial-distress'], selfHarm: 'no' as const,
      risk: 'low' as const, actions: ['listened' as const], outcome: 'resolved' as const, summary: 'Cemas soal ujian.',
    };
    const input = contactInput(f, { ...ctx, endedAt: '2026-10-17T07:12:00Z' }, '0812 3456 7890');
    expect(input).toEqual({
      caller_number: '0812 3456 7890',
      entry: {
        channel: 'whats_app', line: null, started_at: '2026-10-17T07:00:00Z', ended_at: '2026-10-17T07:12:00Z', zone: 'Asia/Jakarta',
        caller_type: 'anonymous', person: { name: '', age_band: null, sex: 'unspecified', city: '' },
        categories: ['psychosocial-distress'], risk: 'low', self_harm: 'no', actions: ['listened'], outcome: 'resolved',
        summary: 'Cemas soal ujian.', callback: null,
      },
    });
  });

  it('leaves the unchosen as none and resolves the line from its entry', () => {
    const e = entryFromForm({ ...newContactForm('l1'), ageBand: '13-17', name: ' Rina ', city: ' Bandung ' }, ctx);
    expect(e.risk).toBeNull();
    expect(e.outcome).toBeNull();
    expect(e.line).toEqual({ entry: 'l1', name: 'SEJIWA', number: '119' });
    expect(e.person).toEqual({ name: 'Rina', age_band: '13-17', sex: 'unspecified', city: 'Bandung' });
  });

  it('saves a callback once its time parses, its number only with consent', () => {
    const agreed = { ...newContactForm(), callbackAgreed: true, callbackDate: '18/10/2026', callbackNumber: '0812345678' };
    expect(entryFromForm(agreed, ctx).callback, 'no time yet').toBeNull();
    const timed = { ...agreed, callbackTime: '09.30' };
    expect(callbackDue(timed, 'Asia/Jakarta')).toBe('2026-10-18T02:30:00Z');
    expect(entryFromForm(timed, ctx).callback).toEqual({ due: '2026-10-18T02:30:00Z', number_consented: false, number: '', done_at: null });
    expect(entryFromForm({ ...timed, callbackConsented: true }, ctx).callback?.number).toBe('0812345678');
    // Ticked as made: done now, and a done time once saved stays as it was.
    const done = { ...timed, callbackDone: true };
    expect(entryFromForm(done, { ...ctx, now: '2026-10-18T03:00:00Z' }).callback?.done_at).toBe('2026-10-18T03:00:00Z');
    expect(entryFromForm(done, { ...ctx, now: '2026-10-19T00:00:00Z', callbackDoneAt: '2026-10-18T03:00:00Z' }).callback?.done_at).toBe('2026-10-18T03:00:00Z');
    expect(entryFromForm({ ...done, callbackDone: false }, { ...ctx, callbackDoneAt: '2026-10-18T03:00:00Z' }).callback?.done_at).toBeNull();
  });

  it('reads a saved contact back into the form (the number is never known again)', () => {
    const e = entryFromForm({ ...newContactForm('l1'), risk: 'high', callbackAgreed: true, callbackDate: '18/10/2026', callbackTime: '09.30' }, ctx);
    const f = formFromEntry(e);
    expect(f.number).toBe('');
    expect(f.risk).toBe('high');
    expect(f.line).toBe('l1');
    expect([f.callbackDate, f.callbackTime]).toEqual(['18/10/2026', '09.30']);
    expect(entryFromForm(f, ctx)).toEqual(e);
  });
});

describe('the caller\'s number', () => {
  it('counts digits for the lookup of earlier contacts', () => {
    expect(digitCount('+62 (812) 34-5')).toBe(8);
    expect(shouldLookUp('0812-345')).toBe(false);
    expect(shouldLookUp('0812-3456')).toBe(true);
  });

  it('is compared written either way, as the core does', () => {
    expect(normaliseNumber('0812-3456-7890')).toBe('6281234567890');
    expect(normaliseNumber('+62 812 3456 7890')).toBe('6281234567890');
    expect(normaliseNumber('6281234567890')).toBe('6281234567890');
    expect(normaliseNumber('812 3456 7890')).toBe('6281234567890');
    expect(normaliseNumber('0812abc')).toBeNull();
    expect(normaliseNumber('0812')).toBeNull();
  });

  it('is sent once while typing, as typed when final, never when unchanged', () => {
    expect(numberToSend('', null, true)).toBe('');
    expect(numberToSend('0812', null, false), 'still being typed').toBe('');
    expect(numberToSend('0812', null, true), 'final: the core says what is wrong').toBe('0812');
    expect(numberToSend('0812 3456 7890', null, false)).toBe('0812 3456 7890');
    expect(numberToSend('+62 812 3456 7890', '6281234567890', true), 'already sent').toBe('');
  });
});

describe('the form\'s rules', () => {
  it('raises a red flag for self-harm yes or a high or imminent risk', () => {
    expect(isRedFlag('yes', '')).toBe(true);
    expect(isRedFlag('no', 'high')).toBe(true);
    expect(isRedFlag('not_asked', 'imminent')).toBe(true);
    expect(isRedFlag('no', 'medium')).toBe(false);
    expect(isRedFlag('not_asked', null)).toBe(false);
  });

  it('shows the timer as mm:ss', () => {
    expect(formatTimer(0)).toBe('00:00');
    expect(formatTimer(65_400)).toBe('01:05');
    expect(formatTimer(75 * 60_000 + 2000)).toBe('75:02');
    expect(formatTimer(-500)).toBe('00:00');
  });

  it('moves in a group of checkboxes with the arrows, wrapping round', () => {
    expect(rovingIndex(0, 'ArrowDown', 4)).toBe(1);
    expect(rovingIndex(0, 'ArrowRight', 4)).toBe(1);
    expect(rovingIndex(3, 'ArrowDown', 4)).toBe(0);
    expect(rovingIndex(0, 'ArrowUp', 4)).toBe(3);
    expect(rovingIndex(2, 'ArrowLeft', 4)).toBe(1);
    expect(rovingIndex(2, 'Home', 4)).toBe(0);
    expect(rovingIndex(0, 'End', 4)).toBe(3);
    expect(rovingIndex(1, ' ', 4), 'Space is the checkbox\'s own').toBeNull();
    expect(rovingIndex(0, 'ArrowDown', 0)).toBeNull();
  });

  it('offers today\'s lines, keeping the one a contact was saved with', () => {
    const choices = [{ entry: 'l1', name: 'SEJIWA', number: '119', rota: false }, { entry: 'l2', name: 'TePSA', number: '1500771', rota: true }];
    expect(lineOptions(choices, null).map((l) => l.number)).toEqual(['119', '1500771']);
    expect(lineOptions(choices, { entry: 'l2', name: 'TePSA', number: '0811' }).map((l) => l.number)).toEqual(['119', '0811']);
    expect(lineOptions(choices, { entry: 'old', name: 'Lama', number: '1' }).map((l) => l.entry)).toEqual(['old', 'l1', 'l2']);
  });

  it('names categories in the UI\'s language, the code when unknown', () => {
    const cats = [{ code: 'suicide-risk', id: 'Risiko bunuh diri', en: 'Suicide risk' }];
    expect(categoryLabel('suicide-risk', cats, 'id')).toBe('Risiko bunuh diri');
    expect(categoryLabel('suicide-risk', cats, 'en')).toBe('Suicide risk');
    expect(categoryLabel('gone', cats, 'id')).toBe('gone');
  });

  it('says when a contact started, in its zone', () => {
    expect(contactWhen({ started_at: '2026-10-17T07:05:00Z', zone: 'Asia/Makassar' })).toBe('17/10/2026 15.05 WITA');
    setLocale('en');
    expect(contactWhen({ started_at: '2026-10-17T07:05:00Z', zone: 'Asia/Jakarta' })).toBe('17/10/2026 14:05 WIB');
    expect(contactWhen({ started_at: null, zone: null })).toBe('—');
  });

  it('offers this contact and the earlier ones that belong to no client yet for "Jadikan klien"', () => {
    const current = view({ id: 'now' });
    const ended = (v: ContactView): ContactView => ({ ...v, entry: { ...v.entry, ended_at: '2026-10-17T07:10:00Z' } });
    const ongoing = view({ id: 'c' });
    const earlier = [ended(view({ id: 'a' })), ended(view({ id: 'b', converted_to: 'c1' })), ended(view({ id: 'now' })), ongoing];
    expect(convertCandidates(current, earlier).map((c) => c.id), 'not a colleague\'s call still going on').toEqual(['now', 'a']);
  });
});

describe('a contact left open', () => {
  it('asks when it ended once it is older than a contact can last', () => {
    const start = '2026-10-17T07:00:00Z';
    expect(needsEndTime(start, null, Date.parse('2026-10-17T20:00:00Z'))).toBe(false);
    expect(needsEndTime(start, null, Date.parse('2026-10-18T08:00:00Z'))).toBe(true);
    expect(needsEndTime(start, '2026-10-17T07:20:00Z', Date.parse('2026-10-19T08:00:00Z'))).toBe(false);
    expect(typedEnd('17/10/2026', '14.25', 'Asia/Jakarta', start)).toBe('2026-10-17T07:25:00Z');
    expect(typedEnd('17/10/2026', '13.00', 'Asia/Jakarta', start), 'before it started').toBeNull();
    expect(typedEnd('19/10/2026', '14.25', 'Asia/Jakarta', start), 'two days later').toBeNull();
    expect(typedEnd('17/10/2026', '', 'Asia/Jakarta', start)).toBeNull();
  });
});
