// The dashboard's figures arrive after the chart is on screen (IPC): the chart follows them.
// (A .svelte.test.ts file, so the test can hold the props in $state.)
import { describe, expect, it } from 'vitest';
import { render, settle } from '../testing/render';
import BarChart from './BarChart.svelte';

describe('the bar chart, as its data changes', () => {
  it('leaves the empty text for bars once there are figures, and follows later changes', async () => {
    const props = $state({ title: 'Sesi', bars: [{ label: 'Jan', value: 0 }], emptyText: 'Belum ada data' });
    const r = render(BarChart, props);
    expect(r.q('chart-empty')?.textContent).toBe('Belum ada data');
    props.bars = [{ label: 'Jan', value: 4 }, { label: 'Feb', value: 2 }];
    await settle();
    expect(r.q('chart-empty')).toBeNull();
    const values = (): string[] => r.all('bar').map((b) => b.querySelector('[data-testid="bar-value"]')?.textContent ?? '');
    expect(values()).toEqual(['4', '2']);
    expect(r.q('chart-table')?.querySelectorAll('tbody tr')).toHaveLength(2);
    props.bars = [{ label: 'Jan', value: 0 }, { label: 'Feb', value: 0 }];
    await settle();
    expect(r.q('chart-empty')).not.toBeNull();
    expect(r.target.querySelector('svg')).toBeNull();
    r.destroy();
  });
});
