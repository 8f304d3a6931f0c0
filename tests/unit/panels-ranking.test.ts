// The ranking a town leader reads as "where to look first": worst first by the map's metric, no data last.
import { describe, expect, it } from 'vitest';
import type { AreaKey, WarningColor } from '../../server/contract/areas';
import type { AreaAggregate, Rate } from '../../server/contract/live';
import { pairMarks, rankAreas, treatedByKey } from '../../client/panels/ranking';
import { longWindows, NO_SAMPLE } from '../helpers/kpis';

interface Shape {
  open?: number;
  overdue?: number;
  resolutionRate?: Rate;
  composite?: Rate;
  worstColor?: WarningColor;
  coverage?: Rate;
  /** Verdicts and ratings behind the month's rates (default 20, above the floor). */
  sample?: number;
  /** Today's rates, when a test tells the windows apart (default: the month's). */
  today?: { resolutionRate: Rate; sample: number };
  /** 未诉先办: the long windows' new tickets and those a grid worker raised; today's. */
  month?: { created: number; proactive: number };
  newToday?: { created: number; proactive: number };
}

function agg(key: AreaKey, s: Shape): AreaAggregate {
  return {
    key,
    level: 'town',
    tickets: {
      open: s.open ?? 0,
      newToday: s.newToday?.created ?? 0,
      closedToday: 0,
      overdue: s.overdue ?? 0,
      nearDeadline: 0,
      byCategory: {},
      responseRate: null,
      resolutionRate: s.today ? s.today.resolutionRate : (s.resolutionRate ?? null),
      satisfactionRate: null,
      composite: s.composite ?? null,
      proactiveToday: s.newToday?.proactive ?? 0,
      rolling24h: {
        proactive: 0,
        created: 0,
        closed: 0,
        responseRate: null,
        resolutionRate: null,
        satisfactionRate: null,
        composite: null,
        sample: NO_SAMPLE,
      },
      sample: s.today ? { response: 0, resolution: s.today.sample, satisfaction: s.today.sample } : NO_SAMPLE,
      ...longWindows({
        resolutionRate: s.resolutionRate ?? null,
        composite: s.composite ?? null,
        sample: { response: 0, resolution: s.sample ?? 20, satisfaction: s.sample ?? 20 },
        ...(s.month ?? {}),
      }),
    },
    flood: {
      worstColor: s.worstColor ?? 'none',
      inWarning: 0,
      checkpoints: 0,
      obstructionsOpen: 0,
      responseLevel: 'none',
    },
    patrol: {
      activeRangers: 0,
      lastPatrolAt: null,
      coverageToday: s.coverage ?? null,
      openIncidents: 0,
      lostSignal: 0,
    },
    zeroComplaintDays: 0,
  };
}

const NAMES: Record<string, string> = {
  'town:a': '玉桥街道',
  'town:b': '张家湾镇',
  'town:c': '宋庄镇',
  'town:d': '西集镇',
};
const nameOf = (k: AreaKey) => NAMES[k] ?? k;
const KEYS = Object.keys(NAMES) as AreaKey[];

function rank(
  metric: Parameters<typeof rankAreas>[2],
  shapes: Record<string, Shape | undefined>,
  options?: Parameters<typeof rankAreas>[4],
) {
  const m = new Map(Object.entries(shapes).flatMap(([k, s]) => (s ? [[k, agg(k as AreaKey, s)] as const] : [])));
  return rankAreas(KEYS, (k) => m.get(k), metric, nameOf, options);
}

describe('rankAreas', () => {
  it('carries 未诉先办 of the chosen window with the new tickets it rests on, and orders nothing by it', () => {
    const m = new Map<AreaKey, AreaAggregate>([
      [
        'town:a',
        agg('town:a', { open: 9, month: { created: 40, proactive: 10 }, newToday: { created: 4, proactive: 3 } }),
      ],
      ['town:b', agg('town:b', { open: 3, month: { created: 0, proactive: 0 } })],
      ['town:c', agg('town:c', { open: 5, month: { created: 8, proactive: 8 } })],
    ]);
    const rows = rankAreas(KEYS, (k) => m.get(k), 'open', nameOf, { window: 'month' });
    // By open tickets, as before; the column rides along.
    expect(rows.map((r) => r.key)).toEqual(['town:a', 'town:c', 'town:b', 'town:d']);
    expect(rows.map((r) => r.proactive)).toEqual([
      { share: 0.25, created: 40 },
      { share: 1, created: 8 },
      { share: null, created: 0 },
      null,
    ]);
    const today = rankAreas(KEYS, (k) => m.get(k), 'open', nameOf, { window: 'today' });
    expect(today[0]!.proactive).toEqual({ share: 0.75, created: 4 });
  });

  it('puts the area with most open tickets first, with bars against the largest', () => {
    const rows = rank('open', {
      'town:a': { open: 10 },
      'town:b': { open: 40 },
      'town:c': { open: 20 },
      'town:d': { open: 0 },
    });
    expect(rows.map((r) => r.key)).toEqual(['town:b', 'town:c', 'town:a', 'town:d']);
    expect(rows.map((r) => r.rank)).toEqual([1, 2, 3, 4]);
    expect(rows[0]!.bar).toBe(1);
    expect(rows[1]!.bar).toBe(0.5);
    expect(rows[3]!.bar).toBe(0);
  });

  it('ranks rates lowest first and leaves areas without data last, unranked', () => {
    const rows = rank('resolutionRate', {
      'town:a': { resolutionRate: 0.95 },
      'town:b': { resolutionRate: null, open: 99 },
      'town:c': { resolutionRate: 0.62 },
      'town:d': undefined, // no aggregate yet
    });
    expect(rows.map((r) => r.key)).toEqual(['town:c', 'town:a', 'town:b', 'town:d']);
    expect(rows.map((r) => r.rank)).toEqual([1, 2, null, null]);
    expect(rows[0]!.bar).toBeCloseTo(0.62);
    expect(rows[2]!.value).toBeNull();
    expect(rows[3]!.overdue).toBeNull();
  });

  it('breaks ties by overdue, then open tickets, then name, so equal areas do not swap places', () => {
    const rows = rank('composite', {
      'town:a': { composite: 0.8, overdue: 1, open: 5 },
      'town:b': { composite: 0.8, overdue: 3, open: 1 },
      'town:c': { composite: 0.8, overdue: 1, open: 9 },
      'town:d': { composite: 0.8, overdue: 1, open: 5 },
    });
    // 西集镇 (xī) sorts before 玉桥街道 (yù) in Chinese order.
    expect(rows.map((r) => r.key)).toEqual(['town:b', 'town:c', 'town:d', 'town:a']);
  });

  it('ranks flood by the worst colour and patrol coverage lowest first', () => {
    const flood = rank('flood', {
      'town:a': { worstColor: 'yellow' },
      'town:b': { worstColor: 'red' },
      'town:c': {},
      'town:d': { worstColor: 'blue' },
    });
    expect(flood.map((r) => r.key)).toEqual(['town:b', 'town:a', 'town:d', 'town:c']);
    expect(flood[0]!.bar).toBe(1);
    const coverage = rank('coverage', {
      'town:a': { coverage: 0.4 },
      'town:b': {},
      'town:c': { coverage: 0.1 },
      'town:d': { coverage: 0.9 },
    });
    expect(coverage.map((r) => r.key)).toEqual(['town:c', 'town:a', 'town:d', 'town:b']);
  });

  it('shows a rate on fewer tickets than the floor but does not rank it: after the ranked, before no data', () => {
    const shapes = {
      'town:a': { resolutionRate: 0.9, sample: 40 },
      'town:b': { resolutionRate: 0, sample: 1 }, // one verdict, unresolved: not the worst of the district
      'town:c': { resolutionRate: 0.7, sample: 10 }, // exactly the floor: ranked
      'town:d': { resolutionRate: null, sample: 0 },
    };
    const rows = rank('resolutionRate', shapes);
    expect(rows.map((r) => r.key)).toEqual(['town:c', 'town:a', 'town:b', 'town:d']);
    expect(rows.map((r) => r.rank)).toEqual([1, 2, null, null]);
    expect(rows.map((r) => r.thin)).toEqual([false, false, true, false]);
    expect(rows.map((r) => r.sample)).toEqual([10, 40, 1, 0]);
    expect(rows[2]!.value).toBe(0);
    // A deployment's own floor: 0 ranks every rate, 50 ranks none.
    expect(rank('resolutionRate', shapes, { minSample: 0 }).map((r) => r.rank)).toEqual([1, 2, 3, null]);
    expect(rank('resolutionRate', shapes, { minSample: 50 }).every((r) => r.rank === null)).toBe(true);
    // Counts have no sample and no floor.
    expect(rank('open', { 'town:a': { open: 1 } }).find((r) => r.key === 'town:a')).toMatchObject({
      rank: 1,
      thin: false,
      sample: null,
    });
  });

  it('reads the rates in the window asked for: the month by default, today on request', () => {
    const shapes = {
      'town:a': { resolutionRate: 0.95, today: { resolutionRate: 0.5, sample: 12 } },
      'town:b': { resolutionRate: 0.6, today: { resolutionRate: 1, sample: 12 } },
    };
    expect(rank('resolutionRate', shapes)[0]!.key).toBe('town:b');
    expect(rank('resolutionRate', shapes, { window: 'today' })[0]!.key).toBe('town:a');
  });
});

describe('the 治理类 tag of a ranked town', () => {
  it('marks the pair in the order response, resolution, satisfaction, volume', () => {
    const month = {
      from: '2025-08-01',
      to: '2025-08-11',
      responseRate: null,
      resolutionRate: null,
      satisfactionRate: null,
      sample: NO_SAMPLE,
      days: 0,
      created: 0,
      perDay: null,
    };
    const pair = { month, previous: month, met: false } as const;
    expect(pairMarks({ ...pair, response: 'up', resolution: 'same', satisfaction: null, volume: 'down' })).toBe('↑→·↓');
    expect(pairMarks({ ...pair, response: 'down', resolution: 'up', satisfaction: 'up', volume: 'up' })).toBe('↓↑↑↑');
    const towns = treatedByKey([
      {
        key: 'town:110112105',
        name: '张家湾镇',
        since: '2019-07-01',
        pair: { ...pair, response: null, resolution: null, satisfaction: null, volume: null },
      },
    ]);
    expect(towns.get('town:110112105')?.since).toBe('2019-07-01');
    expect(towns.has('town:110112104')).toBe(false);
  });
});
