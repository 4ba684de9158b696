// The monthly report panel: it makes the report in the export folder and says where, with the
// protected totals; and the helpers behind it and the trend charts.
import { afterEach, describe, expect, it } from 'vitest';
import { clearMocks, mockIPC } from '@tauri-apps/api/mocks';
import { render, settle } from '../lib/testing/render';
import MonthlyReport from './MonthlyReport.svelte';
import { monthBars, monthLabel, previousMonth, totalText } from './report';
import type { MonthlyStatistics, SavedReport, Trends } from '../lib/backend';

afterEach(() => clearMocks());

const stats: MonthlyStatistics = {
  month: { year: 2026, month: 11 },
  organisation: 'Rumah Healing Contoh',
  tables: [
    { id: 'clients_by_sex', population: 'clients', rows: [['female', { shown: 'small' }], ['male', { shown: 'masked' }]], total: { shown: 'count', count: 14 }, withheld: false },
    { id: 'sessions_by_modality', population: 'sessions', rows: [], total: { shown: 'masked' }, withheld: false },
    { id: 'contacts_by_channel', population: 'contacts', rows: [], total: { shown: 'small' }, withheld: true },
  ],
  hours: [],
  workers: {},
};

describe('the monthly report panel', () => {
  it('saves the chosen month in the export folder and shows the path and the protected totals', async () => {
    const asked: unknown[] = [];
    mockIPC((cmd, args) => {
      if (cmd === 'export_folder') return '/data/ekspor';
      if (cmd === 'report_monthly') {
        asked.push(args);
        return { path: '/data/ekspor/laporan-bulanan-2026-11.pdf', statistics: stats } satisfies SavedReport;
      }
      throw new Error(`unexpected ${cmd}`);
    });
    const r = render(MonthlyReport, { onError: () => {} });
    await settle();
    expect(r.q('report-folder')?.textContent).toContain('/data/ekspor');
    const month = r.q('report-month') as HTMLInputElement;
    month.value = '2026-11';
    month.dispatchEvent(new Event('input'));
    (r.q('report-make') as HTMLButtonElement).click();
    await settle();
    expect(asked).toEqual([{ month: '2026-11', format: 'pdf' }]);
    const saved = r.q('report-saved')?.textContent ?? '';
    expect(saved).toContain('/data/ekspor/laporan-bulanan-2026-11.pdf');
    expect(saved, 'the totals as the report prints them').toContain('14 klien dilayani, s sesi, <5 kontak');
    r.destroy();
  });

  it('reports a refusal (a device that reads just its own clients) through onError', async () => {
    mockIPC((cmd) => {
      if (cmd === 'export_folder') return '/data/ekspor';
      throw { code: 'NotPermitted', message: 'only a supervisor' };
    });
    const codes: string[] = [];
    const r = render(MonthlyReport, { onError: (c: string) => codes.push(c) });
    await settle();
    (r.q('report-make') as HTMLButtonElement).click();
    await settle();
    expect(codes).toEqual(['NotPermitted']);
    expect(r.q('report-saved')).toBeNull();
    r.destroy();
  });
});

describe('the report helpers', () => {
  it('proposes the month that ended last', () => {
    expect(previousMonth(new Date(2026, 11, 6))).toBe('2026-11');
    expect(previousMonth(new Date(2027, 0, 2)), 'January proposes December').toBe('2026-12');
  });

  it('prints a total as the report does', () => {
    expect(totalText(stats, 'clients_by_sex')).toBe('14');
    expect(totalText(stats, 'sessions_by_modality')).toBe('s');
    expect(totalText(stats, 'contacts_by_channel')).toBe('<5');
    expect(totalText(stats, 'nothing')).toBe('-');
  });

  it('labels the months of a trend in the reader\'s language', () => {
    const trends: Trends = {
      months: [{ year: 2026, month: 11 }, { year: 2026, month: 12 }],
      sessions: [4, 9], contacts: [0, 2], red_flags: [1, 0], contact_categories: [],
    };
    expect(monthBars(trends, 'sessions', 'id')).toEqual([{ label: 'Nov', value: 4 }, { label: 'Des', value: 9 }]);
    expect(monthLabel(2026, 5, 'en')).toBe('May');
    expect(monthLabel(2026, 8, 'id')).toBe('Agu');
  });
});
