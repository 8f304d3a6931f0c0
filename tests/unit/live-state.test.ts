// Flood, patrol, snapshot and change tracking of the live state on the real geography, with hand-computed
// expectations. Ticket KPIs are in live-tickets.test.ts.
import * as turf from '@turf/turf';
import { beforeAll, describe, expect, it } from 'vitest';
import type { AreaKey } from '../../server/contract/areas';
import type { OpsEvent, Place, StoredEvent } from '../../server/contract/events';
import { checkSnapshot, type AreaAggregate } from '../../server/contract/live';
import { interiorPoint } from '../../server/geo/interior';
import { loadGeo, type Geo } from '../../server/geo/load';
import { createLocator, type Locator } from '../../server/geo/locate';
import { syntheticEvents } from '../bench/fold';
import { createLiveState } from '../../server/live/state';
import type { LiveState } from '../../server/live/types';
import { GEO_DIR } from '../helpers/paths';

let geo: Geo;
let locator: Locator;

type Bare<T> = T extends unknown ? Omit<T, 'id' | 'source'> : never;

class Feed {
  seq = 0;
  make(event: Bare<OpsEvent>, place?: Place | null): StoredEvent {
    this.seq++;
    const stored: StoredEvent = {
      seq: this.seq,
      receivedAt: event.time,
      event: { ...event, id: `e${this.seq}`, source: 'simulator' } as OpsEvent,
    };
    if (place) stored.place = place;
    return stored;
  }
}

const at = (s: string) => Date.parse(s);
const D = (hms: string) => `2025-07-20T${hms}+08:00`;
const DISTRICT = 'district:110112';

function agg(state: LiveState, key: string): AreaAggregate {
  const a = state.aggregate(key as AreaKey);
  expect(a, key).toBeDefined();
  return a!;
}

beforeAll(async () => {
  geo = await loadGeo(GEO_DIR);
  locator = createLocator(geo);
});

// ---- flood ----

const reading = (checkpointId: string, time: string, level: number, rainfall?: number): Bare<OpsEvent> => ({
  kind: 'flood.reading',
  time,
  checkpointId,
  level,
  ...(rainfall === undefined ? {} : { rainfall }),
});

describe('flood checkpoints', () => {
  // cp-xiaotaihou-03: a gauge in 台湖镇 (110112114); thresholds blue 18.357409, yellow 18.857409,
  // orange 19.411825, red 19.966241. 台湖 holds four checkpoints, two of them 碍洪点 (xiaotaihou-01, -02).
  const CP = 'cp-xiaotaihou-03';
  const TAIHU = 'town:110112114';
  const CP_CELL = 'grid:g-110112114-1000-0019-0030';

  it('knows every checkpoint from the layer before any reading', () => {
    const state = createLiveState(geo, {}, at(D('08:00:00')));
    expect(agg(state, DISTRICT).flood).toEqual({
      worstColor: 'none',
      inWarning: 0,
      checkpoints: 21,
      obstructionsOpen: 4,
      responseLevel: 'none',
    });
    expect(agg(state, TAIHU).flood).toEqual({
      worstColor: 'none',
      inWarning: 0,
      checkpoints: 4,
      obstructionsOpen: 2,
      responseLevel: 'none',
    });
    expect(agg(state, CP_CELL).flood.checkpoints).toBe(1);
    expect(state.checkpoint(CP)).toEqual({
      id: CP,
      level: null,
      rainfall: null,
      trend: 'steady',
      color: 'none',
      obstructionStatus: null,
      readingAt: null,
      inspectedAt: null,
    });
    expect(state.checkpoint('cp-xiaotaihou-01')?.obstructionStatus).toBe('pending');
  });

  it('colours by the highest threshold reached and follows the trend over the last hour', () => {
    const feed = new Feed();
    const state = createLiveState(geo, {}, at(D('08:00:00')));
    const step = (time: string, level: number, rainfall?: number) => {
      state.apply([feed.make(reading(CP, time, level, rainfall))]);
      const cp = state.checkpoint(CP)!;
      return [cp.level, cp.color, cp.trend];
    };
    expect(step(D('10:00:00'), 18.0, 12)).toEqual([18.0, 'none', 'steady']); // one reading: no trend
    expect(step(D('10:30:00'), 18.9)).toEqual([18.9, 'yellow', 'rising']); // +0.90 m since 10:00
    expect(state.checkpoint(CP)?.rainfall).toBe(12); // no rainfall in the reading: the last one stays
    expect(step(D('11:00:00'), 18.92)).toEqual([18.92, 'yellow', 'rising']); // 10:00 is still in the hour
    expect(step(D('11:45:00'), 18.94)).toEqual([18.94, 'yellow', 'steady']); // vs 11:00: +0.02, inside ±0.05
    expect(step(D('12:30:00'), 18.6)).toEqual([18.6, 'blue', 'falling']); // vs 11:45: −0.34
    // A late reading (12:00) joins the history but does not replace the latest level.
    expect(step(D('12:00:00'), 18.7)).toEqual([18.6, 'blue', 'falling']);
    expect(state.checkpoint(CP)?.readingAt).toBe(D('12:30:00'));
    // Exactly the yellow threshold is yellow; against 11:45 (18.94, still within the hour) it is −0.08: falling.
    expect(step(D('12:40:00'), 18.857409)).toEqual([18.857409, 'yellow', 'falling']);
  });

  it('rolls the worst colour up to town and district and counts checkpoints in warning', () => {
    const feed = new Feed();
    const state = createLiveState(geo, {}, at(D('08:00:00')));
    state.apply([
      feed.make(reading(CP, D('10:00:00'), 19.97)), // red
      feed.make(reading('cp-liangshui-02', D('10:00:00'), 17.6)), // yellow (17.568784)
      feed.make(reading('cp-chaobai-01', D('10:00:00'), 20.0)), // none (blue 20.947031), 宋庄
    ]);
    expect(agg(state, CP_CELL).flood).toMatchObject({ worstColor: 'red', inWarning: 1, checkpoints: 1 });
    expect(agg(state, TAIHU).flood).toMatchObject({ worstColor: 'red', inWarning: 2, checkpoints: 4 });
    expect(agg(state, 'town:110112104').flood).toMatchObject({ worstColor: 'none', inWarning: 0, checkpoints: 3 });
    expect(agg(state, DISTRICT).flood).toMatchObject({ worstColor: 'red', inWarning: 2, checkpoints: 21 });
    state.apply([feed.make(reading(CP, D('10:10:00'), 19.411825))]); // exactly orange
    expect(state.checkpoint(CP)?.color).toBe('orange');
    expect(agg(state, TAIHU).flood.worstColor).toBe('orange');
    state.apply([
      feed.make(reading(CP, D('10:20:00'), 18.0)),
      feed.make(reading('cp-liangshui-02', D('10:20:00'), 17.0)),
    ]);
    expect(agg(state, DISTRICT).flood).toMatchObject({ worstColor: 'none', inWarning: 0 });
  });

  it('tracks 碍洪点 clearance and inspections', () => {
    const feed = new Feed();
    const state = createLiveState(geo, {}, at(D('08:00:00')));
    const obstruction = (checkpointId: string, status: 'pending' | 'clearing' | 'cleared'): Bare<OpsEvent> => ({
      kind: 'flood.obstruction',
      time: D('09:00:00'),
      checkpointId,
      status,
    });
    state.apply([feed.make(obstruction('cp-xiaotaihou-01', 'clearing'))]);
    expect(agg(state, TAIHU).flood.obstructionsOpen).toBe(2); // clearing is still open
    state.apply([feed.make(obstruction('cp-xiaotaihou-01', 'cleared'))]);
    expect(agg(state, TAIHU).flood.obstructionsOpen).toBe(1);
    expect(agg(state, DISTRICT).flood.obstructionsOpen).toBe(3);
    expect(state.checkpoint('cp-xiaotaihou-01')?.obstructionStatus).toBe('cleared');
    state.apply([feed.make(obstruction(CP, 'cleared'))]); // a gauge has no clearance status
    expect(state.checkpoint(CP)?.obstructionStatus).toBeNull();
    expect(agg(state, DISTRICT).flood.obstructionsOpen).toBe(3);
    state.apply([feed.make({ kind: 'flood.inspection', time: D('09:30:00'), checkpointId: CP, inspector: '张三' })]);
    expect(state.checkpoint(CP)?.inspectedAt).toBe(D('09:30:00'));
  });

  it('applies response levels by scope: district, area, river; none lifts what lies inside its scope', () => {
    const feed = new Feed();
    const state = createLiveState(geo, {}, at(D('08:00:00')));
    const respond = (level: 'none' | 'IV' | 'III' | 'II' | 'I', scope: { area?: string; riverId?: string }) =>
      state.apply([feed.make({ kind: 'flood.response', time: D('09:00:00'), level, ...scope })]);
    const levels = () =>
      [DISTRICT, TAIHU, CP_CELL, 'town:110112117', 'town:110112104'].map((k) => agg(state, k).flood.responseLevel);

    respond('IV', {});
    expect(levels()).toEqual(['IV', 'IV', 'IV', 'IV', 'IV']);
    respond('II', { area: TAIHU });
    // The town and its cells; the district shows the highest level in force anywhere inside it.
    expect(levels()).toEqual(['II', 'II', 'II', 'IV', 'IV']);
    respond('none', { area: TAIHU });
    expect(levels()).toEqual(['IV', 'IV', 'IV', 'IV', 'IV']);
    // 萧太后河 runs through 台湖 (its three checkpoints), not through 永乐店 or 宋庄.
    respond('I', { riverId: 'xiaotaihou' });
    expect(levels()).toEqual(['I', 'I', 'I', 'IV', 'IV']);
    respond('none', {}); // lifting the district-wide response ends every response
    expect(levels()).toEqual(['none', 'none', 'none', 'none', 'none']);
  });
});

// ---- patrols ----

describe('forest patrols', () => {
  // 永乐店第一组团·小务村 (f-110112117-01) in 永乐店镇 (110112117).
  const CLUSTER = 'f-110112117-01';
  const FOREST = `forest:${CLUSTER}`;
  const YONGLEDIAN = 'town:110112117';

  /**
   * The sub-cells the brief defines, computed independently with turf: a 100 m lattice from the cluster's
   * south-west bbox corner (1° lat = 111,320 m, 1° lon = 111,320 m × cos(mid latitude)), kept where the
   * square's centre is inside the polygon.
   */
  function lattice(clusterId: string): { centres: [number, number][] } {
    const f = geo.layers.forest.features.find((x) => x.properties.id === clusterId)!;
    const [w, s, e, n] = turf.bbox(f as never);
    const dLat = 100 / 111_320;
    const dLon = 100 / (111_320 * Math.cos((((s + n) / 2) * Math.PI) / 180));
    const centres: [number, number][] = [];
    for (let r = 0; r < Math.ceil((n - s) / dLat); r++) {
      for (let c = 0; c < Math.ceil((e - w) / dLon); c++) {
        const p: [number, number] = [w + (c + 0.5) * dLon, s + (r + 0.5) * dLat];
        if (turf.booleanPointInPolygon(p, f as never)) centres.push(p);
      }
    }
    return { centres };
  }

  const started = (rangerId: string, patrolId: string, time: string, clusterId = CLUSTER): Bare<OpsEvent> => ({
    kind: 'patrol.started',
    time,
    rangerId,
    patrolId,
    clusterId,
  });
  const position = (
    rangerId: string,
    time: string,
    [lon, lat]: [number, number],
    battery?: number,
  ): Bare<OpsEvent> => ({
    kind: 'patrol.position',
    time,
    rangerId,
    patrolId: 'P1',
    location: { lon, lat },
    ...(battery === undefined ? {} : { battery }),
  });
  const located = (p: [number, number]) => locator.locate(p[0], p[1]);

  it('measures coverage as the share of sub-cells visited today, per cluster, town and district', () => {
    const own = lattice(CLUSTER).centres;
    const town = geo.layers.forest.features
      .filter((f) => f.properties.townId === '110112117')
      .reduce((n, f) => n + lattice(f.properties.id).centres.length, 0);
    const all = geo.layers.forest.features.reduce((n, f) => n + lattice(f.properties.id).centres.length, 0);
    expect(own.length).toBeGreaterThan(10);

    const feed = new Feed();
    const state = createLiveState(geo, {}, at(D('08:00:00')));
    expect(agg(state, FOREST).patrol.coverageToday).toBe(0);
    expect(agg(state, 'grid:' + located(own[0]!)!.gridId!).patrol.coverageToday).toBeNull(); // no forest sub-cells
    const a = own[0]!;
    const b = own[own.length - 1]!;
    const nearA: [number, number] = [a[0] + 0.0001, a[1] + 0.0001]; // ~10 m away: the same sub-cell
    state.apply([
      feed.make(started('R1', 'P1', D('09:00:00'))),
      feed.make(position('R1', D('09:00:10'), a), located(a)),
      feed.make(position('R1', D('09:00:20'), nearA), located(nearA)),
      feed.make(position('R1', D('09:00:30'), b, 76), located(b)),
    ]);
    expect(agg(state, FOREST).patrol.coverageToday).toBeCloseTo(2 / own.length, 12);
    expect(agg(state, YONGLEDIAN).patrol.coverageToday).toBeCloseTo(2 / town, 12);
    expect(agg(state, DISTRICT).patrol.coverageToday).toBeCloseTo(2 / all, 12);
    // Walking every sub-cell covers the cluster completely.
    state.apply(
      own.map((p, i) =>
        feed.make(
          position(
            'R1',
            D(`09:${String(10 + Math.floor(i / 60)).padStart(2, '0')}:${String(i % 60).padStart(2, '0')}`),
            p,
          ),
          located(p),
        ),
      ),
    );
    expect(agg(state, FOREST).patrol.coverageToday).toBe(1);
    // A new day starts from nothing; yesterday's positions arriving late do not count today.
    state.advance(at('2025-07-21T00:00:00+08:00'));
    expect(agg(state, FOREST).patrol.coverageToday).toBe(0);
    state.apply([feed.make(position('R1', D('23:59:00'), a), located(a))]);
    expect(agg(state, FOREST).patrol.coverageToday).toBe(0);
    state.apply([feed.make(position('R1', '2025-07-21T00:01:00+08:00', a), located(a))]);
    expect(agg(state, FOREST).patrol.coverageToday).toBeCloseTo(1 / own.length, 12);
  });

  it('counts active rangers, last patrol time and lost signal, and keeps a 30 min trail', () => {
    const cells = lattice(CLUSTER).centres;
    const p = (i: number) => cells[i % cells.length]!;
    const feed = new Feed();
    const state = createLiveState(geo, {}, at(D('09:00:00')));
    state.apply([
      feed.make(started('R1', 'P1', D('09:00:00'))),
      feed.make(started('R2', 'P2', D('09:00:00'), 'f-110112117-02')),
      feed.make(position('R1', D('09:00:10'), p(0), 90), located(p(0))),
      feed.make(position('R1', D('09:00:30'), p(1), 89), located(p(1))),
    ]);
    expect(agg(state, FOREST).patrol).toMatchObject({ activeRangers: 1, lostSignal: 0, lastPatrolAt: D('09:00:30') });
    expect(agg(state, YONGLEDIAN).patrol).toMatchObject({
      activeRangers: 2,
      lostSignal: 0,
      lastPatrolAt: D('09:00:30'),
    });
    expect(agg(state, DISTRICT).patrol.activeRangers).toBe(2);
    expect(state.ranger('R2')).toBeUndefined(); // on patrol but no position yet: not on the map

    state.advance(at(D('09:05:00'))); // R2: exactly 5 min since its start → not lost yet
    expect(agg(state, YONGLEDIAN).patrol.lostSignal).toBe(0);
    state.advance(at(D('09:05:00.001')));
    expect(agg(state, YONGLEDIAN).patrol.lostSignal).toBe(1); // R2
    expect(agg(state, FOREST).patrol.lostSignal).toBe(0);
    state.advance(at(D('09:05:30.001'))); // R1: last position 09:00:30
    expect(agg(state, FOREST).patrol.lostSignal).toBe(1);
    expect(agg(state, DISTRICT).patrol.lostSignal).toBe(2);
    expect(state.ranger('R1')).toMatchObject({
      signalLost: true,
      status: 'patrolling',
      battery: 89,
      lastSeen: D('09:00:30'),
    });

    state.apply([feed.make(position('R1', D('09:06:00'), p(2)), located(p(2)))]);
    expect(agg(state, FOREST).patrol.lostSignal).toBe(0);
    state.apply([feed.make(position('R1', D('09:35:00'), p(3)), located(p(3)))]);
    state.advance(at(D('09:35:00')));
    // The trail keeps the last 30 min before the latest position: 09:06 and 09:35.
    expect(state.ranger('R1')?.trail).toEqual([
      [p(2)[0], p(2)[1], at(D('09:06:00'))],
      [p(3)[0], p(3)[1], at(D('09:35:00'))],
    ]);
    expect(state.ranger('R1')?.position).toEqual(p(3));

    state.apply([feed.make({ kind: 'patrol.ended', time: D('09:40:00'), rangerId: 'R2', patrolId: 'P2' })]);
    expect(agg(state, YONGLEDIAN).patrol).toMatchObject({
      activeRangers: 1,
      lostSignal: 0,
      lastPatrolAt: D('09:40:00'),
    });
    state.apply([feed.make({ kind: 'patrol.ended', time: D('09:45:00'), rangerId: 'R1', patrolId: 'old-one' })]); // not its patrol
    expect(agg(state, FOREST).patrol.activeRangers).toBe(1);
    state.apply([feed.make({ kind: 'patrol.ended', time: D('09:45:00'), rangerId: 'R1', patrolId: 'P1' })]);
    expect(agg(state, FOREST).patrol).toMatchObject({ activeRangers: 0, lastPatrolAt: D('09:45:00') });
    expect(state.ranger('R1')).toMatchObject({ status: 'idle', patrolId: null, clusterId: null, signalLost: false });
    // An idle ranger stays on the map for the trail window after the last sign of life, then leaves it.
    state.takeChanges();
    state.advance(at(D('10:15:00.001')));
    expect(state.ranger('R1')).toBeUndefined();
    expect(state.takeChanges().removals.rangers).toEqual(new Map([['R1', '110112117']]));
  });

  it('opens and resolves incidents where they were reported', () => {
    const cells = lattice(CLUSTER).centres;
    const spot = cells[0]!;
    const place = located(spot)!;
    const feed = new Feed();
    const state = createLiveState(geo, {}, at(D('09:00:00')));
    state.apply([
      feed.make(
        {
          kind: 'patrol.incident',
          time: D('09:10:00'),
          rangerId: 'R1',
          incidentId: 'I1',
          type: 'fire_risk',
          severity: 'high',
          description: '烟头',
          location: { lon: spot[0], lat: spot[1] },
        },
        place,
      ),
    ]);
    for (const key of [FOREST, YONGLEDIAN, DISTRICT, `grid:${place.gridId}`])
      expect(agg(state, key).patrol.openIncidents, key).toBe(1);
    expect(state.incident('I1')).toEqual({
      id: 'I1',
      rangerId: 'R1',
      type: 'fire_risk',
      severity: 'high',
      position: spot,
      reportedAt: D('09:10:00'),
    });
    state.apply([feed.make({ kind: 'patrol.incident_resolved', time: D('10:00:00'), incidentId: 'I1' })]);
    expect(agg(state, YONGLEDIAN).patrol.openIncidents).toBe(0);
    expect(state.incident('I1')).toBeUndefined();
  });
});

// ---- incremental counters against a brute-force recount ----

describe('roll-up over a synthetic half day', () => {
  it('agrees with a recount from the events for every area', () => {
    const events = syntheticEvents(geo, 20_000);
    const state = createLiveState(geo, {}, at(events[0]!.event.time));
    for (let i = 0; i < events.length; i += 97) {
      const batch = events.slice(i, i + 97);
      state.apply(batch);
      state.advance(at(batch[batch.length - 1]!.event.time));
    }
    const now = at(events[events.length - 1]!.event.time);

    // The recount: follow each ticket, then count per area key from its place.
    interface T {
      keys: string[];
      category: string;
      closed: boolean;
      resolved?: boolean;
      rated?: boolean;
      satisfied?: boolean;
      resolveDue: number;
    }
    const tickets = new Map<string, T>();
    for (const s of events) {
      const e = s.event;
      if (e.kind === 'ticket.created') {
        const p = s.place ?? {};
        const keys = [DISTRICT];
        if (p.townId) keys.push(`town:${p.townId}`);
        if (p.gridId) keys.push(`grid:${p.gridId}`);
        if (p.propertyId) keys.push(`property:${p.propertyId}`);
        if (p.forestId) keys.push(`forest:${p.forestId}`);
        const hours = { urgent: 24, normal: 168, low: 360 }[e.urgency];
        tickets.set(e.ticketId, {
          keys,
          category: e.category,
          closed: false,
          resolveDue: at(e.time) + hours * 3_600_000,
        });
      } else if (e.kind === 'ticket.closed') {
        const t = tickets.get(e.ticketId)!;
        t.closed = true;
        t.resolved = e.resolved;
      } else if (e.kind === 'ticket.rated') {
        const t = tickets.get(e.ticketId)!;
        if (!t.rated) Object.assign(t, { rated: true, satisfied: e.satisfied });
      }
    }
    const expected = new Map<
      string,
      {
        open: number;
        created: number;
        closed: number;
        overdue: number;
        resolved: number;
        satisfied: number;
        rated: number;
        byCategory: Record<string, number>;
      }
    >();
    for (const t of tickets.values()) {
      for (const k of t.keys) {
        const x = expected.get(k) ?? {
          open: 0,
          created: 0,
          closed: 0,
          overdue: 0,
          resolved: 0,
          satisfied: 0,
          rated: 0,
          byCategory: {},
        };
        x.created++;
        x.byCategory[t.category] = (x.byCategory[t.category] ?? 0) + 1;
        if (t.closed) x.closed++;
        else x.open++;
        if (!t.closed && now > t.resolveDue) x.overdue++;
        if (t.resolved) x.resolved++;
        if (t.rated) x.rated++;
        if (t.satisfied) x.satisfied++;
        expected.set(k, x);
      }
    }
    expect(expected.size).toBeGreaterThan(500);
    for (const key of Object.keys(geo.tree.nodes)) {
      const a = agg(state, key).tickets;
      const x = expected.get(key);
      if (!x) {
        expect([a.open, a.newToday, a.closedToday], key).toEqual([0, 0, 0]);
        continue;
      }
      expect([a.open, a.newToday, a.closedToday, a.overdue, a.byCategory], key).toEqual([
        x.open,
        x.created,
        x.closed,
        x.overdue,
        x.byCategory,
      ]);
      expect(a.resolutionRate, key).toBe(x.closed > 0 ? x.resolved / x.closed : null);
      expect(a.satisfactionRate, key).toBe(x.rated > 0 ? x.satisfied / x.rated : null);
      expect(a.rolling24h.created, key).toBe(x.created); // the half day lies inside the last 24 h
    }
  });
});

// ---- snapshot, changes, idempotence ----

describe('snapshots and changes', () => {
  let A1: { lon: number; lat: number; place: Place };
  let B1: { lon: number; lat: number; place: Place };
  const spotIn = (id: string) => {
    const f = geo.layers.grid.features.find((x) => x.properties.id === id)!;
    const [lon, lat] = interiorPoint(f.geometry as never);
    return { lon, lat, place: locator.locate(lon, lat)! };
  };
  const ticket = (ticketId: string, s: { lon: number; lat: number }, time = D('09:00:00')): Bare<OpsEvent> => ({
    kind: 'ticket.created',
    time,
    ticketId,
    category: 'noise',
    urgency: 'normal',
    channel: 'wechat',
    title: '装修噪音',
    location: { lon: s.lon, lat: s.lat },
  });
  beforeAll(() => {
    A1 = spotIn('g-110112004-250-0076-0149'); // 玉桥, property p-110112004-01
    B1 = spotIn(geo.layers.grid.features.find((f) => f.properties.townId === '110112114')!.properties.id); // 台湖
  });

  function scenario(): { state: LiveState; feed: Feed } {
    const feed = new Feed();
    const state = createLiveState(geo, {}, at(D('08:00:00')));
    const spot = geo.layers.patrolPoints.features.find((f) => f.properties.clusterId === 'f-110112117-01')!;
    state.apply([
      feed.make(ticket('TA', A1), A1.place),
      feed.make(ticket('TB', B1), B1.place),
      feed.make(ticket('TX', { lon: 117.5, lat: 39.5 })), // outside the district: counted at district level only
      feed.make({
        kind: 'patrol.started',
        time: D('09:00:00'),
        rangerId: 'R1',
        patrolId: 'P1',
        clusterId: 'f-110112117-01',
      }),
      feed.make({
        kind: 'patrol.checkin',
        time: D('09:01:00'),
        rangerId: 'R1',
        patrolId: 'P1',
        pointId: spot.properties.id,
      }),
    ]);
    return { state, feed };
  }

  it('gives the district its towns and every object, a town only its own', () => {
    const { state } = scenario();
    const district = state.snapshot(DISTRICT);
    expect(checkSnapshot(district).ok).toBe(true);
    expect(district.aggregates.map((a) => a.key)).toEqual([DISTRICT, ...geo.tree.children[DISTRICT]!]);
    expect(district.aggregates).toHaveLength(23);
    expect(district.tickets.map((t) => t.id).sort()).toEqual(['TA', 'TB', 'TX']);
    expect(district.checkpoints).toHaveLength(21);
    expect(district.rangers.map((r) => r.id)).toEqual(['R1']);
    expect(district.seq).toBe(5);
    expect(district.at).toBe(D('08:00:00'));
    expect(agg(state, DISTRICT).tickets.open).toBe(3);

    const yuqiao = state.snapshot('town:110112004');
    expect(checkSnapshot(yuqiao).ok).toBe(true);
    expect(yuqiao.aggregates[0]!.key).toBe('town:110112004');
    expect(yuqiao.aggregates.map((a) => a.key).slice(1)).toEqual(geo.tree.children['town:110112004']);
    expect(yuqiao.tickets.map((t) => t.id)).toEqual(['TA']);
    expect([yuqiao.checkpoints.length, yuqiao.rangers.length, yuqiao.incidents?.length]).toEqual([0, 0, 0]);

    const taihu = state.snapshot('town:110112114');
    expect(taihu.tickets.map((t) => t.id)).toEqual(['TB']);
    expect(taihu.checkpoints.map((c) => c.id).sort()).toEqual([
      'cp-liangshui-02',
      'cp-xiaotaihou-01',
      'cp-xiaotaihou-02',
      'cp-xiaotaihou-03',
    ]);

    const yongledian = state.snapshot('town:110112117');
    expect(yongledian.rangers.map((r) => r.id)).toEqual(['R1']); // placed at its check-in point
    expect(yongledian.tickets).toEqual([]);

    const cell = state.snapshot('grid:g-110112004-250-0076-0149');
    expect(cell.aggregates.map((a) => a.key)).toEqual(['grid:g-110112004-250-0076-0149']);
    expect(cell.tickets.map((t) => t.id)).toEqual(['TA']);
    expect(state.snapshot('property:p-110112004-01').tickets.map((t) => t.id)).toEqual(['TA']);
    expect(() => state.snapshot('town:nowhere' as AreaKey)).toThrow(/unknown area/);
  });

  it('reports exactly the aggregates and objects an event touched', () => {
    const { state, feed } = scenario();
    const first = state.takeChanges();
    expect([first.fromSeq, first.toSeq]).toEqual([0, 5]);
    expect(first.upserts.tickets).toEqual(
      new Map([
        ['TA', '110112004'],
        ['TB', '110112114'],
        ['TX', undefined],
      ]),
    );
    expect(first.upserts.rangers).toEqual(new Map([['R1', '110112117']]));

    state.apply([feed.make(ticket('TC', A1, D('09:30:00')), A1.place)]);
    let c = state.takeChanges();
    expect([c.fromSeq, c.toSeq]).toEqual([5, 6]);
    expect(c.aggregates).toEqual(
      new Set([DISTRICT, 'town:110112004', 'grid:g-110112004-250-0076-0149', 'property:p-110112004-01']),
    );
    expect(c.upserts.tickets).toEqual(new Map([['TC', '110112004']]));
    expect(c.removals.tickets.size).toBe(0);

    // A reading that keeps the colour changes the checkpoint, not any aggregate.
    state.apply([feed.make(reading('cp-xiaotaihou-03', D('09:40:00'), 18.0))]);
    c = state.takeChanges();
    expect(c.aggregates).toEqual(new Set());
    expect(c.upserts.checkpoints).toEqual(new Map([['cp-xiaotaihou-03', '110112114']]));
    state.apply([feed.make(reading('cp-xiaotaihou-03', D('09:50:00'), 18.4))]); // blue
    c = state.takeChanges();
    expect(c.aggregates).toEqual(new Set([DISTRICT, 'town:110112114', 'grid:g-110112114-1000-0019-0030']));

    state.apply([feed.make({ kind: 'ticket.closed', time: D('10:00:00'), ticketId: 'TC', resolved: true })]);
    c = state.takeChanges();
    expect(c.removals.tickets).toEqual(new Map([['TC', '110112004']]));
    expect(c.upserts.tickets.size).toBe(0);
    expect(c.aggregates).toEqual(
      new Set([DISTRICT, 'town:110112004', 'grid:g-110112004-250-0076-0149', 'property:p-110112004-01']),
    );
    expect(state.ticket('TC')).toBeUndefined();

    // The clock alone: by 10:30 R1 (last seen at its 09:01 check-in) has lost signal; no ticket is due yet.
    state.advance(at(D('10:30:00')));
    c = state.takeChanges();
    expect([c.fromSeq, c.toSeq]).toEqual([9, 9]);
    expect(c.aggregates).toEqual(new Set([DISTRICT, 'town:110112117', 'forest:f-110112117-01']));
    expect(c.upserts.rangers).toEqual(new Map([['R1', '110112117']]));
    expect(c.upserts.tickets.size).toBe(0);
    state.advance(at(D('10:40:00')));
    expect(state.takeChanges().aggregates.size).toBe(0);
    // Midnight changes every area (today's figures, streaks).
    state.advance(at('2025-07-21T00:00:01+08:00'));
    expect(state.takeChanges().aggregates.size).toBe(Object.keys(geo.tree.nodes).length);
  });

  it('ignores an event it has already folded', () => {
    const { state, feed } = scenario();
    const again = [feed.make(ticket('TD', A1), A1.place)];
    state.apply(again);
    state.takeChanges();
    const before = state.snapshot(DISTRICT);
    state.apply(again);
    state.apply([{ ...again[0]!, seq: 3 }]);
    const c = state.takeChanges();
    expect([c.fromSeq, c.toSeq, c.aggregates.size, c.upserts.tickets.size]).toEqual([6, 6, 0, 0]);
    expect(state.snapshot(DISTRICT)).toEqual(before);
  });

  it('routes objects to their town', () => {
    const { state } = scenario();
    expect(state.townOf('tickets', 'TA')).toBe('110112004');
    expect(state.townOf('tickets', 'TX')).toBeUndefined();
    expect(state.townOf('checkpoints', 'cp-xiaotaihou-03')).toBe('110112114');
    expect(state.townOf('rangers', 'R1')).toBe('110112117');
    expect(state.townOf('incidents', 'none')).toBeUndefined();
  });
});
