// Retention (issue 26): the check's items grouped by class with their periods, and the panel a
// supervisor destroys them from: everything starts chosen, she may leave some out, nothing goes
// before she answers the question, and other members never see the panel.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { clearMocks, mockIPC } from '@tauri-apps/api/mocks';
import { choose, press, render, settle, stubScrolling } from '../lib/testing/render';
import type { RetentionCheck, RetentionDue } from '../lib/backend';
import { dueGroups, periodParts } from './retention';
import { shownCodes } from './erasures';
import RetentionPanel from './RetentionPanel.svelte';

const noop = (): void => {};
const item = (cls: RetentionDue['class'], id: string, code: string): RetentionDue => ({
  class: cls,
  id,
  subject: { client: cls === 'drafts' ? 'c-draf' : id, code, entity: cls === 'drafts' ? id : null },
  since: '2021-03-01T02:00:00Z',
  due_on: '2026-02-28',
});
const check = (mayApprove: boolean, due: RetentionDue[]): RetentionCheck => ({
  checked_at: '2026-12-07T02:00:00Z',
  retention: { closed_case_days: 1825, contact_days: 730, draft_days: 90, backup_days: 30 },
  due,
  may_approve: mayApprove,
});

describe('retention rules', () => {
  it('groups what is due by class in the settings order, with each period', () => {
    const groups = dueGroups(check(true, [item('drafts', 'n1', 'RT-1'), item('closed_cases', 'c1', 'RT-2'), item('drafts', 'n2', 'RT-3')]));
    expect(groups.map((g) => [g.cls, g.days, g.items.map((i) => i.id)])).toEqual([
      ['closed_cases', 1825, ['c1']],
      ['drafts', 90, ['n1', 'n2']],
    ]);
  });

  it('says a period in years when it is whole years', () => {
    expect(periodParts(1825)).toEqual({ years: 5 });
    expect(periodParts(90)).toEqual({ days: 90 });
  });

  it('shows at most three codes and counts the rest', () => {
    expect(shownCodes(['A', 'B'])).toEqual({ codes: 'A, B', rest: 0 });
    expect(shownCodes(['A', 'B', 'C', 'D', 'E'])).toEqual({ codes: 'A, B, C', rest: 2 });
  });
});

let calls: { cmd: string; args: Record<string, unknown> }[] = [];
let current: RetentionCheck;
beforeEach(() => {
  stubScrolling();
  calls = [];
  current = check(true, [item('closed_cases', 'c1', 'RT-SELESAI'), item('closed_cases', 'c2', 'RT-SIMPAN'), item('contacts', 'k1', '2024-11-02')]);
  mockIPC((cmd, args) => {
    calls.push({ cmd, args: args as Record<string, unknown> });
    if (cmd === 'retention_check') return current;
    if (cmd === 'retention_approve') return check(true, [item('closed_cases', 'c2', 'RT-SIMPAN'), item('contacts', 'k1', '2024-11-02')]);
    throw new Error(`unexpected ${cmd}`);
  });
});
afterEach(() => clearMocks());

describe('the retention panel', () => {
  it('destroys only what she left chosen, after the question', async () => {
    let destroyed = 0;
    const r = render(RetentionPanel, { onDestroyed: () => (destroyed += 1), onError: noop });
    await settle();
    expect(r.all('retention-group').map((g) => g.dataset.class)).toEqual(['closed_cases', 'contacts']);
    expect(r.q('retention-panel')?.textContent).toContain('5 tahun');
    expect(r.all('retention-group')[1]?.textContent).toContain('Kontak 02/11/2024');
    // She keeps one closed case (a case still before the court, say).
    choose(r.all('retention-item').find((i) => i.dataset.code === 'RT-SIMPAN') ?? null, false);
    const destroy = r.all('retention-destroy')[0] ?? null;
    expect(destroy?.textContent).toContain('(1)');
    press(destroy);
    await settle();
    expect(r.q('retention-question')?.textContent).toContain('Musnahkan 1 data (Kasus selesai)');
    expect(calls.some((c) => c.cmd === 'retention_approve')).toBe(false);
    press(r.q('retention-confirm'));
    await settle();
    const approve = calls.find((c) => c.cmd === 'retention_approve');
    expect(approve?.args).toEqual({ class: 'closed_cases', chosen: ['c1'] });
    expect(destroyed).toBe(1);
    expect(r.all('retention-item').map((i) => i.dataset.code)).toEqual(['RT-SIMPAN', '2024-11-02']);
    r.destroy();
  });

  it('is not shown to a member who cannot approve, and says when nothing is due', async () => {
    current = check(false, [item('contacts', 'k1', '2024-11-02')]);
    let r = render(RetentionPanel, { onError: noop });
    await settle();
    expect(r.q('retention-panel')).toBeNull();
    r.destroy();
    current = check(true, []);
    r = render(RetentionPanel, { onError: noop });
    await settle();
    expect(r.q('retention-none')).not.toBeNull();
    expect(r.q('retention-destroy')).toBeNull();
    r.destroy();
  });
});
