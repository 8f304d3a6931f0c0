// The leader's landing on the real geography and the real live state, against figures computed by hand in the
// comments. Town: 张家湾镇 (110112105). Village A = 姚辛庄村 (two cells; two committees of that name), B =
// 张辛庄村 (one cell), C = 牌楼营村 (one cell); and one cell of 宋庄镇, whose tickets must never show.
import { beforeAll, describe, expect, it } from 'vitest';
import type { AreaKey } from '../../server/contract/areas';
import type { OpsEvent, Place, StoredEvent } from '../../server/contract/events';
import { Landing } from '../../server/contract/landing';
import { checker } from '../../server/contract/validate';
import { interiorPoint } from '../../server/geo/interior';
import { loadGeo, type Geo } from '../../server/geo/load';
import { createLocator } from '../../server/geo/locate';
import {
  buildLanding,
  compareWorst,
  indexUnits,
  shortCellName,
  unitNameOfCell,
  type LandingSources,
} from '../../server/reports/landing';
import { createLiveState } from '../../server/live/state';
import { createWeeklyTickets } from '../../server/live/weekly';
import { GEO_DIR } from '../helpers/paths';

const TOWN = 'town:110112105' as AreaKey;
const A1 = 'g-110112105-1000-0026-0030';
const A2 = 'g-110112105-1000-0027-0030';
const B1 = 'g-110112105-1000-0019-0027';
const C1 = 'g-110112105-1000-0019-0032';
const S1 = 'g-110112104-1000-0012-0051';
const NOW = Date.parse('2025-07-20T16:00:00+08:00');
/** Local (Asia/Shanghai) time on a July 2025 day. */
const J = (day: number, hm: string) => `2025-07-${String(day).padStart(2, '0')}T${hm}:00+08:00`;

type Bare<T> = T extends unknown ? Omit<T, 'id' | 'source'> : never;
type Created = Extract<OpsEvent, { kind: 'ticket.created' }>;

let geo: Geo;
let events: StoredEvent[];
/** The landing in today's window (the hand counts below are of the day), and in the default window (the month). */
let body: Landing;
let month: Landing;

function build(): void {
  const locator = createLocator(geo);
  const spot = (gridId: string) => {
    const f = geo.layers.grid.features.find((x) => x.properties.id === gridId)!;
    const [lon, lat] = interiorPoint(f.geometry as never);
    const place: Place = locator.locate(lon, lat)!;
    expect(place.gridId).toBe(gridId);
    return { lon, lat, place };
  };
  let seq = 0;
  events = [];
  const push = (event: Bare<OpsEvent>, place?: Place) => {
    seq++;
    const stored: StoredEvent = {
      seq,
      receivedAt: event.time,
      event: { ...event, id: `e${seq}`, source: 'simulator' } as OpsEvent,
    };
    if (place) stored.place = place;
    events.push(stored);
  };
  const create = (ticketId: string, time: string, gridId: string, extra: Partial<Bare<Created>> = {}) => {
    const s = spot(gridId);
    push(
      {
        kind: 'ticket.created',
        time,
        ticketId,
        category: 'e_bike',
        urgency: 'normal',
        channel: 'hotline_12345',
        title: `工单 ${ticketId}`,
        location: { lon: s.lon, lat: s.lat },
        ...extra,
      },
      s.place,
    );
  };
  const close = (ticketId: string, time: string, resolved: boolean) =>
    push({ kind: 'ticket.closed', time, ticketId, resolved });
  const rate = (ticketId: string, time: string, satisfied: boolean) =>
    push({ kind: 'ticket.rated', time, ticketId, satisfied });

  // Two weeks ago and last week (all closed the same day, so they leave nothing open).
  create('P5', J(6, '16:00'), C1, { category: 'noise' }); // exactly now − 14 d: in neither week
  close('P5', J(6, '17:00'), true);
  create('P1', J(10, '09:00'), A1, { category: 'noise' });
  close('P1', J(10, '10:00'), true);
  create('P2', J(12, '09:00'), B1, { category: 'noise' });
  close('P2', J(12, '10:00'), true);
  create('P3', J(13, '15:00'), B1, { category: 'noise' });
  close('P3', J(13, '15:30'), true);
  create('P4', J(13, '16:00'), B1, { category: 'noise' }); // exactly now − 7 d: still the week before
  close('P4', J(13, '16:30'), true);
  // This week, still open and overdue: urgent tickets are due in 24 h.
  // T5 and T3 were raised by a grid worker on patrol (未诉先办); every other ticket came through the hotline.
  create('T5', J(18, '12:00'), A1, { urgency: 'urgent', channel: 'grid_worker' }); // due 19 12:00: 28 h late
  create('T4', J(19, '08:00'), B1, { urgency: 'urgent', category: 'heating' }); // due 20 08:00: 8 h late
  // Today, closed and rated.
  create('T1', J(20, '09:00'), A1);
  close('T1', J(20, '10:00'), true);
  rate('T1', J(20, '11:00'), true);
  create('T6', J(20, '09:30'), A1);
  close('T6', J(20, '10:30'), true);
  rate('T6', J(20, '11:30'), true);
  create('T2', J(20, '08:00'), A2);
  close('T2', J(20, '11:00'), false);
  rate('T2', J(20, '12:00'), false);
  create('T3', J(20, '10:00'), B1, { category: 'noise', channel: 'grid_worker' });
  close('T3', J(20, '12:00'), true);
  rate('T3', J(20, '13:00'), true);
  // 宋庄镇: overdue, created this week, and one closed unresolved today.
  create('S1', J(19, '09:00'), S1, { urgency: 'urgent', title: '宋庄镇的工单' });
  create('S2', J(20, '09:00'), S1);
  close('S2', J(20, '10:00'), false);

  // The weeks hear the live state as it folds, as in the app.
  const weekly = createWeeklyTickets(geo);
  const live = createLiveState(
    geo,
    { zeroComplaintSinceMs: Date.parse(J(1, '00:00')) },
    Date.parse(J(6, '00:00')),
    weekly.observer,
  );
  live.apply(events);
  weekly.apply(events);
  live.advance(NOW);
  const src: LandingSources = { tree: geo.tree, units: indexUnits(geo.layers.grid, geo.layers.villages), live, weekly };
  body = buildLanding(src, TOWN, NOW, 'today')!;
  month = buildLanding(src, TOWN, NOW)!;
}

beforeAll(async () => {
  geo = await loadGeo(GEO_DIR);
  build();
});

const unit = (name: string) => body.units.find((u) => u.name === name);

describe('the landing of a town', () => {
  it('matches its contract', () => {
    expect(checker(Landing)(body).ok).toBe(true);
    expect(body.town).toEqual({ key: TOWN, name: '张家湾镇' });
  });

  it('reads the rates of the month by default, with what each rests on', () => {
    expect(month.window).toBe('month');
    expect(body.window).toBe('today');
    // July in the town: P5, P1–P4 closed resolved (July 6–13), and today's T1, T6, T3 resolved, T2 not: 8 of 9.
    // Responses: those nine closes in time, T5 and T4 (urgent, 2 h) missed: 9 of 11. Ratings: today's 3 of 4.
    expect(month.kpis.sample).toEqual({ response: 11, resolution: 9, satisfaction: 4 });
    expect(month.kpis.resolutionRate).toBeCloseTo(8 / 9, 12);
    expect(month.kpis.responseRate).toBeCloseTo(9 / 11, 12);
    expect(month.kpis.satisfactionRate).toBeCloseTo(3 / 4, 12);
    expect(month.kpis.composite).toBeCloseTo(0.2 * (9 / 11) + 0.4 * (8 / 9) + 0.4 * (3 / 4), 12);
    // Counts are of now whatever the window.
    expect(month.kpis).toMatchObject({ open: 2, overdue: 2, newToday: 4 });
    expect(month.minSample).toBe(10);
  });

  it("shows the town's KPIs, and the district average: district rates, counts per town", () => {
    // Today in the town: T1, T6, T2, T3 created and closed; T1, T6, T3 resolved and satisfied, T2 neither;
    // every response (the close) in time. Open: T4, T5, both overdue.
    expect(body.kpis).toMatchObject({ open: 2, overdue: 2, nearDeadline: 0, newToday: 4, responseRate: 1 });
    expect(body.kpis.resolutionRate).toBeCloseTo(3 / 4, 12);
    expect(body.kpis.satisfactionRate).toBeCloseTo(3 / 4, 12);
    expect(body.kpis.composite).toBeCloseTo(0.2 * 1 + 0.4 * 0.75 + 0.4 * 0.75, 12);
    // District: also S1 (open, overdue) and S2 (closed unresolved today, not rated): 22 towns.
    expect(body.district.towns).toBe(22);
    expect(body.district.kpis.open).toBeCloseTo(3 / 22, 12);
    expect(body.district.kpis.overdue).toBeCloseTo(3 / 22, 12);
    expect(body.district.kpis.newToday).toBeCloseTo(5 / 22, 12);
    expect(body.district.kpis.resolutionRate).toBeCloseTo(3 / 5, 12);
    expect(body.district.kpis.satisfactionRate).toBeCloseTo(3 / 4, 12);
  });

  it("shows the share found before anyone called (未诉先办) with what it rests on, in the rates' window", () => {
    // Today: T1, T6, T2, T3 created in the town, T3 by a grid worker: 1 of 4.
    expect(body.kpis).toMatchObject({ proactiveShare: 1 / 4, created: 4 });
    // The month: P5, P1–P4, T5, T4, T1, T6, T2, T3 created in July; T5 and T3 by a grid worker: 2 of 11.
    expect(month.kpis.proactiveShare).toBeCloseTo(2 / 11, 12);
    expect(month.kpis.created).toBe(11);
    // The district's own share and count (not per town): S2 is the fifth ticket created today.
    expect(body.district.kpis).toMatchObject({ proactiveShare: 1 / 5, created: 5 });
    // Villages pooled: 张辛庄村 (T3) 1 of 1; 姚辛庄村 (T1, T6, T2) 0 of 3; a village with nothing created: none.
    expect(unit('张辛庄村')!.kpis).toMatchObject({ proactiveShare: 1, created: 1 });
    expect(unit('姚辛庄村')!.kpis).toMatchObject({ proactiveShare: 0, created: 3 });
    expect(body.units[body.units.length - 1]!.kpis).toMatchObject({ proactiveShare: null, created: 0 });
  });

  it('ranks villages worst first, pooling their cells', () => {
    const a = unit('姚辛庄村')!;
    // Two committees share the name; the cells cannot tell them apart, so they form one unit.
    expect(a.villageIds).toHaveLength(2);
    expect(a.cells).toBe(2);
    // Pooled: resolved 2 of 3 (T1, T6 of T1, T6, T2), satisfied 2 of 3; the mean of the two cells' rates
    // would say 1/2 instead.
    expect(a.kpis.resolutionRate).toBeCloseTo(2 / 3, 12);
    expect(a.kpis.composite).toBeCloseTo(0.2 + 0.4 * (2 / 3) + 0.4 * (2 / 3), 12);
    expect(a.kpis).toMatchObject({ open: 1, overdue: 1, newToday: 3 });
    // Its worst cell is A2 (composite 0.2 against A1's 1).
    expect(a.focus).toBe(`grid:${A2}`);
    const b = unit('张辛庄村')!;
    expect(b.kpis).toMatchObject({ composite: 1, open: 1, overdue: 1, newToday: 1 });
    // A (0.73) before B (1), and both before every village with no rate today (composite null).
    expect(body.units[0]!.name).toBe('姚辛庄村');
    expect(body.units[1]!.name).toBe('张辛庄村');
    expect(body.units.slice(2).every((u) => u.kpis.composite === null)).toBe(true);
    // Every village of the town that a cell names, once: 55 in the shipped data.
    expect(body.units).toHaveLength(55);
  });

  it('ranks grid cells worst first, capped, named without the town', () => {
    expect(body.cells.total).toBe(138);
    expect(body.cells.items).toHaveLength(20);
    expect(body.cells.items.slice(0, 3).map((c) => c.key)).toEqual([`grid:${A2}`, `grid:${A1}`, `grid:${B1}`]);
    expect(body.cells.items[0]!.name).toBe('姚辛庄村·1号网格');
    expect(body.cells.items.every((c) => !c.name.startsWith('张家湾镇'))).toBe(true);
  });

  it('lists overdue tickets longest overdue first, with how late each is', () => {
    expect(body.overdue.total).toBe(2);
    expect(body.overdue.items.map((t) => [t.id, t.lateMs, t.unit])).toEqual([
      ['T5', 28 * 3600_000, '姚辛庄村'],
      ['T4', 8 * 3600_000, '张辛庄村'],
    ]);
  });

  it('compares this week with the week before, per category and per village', () => {
    // This week (after 07-13 16:00): T5, T1, T6, T2 e_bike; T4 heating; T3 noise. Before: P1–P4 noise (P4 at
    // the boundary belongs to the week before; P5 at 07-06 16:00 to neither).
    expect(body.week.total).toEqual({ thisWeek: 6, previous: 4, change: 2 });
    expect(body.week.byCategory).toEqual([
      { category: 'e_bike', thisWeek: 4, previous: 0, change: 4 },
      { category: 'heating', thisWeek: 1, previous: 0, change: 1 },
      { category: 'noise', thisWeek: 1, previous: 4, change: -3 },
    ]);
    // A: 4 against P1; B: T4, T3 against P2–P4 (fell: not listed).
    expect(body.week.byUnit).toEqual([
      { key: unit('姚辛庄村')!.key, name: '姚辛庄村', focus: `grid:${A2}`, thisWeek: 4, previous: 1, change: 3 },
    ]);
  });

  it('lists 零诉求 streaks longest first', () => {
    const days = new Map(body.streaks.map((s) => [s.name, s.days]));
    // Baseline 07-01; today 07-20 is not counted. Untouched villages: 07-01..07-19 = 19 days. C: last ticket on
    // 07-06, so 07-07..07-19 = 13. A: T5 on 07-18 in A1, so only 07-19 = 1. B: T4 on 07-19: no streak.
    expect(days.get('牌楼营村')).toBe(13);
    expect(days.get('姚辛庄村')).toBe(1);
    expect(days.has('张辛庄村')).toBe(false);
    expect(body.streaks[0]!.days).toBe(19);
    expect(body.streaks.at(-1)).toMatchObject({ name: '姚辛庄村', days: 1 });
    const order = body.streaks.map((s) => s.days);
    expect(order).toEqual([...order].sort((x, y) => y - x));
  });

  it('holds nothing of another town', () => {
    const text = JSON.stringify(body);
    expect(text).not.toContain('宋庄');
    expect(text).not.toContain('110112104');
    expect(text).not.toMatch(/"S[12]"/);
    for (const key of [...body.units.map((u) => u.focus), ...body.cells.items.map((c) => c.key)]) {
      expect(geo.tree.nodes[key]!.parent).toBe(TOWN);
    }
  });
});

describe('landing helpers', () => {
  it('reads the village from a grid cell name', () => {
    expect(unitNameOfCell('张家湾镇·三间房村·2号网格')).toBe('三间房村');
    expect(unitNameOfCell('网格 12')).toBeUndefined();
    expect(shortCellName('张家湾镇·三间房村·2号网格')).toBe('三间房村·2号网格');
  });

  it('orders worst first: low composite, then no data, ties by overdue then open', () => {
    const row = (name: string, composite: number | null, overdue: number, open: number, sample = 20) => ({
      name,
      kpis: {
        composite,
        sample: { response: sample, resolution: sample, satisfaction: sample },
        overdue,
        open,
        responseRate: null,
        resolutionRate: null,
        satisfactionRate: null,
        nearDeadline: 0,
        newToday: 0,
        proactiveShare: null,
        created: 0,
      },
    });
    const rows = [row('d', null, 9, 9), row('c', 0.9, 0, 1), row('b', 0.9, 2, 0), row('a', 0.5, 0, 0)];
    expect(rows.sort(compareWorst).map((r) => r.name)).toEqual(['a', 'b', 'c', 'd']);
    // A composite on two ratings (the floor is 10) is listed after the ranked rows, before those without data.
    const thin = [row('d', null, 9, 9), row('e', 0.1, 5, 5, 2), row('c', 0.9, 0, 1), row('a', 0.5, 0, 0)];
    expect(thin.sort(compareWorst).map((r) => r.name)).toEqual(['a', 'c', 'e', 'd']);
  });

  it('answers nothing for a key that is not a town', () => {
    const live = createLiveState(geo, {}, NOW);
    const src: LandingSources = {
      tree: geo.tree,
      units: indexUnits(geo.layers.grid, geo.layers.villages),
      live,
      weekly: createWeeklyTickets(geo),
    };
    expect(buildLanding(src, `grid:${A1}` as AreaKey, NOW)).toBeUndefined();
    expect(buildLanding(src, geo.tree.root as AreaKey, NOW)).toBeUndefined();
  });
});
