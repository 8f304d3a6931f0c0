// Fan-out with the real live state: a realistic event mix (the simulator's rainstorm: readings, positions,
// tickets) applied at a fixed rate, N socket clients on the district and the towns (in a child process, see
// tests/bench/gateway/fanout.ts), the real gateway between. The mix is ~96 % ranger positions, replayed far faster
// than real time, so every flush carries several new trail points per ranger.
import type { StoredEvent } from '../../server/contract/events';
import { benchFanout, type FanoutResult } from './gateway/fanout';
import { createInProcessBus } from '../../server/bus/in-process';
import { loadGeo } from '../../server/geo/load';
import { createLocator } from '../../server/geo/locate';
import { createAcceptor } from '../../server/ingest/accept';
import { createLiveState } from '../../server/live/state';
import { createMemoryStore } from '../../server/store/memory';
import { GEO_DIR } from '../helpers/paths';
import { simulatedEvents } from './ingest';

export async function benchFanoutReal(opts: {
  clients: number;
  eventsPerSec: number;
  durationMs: number;
}): Promise<FanoutResult> {
  const geo = await loadGeo(GEO_DIR);
  const now = Date.now();
  // Located and sequenced exactly as ingest does it, once, before the clock starts.
  const store = createMemoryStore();
  const accept = createAcceptor({
    geo,
    locator: createLocator(geo),
    bus: createInProcessBus(store),
    maxFutureSkewMs: 300_000,
    now: () => now,
  });
  const needed = Math.ceil((opts.eventsPerSec * opts.durationMs) / 1000) + 60_000;
  const events = simulatedEvents(geo, needed, now);
  for (let i = 0; i < events.length; i += 5000) await accept(events.slice(i, i + 5000));
  const stored: StoredEvent[] = await store.read(0, needed);
  // The first minute of the stream warms the state up (tickets open, rangers on the map) before measuring.
  const live = createLiveState(geo, {}, now);
  live.apply(stored.slice(0, 60_000));
  live.takeChanges();
  let next = 60_000;
  return benchFanout({
    tree: geo.tree,
    live,
    change: () => {
      const e = stored[next++];
      if (e) live.apply([e]);
    },
    clients: opts.clients,
    changesPerSec: opts.eventsPerSec,
    durationMs: opts.durationMs,
    flushMs: 150,
  });
}
