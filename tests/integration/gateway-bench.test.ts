// benchFanout runs end to end on a small scale (the lead's benchmark runs it with 1,000 clients).
import { describe, expect, it } from 'vitest';
import type { AreaKey } from '../../server/contract';
import { benchFanout } from '../../server/gateway/bench';
import { loadGeo } from '../../server/geo/load';
import { FakeLive } from '../helpers/fake-live';
import { GEO_DIR } from '../helpers/paths';

describe('benchFanout', () => {
  it('delivers deltas to every client and reports latency, CPU and bytes', async () => {
    const { tree } = await loadGeo(GEO_DIR);
    const live = new FakeLive(tree);
    const towns = tree.children[tree.root] as AreaKey[];
    const r = await benchFanout({
      tree,
      live,
      change: (i) => live.createTicket({ town: towns[i % towns.length]! }),
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
  });
});
