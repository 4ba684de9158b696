import { describe, expect, it } from 'vitest';
import type { TaskRecord } from '../lib/backend';
import { splitTasks } from './tasks';

const task = (id: string, due: string | null, done = false): TaskRecord => ({
  id,
  task: { title: id, due, assigned_to: null, done_at: done ? '2026-11-20T03:00:00Z' : null },
});

describe('splitTasks', () => {
  it('orders open tasks by due day, undated last, and sets the done ones apart', () => {
    const { open, done } = splitTasks(
      [task('a', null), task('b', '2026-12-01'), task('c', '2026-11-20', true), task('d', '2026-11-25')],
    );
    expect(open.map((t) => t.id)).toEqual(['d', 'b', 'a']);
    expect(done.map((t) => t.id)).toEqual(['c']);
  });
});
