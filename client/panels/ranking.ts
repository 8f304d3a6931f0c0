// The ranking's order: the areas of the current level, worst first, by the metric the map shows. A town leader
// reads the top of the list as "where to look first", so what is worst depends on the metric: most open or
// overdue tickets, lowest rates, highest flood colour, least patrol coverage. Areas without data go last: an
// area nobody rated is not the best nor the worst, it is unknown.
import { WARNING_ORDER, type AreaKey } from '../../server/contract/areas';
import type { AreaAggregate } from '../../server/contract/live';
import type { MetricKey } from '../view/url';

/** How a metric's value reads: a count, a share 0..1, or a warning colour's rank (0 none … 4 red). */
export type RankKind = 'count' | 'rate' | 'color';

export interface RankMeasure {
  kind: RankKind;
  /** True when a higher value is worse (counts, colours); false for rates and coverage. */
  higherIsWorse: boolean;
  value(a: AreaAggregate): number | null;
}

export const RANK_MEASURES: Readonly<Record<MetricKey, RankMeasure>> = {
  open: { kind: 'count', higherIsWorse: true, value: (a) => a.tickets.open },
  overdue: { kind: 'count', higherIsWorse: true, value: (a) => a.tickets.overdue },
  resolutionRate: { kind: 'rate', higherIsWorse: false, value: (a) => a.tickets.resolutionRate },
  satisfactionRate: { kind: 'rate', higherIsWorse: false, value: (a) => a.tickets.satisfactionRate },
  composite: { kind: 'rate', higherIsWorse: false, value: (a) => a.tickets.composite },
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
}

/**
 * The rows of `keys` ranked worst first by `metric`. Ties go to the area with more overdue, then more open
 * tickets, then by name, so the order does not flicker between equal areas. An area with no aggregate yet
 * has no data.
 */
export function rankAreas(
  keys: readonly AreaKey[],
  aggregateOf: (key: AreaKey) => AreaAggregate | undefined,
  metric: MetricKey,
  nameOf: (key: AreaKey) => string,
): RankRow[] {
  const measure = RANK_MEASURES[metric];
  const rows = keys.map((key) => {
    const a = aggregateOf(key);
    return { key, name: nameOf(key), a, value: a ? measure.value(a) : null };
  });
  const sign = measure.higherIsWorse ? -1 : 1;
  rows.sort((x, y) => {
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
    if (r.value !== null) ranked++;
    return {
      key: r.key,
      name: r.name,
      rank: r.value !== null ? ranked : null,
      value: r.value,
      bar: barOf(r.value),
      overdue: r.a ? r.a.tickets.overdue : null,
    };
  });
}
