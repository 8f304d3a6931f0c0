// The metrics a choropleth can show, with class breaks that make sense for each and a unit for the legend.
// Colour scales live here, apart from the components (deck.gl example style).
import type { AreaAggregate } from '../../server/contract/live';

export type Rgba = [number, number, number, number];

export interface Metric {
  key: 'open' | 'overdue' | 'resolutionRate' | 'satisfactionRate';
  label: string;
  unit: string;
  /** Upper bounds of the classes but the last; a value ≥ the last break falls in the last class. */
  breaks: readonly number[];
  /** One colour per class (breaks.length + 1), from good to bad. */
  colors: readonly Rgba[];
  value(a: AreaAggregate): number | null;
  format(v: number): string;
}

/** Counts: dark blue (quiet) to red (busy), readable on the dark wall theme. */
const LOAD: readonly Rgba[] = [
  [28, 58, 94, 255],
  [33, 102, 150, 255],
  [214, 168, 52, 255],
  [232, 110, 44, 255],
  [214, 48, 49, 255],
];
/** Rates: red (poor) to green (good). */
const QUALITY: readonly Rgba[] = [
  [214, 48, 49, 255],
  [232, 110, 44, 255],
  [214, 168, 52, 255],
  [64, 160, 110, 255],
  [40, 190, 120, 255],
];

const pct = (v: number) => `${Math.round(v * 100)}%`;

export const METRICS: readonly Metric[] = [
  { key: 'open', label: '在办工单', unit: '件', breaks: [5, 15, 30, 60], colors: LOAD, value: (a) => a.tickets.open, format: String },
  { key: 'overdue', label: '超期工单', unit: '件', breaks: [1, 3, 6, 10], colors: LOAD, value: (a) => a.tickets.overdue, format: String },
  {
    key: 'resolutionRate',
    label: '解决率',
    unit: '%',
    breaks: [0.7, 0.8, 0.85, 0.9],
    colors: QUALITY,
    value: (a) => a.tickets.resolutionRate,
    format: pct,
  },
  {
    key: 'satisfactionRate',
    label: '满意率',
    unit: '%',
    breaks: [0.8, 0.88, 0.92, 0.96],
    colors: QUALITY,
    value: (a) => a.tickets.satisfactionRate,
    format: pct,
  },
];

/** Areas without data (a rate with nothing rated yet) are drawn in a neutral grey, never as "good". */
export const NO_DATA: Rgba = [70, 80, 96, 255];

export function classOf(metric: Metric, v: number): number {
  let i = 0;
  while (i < metric.breaks.length && v >= metric.breaks[i]!) i++;
  return i;
}

export function colorOf(metric: Metric, v: number | null): Rgba {
  return v === null ? NO_DATA : metric.colors[classOf(metric, v)]!;
}

/** Legend rows: the range of each class in the metric's own format. */
export function legendOf(metric: Metric): { label: string; color: Rgba }[] {
  const b = metric.breaks;
  return metric.colors.map((color, i) => ({
    color,
    label: i === 0 ? `< ${metric.format(b[0]!)}` : i === b.length ? `≥ ${metric.format(b[i - 1]!)}` : `${metric.format(b[i - 1]!)} – ${metric.format(b[i]!)}`,
  }));
}
