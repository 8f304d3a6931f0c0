// Notifications when receivers misbehave: one answering 500 (retried with backoff, delivered once), one down
// (dead-lettered after the last retry, on the alert's trail, in /readyz and /metrics), one so slow it is cut off
// by the timeout; meanwhile a healthy webhook gets a ranger's SOS within seconds and ingest answers at once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../server/app';
import type { Alert } from '../../server/contract/alerts';
import { interiorPoint } from '../../server/geo/interior';
import { testApp } from '../helpers/app';
import { principals, sessionHeaders, ZHANGJIAWAN } from '../helpers/auth';
import { postEvents } from '../helpers/callers';
import { deadPort, startReceiver, until, type Receiver } from '../helpers/receiver';

const SECRET = 'whsec-faults-0123456789abcdef0123';
let app: App;
let fast: Receiver;
let flaky: Receiver;
let slow: Receiver;
let down: number;
const SOS_ALERT = 'ranger_sos:fault-sos-1';

function sos(incidentId: string) {
  const cluster = app.services.geo.layers.forest.features.find((f) => `town:${f.properties.townId}` === ZHANGJIAWAN)!;
  const [lon, lat] = interiorPoint(cluster.geometry as never);
  return {
    id: `ev-${incidentId}`,
    kind: 'patrol.incident',
    time: new Date(Date.now() - 5_000).toISOString(),
    source: 'ranger_app',
    rangerId: 'r-fault-1',
    incidentId,
    type: 'sos',
    severity: 'high',
    description: '护林员按下求救',
    location: { lon, lat },
  };
}

async function alertOf(id: string): Promise<Alert> {
  const res = await app.inject({
    method: 'GET',
    url: `/api/v1/alerts/${encodeURIComponent(id)}`,
    headers: await sessionHeaders(app, principals.admin),
  });
  return res.json() as Alert;
}

const trail = (a: Alert, channel: string) =>
  a.actions.filter((x) => x.kind === 'alert.notified' && x.channel === channel);

let postedAt = 0;
let ingestMs = 0;

beforeAll(async () => {
  fast = await startReceiver();
  // 500 twice per message, then taken.
  const seen = new Map<string, number>();
  flaky = await startReceiver((r) => {
    const key = String(r.headers['idempotency-key']);
    const n = (seen.get(key) ?? 0) + 1;
    seen.set(key, n);
    return n <= 2 ? { status: 500, body: 'upstream busy' } : {};
  });
  slow = await startReceiver(() => ({ delayMs: 5_000 }));
  down = await deadPort();
  const hook = (id: string, url: string, extra: object = {}) => ({
    id,
    type: 'webhook',
    url,
    secret: SECRET,
    scope: 'district:110112',
    ...extra,
  });
  const config = {
    channels: [
      hook('fast', `${fast.url}/in`),
      hook('flaky', `${flaky.url}/in`),
      hook('down', `http://127.0.0.1:${down}/in`),
      hook('slow', `${slow.url}/in`, { timeoutMs: 1000, retries: 1 }),
    ],
    delivery: { backoffMs: 50, maxBackoffMs: 100, timeoutMs: 2000, retries: 2 },
  };
  app = await testApp({ NOTIFY_CONFIG: JSON.stringify(config) });
  postedAt = Date.now();
  const res = await postEvents(app, [sos('fault-sos-1')]);
  ingestMs = Date.now() - postedAt;
  expect(res.json()).toMatchObject({ accepted: 1 });
});

afterAll(async () => {
  await app?.close();
  await Promise.all([fast, flaky, slow].map((r) => r?.close()));
});

describe('notifications when receivers fail', () => {
  it('a ranger SOS reaches a configured webhook within seconds, while the others are failing', async () => {
    await until(() => fast.requests.length >= 1, 5_000, 'the SOS at the webhook');
    const r = fast.requests[0]!;
    expect(r.at - postedAt).toBeLessThan(3_000);
    expect(JSON.parse(r.body)).toMatchObject({
      transition: 'raised',
      alert: { id: SOS_ALERT, rule: 'ranger_sos', severity: 'severe' },
    });
    // The slow receiver still holds its first request: it held up nobody else.
    expect(slow.requests).toHaveLength(1);
  });

  it('ingest is not slowed by a slow or dead receiver', async () => {
    expect(ingestMs).toBeLessThan(1_000);
    const t0 = Date.now();
    for (let i = 0; i < 5; i++) await postEvents(app, [sos(`fault-more-${i}`)]);
    expect((Date.now() - t0) / 5).toBeLessThan(500);
  });

  it('answering 500: retried with backoff, delivered once, under one idempotency key', async () => {
    await until(() => flaky.requests.filter((r) => r.body.includes(SOS_ALERT)).length >= 3, 5_000, 'three tries');
    const tries = flaky.requests.filter((r) => JSON.parse(r.body).alert.id === SOS_ALERT);
    expect(new Set(tries.map((r) => r.headers['idempotency-key'])).size).toBe(1);
    expect(tries[1]!.at - tries[0]!.at).toBeGreaterThanOrEqual(30); // backoff 50 ms ± 20 %
    await waitFor(async () => trail(await alertOf(SOS_ALERT), 'flaky').length === 1);
    expect(trail(await alertOf(SOS_ALERT), 'flaky')).toEqual([
      expect.objectContaining({ result: 'delivered', transition: 'raised' }),
    ]);
    // Not sent again once taken.
    await new Promise((r) => setTimeout(r, 300));
    expect(flaky.requests.filter((r) => JSON.parse(r.body).alert.id === SOS_ALERT)).toHaveLength(3);
  });

  it('receiver down: dead-lettered after the last retry, with the reason on the trail', async () => {
    await waitFor(async () => trail(await alertOf(SOS_ALERT), 'down').length === 1);
    const [failed] = trail(await alertOf(SOS_ALERT), 'down');
    expect(failed).toMatchObject({ result: 'failed', note: 'network error ECONNREFUSED' });
    const stored = await app.services.store.read(0, 10_000);
    const step = stored
      .map((s) => s.event)
      .find(
        (e) => e.kind === 'alert.notified' && e.channel === 'down' && e.alertId === SOS_ALERT && e.result === 'failed',
      );
    expect(step).toMatchObject({ attempts: 3, reason: 'network error ECONNREFUSED' });
  });

  it('too slow: cut off by the timeout, retried, then dead-lettered', async () => {
    await waitFor(async () => trail(await alertOf(SOS_ALERT), 'slow').length === 1, 10_000);
    expect(trail(await alertOf(SOS_ALERT), 'slow')[0]).toMatchObject({
      result: 'failed',
      note: 'no answer within 1000 ms',
    });
  });

  it('the failing channels show in /readyz, /metrics and the admin list; the node stays ready', async () => {
    await app.services.notifier!.idle();
    const ready = await app.inject({ method: 'GET', url: '/readyz' });
    expect(ready.statusCode).toBe(200);
    const notify = ready.json().notify as Record<string, { up: boolean; queued: number; failed: number }>;
    expect(notify.fast).toEqual({ up: true, queued: 0, failed: 0 });
    expect(notify.flaky).toMatchObject({ up: true, failed: 0 });
    expect(notify.down).toMatchObject({ up: false, queued: 0 });
    expect(notify.down!.failed).toBeGreaterThanOrEqual(1);
    const metrics = (await app.inject({ method: 'GET', url: '/metrics' })).body;
    expect(metrics).toMatch(/opsmap_notify_deliveries_total\{channel="flaky",result="retry"\} ([2-9]|\d\d)/);
    expect(metrics).toMatch(/opsmap_notify_deliveries_total\{channel="down",result="failed"\} [1-9]/);
    expect(metrics).toMatch(/opsmap_notify_up\{channel="down"\} 0/);
    const list = await app.inject({
      method: 'GET',
      url: '/api/v1/admin/notify/channels',
      headers: await sessionHeaders(app, principals.admin),
    });
    const down = (list.json().channels as { id: string; deadLetters: { alertId: string; reason: string }[] }[]).find(
      (c) => c.id === 'down',
    )!;
    expect(down.deadLetters).toContainEqual(
      expect.objectContaining({ alertId: SOS_ALERT, reason: 'network error ECONNREFUSED' }),
    );
  });
});

async function waitFor(ok: () => Promise<boolean>, ms = 5_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await ok())) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 25));
  }
}
