// The breach register's forms (issue 26, UU PDP Ps 46): what the person registering an
// incident types, turned into the core's incident, or the reason it cannot be saved yet; and
// the notice a supervisor records. Pure, so every rule is unit-tested; the core checks the same
// rules again (awareness in the future, an incident after its awareness) and is what counts.
import type { Breach, BreachView, DataCategory, Recipient } from '../lib/backend';
import type { MessageKey } from '../lib/i18n/catalogue';
import { localToUtc, parseDate, parseTime } from '../lib/format/parse';

export const CATEGORIES: DataCategory[] = ['identity', 'contact_details', 'mental_health', 'children', 'hotline_contacts', 'other'];
export const RECIPIENTS: Recipient[] = ['persons', 'authority'];

export interface BreachForm {
  /** dd/mm/yyyy and hh.mm, as typed, in the team's zone. */
  awareDate: string;
  awareTime: string;
  /** Optional: empty when not known. */
  occurredDate: string;
  occurredTime: string;
  whatHappened: string;
  categories: DataCategory[];
  /** Client codes, separated by commas, spaces or lines. */
  clients: string;
  people: string;
  measures: string;
  contact: string;
}

export function newBreachForm(): BreachForm {
  return {
    awareDate: '', awareTime: '', occurredDate: '', occurredTime: '', whatHappened: '',
    categories: [], clients: '', people: '', measures: '', contact: '',
  };
}

/** A typed date and time as an instant, `null` when either is not a real one. */
function instant(date: string, time: string, zone: string): string | null {
  const day = parseDate(date);
  const minutes = parseTime(time);
  return day === null || minutes === null ? null : localToUtc(day, minutes, zone);
}

/** The incident to save, or the message saying what is missing or impossible. */
export function breachInput(form: BreachForm, zone: string, now: Date): Breach | { problem: MessageKey } {
  const aware = instant(form.awareDate, form.awareTime, zone);
  if (aware === null) return { problem: 'breach.badAwareTime' };
  if (Date.parse(aware) > now.getTime() + 60_000) return { problem: 'breach.awareInFuture' };
  let occurred: string | null = null;
  if (form.occurredDate.trim() || form.occurredTime.trim()) {
    occurred = instant(form.occurredDate, form.occurredTime || '00.00', zone);
    if (occurred === null) return { problem: 'breach.badOccurredTime' };
    if (Date.parse(occurred) > Date.parse(aware)) return { problem: 'breach.occurredAfterAware' };
  }
  if (!form.whatHappened.trim()) return { problem: 'breach.descriptionNeeded' };
  if (form.categories.length === 0) return { problem: 'breach.categoryNeeded' };
  const clients = [...new Set(form.clients.split(/[\s,;]+/).map((c) => c.trim()).filter(Boolean))];
  const typed = form.people.trim();
  const people = typed === '' ? clients.length : Number(typed);
  if (!Number.isInteger(people) || people < 0) return { problem: 'breach.badPeople' };
  if (people < clients.length) return { problem: 'breach.fewerPeopleThanClients' };
  return {
    aware_at: aware,
    occurred_at: occurred,
    what_happened: form.whatHappened.trim(),
    categories: form.categories,
    clients,
    people,
    measures: form.measures.trim(),
    contact: form.contact.trim(),
  };
}

/** The notice's time typed by the supervisor, or the message: not a real time, later than now
 * (a notice is recorded once it is given), or before the incident was known. */
export function noticeInput(date: string, time: string, zone: string, now: Date, awareAt: string | null): string | { problem: MessageKey } {
  const at = instant(date, time, zone);
  if (at === null) return { problem: 'breach.badNoticeTime' };
  if (Date.parse(at) > now.getTime() + 60_000) return { problem: 'breach.noticeInFuture' };
  if (awareAt !== null && Date.parse(at) < Date.parse(awareAt)) return { problem: 'breach.noticeBeforeAware' };
  return at;
}

/** When the notice to `to` was given. */
export function notifiedAt(b: BreachView, to: Recipient): string | null {
  return to === 'persons' ? b.persons_notified_at : b.authority_notified_at;
}

/** Who recorded the notice to `to`. */
export function notifiedBy(b: BreachView, to: Recipient): string | null {
  return to === 'persons' ? b.persons_notified_by : b.authority_notified_by;
}

/** A notice is still to be given. */
export function isOpen(b: BreachView): boolean {
  return b.persons_notified_at === null || b.authority_notified_at === null;
}

/** The incidents with a notice still to give, the nearest deadline first. */
export function openBreaches(all: BreachView[]): BreachView[] {
  return all.filter(isOpen).sort((a, b) => Date.parse(a.deadline) - Date.parse(b.deadline));
}
