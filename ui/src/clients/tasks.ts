// Ordering a client's follow-up tasks for the profile.
import type { TaskRecord } from '../lib/backend';

/** Open tasks by due day (undated last, then in creation order), and the done ones. */
export function splitTasks(tasks: TaskRecord[]): { open: TaskRecord[]; done: TaskRecord[] } {
  const open = tasks.filter((t) => !t.task.done_at);
  const done = tasks.filter((t) => t.task.done_at);
  const key = (t: TaskRecord): string => t.task.due ?? '9999-12-31';
  return { open: [...open].sort((a, b) => key(a).localeCompare(key(b))), done };
}
