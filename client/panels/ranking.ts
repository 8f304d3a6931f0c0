// The ranking's order: the areas of the current level, worst first, by the metric the map shows. A town leader
// reads the top of the list as "where to look first", so what is worst depends on the metric: most open or
// overdue tickets, lowest rates, highest flood colour, least patrol coverage. Areas without data go last: an
// area nobody rated is not the best nor the worst, it is unknown. A rate resting on fewer tickets than the floor
// (a village with one rating) is shown but not ranked: it goes after the ranked areas, marked.
import { WARNING_ORDER, type AreaKey } from '../../server/contract/areas';
import {
  compositeSample,
  DEFAULT_MIN_RATE_SAMPLE,
  DEFAULT_RATE_WINDOW,
  ticketWindow,
  type AreaAggregate,
  type RateWindow,
} from '../../server/contract/live';
import type { Direction, TreatedTown, TreatmentPair } from '../../server/contract/treatment';
import type { MetricKey } from '../view/url';

/** How a metric's value reads: a count, a share 0..1, or a warning colour's rank (0 none … 4 red). */
export type RankKind = 'count' | 'rate' | 'color';

export interface RankMeasure {
  kind: RankKind;
  /** True when a higher value is worse (counts, colours); false for rates and coverage. */
  higherIsWorse: boolean;
  /** The value in a rate window (counts, colours and coverage have no window and ignore it). */
  value(a: AreaAggregate, window: RateWindow): number | null;
  /** Ticket rates only: how many tickets the value rests on, which the ranking's floor applies to. */
  sample?(a: AreaAggregate, window: RateWindow): number;
}

const win = (a: AreaAggregate, w: RateWindow) => ticketWindow(a.tickets, w);

export const RANK_MEASURES: Readonly<Record<MetricKey, RankMeasure>> = {
  open: { kind: 'count', higherIsWorse: true, value: (a) => a.tickets.open },
  overdue: { kind: 'count', higherIsWorse: true, value: (a) => a.tickets.overdue },
  resolutionRate: {
    kind: 'rate',
    higherIsWorse: false,
    value: (a, w) => win(a, w).resolutionRate,
    sample: (a, w) => win(a, w).sample.resolution,
  },
  satisfactionRate: {
    kind: 'rate',
    higherIsWorse: false,
    value: (a, w) => win(a, w).satisfactionRate,
    sample: (a, w) => win(a, w).sample.satisfaction,
  },
  // The composite leans on both verdicts and ratings: it is as thin as the thinner of the two.
  composite: {
    kind: 'rate',
    higherIsWorse: false,
    value: (a, w) => win(a, w).composite,
    sample: (a, w) => compositeSample(win(a, w).sample),
  },
  flood: { kind: 'color', higherIsWorse: true, value: (a) => WARNING_ORDER.indexOf(a.flood.worstColor) },
  coverage: { kind: 'rate', higherIsWorse: false, value: (a) => a.patrol.coverageToday },
};

export interface RankRow {
  key: AreaKey;
  name: string;
  /** 1 for the worst; null for an area without data. */
  rank: number | null;
  value: number | null;
  /** Bar length 0..1: the count against the largest, the rate itself, the colour against red. */
  bar: number;
  /** Shown beside the value: the overdue tickets of an area (the duty officer's second question). */
  overdue: number | null;
  /** Ticket rates: the tickets the value rests on (null for other metrics or without an aggregate). */
  sample: number | null;
  /** Under the floor: shown, not ranked. */
  thin: boolean;
  /**
   * 未诉先办 in the rate window: the share of the window's new tickets a grid worker raised first (null when none
   * was created) and `created`, the new tickets it rests on; null without an aggregate. A column, not an order.
   */
  proactive: { share: number | null; created: number } | null;
}

export interface RankOptions {
  /** The rate window (default: the month). */
  window?: RateWindow;
  /** Fewest tickets a rate must rest on to be ranked (default DEFAULT_MIN_RATE_SAMPLE); 0 ranks every rate. */
  minSample?: number;
}

/**
 * The rows of `keys` ranked worst first by `metric`. Ties go to the area with more overdue, then more open
 * tickets, then by name, so the order does not flicker between equal areas. An area with no aggregate yet
 * has no data. Rates under the floor follow the ranked rows, in the same order among themselves.
 */
export function rankAreas(
  keys: readonly AreaKey[],
  aggregateOf: (key: AreaKey) => AreaAggregate | undefined,
  metric: MetricKey,
  nameOf: (key: AreaKey) => string,
  options: RankOptions = {},
): RankRow[] {
  const measure = RANK_MEASURES[metric];
  const window = options.window ?? DEFAULT_RATE_WINDOW;
  const floor = options.minSample ?? DEFAULT_MIN_RATE_SAMPLE;
  const rows = keys.map((key) => {
    const a = aggregateOf(key);
    const value = a ? measure.value(a, window) : null;
    const sample = a && measure.sample ? measure.sample(a, window) : null;
    return { key, name: nameOf(key), a, value, sample, thin: value !== null && sample !== null && sample < floor };
  });
  const sign = measure.higherIsWorse ? -1 : 1;
  rows.sort((x, y) => {
    // Ranked rows, then the thin ones, then those without data.
    const group = (r: typeof x) => (r.value === null ? 2 : r.thin ? 1 : 0);
    if (group(x) !== group(y)) return group(x) - group(y);
    if (x.value === null || y.value === null) {
      if (x.value !== y.value) return x.value === null ? 1 : -1;
    } else if (x.value !== y.value) {
      return sign * (x.value - y.value);
    }
    return (
      (y.a?.tickets.overdue ?? 0) - (x.a?.tickets.overdue ?? 0) ||
      (y.a?.tickets.open ?? 0) - (x.a?.tickets.open ?? 0) ||
      x.name.localeCompare(y.name, 'zh-CN')
    );
  });
  const max = rows.reduce((m, r) => (r.value !== null && r.value > m ? r.value : m), 0);
  const barOf = (v: number | null): number => {
    if (v === null) return 0;
    if (measure.kind === 'rate') return Math.min(1, Math.max(0, v));
    if (measure.kind === 'color') return v / (WARNING_ORDER.length - 1);
    return max > 0 ? v / max : 0;
  };
  let ranked = 0;
  return rows.map((r) => {
    const ranks = r.value !== null && !r.thin;
    if (ranks) ranked++;
    return {
      key: r.key,
      name: r.name,
      rank: ranks ? ranked : null,
      value: r.value,
      bar: barOf(r.value),
      overdue: r.a ? r.a.tickets.overdue : null,
      sample: r.sample,
      thin: r.thin,
      proactive: r.a ? proactiveOf(r.a, window) : null,
    };
  });
}

/** 未诉先办 of an area in a rate window: the share of the window's new tickets raised by grid workers, with its sample. */
export function proactiveOf(a: AreaAggregate, window: RateWindow): { share: number | null; created: number } {
  const w = ticketWindow(a.tickets, window);
  return { share: w.created > 0 ? w.proactive / w.created : null, created: w.created };
}

const ARROW: Record<Exclude<Direction, null>, string> = { up: '↑', same: '→', down: '↓' };

/**
 * A 治理类 town's 三升四降 pair in four marks: response, resolution and satisfaction rates, then the volume
 * (↑ up, → held, ↓ down, · not compared); met: the three rates up and the volume down.
 */
export function pairMarks(pair: TreatmentPair): string {
  return [pair.response, pair.resolution, pair.satisfaction, pair.volume]
    .map((d) => (d === null ? '·' : ARROW[d]))
    .join('');
}

/** The treated towns by key, for the rows of the ranking. */
export const treatedByKey = (towns: readonly TreatedTown[]): ReadonlyMap<AreaKey, TreatedTown> =>
  new Map(towns.map((t) => [t.key, t]));
