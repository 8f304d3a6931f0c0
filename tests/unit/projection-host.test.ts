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

    expect(await host.start()).toEqual({ seq: 7, events: 7 });
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
    host.close();
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
    host.close();
    await bus.close();
  });
});
