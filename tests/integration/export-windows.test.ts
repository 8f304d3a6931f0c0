// The exports speak in the KPIs' windows (`window=today|month|year|rolling30d`): on a server whose clock stands
// at 10:00 on 15 February 2026 (Beijing), tickets created on either side of every window's first instant are
// counted by hand, in the aggregates CSV and in the ticket CSV; the aggregates' default is the month; a window
// and from/to together, or an unknown window, are refused.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../server/app';
import type { AreaKey } from '../../server/contract/areas';
import { testApp, ticket } from '../helpers/app';
import { principals, sessionHeaders, ZHANGJIAWAN } from '../helpers/auth';
import { postEvents } from '../helpers/callers';
import { csvRecords } from '../helpers/csv';
import { pointsInTown } from '../helpers/towns';

const NOW = Date.parse('2026-02-15T10:00:00+08:00');
const L = (local: string) => `${local}+08:00`;
let app: App;
let admin: Record<string, string>;

/** Created at these instants, in 张家湾镇: the last before and the first of each window. */
const CREATED: [string, string][] = [
  ['a', '2025-12-31T23:59:59.999'], // the old year: in no window
  ['b', '2026-01-01T00:00:00'], // the year's first instant
  ['c', '2026-01-16T23:59:59.999'], // the day before the 30 days
  ['d', '2026-01-17T00:00:00'], // the 30 days' first day (15 Feb and the 29 days before)
  ['e', '2026-01-31T23:59:59.999'], // January's last instant
  ['f', '2026-02-01T00:00:00'], // the month's first instant
  ['g', '2026-02-14T23:59:59.999'], // yesterday's last instant
  ['h', '2026-02-15T00:00:00'], // today's first instant
];

beforeAll(async () => {
  app = await testApp({}, { now: () => NOW });
  admin = await sessionHeaders(app, principals.admin);
  const points = pointsInTown(app.services.geo, ZHANGJIAWAN, CREATED.length);
  const close = (id: string, time: string) => ({
    id: `c-${id}`,
    kind: 'ticket.closed',
    time: L(time),
    source: 'hotline_12345',
    ticketId: `T-${id}`,
    resolved: true,
  });
  const res = await postEvents(app, [
    ...CREATED.map(([id, time], i) =>
      ticket(id, {
        time: L(time),
        location: points[i],
        // Due long after now: nothing turns overdue, so only the windows differ.
        responseDueAt: L('2026-06-01T00:00:00'),
        resolveDueAt: L('2026-06-01T00:00:00'),
      }),
    ),
    // Closed at January's last instant and at February's first.
    close('a', '2026-01-31T23:59:59.999'),
    close('b', '2026-02-01T00:00:00'),
  ]);
  expect(res.json()).toMatchObject({ accepted: CREATED.length + 2 });
});
afterAll(async () => {
  await app.close();
});

const get = (url: string) => app.inject({ method: 'GET', url, headers: admin });
async function townRow(query: string) {
  const res = await get(`/api/v1/export/aggregates.csv?area=${ZHANGJIAWAN}${query}`);
  expect(res.statusCode, res.body).toBe(200);
  const rows = csvRecords(res.body.slice(1));
  return { row: rows.find((r) => r.area === ZHANGJIAWAN)!, file: String(res.headers['content-disposition']) };
}

describe('exports in the KPIs’ windows', () => {
  it('counts created and closed tickets of each window from its first local instant', async () => {
    // Created: today h; month f g h; 30 days d–h; year b–h. Closed: a (31 Jan) and b (1 Feb).
    const expected: Record<string, [number, number, string]> = {
      today: [1, 0, '2026-02-15'],
      month: [3, 1, '2026-02-01'],
      rolling30d: [5, 2, '2026-01-17'],
      year: [7, 2, '2026-01-01'],
    };
    for (const [window, [created, closed, from]] of Object.entries(expected)) {
      const { row } = await townRow(`&window=${window}`);
      expect([window, row.tickets_created, row.tickets_closed, row.from, row.to]).toEqual([
        window,
        String(created),
        String(closed),
        L(`${from}T00:00:00`),
        L('2026-02-16T00:00:00'),
      ]);
    }
  });

  it('lists the tickets created in each window in the ticket CSV, and the aggregates default to the month', async () => {
    const ids = async (window: string) => {
      const res = await get(`/api/v1/export/tickets.csv?area=${ZHANGJIAWAN}&window=${window}`);
      expect(res.statusCode).toBe(200);
      return csvRecords(res.body.slice(1))
        .map((r) => r.id)
        .sort();
    };
    expect(await ids('today')).toEqual(['T-h']);
    expect(await ids('month')).toEqual(['T-f', 'T-g', 'T-h']);
    expect(await ids('rolling30d')).toEqual(['T-d', 'T-e', 'T-f', 'T-g', 'T-h']);
    expect(await ids('year')).toEqual(['T-b', 'T-c', 'T-d', 'T-e', 'T-f', 'T-g', 'T-h']);
    const geojson = await get(`/api/v1/export/tickets.geojson?area=${ZHANGJIAWAN}&window=month`);
    expect((geojson.json() as { features: unknown[] }).features).toHaveLength(3);

    const byDefault = await townRow('');
    const month = await townRow('&window=month');
    expect(byDefault.row).toEqual(month.row);
    // Named by the window's days.
    expect(decodeURIComponent(byDefault.file)).toContain('2026-02-01_2026-02-15');
  });

  it('refuses a window with from/to, and a window it does not know', async () => {
    const both = await get(`/api/v1/export/aggregates.csv?window=month&from=2026-01-01`);
    expect(both.statusCode).toBe(400);
    expect(both.json()).toMatchObject({ message: expect.stringContaining('window') });
    const tickets = await get(`/api/v1/export/tickets.csv?window=year&to=2026-01-01`);
    expect(tickets.statusCode).toBe(400);
    expect((await get(`/api/v1/export/aggregates.csv?window=week`)).statusCode).toBe(400);
    const area: AreaKey = ZHANGJIAWAN;
    expect((await get(`/api/v1/export/tickets.csv?area=${area}&window=rolling24h`)).statusCode).toBe(400);
  });
});
