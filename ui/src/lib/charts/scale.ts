// The layout of a bar chart, as plain numbers (viewBox units), so it is tested without a DOM.
// The viewBox is as wide as the dashboard column (about 600 px), so one unit is about one pixel
// there; the SVG is never drawn wider than that (see BarChart.svelte), only narrower.

/** One bar as the caller gives it. `shown` is what is printed at the bar (e.g. "<5"). */
export type Bar = { label: string; value: number; shown?: string };

/** One bar placed in the viewBox. `length` is the bar's height (vertical) or width (horizontal). */
export type PlacedBar = {
  label: string;
  value: number;
  /** The text printed at the bar. */
  shown: string;
  /** The label as drawn: cut with an ellipsis when it would not fit (the full one is `label`). */
  text: string;
  x: number;
  y: number;
  width: number;
  height: number;
  length: number;
  /** A bar of zero (or no) value: drawn as a thin outline on the baseline. */
  zero: boolean;
  labelX: number;
  labelY: number;
  valueX: number;
  valueY: number;
};

export type Layout = {
  width: number;
  height: number;
  /** The full length of a bar (the largest value's). */
  full: number;
  /** The axis the bars stand on (vertical) or start from (horizontal). */
  axis: { x1: number; y1: number; x2: number; y2: number };
  bars: PlacedBar[];
};

export const VIEW_WIDTH = 600;
/**
 * Average advance of a glyph per unit of font size, a little generous for Noto Sans / DejaVu Sans
 * (digits and lowercase are about 0.55, capitals wider): used to know how many characters fit.
 */
export const CHAR_WIDTH = 0.62;

/** Vertical bars (months): at most 200 units high, so never more than 200 px on screen. */
export const VERTICAL = {
  height: 200,
  /** Room above the tallest bar for its value. */
  top: 18,
  /** Room under the baseline for the labels. */
  bottom: 20,
  side: 4,
  /** A bar takes this share of its slot, and never more than `maxBar` units. */
  barShare: 0.6,
  maxBar: 48,
  labelFont: 10,
  valueFont: 11,
} as const;

/** Horizontal bars (categories): one 22-unit row each. */
export const HORIZONTAL = {
  row: 22,
  bar: 14,
  pad: 4,
  /** The labels' column, left of the bars. */
  labelWidth: 200,
  /** Room right of the longest bar for its value. */
  valueWidth: 56,
  gap: 6,
  labelFont: 11,
  valueFont: 11,
} as const;

/** The plot height of vertical bars: the length of the largest one. */
export const VERTICAL_FULL = VERTICAL.height - VERTICAL.top - VERTICAL.bottom;
/** The plot width of horizontal bars: the length of the largest one. */
export const HORIZONTAL_FULL = VIEW_WIDTH - HORIZONTAL.labelWidth - HORIZONTAL.valueWidth;

/** A value a bar can be drawn from: negative, NaN and infinite values count as 0. */
const drawable = (v: number): number => (Number.isFinite(v) && v > 0 ? v : 0);

/** Whether there is nothing to draw: no bars, or every value 0. */
export function isEmpty(bars: readonly Bar[]): boolean {
  return bars.every((b) => drawable(b.value) === 0);
}

/** The text printed at a bar: `shown`, else the value. */
export function shownOf(bar: Bar): string {
  return bar.shown ?? String(bar.value);
}

/** A bar's length: its share of the largest value times the full length (0 when max is 0). */
export function lengthOf(value: number, max: number, full: number): number {
  const m = drawable(max);
  if (m === 0) return 0;
  return round(Math.min(1, drawable(value) / m) * full);
}

/** How many characters of `fontSize` fit in `width` units. */
export function fitChars(width: number, fontSize: number): number {
  return Math.max(0, Math.floor(width / (fontSize * CHAR_WIDTH)));
}

/**
 * `text` cut to at most `maxChars` characters, the last an ellipsis, when longer. Counts code
 * points, so no character is split; too little room (under two characters) draws nothing.
 */
export function truncate(text: string, maxChars: number): string {
  const chars = Array.from(text);
  if (chars.length <= maxChars) return text;
  if (maxChars < 2) return '';
  return `${chars.slice(0, maxChars - 1).join('').trimEnd()}…`;
}

const round = (n: number): number => Math.round(n * 100) / 100;

/** Columns standing on a baseline, labels under them and values above. */
export function layoutVertical(bars: readonly Bar[]): Layout {
  const v = VERTICAL;
  const full = VERTICAL_FULL;
  const baseline = v.height - v.bottom;
  const max = Math.max(0, ...bars.map((b) => drawable(b.value)));
  const slot = bars.length > 0 ? (VIEW_WIDTH - 2 * v.side) / bars.length : 0;
  const barWidth = round(Math.min(slot * v.barShare, v.maxBar));
  const labelChars = fitChars(slot - 2, v.labelFont);
  return {
    width: VIEW_WIDTH,
    height: v.height,
    full,
    axis: { x1: v.side, y1: baseline, x2: VIEW_WIDTH - v.side, y2: baseline },
    bars: bars.map((b, i) => {
      const length = lengthOf(b.value, max, full);
      const centre = round(v.side + slot * (i + 0.5));
      return {
        label: b.label,
        value: b.value,
        shown: shownOf(b),
        text: truncate(b.label, labelChars),
        x: round(centre - barWidth / 2),
        y: round(baseline - length),
        width: barWidth,
        height: length,
        length,
        zero: length === 0,
        labelX: centre,
        labelY: baseline + 4 + v.labelFont,
        valueX: centre,
        valueY: round(baseline - length - 4),
      };
    }),
  };
}

/** Rows of bars from a common left edge, labels left of them and values right. */
export function layoutHorizontal(bars: readonly Bar[]): Layout {
  const h = HORIZONTAL;
  const full = HORIZONTAL_FULL;
  const max = Math.max(0, ...bars.map((b) => drawable(b.value)));
  const labelChars = fitChars(h.labelWidth - h.gap, h.labelFont);
  const height = 2 * h.pad + h.row * bars.length;
  return {
    width: VIEW_WIDTH,
    height,
    full,
    axis: { x1: h.labelWidth, y1: h.pad, x2: h.labelWidth, y2: height - h.pad },
    bars: bars.map((b, i) => {
      const length = lengthOf(b.value, max, full);
      const middle = h.pad + h.row * (i + 0.5);
      // Text is placed by its baseline: a third of the font size below the middle centres it.
      const textY = round(middle + h.labelFont * 0.35);
      return {
        label: b.label,
        value: b.value,
        shown: shownOf(b),
        text: truncate(b.label, labelChars),
        x: h.labelWidth,
        y: round(middle - h.bar / 2),
        width: length,
        height: h.bar,
        length,
        zero: length === 0,
        labelX: h.labelWidth - h.gap,
        labelY: textY,
        valueX: round(h.labelWidth + length + h.gap),
        valueY: textY,
      };
    }),
  };
}
