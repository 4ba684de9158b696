// Pure helpers of the supervision screens, kept out of the components so they are unit-tested.
import type { ContactCount, Level, MemberRow, QueueItem, ReviewNews, TeamView, WeekCount } from '../lib/backend';
import type { MessageKey } from '../lib/i18n/catalogue';

/** A member's display name: her username from the roster, else a short form of the id. */
export function memberName(members: MemberRow[], id: string | null): string {
  if (!id) return '—';
  return members.find((m) => m.id === id)?.username ?? `#${id.slice(-6)}`;
}

/** Whether this member supervises (sees the review queue and the dashboard). */
export function supervises(view: TeamView | null): boolean {
  return view?.supervises === true;
}

/** Whether a note written by `author` is read-only for this member (someone else wrote it). */
export function writtenByOther(view: TeamView | null, author: string | null): boolean {
  return view !== null && author !== null && author !== view.me;
}

/** Whole days from `sinceIso` to `now` (never negative). */
export function daysWaiting(sinceIso: string, now: Date): number {
  const ms = now.getTime() - new Date(sinceIso).getTime();
  return Math.max(0, Math.floor(ms / 86_400_000));
}

export type Urgency = 'redFlag' | 'high' | 'normal';

/** How the queue marks an item: red flag first, then high or imminent risk. */
export function urgencyOf(item: QueueItem): Urgency {
  if (item.red_flag) return 'redFlag';
  if (item.risk === 'high' || item.risk === 'imminent') return 'high';
  return 'normal';
}

/** Bars of the sessions-per-week chart: height as a share of the busiest week (0..1). */
export function weekBars(weeks: WeekCount[]): { week: WeekCount; share: number }[] {
  const max = Math.max(1, ...weeks.map((w) => w.sessions));
  return weeks.map((week) => ({ week, share: week.sessions / max }));
}

/** Bars of the contacts-per-day chart: height as a share of the busiest day (0..1). */
export function dayBars(days: ContactCount[]): { day: ContactCount; share: number }[] {
  const max = Math.max(1, ...days.map((d) => d.count));
  return days.map((day) => ({ day, share: day.count / max }));
}

/** The local calendar day `days` after an ISO date (for a week's date range). */
export function addDays(isoDate: string, days: number): string {
  const d = new Date(`${isoDate}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

/** Whether a notice is new to her: a returned note always (it waits for her), else unseen. */
export function isNew(news: ReviewNews, seen: ReadonlySet<string>): boolean {
  return news.state === 'returned' || !seen.has(news.latest.id);
}

/**
 * What Home's badge counts: notes returned to her and reviews she has not seen yet. Seen is
 * by review id, not by time: a review written offline days ago and synced now is still new.
 */
export function unseenCount(news: ReviewNews[], seen: ReadonlySet<string>): number {
  return news.filter((n) => isNew(n, seen)).length;
}

const SEEN_KEY = 'teduh.reviewsSeen';
const SEEN_KEPT = 500;

/** The reviews she has seen on Home (kept on this computer; review ids only, no content). */
export function seenReviews(): Set<string> {
  try {
    const ids: unknown = JSON.parse(localStorage.getItem(SEEN_KEY) ?? '[]');
    return new Set(Array.isArray(ids) ? ids.filter((i): i is string => typeof i === 'string') : []);
  } catch {
    return new Set();
  }
}

/** Records that she has seen these notices (the newest few hundred ids are kept). */
export function markSeen(news: ReviewNews[]): void {
  try {
    const ids = [...seenReviews(), ...news.map((n) => n.latest.id)];
    localStorage.setItem(SEEN_KEY, JSON.stringify([...new Set(ids)].slice(-SEEN_KEPT)));
  } catch {
    // Storage unavailable: the badge simply stays until the notes are answered.
  }
}

// Need-to-know access (issue 23): what the team view says this member may do, volunteers'
// levels, and the corps' one supervisor per ten volunteers.

/** A volunteer's levels, lowest first. */
export const LEVELS: readonly Level[] = ['junior', 'intermediate', 'senior'];

/** The catalogue key of a level's name ("Junior", "Menengah", "Senior"). */
export function levelKey(level: Level): MessageKey {
  return `level.${level}`;
}

/** Whether this member may register a client (juniors work on the clients a supervisor assigns
 * them). Before the team view is read, or on a computer not in a team, she may: the core refuses
 * what its permissions table does not allow anyway. */
export function mayRegisterClient(view: TeamView | null): boolean {
  return view?.may?.register_client !== false;
}

/** Whether this member may set `member`'s level: a key manager, for a counselor or an outreach
 * worker still in the team (levels grade volunteers only; the core refuses the rest). */
export function levelEditable(view: TeamView | null, member: MemberRow): boolean {
  return view?.may?.set_levels === true && !member.removed && (member.role === 'counselor' || member.role === 'outreach');
}

/** The most volunteers one supervisor works with. */
export const VOLUNTEERS_PER_SUPERVISOR = 10;

/** The team dashboard's warning about too few supervisors, or null when the team has enough (or
 * no volunteers yet). */
export function ratioWarning(view: TeamView | null): { key: MessageKey; params: Record<string, number> } | null {
  if (!view) return null;
  const volunteers = view.volunteer_count ?? 0;
  const supervisors = view.supervisor_count ?? 0;
  if (volunteers === 0) return null;
  if (supervisors === 0) return { key: 'team.noSupervisor', params: { volunteers } };
  if (volunteers > VOLUNTEERS_PER_SUPERVISOR * supervisors) return { key: 'team.ratioWarning', params: { volunteers, supervisors } };
  return null;
}
