// The case-assignment panel (issue 23, need-to-know access): a supervisor assigns, takes a
// worker off with a reason, and transfers the case; a worker only sees who works on it and why.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { clearMocks, mockIPC } from '@tauri-apps/api/mocks';
import type { AssignmentChange, CaseAssignment, CaseWorker } from '../lib/backend';
import { choose, errorBeside, press, render, settle, stubScrolling, typeInto } from '../lib/testing/render';
import { team } from '../review/team.svelte';
import AssignmentPanel from './AssignmentPanel.svelte';
import ClientProfile from './ClientProfile.svelte';

const ani: CaseWorker = { member: 2, username: 'sup.ani', role: 'supervisor', level: null };
const sari: CaseWorker = { member: 4, username: 'kons.sari', role: 'counselor', level: 'senior' };
const budi: CaseWorker = { member: 7, username: 'kons.budi', role: 'counselor', level: 'junior' };
const rina: CaseWorker = { member: 9, username: 'out.rina', role: 'outreach', level: 'intermediate' };
const byId: Record<number, CaseWorker> = { 2: ani, 4: sari, 7: budi, 9: rina };

const HISTORY: AssignmentChange[] = [
  { at: '2026-10-01T01:00:00Z', by: ani, workers: [sari], reason: null },
  { at: '2026-10-05T03:30:00Z', by: ani, workers: [sari, budi], reason: null },
  { at: '2026-10-09T07:15:00Z', by: ani, workers: [budi], reason: 'Sari cuti panjang' },
];

let stored: CaseAssignment;
let sent: { client: string; workers: number[]; reason: string | null }[];
let refuse: { code: string; message: string } | null;
const errors: string[] = [];
const onError = (code: string): void => void errors.push(code);

function assignment(over: Partial<CaseAssignment> = {}): CaseAssignment {
  return { workers: [budi], history: HISTORY, may_assign: true, assignable: [budi, sari, rina], ...over };
}

beforeEach(() => {
  stubScrolling();
  stored = assignment();
  sent = [];
  refuse = null;
  errors.length = 0;
  team.view = { me: 'm-ani', role: 'supervisor', supervises: true, members: [], zone: 'WIB' } as never;
  mockIPC((cmd, args) => {
    const a = (args ?? {}) as Record<string, unknown>;
    if (cmd === 'case_assignment') return stored;
    if (cmd === 'case_assign') {
      sent.push({ client: a.client as string, workers: a.workers as number[], reason: a.reason as string | null });
      if (refuse) throw refuse;
      const workers = (a.workers as number[]).map((m) => byId[m]!);
      stored = { ...stored, workers, history: [...stored.history, { at: '2026-10-12T02:00:00Z', by: ani, workers, reason: a.reason as string | null }] };
      return stored;
    }
    throw new Error(`unexpected ${cmd}`);
  });
});
afterEach(() => {
  clearMocks();
  team.view = null;
});

async function panel(over: Partial<CaseAssignment> = {}, isChild = false) {
  stored = assignment(over);
  const r = render(AssignmentPanel, { client: 'c1', isChild, onError });
  await settle();
  return r;
}

describe('what everyone sees', () => {
  it('lists the workers with their level, says who can open the client, and the history newest first', async () => {
    const r = await panel({ workers: [sari, budi] });
    expect(r.q('assignment-panel')?.textContent).toContain('Penugasan kasus');
    expect(r.q('assignment-panel')?.textContent).toContain('Hanya pekerja yang ditugaskan pada kasus ini dan supervisor tim yang dapat membuka klien ini.');
    const workers = r.all('assignment-worker');
    expect(workers.map((w) => w.dataset.username)).toEqual(['kons.sari', 'kons.budi']);
    expect(workers[0]?.querySelector('[data-testid=assignment-level]')?.textContent).toBe('Senior');
    expect(workers[1]?.querySelector('[data-testid=assignment-level]')?.textContent).toBe('Junior');
    expect(workers[0]?.textContent).toContain('Konselor');

    const rows = r.all('assignment-history-row');
    expect(rows.map((row) => row.dataset.at)).toEqual(['2026-10-09T07:15:00Z', '2026-10-05T03:30:00Z', '2026-10-01T01:00:00Z']);
    expect(rows[0]?.textContent).toContain('09/10/2026 14.15 WIB');
    expect(rows[0]?.textContent).toContain('oleh sup.ani');
    expect(rows[0]?.textContent).toContain('kons.budi');
    expect(rows[0]?.textContent).toContain('Alasan: Sari cuti panjang');
    expect(rows[1]?.textContent).toContain('kons.sari, kons.budi');
    expect(rows[1]?.textContent).not.toContain('Alasan');
    r.destroy();
  });

  it('says the supervisors hold a case without workers, and a worker unknown to the roster by number', async () => {
    const r = await panel({ workers: [], history: [{ at: '2026-10-09T07:15:00Z', by: { ...ani, username: '' }, workers: [], reason: 'selesai' }] });
    expect(r.q('assignment-none')?.textContent).toBe('Belum ada pekerja yang ditugaskan: kasus ini dipegang supervisor tim.');
    expect(r.all('assignment-worker')).toHaveLength(0);
    expect(r.q('assignment-history-row')?.textContent).toContain('oleh Anggota #2: supervisor tim');
    r.destroy();
  });

  it('offers a worker no decision', async () => {
    team.view = { me: 'm-budi', role: 'counselor', supervises: false, members: [], zone: 'WIB' } as never;
    const r = await panel({ may_assign: false, assignable: [] });
    expect(r.all('assignment-worker')).toHaveLength(1);
    for (const id of ['assignment-remove', 'assignment-add-select', 'assignment-add', 'assignment-transfer', 'assignment-reason', 'assignment-confirm']) {
      expect(r.q(id), id).toBeNull();
    }
    expect(r.all('assignment-history-row')).toHaveLength(3);
    r.destroy();
  });
});

describe('a supervisor\'s decisions', () => {
  it('sees the controls, and assigns a further worker without a reason', async () => {
    const r = await panel();
    expect(r.all('assignment-remove')).toHaveLength(1);
    expect(r.q('assignment-transfer')).not.toBeNull();
    const select = r.q('assignment-add-select') as HTMLSelectElement;
    expect([...select.options].map((o) => o.value), 'not those already on the case').toEqual(['4', '9']);
    expect(select.options[1]?.textContent).toBe('out.rina · Pendamping lapangan · Menengah');
    choose(select, '9');
    press(r.q('assignment-add'));
    await settle();
    expect(sent).toEqual([{ client: 'c1', workers: [7, 9], reason: null }]);
    expect(r.all('assignment-worker').map((w) => w.dataset.username), 'shown as the core returned it').toEqual(['kons.budi', 'out.rina']);
    expect(r.all('assignment-history-row')[0]?.dataset.at).toBe('2026-10-12T02:00:00Z');
    expect(r.q('assignment-done')?.textContent).toContain('sinkronisasi berikutnya');
    r.destroy();
  });

  it('takes a worker off only with a reason', async () => {
    const r = await panel({ workers: [sari, budi] });
    press(r.all('assignment-remove')[0]!);
    expect(r.q('assignment-form')?.textContent).toContain('Lepaskan kons.sari dari kasus ini?');
    press(r.q('assignment-confirm'));
    await settle();
    expect(sent, 'not sent without a reason').toEqual([]);
    expect(errorBeside(r.q('assignment-reason'))).toContain('Tulis alasannya');

    typeInto(r.q('assignment-reason'), '  beban kasus terlalu banyak ');
    expect(errorBeside(r.q('assignment-reason')), 'typed: no longer marked').toBeNull();
    press(r.q('assignment-confirm'));
    await settle();
    expect(sent).toEqual([{ client: 'c1', workers: [7], reason: 'beban kasus terlalu banyak' }]);
    expect(r.all('assignment-worker').map((w) => w.dataset.username)).toEqual(['kons.budi']);
    expect(r.q('assignment-form'), 'the question closes').toBeNull();
    r.destroy();
  });

  it('cancels taking a worker off without sending anything', async () => {
    const r = await panel();
    press(r.q('assignment-remove'));
    press(r.q('assignment-cancel'));
    expect(r.q('assignment-form')).toBeNull();
    expect(r.q('assignment-add')).not.toBeNull();
    expect(sent).toEqual([]);
    r.destroy();
  });

  it('transfers the case to the workers she picks, with a reason', async () => {
    const r = await panel({ workers: [budi] });
    press(r.q('assignment-transfer'));
    press(r.q('assignment-confirm'));
    await settle();
    expect(sent).toEqual([]);
    expect(errorBeside(r.q('assignment-reason'))).toContain('Tulis alasannya');
    expect(r.q('assignment-form')?.textContent).toContain('Pilih pekerja baru (tidak sama dengan pekerja sekarang).');

    const boxes = r.all('assignment-transfer-worker') as HTMLInputElement[];
    expect(boxes.map((b) => b.value)).toEqual(['7', '4', '9']);
    choose(boxes[1]!, true);
    typeInto(r.q('assignment-reason'), 'Kasus anak: perlu relawan senior');
    press(r.q('assignment-confirm'));
    await settle();
    expect(sent).toEqual([{ client: 'c1', workers: [4], reason: 'Kasus anak: perlu relawan senior' }]);
    expect(r.all('assignment-worker').map((w) => w.dataset.username)).toEqual(['kons.sari']);
    r.destroy();
  });

  it('says why the core refused a child\'s case without a senior worker', async () => {
    const r = await panel({}, true);
    expect(r.q('assignment-child-hint')?.textContent).toContain('relawan senior, staf, atau supervisor');
    refuse = { code: 'NotPermitted', message: 'a child\'s case needs a senior' };
    press(r.q('assignment-add'));
    await settle();
    expect(sent).toHaveLength(1);
    expect(r.q('assignment-error')?.textContent).toContain('kasus anak harus dipegang setidaknya satu relawan senior, staf, atau supervisor');
    expect(r.all('assignment-worker').map((w) => w.dataset.username), 'unchanged').toEqual(['kons.budi']);
    expect(errors).toEqual([]);

    refuse = { code: 'StorageFailed', message: 'disk' };
    press(r.q('assignment-add'));
    await settle();
    expect(errors, 'other failures go to the screen\'s banner').toEqual(['StorageFailed']);
    r.destroy();
  });
});

describe('on the client profile', () => {
  const detail = {
    format: 1, exported_at: '2026-10-17T00:00:00Z',
    client: {
      id: 'c1', is_child: false,
      profile: {
        code: 'K-1', name: 'Rina', nickname: '', sex: 'female', birth_date: null, estimated_age: 30, estimated_age_on: null, contacts: [],
        address: '', guardian: null, no_guardian_reason: '', language: '', communication_needs: '', ppks_categories: [], ampk_categories: [],
      },
    },
    cases: [], consents: [], notes: [], tasks: [], screenings: [], referrals: [], contacts: [],
  };

  async function profile(): Promise<{ r: ReturnType<typeof render>; asked: string[] }> {
    const asked: string[] = [];
    clearMocks();
    mockIPC((cmd) => {
      asked.push(cmd);
      if (cmd === 'client_detail') return detail;
      if (cmd === 'case_assignment') return stored;
      // Every other panel of the profile starts from an empty list.
      return [];
    });
    const r = render(ClientProfile, { id: 'c1', onBack: () => {}, onError });
    await settle();
    return { r, asked };
  }

  it('shows who works on the case in a team', async () => {
    const { r, asked } = await profile();
    expect(asked).toContain('case_assignment');
    expect(r.q('assignment-panel')).not.toBeNull();
    expect(r.all('assignment-worker').map((w) => w.dataset.username)).toEqual(['kons.budi']);
    expect(errors).toEqual([]);
    r.destroy();
  });

  it('shows no assignment on a computer not in a team', async () => {
    team.view = null;
    const { r, asked } = await profile();
    expect(r.q('client-profile')).not.toBeNull();
    expect(r.q('assignment-panel')).toBeNull();
    expect(asked).not.toContain('case_assignment');
    r.destroy();
  });
});
