// Retention (issue 26, UU PDP Ps 43-44) as the screens show it: what the core's check listed,
// grouped by class with the period that applies. Pure, so it is unit-tested; the core decides
// what is due and checks it again when a supervisor or admin approves.
import type { RecordClass, Retention, RetentionCheck, RetentionDue } from '../lib/backend';

/** The classes in the order the settings list them. */
export const CLASSES: readonly RecordClass[] = ['closed_cases', 'contacts', 'drafts'];

/** One class with its period (days) and what is due, only the classes with something due. */
export interface DueGroup {
  cls: RecordClass;
  days: number;
  items: RetentionDue[];
}

/** The period of a class, in days. */
export function periodOf(r: Retention, cls: RecordClass): number {
  return cls === 'closed_cases' ? r.closed_case_days : cls === 'contacts' ? r.contact_days : r.draft_days;
}

/** What is due, by class, each in the core's order (the longest overdue first). */
export function dueGroups(check: Pick<RetentionCheck, 'due' | 'retention'>): DueGroup[] {
  return CLASSES.map((cls) => ({ cls, days: periodOf(check.retention, cls), items: check.due.filter((d) => d.class === cls) })).filter(
    (g) => g.items.length > 0,
  );
}

/** A period as people say it: whole years when it is, else days. */
export function periodParts(days: number): { years: number } | { days: number } {
  return days % 365 === 0 ? { years: days / 365 } : { days };
}
