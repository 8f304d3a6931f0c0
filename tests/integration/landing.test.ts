// GET /api/v1/landing over the real app: a 张家湾镇 leader gets their own town, is refused 宋庄镇, sees the same
// KPIs as /api/v1/aggregates, week-over-week figures equal to a count over the log (/api/v1/events), and
// nothing located in another town.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AreaFigures } from '../../server/contract/area-figures';
import type { App } from '../../server/app';
import type { AreaKey } from '../../server/contract/areas';
import type { StoredEvent } from '../../server/contract/events';
import type { Landing } from '../../server/contract/landing';
import type { AreaAggregate } from '../../server/contract/live';
import { interiorPoint } from '../../server/geo/interior';
import { testApp, ticket } from '../helpers/app';
import { bearerHeaders, DISTRICT, principals, sessionHeaders, SONGZHUANG, ZHANGJIAWAN } from '../helpers/auth';

const NOW = Date.parse('2026-07-20T16:30:00+08:00');
const HOUR = 3600_000;
const DAY = 24 * HOUR;
const iso = (ms: number) => new Date(ms).toISOString();
const CATEGORIES = ['e_bike', 'noise', 'sanitation', 'parking'] as const;

let app: App;
let leader: Record<string, string>;
let admin: Record<string, string>;

/** A point inside the grid cell `index` of a town, as ingest will locate it. */
function inCell(townId: string, index: number): { lon: number; lat: number } {
  const cells = app.services.geo.layers.grid.features.filter((f) => f.properties.townId === townId);
  const [lon, lat] = interiorPoint(cells[index % cells.length]!.geometry as never);
  return { lon, lat };
}

beforeAll(async () => {
  app = await testApp({}, { now: () => NOW });
  leader = await sessionHeaders(app, principals.townLeader);
  admin = await sessionHeaders(app, principals.admin);
  const feed = await bearerHeaders(app, principals.feed);
  // Tickets spread over 16 days in both towns, some closed and rated today, some left open (urgent ones
  // created yesterday are overdue by now).
  const events: Record<string, unknown>[] = [];
  let n = 0;
  for (const [townId, count] of [
    ['110112105', 60],
    ['110112104', 40],
  ] as const) {
    for (let i = 0; i < count; i++) {
      const id = `${townId}-${i}`;
      const created = NOW - ((i * 37) % (16 * 24)) * HOUR - 60_000;
      const urgent = i % 5 === 0;
      events.push(
        ticket(id, {
          time: iso(created),
          category: CATEGORIES[(i * 7 + n++) % CATEGORIES.length],
          urgency: urgent ? 'urgent' : 'normal',
          title: `${townId === '110112104' ? '宋庄' : '张家湾'}工单 ${i}`,
          location: inCell(townId, i * 3),
        }),
      );
      if (!urgent && created > NOW - 20 * HOUR) {
        const closeAt = Math.min(NOW - 30_000, created + 2 * HOUR);
        events.push({
          id: `${id}-c`,
          kind: 'ticket.closed',
          time: iso(closeAt),
          source: 'hotline_12345',
          ticketId: `T-${id}`,
          resolved: i % 3 !== 0,
        });
        events.push({
          id: `${id}-r`,
          kind: 'ticket.rated',
          time: iso(closeAt + 1000),
          source: 'hotline_12345',
          ticketId: `T-${id}`,
          satisfied: i % 4 !== 0,
        });
      }
    }
  }
  const res = await app.inject({ method: 'POST', url: '/api/v1/events', headers: feed, payload: events });
  expect(res.statusCode, res.body).toBeLessThan(300);
  expect(res.json()).toMatchObject({ accepted: events.length });
  // The live state and the week fold follow the bus; the clock moves once a second.
  app.services.live.advance(NOW);
});

afterAll(async () => {
  await app.close();
});

const landing = async (headers: Record<string, string>, town?: string) =>
  app.inject({ url: `/api/v1/landing${town ? `?town=${encodeURIComponent(town)}` : ''}`, headers });

async function aggregates(headers: Record<string, string>, scope: string): Promise<AreaAggregate[]> {
  const res = await app.inject({ url: `/api/v1/aggregates?scope=${encodeURIComponent(scope)}`, headers });
  expect(res.statusCode, res.body).toBe(200);
  return (res.json() as { aggregates: AreaAggregate[] }).aggregates;
}

describe('GET /api/v1/landing', () => {
  it("gives a town leader their own town, and refuses another town's", async () => {
    const own = await landing(leader);
    expect(own.statusCode, own.body).toBe(200);
    expect((own.json() as Landing).town).toEqual({ key: ZHANGJIAWAN, name: '张家湾镇' });
    expect((await landing(leader, ZHANGJIAWAN)).statusCode).toBe(200);
    const other = await landing(leader, SONGZHUANG);
    expect(other.statusCode).toBe(403);
    expect(other.json()).toMatchObject({ code: 'not_in_scope' });
    // Only towns have a landing.
    expect((await landing(leader, DISTRICT)).statusCode).toBe(404);
  });

  it('needs a session with read, and a named town for a district-wide principal', async () => {
    expect((await landing({})).statusCode).toBe(401);
    expect((await landing(await bearerHeaders(app, principals.feed))).statusCode).toBe(403);
    const officer = await sessionHeaders(app, principals.districtOfficer);
    const bare = await landing(officer);
    expect(bare.statusCode).toBe(400);
    expect(bare.json()).toMatchObject({ code: 'town_required' });
    expect((await landing(officer, SONGZHUANG)).statusCode).toBe(200);
    expect((await landing(officer, 'town:999999999')).statusCode).toBe(404);
  });

  it('shows the KPIs of /api/v1/aggregates for the town and the district', async () => {
    const body = (await landing(leader)).json() as Landing;
    const town = (await aggregates(leader, ZHANGJIAWAN))[0]!;
    expect(town.key).toBe(ZHANGJIAWAN);
    const figures = (
      await app.inject({ url: `/api/v1/area-figures?area=${ZHANGJIAWAN}`, headers: leader })
    ).json() as AreaFigures;
    // Counts of now, rates of the month (the landing's default window), each with its sample.
    const { open, overdue, nearDeadline, newToday } = town.tickets;
    const { responseRate, resolutionRate, satisfactionRate, composite, sample, created, proactive } =
      town.tickets.month;
    expect(body.window).toBe('month');
    expect(body.kpis).toEqual({
      open,
      overdue,
      nearDeadline,
      newToday,
      responseRate,
      resolutionRate,
      satisfactionRate,
      composite,
      sample,
      // 未诉先办: the month's share with the month's new tickets as its sample.
      proactiveShare: created > 0 ? proactive / created : null,
      created,
      // 督办: open now and in the month, as the area's figures count them.
      supervisedOpen: figures.supervised.open,
      supervised: figures.supervised.month,
    });
    // The fixture is not empty where it matters.
    expect(open).toBeGreaterThan(0);
    expect(overdue).toBeGreaterThan(0);
    expect(resolutionRate).not.toBeNull();

    const all = await aggregates(admin, DISTRICT);
    const district = all[0]!;
    const towns = all.filter((a) => a.level === 'town').length;
    expect(body.district.towns).toBe(towns);
    expect(body.district.kpis.composite).toBe(district.tickets.month.composite);
    expect(body.district.kpis.resolutionRate).toBe(district.tickets.month.resolutionRate);
    expect(body.district.kpis.open).toBeCloseTo(district.tickets.open / towns, 12);
    expect(body.district.kpis.overdue).toBeCloseTo(district.tickets.overdue / towns, 12);

    // The overdue list is the town's overdue tickets, all of them (fewer than the cap).
    expect(body.overdue.total).toBe(overdue);
    expect(body.overdue.items).toHaveLength(overdue);
    const late = body.overdue.items.map((t) => t.lateMs);
    expect(late).toEqual([...late].sort((a, b) => b - a));
  });

  it('counts this week and the week before as the log does', async () => {
    const body = (await landing(leader)).json() as Landing;
    const log = (await app.inject({ url: '/api/v1/events?after=0&limit=10000', headers: admin })).json() as {
      events: StoredEvent[];
    };
    const weekStart = NOW - 7 * DAY;
    const expected = new Map<string, [number, number]>();
    for (const s of log.events) {
      if (s.event.kind !== 'ticket.created' || s.place?.townId !== '110112105') continue;
      const t = Date.parse(s.event.time);
      if (t <= NOW - 14 * DAY) continue;
      const row = expected.get(s.event.category) ?? [0, 0];
      row[t > weekStart ? 0 : 1]++;
      expected.set(s.event.category, row);
    }
    const got = new Map(body.week.byCategory.map((c) => [c.category as string, [c.thisWeek, c.previous]]));
    expect(got).toEqual(expected);
    const sum = (k: 0 | 1) => [...expected.values()].reduce((a, r) => a + r[k], 0);
    expect(body.week.total).toEqual({ thisWeek: sum(0), previous: sum(1), change: sum(0) - sum(1) });
    expect(sum(0)).toBeGreaterThan(0);
    expect(sum(1)).toBeGreaterThan(0);
  });

  it('ranks the villages of the town, and holds nothing of another town', async () => {
    const res = await landing(leader);
    const body = res.json() as Landing;
    expect(body.units.length).toBeGreaterThan(10);
    const tree = app.services.geo.tree;
    for (const key of [
      ...body.units.map((u) => u.focus),
      ...body.cells.items.map((c) => c.key),
      ...body.streaks.map((s) => s.focus),
    ]) {
      expect(tree.nodes[key as AreaKey]!.parent).toBe(ZHANGJIAWAN);
    }
    expect(res.body).not.toContain('宋庄');
    expect(res.body).not.toContain('110112104');
  });
});
