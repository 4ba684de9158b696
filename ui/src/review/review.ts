// Pure helpers of the supervision screens, kept out of the components so they are unit-tested.
import type { ContactCount, MemberRow, QueueItem, ReviewNews, TeamView, WeekCount } from '../lib/backend';

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
