// The browser's store and socket controller logic, without a browser: a snapshot, then deltas that must
// follow its seq; a gap voids the state and asks for a fresh snapshot; a reconnect resumes from the last seq;
// a drill-down ignores the old scope's late messages; the view is published at most once per tick.
import { describe, expect, it, vi } from 'vitest';
import type { AreaKey } from '../../server/contract/areas';
import {
  encodeDelta,
  ticketWindow,
  type AreaAggregate,
  type Delta,
  type DeltaWire,
  type Snapshot,
  type TicketObject,
} from '../../server/contract/live';
import type { FollowAck, HandshakeAuth } from '../../server/contract/socket';
import { LiveConnection, type LiveSocket } from '../../client/live/connection';
import { LiveStore } from '../../client/live/store';
import { longWindows, NO_SAMPLE, windowKpis } from '../helpers/kpis';

const DISTRICT = 'district:110112' as AreaKey;
const TOWN = 'town:110112004' as AreaKey;
const OTHER_TOWN = 'town:110112005' as AreaKey;

function aggregate(key: AreaKey, open: number): AreaAggregate {
  const level = key.slice(0, key.indexOf(':')) as AreaAggregate['level'];
  return {
    key,
    level,
    tickets: {
      open,
      newToday: open,
      closedToday: 0,
      overdue: 0,
      nearDeadline: 0,
      byCategory: open ? { noise: open } : {},
      responseRate: null,
      resolutionRate: null,
      satisfactionRate: null,
      composite: null,
      proactiveToday: 0,
      rolling24h: {
        proactive: 0,
        created: open,
        closed: 0,
        responseRate: null,
        resolutionRate: null,
        satisfactionRate: null,
        composite: null,
        sample: NO_SAMPLE,
      },
      sample: NO_SAMPLE,
      ...longWindows(),
    },
    flood: { worstColor: 'none', inWarning: 0, checkpoints: 0, obstructionsOpen: 0, responseLevel: 'none' },
    patrol: { activeRangers: 0, lastPatrolAt: null, coverageToday: null, openIncidents: 0, lostSignal: 0 },
    zeroComplaintDays: 0,
  };
}

function ticket(id: string, over: Partial<TicketObject> = {}): TicketObject {
  return {
    id,
    category: 'noise',
    urgency: 'normal',
    status: 'received',
    title: `装修扰民 ${id}`,
    position: [116.66, 39.9],
    place: { townId: '110112004' },
    createdAt: '2026-07-20T10:00:00+08:00',
    responseDueAt: '2026-07-20T14:00:00+08:00',
    resolveDueAt: '2026-07-23T10:00:00+08:00',
    overdue: false,
    nearDeadline: false,
    escalatedTo: [],
    ...over,
  };
}

const KEYS = [DISTRICT, TOWN, OTHER_TOWN];

function snapshot(seq: number, scope: AreaKey = DISTRICT, tickets: TicketObject[] = []): Snapshot {
  return {
    seq,
    scope,
    at: '2026-07-20T10:00:00+08:00',
    aggregates: (scope === DISTRICT ? KEYS : [scope]).map((k) => aggregate(k, 0)),
    keys: scope === DISTRICT ? KEYS : [scope],
    tickets,
    checkpoints: [],
    rangers: [],
    incidents: [],
    trailMs: 1_800_000,
  };
}

/** A wire delta as the gateway would send it to a client holding `store`'s state. */
function wire(store: LiveStore, fromSeq: number, toSeq: number, change: Partial<Delta>): DeltaWire {
  const delta: Delta = {
    fromSeq,
    toSeq,
    scope: store.getView().scope ?? DISTRICT,
    at: '2026-07-20T10:05:00+08:00',
    aggregates: [],
    tickets: { upserts: [], removals: [] },
    checkpoints: { upserts: [], removals: [] },
    rangers: { upserts: [], removals: [] },
    ...change,
  };
  const view = store.getView();
  return encodeDelta(delta, view.keys.length ? view.keys : KEYS, (k) => view.aggregates.get(k));
}

describe('LiveStore', () => {
  it('applies a snapshot, then deltas that follow its seq, and publishes the new state once', () => {
    const store = new LiveStore(DISTRICT);
    store.applySnapshot(snapshot(10));
    store.publish();
    const before = store.getView();
    expect(before.seq).toBe(10);
    expect(before.aggregates.get(TOWN)?.tickets.open).toBe(0);

    const d1 = wire(store, 10, 12, {
      aggregates: [aggregate(TOWN, 1), aggregate(DISTRICT, 1)],
      tickets: { upserts: [ticket('T1')], removals: [] },
    });
    expect(store.applyDelta(d1)).toBe('applied');
    const d2 = wire(store, 12, 13, {
      aggregates: [aggregate(TOWN, 2), aggregate(DISTRICT, 2)],
      tickets: { upserts: [ticket('T2')], removals: [] },
    });
    expect(store.applyDelta(d2)).toBe('applied');

    // Nothing reaches the screen until publish: bursts are batched.
    expect(store.getView()).toBe(before);
    expect(store.publish()).toBe(true);
    expect(store.publish()).toBe(false);
    const after = store.getView();
    expect(after.seq).toBe(13);
    expect(after.aggregates.get(TOWN)?.tickets.open).toBe(2);
    expect(after.aggregates.get(DISTRICT)?.tickets.open).toBe(2);
    expect([...after.tickets.keys()]).toEqual(['T1', 'T2']);
    // Versions move only for the slices that changed: the map re-colours areas and tickets, not checkpoints.
    expect(after.versions.aggregates).toBeGreaterThan(before.versions.aggregates);
    expect(after.versions.tickets).toBeGreaterThan(before.versions.tickets);
    expect(after.versions.checkpoints).toBe(before.versions.checkpoints);
    // The feed tells what happened, the latest delta first.
    expect(after.feed.map((f) => [f.kind, f.subject.id])).toEqual([
      ['ticket.created', 'T2'],
      ['ticket.created', 'T1'],
    ]);
  });

  it("takes the year's figures fetched for its scope, keeps them through deltas, and ignores another scope's", () => {
    const store = new LiveStore(DISTRICT);
    store.applySnapshot(snapshot(10));
    store.publish();
    const v0 = store.getView().versions.aggregates;
    const year = windowKpis({
      created: 9000,
      closed: 8800,
      resolutionRate: 0.83,
      sample: { response: 0, resolution: 8000, satisfaction: 0 },
    });
    store.mergeWindow(TOWN, 'year', new Map([[TOWN, year]]));
    expect(store.publish()).toBe(false);
    store.mergeWindow(DISTRICT, 'year', new Map([[TOWN, year]]));
    expect(store.publish()).toBe(true);
    expect(store.getView().versions.aggregates).toBeGreaterThan(v0);
    expect(ticketWindow(store.getView().aggregates.get(TOWN)!.tickets, 'year')).toEqual(year);
    // A delta patches the town (its open count): the year stays what was fetched.
    expect(store.applyDelta(wire(store, 10, 11, { aggregates: [aggregate(TOWN, 3)] }))).toBe('applied');
    store.publish();
    const town = store.getView().aggregates.get(TOWN)!;
    expect(town.tickets.open).toBe(3);
    expect(town.tickets.year).toEqual(year);
    // Never fetched: the window reads as no data, not as zero rates.
    expect(ticketWindow(store.getView().aggregates.get(OTHER_TOWN)!.tickets, 'rolling30d').resolutionRate).toBeNull();
  });

  it('opens the feed with the newest tickets of the snapshot, newest first', () => {
    const store = new LiveStore(DISTRICT);
    const tickets = Array.from({ length: 60 }, (_, i) =>
      ticket(`S${i}`, { createdAt: new Date(Date.UTC(2026, 6, 20, 0, i)).toISOString() }),
    );
    store.applySnapshot(snapshot(3, DISTRICT, tickets));
    store.publish();
    const feed = store.getView().feed;
    expect(feed).toHaveLength(50);
    expect(feed[0]!.subject.id).toBe('S59');
    expect(feed.at(-1)!.subject.id).toBe('S10');
  });

  it('turns a status change and a closure into feed items, and keeps at most 50', () => {
    const store = new LiveStore(DISTRICT);
    store.applySnapshot(snapshot(1, DISTRICT, [ticket('T1'), ticket('T2')]));
    store.applyDelta(
      wire(store, 1, 2, { tickets: { upserts: [ticket('T1', { status: 'dispatched' })], removals: ['T2'] } }),
    );
    store.publish();
    const kinds = store
      .getView()
      .feed.filter((f) => f.kind !== 'ticket.created')
      .map((f) => `${f.kind}:${f.subject.id}:${'status' in f.params ? f.params.status : ''}`);
    expect(kinds.sort()).toEqual(['ticket.status:T1:dispatched', 'ticket.status:T2:closed']);

    let seq = 2;
    for (let i = 0; i < 80; i++, seq++)
      store.applyDelta(wire(store, seq, seq + 1, { tickets: { upserts: [ticket(`N${i}`)], removals: [] } }));
    store.publish();
    expect(store.getView().feed).toHaveLength(50);
  });

  it('refuses a delta that does not follow its seq: the state is void until a new snapshot', () => {
    const store = new LiveStore(DISTRICT);
    store.applySnapshot(snapshot(10));
    const skipped = wire(store, 11, 12, { aggregates: [aggregate(TOWN, 5)] });
    expect(store.applyDelta(skipped)).toBe('gap');
    expect(store.seq).toBeNull();
    // Later deltas cannot sneak in either: every one is a gap until a snapshot.
    expect(store.applyDelta(wire(store, 12, 13, {}))).toBe('gap');
    store.publish();
    expect(store.getView().gaps).toBe(2);
    expect(store.getView().aggregates.get(TOWN)?.tickets.open).toBe(0);
    store.applySnapshot(snapshot(13));
    expect(store.seq).toBe(13);
    expect(store.applyDelta(wire(store, 13, 14, { aggregates: [aggregate(TOWN, 1)] }))).toBe('applied');
  });

  it('on a drill-down ignores the old scope and keeps nothing of it', () => {
    const store = new LiveStore(DISTRICT);
    store.applySnapshot(snapshot(10, DISTRICT, [ticket('T-OTHER', { place: { townId: '110112005' } })]));
    store.want(TOWN);
    // A late delta of the district, and a snapshot of the district answering an older request: both ignored.
    expect(store.applyDelta(wire(store, 10, 11, { aggregates: [aggregate(TOWN, 3)] }))).toBe('other-scope');
    store.applySnapshot(snapshot(11));
    expect(store.scope).toBe(DISTRICT);
    store.applySnapshot(snapshot(12, TOWN, [ticket('T-TOWN')]));
    store.publish();
    const v = store.getView();
    expect(v.scope).toBe(TOWN);
    expect([...v.tickets.keys()]).toEqual(['T-TOWN']);
    expect(v.aggregates.has(OTHER_TOWN)).toBe(false);
  });
});

class FakeSocket implements LiveSocket {
  readonly handlers = new Map<string, ((arg?: unknown) => void)[]>();
  readonly emitted: { event: string; request: unknown }[] = [];
  closed = false;
  active = true;
  connects = 0;
  constructor(readonly auth: () => HandshakeAuth) {}
  connect(): this {
    this.connects++;
    return this;
  }
  on(event: string, listener: (arg: never) => void): this {
    const list = this.handlers.get(event) ?? [];
    list.push(listener as (arg?: unknown) => void);
    this.handlers.set(event, list);
    return this;
  }
  emit(event: string, request: unknown, ack: (result: FollowAck) => void): this {
    this.emitted.push({ event, request });
    ack({ ok: true, key: (request as { key: AreaKey }).key, seq: 0 });
    return this;
  }
  close(): this {
    this.closed = true;
    return this;
  }
  fire(event: string, arg?: unknown): void {
    for (const h of this.handlers.get(event) ?? []) h(arg);
  }
}

describe('LiveConnection', () => {
  function connect(scope: AreaKey = DISTRICT) {
    const store = new LiveStore(scope);
    let socket!: FakeSocket;
    const conn = new LiveConnection(store, (auth) => (socket = new FakeSocket(auth)), { publishMs: 0 });
    return { store, socket, conn };
  }

  it('asks for a fresh snapshot when a delta does not follow, and recovers with it', () => {
    const { store, socket, conn } = connect();
    socket.fire('connect');
    socket.fire('state:snapshot', snapshot(5));
    socket.fire('state:delta', wire(store, 7, 8, {}));
    expect(socket.emitted).toEqual([{ event: 'scope:follow', request: { key: DISTRICT } }]);
    expect(conn.resyncRequests).toBe(1);
    socket.fire('state:snapshot', snapshot(8));
    socket.fire('state:delta', wire(store, 8, 9, { aggregates: [aggregate(TOWN, 4)] }));
    store.publish();
    expect(store.getView().seq).toBe(9);
    expect(store.getView().aggregates.get(TOWN)?.tickets.open).toBe(4);
  });

  it('resumes after a drop from the last seq it holds, and only a state it can trust', () => {
    const { store, socket } = connect();
    expect(socket.auth()).toEqual({ scope: DISTRICT });
    socket.fire('connect');
    socket.fire('state:snapshot', snapshot(20));
    socket.fire('disconnect');
    store.publish();
    expect(store.getView().connection).toBe('offline');
    // socket.io-client asks for the handshake again on every reconnection.
    expect(socket.auth()).toEqual({ scope: DISTRICT, lastSeq: 20 });
    socket.fire('state:delta', wire(store, 3, 4, {})); // a gap: the state is void
    expect(socket.auth()).toEqual({ scope: DISTRICT });
    socket.fire('connect');
    store.publish();
    expect(store.getView().connection).toBe('live');
  });

  it('reconnects by itself, backing off, when the server dropped it or refused it while shutting down', () => {
    vi.useFakeTimers();
    try {
      const { socket, conn } = connect();
      socket.fire('connect');
      // A drop on the network: socket.io-client retries by itself, nothing to do here.
      socket.fire('disconnect', 'transport close');
      vi.advanceTimersByTime(60_000);
      expect(socket.connects).toBe(0);
      // The server closed the socket (it does on shutdown): socket.io-client would wait for ever.
      socket.fire('disconnect', 'io server disconnect');
      vi.advanceTimersByTime(999);
      expect(socket.connects).toBe(0);
      vi.advanceTimersByTime(1);
      expect(socket.connects).toBe(1);
      // The restarting server refuses the handshake: retry again, later each time.
      socket.active = false;
      socket.fire('connect_error', new Error('the server is shutting down'));
      vi.advanceTimersByTime(1_999);
      expect(socket.connects).toBe(1);
      vi.advanceTimersByTime(1);
      expect(socket.connects).toBe(2);
      // Back: the next drop starts again from the short delay.
      socket.fire('connect');
      socket.fire('disconnect', 'io server disconnect');
      vi.advanceTimersByTime(1_000);
      expect(socket.connects).toBe(3);
      conn.close();
      socket.fire('disconnect', 'io server disconnect');
      vi.advanceTimersByTime(60_000);
      expect(socket.connects).toBe(3);
    } finally {
      vi.useRealTimers();
    }
  });

  it('follows a drill-down and starts the new scope from its snapshot', () => {
    const { store, socket, conn } = connect();
    socket.fire('connect');
    socket.fire('state:snapshot', snapshot(5));
    conn.follow(TOWN);
    expect(socket.emitted.at(-1)).toEqual({ event: 'scope:follow', request: { key: TOWN } });
    // Until the town's snapshot arrives, a reconnect must not resume the district's seq as the town's.
    expect(socket.auth()).toEqual({ scope: TOWN });
    conn.follow(TOWN);
    expect(socket.emitted).toHaveLength(1);
    conn.close();
    expect(socket.closed).toBe(true);
    expect(store.wantedScope).toBe(TOWN);
  });
});
