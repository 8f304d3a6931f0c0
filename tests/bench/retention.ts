// Memory of the fold under a flood of tickets, for tests/bench/run.ts: 10 simulated minutes in which 1,600
// tickets are created and 1,600 closed every second (the rate the engine issue sets), folded into a live state
// with the clock moving along, the heap measured after a full GC at each simulated minute. Run twice in the same
// process: with the count limit of the closed tickets kept (the default) and without it (the 7-day limit only).
import { performance } from 'node:perf_hooks';
import type { OpsEvent, Place, StoredEvent } from '../../server/contract/events';
import { isoLocal } from '../../server/contract/time';
import type { Geo } from '../../server/geo/load';
import { createLocator } from '../../server/geo/locate';
import { createLiveState } from '../../server/live/state';
import { createRng } from '../../server/sim/prng';

const PER_SECOND = 1_600;
const MINUTES = 10;

export interface RetentionRun {
  /**
   * Heap after a full GC at the end of the second and the last simulated minute, MB: by the second minute the
   * count limit (100,000 at 1,600 a second) has been reached, so what grows after it is what is not bounded.
   */
  firstMb: number;
  lastMb: number;
  tickets: number;
  seconds: number;
}

export function benchRetention(geo: Geo, closedTicketRetentionMax?: number): RetentionRun {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run with node --expose-gc (npm run bench does)');
  const rng = createRng(1600);
  const locator = createLocator(geo);
  const [w, south, e, n] = geo.tree.nodes[geo.tree.root]!.bbox;
  const spots: { lon: number; lat: number; place: Place }[] = [];
  while (spots.length < 2000) {
    const lon = w + rng.next() * (e - w);
    const lat = south + rng.next() * (n - south);
    const place = locator.locate(lon, lat);
    if (place) spots.push({ lon, lat, place });
  }
  const start = Date.parse('2026-12-07T09:00:00+08:00');
  const live = createLiveState(geo, closedTicketRetentionMax === undefined ? {} : { closedTicketRetentionMax }, start);
  let seq = 0;
  let id = 0;
  const heap: number[] = [];
  const t0 = performance.now();
  for (let s = 0; s < MINUTES * 60; s++) {
    const ms = start + s * 1000;
    const batch: StoredEvent[] = [];
    for (let i = 0; i < PER_SECOND; i++) {
      const spot = spots[Math.floor(rng.next() * spots.length)]!;
      const ticketId = `F${id++}`;
      const time = isoLocal(ms + i * 0.5);
      const createdEvent: OpsEvent = {
        id: `c-${ticketId}`,
        kind: 'ticket.created',
        time,
        source: 'hotline_12345',
        ticketId,
        category: 'municipal_environment',
        urgency: 'normal',
        channel: 'hotline_12345',
        title: '噪音扰民',
        location: { lon: spot.lon, lat: spot.lat, crs: 'wgs84' },
      };
      batch.push({ seq: ++seq, receivedAt: time, event: createdEvent, place: spot.place });
      const closedEvent: OpsEvent = {
        id: `x-${ticketId}`,
        kind: 'ticket.closed',
        time: isoLocal(ms + 600),
        source: 'hotline_12345',
        ticketId,
        resolved: true,
      };
      batch.push({ seq: ++seq, receivedAt: time, event: closedEvent });
    }
    live.apply(batch);
    live.advance(ms + 1000);
    // As the gateway does (every FLUSH_MS): the change set is handed out and emptied.
    for (let k = 0; k < 6; k++) live.takeChanges();
    if ((s + 1) % 60 === 0) {
      gc();
      heap.push(process.memoryUsage().heapUsed / 2 ** 20);
    }
  }
  return { firstMb: heap[1]!, lastMb: heap[heap.length - 1]!, tickets: id, seconds: (performance.now() - t0) / 1000 };
}
