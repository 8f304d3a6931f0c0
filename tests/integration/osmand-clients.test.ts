// Traccar Client and OsmAnd as they really speak, at /api/v1/positions/osmand. Request fixtures are the clients'
// own shapes, each from the file named beside it:
//   [android]  traccar/traccar-client-android app/src/main/java/org/traccar/client/ProtocolFormatter.kt
//              (query: id, timestamp, lat, lon, speed, bearing, altitude, accuracy, batt, mock, alarm; the
//              configured URL's own query, the token, is kept)
//   [ios]      traccar/traccar-client-ios TraccarClient/ProtocolFormatter.swift (the query is built afresh, so a
//              ?token= in the configured URL is lost: id, timestamp, lat and lon with six decimals, speed,
//              bearing, altitude, batt)
//   [decoder]  traccar/traccar src/test/java/org/traccar/protocol/OsmAndProtocolDecoderTest.java
//              (the server's own fixtures: the JSON form of the new Traccar Client with battery level -1, mock,
//              is_moving, odometer, activity; location=lat,lon; hdop; a local time 2014-06-04+09:10:11)
// A phone's queue must always move: the Android app resends its oldest position until it gets a 2xx.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../server/app';
import { testApp } from '../helpers/app';
import { deviceToken, principals, sessionHeaders, ZHANGJIAWAN } from '../helpers/auth';
import type { TownProps } from '../../server/contract/areas';
import { getAsAdmin } from '../helpers/callers';

let app: App;
let token: string;
const lines: string[] = [];

// In the district (Tongzhou, a forest cluster): where the fixtures' own coordinates are replaced.
const IN = { lat: 39.7101, lon: 116.7932 };

beforeAll(async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'opsmap-osmand-'));
  const devices = path.join(dir, 'devices.json');
  writeFileSync(
    devices,
    JSON.stringify({
      '48241179': 'ranger-yld-01',
      '658765': 'ranger-yld-02',
      '902064': 'ranger-yld-03',
      '123456': 'ranger-yld-04',
      '353861053849681': 'ranger-yld-05',
      '王林 手机-2': 'ranger-yld-06',
      'osmand-app-7': { ranger: 'ranger-yld-07', speed: 'ms' },
      'phone-iOS': 'ranger-yld-08',
    }),
  );
  app = await testApp(
    { OSMAND_DEVICES: devices, LOG_LEVEL: 'trace' },
    { logStream: { write: (l) => void lines.push(l) } },
  );
  token = await deviceToken(app, principals.feed);
});
afterAll(async () => {
  await app?.close();
});

const now = () => Math.floor(Date.now() / 1000);
/** [android] The Android client's request: the configured URL (with ?token=) plus its fields. */
const android = (f: Record<string, string | number>) =>
  `/api/v1/positions/osmand?token=${encodeURIComponent(token)}&${new URLSearchParams(
    Object.entries(f).map(([k, v]) => [k, String(v)]),
  )}`;
const post = (url: string, body: string, type = 'application/json') =>
  app.inject({ method: 'POST', url, payload: body, headers: { 'content-type': type } });
const events = async () =>
  (
    (await getAsAdmin(app, '/api/v1/events?after=0&limit=10000')).json() as {
      events: { seq: number; event: Record<string, unknown> }[];
    }
  ).events.map((e) => e.event);
const metric = async (reason: string) =>
  Number(
    new RegExp(`opsmap_tracker_unplaced_total\\{reason="${reason}"\\} (\\d+)`).exec(
      (await app.inject('/metrics')).body,
    )?.[1] ?? 0,
  );

describe('a phone’s queue always moves', () => {
  it('answers 2xx to a well-formed position it cannot place, keeps it as the device status, counts it by reason', async () => {
    const t = now() - 60;
    // [android] a position outside the district (the decoder test's own coordinates, Mountain View)
    const outside = await app.inject(
      android({
        id: '48241179',
        timestamp: t,
        lat: 37.4219983,
        lon: -122.084,
        speed: 0,
        bearing: 0,
        altitude: 5,
        accuracy: 5,
        batt: 64,
      }),
    );
    expect(outside.statusCode, outside.body).toBe(200);
    expect(outside.json()).toMatchObject({ status: 'accepted', unplaced: 'outside_district' });
    // [android] the same buffered position again: the phone retries after a lost answer; stored once
    const again = await app.inject(
      android({
        id: '48241179',
        timestamp: t,
        lat: 37.4219983,
        lon: -122.084,
        speed: 0,
        bearing: 0,
        altitude: 5,
        accuracy: 5,
        batt: 64,
      }),
    );
    expect(again.json()).toMatchObject({ status: 'duplicate', unplaced: 'outside_district' });
    // [android] the phone's clock an hour ahead
    const ahead = await app.inject(android({ id: '48241179', timestamp: now() + 3600, ...IN, batt: 63 }));
    expect(ahead.statusCode, ahead.body).toBe(200);
    expect(ahead.json()).toMatchObject({ unplaced: 'clock_ahead' });
    // [android] no fix yet: lat 0, lon 0
    const zero = await app.inject(android({ id: '48241179', timestamp: now() - 5, lat: 0, lon: 0, batt: 62 }));
    expect(zero.json()).toMatchObject({ status: 'accepted', unplaced: 'null_island' });

    const log = await events();
    const mine = log.filter((e) => e.rangerId === 'ranger-yld-01');
    expect(mine.map((e) => e.kind)).toEqual(['patrol.device_status', 'patrol.device_status', 'patrol.device_status']);
    expect(mine.map((e) => e.reason)).toEqual(['outside_district', 'clock_ahead', 'null_island']);
    // never stored with a future time
    for (const e of mine) expect(Date.parse(e.time as string)).toBeLessThanOrEqual(Date.now());
    expect(mine[0]).toMatchObject({ deviceId: '48241179', battery: 64, source: 'osmand' });
    // never drawn: no position for this ranger
    expect(app.services.live.ranger('ranger-yld-01')).toBeUndefined();
    expect(await metric('outside_district')).toBe(2);
    expect(await metric('clock_ahead')).toBe(1);
    expect(await metric('null_island')).toBe(1);
  });

  it('still answers 400 with the field and reason to a malformed report, and 401 without a valid token', async () => {
    const noId = await app.inject(android({ timestamp: now(), ...IN }));
    expect(noId.statusCode).toBe(400);
    expect(noId.json().errors[0]).toMatchObject({ path: '/id' });
    const nan = await app.inject(android({ id: '902064', timestamp: now(), lat: 'abc', lon: IN.lon }));
    expect(nan.statusCode).toBe(400);
    expect(nan.json().errors[0]).toMatchObject({ path: '/lat', message: expect.stringMatching(/number/) });
    const half = await app.inject(android({ id: '902064', timestamp: now(), lat: IN.lat }));
    expect(half.json().errors[0]).toMatchObject({ path: '/lon', message: 'is required' });
    const range = await app.inject(android({ id: '902064', timestamp: now(), lat: 91, lon: IN.lon }));
    expect(range.statusCode).toBe(400);
    const noToken = await app.inject(`/api/v1/positions/osmand?id=902064&lat=${IN.lat}&lon=${IN.lon}`);
    expect(noToken.statusCode).toBe(401);
  });
});

describe('heartbeats without a fix', () => {
  it('update the ranger’s last seen and battery, and keep the ranger on the map where the last fix was', async () => {
    const t = now() - 120;
    // [decoder] testDecodeQuery: a report with an id and a time but no lat/lon (cell towers only)
    const fix = await app.inject(android({ id: '123456', timestamp: t, ...IN, batt: 80 }));
    expect(fix.json()).toMatchObject({ status: 'accepted' });
    const heartbeat = await app.inject(
      `/api/v1/positions/osmand?token=${encodeURIComponent(token)}&id=123456&timestamp=${t + 60}&batt=77&cell=257,02,16,2224`,
    );
    expect(heartbeat.statusCode, heartbeat.body).toBe(200);
    expect(heartbeat.json()).toMatchObject({ status: 'accepted', unplaced: 'no_fix' });
    const ranger = app.services.live.ranger('ranger-yld-04')!;
    expect(ranger.position).toEqual([IN.lon, IN.lat]);
    expect(ranger.battery).toBe(77);
    expect(ranger.lastSeen).toBe(new Date((t + 60) * 1000).toISOString());
    expect(ranger.device).toMatchObject({ id: '123456', unplaced: 'no_fix' });
  });
});

describe('the token as a path segment (Traccar Client iOS replaces the query and sends no header)', () => {
  it('lets the position in, and is never in a log line, an answer or a 404', async () => {
    const t = now() - 30;
    // [ios] The fields in a query of its own, POSTed with no body and no content type.
    const ios = `id=phone-iOS&timestamp=${t}&lat=${IN.lat.toFixed(6)}&lon=${IN.lon.toFixed(6)}&speed=0.0&bearing=-1.0&altitude=31.2&batt=74.0`;
    const res = await app.inject({
      method: 'POST',
      url: `/api/v1/positions/osmand/${encodeURIComponent(token)}?${ios}`,
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().status).toBe('accepted');
    const form = await post(
      `/api/v1/positions/osmand/${encodeURIComponent(token)}`,
      `id=phone-iOS&lat=${IN.lat}&lon=${IN.lon}&timestamp=${t + 5}`,
      'application/x-www-form-urlencoded',
    );
    expect(form.json().status).toBe('accepted');
    const wrong = await app.inject(
      `/api/v1/positions/osmand/feed-0000000b.guessed-secret-in-path?id=phone-iOS&lat=${IN.lat}&lon=${IN.lon}`,
    );
    expect(wrong.statusCode).toBe(401);
    const deeper = await app.inject(`/api/v1/positions/osmand/${encodeURIComponent(token)}/more`);
    expect(deeper.statusCode).toBe(404);

    const secret = token.split('.')[1]!;
    expect(lines.filter((l) => l.includes(secret) || l.includes('guessed-secret-in-path'))).toEqual([]);
    expect(lines.some((l) => l.includes('/positions/osmand/[Redacted]'))).toBe(true);
    for (const r of [res, form, wrong, deeper]) expect(r.body).not.toContain(secret);
    expect(deeper.body).not.toContain(secret);
    expect(JSON.stringify(await events())).not.toContain(secret);
    expect((await app.inject('/metrics')).body).not.toContain(secret);
  });
});

describe('the fields as the clients send them', () => {
  it('reads location=lat,lon, hdop, and a time without an offset in Asia/Shanghai', async () => {
    // [decoder] "/?id=123456&timestamp=1377177267&location=60.0,30.0", here inside the district
    const t = now() - 200;
    const loc = await app.inject(android({ id: '902064', timestamp: t, location: `${IN.lat},${IN.lon}`, hdop: '6.0' }));
    expect(loc.json()).toMatchObject({ status: 'accepted' });
    // [decoder] "timestamp=2014-06-04+09%3A10%3A11" (no offset): read as Beijing time, UTC+8
    const local = new Date(Date.now() - 3600_000 + 8 * 3600_000).toISOString().slice(0, 19).replace('T', ' ');
    const res = await app.inject(
      android({ id: '353861053849681', timestamp: local, ...IN, altitude: 384.7, speed: 0 }),
    );
    expect(res.statusCode, res.body).toBe(200);
    const log = await events();
    const p = log.find((e) => e.rangerId === 'ranger-yld-05')!;
    expect(Date.parse(p.time as string)).toBe(Date.parse(`${local.replace(' ', 'T')}+08:00`));
    const l = log.find((e) => e.rangerId === 'ranger-yld-03' && e.kind === 'patrol.position')!;
    expect(l).toMatchObject({
      location: { lat: IN.lat, lon: IN.lon },
      accuracy: 6,
      meta: { deviceId: '902064', hdop: 6 },
    });
  });

  it('keeps the Traccar Client JSON extras; battery level -1 is unknown, not 0 %', async () => {
    // [decoder] testDecodeJson, the third fixture (iOS, mock location, battery -1), coordinates moved into the district
    const body = {
      location: {
        extras: {},
        mock: true,
        coords: {
          speed_accuracy: -1,
          speed: -1,
          longitude: IN.lon,
          ellipsoidal_altitude: 0,
          floor: null,
          heading_accuracy: -1,
          latitude: IN.lat,
          accuracy: 5,
          altitude_accuracy: -1,
          altitude: 0,
          heading: -1,
        },
        is_moving: false,
        age: 188,
        odometer: 0,
        uuid: '2FB04C65-99CF-42AB-8DD3-EBCB4B108BF8',
        event: 'motionchange',
        battery: { level: -1, is_charging: false },
        activity: { type: 'unknown', confidence: 100 },
        timestamp: new Date(Date.now() - 90_000).toISOString(),
      },
      device_id: '658765',
    };
    const res = await post(`/api/v1/positions/osmand?token=${encodeURIComponent(token)}`, JSON.stringify(body));
    expect(res.statusCode, res.body).toBe(200);
    const p = (await events()).find((e) => e.rangerId === 'ranger-yld-02')!;
    expect(p).not.toHaveProperty('battery');
    expect(p).not.toHaveProperty('speed');
    expect(p.meta).toEqual({
      deviceId: '658765',
      charging: false,
      moving: false,
      activity: 'unknown',
      odometer: 0,
      mock: true,
    });
    expect(app.services.live.ranger('ranger-yld-02')).toMatchObject({
      battery: null,
      device: {
        id: '658765',
        unplaced: null,
        charging: false,
        moving: false,
        activity: 'unknown',
        odometer: 0,
        accuracy: 5,
        mock: true,
      },
    });
  });

  it('takes device ids as people type them, and the speed unit of each device', async () => {
    const t = now() - 40;
    // [android] a device id typed on the phone: letters of any script, a space, a dash
    const typed = await app.inject(android({ id: '王林 手机-2', timestamp: t, ...IN, speed: 2, batt: 55 }));
    expect(typed.statusCode, typed.body).toBe(200);
    expect(app.services.live.ranger('ranger-yld-06')).toMatchObject({ battery: 55, device: { id: '王林 手机-2' } });
    // Traccar Client's knots by default; the OsmAnd app's m/s where the mapping says so
    const osm = await app.inject(android({ id: 'osmand-app-7', timestamp: t, ...IN, speed: 2 }));
    expect(osm.statusCode).toBe(200);
    const log = await events();
    expect(log.find((e) => e.rangerId === 'ranger-yld-06')).toMatchObject({ speed: 1.03 });
    expect(log.find((e) => e.rangerId === 'ranger-yld-07')).toMatchObject({ speed: 2 });
    const bad = await app.inject(android({ id: 'phone; drop table', timestamp: t, ...IN }));
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors[0]).toMatchObject({ path: '/id' });
  });
});

describe('the SOS button', () => {
  const alerts = async () => {
    await app.services.rules.idle();
    return ((await getAsAdmin(app, '/api/v1/alerts?status=active')).json() as { items: Record<string, unknown>[] })
      .items;
  };

  it('alarm=sos in the query raises an SOS incident and a severe alert naming the ranger and the device', async () => {
    // [android] formatRequest(url, position, alarm = "sos"): the position with &alarm=sos
    const t = now() - 10;
    const res = await app.inject(
      android({
        id: '王林 手机-2',
        timestamp: t,
        ...IN,
        speed: 0,
        bearing: 0,
        altitude: 30,
        accuracy: 8,
        batt: 41,
        alarm: 'sos',
      }),
    );
    expect(res.statusCode, res.body).toBe(200);
    const incident = (await events()).find((e) => e.kind === 'patrol.incident' && e.rangerId === 'ranger-yld-06')!;
    expect(incident).toMatchObject({ type: 'sos', severity: 'high', location: { lat: IN.lat, lon: IN.lon } });
    const sos = (await alerts()).find((a) => a.rule === 'ranger_sos')!;
    expect(sos).toMatchObject({ severity: 'severe', status: 'open' });
    expect(sos.title).toContain('ranger-yld-06');
    expect(sos.title).toContain('王林 手机-2');
  });

  it('extras.alarm "sos" in the JSON form, even without a fix, raises it at the ranger’s last position', async () => {
    // [decoder] testDecodeJson's shape with extras { alarm: "sos" } and no coords (no fix)
    const res = await post(
      `/api/v1/positions/osmand/${encodeURIComponent(token)}`,
      JSON.stringify({
        location: {
          timestamp: new Date(Date.now() - 5_000).toISOString(),
          is_moving: false,
          odometer: 0,
          event: 'motionchange',
          battery: { level: 0.2, is_charging: false },
          activity: { type: 'still' },
          extras: { alarm: 'sos' },
        },
        device_id: '123456',
      }),
    );
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ unplaced: 'no_fix' });
    const sos = (await alerts()).find((a) => a.rule === 'ranger_sos' && String(a.title).includes('ranger-yld-04'))!;
    expect(sos).toMatchObject({ severity: 'severe', location: { lat: IN.lat, lon: IN.lon } });
    expect(sos.title).toContain('123456');
  });
});

describe('a restart', () => {
  it('keeps the device status: it is a fold of the log like everything else', async () => {
    const db = path.join(mkdtempSync(path.join(tmpdir(), 'opsmap-osmand-db-')), 'log.sqlite');
    const first = await testApp({ STORE: 'sqlite', DATABASE_PATH: db });
    const feed = await deviceToken(first, principals.feed);
    const t = now() - 100;
    const q = (f: string) => `/api/v1/positions/osmand?token=${encodeURIComponent(feed)}&${f}`;
    // [android] a fix, then (the decoder test's heartbeat shape) no fix, with the battery lower
    expect((await first.inject(q(`id=phone-r&timestamp=${t}&lat=${IN.lat}&lon=${IN.lon}&batt=90`))).statusCode).toBe(
      200,
    );
    expect((await first.inject(q(`id=phone-r&timestamp=${t + 50}&batt=88`))).json()).toMatchObject({
      unplaced: 'no_fix',
    });
    const before = first.services.live.ranger('phone-r');
    await first.close();
    const second = await testApp({ STORE: 'sqlite', DATABASE_PATH: db });
    try {
      const after = second.services.live.ranger('phone-r');
      expect(after).toEqual(before);
      expect(after).toMatchObject({
        battery: 88,
        lastSeen: new Date((t + 50) * 1000).toISOString(),
        device: { id: 'phone-r', unplaced: 'no_fix' },
      });
    } finally {
      await second.close();
    }
  });
});

describe('a feed token of a town', () => {
  it('reports inside its town only: a position in another town is kept as the device status, not drawn', async () => {
    const townFeed = await deviceToken(app, {
      kind: 'device',
      id: 'feed-0000000c',
      name: '张家湾护林手机',
      role: 'feed',
      scope: ZHANGJIAWAN,
    });
    const towns = (
      await app.inject({ url: '/api/v1/areas/towns', headers: await sessionHeaders(app, principals.admin) })
    ).json() as { features: { properties: TownProps }[] };
    const seatOf = (name: string) => towns.features.find((f) => f.properties.name === name)!.properties.seat;
    const [zlon, zlat] = seatOf('张家湾镇');
    const [slon, slat] = seatOf('宋庄镇');
    const q = (f: string) => `/api/v1/positions/osmand/${encodeURIComponent(townFeed)}?${f}`;
    const t = now() - 20;
    // [android] the same device, first in its own town, then in another
    const own = await app.inject({ method: 'POST', url: q(`id=osmand-app-7&timestamp=${t}&lat=${zlat}&lon=${zlon}`) });
    expect(own.json()).toMatchObject({ status: 'accepted' });
    expect(own.json()).not.toHaveProperty('unplaced');
    const other = await app.inject({
      method: 'POST',
      url: q(`id=osmand-app-7&timestamp=${t + 10}&lat=${slat}&lon=${slon}`),
    });
    expect(other.statusCode, other.body).toBe(200);
    expect(other.json()).toMatchObject({ unplaced: 'outside_scope' });
    expect(app.services.live.ranger('ranger-yld-07')).toMatchObject({
      position: [zlon, zlat],
      device: { id: 'osmand-app-7', unplaced: 'outside_scope' },
    });
    expect(await metric('outside_scope')).toBe(1);
  });
});
