// GET /api/v1/search over the real app (Fastify inject): a ticket by its id, a village by its name, a ranger by
// their id or tracker, each with the area to open; and the scope: a 张家湾镇 leader never finds a 宋庄镇 ticket or
// ranger, whatever they type.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../server/app';
import type { SearchAnswer } from '../../server/contract/search';
import { loadGeo } from '../../server/geo/load';
import { interiorPoint } from '../../server/geo/interior';
import { testApp, ticket } from '../helpers/app';
import { getAsAdmin, postEvents } from '../helpers/callers';
import { principals, sessionHeaders, SONGZHUANG, ZHANGJIAWAN } from '../helpers/auth';
import { GEO_DIR } from '../helpers/paths';
import { pointsInTown } from '../helpers/towns';

let app: App;
const ZJW_TICKET = 'T-SEARCH-ZJW-0001';
const SZ_TICKET = 'T-SEARCH-SZ-0002';
const SZ_RANGER = 'rg-search-sz';

beforeAll(async () => {
  app = await testApp();
  const geo = await loadGeo(GEO_DIR);
  const [zjw] = pointsInTown(geo, ZHANGJIAWAN, 1);
  const [sz] = pointsInTown(geo, SONGZHUANG, 1);
  const cluster = geo.layers.forest.features.find((f) => f.properties.id === 'f-110112104-01')!;
  const [lon, lat] = interiorPoint(cluster.geometry);
  const time = new Date(Date.now() - 30_000).toISOString();
  const res = await postEvents(app, [
    ticket('s1', { ticketId: ZJW_TICKET, title: '张家湾路口积水', location: zjw }),
    ticket('s2', { ticketId: SZ_TICKET, title: '宋庄画家村噪音', location: sz }),
    {
      id: 's3',
      kind: 'patrol.started',
      time,
      source: 'ranger_app',
      patrolId: 'pt-search',
      rangerId: SZ_RANGER,
      clusterId: 'f-110112104-01',
    },
    {
      id: 's4',
      kind: 'patrol.position',
      time,
      source: 'ranger_app',
      patrolId: 'pt-search',
      rangerId: SZ_RANGER,
      location: { lon, lat },
    },
  ]);
  expect(res.json()).toMatchObject({ accepted: 4 });
});
afterAll(async () => {
  await app.close();
});

const asLeader = async (q: string) =>
  app.inject({
    method: 'GET',
    url: `/api/v1/search?q=${encodeURIComponent(q)}`,
    headers: await sessionHeaders(app, principals.townLeader),
  });
const hits = async (res: Awaited<ReturnType<typeof getAsAdmin>>) => {
  expect(res.statusCode).toBe(200);
  expect(res.headers['cache-control']).toBe('no-store');
  return (res.json() as SearchAnswer).hits;
};

describe('GET /api/v1/search', () => {
  it('finds a ticket by its id, first, with its grid cell to open and the ticket to pick', async () => {
    const [hit] = await hits(await getAsAdmin(app, `/api/v1/search?q=${ZJW_TICKET}`));
    expect(hit).toMatchObject({
      kind: 'ticket',
      id: ZJW_TICKET,
      name: '张家湾路口积水',
      object: { kind: 'ticket', id: ZJW_TICKET },
    });
    expect(hit!.area).toMatch(/^grid:g-110112105-/);
    // By a word of its title, too.
    expect(
      (await hits(await getAsAdmin(app, `/api/v1/search?q=${encodeURIComponent('画家村噪音')}`))).map((h) => h.id),
    ).toContain(SZ_TICKET);
  });

  it('finds a village by its name and by its pinyin initials', async () => {
    const [hit] = await hits(await getAsAdmin(app, `/api/v1/search?q=${encodeURIComponent('老槐庄村')}`));
    expect(hit).toMatchObject({ kind: 'village', name: '老槐庄村', context: '永乐店镇' });
    const [byInitials] = await hits(await getAsAdmin(app, '/api/v1/search?q=lhzc'));
    expect(byInitials).toMatchObject({ kind: 'village', name: '老槐庄村' });
  });

  it('finds a ranger on patrol by their id, with their forest cluster to open', async () => {
    const [hit] = await hits(await getAsAdmin(app, `/api/v1/search?q=${SZ_RANGER}`));
    expect(hit).toMatchObject({
      kind: 'ranger',
      id: SZ_RANGER,
      area: 'forest:f-110112104-01',
      object: { kind: 'ranger' },
    });
  });

  it("keeps a town leader to their town: 张家湾镇's ticket yes, 宋庄镇's ticket, ranger and villages never", async () => {
    expect((await hits(await asLeader(ZJW_TICKET))).map((h) => h.id)).toEqual([ZJW_TICKET]);
    expect((await hits(await asLeader(SZ_TICKET))).map((h) => h.id)).not.toContain(SZ_TICKET);
    expect(await hits(await asLeader('T-SEARCH'))).toEqual([expect.objectContaining({ id: ZJW_TICKET })]);
    expect(await hits(await asLeader(SZ_RANGER))).toEqual([]);
    expect(await hits(await asLeader('宋庄'))).toEqual([]);
    expect((await hits(await asLeader('三间房村'))).map((h) => h.name)).toContain('三间房村');
  });

  it('refuses an empty query and an unbounded limit', async () => {
    expect((await getAsAdmin(app, '/api/v1/search?q=')).statusCode).toBe(400);
    expect((await getAsAdmin(app, '/api/v1/search')).statusCode).toBe(400);
    expect((await getAsAdmin(app, '/api/v1/search?q=%E6%9D%91&limit=500')).statusCode).toBe(400);
    expect(await hits(await getAsAdmin(app, '/api/v1/search?q=%E6%9D%91&limit=3'))).toHaveLength(3);
  });
});
