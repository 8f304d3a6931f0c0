// GET /api/v1/trends over the real app (Fastify inject), on a recorded scenario with the clock pinned: tickets
// created, answered, closed and rated across two weeks in two towns, flood readings, ranger positions on two
// days. The trends must say what the KPIs say for the same window: today's tickets per day is the KPI bar's
// "new today", a week whose rate facts all fall today has the KPI bar's rates, the week's creations are the
// landing's week-over-week counts, today's coverage is the live state's, and the rest matches hand counts.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { App } from '../../server/app';
import type { AreaAggregate } from '../../server/contract/live';
import type { PatrolVisited } from '../../server/contract/patrol';
import type { AreaTrends } from '../../server/contract/trends';
import { ClusterCells } from '../../server/live/coverage';
import { createMemoryStore } from '../../server/store/memory';
import type { EventStore } from '../../server/store/types';
import { testApp } from '../helpers/app';
import { principals, sessionHeaders, SONGZHUANG, ZHANGJIAWAN } from '../helpers/auth';
import { getAsAdmin, postEvents } from '../helpers/callers';
import { pointsInTown } from '../helpers/towns';

/** Monday 20 July 2026, 23:30 in Beijing: late enough that "today" holds a whole day of work. */
const NOW = Date.parse('2026-07-20T23:30:00+08:00');
const at = (local: string) => `${local}+08:00`;
const CHECKPOINT = 'cp-liangshui-03'; // a gauge in 张家湾镇
const CLUSTER_ID = 'f-110112105-01'; // a forest cluster of 张家湾镇

interface ForestFeature {
  properties: { id: string; townId: string };
  geometry: { type: string; coordinates: unknown };
}
const forest = JSON.parse(readFileSync(path.join(__dirname, '../../data/geo/forest-clusters.geojson'), 'utf8')) as {
  features: ForestFeature[];
};
const cluster = forest.features.find((f) => f.properties.id === CLUSTER_ID)!;

/** Centres of `n` distinct sub-cells of the cluster (the lattice the server cuts). */
function subCellCentres(n: number): { lon: number; lat: number }[] {
  const cells = new ClusterCells(cluster.geometry, 100);
  const out: { lon: number; lat: number }[] = [];
  for (let r = 0; r < cells.rows && out.length < n; r++) {
    for (let c = 0; c < cells.cols && out.length < n; c++) {
      const lon = cells.west + (c + 0.5) * cells.dLon;
      const lat = cells.south + (r + 0.5) * cells.dLat;
      if (cells.cellOf(lon, lat) >= 0) out.push({ lon, lat });
    }
  }
  return out;
}

const apps: App[] = [];
afterEach(async () => {
  while (apps.length > 0) await apps.pop()!.close();
});

function durable(): EventStore {
  const inner = createMemoryStore();
  return { ...inner, close: async () => {} };
}

async function start(store: EventStore = durable()): Promise<App> {
  const app = await testApp({}, { store, now: () => NOW });
  apps.push(app);
  return app;
}

let n = 0;
const id = () => `e${++n}`;
function created(
  ticketId: string,
  time: string,
  where: { lon: number; lat: number },
  category: string,
  urgency = 'normal',
) {
  return {
    id: id(),
    kind: 'ticket.created',
    time: at(time),
    source: 'hotline_12345',
    ticketId,
    category,
    urgency,
    channel: 'hotline_12345',
    title: '测试工单',
    location: where,
  };
}
const inProgress = (ticketId: string, time: string) => ({
  id: id(),
  kind: 'ticket.updated',
  time: at(time),
  source: 'hotline_12345',
  ticketId,
  status: 'in_progress',
});
const closed = (ticketId: string, time: string, resolved: boolean) => ({
  id: id(),
  kind: 'ticket.closed',
  time: at(time),
  source: 'hotline_12345',
  ticketId,
  resolved,
});
const rated = (ticketId: string, time: string, satisfied: boolean) => ({
  id: id(),
  kind: 'ticket.rated',
  time: at(time),
  source: 'hotline_12345',
  ticketId,
  satisfied,
});
const reading = (time: string, level: number) => ({
  id: id(),
  kind: 'flood.reading',
  time: at(time),
  source: 'sensor',
  checkpointId: CHECKPOINT,
  level,
});
const position = (time: string, where: { lon: number; lat: number }) => ({
  id: id(),
  kind: 'patrol.position',
  time: at(time),
  source: 'ranger_app',
  rangerId: 'rg-1',
  location: where,
});

/** The scenario, in posting order (as a log would hold it: not sorted by time). */
function scenario(app: App) {
  const geo = app.services.geo;
  const [a, b] = [pointsInTown(geo, ZHANGJIAWAN, 1)[0]!, pointsInTown(geo, SONGZHUANG, 1)[0]!];
  const [c1, c2, c3] = subCellCentres(3) as [
    { lon: number; lat: number },
    { lon: number; lat: number },
    { lon: number; lat: number },
  ];
  return [
    // 张家湾镇, the week before (7–13 July): one ticket answered, resolved, satisfied; one created 23:20 on the
    // 13th (10 minutes before now − 7 d: last week for the landing too) and answered and resolved on the 14th.
    created('A5', '2026-07-10T08:00:00', a, 'sanitation'),
    inProgress('A5', '2026-07-10T09:00:00'),
    closed('A5', '2026-07-11T10:00:00', true),
    rated('A5', '2026-07-12T10:00:00', true),
    created('A6', '2026-07-13T23:20:00', a, 'noise'),
    inProgress('A6', '2026-07-14T00:10:00'),
    closed('A6', '2026-07-14T00:20:00', true),
    // This week: one never answered (missed at its deadline, 16 July 08:00), one urgent answered late
    // (missed at 18 July 10:00) and closed unresolved, not satisfied; today one answered, resolved, satisfied
    // and one still inside its response deadline (in neither part of the response rate).
    created('A4', '2026-07-15T08:00:00', a, 'parking'),
    created('A3', '2026-07-18T08:00:00', a, 'e_bike', 'urgent'),
    inProgress('A3', '2026-07-18T12:00:00'),
    closed('A3', '2026-07-19T09:00:00', false),
    rated('A3', '2026-07-19T20:00:00', false),
    created('A1', '2026-07-20T09:00:00', a, 'noise'),
    inProgress('A1', '2026-07-20T10:00:00'),
    closed('A1', '2026-07-20T15:00:00', true),
    rated('A1', '2026-07-20T18:00:00', true),
    created('A2', '2026-07-20T11:00:00', a, 'e_bike'),
    // 宋庄镇: every rate fact of the week falls today. B3 was created yesterday and answered late today.
    created('B3', '2026-07-19T10:00:00', b, 'heating'),
    inProgress('B3', '2026-07-20T11:00:00'),
    created('B1', '2026-07-20T08:00:00', b, 'noise'),
    inProgress('B1', '2026-07-20T08:30:00'),
    closed('B1', '2026-07-20T12:00:00', true),
    rated('B1', '2026-07-20T13:00:00', false),
    created('B2', '2026-07-20T09:00:00', b, 'road'),
    closed('B2', '2026-07-20T10:00:00', false),
    // Flood: three readings in one 10-minute slice, one an hour later, one outside the range asked for.
    reading('2026-07-20T20:00:00', 19.5),
    reading('2026-07-20T20:03:00', 19.91),
    reading('2026-07-20T20:07:00', 19.7),
    reading('2026-07-20T21:04:00', 20.32),
    reading('2026-07-20T18:00:00', 21.5),
    // Patrols: two sub-cells today (one twice), one yesterday.
    position('2026-07-19T15:00:00', c3),
    position('2026-07-20T09:00:00', c1),
    position('2026-07-20T09:05:00', c2),
    position('2026-07-20T09:10:00', c1),
  ];
}

async function trends(app: App, area: string, query = ''): Promise<AreaTrends> {
  const res = await getAsAdmin(app, `/api/v1/trends?area=${encodeURIComponent(area)}${query}`);
  expect(res.statusCode, res.body).toBe(200);
  return res.json() as AreaTrends;
}
async function aggregate(app: App, scope: string, key = scope): Promise<AreaAggregate> {
  const res = await getAsAdmin(app, `/api/v1/aggregates?scope=${encodeURIComponent(scope)}`);
  expect(res.statusCode).toBe(200);
  return (res.json() as { aggregates: AreaAggregate[] }).aggregates.find((x) => x.key === key)!;
}
const range = (from: string, to: string) => `&from=${encodeURIComponent(at(from))}&to=${encodeURIComponent(at(to))}`;

describe('GET /api/v1/trends', () => {
  it('gives the KPIs’ numbers for the same windows, on a recorded scenario', async () => {
    const app = await start();
    const events = scenario(app);
    expect((await postEvents(app, events)).json()).toMatchObject({ accepted: events.length });

    const zjw = await trends(app, ZHANGJIAWAN);
    const zjwKpis = await aggregate(app, ZHANGJIAWAN);
    expect(zjw.days).toHaveLength(30);
    expect(zjw.weeks).toHaveLength(8);
    expect(zjw.level).toBe('town');

    // Tickets per day: today's bucket is the KPI bar's "new today", category by category.
    const today = zjw.days[29]!;
    expect(today.day).toBe('2026-07-20');
    expect(today.created).toBe(zjwKpis.tickets.newToday);
    expect(today.created).toBe(2);
    expect(today.closed).toBe(zjwKpis.tickets.closedToday);
    expect(today.byCategory).toEqual(zjwKpis.tickets.byCategory);
    expect(today.byCategory).toEqual({ noise: 1, e_bike: 1 });
    // Day edges at Beijing midnight: created at 23:20 on the 13th, closed at 00:20 on the 14th.
    const day = (d: string) => zjw.days.find((x) => x.day === d)!;
    expect(day('2026-07-13')).toMatchObject({ created: 1, closed: 0, byCategory: { noise: 1 } });
    expect(day('2026-07-14')).toMatchObject({ created: 0, closed: 1 });
    expect(day('2026-07-19')).toMatchObject({ created: 0, closed: 1 });
    expect(zjw.days[0]!.day).toBe('2026-06-21');

    // This week (14–20 July), by hand: response 2 of 4 settled (A6, A1 in time; A4, A3 missed; A2 pending),
    // resolution 2 of 3 verdicts (A6, A1 resolved; A3 not), satisfaction 1 of 2 ratings (A1; A3 not).
    const week = zjw.weeks[7]!;
    expect(week).toMatchObject({ from: '2026-07-14', to: '2026-07-20', created: 4, closed: 3, responseRate: 0.5 });
    expect(week.resolutionRate).toBeCloseTo(2 / 3, 12);
    expect(week.satisfactionRate).toBe(0.5);
    expect(week.composite).toBeCloseTo(0.2 * 0.5 + 0.4 * (2 / 3) + 0.4 * 0.5, 12);
    expect(zjw.weeks[6]).toMatchObject({
      from: '2026-07-07',
      to: '2026-07-13',
      created: 2,
      closed: 1,
      responseRate: 1,
      resolutionRate: 1,
      satisfactionRate: 1,
    });
    expect(zjw.weeks[5]).toMatchObject({
      created: 0,
      responseRate: null,
      resolutionRate: null,
      satisfactionRate: null,
      composite: null,
    });

    // The landing's week over week (live/weekly.ts) counts the same creations this week and the week before.
    const landing = (await getAsAdmin(app, `/api/v1/landing?town=${ZHANGJIAWAN}`)).json() as {
      week: { total: { thisWeek: number; previous: number } };
    };
    expect(landing.week.total).toMatchObject({ thisWeek: week.created, previous: zjw.weeks[6]!.created });

    // 宋庄镇: every rate fact of the week is dated today, so the week's rates are the KPI bar's rates.
    const sz = await trends(app, SONGZHUANG);
    const szKpis = await aggregate(app, SONGZHUANG);
    const szWeek = sz.weeks[7]!;
    expect(szWeek.responseRate).toBe(szKpis.tickets.responseRate);
    expect(szWeek.resolutionRate).toBe(szKpis.tickets.resolutionRate);
    expect(szWeek.satisfactionRate).toBe(szKpis.tickets.satisfactionRate);
    expect(szWeek.composite).toBe(szKpis.tickets.composite);
    expect(szWeek).toMatchObject({ created: 3, responseRate: 2 / 3, resolutionRate: 0.5, satisfactionRate: 0 });
    expect(sz.days[29]!.created).toBe(szKpis.tickets.newToday);
    expect(sz.days[28]).toMatchObject({ day: '2026-07-19', created: 1, byCategory: { heating: 1 } });

    // The district sums both towns, and its today is its KPI bar's.
    const district = await trends(app, 'district:110112');
    const districtKpis = await aggregate(app, 'district:110112');
    expect(district.days[29]!.created).toBe(districtKpis.tickets.newToday);
    expect(district.weeks[7]!.created).toBe(7);
    expect(district.weeks[7]!.responseRate).toBeCloseTo(4 / 7, 12);

    // A grid cell: the cell of A1's place has A1 and A2 today, and no forest cluster to chart.
    const cellOf = (await getAsAdmin(app, '/api/v1/events?after=0'))
      .json()
      .events.find((e: { event: { ticketId?: string } }) => e.event.ticketId === 'A1').place.gridId as string;
    const cell = await trends(app, `grid:${cellOf}`);
    expect(cell.days[29]!.created).toBe((await aggregate(app, ZHANGJIAWAN, `grid:${cellOf}`)).tickets.newToday);
    expect(cell.coverage).toEqual([]);
  });

  it('gives flood levels per checkpoint, the highest reading per bucket, and coverage per cluster per day', async () => {
    const app = await start();
    const events = scenario(app);
    await postEvents(app, events);

    const evening = await trends(app, ZHANGJIAWAN, range('2026-07-20T19:00:00', '2026-07-20T23:00:00'));
    expect(evening.flood.bucketMs).toBe(600_000);
    const series = evening.flood.checkpoints.find((c) => c.checkpointId === CHECKPOINT)!;
    expect(evening.flood.checkpoints.map((c) => c.checkpointId)).toEqual([CHECKPOINT]);
    expect(series.thresholds.red).toBeGreaterThan(series.thresholds.blue);
    expect(series.points).toEqual([
      [Date.parse(at('2026-07-20T20:00:00')), 19.91],
      [Date.parse(at('2026-07-20T21:00:00')), 20.32],
    ]);
    // A week: wider buckets, at most 500 points, the same highest level.
    const week = await trends(app, ZHANGJIAWAN, range('2026-07-14T00:00:00', '2026-07-21T00:00:00'));
    expect(week.flood.bucketMs).toBe(30 * 60_000);
    const weekSeries = week.flood.checkpoints[0]!.points;
    expect(Math.max(...weekSeries.map((p) => p[1]))).toBe(21.5);
    expect(weekSeries).toContainEqual([Date.parse(at('2026-07-20T20:00:00')), 19.91]);
    // The length alone: the range ends at the server's now.
    const lastWeek = await trends(app, ZHANGJIAWAN, '&hours=168');
    expect(lastWeek.flood).toMatchObject({
      to: '2026-07-20T23:30:00+08:00',
      from: '2026-07-13T23:30:00+08:00',
      bucketMs: 30 * 60_000,
    });
    expect(Math.max(...lastWeek.flood.checkpoints[0]!.points.map((p) => p[1]))).toBe(21.5);
    // A town without checkpoints has no flood series.
    expect((await trends(app, 'town:110112001')).flood.checkpoints).toEqual([]);

    // Coverage: today's share is the live state's (the map's visited squares and the KPI's coverageToday).
    const forestArea = `forest:${CLUSTER_ID}`;
    const byCluster = await trends(app, forestArea);
    expect(byCluster.coverage).toHaveLength(1);
    const cov = byCluster.coverage[0]!;
    const visited = (await getAsAdmin(app, `/api/v1/patrol/visited?cluster=${CLUSTER_ID}`)).json() as PatrolVisited;
    const todayCov = cov.days[29]!;
    expect(todayCov).toMatchObject({ day: '2026-07-20', visited: 2 });
    expect(todayCov.visited).toBe(visited.clusters[0]!.corners.length / 2);
    expect(cov.subcells).toBe(visited.clusters[0]!.total);
    expect(todayCov.share).toBe((await aggregate(app, ZHANGJIAWAN, forestArea)).patrol.coverageToday);
    expect(cov.days[28]).toMatchObject({ day: '2026-07-19', visited: 1, share: 1 / cov.subcells });
    // The town lists its clusters.
    expect(evening.coverage.map((c) => c.clusterId).sort()).toEqual(['f-110112105-01', 'f-110112105-02']);
  });

  it('answers the same after a restart over the same log', async () => {
    const store = durable();
    const first = await start(store);
    await postEvents(first, scenario(first));
    // The alert rules append their decisions to the log on their own time, so the seq may differ; nothing else.
    const { seq: _before, ...before } = await trends(first, ZHANGJIAWAN);
    await first.close();
    apps.splice(apps.indexOf(first), 1);
    const second = await start(store);
    const { seq: _after, ...after } = await trends(second, ZHANGJIAWAN);
    expect(after).toEqual(before);
    expect(before.weeks[7]!.created).toBe(4);
  });

  it('keeps a town principal inside their town; refuses unknown areas and bad ranges', async () => {
    const app = await start();
    const leader = await sessionHeaders(app, principals.townLeader);
    const own = await app.inject({ method: 'GET', url: `/api/v1/trends?area=${ZHANGJIAWAN}`, headers: leader });
    expect(own.statusCode).toBe(200);
    const mine = await app.inject({ method: 'GET', url: '/api/v1/trends', headers: leader });
    expect(mine.json().area).toBe(ZHANGJIAWAN);
    const other = await app.inject({ method: 'GET', url: `/api/v1/trends?area=${SONGZHUANG}`, headers: leader });
    expect(other.statusCode).toBe(403);
    expect(other.json().code).toBe('not_in_scope');
    const district = await app.inject({ method: 'GET', url: '/api/v1/trends?area=district:110112', headers: leader });
    expect(district.statusCode).toBe(403);
    expect(
      (await app.inject({ method: 'GET', url: `/api/v1/trends?area=forest:${CLUSTER_ID}`, headers: leader }))
        .statusCode,
    ).toBe(200);
    expect(
      (await app.inject({ method: 'GET', url: '/api/v1/trends?area=forest:f-110112104-01', headers: leader }))
        .statusCode,
    ).toBe(403);
    expect((await app.inject({ method: 'GET', url: `/api/v1/trends?area=${ZHANGJIAWAN}` })).statusCode).toBe(401);

    expect((await getAsAdmin(app, '/api/v1/trends?area=town:999')).statusCode).toBe(404);
    expect(
      (
        await getAsAdmin(
          app,
          `/api/v1/trends?area=${ZHANGJIAWAN}${range('2026-07-20T10:00:00', '2026-07-20T09:00:00')}`,
        )
      ).statusCode,
    ).toBe(400);
    expect(
      (
        await getAsAdmin(
          app,
          `/api/v1/trends?area=${ZHANGJIAWAN}${range('2026-05-01T00:00:00', '2026-07-20T00:00:00')}`,
        )
      ).statusCode,
    ).toBe(400);
    // A time without its offset is eight hours ambiguous: refused.
    expect((await getAsAdmin(app, `/api/v1/trends?area=${ZHANGJIAWAN}&from=2026-07-20T10:00:00`)).statusCode).toBe(400);
  });
});
