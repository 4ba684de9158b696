import { describe, expect, it } from 'vitest';
import type { QueueItem, ReviewNews, TeamView } from '../lib/backend';
import {
  addDays, dayBars, daysWaiting, levelEditable, levelKey, mayRegisterClient, memberName, ratioWarning, unseenCount, urgencyOf, weekBars,
  writtenByOther,
} from './review';
import { setLocale, t } from '../lib/i18n/i18n.svelte';

const team: TeamView = {
  me: 'a1',
  role: 'counselor',
  supervises: false,
  admitted: true,
  members: [
    { id: 'a1', username: 'kons.sari', role: 'counselor', level: 'intermediate', number: 1, removed: false, devices: [] },
    { id: 'b2', username: 'sup.ani', role: 'supervisor', level: null, number: 2, removed: false, devices: [] },
  ],
  may: { register_client: true, assign_case: false, set_levels: false },
  volunteer_count: 1,
  supervisor_count: 1,
  pending: [],
  safety_numbers: [],
  org_fingerprint: null,
  holds_org_key: false, org_name: null, zone: 'WIB', roster_confirmed_at: null, key_manager_seen_at: null, key_manager_devices: 2,
};

function item(over: Partial<QueueItem>): QueueItem {
  return {
    note: 'n', client: 'c', client_code: 'K-1', author: 'a1', occurred_at: null, risk: null,
    red_flag: false, waiting_since: '2026-11-20T00:00:00Z', ...over,
  };
}

function news(state: ReviewNews['state'], at: string): ReviewNews {
  return {
    note: `n-${at}`, client: 'c', client_code: 'K-1', state,
    latest: { id: `r-${at}`, note: 'n', action: state === 'returned' ? 'return' : 'comment', comment: 'x', reviewer: 'b2', at },
  };
}

describe('supervision helpers', () => {
  it('names members from the roster and never shows an empty author', () => {
    expect(memberName(team.members, 'b2')).toBe('sup.ani');
    expect(memberName(team.members, null)).toBe('—');
    expect(memberName(team.members, '00000000000000000000000000000099')).toBe('#000099');
  });
  it('makes notes by someone else read-only, never one she wrote', () => {
    expect(writtenByOther(team, 'b2')).toBe(true);
    expect(writtenByOther(team, 'a1')).toBe(false);
    expect(writtenByOther(null, 'b2')).toBe(false);
  });
  it('counts whole days waiting, never negative', () => {
    const now = new Date('2026-11-23T12:00:00Z');
    expect(daysWaiting('2026-11-20T13:00:00Z', now)).toBe(2);
    expect(daysWaiting('2026-11-24T00:00:00Z', now)).toBe(0);
  });
  it('marks red flags above high risk above the rest', () => {
    expect(urgencyOf(item({ red_flag: true, risk: 'low' }))).toBe('redFlag');
    expect(urgencyOf(item({ risk: 'imminent' }))).toBe('high');
    expect(urgencyOf(item({ risk: 'medium' }))).toBe('normal');
  });
  it('scales week bars to the busiest week and survives an empty quarter', () => {
    const bars = weekBars([{ week_start: '2026-11-02', sessions: 2, clients: [] }, { week_start: '2026-11-09', sessions: 8, clients: [] }]);
    expect(bars.map((b) => b.share)).toEqual([0.25, 1]);
    expect(weekBars([{ week_start: '2026-11-02', sessions: 0, clients: [] }])[0]?.share).toBe(0);
    expect(addDays('2026-11-02', 6)).toBe('2026-11-08');
  });
  it('scales the contacts-per-day bars to the busiest day, an empty week flat', () => {
    expect(dayBars([{ key: '2026-11-01', count: 3 }, { key: '2026-11-02', count: 6 }]).map((b) => b.share)).toEqual([0.5, 1]);
    expect(dayBars([{ key: '2026-11-01', count: 0 }])[0]?.share).toBe(0);
  });
  it('keeps returned notes in the badge until answered; other reviews only until seen, by id', () => {
    const list = [news('returned', '2026-11-20T00:00:00Z'), news('approved', '2026-11-22T00:00:00Z')];
    expect(unseenCount(list, new Set())).toBe(2);
    const seen = new Set(list.map((n) => n.latest.id));
    expect(unseenCount(list, seen)).toBe(1);
    // A review written before she last looked but synced only now is still new.
    const late = news('approved', '2026-11-01T00:00:00Z');
    expect(unseenCount([...list, late], seen)).toBe(2);
  });
});

describe('what a member may do, and the team\'s levels (issue 23)', () => {
  const may = (over: Partial<TeamView['may']>): TeamView => ({ ...team, may: { ...team.may, ...over } });

  it('lets her register clients unless the team view says she may not (a junior)', () => {
    expect(mayRegisterClient(team)).toBe(true);
    expect(mayRegisterClient(may({ register_client: false }))).toBe(false);
    expect(mayRegisterClient(null), 'not read yet, or not in a team: the core decides').toBe(true);
  });

  it('offers to set a level for counselors and outreach workers still in the team, to key managers only', () => {
    const counselor = team.members[0]!;
    const supervisor = team.members[1]!;
    const manager = may({ set_levels: true });
    expect(levelEditable(manager, counselor)).toBe(true);
    expect(levelEditable(manager, { ...counselor, role: 'outreach', level: null })).toBe(true);
    expect(levelEditable(manager, supervisor), 'supervisors are not graded').toBe(false);
    expect(levelEditable(manager, { ...counselor, removed: true })).toBe(false);
    expect(levelEditable(team, counselor), 'not a key manager').toBe(false);
    expect(levelEditable(null, counselor)).toBe(false);
  });

  it('names the levels in both languages', () => {
    expect(t(levelKey('junior'))).toBe('Junior');
    expect(t(levelKey('intermediate'))).toBe('Menengah');
    expect(t(levelKey('senior'))).toBe('Senior');
    setLocale('en');
    expect(t(levelKey('intermediate'))).toBe('Intermediate');
    setLocale('id');
  });

  it('warns above ten volunteers per supervisor, and when volunteers have no supervisor', () => {
    const counts = (volunteer_count: number, supervisor_count: number): TeamView => ({ ...team, volunteer_count, supervisor_count });
    expect(ratioWarning(counts(10, 1))).toBeNull();
    expect(ratioWarning(counts(20, 2))).toBeNull();
    expect(ratioWarning(counts(0, 0)), 'no volunteers yet').toBeNull();
    expect(ratioWarning(null)).toBeNull();
    const over = ratioWarning(counts(21, 2));
    expect(over?.key).toBe('team.ratioWarning');
    expect(t(over!.key, over!.params)).toBe('Satu supervisor untuk lebih dari 10 relawan (21 relawan, 2 supervisor): tambah supervisor.');
    setLocale('en');
    expect(t(over!.key, over!.params)).toBe('One supervisor for more than 10 volunteers (21 volunteers, 2 supervisors): add a supervisor.');
    const one = ratioWarning(counts(11, 1));
    expect(t(one!.key, one!.params)).toContain('(11 volunteers, 1 supervisor)');
    setLocale('id');
    const none = ratioWarning(counts(3, 0));
    expect(none?.key).toBe('team.noSupervisor');
    expect(t(none!.key, none!.params)).toContain('belum punya supervisor (3 relawan)');
  });
});
