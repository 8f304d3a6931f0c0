// The trend route over the real app (Fastify inject): posted tickets move the hourly created / closed counts of
// their town and of the district, and a restart over the same log answers the same.
import { afterEach, describe, expect, it } from 'vitest';
import type { App } from '../../server/app';
import { createMemoryStore } from '../../server/store/memory';
import type { EventStore } from '../../server/store/types';
import { testApp, ticket } from '../helpers/app';
import { getAsAdmin, postEvents } from '../helpers/callers';

const NOW = Date.parse('2026-07-20T16:30:00+08:00');
const HOUR = 3600_000;
const iso = (ms: number) => new Date(ms).toISOString();

interface TrendBody {
  area: string;
  hours: number;
  points: { at: string; created: number; closed: number }[];
  byCategory: Record<string, number>;
  created: number;
  closed: number;
}

const apps: App[] = [];
afterEach(async () => {
  while (apps.length > 0) await apps.pop()!.close();
});

/** A memory store that outlives the app using it: what a restart over a durable log looks like. */
function durable(): EventStore {
  const inner = createMemoryStore();
  return { ...inner, close: async () => {} };
}

async function start(store: EventStore): Promise<App> {
  const app = await testApp({}, { store, now: () => NOW });
  apps.push(app);
  return app;
}

const post = (app: App, events: unknown[]) => postEvents(app, events);
const trend = async (app: App, area: string, hours = 24): Promise<TrendBody> => {
  const res = await getAsAdmin(app, `/api/v1/trend?area=${encodeURIComponent(area)}&hours=${hours}`);
  expect(res.statusCode).toBe(200);
  return res.json() as TrendBody;
};
const closed = (id: string, ticketId: string, at: number) => ({
  id,
  kind: 'ticket.closed',
  time: iso(at),
  source: 'hotline_12345',
  ticketId,
  resolved: true,
});

describe('GET /api/v1/trend', () => {
  it('counts tickets created and closed per hour, in the town and the district', async () => {
    const app = await start(durable());
    const accepted = await post(app, [
      ticket('a', { time: iso(NOW - 60_000) }),
      ticket('b', { time: iso(NOW - 3 * HOUR), category: 'noise' }),
      ticket('c', { time: iso(NOW - 3 * HOUR - 60_000) }),
    ]);
    expect(accepted.json()).toMatchObject({ accepted: 3 });
    const town = `town:${(await getAsAdmin(app, '/api/v1/events?after=0')).json().events[0].place.townId as string}`;

    const before = await trend(app, town);
    expect(before.points).toHaveLength(24);
    // The last point is the hour that holds now (16:00–17:00 Beijing time).
    expect(Date.parse(before.points[23]!.at)).toBe(Date.parse('2026-07-20T16:00:00+08:00'));
    expect(before.points[23]).toMatchObject({ created: 1, closed: 0 });
    expect(before.points[20]).toMatchObject({ created: 2, closed: 0 });
    expect(before).toMatchObject({ created: 3, closed: 0, byCategory: { e_bike: 2, noise: 1 } });

    // A close through ticket.updated, then the verdict by ticket.closed: one close, not two.
    await post(app, [
      {
        id: 'u1',
        kind: 'ticket.updated',
        time: iso(NOW - 30_000),
        source: 'hotline_12345',
        ticketId: 'T-b',
        status: 'closed',
      },
      closed('k1', 'T-b', NOW - 20_000),
      closed('k2', 'T-c', NOW - 2 * HOUR),
    ]);
    const after = await trend(app, town);
    expect(after.points[23]).toMatchObject({ created: 1, closed: 1 });
    expect(after.points[21]).toMatchObject({ created: 0, closed: 1 });
    expect(after).toMatchObject({ created: 3, closed: 2 });
    expect(await trend(app, 'district:110112')).toMatchObject({ created: 3, closed: 2 });

    // A shorter window leaves the older hours out.
    expect(await trend(app, town, 2)).toMatchObject({ created: 1, closed: 1 });
  });

  it('answers the same after a restart over the same log', async () => {
    const store = durable();
    const first = await start(store);
    await post(first, [
      ticket('a', { time: iso(NOW - 60_000) }),
      ticket('b', { time: iso(NOW - 5 * HOUR) }),
      closed('k', 'T-b', NOW - HOUR),
    ]);
    const before = await trend(first, 'district:110112');
    expect(before).toMatchObject({ created: 2, closed: 1 });
    await first.close();
    apps.splice(apps.indexOf(first), 1);

    const second = await start(store);
    expect(await trend(second, 'district:110112')).toEqual(before);
  });

  it("rejects an unknown area and an out-of-range window; without an area, it is the asker's scope", async () => {
    const app = await start(durable());
    expect((await getAsAdmin(app, '/api/v1/trend?area=town:999')).statusCode).toBe(404);
    expect((await getAsAdmin(app, '/api/v1/trend?area=district:110112&hours=0')).statusCode).toBe(400);
    expect((await getAsAdmin(app, '/api/v1/trend?area=district:110112&hours=100000')).statusCode).toBe(400);
    const own = await getAsAdmin(app, '/api/v1/trend');
    expect(own.statusCode).toBe(200);
    expect(own.json().area).toBe('district:110112');
  });
});
