import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  DEFAULT_KPI_WEIGHTS,
  DEFAULT_URGENCY_DEADLINES,
  URGENCIES,
  areaKey,
  areaOfRoom,
  checkFollowRequest,
  checkResumeRequest,
  compositeScore,
  defaultDueTimes,
  kpiWeightsValid,
  roomFor,
  type ClientToServerEvents,
  type FollowAck,
  type ServerToClientEvents,
  type Snapshot,
} from '../../server/contract';

describe('rooms', () => {
  it('names one room per area', () => {
    expect(roomFor('district:110112')).toBe('area:district:110112');
    expect(roomFor(areaKey('town', '110112004'))).toBe('area:town:110112004');
  });

  it('reads the area back from a room name', () => {
    expect(areaOfRoom('area:town:110112004')).toBe('town:110112004');
    expect(areaOfRoom(roomFor('grid:g250-110112004-0412-0233'))).toBe('grid:g250-110112004-0412-0233');
  });

  it('does not mistake other rooms (e.g. a socket id) for area rooms', () => {
    expect(areaOfRoom('kX9f2-abc')).toBeNull();
    expect(areaOfRoom('area:village:1')).toBeNull();
    expect(areaOfRoom('town:110112004')).toBeNull();
  });
});

describe('client requests', () => {
  it('accepts a follow request for an area key', () => {
    expect(checkFollowRequest({ key: 'town:110112004' })).toEqual({ ok: true, value: { key: 'town:110112004' } });
  });

  it('rejects a follow request without a valid key, with the path of the problem', () => {
    expect(checkFollowRequest({})).toEqual({ ok: false, errors: [{ path: '/key', message: 'is required' }] });
    const r = checkFollowRequest({ key: 'town:../admin' });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors[0]?.path).toBe('/key');
    expect(checkFollowRequest({ key: 'town:110112004', role: 'admin' })).toEqual({
      ok: false,
      errors: [{ path: '/role', message: 'is not an allowed property' }],
    });
  });

  it('accepts a resume from seq 0 and rejects a fractional or negative seq', () => {
    expect(checkResumeRequest({ lastSeq: 0 }).ok).toBe(true);
    expect(checkResumeRequest({ lastSeq: 3.5 })).toEqual({
      ok: false,
      errors: [{ path: '/lastSeq', message: 'must be integer' }],
    });
    expect(checkResumeRequest({ lastSeq: -1 })).toEqual({
      ok: false,
      errors: [{ path: '/lastSeq', message: 'must be >= 0' }],
    });
  });
});

describe('event maps (compile-time contract)', () => {
  it('types the follow ack and the snapshot announcement', () => {
    expectTypeOf<Parameters<ClientToServerEvents['scope:follow']>[1]>().toEqualTypeOf<(result: FollowAck) => void>();
    expectTypeOf<Parameters<ServerToClientEvents['state:snapshot']>[0]>().toEqualTypeOf<Snapshot>();
  });
});

describe('config defaults', () => {
  it('gives every urgency a response deadline shorter than its resolve deadline, urgent first', () => {
    for (const u of URGENCIES) {
      const d = DEFAULT_URGENCY_DEADLINES[u];
      expect(d.respondMs).toBeLessThan(d.resolveMs);
    }
    expect(DEFAULT_URGENCY_DEADLINES.urgent.resolveMs).toBeLessThan(DEFAULT_URGENCY_DEADLINES.normal.resolveMs);
    expect(DEFAULT_URGENCY_DEADLINES.normal.resolveMs).toBeLessThan(DEFAULT_URGENCY_DEADLINES.low.resolveMs);
  });

  it('derives due times from urgency: urgent 2 h / 24 h, normal 24 h / 7 d', () => {
    const t0 = Date.parse('2025-07-20T06:30:00Z');
    expect(defaultDueTimes(t0, 'urgent')).toEqual({
      responseDueAtMs: Date.parse('2025-07-20T08:30:00Z'),
      resolveDueAtMs: Date.parse('2025-07-21T06:30:00Z'),
    });
    expect(defaultDueTimes(t0, 'normal').resolveDueAtMs).toBe(Date.parse('2025-07-27T06:30:00Z'));
  });

  it('has default weights that sum to 1', () => {
    expect(kpiWeightsValid(DEFAULT_KPI_WEIGHTS)).toBe(true);
    expect(kpiWeightsValid({ response: 0.5, resolution: 0.5, satisfaction: 0.5 })).toBe(false);
  });

  it('computes the composite as a weighted sum, renormalised over rates that have data', () => {
    expect(compositeScore({ response: 1, resolution: 0.8, satisfaction: 0.9 })).toBeCloseTo(0.2 + 0.32 + 0.36, 12);
    // No ratings yet: the other two rates decide, in their 0.2 : 0.4 proportion.
    expect(compositeScore({ response: 1, resolution: 0.5, satisfaction: null })).toBeCloseTo((0.2 + 0.2) / 0.6, 12);
    expect(compositeScore({ response: null, resolution: null, satisfaction: null })).toBeNull();
  });
});
