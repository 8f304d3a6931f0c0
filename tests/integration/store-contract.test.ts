// The EventStore contract, run against every implementation in STORE_IMPLEMENTATIONS (tests/helpers/store.ts).
// A new implementation passes this file unchanged, or it is not an EventStore.
import net, { type AddressInfo } from 'node:net';
import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  EVENT_SCHEMAS,
  validateEvent,
  validateStoredEvent,
  type OpsEvent,
  type StoredEvent,
} from '../../server/contract/events';
import { openPostgresStore, quoteIdent } from '../../server/store/postgres';
import { POSTGRES_MIGRATIONS } from '../../server/store/migrations/postgres';
import { eventKey, type AppendItem, type AppendResult, type EventStore } from '../../server/store/types';
import {
  PLACE,
  RECEIVED_AT,
  RUN_POSTGRES,
  STORE_IMPLEMENTATIONS,
  TEST_DATABASE_URL,
  dropSchema,
  randomSchema,
  items,
  positionEvent,
  ticketEvent,
  type StoreHarness,
} from '../helpers/store';

const storedSeqs = (results: AppendResult[]): number[] =>
  results.flatMap((r) => (r.status === 'stored' ? [r.stored.seq] : []));
const range = (from: number, to: number): number[] => Array.from({ length: to - from + 1 }, (_, i) => from + i);

/** Events as a distributed bus hands them to archive(): positionEvent(i) under seqs[k], i = start + k. */
const sequenced = (start: number, seqs: number[]): StoredEvent[] =>
  items(start, seqs.length).map((item, k) => ({
    seq: seqs[k]!,
    receivedAt: item.receivedAt,
    event: item.event,
    ...(item.place ? { place: item.place } : {}),
  }));

/** One valid event of every kind, with optional fields filled in, so nothing valid is turned away. */
function everyKind(): OpsEvent[] {
  const t = '2026-07-20T14:30:00.123+08:00';
  const loc = { lon: 116.656, lat: 39.909, crs: 'wgs84' as const };
  const events: OpsEvent[] = [
    {
      ...(ticketEvent(1) as Extract<OpsEvent, { kind: 'ticket.created' }>),
      description: '引号 "quoted" \\ 反斜杠\n换行 \u2028 😀',
      address: '玉桥街道',
      responseDueAt: '2026-07-20T16:30:00+08:00',
      resolveDueAt: '2026-07-27T14:30:00+08:00',
    },
    {
      id: 'u1',
      kind: 'ticket.updated',
      time: t,
      source: 'hotline_12345',
      ticketId: 'T1',
      status: 'dispatched',
      assignee: '110112004',
      note: '派单',
    },
    {
      id: 'e1',
      kind: 'ticket.escalated',
      time: t,
      source: 'grid_worker',
      ticketId: 'T1',
      departments: ['chengguan', 'fire'],
    },
    { id: 'c1', kind: 'ticket.closed', time: t, source: 'hotline_12345', ticketId: 'T1', resolved: true },
    { id: 'r1', kind: 'ticket.rated', time: t, source: 'hotline_12345', ticketId: 'T1', satisfied: false, score: 2 },
    {
      id: 'fu1',
      kind: 'ticket.followed_up',
      time: t,
      source: 'hotline_12345',
      ticketId: 'T1',
      resolved: false,
      satisfied: false,
      score: 2,
      by: '回访员 07',
    },
    {
      id: 'sv1',
      kind: 'ticket.supervised',
      time: t,
      source: 'console',
      ticketId: 'T1',
      by: '区值班员',
      level: 'district',
      note: '超期督办',
    },
    {
      id: 'pa1',
      kind: 'property.assessed',
      time: t,
      source: 'simulator',
      propertyId: 'P1',
      month: '2026-06',
      score: 88.5,
      by: '物业办',
      note: '履约评价',
    },
    {
      id: 'f1',
      kind: 'flood.reading',
      time: '2026-07-20T06:30:00Z',
      source: 'sensor',
      checkpointId: 'CP-1',
      level: -0.25,
      rainfall: 0,
      flow: 1234.5,
    },
    { id: 'f2', kind: 'flood.inspection', time: t, source: 'grid_worker', checkpointId: 'CP-1', inspector: '张三' },
    { id: 'f3', kind: 'flood.obstruction', time: t, source: 'grid_worker', checkpointId: 'CP-1', status: 'clearing' },
    {
      id: 'f4',
      kind: 'flood.response',
      time: t,
      source: 'simulator',
      level: 'IV',
      riverId: 'beiyun',
      area: 'town:110112004',
    },
    {
      id: 'p1',
      kind: 'patrol.started',
      time: t,
      source: 'ranger_app',
      patrolId: 'P1',
      rangerId: 'R1',
      clusterId: 'FC-1',
      location: loc,
    },
    {
      ...(positionEvent(1) as Extract<OpsEvent, { kind: 'patrol.position' }>),
      bearing: 359.5,
      altitude: 20,
      accuracy: 4.2,
      meta: { deviceId: 'abc' },
    },
    {
      id: 'p3',
      kind: 'patrol.checkin',
      time: t,
      source: 'ranger_app',
      rangerId: 'R1',
      patrolId: 'P1',
      pointId: 'PT-9',
    },
    {
      id: 'p4',
      kind: 'patrol.incident',
      time: t,
      source: 'ranger_app',
      rangerId: 'R1',
      incidentId: 'I1',
      type: 'fire_risk',
      severity: 'high',
      description: '烟点',
      location: loc,
    },
    { id: 'p5', kind: 'patrol.incident_resolved', time: t, source: 'ranger_app', incidentId: 'I1' },
    { id: 'p6', kind: 'patrol.ended', time: t, source: 'osmand', patrolId: 'P1', rangerId: 'R1' },
    {
      id: 'p7',
      kind: 'patrol.device_status',
      time: t,
      source: 'osmand',
      rangerId: 'R1',
      deviceId: '护林员 7 号-手机',
      reason: 'outside_district',
      battery: 54,
    },
  ];
  return events;
}

describe.each(STORE_IMPLEMENTATIONS)('EventStore contract: %s', (_name, factory, durable) => {
  let harness: StoreHarness;
  let store: EventStore;

  beforeEach(async () => {
    harness = factory();
    store = await harness.open();
  });
  afterEach(async () => {
    await store.close();
    await harness.dispose();
  });

  it('starts empty: lastSeq 0, read and scan find nothing', async () => {
    expect(await store.lastSeq()).toBe(0);
    expect(await store.read(0, 10)).toEqual([]);
    const batches: StoredEvent[][] = [];
    await store.scan(0, 10, (b) => void batches.push(b));
    expect(batches).toEqual([]);
    expect(await store.append([])).toEqual([]);
  });

  it('gives gap-free increasing seqs from 1 across batches', async () => {
    const r1 = await store.append(items(0, 3));
    const r2 = await store.append(items(3, 1));
    const r3 = await store.append(items(4, 5));
    expect(storedSeqs(r1)).toEqual([1, 2, 3]);
    expect(storedSeqs(r2)).toEqual([4]);
    expect(storedSeqs(r3)).toEqual([5, 6, 7, 8, 9]);
    expect(await store.lastSeq()).toBe(9);
    expect((await store.read(0, 100)).map((e) => e.seq)).toEqual(range(1, 9));
  });

  it('answers duplicate with the first seq for an event already in the log, and stores nothing', async () => {
    await store.append(items(0, 5));
    const again = await store.append([...items(2, 2), ...items(5, 1)]);
    expect(again).toEqual([
      { status: 'duplicate', seq: 3 },
      { status: 'duplicate', seq: 4 },
      { status: 'stored', stored: expect.objectContaining({ seq: 6 }) },
    ]);
    expect(await store.lastSeq()).toBe(6);
    // The first copy wins, even if the retry carries different content.
    const changed: AppendItem = {
      event: { ...(positionEvent(0) as Extract<OpsEvent, { kind: 'patrol.position' }>), speed: 9 },
      receivedAt: '2026-07-21T00:00:00Z',
    };
    expect(await store.append([changed])).toEqual([{ status: 'duplicate', seq: 1 }]);
    const [first] = await store.read(0, 1);
    expect(first?.event).toEqual(positionEvent(0));
  });

  it('answers duplicate for an event repeated within one batch, without a gap in seqs', async () => {
    const batch = [...items(0, 2), ...items(0, 1), ...items(2, 1), ...items(1, 1), ...items(2, 1)];
    const results = await store.append(batch);
    expect(results.map((r) => (r.status === 'stored' ? `s${r.stored.seq}` : `d${r.seq}`))).toEqual([
      's1',
      's2',
      'd1',
      's3',
      'd2',
      'd3',
    ]);
    expect(await store.lastSeq()).toBe(3);
    expect((await store.read(0, 10)).map((e) => e.event.id)).toEqual(['pos-0', 'pos-1', 'pos-2']);
  });

  it('keys on (source, id): the same id from another source is a different event', async () => {
    const results = await store.append([
      { event: positionEvent(1, 'ranger_app'), receivedAt: RECEIVED_AT },
      { event: positionEvent(1, 'osmand'), receivedAt: RECEIVED_AT },
    ]);
    expect(storedSeqs(results)).toEqual([1, 2]);
  });

  it('round-trips every kind with its place unchanged, and what it reads back is a valid StoredEvent', async () => {
    const events = everyKind();
    expect(new Set(events.map((e) => e.kind))).toEqual(new Set(Object.keys(EVENT_SCHEMAS)));
    for (const e of events) expect(validateEvent(e)).toEqual({ ok: true, event: e });
    const batch: AppendItem[] = events.map((event, i) =>
      i % 2 === 0
        ? { event, receivedAt: RECEIVED_AT, place: PLACE }
        : { event, receivedAt: '2026-07-20T14:30:01+08:00', place: {} },
    );
    batch.push({ event: { ...positionEvent(99) }, receivedAt: RECEIVED_AT }); // no place at all
    const results = await store.append(batch);
    expect(results.every((r) => r.status === 'stored')).toBe(true);

    const read = await store.read(0, 100);
    const expected: StoredEvent[] = batch.map((item, i) => ({
      seq: i + 1,
      receivedAt: item.receivedAt,
      event: item.event,
      ...(item.place ? { place: item.place } : {}),
    }));
    expect(read).toStrictEqual(expected);
    // What append answered is what read returns.
    expect(results.map((r) => (r.status === 'stored' ? r.stored : null))).toStrictEqual(expected);
    for (const s of read) expect(validateStoredEvent(s)).toEqual({ ok: true, stored: s });
    expect(read.at(-1)).not.toHaveProperty('place');
  });

  it('is not changed by the caller mutating events after append or after read', async () => {
    const event = positionEvent(1) as Extract<OpsEvent, { kind: 'patrol.position' }>;
    await store.append([{ event, receivedAt: RECEIVED_AT, place: { townId: 't1' } }]);
    event.location.lat = 0;
    const [once] = await store.read(0, 1);
    (once!.event as Extract<OpsEvent, { kind: 'patrol.position' }>).location.lon = 0;
    once!.place!.townId = 'changed';
    const [twice] = await store.read(0, 1);
    expect(twice).toEqual({ seq: 1, receivedAt: RECEIVED_AT, event: positionEvent(1), place: { townId: 't1' } });
  });

  it('reads in seq order within bounds: after a seq, at most limit', async () => {
    await store.append(items(0, 100));
    expect((await store.read(0, 10)).map((e) => e.seq)).toEqual(range(1, 10));
    expect((await store.read(42, 5)).map((e) => e.seq)).toEqual(range(43, 47));
    expect((await store.read(95, 10)).map((e) => e.seq)).toEqual(range(96, 100));
    expect(await store.read(100, 10)).toEqual([]);
    expect(await store.read(1000, 10)).toEqual([]);
    expect(await store.read(10, 0)).toEqual([]);
    expect((await store.read(90, Infinity)).map((e) => e.seq)).toEqual(range(91, 100));
    const all = await store.read(0, 1000);
    expect(all.map((e) => e.event.id)).toEqual(range(0, 99).map((i) => `pos-${i}`));
  });

  it('scans from a seq in bounded batches, in order, and awaits each batch', async () => {
    await store.append(items(0, 25));
    const seen: number[][] = [];
    let inFlight = false;
    await store.scan(3, 10, async (batch) => {
      expect(inFlight).toBe(false);
      inFlight = true;
      await new Promise((r) => setTimeout(r, 1));
      seen.push(batch.map((e) => e.seq));
      inFlight = false;
    });
    expect(seen).toEqual([range(4, 13), range(14, 23), range(24, 25)]);
    await expect(store.scan(0, 0, () => {})).rejects.toThrow(RangeError);
  });

  it('scan stops at the end of the log as of the call, even while appends continue', async () => {
    await store.append(items(0, 30));
    const seen: number[] = [];
    let next = 30;
    await store.scan(0, 10, async (batch) => {
      seen.push(...batch.map((e) => e.seq));
      await store.append(items(next, 10));
      next += 10;
    });
    expect(seen).toEqual(range(1, 30));
    expect(await store.lastSeq()).toBe(60);
  });

  it('scans 50k events in bounded batches, each event once', async () => {
    for (let i = 0; i < 50_000; i += 1000) await store.append(items(i, 1000));
    let count = 0;
    let expectedSeq = 1;
    let largest = 0;
    await store.scan(0, 4096, (batch) => {
      largest = Math.max(largest, batch.length);
      for (const e of batch) {
        if (e.seq !== expectedSeq) throw new Error(`expected seq ${expectedSeq}, got ${e.seq}`);
        expectedSeq++;
      }
      count += batch.length;
    });
    expect(count).toBe(50_000);
    expect(largest).toBe(4096);
    expect(await store.lastSeq()).toBe(50_000);
  }, 60_000);

  // Only a durable log has a reopen to test; the in-memory store is not meant to outlive close(), so for it the
  // test is not registered at all (rather than reported as skipped).
  const itDurable = durable ? it : ((() => undefined) as unknown as typeof it);
  itDurable('keeps everything across close and reopen (when the log outlives the process)', async () => {
    if (!harness.reopen) throw new Error('a durable store must provide reopen()');
    await store.append(items(0, 1500));
    await store.append(items(0, 10)); // duplicates: nothing new
    await store.close();
    store = await harness.reopen();
    expect(await store.lastSeq()).toBe(1500);
    // Seqs continue where they stopped, duplicates are still recognised after the reopen.
    const results = await store.append([...items(1499, 2)]);
    expect(results).toEqual([
      { status: 'duplicate', seq: 1500 },
      { status: 'stored', stored: expect.objectContaining({ seq: 1501 }) },
    ]);
    const all = await store.read(0, 10_000);
    expect(all.map((e) => e.seq)).toEqual(range(1, 1501));
    expect(all[0]).toEqual({ seq: 1, receivedAt: RECEIVED_AT, event: positionEvent(0) });
    expect(all[1]).toEqual({
      seq: 2,
      receivedAt: RECEIVED_AT,
      event: positionEvent(1),
      place: { townId: 't1', gridId: 'g1' },
    });
  });

  it('archive keeps the seqs the bus gave, and read returns them', async () => {
    const events = sequenced(0, [1, 2, 3, 5, 8]);
    expect(await store.archive(events)).toStrictEqual(events);
    expect(await store.read(0, 100)).toStrictEqual(events);
    expect((await store.read(3, 1)).map((e) => e.seq)).toEqual([5]);
    expect(await store.lastSeq()).toBe(8);
    expect(await store.archive([])).toEqual([]);
  });

  it('archiving the same events twice is idempotent and returns them both times', async () => {
    const events = sequenced(0, [1, 2, 3]);
    expect(await store.archive(events)).toStrictEqual(events);
    expect(await store.archive(events)).toStrictEqual(events);
    // A replay that overlaps what is held and brings one new event.
    const overlap = sequenced(1, [2, 3, 4]);
    expect(await store.archive(overlap)).toStrictEqual(overlap);
    expect(await store.read(0, 100)).toStrictEqual([...events, overlap[2]!]);
    expect(await store.lastSeq()).toBe(4);
  });

  it('archive leaves out an event whose key the log holds under another seq, and read shows a hole there', async () => {
    await store.archive(sequenced(0, [1, 2]));
    // pos-1 again, under seq 3: a retry that slipped past the bus's duplicate window.
    const [retry] = sequenced(1, [3]);
    const [next] = sequenced(2, [4]);
    expect(await store.archive([retry!, next!])).toStrictEqual([next]);
    // The same within one batch: the first one wins.
    const [first, again] = [...sequenced(3, [5]), ...sequenced(3, [6])];
    expect(await store.archive([first!, again!])).toStrictEqual([first]);
    expect((await store.read(0, 100)).map((e) => e.seq)).toEqual([1, 2, 4, 5]);
    expect(await store.seqsOfKeys([eventKey(retry!.event), eventKey(first!.event)])).toEqual(
      new Map([
        [eventKey(retry!.event), 2],
        [eventKey(first!.event), 5],
      ]),
    );
  });

  it('archive refuses a seq that holds another event (the log and the bus disagree)', async () => {
    await store.archive(sequenced(0, [1]));
    await expect(store.archive(sequenced(7, [1]))).rejects.toThrow(/disagree/);
    expect((await store.read(0, 10)).map((e) => e.event.id)).toEqual(['pos-0']);
  });

  it('append after archive continues after the highest seq, and knows the archived keys', async () => {
    await store.archive(sequenced(0, [1, 2, 5]));
    const results = await store.append([...items(10, 2), ...items(2, 1)]);
    expect(results).toEqual([
      { status: 'stored', stored: expect.objectContaining({ seq: 6 }) },
      { status: 'stored', stored: expect.objectContaining({ seq: 7 }) },
      { status: 'duplicate', seq: 5 },
    ]);
    expect((await store.read(0, 100)).map((e) => e.seq)).toEqual([1, 2, 5, 6, 7]);
    expect(await store.lastSeq()).toBe(7);
  });

  it('seqsOfKeys finds appended and archived keys and omits unknown ones', async () => {
    await store.append(items(0, 3));
    await store.archive(sequenced(10, [10]));
    const key = (i: number) => eventKey(positionEvent(i));
    const found = await store.seqsOfKeys([
      key(0),
      key(2),
      key(10),
      key(99),
      eventKey(positionEvent(1, 'osmand')),
      key(0),
    ]);
    expect(found).toEqual(
      new Map([
        [key(0), 1],
        [key(2), 3],
        [key(10), 10],
      ]),
    );
    expect(await store.seqsOfKeys([])).toEqual(new Map());
  });

  it('scanKeys (where a store has it) gives every held key after a seq, in seq order, in bounded batches', async () => {
    if (!store.scanKeys) return;
    await store.append(items(0, 7));
    await store.archive(sequenced(20, [20, 21]));
    const batches: { keys: string[]; last: number }[] = [];
    await store.scanKeys(2, 3, (keys, last) => batches.push({ keys, last }));
    const key = (i: number) => eventKey(positionEvent(i));
    expect(batches.flatMap((b) => b.keys)).toEqual([2, 3, 4, 5, 6, 20, 21].map(key));
    expect(batches.every((b) => b.keys.length <= 3)).toBe(true);
    expect(batches.at(-1)!.last).toBe(21);
  });

  it('refuses work after close', async () => {
    await store.append(items(0, 1));
    await store.close();
    await expect(store.append(items(1, 1))).rejects.toThrow(/closed/);
    await expect(store.read(0, 1)).rejects.toThrow(/closed/);
    await expect(store.lastSeq()).rejects.toThrow(/closed/);
    await store.close(); // idempotent
  });

  it('keeps keyframes: the newest within the bounds, the body byte for byte, pruned by kind', async () => {
    const kf = store.keyframes!;
    expect(kf).toBeDefined();
    expect(await kf.latest()).toBeUndefined();
    const frame = (seq: number, kind: 'midnight' | 'hour' | 'periodic', takenMs: number) => ({
      seq,
      kind,
      takenMs,
      envelopeMs: takenMs - 1000,
      format: 1,
      version: 'v-test',
      checksum: `c${seq}`,
      body: Uint8Array.from({ length: 300 }, (_, i) => (i * seq) & 255),
    });
    await kf.save(frame(50, 'hour', 500_000));
    await kf.save(frame(100, 'midnight', 1_000_000));
    await kf.save(frame(150, 'hour', 1_500_000));
    await kf.save(frame(200, 'periodic', 2_000_000));
    await kf.save(frame(250, 'hour', 2_500_000));
    await kf.save(frame(300, 'periodic', 3_000_000));
    await kf.save(frame(400, 'midnight', 4_000_000));
    const newest = await kf.latest();
    expect(newest).toMatchObject({ seq: 400, kind: 'midnight', takenMs: 4_000_000, envelopeMs: 3_999_000 });
    expect([...newest!.body]).toEqual([...frame(400, 'midnight', 0).body]);
    expect((await kf.latest({ maxSeq: 399 }))?.seq).toBe(300);
    expect((await kf.latest({ maxTakenMs: 2_400_000 }))?.seq).toBe(200);
    expect((await kf.latest({ maxTakenMs: 2_500_000 }))?.kind).toBe('hour');
    expect((await kf.latest({ maxEnvelopeMs: 999_000 }))?.seq).toBe(100);
    expect((await kf.latest({ maxEnvelopeMs: 998_999 }))?.seq).toBe(50);
    expect(await kf.latest({ maxEnvelopeMs: 498_999 })).toBeUndefined();
    // Saving at a seq already held replaces it.
    await kf.save({ ...frame(300, 'periodic', 3_000_000), checksum: 'again' });
    expect((await kf.latest({ maxSeq: 300 }))?.checksum).toBe('again');
    await kf.prune({ keepPeriodic: 1, historySinceMs: 2_000_000 });
    expect((await kf.latest({ maxSeq: 399 }))?.seq).toBe(300); // the newest periodic stays
    expect((await kf.latest({ maxSeq: 299 }))?.seq).toBe(250); // an hour keyframe inside the kept days stays
    expect(await kf.latest({ maxSeq: 249 })).toBeUndefined(); // older periodic, the old midnight and hours are gone
    expect((await kf.latest())?.seq).toBe(400);
  });
});

/**
 * A TCP relay in front of PostgreSQL that a test can take down and bring back: to the store, the database
 * goes away (connections cut, new ones refused) and returns on the same address.
 */
function relay(target: { host: string; port: number }) {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((down) => {
    const up = net.connect(target.port, target.host);
    const drop = () => {
      down.destroy();
      up.destroy();
      sockets.delete(down);
      sockets.delete(up);
    };
    for (const s of [down, up]) {
      sockets.add(s);
      s.on('error', drop).on('close', drop);
    }
    down.pipe(up).pipe(down);
  });
  return {
    listen: (port = 0) =>
      new Promise<number>((resolve) =>
        server.listen(port, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)),
      ),
    stop: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

const withPort = (url: string, host: string, port: number): string => {
  const u = new URL(url);
  u.hostname = host;
  u.port = String(port);
  return u.toString();
};

describe.skipIf(!RUN_POSTGRES)('EventStore: postgres only', () => {
  const cleanup: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const f of cleanup.splice(0).reverse()) await f();
  });
  const freshSchema = (): string => {
    const schema = randomSchema();
    cleanup.push(() => dropSchema(schema));
    return schema;
  };
  const open = async (schema: string, connectionString = TEST_DATABASE_URL): Promise<EventStore> => {
    const store = await openPostgresStore({ connectionString, schema });
    cleanup.push(() => store.close());
    return store;
  };

  it('two stores on one schema appending at once give gap-free seqs 1..N, each event once', async () => {
    const schema = freshSchema();
    // Opened together on an empty schema: the migrations take turns under the advisory lock.
    const [a, b] = await Promise.all([open(schema), open(schema)]);
    const batches = (store: EventStore, base: number) =>
      Array.from({ length: 20 }, (_, k) =>
        // Every batch also carries 5 events the other store sends too, so both race for the same keys.
        store.append([...items(base + k * 25, 25), ...items(10_000 + k * 5, 5)]),
      );
    const results = (await Promise.all([...batches(a, 0), ...batches(b, 1000)])).flat();
    const stored = results.flatMap((r) => (r.status === 'stored' ? [r.stored] : []));
    const N = 2 * 20 * 25 + 20 * 5;
    expect(stored).toHaveLength(N);
    expect(stored.map((s) => s.seq).sort((x, y) => x - y)).toEqual(range(1, N));
    // A duplicate answers the seq its key was stored under, whichever store stored it.
    const seqOf = new Map(stored.map((s) => [s.event.id, s.seq]));
    for (const r of results) if (r.status === 'duplicate') expect([...seqOf.values()]).toContain(r.seq);
    const all = await a.read(0, Infinity);
    expect(all.map((e) => e.seq)).toEqual(range(1, N));
    expect(new Set(all.map((e) => e.event.id)).size).toBe(N);
    for (const e of all) expect(seqOf.get(e.event.id)).toBe(e.seq);
    expect(await b.lastSeq()).toBe(N);
  }, 30_000);

  it('a store whose PostgreSQL refuses connections rejects within seconds, and works again once it is back', async () => {
    const target = new URL(TEST_DATABASE_URL);
    const proxy = relay({ host: target.hostname, port: Number(target.port || 5432) });
    const port = await proxy.listen();
    cleanup.push(() => proxy.stop());
    const store = await open(freshSchema(), withPort(TEST_DATABASE_URL, '127.0.0.1', port));
    expect(storedSeqs(await store.append(items(0, 5)))).toEqual(range(1, 5));

    // The pool's idle connections are cut too: their errors must not become uncaught exceptions (vitest
    // fails the run on one).
    await proxy.stop();
    const started = Date.now();
    await expect(store.append(items(5, 5))).rejects.toThrow();
    await expect(store.read(0, 10)).rejects.toThrow();
    expect(Date.now() - started).toBeLessThan(5000);

    await proxy.listen(port);
    expect(storedSeqs(await store.append(items(5, 5)))).toEqual(range(6, 10));
    expect(await store.lastSeq()).toBe(10);
  }, 20_000);

  it('opening against a port where nothing listens rejects within seconds', async () => {
    const started = Date.now();
    await expect(
      openPostgresStore({ connectionString: withPort(TEST_DATABASE_URL, '127.0.0.1', 1), schema: randomSchema() }),
    ).rejects.toThrow();
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('a server that accepts but never answers fails the open after the connect timeout, not a TCP timeout', async () => {
    const held = new Set<net.Socket>();
    const silent = net.createServer((socket) => void held.add(socket));
    const port = await new Promise<number>((resolve) =>
      silent.listen(0, '127.0.0.1', () => resolve((silent.address() as AddressInfo).port)),
    );
    cleanup.push(
      () =>
        new Promise<void>((resolve) => {
          // Never read, so the client's FIN is never seen: close() would wait for these forever.
          for (const socket of held) socket.destroy();
          silent.close(() => resolve());
        }),
    );
    const started = Date.now();
    await expect(
      openPostgresStore({ connectionString: withPort(TEST_DATABASE_URL, '127.0.0.1', port), schema: randomSchema() }),
    ).rejects.toThrow();
    expect(Date.now() - started).toBeLessThan(4000);
  }, 10_000);

  it('records each migration once and refuses a schema newer than this build', async () => {
    const schema = freshSchema();
    await (await open(schema)).close();
    const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await client.connect();
    try {
      const { rows } = await client.query<{ version: number }>(
        `SELECT version FROM ${quoteIdent(schema)}.schema_migrations ORDER BY version`,
      );
      expect(rows.map((r) => r.version)).toEqual(POSTGRES_MIGRATIONS.map((m) => m.version));
      await client.query(
        `INSERT INTO ${quoteIdent(schema)}.schema_migrations (version, name) VALUES (999, 'from the future')`,
      );
    } finally {
      await client.end();
    }
    await expect(openPostgresStore({ connectionString: TEST_DATABASE_URL, schema })).rejects.toThrow(
      /newer than this build/,
    );
  });

  it('the archive lease: one store of a schema holds it at a time, and another takes it once the holder closes', async () => {
    const schema = freshSchema();
    const [a, b] = await Promise.all([open(schema), open(schema)]);
    expect(await a.archiveLease!()).toBe(true);
    expect(await b.archiveLease!()).toBe(false);
    expect(await a.archiveLease!()).toBe(true);
    // Another schema is another lease.
    expect(await (await open(freshSchema())).archiveLease!()).toBe(true);
    await a.close();
    expect(await b.archiveLease!()).toBe(true);
  });

  it('keeps event keys with NUL and backslashes apart (PostgreSQL text cannot hold NUL)', async () => {
    const store = await open(freshSchema());
    const make = (id: string): AppendItem => ({ event: { ...positionEvent(1), id }, receivedAt: RECEIVED_AT });
    // Outside what validation lets in, but the store must not rely on it: \\0 and \0 are different ids.
    const ids = ['a\\0b', 'a\u0000b', 'a\\\u0000b'];
    expect(storedSeqs(await store.append(ids.map(make)))).toEqual([1, 2, 3]);
    expect(await store.append(ids.map(make))).toEqual([1, 2, 3].map((seq) => ({ status: 'duplicate', seq })));
    const keys = ids.map((id) => eventKey({ source: 'ranger_app', id }));
    expect(await store.seqsOfKeys(keys)).toEqual(new Map(keys.map((k, i) => [k, i + 1])));
    expect((await store.read(0, 10)).map((e) => e.event.id)).toEqual(ids);
    const scanned: string[] = [];
    await store.scanKeys!(0, 10, (k) => scanned.push(...k));
    expect(scanned).toEqual(keys);
  });
});
