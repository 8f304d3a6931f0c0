// The detail panel's trend charts (client/charts/trends*.ts): which charts an area gets, the stack of
// categories per day, rates with gaps where a week had no data, flood lines broken where a gauge went silent
// and the warning levels as mark lines, coverage shares per cluster.
import { describe, expect, it } from 'vitest';
import type { AreaTrends } from '../../server/contract/trends';
import { floodLine, stackCategories, trendCharts } from '../../client/charts/trends';
import {
  categoryCss,
  coverageOption,
  floodOption,
  ratesPerWeekOption,
  ticketsPerDayOption,
} from '../../client/charts/trends-options';
import type { ChartPalette } from '../../client/charts/palette';

const P: ChartPalette = {
  text: '#fff',
  textDim: '#aaa',
  border: '#333',
  accent: '#fc0',
  created: '#f90',
  closed: '#0c6',
};
const TEN = 600_000;
const T0 = Date.parse('2026-07-20T20:00:00+08:00');
const thresholds = { blue: 19.6, yellow: 20.1, orange: 20.6, red: 21.1 };

type Series = {
  name?: string;
  data: unknown[];
  stack?: string;
  markLine?: { data: { yAxis: number; name: string }[] };
};
const series = (o: object) => (o as { series: Series[] }).series;

const days: AreaTrends['days'] = [
  { day: '2026-07-18', created: 3, closed: 0, byCategory: { noise: 1, e_bike: 2 } },
  { day: '2026-07-19', created: 0, closed: 1, byCategory: {} },
  { day: '2026-07-20', created: 4, closed: 2, byCategory: { e_bike: 1, road: 3 } },
];

describe('trendCharts', () => {
  it('gives every area its tickets and rates, and flood and coverage only where there is something to chart', () => {
    const none = { flood: { from: '', to: '', bucketMs: TEN, checkpoints: [] }, coverage: [] };
    expect(trendCharts(none)).toEqual(['ticketsPerDay', 'ratesPerWeek']);
    const cp = { checkpointId: 'cp', name: '站', thresholds, points: [] };
    const cl = { clusterId: 'f', name: '林区', subcells: 10, days: [] };
    expect(trendCharts({ ...none, flood: { ...none.flood, checkpoints: [cp] }, coverage: [cl] })).toEqual([
      'ticketsPerDay',
      'ratesPerWeek',
      'flood',
      'coverage',
    ]);
  });
});

describe('ticketsPerDayOption', () => {
  it('stacks one bar series per category that had tickets, largest first, with zeros on empty days', () => {
    expect(stackCategories(days)).toEqual(['e_bike', 'road', 'noise']);
    const o = ticketsPerDayOption(days, P, { category: (c) => `cat:${c}`, day: (d) => d.slice(5) });
    const s = series(o);
    expect(s.map((x) => x.name)).toEqual(['cat:e_bike', 'cat:road', 'cat:noise']);
    expect(s.every((x) => x.stack === 'tickets')).toBe(true);
    expect(s[0]!.data).toEqual([2, 0, 1]);
    expect(s[1]!.data).toEqual([0, 0, 3]);
    // Each day's stack adds up to the day's new tickets.
    for (let i = 0; i < days.length; i++)
      expect(s.reduce((n, x) => n + (x.data[i] as number), 0)).toBe(days[i]!.created);
    expect((o as { xAxis: { data: string[] } }).xAxis.data).toEqual(['07-18', '07-19', '07-20']);
  });

  it('colours the categories of one family in one hue, told apart by lightness', () => {
    // e_bike and charging_pile are both "safety"; road is "traffic".
    expect(categoryCss('e_bike')).not.toBe(categoryCss('charging_pile'));
    expect(categoryCss('safety_hazard')).toBe('rgb(240, 80, 60)');
  });
});

describe('ratesPerWeekOption', () => {
  it('draws the three rates per week and leaves a week without data as a gap, not as 0 %', () => {
    const weeks: AreaTrends['weeks'] = [
      {
        from: '2026-07-07',
        to: '2026-07-13',
        created: 2,
        closed: 1,
        responseRate: 1,
        resolutionRate: null,
        satisfactionRate: null,
        composite: 1,
      },
      {
        from: '2026-07-14',
        to: '2026-07-20',
        created: 4,
        closed: 3,
        responseRate: 0.5,
        resolutionRate: 2 / 3,
        satisfactionRate: 0.5,
        composite: 0.57,
      },
    ];
    const o = ratesPerWeekOption(weeks, P, {
      responseRate: '响应率',
      resolutionRate: '解决率',
      satisfactionRate: '满意率',
      week: (f, t) => `${f}~${t}`,
    });
    const s = series(o);
    expect(s.map((x) => x.name)).toEqual(['响应率', '解决率', '满意率']);
    expect(s[0]!.data).toEqual([1, 0.5]);
    expect(s[1]!.data).toEqual([null, 2 / 3]);
    expect((o as { yAxis: { min: number; max: number } }).yAxis).toMatchObject({ min: 0, max: 1 });
    expect((o as { xAxis: { data: string[] } }).xAxis.data[1]).toBe('2026-07-14~2026-07-20');
  });
});

describe('floodOption', () => {
  const flood = (n: number): AreaTrends['flood'] => ({
    from: new Date(T0 - 3600_000).toISOString(),
    to: new Date(T0 + 3 * 3600_000).toISOString(),
    bucketMs: TEN,
    checkpoints: Array.from({ length: n }, (_, i) => ({
      checkpointId: `cp-${i}`,
      name: `站${i}`,
      thresholds,
      points: [
        [T0, 19.5 + i],
        [T0 + TEN, 19.9 + i],
        [T0 + 6 * TEN, 20.3 + i],
      ] as [number, number][],
    })),
  });

  it('breaks a line where the gauge was silent for more than three buckets', () => {
    expect(floodLine(flood(1).checkpoints[0]!.points, TEN)).toEqual([
      [T0, 19.5],
      [T0 + TEN, 19.9],
      [T0 + 2 * TEN, null],
      [T0 + 6 * TEN, 20.3],
    ]);
    expect(
      floodLine(
        [
          [T0, 1],
          [T0 + 3 * TEN, 2],
        ],
        TEN,
      ),
    ).toEqual([
      [T0, 1],
      [T0 + 3 * TEN, 2],
    ]);
  });

  it('marks the four warning levels of a single checkpoint, and none when several share the chart', () => {
    const one = floodOption(flood(1), P, { warning: (w) => `w:${w}`, time: String });
    const marks = series(one)[0]!.markLine!.data;
    expect(marks.map((m) => [m.name, m.yAxis])).toEqual([
      ['w:blue', 19.6],
      ['w:yellow', 20.1],
      ['w:orange', 20.6],
      ['w:red', 21.1],
    ]);
    // The highest reading is on the chart, and the warning lines near it too.
    const y = (one as { yAxis: { min: number; max: number } }).yAxis;
    expect(y.max).toBeGreaterThanOrEqual(20.6);
    expect(y.min).toBeLessThanOrEqual(19.5);
    const two = floodOption(flood(2), P, { warning: (w) => w, time: String });
    expect(series(two)).toHaveLength(2);
    expect(series(two).every((s) => s.markLine === undefined)).toBe(true);
    expect((two as { xAxis: { type: string; min: number } }).xAxis).toMatchObject({ type: 'time', min: T0 - 3600_000 });
  });
});

describe('coverageOption', () => {
  it('draws each cluster’s daily share', () => {
    const coverage: AreaTrends['coverage'] = [
      {
        clusterId: 'f1',
        name: '一号林区',
        subcells: 4,
        days: [
          { day: '2026-07-19', visited: 1, share: 0.25 },
          { day: '2026-07-20', visited: 2, share: 0.5 },
        ],
      },
      {
        clusterId: 'f2',
        name: '二号林区',
        subcells: 2,
        days: [
          { day: '2026-07-19', visited: 0, share: 0 },
          { day: '2026-07-20', visited: 2, share: 1 },
        ],
      },
    ];
    const o = coverageOption(coverage, P, { day: (d) => d.slice(5) });
    expect(series(o).map((s) => [s.name, s.data])).toEqual([
      ['一号林区', [0.25, 0.5]],
      ['二号林区', [0, 1]],
    ]);
    expect((o as { xAxis: { data: string[] } }).xAxis.data).toEqual(['07-19', '07-20']);
  });
});
