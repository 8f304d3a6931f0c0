// The gateway's wire form of a delta (contract live.ts: DeltaWire, encodeDelta / decodeDelta) and its resume
// resume buffer. Pure functions, no sockets: the socket tests are in gateway-socket.test.ts.
import { describe, expect, it } from 'vitest';
import {
  AGGREGATE_COLUMNS,
  socketAggregate,
  appendTrail,
  checkDelta,
  categoryColumn,
  checkDeltaWire,
  decodeDelta,
  DeltaDecodeError,
  encodeDelta,
  RATE_COLUMNS,
  roundCoord,
  toWireRow,
  trailMark,
  trailTail,
  type AreaAggregate,
  type AreaKey,
  type CheckpointObject,
  type Delta,
  type DeltaWire,
  type RangerObject,
  type TicketObject,
  type TrailPoint,
} from '../../server/contract';
import { ResumeBuffer, measureDelta } from '../../server/gateway';
import { windowKpis } from '../helpers/kpis';

const AT = '2025-07-20T14:30:00+08:00';
const KEYS: AreaKey[] = ['town:110112004', 'grid:g250-110112004-0412-0233', 'grid:g250-110112004-0412-0234'];

const TOWN: AreaAggregate = {
  key: 'town:110112004',
  level: 'town',
  tickets: {
    open: 37,
    newToday: 41,
    closedToday: 29,
    overdue: 3,
    nearDeadline: 5,
    byCategory: { property_management: 9, e_bike: 4, noise: 6 },
    responseRate: 0.99,
    resolutionRate: 0.8294,
    satisfactionRate: 0.9183,
    composite: 0.8771,
    proactiveToday: 0,
    rolling24h: {
      proactive: 0,
      created: 50,
      closed: 44,
      responseRate: 1,
      resolutionRate: 0.84,
      satisfactionRate: null,
      composite: 0.88,
      sample: { response: 48, resolution: 44, satisfaction: 0 },
    },
    sample: { response: 50, resolution: 40, satisfaction: 36 },
    month: windowKpis({
      created: 1520,
      closed: 1480,
      responseRate: 0.99,
      resolutionRate: 0.8294,
      satisfactionRate: 0.9183,
      composite: 0.88,
      sample: { response: 1500, resolution: 1400, satisfaction: 1300 },
    }),
    year: windowKpis({
      created: 17000,
      closed: 16800,
      resolutionRate: 0.81,
      sample: { response: 0, resolution: 16000, satisfaction: 0 },
    }),
    rolling30d: windowKpis({
      created: 1500,
      closed: 1490,
      satisfactionRate: 0.9,
      sample: { response: 0, resolution: 0, satisfaction: 1200 },
    }),
  },
  flood: { worstColor: 'yellow', inWarning: 2, checkpoints: 4, obstructionsOpen: 1, responseLevel: 'IV' },
  patrol: { activeRangers: 0, lastPatrolAt: null, coverageToday: null, openIncidents: 0, lostSignal: 0 },
  zeroComplaintDays: 0,
};
const GRID: AreaAggregate = { ...structuredClone(TOWN), key: KEYS[1]!, level: 'grid' };

const TICKET: TicketObject = {
  id: 'T2025072000001',
  category: 'e_bike',
  urgency: 'urgent',
  status: 'dispatched',
  title: '楼道内电动车充电',
  position: [116.656, 39.902],
  createdAt: AT,
  responseDueAt: '2025-07-20T16:30:00+08:00',
  resolveDueAt: '2025-07-21T14:30:00+08:00',
  overdue: false,
  nearDeadline: false,
  escalatedTo: [],
};

/** A new e-bike ticket in the grid cell: the columns one ticket.created touches. */
function afterNewTicket(a: AreaAggregate): AreaAggregate {
  const b = structuredClone(a);
  b.tickets.open += 1;
  b.tickets.newToday += 1;
  b.tickets.byCategory.e_bike = (b.tickets.byCategory.e_bike ?? 0) + 1;
  b.tickets.rolling24h.created += 1;
  return b;
}

const delta = (aggregates: AreaAggregate[], extra: Partial<Delta> = {}): Delta => ({
  fromSeq: 1204,
  toSeq: 1210,
  scope: 'town:110112004',
  at: AT,
  aggregates,
  tickets: { upserts: [TICKET], removals: ['T2025071900017'] },
  checkpoints: { upserts: [], removals: [] },
  rangers: { upserts: [], removals: [] },
  incidents: { upserts: [], removals: [] },
  ...extra,
});

describe('wire delta: encode and decode', () => {
  const previous = new Map<AreaKey, AreaAggregate>([
    [TOWN.key, TOWN],
    [GRID.key, GRID],
  ]);
  const lookup = (k: AreaKey) => previous.get(k);

  it('round-trips a delta through the wire form back to the same contract Delta', () => {
    const d = delta([afterNewTicket(TOWN), afterNewTicket(GRID)]);
    const wire = encodeDelta(d, KEYS, lookup);
    expect(checkDeltaWire(wire).ok).toBe(true);
    const back = decodeDelta(wire, KEYS, lookup);
    expect(back).toEqual(d);
    expect(checkDelta(back).ok).toBe(true);
  });

  it('sends only the changed columns, keyed by position in the scope key list', () => {
    const wire = encodeDelta(delta([afterNewTicket(GRID)]), KEYS, lookup);
    const col = (name: (typeof AGGREGATE_COLUMNS)[number]) => AGGREGATE_COLUMNS.indexOf(name);
    // byCategory travels as the one category whose count changed: column -(index in TICKET_CATEGORIES + 1).
    expect(wire.patches).toEqual([
      [
        1,
        col('tickets.open'),
        38,
        col('tickets.newToday'),
        42,
        categoryColumn('e_bike'),
        5,
        col('tickets.rolling24h.created'),
        51,
      ],
    ]);
    expect(JSON.stringify(wire.patches[0])).toBe('[1,2,38,3,42,-8,5,12,51]');
    // Empty object groups are left out of the wire form; decode gives them back.
    expect(wire.checkpoints).toBeUndefined();
    expect(decodeDelta(wire, KEYS, lookup).checkpoints).toEqual({ upserts: [], removals: [] });
  });

  it('sends every column for an aggregate the client does not hold, and decodes it without a base', () => {
    const fresh = { ...structuredClone(GRID), key: KEYS[2]! };
    const wire = encodeDelta(delta([fresh]), KEYS, lookup);
    // 26 value columns besides byCategory, and its 3 categories.
    expect(wire.patches[0]).toHaveLength(1 + 2 * (AGGREGATE_COLUMNS.length - 3) + 2 * 3);
    expect(decodeDelta(wire, KEYS, lookup).aggregates).toEqual([socketAggregate(fresh)]);
  });

  it('leaves the year and the 30 days off the wire, and a patch keeps what the client fetched for them', () => {
    const before = socketAggregate(structuredClone(GRID));
    const fetched = structuredClone(GRID).tickets;
    before.tickets.year = fetched.year;
    before.tickets.rolling30d = fetched.rolling30d;
    const wire = encodeDelta(delta([afterNewTicket(GRID)]), KEYS, (k) => (k === GRID.key ? before : lookup(k)));
    const columns = wire.patches[0]!.filter((_, i) => i % 2 === 1) as number[];
    expect(columns.map((c) => AGGREGATE_COLUMNS[c] ?? '').filter((n) => /year|rolling30d/.test(n))).toEqual([]);
    const [after] = decodeDelta(wire, KEYS, (k) => (k === GRID.key ? before : lookup(k))).aggregates;
    expect(after!.tickets.newToday).toBe(GRID.tickets.newToday + 1);
    expect(after!.tickets.year).toEqual(fetched.year);
    expect(after!.tickets.rolling30d).toEqual(fetched.rolling30d);
  });

  it('refuses a partial patch for an aggregate the client does not hold, or a position outside the key list', () => {
    const wire = encodeDelta(delta([afterNewTicket(GRID)]), KEYS, lookup);
    expect(() => decodeDelta(wire, KEYS, () => undefined)).toThrow(DeltaDecodeError);
    const outside: DeltaWire = { ...wire, patches: [[7, 2, 1]] };
    expect(() => decodeDelta(outside, KEYS, lookup)).toThrow(/position 7/);
    const dangling: DeltaWire = { ...wire, patches: [[1, 2]] };
    expect(() => decodeDelta(dangling, KEYS, lookup)).toThrow(DeltaDecodeError);
  });

  it('drops a category whose count falls to zero, and accepts a whole byCategory object too', () => {
    const cleared = structuredClone(GRID);
    delete cleared.tickets.byCategory.noise;
    const wire = encodeDelta(delta([cleared]), KEYS, lookup);
    expect(wire.patches).toEqual([[1, categoryColumn('noise'), 0]]);
    expect(decodeDelta(wire, KEYS, lookup).aggregates[0]?.tickets.byCategory).toEqual({
      property_management: 9,
      e_bike: 4,
    });
    const whole: DeltaWire = { ...wire, patches: [[1, AGGREGATE_COLUMNS.indexOf('tickets.byCategory'), { road: 1 }]] };
    expect(decodeDelta(whole, KEYS, lookup).aggregates[0]?.tickets.byCategory).toEqual({ road: 1 });
    expect(GRID.tickets.byCategory).toEqual({ property_management: 9, e_bike: 4, noise: 6 }); // base untouched
  });

  it('ignores columns a newer server appended', () => {
    const wire: DeltaWire = {
      ...encodeDelta(delta([]), KEYS, lookup),
      patches: [[0, 2, 40, AGGREGATE_COLUMNS.length, 'x']],
    };
    expect(decodeDelta(wire, KEYS, lookup).aggregates[0]?.tickets.open).toBe(40);
  });

  it('rounds rates to 0.01 % steps, so that rounding noise is no change', () => {
    const a = structuredClone(TOWN);
    a.tickets.resolutionRate = 2 / 3;
    const row: unknown[] = toWireRow(a);
    expect(row[AGGREGATE_COLUMNS.indexOf('tickets.resolutionRate')]).toBe(0.6667);
    expect(RATE_COLUMNS.map((c) => AGGREGATE_COLUMNS[c])).toContain('patrol.coverageToday');
    const b = structuredClone(TOWN);
    b.tickets.resolutionRate = 0.82940001;
    expect(encodeDelta(delta([b]), KEYS, lookup).patches).toEqual([]);
  });

  it('copies byCategory, so a live state mutating its aggregate in place cannot change a row already taken', () => {
    const a = structuredClone(TOWN);
    const row: unknown[] = toWireRow(a);
    a.tickets.byCategory.noise = 99;
    expect(row[AGGREGATE_COLUMNS.indexOf('tickets.byCategory')]).toEqual({
      property_management: 9,
      e_bike: 4,
      noise: 6,
    });
  });

  it('is several times smaller than JSON objects per changed aggregate', () => {
    const aggregates = Array.from({ length: 50 }, (_, i) => ({
      ...afterNewTicket(GRID),
      key: `grid:g${i}` as AreaKey,
    }));
    const keys = aggregates.map((a) => a.key);
    const base = new Map(aggregates.map((a) => [a.key, { ...GRID, key: a.key }]));
    const d = delta(aggregates, { tickets: { upserts: [], removals: [] } });
    const wire = encodeDelta(d, keys, (k) => base.get(k));
    const size = measureDelta(
      wire,
      decodeDelta(wire, keys, (k) => base.get(k)),
    );
    expect(size.aggregates).toBe(50);
    expect(size.patchBytesPerAggregate).toBeLessThanOrEqual(40);
    expect(size.wireFrameBytes / 50).toBeLessThanOrEqual(40);
    expect(size.jsonBytesPerAggregate).toBeGreaterThan(5 * size.patchBytesPerAggregate);
  });
});

describe('wire delta: ranger trails', () => {
  const T0 = Date.parse('2025-07-20T06:00:00Z');
  const WINDOW = 30 * 60_000;
  /** The k-th position of a ranger walking north-east, one every 10 s (in wire precision already). */
  const point = (k: number, t = T0 + k * 10_000): TrailPoint => [
    roundCoord(116.7 + k * 1e-4),
    roundCoord(39.6 + k * 1e-4),
    t,
  ];
  const walk = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => point(from + i));
  /** What the live state keeps: points at most WINDOW older than the newest one. */
  const kept = (points: TrailPoint[]) => points.filter((p) => p[2] >= points.at(-1)![2] - WINDOW);
  const ranger = (trail: TrailPoint[], extra: Partial<RangerObject> = {}): RangerObject => ({
    id: 'rg-f-110112117-03-2',
    patrolId: 'P00080',
    clusterId: 'f-110112117-03',
    position: [trail.at(-1)![0], trail.at(-1)![1]],
    trail,
    status: 'patrolling',
    lastSeen: AT,
    signalLost: false,
    battery: 64,
    ...extra,
  });
  const rangerDelta = (upserts: RangerObject[], removals: string[] = []): Delta =>
    delta([], { tickets: { upserts: [], removals: [] }, rangers: { upserts, removals } });
  /** Encodes for a client holding `held`, checks the wire, decodes as that client: the whole ranger again. */
  function roundTrip(next: RangerObject, held: RangerObject | undefined, trailMs: number | undefined = WINDOW) {
    const client = { ranger: (id: string) => (id === held?.id ? held : undefined), trailMs };
    const wire = encodeDelta(rangerDelta([next]), KEYS, () => undefined, client);
    expect(checkDeltaWire(wire).ok).toBe(true);
    const entry = wire.rangers!.upserts[0]!;
    const back = decodeDelta(wire, KEYS, () => undefined, client).rangers.upserts[0]!;
    return { wire, entry, back };
  }

  it('sends a client that holds the ranger only the new points, and decodes them back to the whole ranger', () => {
    const held = ranger(walk(0, 60));
    const next = ranger(walk(0, 63), { battery: 63 });
    const { wire, entry, back } = roundTrip(next, held);
    expect(entry.trail).toBeUndefined();
    expect(entry.trailTail).toEqual(walk(60, 63));
    expect(back).toEqual(next);
    expect(JSON.stringify(wire).length).toBeLessThan(JSON.stringify(next).length / 5);
  });

  it('trims the points older than the window before the newest, as the server does', () => {
    const full = walk(0, 180); // 30 min of points: the window is full
    const held = ranger(kept(full));
    const next = ranger(kept(walk(0, 185)));
    expect(next.trail[0]![2]).toBeGreaterThan(held.trail[0]![2]); // the server dropped its oldest points
    const { entry, back } = roundTrip(next, held);
    expect(entry.trailTail).toHaveLength(5);
    expect(back.trail).toEqual(next.trail);
    // After a pause longer than the window only the new point is left, on both sides.
    const later = ranger(kept([...held.trail, point(400)]));
    expect(later.trail).toHaveLength(1);
    const resumed = roundTrip(later, held);
    expect(resumed.entry.trailTail).toEqual([point(400)]);
    expect(resumed.back.trail).toEqual([point(400)]);
  });

  it('sends the whole trail for a ranger the client does not hold (new to the room, or back after a removal)', () => {
    const next = ranger(walk(0, 10));
    const { entry, back } = roundTrip(next, undefined);
    expect(entry.trail).toEqual(next.trail);
    expect(entry.trailTail).toBeUndefined();
    expect(back).toEqual(next);
  });

  it('refuses a tail for a ranger the client does not hold: the client resyncs', () => {
    const held = ranger(walk(0, 3));
    const wire = encodeDelta(rangerDelta([ranger(walk(0, 4))]), KEYS, () => undefined, {
      ranger: () => held,
      trailMs: WINDOW,
    });
    expect(() => decodeDelta(wire, KEYS, () => undefined, { ranger: () => undefined, trailMs: WINDOW })).toThrow(
      DeltaDecodeError,
    );
    expect(() => decodeDelta(wire, KEYS, () => undefined)).toThrow(/does not hold/);
  });

  it('carries neither trail nor tail when only the status changed, and the client keeps its trail', () => {
    const held = ranger(walk(0, 20));
    const next = ranger(walk(0, 20), { signalLost: true });
    const { entry, back } = roundTrip(next, held);
    expect(entry).not.toHaveProperty('trail');
    expect(entry).not.toHaveProperty('trailTail');
    expect(back).toEqual(next);
  });

  it('is harmless applied twice (a replayed tail adds nothing)', () => {
    const held = ranger(walk(0, 20));
    const next = ranger(walk(0, 23));
    const { entry, back } = roundTrip(next, held);
    expect(appendTrail(back.trail, entry.trailTail!, WINDOW)).toEqual(next.trail);
  });

  it('sends the whole trail when appending could not reproduce the server trail', () => {
    const held = trailMark(walk(10, 20))!;
    // The server keeps more than the client's window: the client would cut points the server keeps.
    expect(trailTail(walk(0, 200), trailMark(walk(0, 190))!, WINDOW)).toBeNull();
    // The server trail starts before the client's: not an extension of it.
    expect(trailTail(walk(5, 25), held, WINDOW)).toBeNull();
    // The server dropped the client's oldest point although it is within the window (a restarted trail).
    expect(trailTail(walk(15, 25), held, WINDOW)).toBeNull();
    // The server trail ends before the client's.
    expect(trailTail(walk(10, 15), held, WINDOW)).toBeNull();
    // No window known: the client could not drop what the server dropped.
    expect(trailTail(walk(15, 25), held, undefined)).toBeNull();
    // A new point with the newest held time: appendTrail would skip it.
    const last = point(19);
    expect(trailTail([...walk(10, 20), [last[0] + 1e-4, last[1], last[2]]], held, WINDOW)).toBeNull();
    // …while points sharing a time that the client holds all of are fine.
    const twice = [...walk(10, 20), [last[0] + 1e-4, last[1], last[2]] as TrailPoint];
    expect(trailTail([...twice, point(20)], trailMark(twice)!, WINDOW)).toEqual([point(20)]);
  });

  it('rounds coordinates to 6 decimals and water levels to 2, in objects and trail tails', () => {
    const raw = (v: number) => v + 1.234567e-9; // what a GCJ-02 → WGS84 conversion leaves
    const held = ranger(walk(0, 2));
    const p = point(2);
    const next = ranger([...walk(0, 2), [raw(p[0]), raw(p[1]), p[2]]]);
    const checkpoint: CheckpointObject = {
      id: 'cp-beiyun-01',
      level: 17.734999999999,
      rainfall: 0.30000000000000004,
      trend: 'rising',
      color: 'blue',
      obstructionStatus: null,
      readingAt: AT,
      inspectedAt: null,
    };
    const ticket = { ...TICKET, position: [raw(116.656), raw(39.902)] as [number, number] };
    const d = delta([], {
      tickets: { upserts: [ticket], removals: [] },
      checkpoints: { upserts: [checkpoint], removals: [] },
      rangers: { upserts: [next], removals: [] },
    });
    const wire = encodeDelta(d, KEYS, () => undefined, { ranger: () => held, trailMs: WINDOW });
    expect(wire.rangers!.upserts[0]!.trailTail).toEqual([p]);
    expect(wire.rangers!.upserts[0]!.position).toEqual([p[0], p[1]]);
    expect(wire.checkpoints!.upserts[0]).toMatchObject({ level: 17.73, rainfall: 0.3 });
    expect(wire.tickets!.upserts[0]!.position).toEqual([116.656, 39.902]);
    expect(ticket.position[0]).not.toBe(116.656); // the input is not changed
  });
});

describe('resume buffer', () => {
  const wire = (fromSeq: number, toSeq: number): DeltaWire => ({
    fromSeq,
    toSeq,
    scope: 'district:110112',
    at: AT,
    patches: [],
  });

  it('replays exactly the deltas after lastSeq, and nothing when the client is at the head', () => {
    const h = new ResumeBuffer(10, 100, 60_000);
    [wire(10, 12), wire(12, 15), wire(15, 20)].forEach((w) => h.push(w, 0));
    expect(h.since(12, 20)?.map((w) => w.fromSeq)).toEqual([12, 15]);
    expect(h.since(20, 20)).toEqual([]);
  });

  it('gives up (snapshot) when lastSeq is not a position of the chain, is ahead of it, or was trimmed', () => {
    const h = new ResumeBuffer(10, 2, 60_000);
    [wire(10, 12), wire(12, 15), wire(15, 20)].forEach((w) => h.push(w, 0));
    expect(h.size).toBe(2);
    expect(h.since(10, 20)).toBeNull(); // trimmed
    expect(h.since(12, 20)?.length).toBe(2); // the trimmed delta ended at 12 by events: 12 is covered
    expect(h.since(13, 20)).toBeNull(); // not a chain position
    expect(h.since(21, 20)).toBeNull(); // ahead
  });

  it('does not claim to cover the seq the room began at (clock-only changes before it were not kept)', () => {
    const h = new ResumeBuffer(10, 100, 60_000);
    expect(h.since(10, 10)).toBeNull();
    h.push(wire(10, 12), 0);
    expect(h.since(10, 12)).toBeNull();
    expect(h.since(12, 12)).toEqual([]);
  });

  it('replays clock-only deltas from the first at lastSeq, and refuses when one of them was trimmed', () => {
    const h = new ResumeBuffer(5, 3, 60_000);
    [wire(5, 10), wire(10, 10), wire(10, 10)].forEach((w) => h.push(w, 0));
    // A client at 10 may or may not have the clock-only deltas: both are replayed (re-applying is a no-op).
    expect(h.since(10, 10)).toHaveLength(2);
    h.push(wire(10, 10), 0); // trims wire(5, 10)
    expect(h.since(10, 10)).toHaveLength(3);
    h.push(wire(10, 11), 0); // trims the first clock-only delta at 10
    expect(h.since(10, 11)).toBeNull();
    expect(h.since(11, 11)).toEqual([]);
  });

  it('trims by age', () => {
    const h = new ResumeBuffer(0, 100, 1_000);
    h.push(wire(0, 1), 0);
    h.push(wire(1, 2), 500);
    h.trim(1_200);
    expect(h.size).toBe(1);
    expect(h.since(1, 2)).toHaveLength(1);
    expect(h.since(0, 2)).toBeNull();
  });
});
