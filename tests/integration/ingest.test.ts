// Every ingest path over real HTTP handling (Fastify inject) into the real pipeline: per-item answers, bad
// items rejected with the field and the reason, good items of the same batch kept.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { App } from '../../server/app';
import { createMemoryStore } from '../../server/store/memory';
import type { EventStore } from '../../server/store/types';
import { testApp, ticket } from '../helpers/app';
import { bearerHeaders, principals, sessionHeaders } from '../helpers/auth';

let app: App;
/** Events come from a feed device token; reads of the log and the live state as the admin. */
let feed: Record<string, string>;
let admin: Record<string, string>;
beforeEach(async () => {
  app = await testApp();
  feed = await bearerHeaders(app, principals.feed);
  admin = await sessionHeaders(app, principals.admin);
});
afterEach(async () => {
  await app.close();
});

const post = (url: string, payload: unknown, contentType = 'application/json') =>
  app.inject({
    method: 'POST',
    url,
    payload: typeof payload === 'string' ? payload : JSON.stringify(payload),
    headers: { ...feed, 'content-type': contentType },
  });
const get = (url: string, headers = admin) => app.inject({ url, headers });

describe('POST /api/v1/events', () => {
  it('answers per item: accepted with gap-free seqs, rejected with path and reason, good items kept', async () => {
    const res = await post('/api/v1/events', [
      ticket('a'),
      ticket('b', { location: { lon: 'east', lat: 39.88 } }),
      ticket('c'),
      ticket('d', { category: 'gossip' }),
      ticket('e', { location: { lon: 116.39, lat: 39.91 } }), // Tiananmen: outside the district
      ticket('f', { time: new Date(Date.now() + 3600_000).toISOString() }),
    ]);
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({ accepted: 2, duplicates: 0, rejected: 4 });
    expect(body.results[0]).toEqual({ status: 'accepted', seq: 1 });
    expect(body.results[2]).toEqual({ status: 'accepted', seq: 2 });
    expect(body.results[1].errors[0]).toMatchObject({ path: '/location/lon', message: expect.any(String) });
    expect(body.results[3].errors[0]).toMatchObject({ path: '/category', message: expect.stringMatching(/one of/) });
    expect(body.results[4].errors[0]).toMatchObject({
      path: '/location',
      message: expect.stringMatching(/outside the district/),
    });
    expect(body.results[5].errors[0]).toMatchObject({ path: '/time', message: expect.stringMatching(/future/) });
    expect(app.services.live.seq).toBe(2);
  });

  it('is idempotent: the same event id again is a duplicate with the first seq, not applied twice', async () => {
    await post('/api/v1/events', [ticket('a'), ticket('b')]);
    const open = app.services.live.aggregate('district:110112')!.tickets.open;
    const again = (await post('/api/v1/events', [ticket('b'), ticket('c'), ticket('c')])).json();
    expect(again.results).toEqual([
      { status: 'duplicate', seq: 2 },
      { status: 'accepted', seq: 3 },
      { status: 'duplicate', seq: 3 },
    ]);
    expect(app.services.live.aggregate('district:110112')!.tickets.open).toBe(open + 1);
  });

  it('converts GCJ-02 and BD-09 coordinates to WGS84 before storing and locating', async () => {
    await post('/api/v1/events', [ticket('g', { location: { lon: 116.6842, lat: 39.8875, crs: 'gcj02' } })]);
    const stored = (await get('/api/v1/events?after=0')).json().events[0];
    expect(stored.event.location.crs).toBe('wgs84');
    expect(116.6842 - stored.event.location.lon).toBeGreaterThan(0.005); // ~500 m west
    expect(stored.place.townId).toMatch(/^110112/);
    expect(stored.place.gridId).toMatch(/^g-/);
  });

  it('reads NDJSON, answering a broken line in place', async () => {
    const body = [JSON.stringify(ticket('n1')), '{"kind": "ticket.created",', JSON.stringify(ticket('n2'))].join('\n');
    const res = (await post('/api/v1/events', body, 'application/x-ndjson')).json();
    expect(res.results.map((r: { status: string }) => r.status)).toEqual(['accepted', 'rejected', 'accepted']);
    expect(res.results[1].errors[0].message).toMatch(/line 2 is not valid JSON/);
  });

  it('gives a clear 4xx for a body that is not JSON, the wrong content type, an empty or oversized batch', async () => {
    const notJson = await post('/api/v1/events', '[{"id": ', 'application/json');
    expect(notJson.statusCode).toBe(400);
    expect(notJson.json().message).toMatch(/JSON/i);
    const wrongType = await post('/api/v1/events', 'id=1', 'text/plain');
    expect(wrongType.statusCode).toBe(415);
    expect((await post('/api/v1/events', [])).statusCode).toBe(400);
    const tooMany = await post(
      '/api/v1/events',
      Array.from({ length: 10_001 }, (_, i) => ({ id: `x${i}` })),
    );
    expect(tooMany.statusCode).toBe(413);
    expect(tooMany.json().message).toMatch(/at most 10000/);
  });

  it('accepts a full batch of 10,000 events', async () => {
    const res = await post(
      '/api/v1/events',
      Array.from({ length: 10_000 }, (_, i) => ticket(`big-${i}`)),
    );
    expect(res.json()).toMatchObject({ accepted: 10_000, rejected: 0 });
  });

  it('checks the references of flood and patrol events against the geography', async () => {
    const res = (
      await post('/api/v1/events', [
        {
          id: 'r1',
          kind: 'flood.reading',
          time: new Date().toISOString(),
          source: 'sensor',
          checkpointId: 'cp-beiyun-01',
          level: 19.2,
        },
        {
          id: 'r2',
          kind: 'flood.reading',
          time: new Date().toISOString(),
          source: 'sensor',
          checkpointId: 'cp-nowhere-09',
          level: 19.2,
        },
        {
          id: 'p1',
          kind: 'patrol.started',
          time: new Date().toISOString(),
          source: 'ranger_app',
          patrolId: 'pt1',
          rangerId: 'rg1',
          clusterId: 'f-000',
        },
      ])
    ).json();
    expect(res.results[0].status).toBe('accepted');
    expect(res.results[1].errors[0]).toMatchObject({
      path: '/checkpointId',
      message: expect.stringMatching(/unknown checkpoint/),
    });
    expect(res.results[2].errors[0]).toMatchObject({
      path: '/clusterId',
      message: expect.stringMatching(/unknown forest cluster/),
    });
  });
});

describe('POST /api/v1/open311/import', () => {
  const request = {
    service_request_id: 'SR-1001',
    status: 'open',
    service_name: '物业管理',
    description: '小区电梯停运三天无人维修',
    lat: 39.8875,
    long: 116.6842,
    requested_datetime: new Date(Date.now() - 3600_000).toISOString(),
  };

  it('turns a service request into a ticket on the map, and its closing into a closed ticket', async () => {
    const res = (await post('/api/v1/open311/import', [request])).json();
    expect(res.results[0]).toMatchObject({ service_request_id: 'SR-1001', status: 'accepted' });
    const open = (await get('/api/v1/tickets?status=open')).json();
    expect(open.items.map((t: { id: string }) => t.id)).toContain('o311-SR-1001');
    expect(open.items[0].category).toBe('property_management');
    const closed = (
      await post('/api/v1/open311/import', [
        { ...request, status: 'closed', updated_datetime: new Date().toISOString() },
      ])
    ).json();
    expect(closed.results[0].status).toBe('accepted');
    expect((await get('/api/v1/tickets?status=open')).json().total).toBe(0);
  });

  it('takes ?crs=gcj02 for coordinates from a Chinese map', async () => {
    const res = await post('/api/v1/open311/import?crs=gcj02', [{ ...request, service_request_id: 'SR-1002' }]);
    expect(res.json().results[0].status).toBe('accepted');
    const stored = (await get('/api/v1/events?after=0')).json().events[0];
    expect(stored.event.location.lon).toBeLessThan(116.6842 - 0.005);
  });

  it('names the Open311 field that is wrong and keeps the good requests', async () => {
    const res = (
      await post('/api/v1/open311/import', [
        { ...request, service_request_id: 'SR-1', lat: 'north' },
        { ...request, service_request_id: 'SR-2' },
        { ...request, service_request_id: 'SR-3', lat: 39.91, long: 116.39 },
      ])
    ).json();
    expect(res.results.map((r: { status: string }) => r.status)).toEqual(['rejected', 'accepted', 'rejected']);
    expect(res.results[0].errors[0].path).toBe('/lat');
    expect(res.results[2].errors[0].path).toBe('/lat,/long');
  });
});

describe('GET|POST /api/v1/positions/osmand', () => {
  it('accepts a position by query string, form or JSON, and shows the ranger', async () => {
    const t = Math.floor(Date.now() / 1000) - 30;
    const q = await get(`/api/v1/positions/osmand?id=phone-7&lat=39.7101&lon=116.7932&timestamp=${t}&batt=80`, feed);
    expect(q.statusCode).toBe(200);
    expect(q.json()).toMatchObject({ status: 'accepted', seq: 1 });
    const form = await post(
      '/api/v1/positions/osmand',
      `id=phone-7&lat=39.7102&lon=116.7933&timestamp=${t + 10}`,
      'application/x-www-form-urlencoded',
    );
    expect(form.json().status).toBe('accepted');
    const json = await post('/api/v1/positions/osmand', {
      device_id: 'phone-7',
      location: {
        timestamp: new Date((t + 20) * 1000).toISOString(),
        coords: { latitude: 39.7103, longitude: 116.7934 },
      },
    });
    expect(json.json().status).toBe('accepted');
    expect(app.services.live.ranger('phone-7')?.position).toEqual([116.7934, 39.7103]);
  });

  it('answers 400 with the reasons for a bad position', async () => {
    const res = await get('/api/v1/positions/osmand?id=phone-7&lat=abc', feed);
    expect(res.statusCode).toBe(400);
    expect(
      res
        .json()
        .errors.map((e: { path: string }) => e.path)
        .sort(),
    ).toEqual(['/lat', '/lon']);
  });
});

describe('operations', () => {
  it('/metrics counts accepted, duplicate and rejected items and the log length', async () => {
    await post('/api/v1/events', [ticket('m1'), ticket('m1'), ticket('m2', { urgency: 'whenever' })]);
    const text = (await app.inject('/metrics')).body;
    expect(text).toMatch(/opsmap_ingest_items_total\{path="events",result="accepted"\} 1/);
    expect(text).toMatch(/opsmap_ingest_items_total\{path="events",result="duplicate"\} 1/);
    expect(text).toMatch(/opsmap_ingest_items_total\{path="events",result="rejected"\} 1/);
    expect(text).toMatch(/opsmap_log_last_seq 1/);
    expect(text).toMatch(/opsmap_nodejs_eventloop_lag_seconds/);
    // The gateway's next flush takes the change: the fan-out histogram gets its first observation.
    app.services.gateway.flush();
    expect((await app.inject('/metrics')).body).toMatch(/opsmap_fanout_seconds_count 1/);
  });

  it('/api/v1/aggregates and /api/v1/tickets answer from the live state, filtered', async () => {
    await post('/api/v1/events', [ticket('s1'), ticket('s2', { category: 'noise' })]);
    const agg = (await get('/api/v1/aggregates')).json();
    expect(agg.aggregates).toHaveLength(23);
    expect(agg.aggregates[0]).toMatchObject({ key: 'district:110112', tickets: { open: 2 } });
    const noise = (await get('/api/v1/tickets?category=noise')).json();
    expect(noise.items.map((t: { id: string }) => t.id)).toEqual(['T-s2']);
    expect((await get('/api/v1/tickets?category=gossip')).statusCode).toBe(400);
    expect((await get('/api/v1/aggregates?scope=town:999')).statusCode).toBe(404);
  });
});

describe('when the log cannot take the batch', () => {
  it('answers 503 and claims nothing, and the server stays up', async () => {
    const inner = createMemoryStore();
    let failing = true;
    const flaky: EventStore = {
      ...inner,
      append: async (items) => (failing ? Promise.reject(new Error('disk full')) : inner.append(items)),
      read: inner.read,
      scan: inner.scan,
      lastSeq: inner.lastSeq,
      close: inner.close,
    };
    const local = await testApp({}, { store: flaky });
    const localFeed = await bearerHeaders(local, principals.feed);
    try {
      const res = await local.inject({
        method: 'POST',
        url: '/api/v1/events',
        headers: localFeed,
        payload: [ticket('z')],
      });
      expect(res.statusCode).toBe(503);
      expect(res.json().message).toMatch(/not acknowledged.*never stored twice/);
      failing = false;
      const ok = await local.inject({
        method: 'POST',
        url: '/api/v1/events',
        headers: localFeed,
        payload: [ticket('z')],
      });
      expect(ok.json().results[0]).toEqual({ status: 'accepted', seq: 1 });
    } finally {
      await local.close();
    }
  });
});
