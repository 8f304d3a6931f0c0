// The gateway with real sockets: socket.io-client against attachGateway on an ephemeral port of 127.0.0.1,
// driven by the in-memory FakeLive. Flushes are called by the tests (flushMs: 0), so every window is exact.
import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import Fastify from 'fastify';
import { io as connectClient, type Socket as ClientSocket } from 'socket.io-client';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  AGGREGATE_COLUMNS,
  decodeDelta,
  toWireRow,
  wireRanger,
  type AreaKey,
  type AreaTree,
  type ClientToServerEvents,
  type DeltaWire,
  type LonLat,
  type RangerObject,
  type ServerToClientEvents,
  type Snapshot,
} from '../../server/contract';
import type { LiveChanges, LiveState, ObjectKind } from '../../server/live/types';
import {
  attachGateway,
  frameBytes,
  measureDelta,
  ScopeMirror,
  type Gateway,
  type GatewayOptions,
} from '../../server/gateway';
import { loadGeo } from '../../server/geo/load';
import { FakeLive } from '../helpers/fake-live';
import { GEO_DIR } from '../helpers/paths';

type Client = ClientSocket<ServerToClientEvents, ClientToServerEvents>;

let tree: AreaTree;
let DISTRICT: AreaKey;
let TOWN_A: AreaKey;
let TOWN_B: AreaKey;

beforeAll(async () => {
  tree = (await loadGeo(GEO_DIR)).tree;
  DISTRICT = tree.root as AreaKey;
  const towns = tree.children[DISTRICT] as AreaKey[];
  TOWN_A = towns[0]!;
  TOWN_B = towns[1]!;
});

// ---- harness ----

interface Harness {
  live: FakeLive;
  gateway: Gateway;
  url: string;
  server: HttpServer;
}

const running: { close: () => Promise<void> }[] = [];

afterEach(async () => {
  for (const r of running.splice(0).reverse()) await r.close();
});

/** `wrap`: the LiveState the gateway reads, built around the harness's FakeLive (default: the FakeLive itself). */
async function start(
  options: Partial<Omit<GatewayOptions, 'httpServer' | 'live' | 'tree'>> = {},
  wrap: (live: FakeLive) => LiveState = (live) => live,
): Promise<Harness> {
  const live = new FakeLive(tree);
  const server = createServer();
  const gateway = attachGateway({ httpServer: server, live: wrap(live), tree, flushMs: 0, ...options });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  running.push(gateway);
  return { live, gateway, server, url: `http://127.0.0.1:${port}` };
}

/** A client that records everything it receives and mirrors its scope's state. */
class TestClient {
  readonly mirror = new ScopeMirror();
  readonly snapshots: Snapshot[] = [];
  readonly deltas: DeltaWire[] = [];
  readonly outcomes: string[] = [];
  /** Raw sizes of the socket.io frames received, by event name. */
  readonly frameSizes: { event: string; bytes: number }[] = [];

  constructor(readonly socket: Client) {
    socket.on('state:snapshot', (s) => {
      this.snapshots.push(s);
      this.mirror.applySnapshot(s);
    });
    socket.on('state:delta', (d) => {
      this.deltas.push(d);
      this.outcomes.push(this.mirror.applyDelta(d));
    });
    socket.io.on('open', () => {
      socket.io.engine.on('packet', (packet: { type: string; data?: unknown }) => {
        if (packet.type !== 'message' || typeof packet.data !== 'string') return;
        const event = /^2\["([^"]+)"/.exec(packet.data)?.[1];
        // engine.io strips its own '4' (message) prefix before this event: add its byte back.
        if (event) this.frameSizes.push({ event, bytes: Buffer.byteLength(packet.data) + 1 });
      });
    });
  }

  close(): Promise<void> {
    this.socket.disconnect();
    return Promise.resolve();
  }
}

async function connect(
  h: Harness,
  opts: {
    auth?: Record<string, unknown> | ((cb: (data: object) => void) => void);
    query?: Record<string, string>;
    reconnection?: boolean;
  } = {},
): Promise<TestClient> {
  const socket: Client = connectClient(h.url, {
    transports: ['websocket'],
    forceNew: true,
    reconnection: opts.reconnection ?? false,
    reconnectionDelay: 20,
    reconnectionDelayMax: 50,
    ...(opts.auth ? { auth: opts.auth } : {}),
    ...(opts.query ? { query: opts.query } : {}),
  });
  const client = new TestClient(socket);
  running.push(client);
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', reject);
  });
  return client;
}

/** Polls until `check` holds (events cross a real socket, so arrival takes a few milliseconds). */
async function until(check: () => boolean, what: string, timeoutMs = 3_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Connects and flushes, returning the client once its first snapshot arrived. */
async function follower(h: Harness, scope?: AreaKey): Promise<TestClient> {
  const c = await connect(h, scope ? { auth: { scope } } : {});
  h.gateway.flush();
  await until(() => c.snapshots.length === 1, 'the first snapshot');
  return c;
}

const childOf = (town: AreaKey, i = 0) => (tree.children[town] as AreaKey[])[i]!;

/** The mirror holds what the live state holds, aggregate by aggregate, in wire precision. */
function expectMirrorEqualsLive(c: TestClient, live: FakeLive): void {
  const scope = c.mirror.scope!;
  const snap = live.snapshot(scope);
  for (const a of snap.aggregates) expect(toWireRow(c.mirror.aggregates.get(a.key)!)).toEqual(toWireRow(a));
  expect([...c.mirror.tickets.keys()].sort()).toEqual(snap.tickets.map((t) => t.id).sort());
  expect([...c.mirror.rangers.keys()].sort()).toEqual(snap.rangers.map((r) => r.id).sort());
}

// ---- tests ----

describe('snapshot on connect', () => {
  it('follows the district by default: its seq, the district and its 22 towns, and the key list', async () => {
    const h = await start();
    h.live.createTicket({ town: TOWN_A });
    h.live.createTicket({ town: TOWN_B });
    const c = await follower(h);
    const s = c.snapshots[0]!;
    expect(s.scope).toBe(DISTRICT);
    expect(s.seq).toBe(2);
    expect(s.aggregates).toHaveLength(23);
    expect(s.aggregates.filter((a) => a.level === 'town')).toHaveLength(22);
    expect(s.keys).toEqual([DISTRICT, ...(tree.children[DISTRICT] as AreaKey[])]);
    expect(s.tickets).toHaveLength(2);
    expect(h.gateway.metrics()).toMatchObject({ sockets: 1, connections: 1, snapshotsSent: 1 });
  });

  it('follows the scope named in the handshake (auth or query)', async () => {
    const h = await start();
    const byAuth = await follower(h, TOWN_A);
    expect(byAuth.snapshots[0]!.scope).toBe(TOWN_A);
    expect(byAuth.snapshots[0]!.aggregates).toHaveLength(1 + (tree.children[TOWN_A]?.length ?? 0));
    const byQuery = await connect(h, { query: { scope: TOWN_B } });
    h.gateway.flush();
    await until(() => byQuery.snapshots.length === 1, 'snapshot');
    expect(byQuery.snapshots[0]!.scope).toBe(TOWN_B);
  });

  it('refuses a handshake naming an unknown or unfollowable area, with the reason', async () => {
    const h = await start();
    for (const [scope, code] of [
      ['town:999999999', 'unknown_area'],
      [childOf(TOWN_A), 'unknown_area'],
      ['town:../x', 'invalid'],
    ] as const) {
      const err = await connect(h, { auth: { scope } }).then(
        () => null,
        (e: Error & { data?: { code?: string } }) => e,
      );
      expect(err?.data?.code).toBe(code);
    }
  });
});

describe('scope:follow', () => {
  it("switches rooms: the town's snapshot, then only that town's deltas", async () => {
    const h = await start();
    const c = await follower(h);
    const ackP = c.socket.emitWithAck('scope:follow', { key: TOWN_A });
    await until(() => h.gateway.metrics().rooms === 2, 'the follow to arrive');
    h.gateway.flush();
    const ack = await ackP;
    expect(ack).toEqual({ ok: true, key: TOWN_A, seq: 0 });
    // The ack comes after the snapshot it announces.
    expect(c.snapshots.map((s) => s.scope)).toEqual([DISTRICT, TOWN_A]);

    const a = h.live.createTicket({ town: TOWN_A });
    h.live.createTicket({ town: TOWN_B });
    h.live.moveRanger('r-b', TOWN_B);
    h.gateway.flush();
    await until(() => c.deltas.length === 1, 'a delta');
    await pause(30);
    expect(c.deltas).toHaveLength(1);
    const d = c.deltas[0]!;
    expect(d.scope).toBe(TOWN_A);
    expect(d.tickets?.upserts.map((t) => t.id)).toEqual([a.id]);
    expect(d.rangers).toBeUndefined();
    const keys = c.mirror.keys;
    const changed = d.patches.map((p) => keys[p[0] as number]);
    expect(changed).toEqual(expect.arrayContaining([TOWN_A]));
    for (const k of changed) expect(k === TOWN_A || tree.nodes[k!]?.parent === TOWN_A).toBe(true);
    expect(c.outcomes).toEqual(['applied']);
    expectMirrorEqualsLive(c, h.live);
  });

  it('refuses an unknown area, a grid cell, an invalid request and a forbidden town', async () => {
    const h = await start({ authorize: (_data, scope) => scope !== TOWN_B });
    const c = await follower(h);
    expect(await c.socket.emitWithAck('scope:follow', { key: 'town:999999999' })).toMatchObject({
      ok: false,
      error: { code: 'unknown_area' },
    });
    expect(await c.socket.emitWithAck('scope:follow', { key: childOf(TOWN_A) })).toMatchObject({
      ok: false,
      error: { code: 'unknown_area' },
    });
    const bad = { key: 42 } as unknown as { key: AreaKey };
    expect(await c.socket.emitWithAck('scope:follow', bad)).toMatchObject({ ok: false, error: { code: 'invalid' } });
    expect(await c.socket.emitWithAck('scope:follow', { key: TOWN_B })).toMatchObject({
      ok: false,
      error: { code: 'forbidden' },
    });
    // Refusals leave the socket where it was.
    h.live.createTicket({ town: TOWN_A });
    h.gateway.flush();
    await until(() => c.deltas.length === 1, 'the district delta');
  });
});

describe('deltas', () => {
  it('coalesces: 100 changes in one window make one delta per room', async () => {
    const h = await start();
    const district = await follower(h);
    const town = await follower(h, TOWN_A);
    const other = await follower(h, TOWN_B);
    const towns = tree.children[DISTRICT] as AreaKey[];
    const touched = new Set<AreaKey>();
    for (let i = 0; i < 100; i++) {
      const town = i % 2 === 0 ? TOWN_A : towns[2 + (i % 20)]!;
      touched.add(town);
      h.live.createTicket({ town });
    }
    h.gateway.flush();
    await until(() => district.deltas.length === 1 && town.deltas.length === 1, 'one delta each');
    await pause(30);
    expect(district.deltas).toHaveLength(1);
    expect(town.deltas).toHaveLength(1);
    expect(other.deltas).toHaveLength(0); // nothing happened in town B
    expect(district.deltas[0]).toMatchObject({ fromSeq: 0, toSeq: 100 });
    expect(district.deltas[0]!.tickets?.upserts).toHaveLength(100);
    expect(district.deltas[0]!.patches).toHaveLength(1 + touched.size); // the district and the towns that changed
    expect(town.deltas[0]!.tickets?.upserts).toHaveLength(50);
    expect(h.gateway.metrics().deltasEmitted).toBe(2);
    expectMirrorEqualsLive(district, h.live);
    expectMirrorEqualsLive(town, h.live);
  });

  it('sends nothing when nothing changed', async () => {
    const h = await start();
    const c = await follower(h);
    h.gateway.flush();
    h.gateway.flush();
    await pause(50);
    expect(c.deltas).toHaveLength(0);
    expect(h.gateway.metrics().deltasEmitted).toBe(0);
  });

  it('tells a quiet room it is up to date with an empty delta after heartbeatMs, chained like any other', async () => {
    let clock = Date.parse('2025-07-20T06:30:00Z');
    const h = await start({ now: () => clock, heartbeatMs: 5_000 });
    const quiet = await follower(h, TOWN_A);
    const busy = await follower(h, TOWN_B);
    clock += 4_000;
    h.live.createTicket({ town: TOWN_B }); // the log moves on elsewhere
    h.gateway.flush();
    await until(() => busy.deltas.length === 1, 'the busy room delta');
    expect(quiet.deltas).toHaveLength(0);
    clock += 1_000;
    h.gateway.flush();
    await until(() => quiet.deltas.length === 1, 'the heartbeat');
    const beat = quiet.deltas[0]!;
    expect(beat.patches).toEqual([]);
    expect(beat.tickets).toBeUndefined();
    // It carries the room to the log's head, so the client's seq follows the log even where nothing happens.
    expect(beat.toSeq).toBe(h.live.seq);
    expect(quiet.outcomes).toEqual(['applied']);
    // The busy room had its delta a second ago: no heartbeat for it yet.
    expect(busy.deltas).toHaveLength(1);
    h.gateway.flush();
    await pause(30);
    expect(quiet.deltas).toHaveLength(1);
  });

  it("chains: every delta's fromSeq is the previous toSeq, also for a room that skipped windows", async () => {
    const h = await start();
    const district = await follower(h);
    const town = await follower(h, TOWN_A);
    let expectedTown = 0;
    for (let round = 0; round < 8; round++) {
      // Town A changes only in even rounds: its room's chain skips the odd windows yet stays unbroken.
      if (round % 2 === 0) h.live.createTicket({ town: TOWN_A });
      h.live.createTicket({ town: TOWN_B });
      if (round === 5) h.live.closeTicket(h.live.tickets({ area: TOWN_B }).items[0]!.id);
      h.gateway.flush();
      if (round % 2 === 0) expectedTown += 1;
    }
    await until(() => district.deltas.length === 8 && town.deltas.length === expectedTown, 'all deltas');
    for (const c of [district, town]) {
      expect(c.outcomes.every((o) => o === 'applied')).toBe(true);
      c.mirror.chain.forEach((link, i) => {
        if (i > 0) expect(link.fromSeq).toBe(c.mirror.chain[i - 1]!.toSeq);
      });
      expectMirrorEqualsLive(c, h.live);
    }
    expect(district.mirror.seq).toBe(h.live.seq);
    expect(town.mirror.seq).toBeLessThan(h.live.seq); // the last change in town A was before the last flush
  });

  it('sends a delta when only the clock moved (fromSeq === toSeq): tickets turn overdue', async () => {
    const h = await start();
    const t = h.live.createTicket({ town: TOWN_A, resolveInMs: 60_000 });
    const c = await follower(h, TOWN_A);
    h.live.advance(Date.parse('2025-07-20T07:00:00Z'));
    h.gateway.flush();
    await until(() => c.deltas.length === 1, 'the clock delta');
    const d = c.deltas[0]!;
    expect(d.fromSeq).toBe(1);
    expect(d.toSeq).toBe(1);
    expect(d.patches.some((p) => p.includes(AGGREGATE_COLUMNS.indexOf('tickets.overdue')))).toBe(true);
    expect(d.tickets?.upserts).toEqual([expect.objectContaining({ id: t.id, overdue: true })]);
    expect(c.mirror.aggregates.get(TOWN_A)?.tickets.overdue).toBe(1);
  });

  it('routes objects by town: a ranger crossing a border leaves one town room and enters the other', async () => {
    const h = await start();
    const a = await follower(h, TOWN_A);
    const b = await follower(h, TOWN_B);
    const district = await follower(h);
    h.live.moveRanger('r-007', TOWN_A);
    h.gateway.flush();
    await until(() => a.mirror.rangers.has('r-007') && district.mirror.rangers.has('r-007'), 'the ranger in A');
    expect(b.deltas).toHaveLength(0);
    h.live.moveRanger('r-007', TOWN_B);
    h.gateway.flush();
    await until(() => b.mirror.rangers.has('r-007') && !a.mirror.rangers.has('r-007'), 'the ranger in B');
    expect(a.deltas.at(-1)?.rangers).toEqual({ upserts: [], removals: ['r-007'] });
    expect(district.mirror.rangers.size).toBe(1);
    const closed = h.live.createTicket({ town: TOWN_B });
    h.gateway.flush();
    h.live.closeTicket(closed.id);
    h.gateway.flush();
    await until(() => b.deltas.at(-1)?.tickets?.removals[0] === closed.id, 'the removal in B');
    for (const c of [a, b, district]) expectMirrorEqualsLive(c, h.live);
  });

  it('keeps the deltas of the resume buffer immutable when the live state mutates objects in place', async () => {
    const h = await start();
    const c = await follower(h);
    const t = h.live.createTicket({ town: TOWN_A });
    h.gateway.flush();
    h.live.updateTicket(t.id, 'in_progress'); // FakeLive mutates the same object
    h.gateway.flush();
    await until(() => c.deltas.length === 2, 'two deltas');
    expect(c.deltas[0]!.tickets?.upserts[0]?.status).toBe('received');
    expect(c.deltas[1]!.tickets?.upserts[0]?.status).toBe('in_progress');
  });
});

describe('resume', () => {
  /** A client that followed TOWN_A and applied one delta, so its lastSeq is inside the room's resume buffer. */
  async function warmClient(h: Harness): Promise<TestClient> {
    const c = await follower(h, TOWN_A);
    h.live.createTicket({ town: TOWN_A });
    h.gateway.flush();
    await until(() => c.deltas.length === 1, 'the first delta');
    return c;
  }

  /** Changes that continue while the client is away: n windows, each with changes in A and B. */
  function changesWhileAway(h: Harness, windows: number): void {
    for (let i = 0; i < windows; i++) {
      h.live.createTicket({ town: TOWN_A });
      h.live.createTicket({ town: TOWN_B });
      if (i === 1) h.live.moveRanger('r-1', TOWN_A);
      h.gateway.flush();
    }
  }

  it('state:resume replays exactly the missed deltas: no gap, no repeat', async () => {
    const h = await start();
    const before = await warmClient(h);
    const lastSeq = before.mirror.seq!;
    await before.close();
    await until(() => h.gateway.metrics().sockets === 0, 'the disconnect');
    changesWhileAway(h, 4);

    // A new connection, carrying the old state (the same mirror): it asks to resume before any flush.
    const again = await connect(h, { auth: { scope: TOWN_A } });
    again.mirror.applySnapshot(before.snapshots[0]!);
    for (const d of before.deltas) again.mirror.applyDelta(d);
    const ack = await again.socket.emitWithAck('state:resume', { lastSeq, scope: TOWN_A });
    expect(ack).toEqual({ ok: true, mode: 'delta' });
    await until(() => again.deltas.length === 4, 'the missed deltas');
    expect(again.deltas.map((d) => [d.fromSeq, d.toSeq])).toEqual([
      [lastSeq, lastSeq + 2],
      [lastSeq + 2, lastSeq + 5],
      [lastSeq + 5, lastSeq + 7],
      [lastSeq + 7, lastSeq + 9],
    ]);
    expect(again.outcomes).toEqual(['applied', 'applied', 'applied', 'applied']);
    expect(again.mirror.seq).toBe(h.live.seq);
    // The pending snapshot of the connection's own follow was replaced by the resume.
    h.live.createTicket({ town: TOWN_A });
    h.gateway.flush();
    await until(() => again.deltas.length === 5, 'the next live delta');
    expect(again.snapshots).toHaveLength(0);
    expect(again.outcomes.at(-1)).toBe('applied');
    expectMirrorEqualsLive(again, h.live);
    expect(h.gateway.metrics()).toMatchObject({ resumedWithDeltas: 1, resumedWithSnapshot: 0 });
  });

  it('resumes through the handshake on an automatic reconnect after a forced disconnect', async () => {
    const h = await start();
    let resumeFrom: () => object = () => ({ scope: TOWN_A });
    const c = await connect(h, { auth: (cb) => cb(resumeFrom()), reconnection: true });
    h.gateway.flush();
    await until(() => c.snapshots.length === 1, 'snapshot');
    h.live.createTicket({ town: TOWN_A });
    h.gateway.flush();
    await until(() => c.deltas.length === 1, 'first delta');
    resumeFrom = () => ({ scope: TOWN_A, lastSeq: c.mirror.seq });

    // The server drops the transport; the client reconnects by itself a few milliseconds later.
    let reconnected = false;
    c.socket.io.once('reconnect', () => (reconnected = true));
    for (const s of h.gateway.io.of('/').sockets.values()) s.conn.close();
    await until(() => h.gateway.metrics().sockets === 0, 'the drop');
    changesWhileAway(h, 3);
    await until(() => reconnected && c.mirror.seq === h.live.seq, 'the reconnect and replay');
    expect(c.snapshots).toHaveLength(1);
    expect(c.outcomes.every((o) => o === 'applied')).toBe(true);
    expect(c.mirror.chain.map((l) => l.fromSeq).slice(1)).toEqual(c.mirror.chain.map((l) => l.toSeq).slice(0, -1));
    expectMirrorEqualsLive(c, h.live);
  });

  it('sends a snapshot when the resume buffer no longer reaches back to lastSeq', async () => {
    const h = await start({ resumeLimit: 2 });
    const before = await warmClient(h);
    const lastSeq = before.mirror.seq!;
    await before.close();
    changesWhileAway(h, 4);
    const again = await connect(h, { auth: { scope: TOWN_A } });
    const ackP = again.socket.emitWithAck('state:resume', { lastSeq, scope: TOWN_A });
    await until(() => h.gateway.metrics().resumedWithSnapshot === 1, 'the resume to arrive');
    h.gateway.flush();
    expect(await ackP).toEqual({ ok: true, mode: 'snapshot' });
    expect(again.snapshots).toHaveLength(1); // the ack follows the snapshot it announces
    expect(again.deltas).toHaveLength(0);
    expect(again.snapshots[0]!.seq).toBe(h.live.seq);
    expectMirrorEqualsLive(again, h.live);
  });

  it('sends a snapshot for a seq that is not a position of the room chain', async () => {
    const h = await start();
    await warmClient(h);
    const c = await connect(h, { auth: { scope: TOWN_A, lastSeq: 12_345 } });
    h.gateway.flush();
    await until(() => c.snapshots.length === 1, 'snapshot');
    expect(c.deltas).toHaveLength(0);
  });
});

describe('rooms and recovery', () => {
  it('drops a room empty for resumeMs; resuming into it then takes a snapshot', async () => {
    let clock = Date.parse('2025-07-20T06:30:00Z');
    const h = await start({ now: () => clock, resumeMs: 1_000 });
    const c = await follower(h, TOWN_A);
    h.live.createTicket({ town: TOWN_A });
    h.gateway.flush();
    await until(() => c.deltas.length === 1, 'a delta');
    const lastSeq = c.mirror.seq!;
    await c.close();
    await until(() => h.gateway.metrics().sockets === 0, 'the disconnect');
    h.gateway.flush();
    expect(h.gateway.metrics().rooms).toBe(1); // kept for resume a while
    clock += 1_500;
    h.gateway.flush();
    expect(h.gateway.metrics().rooms).toBe(0);
    const again = await connect(h, { auth: { scope: TOWN_A, lastSeq } });
    h.gateway.flush();
    await until(() => again.snapshots.length === 1, 'a snapshot');
    expect(again.deltas).toHaveLength(0);
  });

  it('recovers from a lost change set by sending every socket a fresh snapshot', async () => {
    const errors: string[] = [];
    const logger = {
      debug: () => {},
      info: () => {},
      warn: () => {},
      error: (_o: object, msg: string) => void errors.push(msg),
    };
    const h = await start({ logger });
    const c = await follower(h, TOWN_A);
    h.live.createTicket({ town: TOWN_A });
    h.live.takeChanges(); // someone else drains the change set: the gateway never sees that ticket's changes
    h.live.createTicket({ town: TOWN_A });
    h.gateway.flush();
    expect(errors).toContain('live changes were taken by someone else');
    expect(h.gateway.metrics().flushErrors).toBe(1);
    h.gateway.flush();
    await until(() => c.snapshots.length === 2, 'the fresh snapshot');
    expect(c.snapshots[1]!.seq).toBe(h.live.seq);
    h.live.createTicket({ town: TOWN_A });
    h.gateway.flush();
    await until(() => c.deltas.length === 1, 'a delta after recovery');
    expect(c.outcomes).toEqual(['applied']);
    expectMirrorEqualsLive(c, h.live);
  });
});

describe('wire size', () => {
  it('measures bytes per changed aggregate on the real frames: well under JSON objects', async () => {
    const h = await start();
    const c = await follower(h, TOWN_A);
    // 50 tickets in 50 different cells of town A: one delta with the town and 50 changed cells.
    const cells = (tree.children[TOWN_A] as AreaKey[]).slice(0, 50);
    const before = new Map(c.mirror.aggregates);
    for (const area of cells) h.live.createTicket({ town: TOWN_A, area, category: 'noise' });
    h.gateway.flush();
    await until(() => c.deltas.length === 1, 'the delta');
    const wire = c.deltas[0]!;
    expect(wire.patches).toHaveLength(51);
    const size = measureDelta(
      wire,
      decodeDelta(wire, c.mirror.keys, (k) => before.get(k)),
    );
    // What was measured on the server is what crossed the socket.
    const frame = c.frameSizes.find((f) => f.event === 'state:delta')!;
    expect(frame.bytes).toBe(frameBytes('state:delta', wire));
    console.info(
      `gateway wire: ${size.patchBytesPerAggregate.toFixed(1)} B per changed aggregate (patches), ` +
        `${(size.wireFrameBytes / size.aggregates).toFixed(1)} B with the frame; ` +
        `JSON objects ${size.jsonBytesPerAggregate.toFixed(0)} B (${(size.jsonFrameBytes / size.aggregates).toFixed(0)} B with the frame)`,
    );
    expect(size.patchBytesPerAggregate).toBeLessThanOrEqual(40);
    expect(size.wireFrameBytes / size.aggregates).toBeLessThanOrEqual(40);
    expect(size.jsonBytesPerAggregate).toBeGreaterThan(5 * size.patchBytesPerAggregate);
    const m = h.gateway.metrics();
    expect(m.aggregatesSent).toBe(51);
    expect(m.aggregateBytes / m.aggregatesSent).toBeCloseTo(size.patchBytesPerAggregate, 5);
    expect(m.deltaBytes).toBe(frame.bytes);
  });
});

// ---- ranger trails ----

/**
 * FakeLive with the live state's trail rule (a ranger keeps the points at most `windowMs` older than its
 * newest) and rangers that leave the map (an idle ranger's timeout: a removal without an event) and come back.
 */
class TrailLive implements LiveState {
  private readonly gone = new Set<string>();
  private readonly removals = new Map<string, string | undefined>();

  constructor(
    readonly inner: FakeLive,
    readonly windowMs: number,
  ) {}

  get seq(): number {
    return this.inner.seq;
  }

  /** A position at `nowMs` (the clock moves there first, so that trail points carry distinct times). */
  move(id: string, town: AreaKey | undefined, nowMs: number, position?: LonLat): void {
    this.inner.advance(nowMs);
    this.gone.delete(id);
    this.removals.delete(id);
    this.inner.moveRanger(id, town, position);
  }

  remove(id: string): void {
    this.gone.add(id);
    this.removals.set(id, this.inner.townOf('rangers', id));
  }

  private trimmed(r: RangerObject): RangerObject {
    const newest = r.trail.at(-1)?.[2] ?? 0;
    return { ...structuredClone(r), trail: r.trail.filter((p) => p[2] >= newest - this.windowMs).map((p) => [...p]) };
  }

  apply(...args: Parameters<LiveState['apply']>): void {
    this.inner.apply(...args);
  }
  advance(nowMs: number): void {
    this.inner.advance(nowMs);
  }
  aggregate(key: AreaKey) {
    return this.inner.aggregate(key);
  }
  snapshot(scope: AreaKey): Snapshot {
    const s = this.inner.snapshot(scope);
    return { ...s, rangers: s.rangers.filter((r) => !this.gone.has(r.id)).map((r) => this.trimmed(r)) };
  }
  takeChanges(): LiveChanges {
    const changes = this.inner.takeChanges();
    for (const [id, town] of this.removals) {
      changes.upserts.rangers.delete(id);
      changes.removals.rangers.set(id, town);
    }
    this.removals.clear();
    return changes;
  }
  ticket(id: string) {
    return this.inner.ticket(id);
  }
  checkpoint(id: string) {
    return this.inner.checkpoint(id);
  }
  ranger(id: string): RangerObject | undefined {
    const r = this.gone.has(id) ? undefined : this.inner.ranger(id);
    return r && this.trimmed(r);
  }
  incident(id: string) {
    return this.inner.incident(id);
  }
  tickets(...args: Parameters<LiveState['tickets']>) {
    return this.inner.tickets(...args);
  }
  townOf(kind: ObjectKind, id: string): string | undefined {
    return this.inner.townOf(kind, id);
  }
  patrolVisited(area: AreaKey) {
    return this.inner.patrolVisited(area);
  }
}

describe('ranger trails', () => {
  const T0 = Date.parse('2025-07-20T06:30:00Z');
  const WINDOW = 60_000;
  let trails: TrailLive;

  async function startTrails(): Promise<Harness> {
    return start({ trailMs: WINDOW }, (live) => (trails = new TrailLive(live, WINDOW)));
  }

  /** The k-th position near a town's centre, with the digits a GCJ-02 conversion leaves. */
  function spot(town: AreaKey, k: number): LonLat {
    const [w, s, e, n] = tree.nodes[town]!.bbox;
    return [(w + e) / 2 + k * 1.234567891e-5, (s + n) / 2 + k * 1.234567891e-5];
  }

  /** The mirror holds exactly the server's rangers, trails included, in wire precision. */
  function expectTrailsEqual(c: TestClient): void {
    const expected = trails.snapshot(c.mirror.scope!).rangers.map(wireRanger);
    const held = [...c.mirror.rangers.values()];
    expect(held.map((r) => r.id).sort()).toEqual(expected.map((r) => r.id).sort());
    for (const r of expected) expect(c.mirror.rangers.get(r.id)).toEqual(r);
  }

  const rangerEntries = (c: TestClient) => c.deltas.flatMap((d) => d.rangers?.upserts ?? []);

  it('sends a ranger new to the room its whole trail, then only the new points', async () => {
    const h = await startTrails();
    const district = await follower(h);
    const town = await follower(h, TOWN_A);
    expect(district.snapshots[0]!.trailMs).toBe(WINDOW);
    for (let k = 0; k < 4; k++) {
      trails.move('r-1', TOWN_A, T0 + k * 10_000, spot(TOWN_A, k));
      h.gateway.flush();
    }
    await until(() => district.deltas.length === 4 && town.deltas.length === 4, 'four deltas each');
    for (const c of [district, town]) {
      const [first, ...rest] = rangerEntries(c);
      expect(first!.trail).toHaveLength(1);
      expect(rest.map((r) => r.trailTail?.length)).toEqual([1, 1, 1]);
      expect(rest.every((r) => r.trail === undefined)).toBe(true);
      expect(c.outcomes.every((o) => o === 'applied')).toBe(true);
      expectTrailsEqual(c);
    }
    // Coordinates travel rounded to 6 decimals.
    const p = rangerEntries(district).at(-1)!.trailTail![0]!;
    expect([p[0], p[1]]).toEqual(p.slice(0, 2).map((v) => Math.round(v * 1e6) / 1e6));
  });

  it('trims trails to the window: points older than trailMs before the newest leave, on both sides', async () => {
    const h = await startTrails();
    const c = await follower(h);
    for (let k = 0; k < 12; k++) {
      trails.move('r-1', TOWN_A, T0 + k * 20_000, spot(TOWN_A, k));
      h.gateway.flush();
    }
    await until(() => c.deltas.length === 12, 'the deltas');
    expect(c.mirror.rangers.get('r-1')!.trail).toHaveLength(4); // 60 s window, a point every 20 s
    expectTrailsEqual(c);
  });

  it('a ranger entering another town: its whole trail to that town, a tail to the district', async () => {
    const h = await startTrails();
    const district = await follower(h);
    const a = await follower(h, TOWN_A);
    const b = await follower(h, TOWN_B);
    trails.move('r-1', TOWN_A, T0, spot(TOWN_A, 0));
    h.gateway.flush();
    trails.move('r-1', TOWN_A, T0 + 10_000, spot(TOWN_A, 1));
    h.gateway.flush();
    trails.move('r-1', TOWN_B, T0 + 20_000, spot(TOWN_B, 0));
    h.gateway.flush();
    await until(() => district.deltas.length === 3 && b.deltas.length === 1 && a.deltas.length === 3, 'the deltas');
    expect(b.deltas[0]!.rangers!.upserts[0]!.trail).toHaveLength(3);
    expect(district.deltas[2]!.rangers!.upserts[0]!.trailTail).toHaveLength(1);
    expect(a.deltas[2]!.rangers).toEqual({ upserts: [], removals: ['r-1'] });
    for (const c of [district, a, b]) expectTrailsEqual(c);
  });

  it('a ranger that left the map and came back gets its whole trail again', async () => {
    const h = await startTrails();
    const district = await follower(h);
    trails.move('r-1', TOWN_A, T0, spot(TOWN_A, 0));
    h.gateway.flush();
    trails.move('r-1', TOWN_A, T0 + 10_000, spot(TOWN_A, 1));
    h.gateway.flush();
    trails.remove('r-1');
    h.gateway.flush();
    await until(() => district.deltas.length === 3, 'the removal');
    expect(district.mirror.rangers.has('r-1')).toBe(false);
    trails.move('r-1', TOWN_A, T0 + 20_000, spot(TOWN_A, 2));
    h.gateway.flush();
    await until(() => district.deltas.length === 4, 'the return');
    const back = district.deltas[3]!.rangers!.upserts[0]!;
    expect(back.trailTail).toBeUndefined();
    expect(back.trail).toHaveLength(3);
    expectTrailsEqual(district);
  });

  it('a resume replays trail tails in order: the resumed client holds the server trails', async () => {
    const h = await startTrails();
    const before = await follower(h, TOWN_A);
    trails.move('r-1', TOWN_A, T0, spot(TOWN_A, 0));
    h.gateway.flush();
    await until(() => before.deltas.length === 1, 'the first delta');
    const lastSeq = before.mirror.seq!;
    await before.close();
    await until(() => h.gateway.metrics().sockets === 0, 'the disconnect');
    for (let k = 1; k <= 8; k++) {
      trails.move('r-1', TOWN_A, T0 + k * 15_000, spot(TOWN_A, k));
      if (k === 3) trails.move('r-2', TOWN_A, T0 + k * 15_000 + 1, spot(TOWN_A, 100 + k));
      h.gateway.flush();
    }
    const again = await connect(h, { auth: { scope: TOWN_A } });
    again.mirror.applySnapshot(before.snapshots[0]!);
    for (const d of before.deltas) again.mirror.applyDelta(d);
    expect(await again.socket.emitWithAck('state:resume', { lastSeq, scope: TOWN_A })).toEqual({
      ok: true,
      mode: 'delta',
    });
    await until(() => again.deltas.length === 8, 'the missed deltas');
    expect(again.outcomes.every((o) => o === 'applied')).toBe(true);
    const replayed = again.deltas.flatMap((d) => d.rangers?.upserts ?? []).filter((r) => r.id === 'r-1');
    expect(replayed.every((r) => r.trailTail?.length === 1)).toBe(true);
    expectTrailsEqual(again);
    expect(again.mirror.rangers.get('r-1')!.trail.length).toBeLessThan(9); // trimmed to the window on the way
  });
});

describe('close', () => {
  const resources = () => {
    const counts: Record<string, number> = {};
    for (const r of process.getActiveResourcesInfo()) counts[r] = (counts[r] ?? 0) + 1;
    return counts;
  };

  it('disconnects every socket and leaves no open handle', async () => {
    const baseline = resources();
    const h = await start({ flushMs: 150 });
    const clients = await Promise.all([follower(h), follower(h, TOWN_A), follower(h, TOWN_B)]);
    const disconnected = clients.map((c) => new Promise<void>((r) => c.socket.once('disconnect', () => r())));
    await h.gateway.close();
    await Promise.all(disconnected);
    expect(h.server.listening).toBe(false);
    await h.gateway.close(); // idempotent
    await until(() => {
      const now = resources();
      return ['TCPServerWrap', 'TCPSocketWrap', 'Timeout'].every((k) => (now[k] ?? 0) <= (baseline[k] ?? 0));
    }, 'handles to close');
  });

  it('attaches to a Fastify instance and closes with it', async () => {
    const app = Fastify();
    const live = new FakeLive(tree);
    const gateway = attachGateway({ httpServer: app, live, tree, flushMs: 100, logger: app.log });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = app.server.address() as AddressInfo;
    const h: Harness = { live, gateway, server: app.server, url: `http://127.0.0.1:${port}` };
    running.push({ close: () => app.close() });
    const c = await connect(h);
    await until(() => c.snapshots.length === 1, 'snapshot from the timer flush');
    live.createTicket({ town: TOWN_A });
    await until(() => c.deltas.length === 1, 'a delta from the timer flush');
    const gone = new Promise<void>((r) => c.socket.once('disconnect', () => r()));
    const t0 = Date.now();
    await app.close();
    await gone;
    expect(Date.now() - t0).toBeLessThan(2_000);
    expect(gateway.metrics().sockets).toBe(0);
  });
});
