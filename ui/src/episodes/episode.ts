// Pure helpers of the risk-episode screens (issue 22, the red-flag protocol): what opened an
// episode, how long is left to answer it, who it goes to, what each role may do, the on-call
// rota as its editor holds it, and the links to call a supervisor. Kept out of the components so
// they are unit-tested.
import type {
  DirectoryEntryView, EpisodeTrigger, EpisodeView, EpisodeWork, Finding, MemberRow, OnCallRota, PlanService, TeamView,
} from '../lib/backend';
import type { MessageKey } from '../lib/i18n/catalogue';
import { t } from '../lib/i18n/i18n.svelte';
import { memberName, supervises } from '../review/review';

// --- the work: assessment, safety plan, actions ---------------------------------------------

/** The four findings of the assessment, in the order they are asked. */
export const FINDINGS = ['ideation', 'plan', 'means', 'past_attempts'] as const;
export type FindingKey = (typeof FINDINGS)[number];

/** The safety plan's written sections (the services to call are picked, not written). */
export const PLAN_TEXTS = ['warning_signs', 'coping', 'people_places', 'safer_surroundings'] as const;
export type PlanText = (typeof PLAN_TEXTS)[number];

/** A finding's radio choice: yes, no, or not asked yet. */
export type Answer = 'yes' | 'no' | 'unknown';
export const ANSWERS: readonly Answer[] = ['yes', 'no', 'unknown'];

export function answerOf(present: boolean | null): Answer {
  return present === true ? 'yes' : present === false ? 'no' : 'unknown';
}

export function presentOf(answer: Answer): boolean | null {
  return answer === 'yes' ? true : answer === 'no' ? false : null;
}

const blankFinding = (): Finding => ({ present: null, detail: '' });

/** Nothing written yet. */
export function blankWork(): EpisodeWork {
  return {
    assessment: {
      ideation: blankFinding(), plan: blankFinding(), means: blankFinding(), past_attempts: blankFinding(),
      protective_factors: '', judgement: null,
    },
    safety_plan: { warning_signs: '', coping: '', people_places: '', services: [], safer_surroundings: '' },
    actions: '',
  };
}

/** A plain copy the form may change (every field present, in one key order, so that two copies
 * of the same work compare equal as JSON). */
export function copyWork(work: EpisodeWork): EpisodeWork {
  const blank = blankWork();
  const finding = (f: Finding | undefined): Finding => ({ present: f?.present ?? null, detail: f?.detail ?? '' });
  const a = work.assessment ?? blank.assessment;
  const p = work.safety_plan ?? blank.safety_plan;
  return {
    assessment: {
      ideation: finding(a.ideation), plan: finding(a.plan), means: finding(a.means), past_attempts: finding(a.past_attempts),
      protective_factors: a.protective_factors ?? '', judgement: a.judgement ?? null,
    },
    safety_plan: {
      warning_signs: p.warning_signs ?? '', coping: p.coping ?? '', people_places: p.people_places ?? '',
      services: (p.services ?? []).map((s) => ({ entry: s.entry ?? '', name: s.name ?? '', number: s.number ?? '' })),
      safer_surroundings: p.safer_surroundings ?? '',
    },
    actions: work.actions ?? '',
  };
}

/** What is sent on "Simpan": the form as typed, services without a name and a number left out. */
export function workToSave(work: EpisodeWork): EpisodeWork {
  const copy = copyWork(work);
  copy.safety_plan.services = copy.safety_plan.services
    .map((s) => ({ entry: s.entry, name: s.name.trim(), number: s.number.trim() }))
    .filter((s) => s.name !== '' || s.number !== '');
  return copy;
}

/** Whether two versions of the work say the same. */
export function sameWork(a: EpisodeWork, b: EpisodeWork): boolean {
  return JSON.stringify(copyWork(a)) === JSON.stringify(copyWork(b));
}

/** The services of a directory entry she can put in a safety plan: one per number (today's
 * number first, then its phones, then its WhatsApp), each named after the entry. */
export function serviceChoices(entry: DirectoryEntryView): PlanService[] {
  const numbers = [entry.number_today, ...entry.phones.map((p) => p.number), entry.whatsapp]
    .filter((n): n is string => typeof n === 'string' && n.trim() !== '');
  return [...new Set(numbers)].map((number) => ({ entry: entry.id, name: entry.name, number }));
}

/** Adds a service to a plan unless the same number of the same service is there already. */
export function addService(services: PlanService[], service: PlanService): PlanService[] {
  const name = service.name.trim();
  const number = service.number.trim();
  if (!name && !number) return services;
  const same = services.some((s) => s.name.trim() === name && s.number.trim() === number);
  return same ? services : [...services, { entry: service.entry, name, number }];
}

// --- what opened it, who answers, by when -----------------------------------------------------

const INSTRUMENTS: Readonly<Record<string, string>> = { phq9: 'PHQ-9', srq20: 'SRQ-20', gad7: 'GAD-7', k10: 'K10' };

/** A screening item as people name it: `phq9.09` is "PHQ-9 butir 9" ("PHQ-9 item 9"). */
export function itemLabel(item: string): string {
  const m = /^([a-z]+\d*)\.(\d+)$/i.exec(item.trim());
  if (!m) return item;
  const code = (m[1] ?? '').toLowerCase();
  return t('episode.trigger.item', { instrument: INSTRUMENTS[code] ?? code.toUpperCase(), item: Number(m[2]) });
}

/** What opened an episode, in a few words. */
export function triggerText(trigger: EpisodeTrigger): string {
  switch (trigger.kind) {
    case 'screening':
      return trigger.items.length > 0 ? trigger.items.map(itemLabel).join(', ') : t('episode.trigger.screening');
    case 'note_risk':
      return t('episode.trigger.note_risk');
    case 'contact_self_harm':
      return t('episode.trigger.contact_self_harm');
    case 'worker':
      return t('episode.trigger.worker');
  }
}

/** A span of time as the UI writes it: "23 jam 10 menit", "2 hari 3 jam", "5 menit". */
export function durationText(ms: number): string {
  const minutes = Math.floor(Math.abs(ms) / 60_000);
  if (minutes < 1) return t('episode.lessThanMinute');
  const days = Math.floor(minutes / 1440);
  const hours = Math.floor((minutes % 1440) / 60);
  const mins = minutes % 60;
  const parts: string[] = [];
  if (days > 0) parts.push(t('episode.days', { n: days }));
  if (hours > 0) parts.push(t('episode.hours', { n: hours }));
  // Past a day the minutes no longer matter.
  if (mins > 0 && days === 0) parts.push(t('episode.minutes', { n: mins }));
  return parts.join(' ');
}

/** The time left to acknowledge ("sisa 23 jam 10 menit"), or how late it is ("lewat 2 jam").
 * `overdue` is the core's word (it follows the server's clock): it wins over this computer's. */
export function timeLeft(deadline: string, now: Date, overdue = false): { overdue: boolean; text: string } {
  const due = Date.parse(deadline);
  if (Number.isNaN(due)) return { overdue, text: overdue ? t('episode.lateNow') : '' };
  const ms = due - now.getTime();
  if (!overdue && ms > 0) return { overdue: false, text: t('episode.left', { time: durationText(ms) }) };
  return { overdue: true, text: -ms >= 60_000 ? t('episode.late', { time: durationText(-ms) }) : t('episode.lateNow') };
}

/** A member as the episode screens name her: her username, else "perangkat ini" for this
 * member without a team list, else a short form of the id. */
export function personName(view: TeamView | null, id: string | null): string {
  if (!id) return '—';
  const known = view?.members.find((m) => m.id === id);
  if (known) return known.username;
  if (!view || id === view.me) return t('revisions.byThisDevice');
  return memberName(view.members, id);
}

/** Whom the episode asks: the supervisor on call the day it opened, or every supervisor (no
 * rota that day, or overdue). */
export function goesToText(view: TeamView | null, episode: EpisodeView): string {
  if (episode.overdue || !episode.on_call) return t('episode.allSupervisors');
  return personName(view, episode.on_call);
}

/** "menunggu supervisor", or "sudah ditanggapi sup.ani". */
export function responseText(view: TeamView | null, episode: EpisodeView): string {
  const ack = episode.episode.acknowledged;
  return ack ? t('episode.acknowledgedBy', { name: personName(view, ack.by) }) : t('episode.waiting');
}

/** What this member may do with an episode (or, with none open, whether she may open one):
 * everyone opens one and fills in the work; a supervisor or admin (a key manager) acknowledges
 * it, once, and closes it. */
export function episodeActions(view: TeamView | null, episode: EpisodeView | null): {
  open: boolean; edit: boolean; acknowledge: boolean; close: boolean;
} {
  const isOpen = episode !== null && episode.episode.closed === null;
  const manager = supervises(view);
  return {
    open: episode === null,
    edit: isOpen,
    acknowledge: isOpen && manager && episode.episode.acknowledged === null,
    close: isOpen && manager,
  };
}

/** The supervisor's list: overdue first, then those waiting for her, then the rest, each group
 * in the core's order (most urgent first). */
export function reviewOrder(episodes: EpisodeView[]): EpisodeView[] {
  const rank = (e: EpisodeView): number => (e.overdue ? 0 : e.for_me ? 1 : 2);
  return episodes.map((e, i) => ({ e, i })).sort((a, b) => rank(a.e) - rank(b.e) || a.i - b.i).map(({ e }) => e);
}

// --- the on-call rota ----------------------------------------------------------------------

/** The rota as its editor holds it: for each weekday (Monday first) one select per place in
 * the order ('' for none), and the numbers of each supervisor, in the team's order. */
export type RotaForm = {
  days: string[][];
  numbers: { member: string; phone: string; whatsapp: string }[];
};

/** The members who may be on call: the team's supervisors and admins not removed. */
export function rotaMembers(view: TeamView | null): MemberRow[] {
  return (view?.members ?? []).filter((m) => !m.removed && (m.role === 'supervisor' || m.role === 'admin'));
}

/** The weekday label key of index `day` (0 Monday ... 6 Sunday). */
export function weekdayKey(day: number): MessageKey {
  return `weekday.${day}` as MessageKey;
}

/** The rota as stored, as the editor shows it: as many places a day as there are supervisors,
 * anyone no longer a supervisor left out. */
export function rotaToForm(rota: OnCallRota, supervisors: MemberRow[]): RotaForm {
  const known = new Set(supervisors.map((m) => m.id));
  const places = Math.max(1, supervisors.length);
  const days = Array.from({ length: 7 }, (_, d) => {
    const chosen = [...new Set((rota.days[d] ?? []).filter((id) => known.has(id)))].slice(0, places);
    return [...chosen, ...Array<string>(places - chosen.length).fill('')];
  });
  const numbers = supervisors.map((m) => {
    const n = rota.numbers.find((x) => x.member === m.id);
    return { member: m.id, phone: n?.phone ?? '', whatsapp: n?.whatsapp ?? '' };
  });
  return { days, numbers };
}

/** What "Simpan jadwal" sends: each day's supervisors in order (empty places and repeats left
 * out), and the numbers of those who gave one. */
export function formToRota(form: RotaForm, supervisors: MemberRow[]): OnCallRota {
  const known = new Set(supervisors.map((m) => m.id));
  const days = Array.from({ length: 7 }, (_, d) => [...new Set((form.days[d] ?? []).filter((id) => id !== '' && known.has(id)))]);
  const numbers = form.numbers
    .filter((n) => known.has(n.member))
    .map((n) => ({ member: n.member, phone: n.phone.trim(), whatsapp: n.whatsapp.trim() }))
    .filter((n) => n.phone !== '' || n.whatsapp !== '');
  return { days, numbers };
}

// --- calling a supervisor ------------------------------------------------------------------

/** A `tel:` link of a number as typed ("0812-3456 7890"), or null when it is no number. The
 * core opens only digits and + * # , ; after `tel:`. */
export function telUrl(number: string): string | null {
  const n = number.replace(/[\s\-().]/g, '');
  return /^\+?[\d*#,;]+$/.test(n) && /\d/.test(n) ? `tel:${n}` : null;
}

/** A WhatsApp chat link (`https://wa.me/62...`) of a number as typed; an Indonesian number
 * written with its leading 0 gets the country code. Null when too short to be a number. */
export function whatsappUrl(number: string): string | null {
  let n = number.trim().replace(/[\s\-().]/g, '');
  if (n.startsWith('+')) n = n.slice(1);
  else if (n.startsWith('0')) n = `62${n.slice(1)}`;
  if (!/^\d+$/.test(n) || n.length < 8) return null;
  return `https://wa.me/${n}`;
}
