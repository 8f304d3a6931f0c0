// The metrics a choropleth can show, with class breaks that make sense for each metric and area level, and
// the legend rows they produce. Colours come from palette.ts; names and units from the i18n 'map' namespace.
import { WARNING_ORDER, type AreaLevel, type WarningColor } from '../../server/contract/areas';
import { DEFAULT_RATE_WINDOW, ticketWindow, type AreaAggregate, type RateWindow } from '../../server/contract/live';
import { METRIC_KEYS, type MetricKey, type ThemeName } from '../view/url';
import { LAYER_THEMES, LOAD, QUALITY, WARNING_RGBA, type Rgba } from './palette';

export type { Rgba } from './palette';
export { NO_DATA } from './palette';

/** count: tickets (件); rate: a share shown as a percentage; warning: the flood colour, a category. */
export type MetricKind = 'count' | 'rate' | 'warning';

/** Breaks for a town (tens of tickets) and for its grid cells, property districts and forest clusters (a few). */
export interface LevelBreaks {
  town: readonly number[];
  sub: readonly number[];
}

export interface Metric {
  key: MetricKey;
  kind: MetricKind;
  /** Upper bounds of the classes but the last; a value ≥ the last break falls in the last class. */
  breaks: LevelBreaks;
  /** One colour per class (breaks + 1), from good to bad for counts, bad to good for rates (wall theme). */
  colors: readonly Rgba[];
  /** The window ticket rates are read in (the view's; counts, flood and coverage have none and ignore it). */
  window: RateWindow;
  /** null: no data for the area (nothing rated, no checkpoint, no forest), drawn grey, never as good. */
  value(a: AreaAggregate): number | null;
}

/** A metric as defined: its value in any window. metricOf binds it to the view's window. */
interface MetricDef extends Omit<Metric, 'window' | 'value'> {
  read(a: AreaAggregate, window: RateWindow): number | null;
}

const same = (b: readonly number[]): LevelBreaks => ({ town: b, sub: b });
const FLOOD_COLORS: readonly Rgba[] = WARNING_ORDER.map((c) => WARNING_RGBA[c]);

const METRIC_DEFS: readonly MetricDef[] = [
  // First: the default view, and the colours the page's browser test looks for.
  {
    key: 'open',
    kind: 'count',
    breaks: { town: [5, 15, 30, 60], sub: [1, 3, 6, 10] },
    colors: LOAD,
    read: (a) => a.tickets.open,
  },
  {
    key: 'overdue',
    kind: 'count',
    breaks: { town: [1, 3, 6, 10], sub: [1, 2, 3, 5] },
    colors: LOAD,
    read: (a) => a.tickets.overdue,
  },
  // 解决率 and 满意率: the district's targets sit near 90 %, so the classes are narrow at the top.
  {
    key: 'resolutionRate',
    kind: 'rate',
    breaks: same([0.7, 0.8, 0.85, 0.9]),
    colors: QUALITY,
    read: (a, w) => ticketWindow(a.tickets, w).resolutionRate,
  },
  {
    key: 'satisfactionRate',
    kind: 'rate',
    breaks: same([0.8, 0.88, 0.92, 0.96]),
    colors: QUALITY,
    read: (a, w) => ticketWindow(a.tickets, w).satisfactionRate,
  },
  {
    key: 'composite',
    kind: 'rate',
    breaks: same([0.6, 0.7, 0.8, 0.9]),
    colors: QUALITY,
    read: (a, w) => ticketWindow(a.tickets, w).composite,
  },
  // Flood: the worst warning colour among the area's checkpoints; an area without one has no data.
  {
    key: 'flood',
    kind: 'warning',
    breaks: same([1, 2, 3, 4]),
    colors: FLOOD_COLORS,
    read: (a) => (a.flood.checkpoints > 0 ? WARNING_ORDER.indexOf(a.flood.worstColor) : null),
  },
  // Share of forest sub-cells walked today; areas without forest have no data.
  {
    key: 'coverage',
    kind: 'rate',
    breaks: same([0.2, 0.4, 0.6, 0.8]),
    colors: QUALITY,
    read: (a) => a.patrol.coverageToday,
  },
];

const bind = ({ read, ...def }: MetricDef, window: RateWindow): Metric => ({
  ...def,
  window,
  value: (a) => read(a, window),
});
/** The metrics in the default window (the month). */
export const METRICS: readonly Metric[] = METRIC_DEFS.map((m) => bind(m, DEFAULT_RATE_WINDOW));
/** One bound metric per key and window, so that a metric keeps its identity across renders. */
const BOUND = new Map<string, Metric>();
/** Every URL metric key has a metric (checked by the unit test against METRIC_KEYS). */
export function metricOf(key: MetricKey, window: RateWindow = DEFAULT_RATE_WINDOW): Metric {
  const id = `${key}:${window}`;
  let m = BOUND.get(id);
  if (!m) {
    m = bind(METRIC_DEFS.find((d) => d.key === key) ?? METRIC_DEFS[0]!, window);
    BOUND.set(id, m);
  }
  return m;
}
export const ALL_METRIC_KEYS = METRIC_KEYS;

export function breaksOf(metric: Metric, level: AreaLevel): readonly number[] {
  return level === 'town' || level === 'district' ? metric.breaks.town : metric.breaks.sub;
}

export function classOf(breaks: readonly number[], v: number): number {
  let i = 0;
  while (i < breaks.length && v >= breaks[i]!) i++;
  return i;
}

/** Class colours in a theme: counts take the desk's own ramp (its lightest class must not be navy). */
export function colorsOf(metric: Metric, theme: ThemeName): readonly Rgba[] {
  return metric.colors === LOAD ? LAYER_THEMES[theme].load : metric.colors;
}

/** A choropleth colour (opaque: rivers and borders are drawn above the areas, interleaved). */
export function colorOf(metric: Metric, level: AreaLevel, v: number | null, theme: ThemeName = 'wall'): Rgba {
  return v === null ? LAYER_THEMES[theme].noData : colorsOf(metric, theme)[classOf(breaksOf(metric, level), v)]!;
}

export interface LegendFormat {
  count(n: number): string;
  percent(r: number): string;
  warning(c: WarningColor): string;
  noData: string;
}

export interface LegendRow {
  color: Rgba;
  label: string;
}

/** Legend rows: the range of each class in the metric's unit, then the no-data grey. */
export function legendOf(metric: Metric, level: AreaLevel, theme: ThemeName, f: LegendFormat): LegendRow[] {
  const colors = colorsOf(metric, theme);
  const rows: LegendRow[] =
    metric.kind === 'warning'
      ? WARNING_ORDER.map((c, i) => ({ color: colors[i]!, label: f.warning(c) }))
      : colors.map((color, i) => ({ color, label: rangeLabel(metric, breaksOf(metric, level), i, f) }));
  rows.push({ color: LAYER_THEMES[theme].noData, label: f.noData });
  return rows;
}

function rangeLabel(metric: Metric, b: readonly number[], i: number, f: LegendFormat): string {
  if (metric.kind === 'count') {
    // Counts are integers: "3–5" reads better than "3 – 6" with an exclusive end.
    if (i === 0) return b[0] === 1 ? f.count(0) : `< ${f.count(b[0]!)}`;
    if (i === b.length) return `≥ ${f.count(b[i - 1]!)}`;
    const lo = b[i - 1]!;
    const hi = b[i]! - 1;
    return lo === hi ? f.count(lo) : `${f.count(lo)}–${f.count(hi)}`;
  }
  if (i === 0) return `< ${f.percent(b[0]!)}`;
  if (i === b.length) return `≥ ${f.percent(b[i - 1]!)}`;
  return `${f.percent(b[i - 1]!)}–${f.percent(b[i]!)}`;
}
