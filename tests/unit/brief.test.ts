// The daily brief's computation on the real geography, against figures computed by hand in the comments.
// The day is 2025-07-20 (Asia/Shanghai); its comparison day the same weekday a week earlier, 2025-07-13. Town:
// 张家湾镇; one ticket and one alert in 宋庄镇 must appear in the district's brief only.
import { beforeAll, describe, expect, it } from 'vitest';
import type { AreaKey } from '../../server/contract/areas';
import { Brief } from '../../server/contract/brief';
import type { Place, StoredEvent } from '../../server/contract/events';
import { checker } from '../../server/contract/validate';
import { interiorPoint } from '../../server/geo/interior';
import { loadGeo, type Geo } from '../../server/geo/load';
import { createLocator } from '../../server/geo/locate';
import { createBriefFold, dateOfDay, dayOfDate, median } from '../../server/reports/brief';
import { createBriefSchedule, localHour } from '../../server/reports/brief-schedule';
import { ClusterCells } from '../../server/live/coverage';
import { localDay } from '../../server/contract/time';
import { GEO_DIR } from '../helpers/paths';

const TOWN = 'town:110112105' as AreaKey;
const DISTRICT = 'district:110112' as AreaKey;
const A1 = 'g-110112105-1000-0026-0030';
const S1 = 'g-110112104-1000-0012-0051';
const J = (day: number, hm: string) => `2025-07-${String(day).padStart(2, '0')}T${hm}+08:00`;
const DAY = dayOfDate('2025-07-20')!;
const MIN = 60_000;

let geo: Geo;
let events: StoredEvent[];
let town: Brief;
let district: Brief;
let checkpointId: string;
let clusterKey: AreaKey;
let clusterSubcells: number;

function build(): void {
  const locator = createLocator(geo);
  const spot = (gridId: string) => {
    const f = geo.layers.grid.features.find((x) => x.properties.id === gridId)!;
    const [lon, lat] = interiorPoint(f.geometry as never);
    return { lon, lat, place: locator.locate(lon, lat)! };
  };
  let seq = 0;
  events = [];
  const push = (event: Record<string, unknown>, place?: Place) => {
    seq++;
    const stored = {
      seq,
      receivedAt: event.time,
      event: { id: `e${seq}`, source: 'simulator', ...event },
    } as StoredEvent;
    if (place) stored.place = place;
    events.push(stored);
  };
  const create = (ticketId: string, time: string, gridId: string, urgency = 'normal', channel = 'hotline_12345') => {
    const s = spot(gridId);
    push(
      {
        kind: 'ticket.created',
        time,
        ticketId,
        category: 'e_bike',
        urgency,
        channel,
        title: `工单 ${ticketId}`,
        location: { lon: s.lon, lat: s.lat },
      },
      s.place,
    );
  };
  const close = (ticketId: string, time: string, resolved: boolean) =>
    push({ kind: 'ticket.closed', time, ticketId, resolved });
  const rate = (ticketId: string, time: string, satisfied: boolean) =>
    push({ kind: 'ticket.rated', time, ticketId, satisfied });
  const supervise = (ticketId: string, time: string) =>
    push({ kind: 'ticket.supervised', time, ticketId, by: '区指挥中心', level: 'district' });

  // The comparison day, the 13th: W1 created, answered and closed resolved, rated satisfied: every rate 100 %.
  create('W1', J(13, '08:00:00'), A1);
  close('W1', J(13, '09:00:00'), true);
  rate('W1', J(13, '10:00:00'), true);
  // The 19th: U1 urgent, due to be resolved by 20 12:00 and never closed: 12 h late at the end of the 20th.
  create('U1', J(19, '12:00:00'), A1, 'urgent');
  // One second before Beijing midnight: the 19th, not the 20th (in UTC both are the 19th).
  create('T1', J(19, '23:59:59'), A1);
  // 督办 of T1 at the 19th's last instant: the 19th's, not the 20th's.
  supervise('T1', J(19, '23:59:59.999'));
  // Beijing midnight itself starts the 20th.
  create('T2', J(20, '00:00:00'), A1);
  close('T1', J(20, '09:00:00'), false);
  close('T2', J(20, '10:00:00'), true);
  rate('T1', J(20, '12:00:00'), false);
  rate('T2', J(20, '11:00:00'), true);
  // T3 was raised by a grid worker on patrol (未诉先办).
  create('T3', J(20, '23:59:59'), A1, 'normal', 'grid_worker');
  create('S', J(20, '10:00:00'), S1);
  // U1 supervised twice on the 20th (the second at its last instant): one ticket supervised that day.
  supervise('U1', J(20, '12:30:00'));
  supervise('U1', J(20, '23:59:59.999'));

  // Flood: a gauge of the town below blue, then yellow, then its peak between orange and red, then down.
  const cp = geo.layers.checkpoints.features.find(
    (f) => f.properties.townId === '110112105' && f.properties.kind === 'gauge',
  )!.properties;
  checkpointId = cp.id;
  const th = cp.thresholds;
  const reading = (time: string, level: number) => push({ kind: 'flood.reading', time, checkpointId: cp.id, level });
  reading(J(19, '23:00:00'), th.red + 0.5); // the 19th: not the 20th's peak
  reading(J(20, '01:00:00'), th.blue - 0.5);
  reading(J(20, '03:00:00'), (th.yellow + th.orange) / 2);
  reading(J(20, '05:00:00'), (th.orange + th.red) / 2);
  reading(J(20, '08:00:00'), th.blue - 0.5);
  push({ kind: 'flood.response', time: J(20, '06:00:00'), level: 'IV', area: TOWN, note: '启动四级响应' });

  // Patrol: one position in a forest cluster of the town on the 20th: one sub-cell walked.
  const cluster = geo.layers.forest.features.find((f) => f.properties.townId === '110112105')!;
  clusterKey = `forest:${cluster.properties.id}`;
  clusterSubcells = new ClusterCells(cluster.geometry as never, 100).total;
  const [lon, lat] = interiorPoint(cluster.geometry as never);
  const place = locator.locate(lon, lat)!;
  push(
    {
      kind: 'patrol.started',
      time: J(20, '09:00:00'),
      patrolId: 'P1',
      rangerId: 'R1',
      clusterId: cluster.properties.id,
      location: { lon, lat },
    },
    place,
  );
  push(
    { kind: 'patrol.position', time: J(20, '09:05:00'), rangerId: 'R1', patrolId: 'P1', location: { lon, lat } },
    place,
  );

  // Alerts: acknowledged after 30 min; raised 23:50, acknowledged after midnight (20 min); never acknowledged;
  // raised on the 19th (not in the brief); and one in 宋庄镇.
  const raise = (alertId: string, time: string, area: AreaKey, severity: string) =>
    push({
      kind: 'alert.raised',
      source: 'rules',
      time,
      alertId,
      rule: 'fire_risk',
      severity,
      area,
      town: area,
      level: 'town',
      title: `告警 ${alertId}`,
      subjects: [{ kind: 'incident', id: alertId }],
    });
  const ack = (alertId: string, time: string) =>
    push({
      kind: 'alert.acknowledged',
      source: 'console',
      time,
      alertId,
      by: { id: 'officer-zjw', name: '值班员', role: 'officer' },
    });
  raise('A1', J(20, '10:00:00'), TOWN, 'warning');
  ack('A1', J(20, '10:30:00'));
  raise('A2', J(20, '23:50:00'), TOWN, 'severe');
  raise('A3', J(20, '14:00:00'), TOWN, 'severe');
  raise('A0', J(19, '22:00:00'), TOWN, 'warning');
  ack('A0', J(19, '22:05:00'));
  raise('AS', J(20, '11:00:00'), 'town:110112104' as AreaKey, 'info');
  // The 21st: closes the 20th (T3's supervision at midnight is the 21st's); the acknowledgement after midnight
  // still counts for A2.
  supervise('T3', J(21, '00:00:00'));
  create('T4', J(21, '00:00:00'), A1);
  ack('A2', J(21, '00:10:00'));

  const fold = createBriefFold(geo, {}, DAY);
  // In two batches, split in the middle of the 20th: the fold must not depend on the store's batch size.
  fold.apply(events.slice(0, 12));
  fold.apply(events.slice(12));
  const briefs = fold.finish(Date.parse(J(21, '07:00:00')), 'scheduled');
  town = briefs.get(TOWN)!;
  district = briefs.get(DISTRICT)!;
}

beforeAll(async () => {
  geo = await loadGeo(GEO_DIR);
  build();
});

describe('the daily brief of one day', () => {
  it('matches its contract, for the town and the district', () => {
    const check = checker(Brief);
    expect(check(town).ok, JSON.stringify(check(town))).toBe(true);
    expect(check(district).ok).toBe(true);
    expect(town.area).toEqual({ key: TOWN, name: '张家湾镇', level: 'town' });
    expect(district.area.level).toBe('district');
    expect(town).toMatchObject({
      date: '2025-07-20',
      from: '2025-07-20T00:00:00+08:00',
      to: '2025-07-21T00:00:00+08:00',
      source: 'scheduled',
      generatedAt: '2025-07-21T07:00:00+08:00',
    });
  });

  it("counts the day's tickets by Beijing midnight, and its rates as the KPIs define them", () => {
    // Created on the 20th: T2 (00:00:00) and T3 (23:59:59); T1 (19th 23:59:59) and T4 (21st 00:00) are not.
    // Closed: T1 (unresolved) and T2 (resolved); rated: T2 satisfied, T1 not. Both answered (closed) in time;
    // T3 is still inside its response deadline and counts in neither part.
    const d = town.tickets.day;
    expect(d).toMatchObject({
      date: '2025-07-20',
      created: 2,
      closed: 2,
      responseRate: 1,
      resolutionRate: 0.5,
      satisfactionRate: 0.5,
    });
    expect(d.composite).toBeCloseTo(0.2 * 1 + 0.4 * 0.5 + 0.4 * 0.5, 12);
    // Open at 24:00: U1 and T3; overdue: U1.
    expect(d).toMatchObject({ open: 2, overdue: 1 });
    // 未诉先办: of the two created, T3 was a grid worker's: 1 of 2.
    expect(d).toMatchObject({ proactive: 1, created: 2 });
    // The district adds the 宋庄镇 ticket, created and open, from the hotline: 1 of 3.
    expect(district.tickets.day).toMatchObject({ created: 3, proactive: 1, closed: 2, open: 3, overdue: 1 });
    expect(town.tickets.byCategory).toEqual({ e_bike: 2 });
    // 督办: U1 supervised (twice) that day and open under supervision at 24:00; T1's (the 19th's) is closed.
    expect(d).toMatchObject({ supervised: 1, supervisedOpen: 1 });
    expect(district.tickets.day).toMatchObject({ supervised: 1, supervisedOpen: 1 });
    // The 19th: T1, supervised at its last instant and open at its end.
    expect(town.tickets.daily[6]).toMatchObject({ supervised: 1, supervisedOpen: 1 });
  });

  it('compares with the same weekday a week earlier, and charts the eight days between', () => {
    expect(town.tickets.weekBefore).toEqual({
      date: '2025-07-13',
      created: 1,
      proactive: 0,
      closed: 1,
      responseRate: 1,
      resolutionRate: 1,
      satisfactionRate: 1,
      composite: 1,
      open: 0,
      overdue: 0,
      supervised: 0,
      supervisedOpen: 0,
    });
    expect(town.tickets.daily.map((x) => x.date)).toEqual(
      ['13', '14', '15', '16', '17', '18', '19', '20'].map((d) => `2025-07-${d}`),
    );
    // The 19th: U1 and T1 created; U1's 2 h response deadline (14:00) passed unanswered: 0 %.
    expect(town.tickets.daily[6]).toMatchObject({
      created: 2,
      closed: 0,
      responseRate: 0,
      resolutionRate: null,
      open: 2,
      overdue: 0,
    });
    expect(town.tickets.daily.slice(1, 6).every((x) => x.created === 0 && x.responseRate === null)).toBe(true);
  });

  it('lists the overdue tickets at the end of the day with how late', () => {
    expect(town.overdue.total).toBe(1);
    expect(town.overdue.items[0]).toMatchObject({
      id: 'U1',
      urgency: 'urgent',
      lateMs: 12 * 60 * MIN,
      cell: `grid:${A1}`,
      town: '张家湾镇',
    });
    expect(town.overdue.items[0]!.cellName).not.toContain('张家湾镇');
  });

  it("ranks the town's cells as the landing does, and every town for the district", () => {
    expect(town.worstCells.total).toBe(geo.tree.children[TOWN]!.filter((k) => k.startsWith('grid:')).length);
    // Only A1 has a composite, of the month up to the 20th: responses W1, T1, T2 in time and U1 missed (3/4),
    // W1 and T2 resolved and satisfied, T1 neither (2/3 each). The lowest composite is first (on 3 tickets,
    // under the floor, yet before the cells without one), cells without one follow.
    expect(town.worstCells.items[0]).toMatchObject({ key: `grid:${A1}`, created: 2, overdue: 1 });
    expect(town.worstCells.items[0]!.composite).toBeCloseTo(0.2 * 0.75 + 0.4 * (2 / 3) + 0.4 * (2 / 3), 12);
    expect(town.worstCells.items[0]!.sample).toEqual({ response: 4, resolution: 3, satisfaction: 3 });
    // 未诉先办 of the month up to the 20th: W1, U1, T1, T2 and T3 created in A1, T3 by a grid worker: 1 of 5.
    expect(town.worstCells.items[0]).toMatchObject({ proactiveShare: 0.2, monthCreated: 5 });
    expect(district.towns).toHaveLength(22);
    expect(district.towns![0]!.key).toBe(TOWN);
    expect(town.towns).toBeUndefined();
  });

  it('names the checkpoints that reached a warning colour that day, with the peak and when', () => {
    expect(town.flood.checkpoints).toHaveLength(1);
    const th = geo.layers.checkpoints.features.find((f) => f.properties.id === checkpointId)!.properties.thresholds;
    expect(town.flood.checkpoints[0]).toMatchObject({
      id: checkpointId,
      color: 'orange',
      peakAt: '2025-07-20T05:00:00+08:00',
      firstWarningAt: '2025-07-20T03:00:00+08:00',
      readings: 4,
    });
    expect(town.flood.checkpoints[0]!.peakLevel).toBeCloseTo((th.orange + th.red) / 2, 9);
    expect(town.flood.responses).toEqual([
      { at: '2025-07-20T06:00:00+08:00', level: 'IV', area: TOWN, note: '启动四级响应' },
    ]);
    expect(town.flood.responseLevelAtEnd).toBe('IV');
    expect(district.flood.checkpoints.map((c) => c.id)).toEqual([checkpointId]);
  });

  it('gives the patrol coverage per forest cluster of the day', () => {
    const c = town.patrol.clusters.find((x) => x.key === clusterKey)!;
    expect(c.coverage).toBeCloseTo(1 / clusterSubcells, 12);
    expect(c.lastPatrolAt).not.toBeNull();
    const others = town.patrol.clusters.filter((x) => x.key !== clusterKey);
    expect(others.every((x) => x.coverage === 0)).toBe(true);
    // Least walked first.
    expect(town.patrol.clusters.at(-1)!.key).toBe(clusterKey);
  });

  it("counts the day's alerts and how fast they were acknowledged", () => {
    // A1: 30 min; A2: raised 23:50, acknowledged 00:10 the next day: 20 min; A3: never. A0 was the 19th's.
    expect(town.alerts).toMatchObject({
      raised: 3,
      acknowledged: 2,
      unacknowledged: 1,
      medianAckMs: 25 * MIN,
      worstAckMs: 30 * MIN,
      bySeverity: { info: 0, warning: 1, severe: 2 },
    });
    expect(town.alerts.items.map((a) => a.id).sort()).toEqual(['A1', 'A2', 'A3']);
    expect(town.alerts.items.find((a) => a.id === 'A3')).toMatchObject({ status: 'open', ackMs: null });
    expect(district.alerts.raised).toBe(4);
    expect(JSON.stringify(town)).not.toContain('110112104');
  });
});

describe('dates, medians and the hour', () => {
  it('reads and writes local calendar days', () => {
    expect(dateOfDay(DAY)).toBe('2025-07-20');
    expect(dayOfDate('2025-02-30')).toBeUndefined();
    expect(dayOfDate('20250720')).toBeUndefined();
    // Beijing midnight is 16:00 UTC the day before.
    expect(localDay(Date.parse('2025-07-19T16:00:00Z'))).toBe(DAY);
    expect(localDay(Date.parse('2025-07-19T15:59:59.999Z'))).toBe(DAY - 1);
    expect(localHour(Date.parse('2025-07-19T23:30:00Z'))).toBe(7);
  });

  it('takes the middle of an even count as the mean of the two middle values', () => {
    expect(median([])).toBeNull();
    expect(median([5])).toBe(5);
    expect(median([30, 10, 20])).toBe(20);
    expect(median([40, 10, 30, 20])).toBe(25);
  });
});

describe('the morning schedule', () => {
  it("computes yesterday's briefs once the clock passes the hour, and answers from them", async () => {
    let t = Date.parse(J(21, '06:59:00'));
    const runs: { day: number; source: string; at: number }[] = [];
    const schedule = createBriefSchedule({
      hour: 7,
      now: () => t,
      compute: async (day, at, source) => {
        runs.push({ day, source, at });
        return new Map([[TOWN, { date: dateOfDay(day), source, generatedAt: String(at) } as unknown as Brief]]);
      },
    });
    expect(schedule.tick()).toBeUndefined();
    // Before the hour: on demand, and kept for the next request.
    expect((await schedule.get(DAY, TOWN))!.source).toBe('on-demand');
    await schedule.get(DAY, TOWN);
    expect(runs).toHaveLength(1);
    t = Date.parse(J(21, '07:00:00'));
    await schedule.tick();
    expect(runs.at(-1)).toEqual({ day: DAY, source: 'scheduled', at: t });
    expect(schedule.scheduledDay).toBe(DAY);
    // Later that morning: the scheduled one, computed no more.
    t = Date.parse(J(21, '09:30:00'));
    expect(schedule.tick()).toBeUndefined();
    const b = (await schedule.get(DAY, TOWN))!;
    expect(b.source).toBe('scheduled');
    expect(Number(b.generatedAt)).toBe(Date.parse(J(21, '07:00:00')));
    expect(runs).toHaveLength(2);
    // Another day, asked for: on demand.
    expect((await schedule.get(DAY - 3, TOWN))!.source).toBe('on-demand');
    expect(runs).toHaveLength(3);
  });

  it('waits for the log to be ready', async () => {
    let ready = false;
    const runs: number[] = [];
    const schedule = createBriefSchedule({
      hour: 7,
      now: () => Date.parse(J(21, '08:00:00')),
      ready: () => ready,
      compute: async (day) => {
        runs.push(day);
        return new Map();
      },
    });
    expect(schedule.tick()).toBeUndefined();
    ready = true;
    await schedule.tick();
    expect(runs).toEqual([DAY]);
  });
});
