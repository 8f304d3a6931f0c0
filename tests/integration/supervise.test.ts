// 督办 on the real app: an officer supervises an overdue ticket of their scope, the log holds who did it and at
// which level, the ticket answers with its supervision; another town's ticket does not exist for a town officer,
// a ticket with time left is refused with its reason, a leader may not, and a cookie without its CSRF token is
// refused. A producer's ticket.supervised goes through ingest like any event. The follow-up shows on the ticket.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../server/app';
import { CSRF_HEADER, type Principal } from '../../server/contract/auth';
import type { StoredEvent } from '../../server/contract/events';
import type { TicketObject } from '../../server/contract/live';
import type { AreaFigures } from '../../server/contract/area-figures';
import type { Landing } from '../../server/contract/landing';
import { testApp, ticket } from '../helpers/app';
import { bearerHeaders, principals, sessionHeaders, SONGZHUANG, ZHANGJIAWAN } from '../helpers/auth';
import { pointsInTown } from '../helpers/towns';

const NOW = Date.parse('2025-07-20T14:00:00+08:00');
const iso = (hoursAgo: number) => new Date(NOW - hoursAgo * 3600_000).toISOString();
let app: App;

/** A ticket in the town, created `hoursAgo` with the given hours to resolve (negative: overdue already). */
function ticketIn(id: string, town: typeof ZHANGJIAWAN | typeof SONGZHUANG, hoursAgo: number, resolveIn: number) {
  const [location] = pointsInTown(app.services.geo, town, 1);
  return ticket(`ev-${id}`, {
    ticketId: id,
    location,
    time: iso(hoursAgo),
    responseDueAt: iso(hoursAgo - 1),
    resolveDueAt: iso(-resolveIn),
  });
}

async function post(url: string, payload: unknown, headers: Record<string, string>) {
  return app.inject({
    method: 'POST',
    url,
    headers: { ...headers, 'content-type': 'application/json' },
    payload: JSON.stringify(payload),
  });
}
const as = async (p: Principal, url: string, payload: unknown = {}) => post(url, payload, await sessionHeaders(app, p));

beforeAll(async () => {
  app = await testApp({}, { now: () => NOW });
  const res = await post(
    '/api/v1/events',
    [
      ticketIn('T-zjw-late', ZHANGJIAWAN, 30, -2),
      ticketIn('T-sz-late', SONGZHUANG, 30, -2),
      // Created an hour ago, due in six days: nowhere near its deadline.
      ticketIn('T-zjw-fresh', ZHANGJIAWAN, 1, 144),
    ],
    await bearerHeaders(app, principals.feed),
  );
  expect(res.json()).toMatchObject({ accepted: 3 });
});
afterAll(async () => {
  await app.close();
});

describe('POST /api/v1/tickets/:id/supervise', () => {
  it("a town officer supervises an overdue ticket of their town: the log says who and at the town's level", async () => {
    const res = await as(principals.townOfficer, '/api/v1/tickets/T-zjw-late/supervise', { note: '今日内办结' });
    expect(res.statusCode, res.body).toBe(200);
    const t = res.json<TicketObject>();
    expect(t.overdue).toBe(true);
    expect(t.supervision).toEqual({
      count: 1,
      at: '2025-07-20T14:00:00+08:00',
      by: principals.townOfficer.name,
      level: 'town',
      note: '今日内办结',
    });
    const log = (
      await app.inject({ url: '/api/v1/events?after=0', headers: await sessionHeaders(app, principals.admin) })
    ).json<{ events: StoredEvent[] }>().events;
    const written = log.filter((s) => s.event.kind === 'ticket.supervised');
    expect(written).toHaveLength(1);
    expect(written[0]!.event).toMatchObject({ source: 'console', ticketId: 'T-zjw-late', by: '张家湾值班员' });
    // The map's copy of the ticket and the one-ticket route say the same.
    expect(app.services.live.ticket('T-zjw-late')!.supervision!.count).toBe(1);
    const read = await app.inject({
      url: '/api/v1/tickets/T-zjw-late',
      headers: await sessionHeaders(app, principals.townLeader),
    });
    expect(read.json<TicketObject>().supervision).toEqual(t.supervision);
  });

  it("the district officer's second supervision counts two, at the district's level", async () => {
    const res = await as(principals.districtOfficer, '/api/v1/tickets/T-zjw-late/supervise');
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json<TicketObject>().supervision).toMatchObject({ count: 2, level: 'district', by: '区值班员' });
  });

  it("a town officer cannot supervise another town's ticket: it does not exist for them", async () => {
    const res = await as(principals.townOfficer, '/api/v1/tickets/T-sz-late/supervise');
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ code: 'not_found', message: "no open ticket 'T-sz-late' in your area" });
    expect(app.services.live.ticket('T-sz-late')!.supervision).toBeUndefined();
    const read = await app.inject({
      url: '/api/v1/tickets/T-sz-late',
      headers: await sessionHeaders(app, principals.townOfficer),
    });
    expect(read.statusCode).toBe(404);
  });

  it('a ticket with time left is refused with the reason; a leader may not supervise; an unknown id is a 404', async () => {
    const fresh = await as(principals.townOfficer, '/api/v1/tickets/T-zjw-fresh/supervise');
    expect(fresh.statusCode).toBe(409);
    expect(fresh.json()).toMatchObject({ code: 'not_due', message: expect.stringMatching(/overdue or near-deadline/) });
    const leader = await as(principals.townLeader, '/api/v1/tickets/T-zjw-late/supervise');
    expect(leader.statusCode).toBe(403);
    expect(leader.json().code).toBe('forbidden');
    expect((await as(principals.admin, '/api/v1/tickets/T-none/supervise')).statusCode).toBe(404);
    expect(app.services.live.ticket('T-zjw-late')!.supervision!.count).toBe(2);
  });

  it('a session cookie without its CSRF token is refused, and so is a note too long', async () => {
    const headers: Record<string, string> = { ...(await sessionHeaders(app, principals.townOfficer)) };
    delete headers[CSRF_HEADER];
    const res = await post('/api/v1/tickets/T-zjw-late/supervise', {}, headers);
    expect(res.statusCode).toBe(403);
    expect(res.json().code).toBe('csrf');
    const long = await as(principals.townOfficer, '/api/v1/tickets/T-zjw-late/supervise', { note: 'x'.repeat(2001) });
    expect(long.statusCode).toBe(400);
    expect(app.services.live.ticket('T-zjw-late')!.supervision!.count).toBe(2);
  });
});

describe('ticket.supervised from a producer, and the follow-up on the ticket', () => {
  it('a batch keeps its good items and gives each bad one its field and reason', async () => {
    const base = { kind: 'ticket.supervised', time: iso(0.5), source: 'hotline_12345', ticketId: 'T-sz-late' };
    const res = await post(
      '/api/v1/events',
      [
        { ...base, id: 'sv-city-1', by: '12345 中心', level: 'city' },
        { ...base, id: 'sv-bad-1', level: 'province' },
      ],
      await bearerHeaders(app, principals.feed),
    );
    const body = res.json();
    expect(body).toMatchObject({ accepted: 1, rejected: 1 });
    expect(body.results[1].errors).toEqual(
      expect.arrayContaining([
        { path: '/by', message: 'is required' },
        { path: '/level', message: "must be one of 'city', 'district', 'town'" },
      ]),
    );
    expect(app.services.live.ticket('T-sz-late')!.supervision).toMatchObject({ count: 1, level: 'city' });
  });

  it('GET /api/v1/tickets/:id shows a closed ticket with its 回访', async () => {
    const feed = await bearerHeaders(app, principals.feed);
    const res = await post(
      '/api/v1/events',
      [
        ticketIn('T-zjw-done', ZHANGJIAWAN, 5, 100),
        {
          id: 'c-done',
          kind: 'ticket.closed',
          time: iso(3),
          source: 'hotline_12345',
          ticketId: 'T-zjw-done',
          resolved: true,
        },
        {
          id: 'fu-done',
          kind: 'ticket.followed_up',
          time: iso(1),
          source: 'hotline_12345',
          ticketId: 'T-zjw-done',
          resolved: true,
          satisfied: false,
          score: 2,
          by: '回访员 07',
        },
      ],
      feed,
    );
    expect(res.json()).toMatchObject({ accepted: 3 });
    const read = await app.inject({
      url: '/api/v1/tickets/T-zjw-done',
      headers: await sessionHeaders(app, principals.townLeader),
    });
    expect(read.statusCode).toBe(200);
    expect(read.json<TicketObject>()).toMatchObject({
      status: 'closed',
      followUp: { at: iso(1), by: '回访员 07', resolved: true, satisfied: false, score: 2 },
    });
  });
});

describe('督办 counted, and the monthly property scores, on request', () => {
  const figures = async (p: Principal, area: string) => {
    const res = await app.inject({
      url: `/api/v1/area-figures?area=${encodeURIComponent(area)}`,
      headers: await sessionHeaders(app, p),
    });
    expect(res.statusCode, res.body).toBe(200);
    return res.json<AreaFigures>();
  };

  it('counts each supervised ticket once, open now and in every window, on the area figures and the landing', async () => {
    // T-zjw-late: supervised twice today (town, then district); T-sz-late: once, by the city.
    const zjw = await figures(principals.townLeader, ZHANGJIAWAN);
    expect(zjw.supervised).toEqual({ open: 1, today: 1, month: 1, year: 1, rolling30d: 1 });
    const district = await figures(principals.admin, principals.admin.scope);
    expect(district.supervised).toEqual({ open: 2, today: 2, month: 2, year: 2, rolling30d: 2 });
    const landing = await app.inject({
      url: '/api/v1/landing',
      headers: await sessionHeaders(app, principals.townLeader),
    });
    const body = landing.json<Landing>();
    expect(body.kpis).toMatchObject({ supervisedOpen: 1, supervised: 1 });
    // The district beside it: its total per town.
    const towns = body.district.towns;
    expect(body.district.kpis.supervisedOpen).toBeCloseTo(2 / towns, 10);
    const year = await app.inject({
      url: '/api/v1/landing?rates=year',
      headers: await sessionHeaders(app, principals.townLeader),
    });
    expect(year.json<Landing>().kpis.supervised).toBe(1);
  });

  it('keeps a property district’s monthly scores, oldest first, a correction replacing the month it corrects', async () => {
    const base = { kind: 'property.assessed', source: 'simulator', propertyId: 'p-110112004-01', by: '玉桥街道物业办' };
    const res = await post(
      '/api/v1/events',
      [
        { ...base, id: 'pa-6', time: '2025-07-03T10:00:00+08:00', month: '2025-06', score: 88 },
        { ...base, id: 'pa-5', time: '2025-06-03T10:00:00+08:00', month: '2025-05', score: 91.5 },
        { ...base, id: 'pa-6b', time: '2025-07-05T09:00:00+08:00', month: '2025-06', score: 86.5 },
        { ...base, id: 'pa-bad', time: '2025-07-05T09:00:00+08:00', month: '2025-13', score: 101 },
      ],
      await bearerHeaders(app, principals.feed),
    );
    expect(res.json()).toMatchObject({ accepted: 3, rejected: 1 });
    const p = await figures(principals.admin, 'property:p-110112004-01');
    expect(p.propertyScores).toEqual([
      { month: '2025-05', score: 91.5, at: '2025-06-03T10:00:00+08:00', by: '玉桥街道物业办' },
      { month: '2025-06', score: 86.5, at: '2025-07-05T09:00:00+08:00', by: '玉桥街道物业办' },
    ]);
    // Another district has none yet; a town has no score series at all.
    expect((await figures(principals.admin, 'property:p-110112004-02')).propertyScores).toEqual([]);
    expect((await figures(principals.admin, ZHANGJIAWAN)).propertyScores).toBeUndefined();
  });
});
