// The projection host reads the log once for every projection: one scan at start, then one bus subscription
// from where the scan ended, batches handed on in the registered order, and the clock moved after the scan.
import { describe, expect, it } from 'vitest';
import type { OpsEvent, StoredEvent } from '../../server/contract/events';
import { createInProcessBus } from '../../server/bus/in-process';
import { createProjectionHost, type FoldPhase } from '../../server/live/host';
import { createMemoryStore } from '../../server/store/memory';
import type { EventStore } from '../../server/store/types';

const position = (i: number): OpsEvent => ({
  id: `p-${i}`,
  kind: 'patrol.position',
  time: new Date(Date.UTC(2026, 11, 7, 2, 0, i)).toISOString(),
  source: 'osmand',
  rangerId: 'R1',
  patrolId: 'P1',
  location: { lon: 116.7, lat: 39.8 },
});

const items = (from: number, count: number) =>
  Array.from({ length: count }, (_, k) => ({ event: position(from + k), receivedAt: '2026-12-07T02:00:00Z' }));

function recorder(name: string, trail: string[]) {
  const seen: { seqs: number[]; phases: FoldPhase[]; clock: number[] } = { seqs: [], phases: [], clock: [] };
  return {
    seen,
    projection: {
      name,
      apply(events: readonly StoredEvent[], phase: FoldPhase) {
        trail.push(name);
        for (const e of events) seen.seqs.push(e.seq);
        seen.phases.push(phase);
      },
      advance(now: number) {
        seen.clock.push(now);
      },
    },
  };
}

describe('the projection host', () => {
  it('scans the log once for every projection, then follows the bus from where the scan ended', async () => {
    const inner = createMemoryStore();
    let scans = 0;
    const store: EventStore = {
      ...inner,
      scan: (...args) => {
        scans++;
        return inner.scan(...args);
      },
    };
    const bus = createInProcessBus(store);
    await bus.append(items(0, 7));
    const trail: string[] = [];
    const a = recorder('a', trail);
    const b = recorder('b', trail);
    const host = createProjectionHost({ store, bus, now: () => 42 });
    host.register(a.projection);
    host.register(b.projection);

    expect(await host.start()).toEqual({ seq: 7, events: 7, keyframe: null });
    expect(scans).toBe(1);
    expect(a.seen.seqs).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(a.seen.phases.every((p) => p === 'rebuild')).toBe(true);
    // The clock moves once the past is folded, before anything live arrives.
    expect(a.seen.clock).toEqual([42]);

    await bus.append(items(7, 3));
    expect(a.seen.seqs).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(b.seen.seqs).toEqual(a.seen.seqs);
    expect(a.seen.phases.at(-1)).toBe('live');
    expect(host.seq).toBe(10);
    // In the registered order, batch after batch.
    expect(trail.slice(-2)).toEqual(['a', 'b']);
    expect(scans).toBe(1);

    host.tick();
    expect(b.seen.clock).toEqual([42, 42]);
    await host.close();
    await bus.append(items(10, 1));
    expect(a.seen.seqs.at(-1)).toBe(10);
    await bus.close();
  });

  it('refuses a projection registered after the log was folded (it would have missed the past)', async () => {
    const store = createMemoryStore();
    const bus = createInProcessBus(store);
    const host = createProjectionHost({ store, bus, now: () => 0 });
    await host.start();
    expect(() => host.register(recorder('late', []).projection)).toThrow(/registered after the log was folded/);
    await host.close();
    await bus.close();
  });
});

/** A projection that counts the events it folded, with a state a keyframe can hold. */
function counter(name: string) {
  const state = { events: 0, lastSeq: 0 };
  return {
    state,
    projection: {
      name,
      apply(events: readonly StoredEvent[]) {
        state.events += events.length;
        state.lastSeq = events[events.length - 1]!.seq;
      },
      snapshot: () => ({ ...state }),
      restore: (data: unknown) => Object.assign(state, data),
    },
  };
}

describe('the projection host with keyframes', () => {
  const MIDNIGHT = Date.parse('2026-12-08T00:00:00+08:00');
  const setup = async (
    policy: { everyEvents: number; everyMs: number; historyHours?: number },
    extra: { snapshotless?: boolean } = {},
  ) => {
    const store = createMemoryStore();
    const bus = createInProcessBus(store);
    const warnings: string[] = [];
    const infos: string[] = [];
    let clock = MIDNIGHT - 3_600_000;
    const make = () => {
      const c = counter('count');
      const host = createProjectionHost({
        store,
        bus,
        now: () => clock,
        keyframes: {
          ...policy,
          keepPeriodic: 2,
          keepDays: 35,
          store: store.keyframes!,
          version: 'test',
          envelope: () => 0,
          log: { info: (_o, msg) => void infos.push(msg), warn: (_o, msg) => void warnings.push(msg) },
        },
      });
      host.register(c.projection);
      if (extra.snapshotless) host.register({ name: 'no snapshot', apply: () => {} });
      return { host, c };
    };
    return { store, bus, make, warnings, infos, setClock: (t: number) => (clock = t) };
  };

  it('writes one after N events, at local midnight and after M minutes; a start restores the newest and folds only the rest', async () => {
    const s = await setup({ everyEvents: 10, everyMs: 10 * 60_000 });
    const first = s.make();
    expect((await first.host.start()).keyframe).toBeNull();
    await s.bus.append(items(0, 12)); // past N: a periodic keyframe at seq 12
    await first.host.close();
    expect((await s.store.keyframes!.latest())?.seq).toBe(12);
    // A restart restores it and folds nothing.
    const second = s.make();
    const started = await second.host.start();
    expect(started.keyframe?.seq).toBe(12);
    expect(started.events).toBe(0);
    expect(second.c.state).toEqual({ events: 12, lastSeq: 12 });
    // Midnight: the day turned on the clock.
    await s.bus.append(items(100, 3));
    s.setClock(MIDNIGHT + 1000);
    second.host.tick();
    await second.host.close();
    const midnight = await s.store.keyframes!.latest();
    expect(midnight).toMatchObject({ seq: 15, kind: 'midnight', takenMs: MIDNIGHT + 1000 });
    // Minutes: nothing folded since, nothing written; something folded and M minutes later, one is written.
    const third = s.make();
    expect((await third.host.start()).keyframe?.seq).toBe(15);
    s.setClock(MIDNIGHT + 20 * 60_000);
    third.host.tick();
    // writeKeyframe() waits for a write in flight, and writes nothing when nothing was folded since the last one.
    await third.host.writeKeyframe();
    expect((await s.store.keyframes!.latest())?.seq).toBe(15);
    await s.bus.append(items(200, 1));
    s.setClock(MIDNIGHT + 40 * 60_000);
    third.host.tick();
    await third.host.close();
    expect(await s.store.keyframes!.latest()).toMatchObject({ seq: 16, kind: 'periodic' });
    // The restarted fold equals one that folded everything.
    const fourth = s.make();
    await fourth.host.start();
    expect(fourth.c.state).toEqual({ events: 16, lastSeq: 16 });
    await fourth.host.close();
    await s.bus.close();
  });

  it('writes an hour keyframe at each local boundary of KEYFRAME_HISTORY_HOURS, and the midnight one as midnight', async () => {
    const s = await setup({ everyEvents: 1e9, everyMs: 1e12, historyHours: 4 });
    const { host } = s.make();
    s.setClock(MIDNIGHT + 3 * 3_600_000 + 59 * 60_000); // 03:59 local
    await host.start();
    await s.bus.append(items(0, 2));
    host.tick();
    await host.writeKeyframe('periodic'); // settles the tick: nothing was due inside the slot, so this is the first
    expect((await s.store.keyframes!.latest())?.kind).toBe('periodic');
    await s.bus.append(items(10, 3));
    s.setClock(MIDNIGHT + 4 * 3_600_000 + 1000); // 04:00:01: the boundary passed
    host.tick();
    await host.close();
    expect(await s.store.keyframes!.latest()).toMatchObject({
      seq: 5,
      kind: 'hour',
      takenMs: MIDNIGHT + 4 * 3_600_000 + 1000,
    });
    // The next day's midnight is a boundary too, and is written as the midnight one.
    const next = s.make();
    await next.host.start();
    await s.bus.append(items(20, 1));
    s.setClock(MIDNIGHT + 24 * 3_600_000 + 1000);
    next.host.tick();
    await next.host.close();
    expect(await s.store.keyframes!.latest()).toMatchObject({ seq: 6, kind: 'midnight' });
    await s.bus.close();
  });

  it('is off, and says so, while a projection cannot be snapshotted', async () => {
    const s = await setup({ everyEvents: 1, everyMs: 1 }, { snapshotless: true });
    const { host } = s.make();
    await s.bus.append(items(0, 3));
    await host.start();
    await s.bus.append(items(10, 3));
    await host.writeKeyframe();
    await host.close();
    expect(await s.store.keyframes!.latest()).toBeUndefined();
    expect(s.warnings).toContain('keyframes are off: these projections cannot be snapshotted');
    await s.bus.close();
  });
});
