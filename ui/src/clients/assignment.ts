// Case assignment on the client profile (issue 23, need-to-know access): who works on the case,
// and a supervisor's assigning, taking off and transferring. The core decides
// (`Vault::assign_case`: only a supervisor, a reason whenever a worker is taken off, a child's
// case needs a senior volunteer, staff worker or supervisor); these helpers only shape what the
// panel shows and sends, so that a refusal is rare and said beside its field.
import type { AssignmentChange, CaseAssignment, CaseWorker } from '../lib/backend';
import type { ErrorCode, MessageKey } from '../lib/i18n/catalogue';
import type { FieldErrors } from '../lib/forms/fields';

/** A worker as the panel names her: her username, else (the roster no longer lists her)
 * `unknown(member number)`. */
export function workerName(w: CaseWorker, unknown: (member: number) => string): string {
  return w.username !== '' ? w.username : unknown(w.member);
}

/** The member numbers of `workers`, as `case_assign` takes them. */
export function numbers(workers: readonly CaseWorker[]): number[] {
  return workers.map((w) => w.member);
}

/** The changes newest first (the core lists them oldest first); changes made in the same
 * instant keep their order, the later one first. */
export function newestFirst(history: readonly AssignmentChange[]): AssignmentChange[] {
  const time = (c: AssignmentChange): number => {
    const ms = Date.parse(c.at);
    return Number.isNaN(ms) ? 0 : ms;
  };
  return history
    .map((change, index) => ({ change, index }))
    .sort((a, b) => time(b.change) - time(a.change) || b.index - a.index)
    .map((x) => x.change);
}

/** The members a supervisor may still add: those she may assign who are not on the case. */
export function addable(a: CaseAssignment): CaseWorker[] {
  const on = new Set(numbers(a.workers));
  return a.assignable.filter((w) => !on.has(w.member));
}

/** The workers to send when `member` is added (nobody is taken off: no reason needed). */
export function withWorker(a: CaseAssignment, member: number): number[] {
  const now = numbers(a.workers);
  return now.includes(member) ? now : [...now, member];
}

/** The workers to send when `member` is taken off (a reason is needed). */
export function withoutWorker(a: CaseAssignment, member: number): number[] {
  return numbers(a.workers).filter((m) => m !== member);
}

/** Whether two lists name the same members, in any order. */
export function sameWorkers(a: readonly number[], b: readonly number[]): boolean {
  const x = new Set(a);
  const y = new Set(b);
  return x.size === y.size && [...x].every((m) => y.has(m));
}

/** The fields of the panel's forms a problem can concern. */
export type AssignmentField = 'reason' | 'workers';

/** Why taking a worker off cannot be sent yet: the reason is required. */
export function removalProblems(reason: string): FieldErrors<AssignmentField> {
  return reason.trim() === '' ? { reason: 'assignment.reasonMissing' } : {};
}

/** Why a transfer cannot be sent yet: new workers (not the same as now) and a reason. */
export function transferProblems(current: readonly number[], picked: readonly number[], reason: string): FieldErrors<AssignmentField> {
  const errors: FieldErrors<AssignmentField> = {};
  if (picked.length === 0 || sameWorkers(current, picked)) errors.workers = 'assignment.transferMissing';
  if (reason.trim() === '') errors.reason = 'assignment.reasonMissing';
  return errors;
}

/** The reason to send: trimmed, none when empty. */
export function reasonToSend(reason: string): string | null {
  const r = reason.trim();
  return r === '' ? null : r;
}

/** What the panel says for a refusal of `case_assign`: its own sentence for the core's
 * assignment rules (`NotPermitted`: not a supervisor, or a child's case without a senior,
 * staff worker or supervisor; `InvalidInput`: a worker taken off without a reason, or a member
 * no longer in the team). Null for any other code, which the screen's banner shows. */
export function assignmentRefusal(code: ErrorCode): MessageKey | null {
  if (code === 'NotPermitted') return 'assignment.error.NotPermitted';
  if (code === 'InvalidInput') return 'assignment.error.InvalidInput';
  return null;
}
