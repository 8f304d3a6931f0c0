// The map's layer factories without WebGL: each builds a deck.gl layer whose props are read here (ids,
// accessors, updateTriggers), and the colour scales and class breaks behind them.
import { describe, expect, it } from 'vitest';
import type { AreaKey, AreaLevel, WarningColor } from '../../server/contract/areas';
import { TICKET_CATEGORIES, type TicketCategory } from '../../server/contract/events';
import type { AreaAggregate, CheckpointObject, RangerObject, TicketObject } from '../../server/contract/live';
import type { PatrolVisited } from '../../server/contract/patrol';
import { matchesTicket, NO_FILTER, type TicketFilter } from '../../client/view/ticket-filter';
import { METRIC_KEYS } from '../../client/view/url';
import { breaksOf, classOf, colorOf, legendOf, METRICS, metricOf, type LegendFormat } from '../../client/map/metrics';
import {
  categoryColor,
  FAMILY_OF,
  FAMILY_RGBA,
  LAYER_THEMES,
  LOAD,
  RANGER_RGBA,
  WARNING_RGBA,
} from '../../client/map/palette';
import {
  areasInScope,
  bordersOf,
  createChoroplethLayer,
  createSelectedAreaLayer,
  type AreaFeature,
} from '../../client/map/layers/choropleth';
import {
  createTicketHeatmapLayer,
  createTicketLayer,
  createTicketPulseLayer,
  changedTicketRows,
  heatWeight,
  overdueOf,
  pulseAt,
  ticketsOf,
} from '../../client/map/layers/tickets';
import {
  checkpointRadius,
  checkpointSitesOf,
  createCheckpointLayer,
  createCheckpointLevelLayer,
  levelText,
  type CheckpointSite,
} from '../../client/map/layers/checkpoints';
import {
  createRangerLayer,
  createRangerTrailLayer,
  rangerColor,
  TRAIL_MS,
  trailAlpha,
  trailPiecesOf,
  trailsOf,
} from '../../client/map/layers/rangers';
import { createCoverageLayer, visitedSquaresOf } from '../../client/map/layers/coverage';
import { riverLabelsOf } from '../../client/map/layers/labels';
import { isShown, kindOfLayerId, LAYER_REGISTRY, pickedOf } from '../../client/map/layers/registry';
import { createSelectedObjectLayer } from '../../client/map/layers/selection';
import { layerHandover } from '../../client/map/layers/handover';
import { Layer, LayerManager } from '@deck.gl/core';
import { longWindows, NO_SAMPLE } from '../helpers/kpis';

// ---- fixtures ----

function aggregate(
  key: AreaKey,
  over: {
    open?: number;
    overdue?: number;
    resolutionRate?: number | null;
    worst?: WarningColor;
    checkpoints?: number;
    coverage?: number | null;
  } = {},
): AreaAggregate {
  const level = key.slice(0, key.indexOf(':')) as AreaLevel;
  const rates = {
    responseRate: null,
    resolutionRate: over.resolutionRate ?? null,
    satisfactionRate: null,
    composite: null,
  };
  return {
    key,
    level,
    tickets: {
      open: over.open ?? 0,
      newToday: 0,
      closedToday: 0,
      overdue: over.overdue ?? 0,
      nearDeadline: 0,
      byCategory: {},
      ...rates,
      sample: NO_SAMPLE,
      proactiveToday: 0,
      rolling24h: { proactive: 0, created: 0, closed: 0, ...rates, sample: NO_SAMPLE },
      ...longWindows(rates),
    },
    flood: {
      worstColor: over.worst ?? 'none',
      inWarning: 0,
      checkpoints: over.checkpoints ?? 0,
      obstructionsOpen: 0,
      responseLevel: 'none',
    },
    patrol: {
      activeRangers: 0,
      lastPatrolAt: null,
      coverageToday: over.coverage ?? null,
      openIncidents: 0,
      lostSignal: 0,
    },
    zeroComplaintDays: 0,
  };
}

const square = (x: number, y: number) => ({
  type: 'Polygon' as const,
  coordinates: [
    [
      [x, y],
      [x + 0.01, y],
      [x + 0.01, y + 0.01],
      [x, y + 0.01],
      [x, y],
    ],
  ],
});
const cell = (id: string, townId: string): AreaFeature => ({
  type: 'Feature',
  properties: { id, townId },
  geometry: square(116.7, 39.8),
});

let ticketNo = 0;
function ticket(over: Partial<TicketObject> = {}): TicketObject {
  ticketNo++;
  return {
    id: `T${ticketNo}`,
    category: 'road',
    urgency: 'normal',
    status: 'dispatched',
    title: '道路破损',
    position: [116.7 + ticketNo * 1e-4, 39.9],
    place: { townId: '110112004', gridId: 'g-1' },
    createdAt: '2025-07-20T08:00:00+08:00',
    responseDueAt: '2025-07-20T10:00:00+08:00',
    resolveDueAt: '2025-07-23T08:00:00+08:00',
    overdue: false,
    nearDeadline: false,
    escalatedTo: [],
    ...over,
  } as TicketObject;
}

function ranger(id: string, trail: [number, number, number][], over: Partial<RangerObject> = {}): RangerObject {
  const last = trail[trail.length - 1] ?? [116.7, 39.9, 0];
  return {
    id,
    patrolId: 'P1',
    clusterId: 'f-1',
    position: [last[0], last[1]],
    trail,
    status: 'patrolling',
    lastSeen: new Date(last[2]).toISOString(),
    signalLost: false,
    battery: 80,
    ...over,
  };
}

const checkpoint = (id: string, color: WarningColor, level: number | null = 20.5): CheckpointObject => ({
  id,
  level,
  rainfall: null,
  trend: 'steady',
  color,
  obstructionStatus: null,
  readingAt: null,
  inspectedAt: null,
});

const FORMAT: LegendFormat = {
  count: String,
  percent: (r) => `${Math.round(r * 100)}%`,
  warning: (c) => `w:${c}`,
  noData: 'n/a',
};

type Accessor<T, R> = (d: T, info?: unknown) => R;
const call = <T, R>(fn: unknown, d: T): R => (fn as Accessor<T, R>)(d, { index: 0, data: [], target: [] });

// ---- metrics and colour scales ----

describe('metrics', () => {
  it('has a metric for every metric key the URL knows, with one colour per class', () => {
    for (const key of METRIC_KEYS) expect(metricOf(key).key).toBe(key);
    for (const m of METRICS) {
      for (const b of [m.breaks.town, m.breaks.sub]) {
        expect(m.colors).toHaveLength(b.length + 1);
        for (let i = 1; i < b.length; i++) expect(b[i]!).toBeGreaterThan(b[i - 1]!);
      }
    }
  });

  it('classes a value by its breaks: the break itself opens the next class', () => {
    const b = [1, 3, 6, 10];
    expect([0, 0.99, 1, 2, 3, 5.9, 6, 10, 500].map((v) => classOf(b, v))).toEqual([0, 0, 1, 1, 2, 2, 3, 4, 4]);
  });

  it('counts use breaks for the size of the area: 8 open tickets is quiet for a town, busy for a grid cell', () => {
    const open = metricOf('open');
    expect(breaksOf(open, 'town')).not.toEqual(breaksOf(open, 'grid'));
    const inTown = colorOf(open, 'town', 8);
    const inCell = colorOf(open, 'grid', 8);
    expect(LOAD.indexOf(inTown)).toBeLessThan(LOAD.indexOf(inCell));
    expect(inCell).toEqual(LOAD[3]);
  });

  it('draws no data in the theme grey, never in a class colour', () => {
    for (const m of METRICS) {
      expect(colorOf(m, 'town', null, 'wall')).toEqual(LAYER_THEMES.wall.noData);
      expect(colorOf(m, 'town', null, 'day')).toEqual(LAYER_THEMES.day.noData);
      expect(m.colors).not.toContainEqual(LAYER_THEMES.wall.noData);
    }
  });

  it('reads each metric from the aggregate; flood and coverage are no data where the area has none', () => {
    const a = aggregate('town:1', {
      open: 12,
      overdue: 2,
      resolutionRate: 0.83,
      worst: 'orange',
      checkpoints: 3,
      coverage: 0.5,
    });
    expect(metricOf('open').value(a)).toBe(12);
    expect(metricOf('overdue').value(a)).toBe(2);
    expect(metricOf('resolutionRate').value(a)).toBe(0.83);
    expect(metricOf('flood').value(a)).toBe(3);
    expect(colorOf(metricOf('flood'), 'town', 3)).toEqual(WARNING_RGBA.orange);
    expect(metricOf('coverage').value(a)).toBe(0.5);
    const bare = aggregate('grid:1');
    expect(metricOf('flood').value(bare)).toBeNull();
    expect(metricOf('coverage').value(bare)).toBeNull();
    expect(metricOf('resolutionRate').value(bare)).toBeNull();
  });

  it('takes the desk ramp for counts on the light theme, and rates keep theirs', () => {
    expect(colorOf(metricOf('open'), 'town', 0, 'day')).toEqual(LAYER_THEMES.day.load[0]);
    expect(colorOf(metricOf('open'), 'town', 0, 'day')).not.toEqual(colorOf(metricOf('open'), 'town', 0, 'wall'));
    expect(colorOf(metricOf('composite'), 'town', 0.95, 'day')).toEqual(
      colorOf(metricOf('composite'), 'town', 0.95, 'wall'),
    );
  });

  it('labels legend classes in the unit of the metric, with the no-data row last', () => {
    const cells = legendOf(metricOf('open'), 'grid', 'wall', FORMAT).map((r) => r.label);
    expect(cells).toEqual(['0', '1–2', '3–5', '6–9', '≥ 10', 'n/a']);
    const towns = legendOf(metricOf('open'), 'town', 'wall', FORMAT).map((r) => r.label);
    expect(towns).toEqual(['< 5', '5–14', '15–29', '30–59', '≥ 60', 'n/a']);
    const rate = legendOf(metricOf('resolutionRate'), 'town', 'wall', FORMAT).map((r) => r.label);
    expect(rate).toEqual(['< 70%', '70%–80%', '80%–85%', '85%–90%', '≥ 90%', 'n/a']);
    const flood = legendOf(metricOf('flood'), 'town', 'wall', FORMAT);
    expect(flood.map((r) => r.label)).toEqual(['w:none', 'w:blue', 'w:yellow', 'w:orange', 'w:red', 'n/a']);
    expect(flood[4]!.color).toEqual(WARNING_RGBA.red);
  });
});

// ---- choropleth ----

describe('choropleth factory', () => {
  const features = [cell('g-1', '110112004'), cell('g-2', '110112004'), cell('g-3', '110112005')];
  const aggregates = new Map<string, AreaAggregate>([
    ['grid:g-1', aggregate('grid:g-1', { open: 0 })],
    ['grid:g-2', aggregate('grid:g-2', { open: 7 })],
  ]);
  const make = (version: number, metric = metricOf('open'), theme: 'wall' | 'day' = 'wall') =>
    createChoroplethLayer({ level: 'grid', features, aggregates, version, metric, theme });

  it('has a stable id per level', () => {
    expect(make(1).id).toBe('choropleth-grid');
    expect(make(2).id).toBe(make(1).id);
    expect(
      createChoroplethLayer({
        level: 'town',
        features,
        aggregates,
        version: 1,
        metric: metricOf('open'),
        theme: 'wall',
      }).id,
    ).toBe('choropleth-town');
  });

  it('starts no colour transition on a delta (deck.gl would read the GPU buffer back and stall the page)', () => {
    for (const level of ['town', 'grid'] as const) {
      const layer = createChoroplethLayer({
        level,
        features,
        aggregates,
        version: 1,
        metric: metricOf('open'),
        theme: 'wall',
      });
      expect(layer.props.transitions ?? {}).not.toHaveProperty('getFillColor');
    }
  });

  it('colours each area by the class of its live value, and areas without an aggregate as no data', () => {
    const getFill = make(1).props.getFillColor;
    expect(call(getFill, features[0])).toEqual(LOAD[0]);
    expect(call(getFill, features[1])).toEqual(LOAD[3]);
    expect(call(getFill, features[2])).toEqual(LAYER_THEMES.wall.noData);
  });

  it('re-colours in place: the fill trigger moves with the aggregates version, the metric and the theme only', () => {
    const trig = (l: ReturnType<typeof make>) => JSON.stringify(l.props.updateTriggers.getFillColor);
    expect(trig(make(1))).toBe(trig(make(1)));
    expect(trig(make(2))).not.toBe(trig(make(1)));
    expect(trig(make(1, metricOf('overdue')))).not.toBe(trig(make(1)));
    expect(trig(make(1, metricOf('open'), 'day'))).not.toBe(trig(make(1)));
    // The geometry is the same array: deck.gl keeps the polygon buffers.
    expect(make(2).props.data).toBe(make(1).props.data);
  });

  it('draws each border once: two cells side by side have 7 pieces of border, not 8; towns have none', () => {
    // Literal corners: the cells of a real grid share their vertices exactly (one source of coordinates).
    const box = (x0: number, x1: number) => ({
      type: 'Polygon' as const,
      coordinates: [
        [
          [x0, 39.8],
          [x1, 39.8],
          [x1, 39.81],
          [x0, 39.81],
          [x0, 39.8],
        ],
      ],
    });
    const pair: AreaFeature[] = [
      { type: 'Feature', properties: { id: 'a' }, geometry: box(116.7, 116.71) },
      { type: 'Feature', properties: { id: 'b' }, geometry: box(116.71, 116.72) },
    ];
    const borders = bordersOf(pair);
    expect(borders).toHaveLength(7);
    const shared = borders.filter((b) => b.from[0] === 116.71 && b.to[0] === 116.71);
    expect(shared).toHaveLength(1);
    expect(bordersOf(pair)).toBe(borders);
    const grid = createChoroplethLayer({
      level: 'grid',
      features: pair,
      aggregates,
      version: 1,
      metric: metricOf('open'),
      theme: 'wall',
    });
    expect(grid.props.borders).toBe(borders);
    expect(grid.props.stroked).toBe(false);
    const towns = createChoroplethLayer({
      level: 'town',
      features: pair,
      aggregates,
      version: 1,
      metric: metricOf('open'),
      theme: 'wall',
    });
    expect(towns.props.borders).toEqual([]);
  });

  it('keeps only the placement areas of the open town', () => {
    const inTown = areasInScope(features, 'grid', ['grid:g-1', 'grid:g-2'] as AreaKey[]);
    expect(inTown.map((f) => f.properties.id)).toEqual(['g-1', 'g-2']);
    expect(areasInScope(features, 'property', ['grid:g-1'] as AreaKey[])).toEqual([]);
  });

  it('outlines the selected area only', () => {
    const sel = createSelectedAreaLayer({ feature: features[1]!, theme: 'day' });
    expect(sel.id).toBe('area-selected');
    expect(sel.props.data).toEqual([features[1]]);
    expect(sel.props.getLineColor).toEqual(LAYER_THEMES.day.selected);
    expect(createSelectedAreaLayer({ feature: null, theme: 'wall' }).props.data).toEqual([]);
  });
});

// ---- tickets ----

describe('ticket factories', () => {
  const tickets = new Map<string, TicketObject>();
  for (const t of [
    ticket({ category: 'road' }),
    ticket({ category: 'heating', overdue: true }),
    ticket({ category: 'waterlogging', place: { townId: '110112005', gridId: 'g-9' } }),
    ticket({ category: 'noise', status: 'in_progress', overdue: true, urgency: 'urgent' }),
    ticket({ category: 'road', place: { townId: '110112004', gridId: 'g-2' } }),
  ]) {
    tickets.set(t.id, t);
  }

  it('shows exactly the tickets the ticket table shows (the same filter)', () => {
    const filters: TicketFilter[] = [
      NO_FILTER,
      { ...NO_FILTER, category: 'road' },
      { ...NO_FILTER, overdue: true },
      { ...NO_FILTER, overdue: false },
      { ...NO_FILTER, area: 'town:110112005' },
      { ...NO_FILTER, area: 'grid:g-2' },
      { ...NO_FILTER, status: 'in_progress' },
    ];
    for (const f of filters) {
      const shown = ticketsOf(tickets, f).map((t) => t.id);
      const expected = [...tickets.values()].filter((t) => matchesTicket(t, f)).map((t) => t.id);
      expect(shown).toEqual(expected);
    }
    expect(ticketsOf(tickets, { ...NO_FILTER, area: 'town:110112005' })).toHaveLength(1);
  });

  it('colours a ticket by its category family, with a stable id', () => {
    const data = ticketsOf(tickets, NO_FILTER);
    const layer = createTicketLayer({ data, theme: 'wall' });
    expect(layer.id).toBe('tickets');
    expect(createTicketLayer({ data: [], theme: 'day' }).id).toBe('tickets');
    for (const t of data) expect(call(layer.props.getFillColor, t)).toEqual(FAMILY_RGBA[FAMILY_OF[t.category]]);
    expect(call(layer.props.getPosition, data[0])).toEqual(data[0]!.position);
    // Urgent tickets are drawn larger.
    const urgent = data.find((t) => t.urgency === 'urgent')!;
    expect(call<TicketObject, number>(layer.props.getRadius, urgent)).toBeGreaterThan(
      call<TicketObject, number>(layer.props.getRadius, data[0]!),
    );
  });

  it('recomputes only the rows a delta changed: replaced tickets in place, new ones at the end', () => {
    const before = Array.from({ length: 10 }, () => ticket());
    const after = [...before];
    after[3] = { ...before[3]!, overdue: true };
    after[4] = { ...before[4]!, status: 'replied' };
    after[8] = { ...before[8]!, urgency: 'urgent' };
    const added = ticket();
    after.push(added);
    const layer = createTicketLayer({ data: after, theme: 'wall' });
    const diff = layer.props._dataDiff as (next: unknown, prev?: unknown) => unknown;
    expect(diff(after, before)).toEqual([
      { startRow: 3, endRow: 5 },
      { startRow: 8, endRow: 9 },
      { startRow: 10, endRow: 11 },
    ]);
    // The same tickets in a new list: nothing to recompute.
    expect(changedTicketRows([...before], before)).toEqual([]);
    expect(changedTicketRows(before, undefined)).toEqual([{ startRow: 0, endRow: 10 }]);
  });

  it('recomputes every row from a dropped ticket on, since the rows after it moved up', () => {
    const before = Array.from({ length: 10 }, () => ticket());
    const after = before.filter((_, i) => i !== 6);
    after[2] = { ...before[2]!, overdue: true };
    expect(changedTicketRows(after, before)).toEqual([
      { startRow: 2, endRow: 3 },
      { startRow: 6, endRow: 9 },
    ]);
    expect(changedTicketRows(before.slice(0, 7), before)).toEqual([]);
  });

  it('gives every category a family colour, and related categories the same one', () => {
    for (const c of TICKET_CATEGORIES) expect(FAMILY_RGBA[FAMILY_OF[c as TicketCategory]]).toBeDefined();
    expect(categoryColor('sanitation')).toEqual(categoryColor('municipal_environment'));
    expect(categoryColor('waterlogging')).not.toEqual(categoryColor('road'));
  });

  it('pulses the overdue tickets in a small layer whose phase moves uniforms only', () => {
    const overdue = overdueOf(ticketsOf(tickets, NO_FILTER));
    expect(overdue.map((t) => t.overdue)).toEqual([true, true]);
    const a = createTicketPulseLayer({ data: overdue, phase: 0.1 });
    const b = createTicketPulseLayer({ data: overdue, phase: 0.6 });
    expect(a.id).toBe('tickets-overdue');
    expect(b.id).toBe(a.id);
    expect(b.props.data).toBe(a.props.data);
    expect(b.props.radiusScale).toBeGreaterThan(a.props.radiusScale);
    expect(b.props.opacity).toBeLessThan(a.props.opacity);
    // The accessors are constants: no attribute depends on the phase.
    expect(a.props.getRadius).toBe(b.props.getRadius);
    expect(a.props.updateTriggers).toEqual(b.props.updateTriggers);
    expect(pulseAt(1.25)).toEqual(pulseAt(0.25));
  });

  it('weighs overdue tickets more in the heatmap', () => {
    const layer = createTicketHeatmapLayer({ data: ticketsOf(tickets, NO_FILTER) });
    expect(layer.id).toBe('tickets-heatmap');
    expect(heatWeight({ overdue: true })).toBeGreaterThan(heatWeight({ overdue: false }));
  });
});

// ---- checkpoints ----

describe('checkpoint factories', () => {
  const sites: CheckpointSite[] = checkpointSitesOf({
    type: 'FeatureCollection',
    features: [
      {
        type: 'Feature',
        properties: {
          id: 'cp-1',
          name: '北关闸',
          riverId: 'r',
          kind: 'gauge',
          townId: 't',
          riverKm: 1,
          baseLevel: 18,
          thresholds: { blue: 19, yellow: 20, orange: 21, red: 22 },
          warningLevel: 20,
          guaranteedLevel: 22,
          synthetic: true,
        },
        geometry: { type: 'Point', coordinates: [116.7, 39.9] },
      },
      {
        type: 'Feature',
        properties: {
          id: 'cp-2',
          name: '碍洪点',
          riverId: 'r',
          kind: 'obstruction',
          townId: 't',
          riverKm: 2,
          baseLevel: 18,
          thresholds: { blue: 19, yellow: 20, orange: 21, red: 22 },
          warningLevel: 20,
          guaranteedLevel: 22,
          synthetic: true,
        },
        geometry: { type: 'Point', coordinates: [116.71, 39.91] },
      },
    ],
  });
  const live = new Map<string, CheckpointObject>([['cp-1', checkpoint('cp-1', 'orange', 21.234)]]);

  it('paints each checkpoint in its live warning colour, and one without state as normal', () => {
    const layer = createCheckpointLayer({ sites, live, version: 3, theme: 'wall' });
    expect(layer.id).toBe('checkpoints');
    expect(call(layer.props.getFillColor, sites[0])).toEqual(WARNING_RGBA.orange);
    expect(call(layer.props.getFillColor, sites[1])).toEqual(WARNING_RGBA.none);
    expect(call(layer.props.getPosition, sites[0])).toEqual([116.7, 39.9]);
    expect(checkpointRadius(live, sites[0]!)).toBeGreaterThan(checkpointRadius(new Map(), sites[0]!));
  });

  it('re-reads the live state when the checkpoints version moves, and not otherwise', () => {
    const trig = (version: number) =>
      JSON.stringify(createCheckpointLayer({ sites, live, version, theme: 'wall' }).props.updateTriggers.getFillColor);
    expect(trig(3)).toBe(trig(3));
    expect(trig(4)).not.toBe(trig(3));
    const l1 = createCheckpointLayer({ sites, live, version: 3, theme: 'wall' });
    const l2 = createCheckpointLayer({ sites, live, version: 4, theme: 'wall' });
    expect(l2.props.data).toBe(l1.props.data);
  });

  it('writes the current level beside gauges only; zoomed out only for gauges in warning', () => {
    const fmt = (m: number) => `${m.toFixed(2)} m`;
    const layer = createCheckpointLevelLayer({
      sites,
      live,
      version: 3,
      theme: 'day',
      formatLevel: fmt,
      language: 'zh-CN',
      allLevels: true,
    });
    expect(layer.id).toBe('checkpoint-levels');
    expect((layer.props.data as CheckpointSite[]).map((s) => s.id)).toEqual(['cp-1']);
    expect(call(layer.props.getText, sites[0])).toBe('21.23 m');
    expect(levelText(new Map([['cp-1', checkpoint('cp-1', 'none', null)]]), sites[0]!, fmt)).toBe('');
    const calm = new Map([['cp-1', checkpoint('cp-1', 'none', 18.5)]]);
    expect(levelText(calm, sites[0]!, fmt, true)).toBe('18.50 m');
    expect(levelText(calm, sites[0]!, fmt, false)).toBe('');
    expect(levelText(live, sites[0]!, fmt, false)).toBe('21.23 m');
  });
});

// ---- rangers ----

describe('ranger factories', () => {
  const now = Date.parse('2025-07-20T10:00:00+08:00');
  const min = 60_000;

  it('fades a trail by age and drops what is older than 30 minutes', () => {
    const r = ranger('R1', [
      [116.7, 39.9, now - 40 * min],
      [116.71, 39.9, now - 20 * min],
      [116.72, 39.9, now - 10 * min],
      [116.73, 39.9, now],
    ]);
    const [trail] = trailsOf([r], now);
    expect([...trail!.path]).toEqual([116.71, 39.9, 116.72, 39.9, 116.73, 39.9]);
    expect(trail!.colors).toHaveLength(3 * 4);
    const alphas = [3, 7, 11].map((i) => trail!.colors[i]!);
    expect(alphas[0]!).toBeLessThan(alphas[1]!);
    expect(alphas[1]!).toBeLessThan(alphas[2]!);
    expect(trailAlpha(0)).toBeGreaterThan(200);
    expect(trailAlpha(TRAIL_MS)).toBe(0);
    expect([...trail!.colors.slice(0, 3)]).toEqual(RANGER_RGBA.patrolling.slice(0, 3));
    // Drawn as straight pieces between the points, each in the colour of its newer end.
    const pieces = trailPiecesOf([trail!]);
    expect(pieces.length).toBe(2);
    expect([...pieces.from]).toEqual([116.71, 39.9, 116.72, 39.9]);
    expect([...pieces.to]).toEqual([116.72, 39.9, 116.73, 39.9]);
    expect([...pieces.colors]).toEqual([...trail!.colors.slice(4)]);
    expect(trailPiecesOf([trail!])).not.toBe(pieces); // a new list: cut again
    const list = [trail!];
    expect(trailPiecesOf(list)).toBe(trailPiecesOf(list));
    const layer = createRangerTrailLayer({ data: list });
    expect(layer.props.data).toEqual({ length: 2 });
    const info = (index: number) => ({ index }) as never;
    expect([...(layer.props.getColor as (o: null, i: never) => Uint8ClampedArray)(null, info(1))]).toEqual([
      ...trail!.colors.slice(8, 12),
    ]);
    expect([...(layer.props.getSourcePosition as (o: null, i: never) => Float64Array)(null, info(1))]).toEqual([
      116.72, 39.9,
    ]);
  });

  it('leaves out rangers with less than two recent points (no line to draw)', () => {
    expect(
      trailsOf(
        [
          ranger('R2', [[116.7, 39.9, now]]),
          ranger('R3', [
            [116.7, 39.9, now - 45 * min],
            [116.7, 39.91, now - 31 * min],
          ]),
        ],
        now,
      ),
    ).toEqual([]);
  });

  it('colours a ranger by state: signal lost before patrolling', () => {
    expect(rangerColor({ status: 'patrolling', signalLost: false })).toEqual(RANGER_RGBA.patrolling);
    expect(rangerColor({ status: 'idle', signalLost: false })).toEqual(RANGER_RGBA.idle);
    expect(rangerColor({ status: 'patrolling', signalLost: true })).toEqual(RANGER_RGBA.lost);
    const layer = createRangerLayer({ data: [ranger('R1', [[116.7, 39.9, now]])], theme: 'wall' });
    expect(layer.id).toBe('rangers');
    expect(createRangerTrailLayer({ data: [] }).id).toBe('ranger-trails');
  });
});

// ---- coverage and labels ----

describe('coverage and labels', () => {
  it('turns visited corners into closed squares of the cluster cell size', () => {
    const visited: PatrolVisited = {
      area: 'town:110112104',
      day: '2025-07-20',
      clusters: [{ clusterId: 'f-1', dLon: 0.002, dLat: 0.001, total: 40, corners: [116.7, 39.9, 116.702, 39.9] }],
    };
    const squares = visitedSquaresOf(visited);
    expect(squares).toHaveLength(2);
    const expected = [116.702, 39.9, 116.704, 39.9, 116.704, 39.901, 116.702, 39.901, 116.702, 39.9];
    [...squares[1]!.polygon].forEach((v, i) => expect(v).toBeCloseTo(expected[i]!, 9));
    expect(visitedSquaresOf(null)).toEqual([]);
    expect(createCoverageLayer({ data: squares }).id).toBe('patrol-coverage');
  });

  it('puts a river name on the middle of its longest part', () => {
    const labels = riverLabelsOf({
      type: 'FeatureCollection',
      features: [
        {
          type: 'Feature',
          properties: { id: 'beiyun', name: '北运河', approximate: false, source: 's' },
          geometry: {
            type: 'MultiLineString',
            coordinates: [
              [
                [1, 1],
                [2, 2],
              ],
              [
                [3, 3],
                [4, 4],
                [5, 5],
              ],
            ],
          },
        },
      ],
    });
    expect(labels).toEqual([{ id: 'beiyun', name: '北运河', position: [4, 4] }]);
  });
});

// ---- registry ----

describe('layer registry', () => {
  it('maps every layer id back to its kind and a pick to what a click opens', () => {
    expect(kindOfLayerId('choropleth-forest')).toBe('choropleth');
    expect(pickedOf('choropleth-grid', cell('g-1', 't'))).toEqual({ kind: 'area', key: 'grid:g-1' });
    expect(pickedOf('choropleth-town', cell('110112004', 'x'))).toEqual({ kind: 'area', key: 'town:110112004' });
    expect(pickedOf('tickets', { id: 'T9' })).toEqual({ kind: 'ticket', id: 'T9' });
    expect(pickedOf('checkpoints', { id: 'cp-1' })).toEqual({ kind: 'checkpoint', id: 'cp-1' });
    expect(pickedOf('rangers', { id: 'R1' })).toEqual({ kind: 'ranger', id: 'R1' });
    expect(pickedOf('incidents', { id: 'I1' })).toEqual({ kind: 'incident', id: 'I1' });
    // Decorations open nothing.
    expect(pickedOf('tickets-overdue', { id: 'T9' })).toBeNull();
    expect(pickedOf('patrol-coverage', {})).toBeNull();
    expect(pickedOf('unknown', { id: 'x' })).toBeNull();
    expect(pickedOf('object-selected', [116.7, 39.9])).toBeNull();
  });

  it('rings the picked object where it is, and nothing when none is picked', () => {
    const ring = createSelectedObjectLayer({ position: [116.7, 39.9], theme: 'wall' });
    expect(ring.id).toBe('object-selected');
    expect(ring.props.data).toEqual([[116.7, 39.9]]);
    expect(ring.props.getLineColor).toEqual(LAYER_THEMES.wall.selected);
    expect(createSelectedObjectLayer({ position: null, theme: 'day' }).props.data).toEqual([]);
  });

  it('ties each kind to its overlay toggle; areas and labels are always on', () => {
    expect(isShown('choropleth', [])).toBe(true);
    expect(isShown('riverLabels', [])).toBe(true);
    expect(isShown('tickets', ['checkpoints'])).toBe(false);
    expect(isShown('tickets', ['tickets'])).toBe(true);
    expect(isShown('rangerTrails', ['rangers'])).toBe(true);
    expect(isShown('coverage', ['rangers'])).toBe(false);
    expect(Object.keys(LAYER_REGISTRY).length).toBeGreaterThanOrEqual(10);
  });
});

// ---- handing layers to deck.gl ----

/** A layer without GPU work, so that deck.gl's own LayerManager runs here without WebGL. */
class ProbeLayer extends Layer<{ data: readonly number[] }> {
  static override layerName = 'ProbeLayer';
  override initializeState(): void {}
  override draw(): void {}
}

/** deck.gl's layer manager as the map's overlay drives it, with the errors it reports (it logs, never throws). */
function deckLayerManager() {
  const errors: string[] = [];
  const manager = new LayerManager({ type: 'null', info: {} } as never, {});
  manager.setProps({ onError: (e: Error) => errors.push(e.message) });
  return { manager, errors };
}

describe('handing layers to deck.gl', () => {
  it('deck.gl cannot take back a layer it dropped: a memoized overlay turned off and on again goes over as a clone', () => {
    // The failure itself: the same instance handed again after deck.gl finalized it.
    const bare = deckLayerManager();
    const reused = new ProbeLayer({ id: 'patrol-coverage', data: [] });
    bare.manager.setLayers([reused]);
    bare.manager.setLayers([]);
    bare.manager.setLayers([reused]);
    expect(bare.errors).toEqual([expect.stringContaining('deck.gl: assertion failed')]);

    const { manager, errors } = deckLayerManager();
    const handover = layerHandover();
    const base = new ProbeLayer({ id: 'areas', data: [1] });
    const coverage = new ProbeLayer({ id: 'patrol-coverage', data: [2] });
    const first = handover([base, coverage]);
    expect(first).toEqual([base, coverage]); // never handed before: the instances themselves
    manager.setLayers(first);
    manager.setLayers(handover([base])); // overlay off
    const again = handover([base, coverage]); // on again, data unchanged: the same memoized instance
    manager.setLayers(again);
    expect(errors).toEqual([]);
    expect(again[0]).toBe(base); // stayed on the map: kept, with its state
    expect(again[1]).not.toBe(coverage);
    expect(again[1]!.props.data).toBe(coverage.props.data);
    expect(manager.getLayers().map((l) => l.id)).toEqual(['areas', 'patrol-coverage']);
    // While it stays on, the clone goes over each time: no new initialization per draw.
    expect(handover([base, coverage])[1]).toBe(again[1]);
    // Off and on once more: a new clone, again without error.
    manager.setLayers(handover([base]));
    manager.setLayers(handover([base, coverage]));
    expect(errors).toEqual([]);
    expect(manager.getLayers().map((l) => l.id)).toEqual(['areas', 'patrol-coverage']);
  });

  it('a clone of the coverage layer keeps its squares and accessors', () => {
    const visited: PatrolVisited = {
      area: 'town:110112104',
      day: '2025-07-20',
      clusters: [{ clusterId: 'f-1', dLon: 0.002, dLat: 0.001, total: 40, corners: [116.7, 39.9] }],
    };
    const layer = createCoverageLayer({ data: visitedSquaresOf(visited) });
    const handover = layerHandover();
    handover([layer]);
    handover([]);
    const [clone] = handover([layer]);
    expect(clone).not.toBe(layer);
    expect(clone!.id).toBe(layer.id);
    for (const key of ['data', 'getPolygon', 'getFillColor', 'positionFormat', '_normalize'] as const) {
      expect((clone!.props as Record<string, unknown>)[key], key).toBe((layer.props as Record<string, unknown>)[key]);
    }
  });
});
