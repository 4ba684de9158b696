import { afterEach, describe, expect, it } from 'vitest';
import type { DirectoryEntryView, EpisodeView, OnCallRota, TeamView } from '../lib/backend';
import { setLocale } from '../lib/i18n/i18n.svelte';
import {
  addService, answerOf, blankWork, copyWork, durationText, episodeActions, formToRota, goesToText, itemLabel, personName,
  presentOf, responseText, reviewOrder, rotaMembers, rotaToForm, sameWork, serviceChoices, telUrl, timeLeft, triggerText,
  whatsappUrl, workToSave,
} from './episode';

afterEach(() => setLocale('id'));

const member = (id: string, username: string, role: string, removed = false) => ({ id, username, role, level: null, number: 0, removed, devices: [] });

function teamOf(role: string, me = 'm-me'): TeamView {
  return {
    me, role, supervises: role === 'supervisor' || role === 'admin', admitted: true,
    members: [
      member('m-me', 'saya', role),
      member('m-ani', 'sup.ani', 'supervisor'),
      member('m-adi', 'adm.adi', 'admin'),
      member('m-budi', 'kons.budi', 'counselor'),
      member('m-old', 'sup.lama', 'supervisor', true),
    ],
    may: { register_client: true, assign_case: role === 'supervisor', set_levels: role === 'supervisor' || role === 'admin' },
    volunteer_count: 1, supervisor_count: 1,
    pending: [], safety_numbers: [], org_fingerprint: null, holds_org_key: false, org_name: null, zone: 'WIB', roster_confirmed_at: null, key_manager_seen_at: null, key_manager_devices: 2,
  };
}

function view(over: Partial<EpisodeView> = {}, episode: Partial<EpisodeView['episode']> = {}): EpisodeView {
  return {
    episode: {
      id: 'ep1', subject: { kind: 'client', id: 'c1' }, opened_by: 'm-budi', opened_at: '2026-10-17T07:00:00Z',
      trigger: { kind: 'worker' }, work: blankWork(), acknowledged: null, closed: null, close_reason: '', ...episode,
    },
    subject_code: 'K-1', on_call: 'm-ani', deadline: '2026-10-18T07:00:00Z', overdue: false, for_me: false, ...over,
  };
}

describe('what opened an episode', () => {
  it('names the screening items as people say them', () => {
    expect(itemLabel('phq9.09')).toBe('PHQ-9 butir 9');
    expect(itemLabel('srq20.17')).toBe('SRQ-20 butir 17');
    expect(triggerText({ kind: 'screening', screening: 's1', items: ['phq9.09'] })).toBe('PHQ-9 butir 9');
    expect(triggerText({ kind: 'screening', screening: 's1', items: [] })).toBe('Skrining');
    setLocale('en');
    expect(triggerText({ kind: 'screening', screening: 's1', items: ['phq9.09', 'srq20.17'] })).toBe('PHQ-9 item 9, SRQ-20 item 17');
  });

  it('names a note, a contact and a worker\'s own opening', () => {
    expect(triggerText({ kind: 'note_risk', note: 'n1' })).toBe('Risiko segera di catatan');
    expect(triggerText({ kind: 'contact_self_harm', contact: 'k1' })).toBe('Kontak: menyakiti diri');
    expect(triggerText({ kind: 'worker' })).toBe('Dibuka oleh pekerja');
    setLocale('en');
    expect(triggerText({ kind: 'contact_self_harm', contact: 'k1' })).toBe('Contact: self-harm');
    expect(triggerText({ kind: 'worker' })).toBe('Opened by a worker');
  });

  it('keeps an item it does not know as it is', () => {
    expect(itemLabel('something')).toBe('something');
  });
});

describe('the time left to answer', () => {
  const now = new Date('2026-10-17T07:50:00Z');

  it('says how long is left, in both languages', () => {
    expect(timeLeft('2026-10-18T07:00:00Z', now)).toEqual({ overdue: false, text: 'sisa 23 jam 10 menit' });
    expect(timeLeft('2026-10-17T08:00:00Z', now).text).toBe('sisa 10 menit');
    expect(timeLeft('2026-10-17T08:50:00Z', now).text).toBe('sisa 1 jam');
    setLocale('en');
    expect(timeLeft('2026-10-18T07:00:00Z', now).text).toBe('23 hours 10 minutes left');
    expect(timeLeft('2026-10-17T08:51:00Z', now).text).toBe('1 hour 1 minute left');
  });

  it('says how late it is once past the deadline', () => {
    expect(timeLeft('2026-10-17T05:50:00Z', now)).toEqual({ overdue: true, text: 'lewat 2 jam' });
    expect(timeLeft('2026-10-15T04:00:00Z', now).text).toBe('lewat 2 hari 3 jam');
    setLocale('en');
    expect(timeLeft('2026-10-17T05:50:00Z', now).text).toBe('2 hours overdue');
    expect(timeLeft('2026-10-16T06:00:00Z', now).text).toBe('1 day 1 hour overdue');
  });

  it('takes the core\'s word that it is overdue over this computer\'s clock', () => {
    expect(timeLeft('2026-10-17T08:00:00Z', now, true)).toEqual({ overdue: true, text: 'lewat tenggat' });
    expect(timeLeft('2026-10-17T07:50:20Z', now)).toEqual({ overdue: false, text: 'sisa kurang dari 1 menit' });
  });

  it('writes spans of time without zero parts', () => {
    expect(durationText(3 * 86_400_000)).toBe('3 hari');
    expect(durationText(90 * 60_000)).toBe('1 jam 30 menit');
  });
});

describe('who answers', () => {
  it('names the supervisor on call, or every supervisor when overdue or without a rota', () => {
    const team = teamOf('counselor');
    expect(goesToText(team, view())).toBe('sup.ani');
    expect(goesToText(team, view({ overdue: true }))).toBe('semua supervisor');
    expect(goesToText(team, view({ on_call: null }))).toBe('semua supervisor');
  });

  it('says whether a supervisor has answered', () => {
    const team = teamOf('counselor');
    expect(responseText(team, view())).toBe('menunggu supervisor');
    expect(responseText(team, view({}, { acknowledged: { by: 'm-ani', at: '2026-10-17T08:00:00Z' } }))).toBe('sudah ditanggapi sup.ani');
    setLocale('en');
    expect(responseText(team, view({}, { acknowledged: { by: 'm-ani', at: '2026-10-17T08:00:00Z' } }))).toBe('acknowledged by sup.ani');
  });

  it('names this member without a team as this device', () => {
    expect(personName(null, 'm-me')).toBe('perangkat ini');
    expect(personName(teamOf('counselor'), 'm-budi')).toBe('kons.budi');
    expect(personName(teamOf('counselor'), null)).toBe('—');
  });
});

describe('what each role sees', () => {
  it('lets a supervisor or admin acknowledge (once) and close; a counselor only works on it', () => {
    for (const role of ['supervisor', 'admin']) {
      expect(episodeActions(teamOf(role), view())).toEqual({ open: false, edit: true, acknowledge: true, close: true });
      expect(episodeActions(teamOf(role), view({}, { acknowledged: { by: 'm-me', at: '2026-10-17T08:00:00Z' } })))
        .toEqual({ open: false, edit: true, acknowledge: false, close: true });
    }
    for (const role of ['counselor', 'outreach']) {
      expect(episodeActions(teamOf(role), view())).toEqual({ open: false, edit: true, acknowledge: false, close: false });
    }
    expect(episodeActions(null, view())).toEqual({ open: false, edit: true, acknowledge: false, close: false });
  });

  it('lets anyone open one when none is open, and nobody change a closed one', () => {
    expect(episodeActions(teamOf('counselor'), null)).toEqual({ open: true, edit: false, acknowledge: false, close: false });
    const closed = view({}, { closed: { by: 'm-ani', at: '2026-10-18T00:00:00Z' }, close_reason: 'Aman.' });
    expect(episodeActions(teamOf('supervisor'), closed)).toEqual({ open: false, edit: false, acknowledge: false, close: false });
  });

  it('orders the supervisor\'s list overdue first, then hers, the core\'s order within', () => {
    const a = view({ episode: { ...view().episode, id: 'a' } });
    const b = view({ episode: { ...view().episode, id: 'b' }, for_me: true });
    const c = view({ episode: { ...view().episode, id: 'c' }, overdue: true, for_me: true });
    const d = view({ episode: { ...view().episode, id: 'd' }, for_me: true });
    expect(reviewOrder([a, b, c, d]).map((e) => e.episode.id)).toEqual(['c', 'b', 'd', 'a']);
  });
});

describe('the work', () => {
  it('maps a finding\'s answer to the radio choice and back', () => {
    expect(answerOf(true)).toBe('yes');
    expect(answerOf(false)).toBe('no');
    expect(answerOf(null)).toBe('unknown');
    expect(presentOf('yes')).toBe(true);
    expect(presentOf('no')).toBe(false);
    expect(presentOf('unknown')).toBeNull();
  });

  it('fills what an older record left out, and compares versions by what they say', () => {
    const partial = { assessment: { ideation: { present: true, detail: 'x' } }, actions: 'Menelepon 119.' } as never;
    const copy = copyWork(partial);
    expect(copy.assessment.plan).toEqual({ present: null, detail: '' });
    expect(copy.safety_plan.services).toEqual([]);
    expect(copy.actions).toBe('Menelepon 119.');
    expect(sameWork(copy, copyWork(copy))).toBe(true);
    expect(sameWork(copy, blankWork())).toBe(false);
  });

  it('sends services without the empty ones', () => {
    const work = blankWork();
    work.safety_plan.services = [{ entry: '', name: ' ', number: '' }, { entry: 'e1', name: 'SEJIWA ', number: ' 119' }];
    expect(workToSave(work).safety_plan.services).toEqual([{ entry: 'e1', name: 'SEJIWA', number: '119' }]);
  });

  it('offers each number of a directory entry once, and adds a service only once', () => {
    const entry = {
      id: 'e1', name: 'Layanan Uji', number_today: '119', phones: [{ number: '119', extension: '8', tel_url: 'tel:119' }, { number: '021-555', extension: null, tel_url: 'tel:021555' }],
      whatsapp: '0811222333', whatsapp_url: 'https://wa.me/62811222333',
    } as unknown as DirectoryEntryView;
    const choices = serviceChoices(entry);
    expect(choices.map((c) => c.number)).toEqual(['119', '021-555', '0811222333']);
    expect(choices[0]).toEqual({ entry: 'e1', name: 'Layanan Uji', number: '119' });
    const once = addService([], choices[0]!);
    expect(addService(once, choices[0]!)).toHaveLength(1);
    expect(addService(once, { entry: '', name: ' Bu Rina ', number: '0812' })).toEqual([...once, { entry: '', name: 'Bu Rina', number: '0812' }]);
    expect(addService(once, { entry: '', name: ' ', number: '' })).toBe(once);
  });
});

describe('the on-call rota form', () => {
  const team = teamOf('supervisor');
  const supervisors = rotaMembers(team);

  it('offers the supervisors and admins still on the team', () => {
    expect(supervisors.map((m) => m.username)).toEqual(['saya', 'sup.ani', 'adm.adi']);
  });

  it('shows the stored rota with one place per supervisor, and sends it back as it was', () => {
    const rota: OnCallRota = {
      days: [['m-ani', 'm-me'], [], ['m-adi'], [], [], ['m-old', 'm-ani'], ['m-me']],
      numbers: [{ member: 'm-ani', phone: '0812-1111', whatsapp: '0812-1111' }, { member: 'm-old', phone: '0800', whatsapp: '' }],
    };
    const form = rotaToForm(rota, supervisors);
    expect(form.days[0]).toEqual(['m-ani', 'm-me', '']);
    expect(form.days[1]).toEqual(['', '', '']);
    expect(form.days[5], 'a removed supervisor is left out').toEqual(['m-ani', '', '']);
    expect(form.numbers).toEqual([
      { member: 'm-me', phone: '', whatsapp: '' },
      { member: 'm-ani', phone: '0812-1111', whatsapp: '0812-1111' },
      { member: 'm-adi', phone: '', whatsapp: '' },
    ]);
    expect(formToRota(form, supervisors)).toEqual({
      days: [['m-ani', 'm-me'], [], ['m-adi'], [], [], ['m-ani'], ['m-me']],
      numbers: [{ member: 'm-ani', phone: '0812-1111', whatsapp: '0812-1111' }],
    });
  });

  it('leaves out empty places and repeats, and trims the numbers', () => {
    const form = rotaToForm({ days: [[], [], [], [], [], [], []], numbers: [] }, supervisors);
    form.days[2] = ['', 'm-adi', 'm-adi'];
    form.days[3] = ['m-budi', 'm-ani', ''];
    form.numbers[2] = { member: 'm-adi', phone: ' 0813 ', whatsapp: '' };
    const rota = formToRota(form, supervisors);
    expect(rota.days[2]).toEqual(['m-adi']);
    expect(rota.days[3], 'a counselor is never on call').toEqual(['m-ani']);
    expect(rota.numbers).toEqual([{ member: 'm-adi', phone: '0813', whatsapp: '' }]);
    expect(rota.days).toHaveLength(7);
  });

  it('has one place a day even before the team has a supervisor', () => {
    expect(rotaToForm({ days: [], numbers: [] }, []).days).toEqual(Array.from({ length: 7 }, () => ['']));
  });
});

describe('calling a supervisor', () => {
  it('makes the links the core opens', () => {
    expect(telUrl('0812-3456 7890')).toBe('tel:081234567890');
    expect(telUrl('+62 (21) 555')).toBe('tel:+6221555');
    expect(telUrl('nomor')).toBeNull();
    expect(telUrl('')).toBeNull();
    expect(whatsappUrl('0812-3456-7890')).toBe('https://wa.me/6281234567890');
    expect(whatsappUrl('+62 812 3456 7890')).toBe('https://wa.me/6281234567890');
    expect(whatsappUrl('0812')).toBeNull();
    expect(whatsappUrl('wa saya')).toBeNull();
  });
});
