// OsmAnd trackers cannot send headers: their feed token travels in the URL or the form. It must let the
// position in, and never reach a log line, the stored event, or an answer, even at trace level.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../server/app';
import { testApp } from '../helpers/app';
import { deviceToken, principals } from '../helpers/auth';
import { getAsAdmin } from '../helpers/callers';

let app: App;
const lines: string[] = [];
let token: string;

beforeAll(async () => {
  app = await testApp({ LOG_LEVEL: 'trace' }, { logStream: { write: (l) => void lines.push(l) } });
  token = await deviceToken(app, principals.feed);
});
afterAll(async () => {
  await app?.close();
});

describe('the OsmAnd token parameter', () => {
  it('lets a position in by query string and by form, and is in no log line, event or answer', async () => {
    const t = Math.floor(Date.now() / 1000) - 30;
    const byQuery = await app.inject(
      `/api/v1/positions/osmand?id=phone-9&lat=39.7101&lon=116.7932&timestamp=${t}&token=${encodeURIComponent(token)}`,
    );
    expect(byQuery.statusCode, byQuery.body).toBe(200);
    const byForm = await app.inject({
      method: 'POST',
      url: '/api/v1/positions/osmand',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: `id=phone-9&lat=39.7102&lon=116.7933&timestamp=${t + 5}&token=${encodeURIComponent(token)}`,
    });
    expect(byForm.statusCode, byForm.body).toBe(200);
    // A wrong token is refused, and not echoed either.
    const wrong = await app.inject(
      `/api/v1/positions/osmand?id=phone-9&lat=39.71&lon=116.79&token=feed-0000000b.guessed-secret`,
    );
    expect(wrong.statusCode).toBe(401);

    const secret = token.split('.')[1]!;
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.filter((l) => l.includes(secret) || l.includes('guessed-secret'))).toEqual([]);
    expect(lines.some((l) => l.includes('token=[Redacted]'))).toBe(true);
    for (const res of [byQuery, byForm, wrong]) expect(res.body).not.toContain(secret);
    const log = (await getAsAdmin(app, '/api/v1/events?after=0')).json() as {
      events: { event: Record<string, unknown> }[];
    };
    expect(log.events.length).toBe(2);
    expect(JSON.stringify(log.events)).not.toContain(secret);
  });

  it('is never written anywhere from a path segment, a JSON field, an unplaced report, a refusal, /metrics or a 404', async () => {
    const before = lines.length;
    const t = Math.floor(Date.now() / 1000) - 20;
    const enc = encodeURIComponent(token);
    const answers = [
      // Traccar Client iOS: the token as the last path segment, no header
      await app.inject({
        method: 'POST',
        url: `/api/v1/positions/osmand/${enc}?id=phone-9&lat=39.7103&lon=116.7934&timestamp=${t}`,
      }),
      // a JSON body with the token as a field
      await app.inject({
        method: 'POST',
        url: '/api/v1/positions/osmand',
        headers: { 'content-type': 'application/json' },
        payload: JSON.stringify({
          token,
          device_id: 'phone-9',
          location: {
            timestamp: new Date(t * 1000 + 5000).toISOString(),
            coords: { latitude: 39.7104, longitude: 116.7935 },
          },
        }),
      }),
      // kept as the device status (outside the district), and a malformed one (400 with its reasons)
      await app.inject(`/api/v1/positions/osmand/${enc}?id=phone-9&lat=31.23&lon=121.47&timestamp=${t + 10}`),
      await app.inject(`/api/v1/positions/osmand/${enc}?id=phone-9&lat=abc&lon=116.79`),
      // a wrong token in the path, and a path under the token that is no route
      await app.inject(`/api/v1/positions/osmand/feed-0000000b.another-guess?id=phone-9&lat=39.71&lon=116.79`),
      await app.inject(`/api/v1/positions/osmand/${enc}/extra`),
    ];
    expect(answers.map((r) => r.statusCode)).toEqual([200, 200, 200, 400, 401, 404]);
    expect(answers[2]!.json()).toMatchObject({ unplaced: 'outside_district' });
    const secret = token.split('.')[1]!;
    const mine = lines.slice(before);
    expect(mine.filter((l) => l.includes(secret) || l.includes('another-guess'))).toEqual([]);
    expect(mine.some((l) => l.includes('/positions/osmand/[Redacted]'))).toBe(true);
    for (const r of answers) expect(r.body).not.toContain(secret);
    expect(answers[5]!.body).toContain('[Redacted]');
    expect((await app.inject('/metrics')).body).not.toContain(secret);
    const log = (await getAsAdmin(app, '/api/v1/events?after=0')).json() as { events: unknown[] };
    expect(JSON.stringify(log.events)).not.toContain(secret);
  });
});
