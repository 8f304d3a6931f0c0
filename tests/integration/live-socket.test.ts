// The whole live path with real sockets: HTTP ingest → log → live state → gateway → socket.io-client.
// A client that drops off while events flow and comes back with its last seq ends exactly where the server is.
import { io as connect, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../server/app';
import type { DeltaWire, Snapshot } from '../../server/contract/live';
import type { ClientToServerEvents, ServerToClientEvents } from '../../server/contract/socket';
import { ScopeMirror } from '../../server/contract/mirror';
import { testApp, ticket } from '../helpers/app';

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
  const res = await fetch(`${base}/api/v1/events`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(events) });
  expect(res.status).toBe(200);
  return (await res.json()) as { accepted: number };
}

function follow(scope: string, lastSeq?: number): { socket: Client; mirror: ScopeMirror; foreign: string[] } {
  const mirror = new ScopeMirror();
  const foreign: string[] = [];
  const socket: Client = connect(base, { transports: ['websocket'], auth: { scope, ...(lastSeq !== undefined ? { lastSeq } : {}) }, reconnection: false });
  socket.on('state:snapshot', (s: Snapshot) => mirror.applySnapshot(s));
  socket.on('state:delta', (d: DeltaWire) => {
    expect(mirror.applyDelta(d)).toBe('applied');
    for (const t of d.tickets?.upserts ?? []) if (!t.place?.townId || `town:${t.place.townId}` !== scope) foreign.push(t.id);
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
    const { socket, mirror } = follow('district:110112');
    try {
      await until(() => mirror.seq !== null);
      expect(mirror.aggregates.size).toBe(23);
      const r = await post(Array.from({ length: 20 }, (_, i) => ticket(`d-${i}`, { location: i % 2 ? YUQIAO : SONGZHUANG })));
      expect(r.accepted).toBe(20);
      await until(() => mirror.aggregates.get('district:110112')?.tickets.open === app.services.live.aggregate('district:110112')!.tickets.open);
      for (const [key, a] of mirror.aggregates) expect(a, key).toEqual(app.services.live.aggregate(key));
      expect(mirror.tickets.size).toBe(app.services.live.snapshot('district:110112').tickets.length);
    } finally {
      socket.disconnect();
    }
  });

  it('a town client gets only its town, and after a drop resumes with exactly the missed deltas', async () => {
    const town = app.services.live.ticket('T-d-1')!.place!.townId!;
    const scope = `town:${town}`;
    const first = follow(scope);
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
    const back = follow(scope, lastSeq);
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
      for (const a of server.aggregates) expect(back.mirror.aggregates.get(a.key), a.key).toEqual(a);
      expect([...back.mirror.tickets.keys()].sort()).toEqual(server.tickets.map((t) => t.id).sort());
      expect([...first.foreign, ...back.foreign]).toEqual([]);
      expect(back.mirror.tickets.has('T-other-4')).toBe(false);
    } finally {
      back.socket.disconnect();
    }
  });
});
