// The contact log's form (issue 20): its values, their conversion to the core's ContactInput,
// and the small rules the form applies as she types (timer, red flag, number lookup, the
// keyboard in a group of checkboxes). Kept out of the components so they are unit-tested.
import type {
  AgeBand, CallerType, Channel, ContactAction, ContactEntry, ContactInput, ContactLine, ContactLineChoice,
  ContactOutcome, ContactView, RiskLevel, SelfHarm, Sex, TaxonomyCategory, Zone,
} from '../lib/backend';
import type { Locale } from '../lib/i18n/catalogue';
import { DEFAULT_ZONE, formatDate, formatTime, formatWhen } from '../lib/format/datetime';
import { localToUtc, parseDate, parseTime } from '../lib/format/parse';

export const CHANNELS: Channel[] = ['phone_call', 'whats_app', 'sms', 'walk_in', 'e_counselling'];
export const SELF_HARM: SelfHarm[] = ['not_asked', 'no', 'yes'];
export const RISKS: RiskLevel[] = ['low', 'medium', 'high', 'imminent'];
export const CONTACT_ACTIONS: ContactAction[] = ['listened', 'information_given', 'referred', 'emergency_services_called'];
export const OUTCOMES: ContactOutcome[] = ['resolved', 'follow_up', 'referred', 'disconnected'];
export const CALLER_TYPES: CallerType[] = ['anonymous', 'self', 'family', 'neighbour', 'professional'];
export const AGE_BANDS: AgeBand[] = ['0-5', '6-12', '13-17', '18-59', '60+'];
export const SEXES: Sex[] = ['unspecified', 'female', 'male'];

/** The form as typed. Empty strings stand for "not chosen" (no risk assessed, no outcome...). */
export interface ContactForm {
  channel: Channel;
  /** The caller's number as typed; the core keeps only its hash. */
  number: string;
  categories: string[];
  selfHarm: SelfHarm;
  risk: RiskLevel | '';
  actions: ContactAction[];
  outcome: ContactOutcome | '';
  summary: string;
  callerType: CallerType;
  name: string;
  ageBand: AgeBand | '';
  sex: Sex;
  city: string;
  /** The line's directory entry id; '' for none. */
  line: string;
  callbackAgreed: boolean;
  /** dd/MM/yyyy and HH.mm, in the contact's zone. */
  callbackDate: string;
  callbackTime: string;
  callbackConsented: boolean;
  callbackNumber: string;
  /** The callback was made. */
  callbackDone: boolean;
}

export function newContactForm(line = ''): ContactForm {
  return {
    channel: 'phone_call', number: '', categories: [], selfHarm: 'not_asked', risk: '', actions: [], outcome: '',
    summary: '', callerType: 'anonymous', name: '', ageBand: '', sex: 'unspecified', city: '', line,
    callbackAgreed: false, callbackDate: '', callbackTime: '', callbackConsented: false, callbackNumber: '',
    callbackDone: false,
  };
}

/** A local `dd/MM/yyyy` and `HH.mm` of an instant in `zone`. */
function localParts(iso: string, zone: string): { date: string; time: string } {
  const d = new Date(iso);
  return { date: formatDate(d, zone), time: formatTime(d, zone, 'id').split(' ')[0] ?? '' };
}

/** The form of a contact already saved (continuing an unfinished one). The number is not known
 * (only its hash is stored): the field starts empty and an empty number keeps the one recorded. */
export function formFromEntry(e: ContactEntry): ContactForm {
  const zone = e.zone ?? 'Asia/Jakarta';
  const due = e.callback?.due ? localParts(e.callback.due, zone) : { date: '', time: '' };
  return {
    channel: e.channel, number: '', categories: [...e.categories], selfHarm: e.self_harm, risk: e.risk ?? '',
    actions: [...e.actions], outcome: e.outcome ?? '', summary: e.summary, callerType: e.caller_type,
    name: e.person.name, ageBand: e.person.age_band ?? '', sex: e.person.sex, city: e.person.city,
    line: e.line?.entry ?? '', callbackAgreed: e.callback !== null, callbackDate: due.date, callbackTime: due.time,
    callbackConsented: e.callback?.number_consented ?? false, callbackNumber: e.callback?.number ?? '',
    callbackDone: (e.callback?.done_at ?? null) !== null,
  };
}

/** What the form does not hold itself: the times, the zone, the lines to resolve `line` in and
 * a callback's `done_at` (kept as it was). */
export interface EntryContext {
  startedAt: string;
  endedAt: string | null;
  zone: Zone | null;
  lines: ContactLine[];
  callbackDoneAt?: string | null;
  /** Now (RFC 3339): when a callback just ticked as made was made. */
  now?: string;
}

/** The callback's time, or null while the date or time does not parse yet. */
export function callbackDue(f: Pick<ContactForm, 'callbackDate' | 'callbackTime'>, zone: string): string | null {
  const date = parseDate(f.callbackDate);
  const minutes = parseTime(f.callbackTime);
  return date !== null && minutes !== null ? localToUtc(date, minutes, zone) : null;
}

/** The entry to save. A callback is saved once its time parses (typing is never blocked), and
 * its number only with the caller's consent. */
export function entryFromForm(f: ContactForm, ctx: EntryContext): ContactEntry {
  const due = f.callbackAgreed ? callbackDue(f, ctx.zone ?? 'Asia/Jakarta') : null;
  return {
    channel: f.channel,
    line: ctx.lines.find((l) => l.entry === f.line) ?? null,
    started_at: ctx.startedAt,
    ended_at: ctx.endedAt,
    zone: ctx.zone,
    caller_type: f.callerType,
    person: { name: f.name.trim(), age_band: f.ageBand || null, sex: f.sex, city: f.city.trim() },
    categories: [...f.categories],
    risk: f.risk || null,
    self_harm: f.selfHarm,
    actions: [...f.actions],
    outcome: f.outcome || null,
    summary: f.summary,
    callback: due
      ? {
          due,
          number_consented: f.callbackConsented,
          number: f.callbackConsented ? f.callbackNumber.trim() : '',
          done_at: f.callbackDone ? (ctx.callbackDoneAt ?? ctx.now ?? new Date().toISOString()) : null,
        }
      : null,
  };
}

export function contactInput(f: ContactForm, ctx: EntryContext, callerNumber: string): ContactInput {
  return { entry: entryFromForm(f, ctx), caller_number: callerNumber };
}

/** How many digits `text` has. */
export function digitCount(text: string): number {
  return text.replace(/\D/g, '').length;
}

/** The digits from which the earlier contacts of a number are looked up. */
export const LOOKUP_DIGITS = 8;

export function shouldLookUp(number: string): boolean {
  return digitCount(number) >= LOOKUP_DIGITS;
}

/**
 * The international form of a number, as the core compares them (`contact::normalise_number`):
 * `0812-3456-7890`, `+62 812 3456 7890` and `6281234567890` are all `6281234567890`. Null for
 * what the core would refuse (letters, too short or too long).
 */
export function normaliseNumber(raw: string): string | null {
  const trimmed = raw.trim();
  const international = trimmed.startsWith('+');
  const rest = international ? trimmed.slice(1) : trimmed;
  if (!/^[0-9 \-.()\u00a0]*$/.test(rest)) return null;
  const digits = rest.replace(/\D/g, '');
  let full = digits;
  if (!international) {
    if (digits.startsWith('00')) full = digits.slice(2);
    else if (digits.startsWith('0')) full = `62${digits.slice(1)}`;
    else if (digits.startsWith('8')) full = `62${digits}`;
  }
  return full.length >= 8 && full.length <= 15 ? full : null;
}

/**
 * The number to send with a save. The core hashes it slowly, so it goes only when it changed
 * since the last save (`sent`, normalised); empty keeps the one recorded. While she types, a
 * number the core would refuse is held back (no error mid-typing); a `final` save (Selesai,
 * Tutup) sends it as typed, so that the core says what is wrong with it.
 */
export function numberToSend(typed: string, sent: string | null, final: boolean): string {
  if (!typed.trim()) return '';
  const normal = normaliseNumber(typed);
  if (normal === null) return final ? typed : '';
  return normal === sent ? '' : typed.trim();
}

/** The rule of the core (`ContactEntry::red_flag`): self-harm yes, or a high or imminent risk. */
export function isRedFlag(selfHarm: SelfHarm, risk: RiskLevel | '' | null): boolean {
  return selfHarm === 'yes' || risk === 'high' || risk === 'imminent';
}

/** `mm:ss` of a running contact (minutes keep counting past an hour: `75:02`). */
export function formatTimer(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const minutes = Math.floor(total / 60);
  const seconds = total % 60;
  return `${String(minutes).padStart(2, '0')}:${String(seconds).padStart(2, '0')}`;
}

/** The index a group of checkboxes with one tab stop moves to on `key`: next on ArrowDown or
 * ArrowRight, previous on ArrowUp or ArrowLeft (wrapping round, like radio buttons), Home and
 * End to the ends. Null for any other key (it is left to the checkbox: Space toggles it). */
export function rovingIndex(index: number, key: string, length: number): number | null {
  if (length <= 0) return null;
  switch (key) {
    case 'ArrowDown':
    case 'ArrowRight':
      return (index + 1) % length;
    case 'ArrowUp':
    case 'ArrowLeft':
      return (index - 1 + length) % length;
    case 'Home':
      return 0;
    case 'End':
      return length - 1;
    default:
      return null;
  }
}

/** The lines the form offers: today's lines, and `keep` (the line a contact was saved with, or
 * this member's last line) in place of its entry, or first when the directory no longer lists it. */
export function lineOptions(choices: ContactLineChoice[], keep: ContactLine | null): ContactLine[] {
  const lines = choices.map((c) => ({ entry: c.entry, name: c.name, number: c.number }));
  if (!keep) return lines;
  const at = lines.findIndex((l) => l.entry === keep.entry);
  if (at < 0) return [keep, ...lines];
  lines[at] = keep;
  return lines;
}

/** A category's words in the UI's language; its code when the taxonomy no longer has it. */
export function categoryLabel(code: string, categories: TaxonomyCategory[], lang: Locale): string {
  const c = categories.find((x) => x.code === code);
  return c ? c[lang] : code;
}

/** "17/10/2026 14.05 WIB": when a contact started, in its zone. */
export function contactWhen(entry: Pick<ContactEntry, 'started_at' | 'zone'>, lang?: Locale): string {
  return formatWhen(entry.started_at, entry.zone ?? DEFAULT_ZONE, lang);
}

/** The client a contact opens: the one it became, or the one whose timeline holds this copy. */
export function clientOf(c: Pick<ContactView, 'converted_to' | 'client'>): string | null {
  return c.converted_to ?? c.client;
}

/** The contacts "Jadikan klien" offers: this one first, then the earlier ones of the same
 * number that belong to no client yet. */
export function convertCandidates(current: ContactView, previous: ContactView[]): ContactView[] {
  // Not a contact still going on (a colleague's call in progress): it is hers to finish first.
  return [current, ...previous.filter((p) => p.id !== current.id && clientOf(p) === null && p.entry.ended_at !== null)];
}

/** The longest a contact lasts (the core refuses longer as a typing mistake). */
export const MAX_CONTACT_MS = 24 * 3600 * 1000;

/** A contact left open longer than a contact can last: "Selesai" then asks when it ended,
 * rather than ending it now. */
export function needsEndTime(startedAt: string, endedAt: string | null, nowMs: number): boolean {
  return endedAt === null && nowMs - Date.parse(startedAt) > MAX_CONTACT_MS;
}

/** The end typed (dd/MM/yyyy, HH.mm in `zone`) for such a contact; null while it does not parse
 * or falls outside its start and 24 hours after. */
export function typedEnd(date: string, time: string, zone: string, startedAt: string): string | null {
  const d = parseDate(date);
  const m = parseTime(time);
  if (d === null || m === null) return null;
  const end = localToUtc(d, m, zone);
  const gap = Date.parse(end) - Date.parse(startedAt);
  return gap >= 0 && gap <= MAX_CONTACT_MS ? end : null;
}
