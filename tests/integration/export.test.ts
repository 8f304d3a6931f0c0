// Exports against the real app: tickets CSV and GeoJSON read back equal GET /api/v1/tickets for the same
// filter (ids and fields), with the BOM, RFC 4180 quoting and +08:00 times; scoped like the table; the window
// form folds the log; the aggregates CSV of "today" gives the KPI bar's figures.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../server/app';
import type { TicketObject } from '../../server/contract/live';
import { todayWindow } from '../../server/reports/ticket-filter';
import { isoLocal } from '../../server/contract/time';
import { testApp, ticket } from '../helpers/app';
import { principals, sessionHeaders, SONGZHUANG, ZHANGJIAWAN } from '../helpers/auth';
import { postEvents } from '../helpers/callers';
import { csvRecords } from '../helpers/csv';
import { pointsInTown } from '../helpers/towns';

let app: App;
let admin: Record<string, string>;
let leader: Record<string, string>;
const MIN = 60_000;
const now = Date.now();
const at = (ms: number) => new Date(ms).toISOString();
const NASTY_TITLE = '他说："楼道里,全是电动车"\n第二行，还有"引号"';

beforeAll(async () => {
  app = await testApp();
  admin = await sessionHeaders(app, principals.admin);
  leader = await sessionHeaders(app, principals.townLeader);
  const geo = app.services.geo;
  const [a, b, c] = pointsInTown(geo, ZHANGJIAWAN, 3);
  const [d, e] = pointsInTown(geo, SONGZHUANG, 2);
  const t0 = now - 50 * MIN;
  const events = [
    ticket('x1', { ticketId: 'T-x1', time: at(t0), location: a, title: NASTY_TITLE, responseDueAt: at(t0 + 20 * MIN) }),
    ticket('x2', { ticketId: 'T-x2', time: at(t0 + MIN), location: b, category: 'noise', urgency: 'urgent' }),
    ticket('x3', { ticketId: 'T-x3', time: at(t0 + 2 * MIN), location: c, title: '=HYPERLINK("http://evil")' }),
    ticket('x4', { ticketId: 'T-x4', time: at(t0 + 3 * MIN), location: d, category: 'noise' }),
    ticket('x5', { ticketId: 'T-x5', time: at(t0 + 4 * MIN), location: e, resolveDueAt: at(t0 + 10 * MIN) }),
    // x2 answered in time and closed resolved, then rated satisfied; x4 answered, closed unresolved, rated not.
    {
      id: 'u2',
      kind: 'ticket.updated',
      time: at(t0 + 5 * MIN),
      source: 'hotline_12345',
      ticketId: 'T-x2',
      status: 'in_progress',
      assignee: '张三',
    },
    {
      id: 'e2',
      kind: 'ticket.escalated',
      time: at(t0 + 6 * MIN),
      source: 'hotline_12345',
      ticketId: 'T-x2',
      departments: ['police'],
    },
    {
      id: 'c2',
      kind: 'ticket.closed',
      time: at(t0 + 7 * MIN),
      source: 'hotline_12345',
      ticketId: 'T-x2',
      resolved: true,
    },
    {
      id: 'r2',
      kind: 'ticket.rated',
      time: at(t0 + 8 * MIN),
      source: 'hotline_12345',
      ticketId: 'T-x2',
      satisfied: true,
    },
    {
      id: 'u4',
      kind: 'ticket.updated',
      time: at(t0 + 9 * MIN),
      source: 'hotline_12345',
      ticketId: 'T-x4',
      status: 'replied',
    },
    {
      id: 'c4',
      kind: 'ticket.closed',
      time: at(t0 + 10 * MIN),
      source: 'hotline_12345',
      ticketId: 'T-x4',
      resolved: false,
    },
    {
      id: 'r4',
      kind: 'ticket.rated',
      time: at(t0 + 11 * MIN),
      source: 'hotline_12345',
      ticketId: 'T-x4',
      satisfied: false,
    },
    {
      id: 'u3',
      kind: 'ticket.updated',
      time: at(t0 + 12 * MIN),
      source: 'hotline_12345',
      ticketId: 'T-x3',
      status: 'dispatched',
    },
  ];
  const res = await postEvents(app, events);
  expect(res.json()).toMatchObject({ accepted: events.length });
  app.services.live.advance(Date.now());
});

afterAll(async () => {
  await app?.close();
});

const get = (url: string, headers = admin) => app.inject({ method: 'GET', url, headers });
const apiTickets = async (query: string, headers = admin) =>
  ((await get(`/api/v1/tickets?limit=1000${query ? `&${query}` : ''}`, headers)).json() as { items: TicketObject[] })
    .items;

function decodeFilename(disposition: string): string {
  const m = /filename\*=UTF-8''([^;]+)/.exec(disposition);
  if (!m) throw new Error(`no filename* in ${disposition}`);
  return decodeURIComponent(m[1]!);
}

/** The CSV record of a ticket, as the API gives it: what a reader of the file must get back. */
function expectedRecord(t: TicketObject): Record<string, string> {
  const title = /^[=+\-@]/.test(t.title) ? `'${t.title}` : t.title;
  return {
    id: t.id,
    title,
    category: t.category,
    urgency: t.urgency,
    status: t.status,
    created_at: isoLocal(Date.parse(t.createdAt)),
    response_due_at: isoLocal(Date.parse(t.responseDueAt)),
    resolve_due_at: isoLocal(Date.parse(t.resolveDueAt)),
    overdue: String(t.overdue),
    near_deadline: String(t.nearDeadline),
    assignee: t.assignee ?? '',
    escalated_to: t.escalatedTo.join(';'),
    town_id: t.place?.townId ?? '',
    town: t.place?.townId ? (app.services.geo.tree.nodes[`town:${t.place.townId}`]?.name ?? '') : '',
    grid_id: t.place?.gridId ?? '',
    property_id: t.place?.propertyId ?? '',
    forest_id: t.place?.forestId ?? '',
    lon: String(t.position[0]),
    lat: String(t.position[1]),
  };
}

describe('tickets.csv', () => {
  it.each([
    '',
    `area=${ZHANGJIAWAN}`,
    'status=open',
    'category=noise',
    'overdue=true',
    `area=${SONGZHUANG}&overdue=false`,
  ])('reads back equal to GET /api/v1/tickets for "%s"', async (query) => {
    const res = await get(`/api/v1/export/tickets.csv${query ? `?${query}` : ''}`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect([...res.rawPayload.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const records = csvRecords(res.body.slice(1));
    const api = await apiTickets(query);
    expect(api.length).toBeGreaterThan(0);
    expect(records.map((r) => r.id).sort()).toEqual(api.map((t) => t.id).sort());
    const byId = new Map(records.map((r) => [r.id, r]));
    for (const t of api) expect(byId.get(t.id), t.id).toEqual(expectedRecord(t));
  });

  it('keeps quotes, commas and line breaks of a title inside one field, times in +08:00, formulas as text', async () => {
    const res = await get(`/api/v1/export/tickets.csv?area=${ZHANGJIAWAN}`);
    const records = csvRecords(res.body.slice(1));
    expect(records.find((r) => r.id === 'T-x1')!.title).toBe(NASTY_TITLE);
    expect(records.find((r) => r.id === 'T-x3')!.title).toBe(`'=HYPERLINK("http://evil")`);
    for (const r of records) expect(r.created_at).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{3})?\+08:00$/);
    // The raw text: the title is quoted with its inner quotes doubled, records end in CRLF.
    expect(res.body).toContain('"他说：""楼道里,全是电动车""\n第二行，还有""引号"""');
    expect(res.body.endsWith('\r\n')).toBe(true);
  });

  it('names the file by area and day, in Chinese through filename* and in ASCII through filename', async () => {
    const res = await get(`/api/v1/export/tickets.csv?area=${ZHANGJIAWAN}`);
    const disposition = String(res.headers['content-disposition']);
    expect(disposition).toMatch(
      /^attachment; filename="tickets-town-110112105-\d{4}-\d{2}-\d{2}\.csv"; filename\*=UTF-8''/,
    );
    expect(decodeFilename(disposition)).toMatch(/^工单-张家湾镇-\d{4}-\d{2}-\d{2}\.csv$/);
    expect(res.headers['cache-control']).toBe('private, no-store');
  });

  it('gives a town leader their own town without an area, and refuses another town', async () => {
    const res = await get('/api/v1/export/tickets.csv', leader);
    const ids = csvRecords(res.body.slice(1))
      .map((r) => r.id)
      .sort();
    expect(ids).toEqual((await apiTickets(`area=${ZHANGJIAWAN}`)).map((t) => t.id).sort());
    expect(ids).not.toContain('T-x4');
    for (const path of ['tickets.csv', 'tickets.geojson', 'aggregates.csv']) {
      const other = await get(`/api/v1/export/${path}?area=${SONGZHUANG}`, leader);
      expect(other.statusCode, path).toBe(403);
      expect(other.json().code).toBe('not_in_scope');
    }
  });

  it('refuses what the ticket list refuses, and a time without an offset', async () => {
    for (const q of [
      'status=lost',
      'category=nope',
      'area=town:999',
      'overdue=maybe',
      'from=2025-07-20T08:00:00',
      'from=2025-07-21&to=2025-07-20',
    ]) {
      expect((await get(`/api/v1/export/tickets.csv?${q}`)).statusCode, q).toBe(400);
    }
  });
});

describe('tickets.geojson', () => {
  it.each(['', `area=${ZHANGJIAWAN}`, 'status=open'])(
    'is a FeatureCollection of the tickets of GET /api/v1/tickets for "%s"',
    async (query) => {
      const res = await get(`/api/v1/export/tickets.geojson${query ? `?${query}` : ''}`);
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toBe('application/geo+json; charset=utf-8');
      expect(decodeFilename(String(res.headers['content-disposition']))).toMatch(/\.geojson$/);
      const fc = res.json() as {
        type: string;
        features: {
          type: string;
          id: string;
          geometry: { type: string; coordinates: number[] };
          properties: Record<string, unknown>;
        }[];
      };
      expect(fc.type).toBe('FeatureCollection');
      const api = await apiTickets(query);
      expect(fc.features.map((f) => f.id).sort()).toEqual(api.map((t) => t.id).sort());
      const byId = new Map(fc.features.map((f) => [f.id, f]));
      for (const t of api) {
        const f = byId.get(t.id)!;
        const { position, ...rest } = t;
        expect(f.geometry).toEqual({ type: 'Point', coordinates: position });
        expect(f.properties).toEqual(rest);
      }
    },
  );
});

describe('a time window folds the log', () => {
  it('a window around every ticket gives the live list, field for field', async () => {
    const from = encodeURIComponent(isoLocal(now - 2 * 3600_000));
    const res = await get(`/api/v1/export/tickets.geojson?from=${from}`);
    const features = (res.json() as { features: { id: string; properties: Record<string, unknown> }[] }).features;
    const api = await apiTickets('');
    expect(features.map((f) => f.id).sort()).toEqual(api.map((t) => t.id).sort());
    for (const t of api) {
      const { position: _p, ...rest } = t;
      // A closed ticket is written at its close, so a rating or follow-up after it is not on the row (the export
      // streams any window with a flat heap); everything else is the live list's, field for field.
      if (t.status === 'closed') delete rest.followUp;
      expect(features.find((f) => f.id === t.id)!.properties, t.id).toEqual(rest);
    }
  });

  it('a window ends where it says: tickets created after it are left out, and events after it are not folded', async () => {
    const t0 = now - 50 * MIN;
    // Up to x2's creation: x1 and x2; x2 not yet in progress, closed or escalated.
    const to = encodeURIComponent(isoLocal(t0 + 1 * MIN + 1));
    const res = await get(`/api/v1/export/tickets.csv?to=${to}`);
    const records = csvRecords(res.body.slice(1));
    expect(records.map((r) => r.id).sort()).toEqual(['T-x1', 'T-x2']);
    const x2 = records.find((r) => r.id === 'T-x2')!;
    expect([x2.status, x2.escalated_to, x2.assignee]).toEqual(['received', '', '']);
    const filtered = await get(`/api/v1/export/tickets.csv?to=${to}&category=noise&area=${ZHANGJIAWAN}`);
    expect(csvRecords(filtered.body.slice(1)).map((r) => r.id)).toEqual(['T-x2']);
    const empty = await get('/api/v1/export/tickets.csv?from=2000-01-01&to=2000-01-02');
    expect(csvRecords(empty.body.slice(1))).toEqual([]);
    expect(decodeFilename(String(empty.headers['content-disposition']))).toBe('工单-通州区-2000-01-01.csv');
  });
});

describe('aggregates.csv', () => {
  it("today's window gives the KPI bar's figures for the area and each child", async () => {
    const res = await get('/api/v1/export/aggregates.csv?window=today');
    expect(res.statusCode).toBe(200);
    expect([...res.rawPayload.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(decodeFilename(String(res.headers['content-disposition']))).toMatch(
      /^区域指标-通州区-\d{4}-\d{2}-\d{2}\.csv$/,
    );
    const rows = csvRecords(res.body.slice(1));
    app.services.live.advance(Date.now());
    const live = (await get('/api/v1/aggregates')).json() as {
      aggregates: { key: string; tickets: Record<string, number | null> }[];
    };
    expect(rows.map((r) => r.area)).toEqual(live.aggregates.map((a) => a.key));
    const rate = (r: number | null | undefined) => (r === null || r === undefined ? '' : r.toFixed(4));
    for (const a of live.aggregates) {
      const row = rows.find((r) => r.area === a.key)!;
      expect(
        [
          row.tickets_created,
          row.tickets_closed,
          row.tickets_overdue_at_end,
          row.response_rate,
          row.resolution_rate,
          row.satisfaction_rate,
          row.composite,
        ],
        a.key,
      ).toEqual([
        String(a.tickets.newToday),
        String(a.tickets.closedToday),
        String(a.tickets.overdue),
        rate(a.tickets.responseRate),
        rate(a.tickets.resolutionRate),
        rate(a.tickets.satisfactionRate),
        rate(a.tickets.composite),
      ]);
    }
    // Not a vacuous comparison: the district had tickets, closes, ratings and a missed response today.
    const district = rows[0]!;
    const window = todayWindow(Date.now());
    if (now - 50 * MIN >= window.fromMs) {
      expect(district).toMatchObject({
        tickets_created: '5',
        tickets_closed: '2',
        resolution_rate: '0.5000',
        satisfaction_rate: '0.5000',
      });
      expect(Number(district.response_rate)).toBeGreaterThan(0);
      expect(Number(district.response_rate)).toBeLessThan(1);
      expect(Number(district.tickets_overdue_at_end)).toBe(1);
    }
  });

  it('a window before the log counts nothing; the area and its children are the rows', async () => {
    const res = await get(`/api/v1/export/aggregates.csv?area=${ZHANGJIAWAN}&from=2000-01-01&to=2000-01-08`);
    const rows = csvRecords(res.body.slice(1));
    expect(rows[0]).toMatchObject({
      area: ZHANGJIAWAN,
      name: '张家湾镇',
      level: 'town',
      tickets_created: '0',
      response_rate: '',
      from: '2000-01-01T00:00:00+08:00',
      to: '2000-01-08T00:00:00+08:00',
    });
    expect(rows.slice(1).map((r) => r.area)).toEqual(app.services.geo.tree.children[ZHANGJIAWAN]);
  });
});
