// GET /api/v1/brief over the real app with a pinned clock: the brief's figures of a day are the KPIs the app
// itself showed at the end of that day (/api/v1/aggregates, /api/v1/landing, /api/v1/trend), and those of its
// comparison day the KPIs at the end of that one; the alerts are the AlertBook's; a town principal gets only
// their town; past BRIEF_HOUR yesterday's brief is made ahead and answered from memory.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AreaFigures } from '../../server/contract/area-figures';
import type { App } from '../../server/app';
import type { Alert } from '../../server/contract/alerts';
import type { Brief, BriefTicketDay } from '../../server/contract/brief';
import type { Landing } from '../../server/contract/landing';
import type { AreaAggregate } from '../../server/contract/live';
import { interiorPoint } from '../../server/geo/interior';
import { testApp, ticket } from '../helpers/app';
import { bearerHeaders, DISTRICT, principals, sessionHeaders, SONGZHUANG, ZHANGJIAWAN } from '../helpers/auth';

const HOUR = 3600_000;
const DAY_START = Date.parse('2026-07-20T00:00:00+08:00');
const WEEK_BEFORE_START = DAY_START - 7 * 24 * HOUR;
const iso = (ms: number) => new Date(ms).toISOString();

let app: App;
let t = WEEK_BEFORE_START + 24 * HOUR - 60_000;
let leader: Record<string, string>;
let admin: Record<string, string>;
let feed: Record<string, string>;
/** The KPIs as the app showed them at 23:59:59.999 of each day, per area. */
const shown = new Map<string, BriefTicketDay>();
let landingAtEnd: Landing;
let trendAtEnd: { created: number; closed: number };
let alertsAtEnd: Alert[];

function inCell(townId: string, index: number): { lon: number; lat: number } {
  const cells = app.services.geo.layers.grid.features.filter((f) => f.properties.townId === townId);
  const [lon, lat] = interiorPoint(cells[index % cells.length]!.geometry as never);
  return { lon, lat };
}

/** Tickets of one day in both towns: created through the day, some answered, closed and rated, some left open. */
function dayOfTickets(start: number, tag: string): Record<string, unknown>[] {
  const events: Record<string, unknown>[] = [];
  for (const [townId, count] of [
    ['110112105', 24],
    ['110112104', 12],
  ] as const) {
    for (let i = 0; i < count; i++) {
      const id = `${tag}-${townId}-${i}`;
      const created = start + (i % 20) * HOUR + 7 * 60_000;
      const urgent = i % 6 === 0;
      events.push(
        ticket(id, {
          time: iso(created),
          urgency: urgent ? 'urgent' : 'normal',
          category: i % 2 ? 'noise' : 'e_bike',
          location: inCell(townId, i * 5),
        }),
      );
      // 督办: the urgent ones (left open) two hours in, and one that is closed later the same day.
      if (urgent || i === 1)
        events.push({
          id: `${id}-s`,
          kind: 'ticket.supervised',
          time: iso(created + (urgent ? 2 : 1) * HOUR),
          source: 'hotline_12345',
          ticketId: `T-${id}`,
          by: '区指挥中心',
          level: 'district',
        });
      if (i % 4 === 1)
        events.push({
          id: `${id}-u`,
          kind: 'ticket.updated',
          time: iso(created + 30 * 60_000),
          source: 'hotline_12345',
          ticketId: `T-${id}`,
          status: 'in_progress',
        });
      if (i % 3 !== 0 && created + 3 * HOUR < start + 24 * HOUR - 60_000) {
        events.push({
          id: `${id}-c`,
          kind: 'ticket.closed',
          time: iso(created + 3 * HOUR),
          source: 'hotline_12345',
          ticketId: `T-${id}`,
          resolved: i % 5 !== 0,
        });
        if (i % 2 === 0)
          events.push({
            id: `${id}-r`,
            kind: 'ticket.rated',
            time: iso(created + 3 * HOUR + 60_000),
            source: 'hotline_12345',
            ticketId: `T-${id}`,
            satisfied: i % 8 !== 0,
          });
      }
    }
  }
  return events;
}

async function post(events: Record<string, unknown>[]): Promise<void> {
  const res = await app.inject({ method: 'POST', url: '/api/v1/events', headers: feed, payload: events });
  expect(res.statusCode, res.body).toBeLessThan(300);
  expect(res.json()).toMatchObject({ accepted: events.length });
}

async function aggregate(scope: string): Promise<AreaAggregate> {
  const res = await app.inject({ url: `/api/v1/aggregates?scope=${encodeURIComponent(scope)}`, headers: admin });
  expect(res.statusCode, res.body).toBe(200);
  return (res.json() as { aggregates: AreaAggregate[] }).aggregates[0]!;
}

/** Moves the app's clock to the last millisecond of the day and records what /aggregates shows. */
async function endOfDay(dayStart: number): Promise<void> {
  t = dayStart + 24 * HOUR - 1;
  app.services.live.advance(t);
  for (const area of [ZHANGJIAWAN, SONGZHUANG, DISTRICT]) {
    const k = (await aggregate(area)).tickets;
    const figures = (
      await app.inject({ url: `/api/v1/area-figures?area=${encodeURIComponent(area)}`, headers: admin })
    ).json() as AreaFigures;
    shown.set(`${dayStart}|${area}`, {
      date: new Date(dayStart + 8 * HOUR).toISOString().slice(0, 10),
      created: k.newToday,
      proactive: k.proactiveToday,
      closed: k.closedToday,
      responseRate: k.responseRate,
      resolutionRate: k.resolutionRate,
      satisfactionRate: k.satisfactionRate,
      composite: k.composite,
      open: k.open,
      overdue: k.overdue,
      // 督办 as the area's figures showed it: counted by their own projection, not by the brief's records.
      supervised: figures.supervised.today,
      supervisedOpen: figures.supervised.open,
    });
  }
}

const brief = (headers: Record<string, string>, query = '') => app.inject({ url: `/api/v1/brief${query}`, headers });

beforeAll(async () => {
  // Sessions live by the pinned clock too, which runs over eight days here.
  app = await testApp({ BRIEF_HOUR: '7', SESSION_TTL_H: '720' }, { now: () => t });
  leader = await sessionHeaders(app, principals.townLeader);
  admin = await sessionHeaders(app, principals.admin);
  feed = await bearerHeaders(app, principals.feed);
  // The comparison day, as the app lived it.
  await post(dayOfTickets(WEEK_BEFORE_START, 'w'));
  await endOfDay(WEEK_BEFORE_START);
  // The day before (its urgent tickets are overdue by the day's end), then the day itself.
  t = DAY_START - 60_000;
  await post(dayOfTickets(DAY_START - 24 * HOUR, 'y'));
  t = DAY_START + 24 * HOUR - 60_000;
  await post(dayOfTickets(DAY_START, 'd'));
  await app.services.rules.idle();
  // An officer acknowledges one of the day's alerts.
  const officer = await sessionHeaders(app, principals.townOfficer);
  const open = (await app.inject({ url: '/api/v1/alerts?status=open', headers: officer })).json() as { items: Alert[] };
  const ofTheDay = open.items.filter((a) => Date.parse(a.raisedAt) >= DAY_START);
  expect(ofTheDay.length).toBeGreaterThan(0);
  t += 30_000;
  const ack = await app.inject({
    method: 'POST',
    url: `/api/v1/alerts/${ofTheDay[0]!.id}/acknowledge`,
    headers: officer,
    payload: {},
  });
  expect(ack.statusCode, ack.body).toBe(200);
  await endOfDay(DAY_START);
  // The day's figures: the landing in today's window at the day's end.
  landingAtEnd = (
    await app.inject({ url: `/api/v1/landing?town=${ZHANGJIAWAN}&rates=today`, headers: leader })
  ).json() as Landing;
  trendAtEnd = (await app.inject({ url: `/api/v1/trend?area=${ZHANGJIAWAN}&hours=24`, headers: leader })).json() as {
    created: number;
    closed: number;
  };
  alertsAtEnd = ((await app.inject({ url: '/api/v1/alerts', headers: admin })).json() as { items: Alert[] }).items;
  // The next morning, before BRIEF_HOUR.
  t = DAY_START + 24 * HOUR + 6 * HOUR + 30 * 60_000;
}, 60_000);

afterAll(async () => {
  await app.close();
});

describe('GET /api/v1/brief', () => {
  it("is yesterday's by default, made on demand before BRIEF_HOUR, with the KPIs the app showed at the day's end", async () => {
    const res = await brief(leader);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['x-brief-source']).toBe('on-demand');
    const b = res.json() as Brief;
    expect(b).toMatchObject({
      date: '2026-07-20',
      area: { key: ZHANGJIAWAN, name: '张家湾镇', level: 'town' },
      source: 'on-demand',
      generatedAt: '2026-07-21T06:30:00+08:00',
    });
    expect(b.tickets.day).toEqual(shown.get(`${DAY_START}|${ZHANGJIAWAN}`));
    expect(b.tickets.weekBefore).toEqual(shown.get(`${WEEK_BEFORE_START}|${ZHANGJIAWAN}`));
    // The fixture is not empty where it matters.
    expect(b.tickets.day.created).toBe(24);
    expect(b.tickets.day.closed).toBeGreaterThan(5);
    expect(b.tickets.day.overdue).toBeGreaterThan(0);
    for (const r of ['responseRate', 'resolutionRate', 'satisfactionRate'] as const) {
      expect(b.tickets.day[r]).not.toBeNull();
      expect(b.tickets.day[r]).toBeLessThan(1);
    }
  });

  it("equals the landing's KPIs and the trend's counts of the same day", async () => {
    const b = (await brief(leader, '?date=2026-07-20')).json() as Brief;
    const k = landingAtEnd.kpis;
    expect({
      responseRate: b.tickets.day.responseRate,
      resolutionRate: b.tickets.day.resolutionRate,
      satisfactionRate: b.tickets.day.satisfactionRate,
      composite: b.tickets.day.composite,
    }).toEqual({
      responseRate: k.responseRate,
      resolutionRate: k.resolutionRate,
      satisfactionRate: k.satisfactionRate,
      composite: k.composite,
    });
    expect(b.tickets.day.created).toBe(k.newToday);
    expect(b.tickets.day.overdue).toBe(k.overdue);
    expect(b.overdue.total).toBe(landingAtEnd.overdue.total);
    expect(b.overdue.items.map((x) => x.id)).toEqual(
      landingAtEnd.overdue.items.slice(0, b.overdue.items.length).map((x) => x.id),
    );
    // The trend's last 24 hourly buckets at 23:59 are the day exactly.
    expect({ created: b.tickets.day.created, closed: b.tickets.day.closed }).toEqual({
      created: trendAtEnd.created,
      closed: trendAtEnd.closed,
    });
  });

  it("gives the district's figures to a district principal, and the day's alerts of the AlertBook", async () => {
    const res = await brief(admin, `?area=${DISTRICT}&date=2026-07-20`);
    expect(res.statusCode, res.body).toBe(200);
    const b = res.json() as Brief;
    expect(b.tickets.day).toEqual(shown.get(`${DAY_START}|${DISTRICT}`));
    expect(b.tickets.weekBefore).toEqual(shown.get(`${WEEK_BEFORE_START}|${DISTRICT}`));
    expect(b.towns).toHaveLength(22);
    const raised = alertsAtEnd.filter(
      (a) => Date.parse(a.raisedAt) >= DAY_START && Date.parse(a.raisedAt) < DAY_START + 24 * HOUR,
    );
    expect(raised.length).toBeGreaterThan(0);
    expect(b.alerts.raised).toBe(raised.length);
    expect(b.alerts.acknowledged).toBe(raised.filter((a) => a.acknowledgedAt !== undefined).length);
    expect(b.alerts.acknowledged).toBeGreaterThan(0);
    const waits = raised.flatMap((a) =>
      a.acknowledgedAt ? [Date.parse(a.acknowledgedAt) - Date.parse(a.raisedAt)] : [],
    );
    expect(b.alerts.worstAckMs).toBe(Math.max(...waits));
    expect(b.alerts.worstAckMs).toBeGreaterThanOrEqual(30_000);
    const sz = (await brief(admin, `?area=${SONGZHUANG}&date=2026-07-20`)).json() as Brief;
    expect(sz.tickets.day).toEqual(shown.get(`${DAY_START}|${SONGZHUANG}`));
  });

  it('gives a town principal only their own town', async () => {
    for (const area of [SONGZHUANG, DISTRICT]) {
      const res = await brief(leader, `?area=${area}`);
      expect(res.statusCode).toBe(403);
      expect(res.json()).toMatchObject({ code: 'not_in_scope' });
    }
    const own = await brief(leader, `?area=${ZHANGJIAWAN}`);
    expect(own.statusCode).toBe(200);
    expect(own.body).not.toContain('宋庄');
    expect((await brief({})).statusCode).toBe(401);
    expect((await brief(feed)).statusCode).toBe(403);
  });

  it('refuses a day not over yet, a bad date, and areas below a town', async () => {
    expect((await brief(leader, '?date=2026-07-21')).json()).toMatchObject({ code: 'day_not_over' });
    expect((await brief(leader, '?date=2026-02-30')).json()).toMatchObject({ code: 'bad_date' });
    const cell = app.services.geo.tree.children[ZHANGJIAWAN]!.find((k) => k.startsWith('grid:'))!;
    expect((await brief(leader, `?area=${cell}`)).json()).toMatchObject({ code: 'not_briefed' });
    expect((await brief(leader, '?area=town:999999999')).statusCode).toBe(404);
  });

  it("makes yesterday's briefs ahead once the clock passes BRIEF_HOUR, and answers from them", async () => {
    const scheduledAt = DAY_START + 24 * HOUR + 7 * HOUR + 1000;
    t = scheduledAt;
    // The schedule looks at the clock every second.
    await new Promise((r) => setTimeout(r, 2500));
    t = DAY_START + 24 * HOUR + 7 * HOUR + 30 * 60_000;
    const res = await brief(leader);
    expect(res.statusCode).toBe(200);
    expect(res.headers['x-brief-source']).toBe('scheduled');
    const b = res.json() as Brief;
    expect(b.source).toBe('scheduled');
    expect(b.generatedAt).toBe('2026-07-21T07:00:01+08:00');
    expect(Date.parse(b.generatedAt)).toBeLessThan(t);
    expect(b.tickets.day).toEqual(shown.get(`${DAY_START}|${ZHANGJIAWAN}`));
    // Every town's and the district's were made in the same run.
    const d = (await brief(admin, `?area=${DISTRICT}`)).json() as Brief;
    expect(d).toMatchObject({ source: 'scheduled', generatedAt: b.generatedAt });
  });
});
