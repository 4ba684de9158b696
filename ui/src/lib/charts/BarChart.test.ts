// The chart is read without colour: values as text by every bar, a pattern and an outline, and
// a hidden table with every figure for screen readers.
import type { ComponentProps } from 'svelte';
import { afterEach, describe, expect, it } from 'vitest';
import { render, settle, type Rendered } from '../testing/render';
import BarChart from './BarChart.svelte';
import { HORIZONTAL_FULL, VERTICAL_FULL } from './scale';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'Mei', 'Jun', 'Jul', 'Agu', 'Sep', 'Okt', 'Nov', 'Des'];
const sessions = MONTHS.map((label, i) => ({ label, value: [3, 5, 12, 0, 7, 8, 2, 4, 6, 9, 1, 10][i] ?? 0 }));

let mounted: Rendered[] = [];
const show = (props: ComponentProps<typeof BarChart>): Rendered => {
  const r = render(BarChart, props);
  mounted.push(r);
  return r;
};
afterEach(() => {
  for (const r of mounted) r.destroy();
  mounted = [];
});

/** The bar a person finds by its label. */
const barOf = (r: Rendered, label: string): HTMLElement => {
  const bar = r.all('bar').find((b) => b.dataset.label === label);
  if (!bar) throw new Error(`no bar ${label}`);
  return bar;
};
const textBy = (bar: HTMLElement, testid: string): string =>
  bar.querySelector(`[data-testid="${testid}"]`)?.textContent ?? '';
const rectOf = (bar: HTMLElement): Element => {
  const rect = bar.querySelector('[data-testid="bar-rect"]');
  if (!rect) throw new Error('no rect');
  return rect;
};

describe('the bar chart', () => {
  it('draws a bar per month with its label under it and its value printed by it', async () => {
    const r = show({ title: 'Sesi per bulan', bars: sessions, emptyText: 'Belum ada data', testid: 'chart-sessions' });
    await settle();
    const root = r.q('chart-sessions');
    expect(root?.querySelector('figcaption')?.textContent).toBe('Sesi per bulan');
    expect(r.all('bar')).toHaveLength(12);
    const march = barOf(r, 'Mar');
    expect(march.dataset.value).toBe('12');
    expect(textBy(march, 'bar-value')).toBe('12');
    expect(textBy(march, 'bar-label')).toBe('Mar');
    expect(r.all('bar').map((b) => textBy(b, 'bar-label'))).toEqual(MONTHS);
  });

  it('names the SVG by its title and scales it with its container', () => {
    const r = show({ title: 'Sesi per bulan', bars: sessions, emptyText: 'Belum ada data' });
    const svg = r.q('chart-svg');
    expect(svg?.getAttribute('width')).toBe('100%');
    expect(svg?.getAttribute('viewBox')).toMatch(/^0 0 \d+ \d+$/);
    const [, , , h] = (svg?.getAttribute('viewBox') ?? '').split(' ').map(Number);
    expect(h).toBeLessThanOrEqual(220);
    const labelledBy = svg?.getAttribute('aria-labelledby') ?? '';
    expect(labelledBy).not.toBe('');
    const title = document.getElementById(labelledBy);
    expect(title?.tagName.toLowerCase()).toBe('title');
    expect(title?.parentElement).toBe(svg);
    expect(title?.textContent).toBe('Sesi per bulan');
  });

  it('prints a suppressed figure as given ("<5"), not its value', () => {
    const r = show({
      title: 'Tanda bahaya', emptyText: 'Belum ada data',
      bars: [{ label: 'Jan', value: 3, shown: '<5' }, { label: 'Feb', value: 11 }],
    });
    const jan = barOf(r, 'Jan');
    expect(textBy(jan, 'bar-value')).toBe('<5');
    expect(jan.querySelector('title')?.textContent).toBe('Jan: <5');
    expect(r.q('chart-table')?.textContent).toContain('<5');
    expect(r.q('chart-table')?.textContent).not.toContain('3');
  });

  it('holds every label and value in the hidden table, long labels complete', () => {
    const long = 'Kekerasan dalam rumah tangga dan relasi pacaran';
    const r = show({
      title: 'Kontak per kategori', orientation: 'horizontal', emptyText: 'Belum ada data',
      bars: [{ label: long, value: 40 }, { label: 'Kecemasan', value: 12 }, { label: 'Lainnya', value: 2, shown: '<5' }],
      headings: { label: 'Kategori', value: 'Jumlah' },
    });
    const table = r.q('chart-table');
    expect(table?.className).toContain('visually-hidden');
    expect(table?.querySelector('caption')?.textContent).toBe('Kontak per kategori');
    expect([...(table?.querySelectorAll('thead th') ?? [])].map((c) => c.textContent)).toEqual(['Kategori', 'Jumlah']);
    const rows = [...(table?.querySelectorAll('tbody tr') ?? [])].map((tr) =>
      [...tr.children].map((c) => c.textContent));
    expect(rows).toEqual([[long, '40'], ['Kecemasan', '12'], ['Lainnya', '<5']]);
    expect(table?.querySelector('tbody th')?.getAttribute('scope')).toBe('row');
    // In the drawing the long label is cut, its tooltip complete.
    const first = barOf(r, long);
    expect(textBy(first, 'bar-label').endsWith('…')).toBe(true);
    expect(textBy(first, 'bar-label').length).toBeLessThan(long.length);
    expect(first.querySelector('title')?.textContent).toBe(`${long}: 40`);
  });

  it('shows the empty text and no chart when every value is 0 or there are no bars', () => {
    const zeros = show({ title: 'Tanda bahaya', bars: MONTHS.map((label) => ({ label, value: 0 })), emptyText: 'Belum ada data', testid: 'zeros' });
    expect(zeros.q('chart-empty')?.textContent).toBe('Belum ada data');
    expect(zeros.target.querySelector('svg')).toBeNull();
    expect(zeros.q('chart-table')).toBeNull();
    expect(zeros.q('zeros')?.querySelector('figcaption')?.textContent).toBe('Tanda bahaya');
    const none = show({ title: 'Kontak', bars: [], emptyText: 'Tidak ada kontak' });
    expect(none.q('chart-empty')?.textContent).toBe('Tidak ada kontak');
    expect(none.target.querySelector('svg')).toBeNull();
  });

  it('gives each chart on a page its own pattern', () => {
    const a = show({ title: 'Sesi', bars: sessions, emptyText: '-' });
    const b = show({ title: 'Kontak', bars: sessions, emptyText: '-', pattern: 'dots' });
    const idA = a.target.querySelector('pattern')?.id ?? '';
    const idB = b.target.querySelector('pattern')?.id ?? '';
    expect(idA).not.toBe('');
    expect(idB).not.toBe('');
    expect(idA).not.toBe(idB);
    // Every bar is filled with its own chart's pattern and outlined.
    expect(rectOf(a.all('bar')[0] as HTMLElement).getAttribute('fill')).toBe(`url(#${idA})`);
    expect(rectOf(b.all('bar')[0] as HTMLElement).getAttribute('fill')).toBe(`url(#${idB})`);
    expect(b.target.querySelector('pattern circle')).not.toBeNull();
    expect(a.target.querySelector('pattern line')).not.toBeNull();
    // The SVG titles' ids are unique too (aria-labelledby finds its own chart).
    expect(a.q('chart-svg')?.getAttribute('aria-labelledby')).not.toBe(b.q('chart-svg')?.getAttribute('aria-labelledby'));
  });

  it('draws solid bars with no pattern when asked', () => {
    const r = show({ title: 'Sesi', bars: sessions, emptyText: '-', pattern: 'solid' });
    expect(r.target.querySelector('pattern')).toBeNull();
    expect(rectOf(r.all('bar')[0] as HTMLElement).hasAttribute('fill')).toBe(false);
  });

  it('gives the largest bar the full height and keeps a zero bar, with no height, on the baseline', () => {
    const r = show({ title: 'Sesi', bars: sessions, emptyText: '-' });
    const march = rectOf(barOf(r, 'Mar'));
    const april = barOf(r, 'Apr');
    expect(Number(march.getAttribute('height'))).toBe(VERTICAL_FULL);
    expect(april.dataset.value).toBe('0');
    expect(Number(rectOf(april).getAttribute('height'))).toBe(0);
    expect(textBy(april, 'bar-value')).toBe('0');
    expect(april.querySelector('line.zero')).not.toBeNull();
    // Both stand on the same baseline.
    expect(Number(march.getAttribute('y')) + VERTICAL_FULL).toBe(Number(rectOf(april).getAttribute('y')));
    // Half the largest value, half the height.
    const jan = rectOf(barOf(r, 'Jan'));
    expect(Number(jan.getAttribute('height'))).toBeCloseTo(VERTICAL_FULL * 3 / 12, 1);
  });

  it('draws horizontal bars from one edge, the largest at full width and a zero one at none', () => {
    const r = show({
      title: 'Kontak per kategori', orientation: 'horizontal', emptyText: '-',
      bars: [{ label: 'Kecemasan', value: 30 }, { label: 'Depresi', value: 15 }, { label: 'Lainnya', value: 0 }],
    });
    const widths = r.all('bar').map((b) => Number(rectOf(b).getAttribute('width')));
    expect(widths).toEqual([HORIZONTAL_FULL, HORIZONTAL_FULL / 2, 0]);
    const xs = new Set(r.all('bar').map((b) => rectOf(b).getAttribute('x')));
    expect(xs.size).toBe(1);
    expect(textBy(barOf(r, 'Lainnya'), 'bar-value')).toBe('0');
    expect(barOf(r, 'Lainnya').querySelector('line.zero')).not.toBeNull();
    const [, , , h] = (r.q('chart-svg')?.getAttribute('viewBox') ?? '').split(' ').map(Number);
    expect(h).toBeLessThanOrEqual(22 * 3 + 8);
  });
});
