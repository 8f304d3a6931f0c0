import { describe, expect, it } from 'vitest';
import {
  AGGREGATE_COLUMNS,
  AggregateRow,
  checkAreaAggregate,
  checkDelta,
  checkSnapshot,
  decodeAggregate,
  socketAggregate,
  deltaFollows,
  encodeAggregate,
  isAreaKey,
  type AreaAggregate,
  type CheckpointObject,
  type Delta,
  type RangerObject,
  type Snapshot,
  type TicketObject,
} from '../../server/contract';
import { windowKpis } from '../helpers/kpis';

const AT = '2025-07-20T14:30:00+08:00';

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

const TICKET: TicketObject = {
  id: 'T2025072000001',
  category: 'e_bike',
  urgency: 'urgent',
  status: 'dispatched',
  title: '楼道内电动车充电',
  position: [116.656, 39.902],
  place: { townId: '110112004', gridId: 'g250-110112004-0412-0233' },
  createdAt: AT,
  responseDueAt: '2025-07-20T16:30:00+08:00',
  resolveDueAt: '2025-07-21T14:30:00+08:00',
  overdue: false,
  nearDeadline: false,
  escalatedTo: ['fire'],
};

const CHECKPOINT: CheckpointObject = {
  id: 'cp-chaobai-baimiao',
  level: 21.4,
  rainfall: 35,
  trend: 'rising',
  color: 'blue',
  obstructionStatus: null,
  readingAt: AT,
  inspectedAt: null,
};

const RANGER: RangerObject = {
  id: 'r-007',
  patrolId: 'p-1',
  clusterId: 'fc-yongledian-3',
  position: [116.79, 39.69],
  trail: [
    [116.7895, 39.6898, 1752992980000],
    [116.79, 39.69, 1752992990000],
  ],
  status: 'patrolling',
  lastSeen: AT,
  signalLost: false,
  battery: 81,
};

const SNAPSHOT: Snapshot = {
  seq: 1204,
  scope: 'district:110112',
  at: AT,
  aggregates: [{ ...TOWN, key: 'district:110112', level: 'district' }, TOWN],
  tickets: [TICKET],
  checkpoints: [CHECKPOINT],
  rangers: [RANGER],
};

const DELTA: Delta = {
  fromSeq: 1204,
  toSeq: 1210,
  scope: 'district:110112',
  at: '2025-07-20T14:30:01+08:00',
  aggregates: [TOWN],
  tickets: { upserts: [{ ...TICKET, status: 'in_progress' }], removals: ['T2025071900017'] },
  checkpoints: { upserts: [], removals: [] },
  rangers: { upserts: [RANGER], removals: [] },
};

const clone = <T>(v: T): T => structuredClone(v);

describe('AreaAggregate', () => {
  it('accepts a complete aggregate', () => {
    expect(checkAreaAggregate(TOWN)).toEqual({ ok: true, value: TOWN });
  });

  it('rejects a rate above 1 and says it may also be null', () => {
    const a = clone(TOWN);
    a.tickets.satisfactionRate = 1.2;
    expect(checkAreaAggregate(a)).toEqual({
      ok: false,
      errors: [{ path: '/tickets/satisfactionRate', message: 'must be <= 1 or null' }],
    });
  });

  it('rejects negative and fractional counts', () => {
    const a = clone(TOWN);
    a.tickets.open = -1;
    a.patrol.openIncidents = 1.5;
    const r = checkAreaAggregate(a);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.errors).toContainEqual({ path: '/tickets/open', message: 'must be >= 0' });
      expect(r.errors).toContainEqual({ path: '/patrol/openIncidents', message: 'must be integer' });
    }
  });

  it('rejects an unknown warning colour and an unknown category key count', () => {
    const a = clone(TOWN);
    (a.flood as { worstColor: string }).worstColor = 'purple';
    (a.tickets.byCategory as Record<string, unknown>).noise = 'six';
    const r = checkAreaAggregate(a);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.errors).toContainEqual({
        path: '/flood/worstColor',
        message: "must be one of 'none', 'blue', 'yellow', 'orange', 'red'",
      });
      expect(r.errors).toContainEqual({ path: '/tickets/byCategory/noise', message: 'must be integer' });
    }
  });

  it('rejects a malformed area key', () => {
    const r = checkAreaAggregate({ ...TOWN, key: 'town 110112004' });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors[0]?.path).toBe('/key');
  });

  it('reports a missing section at its path', () => {
    const { flood: _omit, ...rest } = TOWN;
    expect(checkAreaAggregate(rest)).toEqual({ ok: false, errors: [{ path: '/flood', message: 'is required' }] });
  });

  it('is open: an extra property from a newer server does not make an older client reject it', () => {
    expect(checkAreaAggregate({ ...TOWN, heatIndex: 3 }).ok).toBe(true);
  });
});

describe('Snapshot', () => {
  it('accepts a snapshot with every object kind', () => {
    expect(checkSnapshot(SNAPSHOT).ok).toBe(true);
  });

  it('accepts an empty district at seq 0', () => {
    const empty = {
      seq: 0,
      scope: 'district:110112',
      at: AT,
      aggregates: [],
      tickets: [],
      checkpoints: [],
      rangers: [],
    };
    expect(checkSnapshot(empty).ok).toBe(true);
  });

  it('reports a bad nested object at its full path', () => {
    const s = clone(SNAPSHOT);
    (s.rangers[0]!.trail as unknown[])[1] = [116.79, 39.69];
    (s.tickets[0] as { position: unknown }).position = [116.656, 91];
    const r = checkSnapshot(s);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.errors).toContainEqual({ path: '/rangers/0/trail/1', message: 'must not have fewer than 3 items' });
      expect(r.errors).toContainEqual({ path: '/tickets/0/position/1', message: 'must be <= 90' });
    }
  });

  it('rejects a negative seq, a bad trend and a time without offset', () => {
    const s = clone(SNAPSHOT);
    s.seq = -1;
    (s.checkpoints[0] as { trend: string }).trend = 'up';
    s.at = '2025-07-20T14:30:00';
    const r = checkSnapshot(s);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.errors.map((e) => e.path).sort()).toEqual(['/at', '/checkpoints/0/trend', '/seq']);
    }
  });

  it('rejects a scope that is not an area key', () => {
    const r = checkSnapshot({ ...SNAPSHOT, scope: '110112' });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors).toEqual([{ path: '/scope', message: expect.stringMatching(/^must be an area key/) }]);
  });
});

describe('Delta', () => {
  it('accepts a delta with upserts and removals', () => {
    expect(checkDelta(DELTA)).toEqual({ ok: true, value: DELTA });
  });

  it('accepts an empty delta (fromSeq = toSeq: a heartbeat)', () => {
    const empty: Delta = {
      ...DELTA,
      toSeq: DELTA.fromSeq,
      aggregates: [],
      tickets: { upserts: [], removals: [] },
      rangers: { upserts: [], removals: [] },
    };
    expect(checkDelta(empty).ok).toBe(true);
  });

  it('rejects a range that runs backwards', () => {
    expect(checkDelta({ ...DELTA, toSeq: 1200 })).toEqual({
      ok: false,
      errors: [{ path: '/toSeq', message: 'must not be less than fromSeq' }],
    });
  });

  it('requires both upserts and removals per object kind', () => {
    const r = checkDelta({ ...DELTA, checkpoints: { upserts: [] } });
    expect(r).toEqual({ ok: false, errors: [{ path: '/checkpoints/removals', message: 'is required' }] });
  });

  it('rejects a removal that is not an id', () => {
    const r = checkDelta({ ...DELTA, tickets: { upserts: [], removals: [42] } });
    expect(r).toEqual({ ok: false, errors: [{ path: '/tickets/removals/0', message: 'must be string' }] });
  });

  it('applies only on top of the exact sequence it starts from', () => {
    expect(deltaFollows(1204, DELTA)).toBe(true);
    expect(deltaFollows(1203, DELTA)).toBe(false); // a delta was missed: resync
    expect(deltaFollows(1210, DELTA)).toBe(false); // already applied
  });
});

describe('compact aggregate rows', () => {
  it('has one column name per tuple item', () => {
    expect(AggregateRow.items).toHaveLength(AGGREGATE_COLUMNS.length);
    expect(new Set(AGGREGATE_COLUMNS).size).toBe(AGGREGATE_COLUMNS.length);
  });

  it('encodes each column from the field it names', () => {
    const row = encodeAggregate(TOWN);
    AGGREGATE_COLUMNS.forEach((column, i) => {
      const value = column.split('.').reduce<unknown>((v, k) => (v as Record<string, unknown>)[k], TOWN);
      expect(row[i], column).toEqual(value);
    });
  });

  it('round-trips without loss, but for the windows the socket leaves out (year, 30 days)', () => {
    expect(decodeAggregate(encodeAggregate(TOWN))).toEqual(socketAggregate(TOWN));
    expect(socketAggregate(TOWN).tickets).not.toHaveProperty('year');
    expect(socketAggregate(TOWN).tickets).not.toHaveProperty('rolling30d');
    expect(socketAggregate(TOWN).tickets.month).toEqual(TOWN.tickets.month);
    const ranger = clone(TOWN);
    ranger.patrol = { activeRangers: 12, lastPatrolAt: AT, coverageToday: 0.62, openIncidents: 2, lostSignal: 1 };
    expect(decodeAggregate(encodeAggregate(ranger))).toEqual(socketAggregate(ranger));
  });

  it('is much smaller on the wire than the keyed form', () => {
    const keyed = JSON.stringify(TOWN).length;
    const row = JSON.stringify(encodeAggregate(TOWN)).length;
    expect(row).toBeLessThan(keyed * 0.6);
  });
});

describe('isAreaKey', () => {
  it('accepts the five levels and rejects anything else', () => {
    for (const k of [
      'district:110112',
      'town:110112004',
      'grid:g250-110112004-0412-0233',
      'property:yq-07',
      'forest:fc-ydl-3',
    ]) {
      expect(isAreaKey(k), k).toBe(true);
    }
    for (const k of ['village:110112004001', 'town:', 'town', ':110112', 'town:a b', 42, null]) {
      expect(isAreaKey(k), String(k)).toBe(false);
    }
  });
});
