// Case assignment's helpers (issue 23): what the panel shows and sends.
import { describe, expect, it } from 'vitest';
import type { AssignmentChange, CaseAssignment, CaseWorker } from '../lib/backend';
import {
  addable, assignmentRefusal, newestFirst, numbers, reasonToSend, removalProblems, sameWorkers, transferProblems,
  withWorker, withoutWorker, workerName,
} from './assignment';

const sari: CaseWorker = { member: 4, username: 'kons.sari', role: 'counselor', level: 'senior' };
const budi: CaseWorker = { member: 7, username: 'kons.budi', role: 'counselor', level: 'junior' };
const rina: CaseWorker = { member: 9, username: 'out.rina', role: 'outreach', level: null };
const ani: CaseWorker = { member: 2, username: 'sup.ani', role: 'supervisor', level: null };

const change = (at: string, workers: CaseWorker[], reason: string | null = null): AssignmentChange => ({ at, by: ani, workers, reason });

function assignment(workers: CaseWorker[]): CaseAssignment {
  return { workers, history: [], may_assign: true, assignable: [budi, sari, rina] };
}

describe('case assignment helpers', () => {
  it('names a worker by her username, else by her member number', () => {
    expect(workerName(sari, (n) => `Anggota #${n}`)).toBe('kons.sari');
    expect(workerName({ ...sari, username: '' }, (n) => `Anggota #${n}`)).toBe('Anggota #4');
  });

  it('lists the history newest first, same-instant changes the later one first', () => {
    const history = [
      change('2026-10-01T08:00:00Z', [sari]),
      change('2026-10-03T08:00:00Z', [budi], 'pindah'),
      change('2026-10-02T08:00:00.500Z', [sari, budi]),
      change('2026-10-03T08:00:00Z', [rina], 'lagi'),
    ];
    expect(newestFirst(history).map((c) => c.reason ?? numbers(c.workers).join('+'))).toEqual(['lagi', 'pindah', '4+7', '4']);
    expect(history[0]?.at, 'the core\'s list is left as it is').toBe('2026-10-01T08:00:00Z');
    expect(newestFirst([])).toEqual([]);
  });

  it('offers to add only members not on the case, and adds without taking anyone off', () => {
    const a = assignment([sari]);
    expect(addable(a).map((w) => w.username)).toEqual(['kons.budi', 'out.rina']);
    expect(withWorker(a, 7)).toEqual([4, 7]);
    expect(withWorker(a, 4), 'already on it').toEqual([4]);
  });

  it('takes one worker off and keeps the rest', () => {
    const a = assignment([sari, budi]);
    expect(withoutWorker(a, 4)).toEqual([7]);
    expect(withoutWorker(assignment([sari]), 4), 'the last one: supervisors hold the case').toEqual([]);
  });

  it('requires a reason to take a worker off', () => {
    expect(removalProblems('')).toEqual({ reason: 'assignment.reasonMissing' });
    expect(removalProblems('   ')).toEqual({ reason: 'assignment.reasonMissing' });
    expect(removalProblems('pindah ke luar kota')).toEqual({});
    expect(reasonToSend('  pindah  ')).toBe('pindah');
    expect(reasonToSend('  ')).toBeNull();
  });

  it('requires new workers (not the same as now) and a reason to transfer', () => {
    expect(transferProblems([4], [], '')).toEqual({ workers: 'assignment.transferMissing', reason: 'assignment.reasonMissing' });
    expect(transferProblems([4, 7], [7, 4], 'x')).toEqual({ workers: 'assignment.transferMissing' });
    expect(transferProblems([4], [9], '')).toEqual({ reason: 'assignment.reasonMissing' });
    expect(transferProblems([4], [9, 7], 'beban kasus')).toEqual({});
    expect(sameWorkers([1, 2], [2, 1])).toBe(true);
    expect(sameWorkers([1, 2], [1])).toBe(false);
  });

  it('says the core\'s assignment refusals in the panel, and leaves the rest to the screen', () => {
    expect(assignmentRefusal('NotPermitted')).toBe('assignment.error.NotPermitted');
    expect(assignmentRefusal('InvalidInput')).toBe('assignment.error.InvalidInput');
    expect(assignmentRefusal('StorageFailed')).toBeNull();
  });
});
