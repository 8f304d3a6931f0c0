// The whole live path with real sockets: HTTP ingest → log → live state → gateway → socket.io-client.
// A client that drops off while events flow and comes back with its last seq ends exactly where the server is.
import { io as connect, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../server/app';
import { socketAggregate, type DeltaWire, type Snapshot } from '../../server/contract/live';
import type { ClientToServerEvents, ServerToClientEvents } from '../../server/contract/socket';
import { ScopeMirror } from '../../server/contract/mirror';
import { testApp, ticket } from '../helpers/app';
import { deviceToken, principals, sessionHeaders } from '../helpers/auth';
import { asAdmin, asFeed } from '../helpers/callers';

type Client = Socket<ServerToClientEvents, ClientToServerEvents>;
let app: App;
let base: string;

beforeAll(async () => {
  app = await testApp({ FLUSH_MS: '100' });
  await app.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
});
afterAll(async () => {
  await app.close();
});

const YUQIAO = { lon: 116.6842, lat: 39.8875 }; // 玉桥街道
const SONGZHUANG = { lon: 116.73, lat: 39.99 }; // 宋庄镇

async function post(events: unknown[]) {
  const res = await fetch(`${base}/api/v1/events`, {
    method: 'POST',
    headers: { ...(await asFeed(app)), 'content-type': 'application/json' },
    body: JSON.stringify(events),
  });
  expect(res.status).toBe(200);
  return (await res.json()) as { accepted: number };
}

/** A district officer's view: the admin session's cookie in the handshake. */
async function follow(
  scope: string,
  lastSeq?: number,
): Promise<{ socket: Client; mirror: ScopeMirror; foreign: string[] }> {
  const mirror = new ScopeMirror();
  const foreign: string[] = [];
  const { cookie } = await asAdmin(app);
  const socket: Client = connect(base, {
    transports: ['websocket'],
    extraHeaders: { cookie },
    auth: { scope, ...(lastSeq !== undefined ? { lastSeq } : {}) },
    reconnection: false,
  });
  socket.on('state:snapshot', (s: Snapshot) => mirror.applySnapshot(s));
  socket.on('state:delta', (d: DeltaWire) => {
    expect(mirror.applyDelta(d)).toBe('applied');
    for (const t of d.tickets?.upserts ?? [])
      if (!t.place?.townId || `town:${t.place.townId}` !== scope) foreign.push(t.id);
  });
  return { socket, mirror, foreign };
}

const until = async (ok: () => boolean, ms = 10_000) => {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
};

describe('live stream over Socket.IO', () => {
  it('sends a district snapshot, then deltas that keep the client equal to the server', async () => {
    const { socket, mirror } = await follow('district:110112');
    try {
      await until(() => mirror.seq !== null);
      expect(mirror.aggregates.size).toBe(23);
      const r = await post(
        Array.from({ length: 20 }, (_, i) => ticket(`d-${i}`, { location: i % 2 ? YUQIAO : SONGZHUANG })),
      );
      expect(r.accepted).toBe(20);
      await until(
        () =>
          mirror.aggregates.get('district:110112')?.tickets.open ===
          app.services.live.aggregate('district:110112')!.tickets.open,
      );
      // Equal but for the windows the socket leaves out (the year, the 30 days: on request).
      for (const [key, a] of mirror.aggregates)
        expect(a, key).toEqual(socketAggregate(app.services.live.aggregate(key)!));
      expect(mirror.tickets.size).toBe(app.services.live.snapshot('district:110112').tickets.length);
    } finally {
      socket.disconnect();
    }
  });

  it('a town client gets only its town, and after a drop resumes with exactly the missed deltas', async () => {
    const town = app.services.live.ticket('T-d-1')!.place!.townId!;
    const scope = `town:${town}`;
    const first = await follow(scope);
    await until(() => first.mirror.seq !== null);
    await post([ticket('r-0', { location: YUQIAO }), ticket('r-1', { location: SONGZHUANG })]);
    await until(() => first.mirror.tickets.has('T-r-0'));
    first.socket.disconnect();
    const lastSeq = first.mirror.seq!;

    // Events keep flowing while the client is away.
    for (let k = 0; k < 5; k++) {
      await post([ticket(`gone-${k}`, { location: YUQIAO }), ticket(`other-${k}`, { location: SONGZHUANG })]);
      await new Promise((r) => setTimeout(r, 120));
    }
    const back = await follow(scope, lastSeq);
    // Carry the state over: the resumed client continues from the first one's state.
    back.mirror.applySnapshot({
      seq: lastSeq,
      scope: scope as never,
      at: new Date().toISOString(),
      keys: first.mirror.keys,
      aggregates: [...first.mirror.aggregates.values()],
      tickets: [...first.mirror.tickets.values()],
      checkpoints: [...first.mirror.checkpoints.values()],
      rangers: [...first.mirror.rangers.values()],
    });
    const snapshotsBefore = back.mirror.snapshots;
    try {
      await until(() => back.mirror.tickets.has('T-gone-4'));
      // Resumed by deltas (no new snapshot), chained from lastSeq without gap or repeat.
      expect(back.mirror.snapshots).toBe(snapshotsBefore);
      expect(back.mirror.chain[0]!.fromSeq).toBe(lastSeq);
      back.mirror.chain.forEach((c, i) => i > 0 && expect(c.fromSeq).toBe(back.mirror.chain[i - 1]!.toSeq));
      const server = app.services.live.snapshot(scope as never);
      for (const a of server.aggregates) expect(back.mirror.aggregates.get(a.key), a.key).toEqual(socketAggregate(a));
      expect([...back.mirror.tickets.keys()].sort()).toEqual(server.tickets.map((t) => t.id).sort());
      expect([...first.foreign, ...back.foreign]).toEqual([]);
      expect(back.mirror.tickets.has('T-other-4')).toBe(false);
    } finally {
      back.socket.disconnect();
    }
  });

  it('refuses a handshake without credentials, and follows the principal’s own scope when none is named', async () => {
    const anonymous: Client = connect(base, { transports: ['websocket'], reconnection: false });
    const refused = await new Promise<{ message: string; data?: { code?: string } }>((resolve) =>
      anonymous.on('connect_error', resolve),
    );
    expect(refused.data?.code).toBe('unauthenticated');
    anonymous.disconnect();

    const { cookie } = await sessionHeaders(app, principals.townLeader);
    const mirror = new ScopeMirror();
    const leader: Client = connect(base, { transports: ['websocket'], extraHeaders: { cookie }, reconnection: false });
    leader.on('state:snapshot', (snapshot: Snapshot) => mirror.applySnapshot(snapshot));
    try {
      await until(() => mirror.seq !== null);
      expect(mirror.scope).toBe(principals.townLeader.scope);
    } finally {
      leader.disconnect();
    }
  });

  it('a wall whose device token is revoked loses its live connection and is refused when it comes back', async () => {
    const token = await deviceToken(app, principals.wall);
    const open = () => connect(base, { transports: ['websocket'], auth: { token }, reconnection: false }) as Client;
    const wall = open();
    await new Promise<void>((resolve, reject) => {
      wall.on('connect', resolve);
      wall.on('connect_error', reject);
    });
    const gone = new Promise<string>((resolve) => wall.on('disconnect', resolve));
    await app.services.auth.users.revokeDevice(principals.wall.id, Date.now());
    // The gateway checks every socket's credentials again (every minute; here at once).
    expect(await app.services.gateway.recheck()).toBe(1);
    expect(await gone).toBe('io server disconnect');
    const again = open();
    const refused = await new Promise<{ data?: { code?: string } }>((resolve) => again.on('connect_error', resolve));
    expect(refused.data?.code).toBe('unauthenticated');
    again.disconnect();
  });

  it('a wall revoked through the admin API is disconnected at once, without waiting for the recheck', async () => {
    const admin = await asAdmin(app);
    const created = await fetch(`${base}/api/v1/admin/devices`, {
      method: 'POST',
      headers: { ...admin, 'content-type': 'application/json' },
      body: JSON.stringify({ name: '会议室大屏', role: 'wall', scope: 'district:110112' }),
    });
    expect(created.status).toBe(201);
    const { device, token } = (await created.json()) as { device: { id: string }; token: string };
    const wall: Client = connect(base, { transports: ['websocket'], auth: { token }, reconnection: false });
    await new Promise<void>((resolve, reject) => {
      wall.on('connect', resolve);
      wall.on('connect_error', reject);
    });
    const gone = new Promise<string>((resolve) => wall.on('disconnect', resolve));
    const revoked = await fetch(`${base}/api/v1/admin/devices/${device.id}`, { method: 'DELETE', headers: admin });
    expect(revoked.status).toBe(200);
    expect(await gone).toBe('io server disconnect');
  });
});
