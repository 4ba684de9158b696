import { describe, expect, it } from 'vitest';
import {
  CHAR_WIDTH, HORIZONTAL, HORIZONTAL_FULL, VERTICAL, VERTICAL_FULL, VIEW_WIDTH,
  fitChars, isEmpty, layoutHorizontal, layoutVertical, lengthOf, shownOf, truncate,
} from './scale';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'Mei', 'Jun', 'Jul', 'Agu', 'Sep', 'Okt', 'Nov', 'Des'];

describe('bar lengths', () => {
  it('scales to the largest value, which gets the full length', () => {
    expect(lengthOf(10, 10, 160)).toBe(160);
    expect(lengthOf(5, 10, 160)).toBe(80);
    expect(lengthOf(0, 10, 160)).toBe(0);
  });
  it('draws nothing from a zero maximum, and counts negative or missing values as 0', () => {
    expect(lengthOf(0, 0, 160)).toBe(0);
    expect(lengthOf(-3, 10, 160)).toBe(0);
    expect(lengthOf(Number.NaN, 10, 160)).toBe(0);
  });
  it('calls a chart empty when there are no bars or every value is 0', () => {
    expect(isEmpty([])).toBe(true);
    expect(isEmpty([{ label: 'a', value: 0 }, { label: 'b', value: 0 }])).toBe(true);
    expect(isEmpty([{ label: 'a', value: 0 }, { label: 'b', value: 1 }])).toBe(false);
  });
  it('prints `shown` when given, else the value', () => {
    expect(shownOf({ label: 'a', value: 3, shown: '<5' })).toBe('<5');
    expect(shownOf({ label: 'a', value: 12 })).toBe('12');
  });
});

describe('truncation', () => {
  it('keeps a label that fits and cuts a long one with an ellipsis', () => {
    expect(truncate('Jan', 7)).toBe('Jan');
    expect(truncate('Kekerasan dalam rumah tangga', 10)).toBe('Kekerasan…');
    expect(Array.from(truncate('Kekerasan dalam rumah tangga', 12))).toHaveLength(12);
  });
  it('never splits a character, and draws nothing in too little room', () => {
    expect(truncate('😀😀😀', 2)).toBe('😀…');
    expect(truncate('Januari', 1)).toBe('');
  });
  it('knows how many characters fit', () => {
    expect(fitChars(62, 10)).toBe(10);
    expect(fitChars(0, 10)).toBe(0);
  });
});

describe('vertical layout (12 months)', () => {
  const bars = MONTHS.map((label, i) => ({ label, value: i === 3 ? 0 : i + 1 }));
  const l = layoutVertical(bars);

  it('stays within 220 px high and the column width', () => {
    expect(l.height).toBeLessThanOrEqual(220);
    expect(l.width).toBe(VIEW_WIDTH);
    for (const b of l.bars) {
      expect(b.x).toBeGreaterThanOrEqual(0);
      expect(b.x + b.width).toBeLessThanOrEqual(VIEW_WIDTH);
      expect(b.y).toBeGreaterThanOrEqual(VERTICAL.top);
    }
  });
  it('gives the largest bar the full height and a zero bar none, on the same baseline', () => {
    const biggest = l.bars[11];
    const zero = l.bars[3];
    expect(biggest?.height).toBe(VERTICAL_FULL);
    expect(zero?.height).toBe(0);
    expect(zero?.zero).toBe(true);
    expect(biggest && biggest.y + biggest.height).toBe(zero?.y);
  });
  it('puts the value above each bar and the month under it', () => {
    for (const b of l.bars) {
      expect(b.valueY).toBeLessThan(b.y);
      expect(b.labelY).toBeGreaterThan(b.y + b.height);
      expect(b.labelY).toBeLessThanOrEqual(l.height);
    }
  });
  it('leaves 12 month labels room enough not to collide (font-size 10 in a 49-unit slot)', () => {
    const slot = (VIEW_WIDTH - 2 * VERTICAL.side) / 12;
    expect(slot).toBeGreaterThan(49);
    const widest = Math.max(...l.bars.map((b) => Array.from(b.text).length)) * VERTICAL.labelFont * CHAR_WIDTH;
    expect(widest).toBeLessThan(slot);
    const centres = l.bars.map((b) => b.labelX);
    for (let i = 1; i < centres.length; i++) expect((centres[i] ?? 0) - (centres[i - 1] ?? 0)).toBeCloseTo(slot, 1);
    // Long month names are cut to fit their slot.
    const long = layoutVertical(MONTHS.map((m) => ({ label: `${m}uari 2026`, value: 1 })));
    for (const b of long.bars) expect(Array.from(b.text).length * VERTICAL.labelFont * CHAR_WIDTH).toBeLessThan(slot);
    expect(long.bars[0]?.text.endsWith('…')).toBe(true);
  });
});

describe('horizontal layout (categories)', () => {
  const bars = [
    { label: 'Kekerasan dalam rumah tangga dan relasi pacaran', value: 40 },
    { label: 'Kecemasan', value: 10 },
    { label: 'Lainnya', value: 0 },
  ];
  const l = layoutHorizontal(bars);

  it('takes 22 units a bar', () => {
    expect(l.height).toBe(2 * HORIZONTAL.pad + 22 * bars.length);
    const tops = l.bars.map((b) => b.y);
    expect((tops[1] ?? 0) - (tops[0] ?? 0)).toBe(22);
  });
  it('starts every bar at the same edge; the largest is full width and a zero one empty', () => {
    expect(l.bars.map((b) => b.x)).toEqual([HORIZONTAL.labelWidth, HORIZONTAL.labelWidth, HORIZONTAL.labelWidth]);
    expect(l.bars[0]?.width).toBe(HORIZONTAL_FULL);
    expect(l.bars[1]?.width).toBe(HORIZONTAL_FULL / 4);
    expect(l.bars[2]?.width).toBe(0);
    expect(l.bars[2]?.zero).toBe(true);
  });
  it('puts each value right of its bar, inside the viewBox', () => {
    for (const b of l.bars) {
      expect(b.valueX).toBeGreaterThan(b.x + b.width);
      expect(b.valueX + 6 * HORIZONTAL.valueFont * CHAR_WIDTH).toBeLessThanOrEqual(VIEW_WIDTH);
    }
  });
  it('cuts a long label to its column and keeps the full one', () => {
    const first = l.bars[0];
    expect(first?.text.endsWith('…')).toBe(true);
    expect(Array.from(first?.text ?? '').length * HORIZONTAL.labelFont * CHAR_WIDTH).toBeLessThanOrEqual(HORIZONTAL.labelWidth - HORIZONTAL.gap);
    expect(first?.label).toBe(bars[0]?.label);
    expect(l.bars[1]?.text).toBe('Kecemasan');
  });
});
