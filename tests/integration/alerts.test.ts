// Alerts end to end on the real app: an event posted through ingest raises an alert; who sees it, who may act
// on it, what each action leaves in the log, and which sockets hear of it.
import { io as connect, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../server/app';
import type { Alert, AlertList } from '../../server/contract/alerts';
import type { Principal } from '../../server/contract/auth';
import type { ClientToServerEvents, ServerToClientEvents } from '../../server/contract/socket';
import { interiorPoint } from '../../server/geo/interior';
import { testApp } from '../helpers/app';
import { principals, sessionHeaders, SONGZHUANG, ZHANGJIAWAN } from '../helpers/auth';
import { postEvents } from '../helpers/callers';

type Client = Socket<ServerToClientEvents, ClientToServerEvents>;

const NOW = Date.parse('2025-07-20T14:00:00+08:00');
let clock = NOW;
let app: App;
let base: string;

const songzhuangOfficer: Principal = {
  kind: 'user',
  id: 'officer-sz',
  name: '宋庄值班员',
  role: 'officer',
  scope: SONGZHUANG,
};

beforeAll(async () => {
  app = await testApp({}, { now: () => clock });
  await app.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
});
afterAll(async () => {
  await app.close();
});

const until = async (ok: () => boolean, ms = 10_000) => {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
};

async function as(p: Principal, method: 'GET' | 'POST', url: string, payload?: unknown) {
  const headers = await sessionHeaders(app, p);
  return app.inject({
    method,
    url,
    headers: payload === undefined ? headers : { ...headers, 'content-type': 'application/json' },
    ...(payload === undefined ? {} : { payload: JSON.stringify(payload) }),
  });
}

async function socketOf(p: Principal, scope: string): Promise<{ socket: Client; heard: Alert[] }> {
  const { cookie } = await sessionHeaders(app, p);
  const socket: Client = connect(base, {
    transports: ['websocket'],
    extraHeaders: { cookie },
    auth: { scope },
    reconnection: false,
  });
  const heard: Alert[] = [];
  socket.on('alert:changed', (a) => heard.push(a));
  let ready = false;
  socket.on('state:snapshot', () => (ready = true));
  await until(() => ready);
  return { socket, heard };
}

/** A fire-risk incident in a 张家湾镇 forest cluster. */
function fireRisk(incidentId: string) {
  const cluster = app.services.geo.layers.forest.features.find((f) => f.properties.townId === ZHANGJIAWAN.slice(5))!;
  const [lon, lat] = interiorPoint(cluster.geometry as never);
  return {
    id: `ev-${incidentId}`,
    kind: 'patrol.incident',
    time: new Date(clock - 60_000).toISOString(),
    source: 'ranger_app',
    rangerId: 'r-zjw-1',
    incidentId,
    type: 'fire_risk',
    severity: 'high',
    description: '林下发现烟点',
    location: { lon, lat },
  };
}

describe('alerts through the real app', () => {
  let alertId: string;
  let zjw: { socket: Client; heard: Alert[] };
  let sz: { socket: Client; heard: Alert[] };

  beforeAll(async () => {
    zjw = await socketOf(principals.townLeader, ZHANGJIAWAN);
    sz = await socketOf(principals.otherTownLeader, SONGZHUANG);
    const res = await postEvents(app, [fireRisk('inc-zjw-1')]);
    expect(res.json()).toMatchObject({ accepted: 1 });
    alertId = 'fire_risk:inc-zjw-1';
    await app.services.rules.idle();
  });
  afterAll(() => {
    zjw.socket.disconnect();
    sz.socket.disconnect();
  });

  it('a fire-risk incident raises a severe alert for the district officer and the town leader, not another town', async () => {
    const district = (await as(principals.districtOfficer, 'GET', '/api/v1/alerts')).json() as AlertList;
    expect(district.items.map((a) => a.id)).toContain(alertId);
    const alert = district.items.find((a) => a.id === alertId)!;
    expect(alert).toMatchObject({
      rule: 'fire_risk',
      severity: 'severe',
      status: 'open',
      level: 'town',
      town: ZHANGJIAWAN,
    });
    const leader = (await as(principals.townLeader, 'GET', '/api/v1/alerts?status=active')).json() as AlertList;
    expect(leader.items.map((a) => a.id)).toEqual([alertId]);
    const other = (await as(principals.otherTownLeader, 'GET', '/api/v1/alerts')).json() as AlertList;
    expect(other.items).toEqual([]);
    expect((await as(principals.otherTownLeader, 'GET', `/api/v1/alerts/${alertId}`)).statusCode).toBe(404);
    expect((await as(principals.townLeader, 'GET', `/api/v1/alerts/${alertId}`)).json()).toMatchObject({ id: alertId });
  });

  it("the town's socket hears of it, another town's does not", async () => {
    await until(() => zjw.heard.some((a) => a.id === alertId));
    expect(zjw.heard.find((a) => a.id === alertId)).toMatchObject({ status: 'open', severity: 'severe' });
    await new Promise((r) => setTimeout(r, 200));
    expect(sz.heard).toEqual([]);
  });

  it('a leader may note but not acknowledge; another town cannot act; the town officer acknowledges, whistles and resolves', async () => {
    expect((await as(principals.townLeader, 'POST', `/api/v1/alerts/${alertId}/acknowledge`, {})).statusCode).toBe(403);
    const noted = await as(principals.townLeader, 'POST', `/api/v1/alerts/${alertId}/notes`, {
      note: '已通知村里护林员',
    });
    expect(noted.statusCode).toBe(200);
    expect(noted.json().actions.at(-1)).toMatchObject({
      kind: 'alert.noted',
      note: '已通知村里护林员',
      by: { id: principals.townLeader.id, role: 'leader' },
    });
    expect((await as(songzhuangOfficer, 'POST', `/api/v1/alerts/${alertId}/acknowledge`, {})).statusCode).toBe(404);

    clock += 3 * 60_000;
    const ack = await as(principals.townOfficer, 'POST', `/api/v1/alerts/${alertId}/acknowledge`, {
      note: '已派人前往',
    });
    expect(ack.statusCode).toBe(200);
    const acked = ack.json() as Alert;
    expect(acked.status).toBe('acknowledged');
    expect(acked.acknowledgedBy).toEqual({
      id: principals.townOfficer.id,
      name: principals.townOfficer.name,
      role: 'officer',
    });
    // Idempotent: a second acknowledgement changes nothing.
    const again = (
      await as(principals.districtOfficer, 'POST', `/api/v1/alerts/${alertId}/acknowledge`, {})
    ).json() as Alert;
    expect(again.acknowledgedBy!.id).toBe(principals.townOfficer.id);
    expect(again.actions).toHaveLength(acked.actions.length);

    const whistle = await as(principals.townOfficer, 'POST', `/api/v1/alerts/${alertId}/whistle`, {
      departments: ['fire', 'landscaping'],
      note: '请消防、园林到场',
    });
    expect(whistle.json()).toMatchObject({ departments: ['fire', 'landscaping'] });
    expect(
      (await as(principals.townOfficer, 'POST', `/api/v1/alerts/${alertId}/whistle`, { departments: ['nobody'] }))
        .statusCode,
    ).toBe(400);

    const resolved = await as(principals.townOfficer, 'POST', `/api/v1/alerts/${alertId}/resolve`, {
      note: '明火已排除',
    });
    expect(resolved.json()).toMatchObject({ status: 'resolved', resolvedBy: { id: principals.townOfficer.id } });
    expect((await as(principals.townOfficer, 'POST', `/api/v1/alerts/${alertId}/acknowledge`, {})).statusCode).toBe(
      409,
    );

    const trail = (resolved.json() as Alert).actions.map((a) => [a.kind, a.by?.id]);
    expect(trail).toEqual([
      ['alert.raised', undefined],
      ['alert.noted', principals.townLeader.id],
      ['alert.acknowledged', principals.townOfficer.id],
      ['alert.whistled', principals.townOfficer.id],
      ['alert.resolved', principals.townOfficer.id],
    ]);
    // The socket saw the last state.
    await until(() => zjw.heard.at(-1)?.status === 'resolved');
  });

  it('every action is an event in the log, in order', async () => {
    const res = await as(principals.districtOfficer, 'GET', '/api/v1/events?after=0&limit=1000');
    const events = (
      res.json() as { events: { seq: number; event: { kind: string; alertId?: string; source: string } }[] }
    ).events;
    const mine = events.filter((s) => s.event.alertId === alertId);
    expect(mine.map((s) => [s.event.kind, s.event.source])).toEqual([
      ['alert.raised', 'rules'],
      ['alert.noted', 'console'],
      ['alert.acknowledged', 'console'],
      ['alert.whistled', 'console'],
      ['alert.resolved', 'console'],
    ]);
    const alert = (await as(principals.districtOfficer, 'GET', `/api/v1/alerts/${alertId}`)).json() as Alert;
    expect(alert.actions.map((a) => a.seq)).toEqual(mine.map((s) => s.seq));
  });

  it('public ingest refuses alert events with the reason, and keeps the good items of the batch', async () => {
    const forged = {
      id: 'forged-1',
      kind: 'alert.resolved',
      time: new Date(clock).toISOString(),
      source: 'rules',
      alertId: 'fire_risk:x',
    };
    const res = await postEvents(app, [forged, fireRisk('inc-zjw-2')]);
    const body = res.json() as {
      accepted: number;
      rejected: number;
      results: { status: string; errors?: { path: string; message: string }[] }[];
    };
    expect(body).toMatchObject({ accepted: 1, rejected: 1 });
    expect(body.results[0]!.errors![0]).toMatchObject({ path: '/kind' });
    expect(body.results[0]!.errors![0]!.message).toMatch(/alert events are written by the server/);
  });
});
