// Micro-benchmark of the fold, for tests/bench/run.ts: ~200k synthetic but realistic events (tickets with their
// lifecycle, gauge readings, ranger positions, patrol starts and ends, incidents) over half a day, folded in
// batches the way the bus delivers them, with the clock advanced after each batch. Generating and locating
// the events is outside the timed part; only apply() and advance() are measured.
import { performance } from 'node:perf_hooks';
import {
  TICKET_CATEGORIES,
  type OpsEvent,
  type Place,
  type StoredEvent,
  type Urgency,
} from '../../server/contract/events';
import type { Geo } from '../../server/geo/load';
import { createLocator } from '../../server/geo/locate';
import { createLiveState } from '../../server/live/state';
import { isoLocal, MINUTE_MS } from '../../server/contract/time';
import { createRng } from '../../server/sim/prng';

interface Timed {
  ms: number;
  event: OpsEvent;
  place?: Place;
}

/** Synthetic events in time order, as stored events (seq from 1). */
export function syntheticEvents(
  geo: Geo,
  count = 200_000,
  startMs = Date.parse('2025-07-20T06:00:00+08:00'),
): StoredEvent[] {
  // The project's one seeded PRNG (server/sim/prng.ts): the same events on every run.
  const rng = createRng(20250720);
  const rnd = () => rng.next();
  const locator = createLocator(geo);
  const [w, s, e, n] = geo.tree.nodes[geo.tree.root]!.bbox;
  const spots: { lon: number; lat: number; place: Place }[] = [];
  while (spots.length < 3000) {
    const lon = w + rnd() * (e - w);
    const lat = s + rnd() * (n - s);
    const place = locator.locate(lon, lat);
    if (place) spots.push({ lon, lat, place });
  }
  const out: Timed[] = [];
  const spanMs = 12 * 60 * MINUTE_MS;
  const at = (ms: number) => isoLocal(ms);
  let id = 0;
  const env = (kind: string, ms: number) => ({ id: `b${id++}`, kind, time: at(ms), source: 'simulator' as const });

  // Tickets: about 40 % of the events, each with its lifecycle.
  const ticketCount = Math.round(count * 0.09);
  const urgencies: Urgency[] = ['urgent', 'normal', 'normal', 'normal', 'low'];
  for (let i = 0; i < ticketCount; i++) {
    const spot = spots[Math.floor(rnd() * spots.length)]!;
    const t0 = startMs + rnd() * spanMs;
    const ticketId = `T${i}`;
    out.push({
      ms: t0,
      place: spot.place,
      event: {
        ...env('ticket.created', t0),
        kind: 'ticket.created',
        ticketId,
        category: TICKET_CATEGORIES[Math.floor(rnd() * TICKET_CATEGORIES.length)]!,
        urgency: urgencies[Math.floor(rnd() * urgencies.length)]!,
        channel: 'hotline_12345',
        title: '楼道内电动车充电',
        location: { lon: spot.lon, lat: spot.lat },
      },
    });
    let t = t0 + rnd() * 90 * MINUTE_MS;
    if (rnd() < 0.95)
      out.push({
        ms: t,
        event: {
          ...env('ticket.updated', t),
          kind: 'ticket.updated',
          ticketId,
          status: 'dispatched',
          assignee: spot.place.townId ?? 'district',
        },
      });
    t += rnd() * 120 * MINUTE_MS;
    if (rnd() < 0.8)
      out.push({ ms: t, event: { ...env('ticket.updated', t), kind: 'ticket.updated', ticketId, status: 'replied' } });
    t += rnd() * 120 * MINUTE_MS;
    if (rnd() < 0.85) {
      out.push({
        ms: t,
        event: { ...env('ticket.closed', t), kind: 'ticket.closed', ticketId, resolved: rnd() < 0.83 },
      });
      t += rnd() * 60 * MINUTE_MS;
      if (rnd() < 0.6)
        out.push({
          ms: t,
          event: { ...env('ticket.rated', t), kind: 'ticket.rated', ticketId, satisfied: rnd() < 0.92 },
        });
    }
  }

  // Gauge readings: every checkpoint, every minute or so, a slow wave.
  const checkpoints = geo.layers.checkpoints.features.map((f) => f.properties);
  const readingCount = Math.round(count * 0.1);
  for (let i = 0; i < readingCount; i++) {
    const cp = checkpoints[i % checkpoints.length]!;
    const ms = startMs + (i / readingCount) * spanMs;
    const wave = Math.sin((i / readingCount) * Math.PI);
    const level = cp.baseLevel + wave * (cp.thresholds.orange - cp.baseLevel) + (rnd() - 0.5) * 0.02;
    out.push({
      ms,
      event: { ...env('flood.reading', ms), kind: 'flood.reading', checkpointId: cp.id, level, rainfall: wave * 40 },
    });
  }

  // Rangers: 120 rangers on the clusters, patrols of ~2 h, a position every 10 s while patrolling.
  const clusters = geo.layers.forest.features;
  const remaining = count - out.length;
  let positions = 0;
  for (let r = 0; positions < remaining * 0.97; r++) {
    const cluster = clusters[r % clusters.length]!;
    const [cw, cs, ce, cn] = geo.tree.nodes[`forest:${cluster.properties.id}`]!.bbox;
    const rangerId = `R${r % 120}`;
    const patrolId = `P${r}`;
    let ms = startMs + rnd() * spanMs * 0.8;
    let lon = cw + rnd() * (ce - cw);
    let lat = cs + rnd() * (cn - cs);
    out.push({
      ms,
      event: {
        ...env('patrol.started', ms),
        kind: 'patrol.started',
        rangerId,
        patrolId,
        clusterId: cluster.properties.id,
      },
    });
    const steps = 300 + Math.floor(rnd() * 600);
    for (let k = 0; k < steps && positions < remaining * 0.97; k++, positions++) {
      ms += 10_000;
      lon = Math.min(ce, Math.max(cw, lon + (rnd() - 0.5) * 0.0003));
      lat = Math.min(cn, Math.max(cs, lat + (rnd() - 0.5) * 0.0003));
      const place = locator.locate(lon, lat) ?? undefined;
      const ev: Timed = {
        ms,
        event: {
          ...env('patrol.position', ms),
          kind: 'patrol.position',
          rangerId,
          patrolId,
          location: { lon, lat },
          battery: 80,
        },
      };
      if (place) ev.place = place;
      out.push(ev);
      if (rnd() < 0.002) {
        out.push({
          ms,
          ...(place ? { place } : {}),
          event: {
            ...env('patrol.incident', ms),
            kind: 'patrol.incident',
            rangerId,
            incidentId: `I${id}`,
            type: 'dumping',
            severity: 'low',
            description: '倾倒垃圾',
            location: { lon, lat },
          },
        });
      }
    }
    out.push({ ms: ms + 1000, event: { ...env('patrol.ended', ms + 1000), kind: 'patrol.ended', rangerId, patrolId } });
  }

  out.sort((a, b) => a.ms - b.ms);
  const receivedAt = isoLocal(startMs);
  return out.map((x, i) => {
    const stored: StoredEvent = { seq: i + 1, receivedAt, event: x.event };
    if (x.place) stored.place = x.place;
    return stored;
  });
}

/** Folds ~200k synthetic events in batches of 256 and reports the fold rate (best of three runs). */
export function benchFold(geo: Geo, count = 200_000): { eventsPerSecond: number; events: number; ms: number } {
  const events = syntheticEvents(geo, count);
  const startMs = Date.parse(events[0]!.event.time);
  const BATCH = 256;
  let best = Infinity;
  for (let run = 0; run < 3; run++) {
    const state = createLiveState(geo, {}, startMs);
    const t = performance.now();
    for (let i = 0; i < events.length; i += BATCH) {
      const batch = events.slice(i, i + BATCH);
      state.apply(batch);
      state.advance(Date.parse(batch[batch.length - 1]!.event.time));
      if ((i / BATCH) % 4 === 0) state.takeChanges(); // the gateway drains changes several times a second
    }
    best = Math.min(best, performance.now() - t);
  }
  return { eventsPerSecond: Math.round(events.length / (best / 1000)), events: events.length, ms: Math.round(best) };
}
