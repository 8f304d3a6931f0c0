// The gateway's wire form of a delta (contract live.ts: DeltaWire, encodeDelta / decodeDelta) and its resume
// history. Pure functions, no sockets: the socket tests are in gateway-socket.test.ts.
import { describe, expect, it } from 'vitest';
import {
  AGGREGATE_COLUMNS,
  checkDelta,
  categoryColumn,
  checkDeltaWire,
  decodeDelta,
  DeltaDecodeError,
  encodeDelta,
  RATE_COLUMNS,
  toWireRow,
  type AreaAggregate,
  type AreaKey,
  type Delta,
  type DeltaWire,
  type TicketObject,
} from '../../server/contract';
import { DeltaHistory, measureDelta } from '../../server/gateway';

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
    rolling24h: { created: 50, closed: 44, responseRate: 1, resolutionRate: 0.84, satisfactionRate: null, composite: 0.88 },
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
      [1, col('tickets.open'), 38, col('tickets.newToday'), 42, categoryColumn('e_bike'), 5, col('tickets.rolling24h.created'), 51],
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
    expect(decodeDelta(wire, KEYS, lookup).aggregates).toEqual([fresh]);
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
    expect(decodeDelta(wire, KEYS, lookup).aggregates[0]?.tickets.byCategory).toEqual({ property_management: 9, e_bike: 4 });
    const whole: DeltaWire = { ...wire, patches: [[1, AGGREGATE_COLUMNS.indexOf('tickets.byCategory'), { road: 1 }]] };
    expect(decodeDelta(whole, KEYS, lookup).aggregates[0]?.tickets.byCategory).toEqual({ road: 1 });
    expect(GRID.tickets.byCategory).toEqual({ property_management: 9, e_bike: 4, noise: 6 }); // base untouched
  });

  it('ignores columns a newer server appended', () => {
    const wire: DeltaWire = { ...encodeDelta(delta([]), KEYS, lookup), patches: [[0, 2, 40, AGGREGATE_COLUMNS.length, 'x']] };
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
    expect(row[AGGREGATE_COLUMNS.indexOf('tickets.byCategory')]).toEqual({ property_management: 9, e_bike: 4, noise: 6 });
  });

  it('is several times smaller than JSON objects per changed aggregate', () => {
    const aggregates = Array.from({ length: 50 }, (_, i) => ({ ...afterNewTicket(GRID), key: `grid:g${i}` as AreaKey }));
    const keys = aggregates.map((a) => a.key);
    const base = new Map(aggregates.map((a) => [a.key, { ...GRID, key: a.key }]));
    const d = delta(aggregates, { tickets: { upserts: [], removals: [] } });
    const wire = encodeDelta(d, keys, (k) => base.get(k));
    const size = measureDelta(wire, decodeDelta(wire, keys, (k) => base.get(k)));
    expect(size.aggregates).toBe(50);
    expect(size.patchBytesPerAggregate).toBeLessThanOrEqual(40);
    expect(size.wireFrameBytes / 50).toBeLessThanOrEqual(40);
    expect(size.jsonBytesPerAggregate).toBeGreaterThan(5 * size.patchBytesPerAggregate);
  });
});

describe('delta history (resume)', () => {
  const wire = (fromSeq: number, toSeq: number): DeltaWire => ({ fromSeq, toSeq, scope: 'district:110112', at: AT, patches: [] });

  it('replays exactly the deltas after lastSeq, and nothing when the client is at the head', () => {
    const h = new DeltaHistory(10, 100, 60_000);
    [wire(10, 12), wire(12, 15), wire(15, 20)].forEach((w) => h.push(w, 0));
    expect(h.since(12, 20)?.map((w) => w.fromSeq)).toEqual([12, 15]);
    expect(h.since(20, 20)).toEqual([]);
  });

  it('gives up (snapshot) when lastSeq is not a position of the chain, is ahead of it, or was trimmed', () => {
    const h = new DeltaHistory(10, 2, 60_000);
    [wire(10, 12), wire(12, 15), wire(15, 20)].forEach((w) => h.push(w, 0));
    expect(h.size).toBe(2);
    expect(h.since(10, 20)).toBeNull(); // trimmed
    expect(h.since(12, 20)?.length).toBe(2); // the trimmed delta ended at 12 by events: 12 is covered
    expect(h.since(13, 20)).toBeNull(); // not a chain position
    expect(h.since(21, 20)).toBeNull(); // ahead
  });

  it('does not claim to cover the seq the room began at (clock-only changes before it were not kept)', () => {
    const h = new DeltaHistory(10, 100, 60_000);
    expect(h.since(10, 10)).toBeNull();
    h.push(wire(10, 12), 0);
    expect(h.since(10, 12)).toBeNull();
    expect(h.since(12, 12)).toEqual([]);
  });

  it('replays clock-only deltas from the first at lastSeq, and refuses when one of them was trimmed', () => {
    const h = new DeltaHistory(5, 3, 60_000);
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
    const h = new DeltaHistory(0, 100, 1_000);
    h.push(wire(0, 1), 0);
    h.push(wire(1, 2), 500);
    h.trim(1_200);
    expect(h.size).toBe(1);
    expect(h.since(1, 2)).toHaveLength(1);
    expect(h.since(0, 2)).toBeNull();
  });
});
