// Helpers of the report and trend panels: the default month, printed totals, chart bars.
import type { MonthlyStatistics, Trends } from '../lib/backend';
import type { Bar } from '../lib/charts/scale';
import type { Locale } from '../lib/i18n/catalogue';

/** The month before `today`'s, as YYYY-MM: a monthly report is made after the month ends. */
export function previousMonth(today: Date): string {
  const y = today.getFullYear();
  const m = today.getMonth(); // 0-based: this is already the previous month's 1-based number
  return m === 0 ? `${y - 1}-12` : `${y}-${String(m).padStart(2, '0')}`;
}

/** A table's total as printed ("12", "<5", "s"), or "-" without one. */
export function totalText(stats: MonthlyStatistics, table: string): string {
  const total = stats.tables.find((t) => t.id === table)?.total;
  if (!total) return '-';
  switch (total.shown) {
    case 'count': return String(total.count);
    case 'small': return '<5';
    case 'masked': return 's';
  }
}

/** A short month name in `locale` ("Nov", "Des"...). */
export function monthLabel(year: number, month: number, locale: Locale): string {
  const tag = locale === 'id' ? 'id-ID' : 'en-GB';
  return new Intl.DateTimeFormat(tag, { month: 'short', timeZone: 'UTC' }).format(Date.UTC(year, month - 1, 1)).replace('.', '');
}

/** One series of the trends as chart bars, labelled by month. */
export function monthBars(trends: Trends, series: 'sessions' | 'contacts' | 'red_flags', locale: Locale): Bar[] {
  return trends.months.map((m, i) => ({ label: monthLabel(m.year, m.month, locale), value: trends[series][i] ?? 0 }));
}
