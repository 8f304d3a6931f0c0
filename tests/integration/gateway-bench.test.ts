// benchFanout runs end to end on a small scale (the lead's benchmark runs it with 1,000 clients): the clients in
// their own process, tickets and rangers moving between towns, every scope's mirror equal to the live state.
import { describe, expect, it } from 'vitest';
import type { AreaKey } from '../../server/contract';
import { benchFanout } from '../bench/gateway/fanout';
import { loadGeo } from '../../server/geo/load';
import { FakeLive } from '../helpers/fake-live';
import { GEO_DIR } from '../helpers/paths';

describe('benchFanout', () => {
  it('delivers deltas to every client and reports latency, CPU and bytes', async () => {
    const { tree } = await loadGeo(GEO_DIR);
    const T0 = Date.parse('2025-07-20T06:30:00Z');
    const live = new FakeLive(tree, { nowMs: T0 });
    const towns = tree.children[tree.root] as AreaKey[];
    const r = await benchFanout({
      tree,
      live,
      // A third of the changes move one of 7 rangers, a simulated second later each, to another town: trails
      // grow, travel as tails to the district and whole to the town a ranger enters.
      change: (i) => {
        if (i % 3 !== 0) return void live.createTicket({ town: towns[i % towns.length]! });
        live.advance(T0 + i * 1_000);
        live.moveRanger(`r-${i % 7}`, towns[Math.floor(i / 3) % towns.length]!);
      },
      clients: 40,
      changesPerSec: 200,
      durationMs: 800,
      flushMs: 100,
    });
    expect(r.changes).toBeGreaterThan(100);
    expect(r.deltasDelivered).toBeGreaterThan(r.deltasEmitted);
    expect(r.latencyP50Ms).toBeGreaterThan(0);
    expect(r.latencyP99Ms).toBeGreaterThanOrEqual(r.latencyP50Ms);
    expect(r.latencyP99Ms).toBeLessThan(1_000);
    expect(r.bytesPerAggregate).toBeGreaterThan(5);
    expect(r.bytesPerAggregate).toBeLessThanOrEqual(40);
    expect(r.serverCpuMicrosPerDelivered).toBeGreaterThan(0);
    expect(r.clientCpuMicrosPerDelivered).toBeGreaterThan(0);
    expect(r.mirrorsChecked).toBe(1 + Math.min(towns.length, 30));
    expect(r.mirrorMismatches).toBe(0);
  });
});
