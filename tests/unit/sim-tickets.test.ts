// Citizen tickets of the `normal` scenario against the calibration figures of docs/DOMAIN.md: the demand
// table's total a day district-wide (玉桥 ≈ 50), busy urban cells, 解决率 ≈ 83 %, 满意率 ≈ 92 %, responses
// in time. 玉桥's month against its reported figures: tests/integration/sim-calibration.test.ts.
import { beforeAll, describe, expect, it } from 'vitest';
import { TICKET_STATUS_ORDER, type EventOf, type OpsEvent } from '../../server/contract/events';
import { loadGeo, type Geo } from '../../server/geo/load';
import { createLocator } from '../../server/geo/locate';
import { beijing } from '../../server/sim/clock';
import { DEMAND_TOTAL_PER_DAY, TOWN_DEMAND } from '../../server/sim/demand';
import { createSimulator } from '../../server/sim/engine';
import { GEO_DIR } from '../helpers/paths';

const DAY = 86_400_000;
/** A Tuesday in April: no summer or heating factor, a weekday. */
const START = Date.parse('2025-04-15T00:00:00+08:00');
const YUQIAO = '110112004';

let geo: Geo;
let events: OpsEvent[];
let created: EventOf<'ticket.created'>[];

const ticketsOnly = { patrols: { enabled: false }, flood: { enabled: false } } as const;
const kind = <K extends OpsEvent['kind']>(list: OpsEvent[], k: K) => list.filter((e): e is EventOf<K> => e.kind === k);

beforeAll(async () => {
  geo = await loadGeo(GEO_DIR);
  // Four days, so that enough tickets have gone through to closing and follow-up to measure the rates.
  events = createSimulator({ geo, scenario: 'normal', seed: 1, start: START, tune: ticketsOnly }).next(START + 4 * DAY);
  created = kind(events, 'ticket.created');
});

describe('normal tickets', () => {
  it('makes a calibrated number a day: the demand table’s total district-wide, 玉桥 near its 50', () => {
    const day1 = created.filter((e) => Date.parse(e.time) < START + DAY);
    expect(day1.length).toBeGreaterThan(0.85 * DEMAND_TOTAL_PER_DAY);
    expect(day1.length).toBeLessThan(1.15 * DEMAND_TOTAL_PER_DAY);
    const locator = createLocator(geo);
    const perDayYuqiao =
      created.filter((e) => locator.locate(e.location.lon, e.location.lat)?.townId === YUQIAO).length / 4;
    expect(perDayYuqiao).toBeGreaterThan(30);
    expect(perDayYuqiao).toBeLessThan(75);
  });

  it('places tickets inside the district, the urban towns taking their share of the demand table', () => {
    const locator = createLocator(geo);
    const urban = new Set(geo.layers.towns.features.filter((t) => t.properties.urban).map((t) => t.properties.id));
    let inUrban = 0;
    for (const e of created) {
      const place = locator.locate(e.location.lon, e.location.lat);
      expect(place, `${e.ticketId} at ${e.location.lon},${e.location.lat}`).not.toBeNull();
      expect(place?.gridId).toBeDefined();
      if (urban.has(place!.townId!)) inUrban++;
    }
    // The streets and urban towns take 520 of the table's 815 a day (64 %).
    const tableUrban =
      Object.entries(TOWN_DEMAND)
        .filter(([id]) => urban.has(id))
        .reduce((s, [, t]) => s + t.perDay, 0) / DEMAND_TOTAL_PER_DAY;
    expect(tableUrban).toBeGreaterThan(0.6);
    expect(Math.abs(inUrban / created.length - tableUrban)).toBeLessThan(0.03);
  });

  it('follows the hour of day: quiet at night, busy mid-morning and afternoon', () => {
    const byHour = new Array<number>(24).fill(0);
    for (const e of created) byHour[Math.floor(beijing(Date.parse(e.time)).hour)]!++;
    const night = byHour.slice(1, 6).reduce((a, b) => a + b, 0) / 5;
    const morning = byHour.slice(9, 12).reduce((a, b) => a + b, 0) / 3;
    const afternoon = byHour.slice(14, 17).reduce((a, b) => a + b, 0) / 3;
    expect(morning).toBeGreaterThan(5 * night);
    expect(afternoon).toBeGreaterThan(5 * night);
  });

  it('lands near 解决率 83 % and 满意率 92 %', () => {
    const closed = kind(events, 'ticket.closed');
    const rated = kind(events, 'ticket.followed_up');
    expect(closed.length).toBeGreaterThan(800);
    expect(rated.length).toBeGreaterThan(400);
    const resolved = closed.filter((e) => e.resolved).length / closed.length;
    const satisfied = rated.filter((e) => e.satisfied).length / rated.length;
    expect(Math.abs(resolved - 0.83)).toBeLessThan(0.05);
    expect(Math.abs(satisfied - 0.92)).toBeLessThan(0.05);
  });

  it('moves each ticket forward through its lifecycle, mostly answering within the response deadline', () => {
    const byTicket = new Map<string, OpsEvent[]>();
    for (const e of events) if ('ticketId' in e) byTicket.set(e.ticketId, [...(byTicket.get(e.ticketId) ?? []), e]);
    let answered = 0;
    let inTime = 0;
    for (const list of byTicket.values()) {
      const first = list[0]!;
      expect(first.kind).toBe('ticket.created');
      if (first.kind !== 'ticket.created') continue;
      let rank = 0;
      let closedAt = -1;
      list.forEach((e, i) => {
        if (e.kind === 'ticket.updated') {
          const r = TICKET_STATUS_ORDER.indexOf(e.status);
          expect(r).toBeGreaterThan(rank);
          rank = r;
          if (e.status === 'in_progress') {
            answered++;
            if (Date.parse(e.time) <= Date.parse(first.responseDueAt!)) inTime++;
          }
        }
        if (e.kind === 'ticket.closed') closedAt = i;
        if (e.kind === 'ticket.followed_up') expect(closedAt).toBeGreaterThan(-1);
        if (e.kind === 'ticket.closed') expect(rank).toBe(TICKET_STATUS_ORDER.indexOf('replied'));
      });
      expect(Date.parse(first.resolveDueAt!)).toBeGreaterThan(Date.parse(first.responseDueAt!));
    }
    expect(answered).toBeGreaterThan(2000);
    expect(inTime / answered).toBeGreaterThan(0.95);
  });

  it('blows the whistle now and then, calling in several departments', () => {
    const escalated = kind(events, 'ticket.escalated');
    expect(escalated.length).toBeGreaterThan(created.length * 0.01);
    expect(escalated.length).toBeLessThan(created.length * 0.1);
    expect(escalated.every((e) => e.departments.length >= 2)).toBe(true);
  });

  it('puts a share of the tickets still open past their deadline under supervision (督办), never before it nor after the close', () => {
    // Sixteen days: a normal ticket is due after seven, so late ones need a longer run than the other tests'.
    const end = START + 16 * DAY;
    const run = createSimulator({ geo, scenario: 'normal', seed: 2, start: START, tune: ticketsOnly }).next(end);
    const created = kind(run, 'ticket.created');
    const supervised = kind(run, 'ticket.supervised');
    const createdById = new Map(created.map((e) => [e.ticketId, e]));
    const closedAt = new Map(kind(run, 'ticket.closed').map((e) => [e.ticketId, Date.parse(e.time)]));
    // Late: past the deadline while open, with at least the supervision's delay left before the close or the run's end.
    const late = created.filter((e) => {
      const due = Date.parse(e.resolveDueAt!);
      return (closedAt.get(e.ticketId) ?? end) > due + 12 * 3_600_000;
    });
    expect(late.length).toBeGreaterThan(20);
    const firstOf = new Map<string, number>();
    for (const s of supervised) {
      const t = createdById.get(s.ticketId)!;
      const at = Date.parse(s.time);
      expect(at).toBeGreaterThan(Date.parse(t.resolveDueAt!));
      expect(at).toBeLessThan(closedAt.get(s.ticketId) ?? Infinity);
      expect(['town', 'district']).toContain(s.level);
      expect(s.by.length).toBeGreaterThan(0);
      if (!firstOf.has(s.ticketId)) firstOf.set(s.ticketId, at);
    }
    const share = late.filter((e) => firstOf.has(e.ticketId)).length / late.length;
    expect(share).toBeGreaterThan(0.4);
    expect(share).toBeLessThan(0.8);
    // A realistic share of all tickets: late ones are a few per cent.
    expect(firstOf.size).toBeLessThan(created.length * 0.1);
  });

  it('uses every citizen channel, and the couriers mostly in 玉桥', () => {
    const channels = new Set(created.map((e) => e.channel));
    expect([...channels].sort()).toEqual(['courier_app', 'grid_worker', 'hotline_12345', 'walk_in', 'wechat']);
    const hotline = created.filter((e) => e.channel === 'hotline_12345').length / created.length;
    expect(hotline).toBeGreaterThan(0.5);
  });

  it('shifts the mix by season: summer waterlogging and noise, winter heating', () => {
    const share = (start: number, category: string) => {
      const list = kind(
        createSimulator({ geo, scenario: 'normal', seed: 5, start, tune: ticketsOnly }).next(start + 2 * DAY),
        'ticket.created',
      );
      return list.filter((e) => e.category === category).length / list.length;
    };
    const spring = START;
    const summer = Date.parse('2025-07-15T00:00:00+08:00');
    const winter = Date.parse('2025-12-16T00:00:00+08:00');
    expect(share(summer, 'waterlogging')).toBeGreaterThan(share(spring, 'waterlogging'));
    expect(share(summer, 'noise')).toBeGreaterThan(share(spring, 'noise'));
    expect(share(winter, 'heating')).toBeGreaterThan(3 * share(spring, 'heating'));
  });

  it('takes its base rate from the parameters', () => {
    const list = kind(
      createSimulator({
        geo,
        scenario: 'normal',
        seed: 1,
        start: START,
        tune: { ...ticketsOnly, tickets: { perDay: 200 } },
      }).next(START + DAY),
      'ticket.created',
    );
    expect(list.length).toBeGreaterThan(150);
    expect(list.length).toBeLessThan(250);
  });
});
