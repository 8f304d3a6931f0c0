// GET /api/v1/treatment over the real app: the 治理类 towns of TREATED_TOWNS inside the caller's scope, with
// their 三升四降 pair counted from what was ingested; the landing carries its own town's; a town the geography
// does not have stops the start.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../server/app';
import type { Landing } from '../../server/contract/landing';
import type { TreatmentList } from '../../server/contract/treatment';
import { interiorPoint } from '../../server/geo/interior';
import { testApp, ticket } from '../helpers/app';
import { bearerHeaders, principals, sessionHeaders, SONGZHUANG, ZHANGJIAWAN } from '../helpers/auth';

const NOW = Date.parse('2026-07-20T16:30:00+08:00');
const at = (local: string) => new Date(Date.parse(`${local}+08:00`)).toISOString();

let app: App;

beforeAll(async () => {
  app = await testApp({ TREATED_TOWNS: '张家湾镇@2019-07-01,110112104@2021-03-01' }, { now: () => NOW });
  const feed = await bearerHeaders(app, principals.feed);
  const cells = app.services.geo.layers.grid.features.filter((f) => f.properties.townId === '110112105');
  const [lon, lat] = interiorPoint(cells[0]!.geometry as never);
  // 张家湾镇: the log begins on 10 June with 21 tickets (June's days 10–30: 1 a day), then 19 in July's whole
  // days 1–19 (also 1 a day), and 4 today, which the volume leaves out.
  const events: Record<string, unknown>[] = [];
  for (let i = 0; i < 21; i++)
    events.push(ticket(`j${i}`, { time: at(`2026-06-${10 + i}T10:00:00`), location: { lon, lat } }));
  for (let i = 0; i < 19; i++)
    events.push(
      ticket(`u${i}`, { time: at(`2026-07-${String(1 + i).padStart(2, '0')}T10:00:00`), location: { lon, lat } }),
    );
  for (let i = 0; i < 4; i++) events.push(ticket(`t${i}`, { time: at('2026-07-20T09:00:00'), location: { lon, lat } }));
  const res = await app.inject({ method: 'POST', url: '/api/v1/events', headers: feed, payload: events });
  expect(res.statusCode, res.body).toBeLessThan(300);
});

afterAll(async () => {
  await app?.close();
});

const get = async (headers: Record<string, string>) => {
  const res = await app.inject({ method: 'GET', url: '/api/v1/treatment', headers });
  expect(res.statusCode, res.body).toBe(200);
  return res.json<TreatmentList>();
};

describe('GET /api/v1/treatment', () => {
  it('lists the treated towns of the district, in the tree order, with their pair', async () => {
    const body = await get(await sessionHeaders(app, principals.admin));
    expect(body.minSample).toBe(10);
    expect(body.towns.map((t) => [t.key, t.name, t.since])).toEqual([
      [SONGZHUANG, '宋庄镇', '2021-03-01'],
      [ZHANGJIAWAN, '张家湾镇', '2019-07-01'],
    ]);
    const zjw = body.towns[1]!.pair;
    expect(zjw.previous).toMatchObject({ from: '2026-06-10', to: '2026-06-30', days: 21, created: 21, perDay: 1 });
    expect(zjw.month).toMatchObject({ from: '2026-07-01', to: '2026-07-20', days: 19, created: 19, perDay: 1 });
    // Nobody answered: every response missed its deadline (24 h later) and counts in the month of that deadline:
    // June 10–29's 20 in June; 30 June's and July 1–19's 20 in July (today's 4 are not due yet). The rate held
    // at 0; no verdict nor rating: not compared; the volume held at 1 a day.
    expect(zjw.previous.sample.response).toBe(20);
    expect(zjw.month.sample.response).toBe(20);
    expect(zjw).toMatchObject({
      response: 'same',
      resolution: null,
      satisfaction: null,
      volume: 'same',
      met: false,
    });
    expect(body.towns[0]!.pair.month.created).toBe(0);
  });

  it('shows a town leader their own town only, and nobody unauthenticated', async () => {
    const mine = await get(await sessionHeaders(app, principals.townLeader));
    expect(mine.towns.map((t) => t.key)).toEqual([ZHANGJIAWAN]);
    const other = await get(await sessionHeaders(app, principals.otherTownLeader));
    expect(other.towns.map((t) => t.key)).toEqual([SONGZHUANG]);
    const res = await app.inject({ method: 'GET', url: '/api/v1/treatment' });
    expect(res.statusCode).toBe(401);
  });

  it('gives the landing the same pair for its town', async () => {
    const headers = await sessionHeaders(app, principals.townLeader);
    const res = await app.inject({ method: 'GET', url: '/api/v1/landing', headers });
    expect(res.statusCode, res.body).toBe(200);
    const landing = res.json<Landing>();
    const listed = (await get(headers)).towns[0];
    expect(landing.treatment).toEqual(listed);
  });
});

describe('the settings at start', () => {
  it('refuses a treated town the geography does not have', async () => {
    await expect(testApp({ TREATED_TOWNS: '不存在镇@2020-01-01' })).rejects.toThrow(/no town/);
  });

  it('lists none with TREATED_TOWNS=none', async () => {
    const quiet = await testApp({ TREATED_TOWNS: 'none' }, { now: () => NOW });
    try {
      const body = await quiet.inject({
        method: 'GET',
        url: '/api/v1/treatment',
        headers: await sessionHeaders(quiet, principals.admin),
      });
      expect(body.json<TreatmentList>().towns).toEqual([]);
    } finally {
      await quiet.close();
    }
  });
});
