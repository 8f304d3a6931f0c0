// One node over a long run: the embedded server (SQLite log, keyframes on) takes a steady stream of events over
// HTTP for N minutes, and its resident memory is read every 30 s. The stream is steady on purpose: the events are
// dated now, every ticket is closed a minute after it was created (and some are rated), 200 rangers report every
// 10 s and every checkpoint every second, so after the first minutes the state itself stops growing (open tickets
// ≈ a minute's worth; closed ones held up to the retention's count). What the row shows is whether anything
// else grows with the events taken: it should not.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { TICKET_CATEGORIES, type OpsEvent } from '../../server/contract/events';
import { isoLocal } from '../../server/contract/time';
import type { Geo } from '../../server/geo/load';
import { createLocator } from '../../server/geo/locate';
import { createRng } from '../../server/sim/prng';
import { loginOverHttp } from '../helpers/login';
import { spawnServer } from './ingest';

/** A ticket is closed this long after it was created. */
const CLOSE_AFTER_MS = 60_000;
const RANGERS = 200;

/**
 * The steady stream: `next(ms, n)` gives the next n events dated ms. Per second at rate R: the checkpoints'
 * readings (one each), the rangers' positions (one each per 10 s), and tickets for the rest, each created,
 * dispatched, closed after CLOSE_AFTER_MS and in one case of five rated.
 */
export function steadyStream(geo: Geo, rate: number) {
  const rng = createRng(2000);
  const locator = createLocator(geo);
  const [w, south, e, n] = geo.tree.nodes[geo.tree.root]!.bbox;
  const spots: { lon: number; lat: number }[] = [];
  while (spots.length < 2000) {
    const lon = w + rng.next() * (e - w);
    const lat = south + rng.next() * (n - south);
    if (locator.locate(lon, lat)) spots.push({ lon, lat });
  }
  const checkpoints = geo.layers.checkpoints.features.map((f) => f.properties);
  const clusters = geo.layers.forest.features.map((f) => ({
    id: f.properties.id,
    bbox: geo.tree.nodes[`forest:${f.properties.id}`]!.bbox,
  }));
  const rangers = Array.from({ length: RANGERS }, (_, i) => {
    const c = clusters[i % clusters.length]!;
    const [cw, cs, ce, cn] = c.bbox;
    return { id: `SR${i}`, patrol: `SP${i}`, cluster: c, lon: (cw + ce) / 2, lat: (cs + cn) / 2, started: false };
  });
  // Of each event-second: readings and positions are fixed; a ticket takes 2.2 events (created, dispatched,
  // closed, and a rating one time in five).
  const perTicket = 2 + 0.2 + 1;
  const ticketsPerSecond = Math.max(1, (rate - checkpoints.length - RANGERS / 10) / perTicket);
  let id = 0;
  let ticket = 0;
  let due: { ms: number; event: OpsEvent }[] = [];
  let dueHead = 0;
  let nextTicketMs = 0;
  let nextReadingMs = 0;
  let nextRanger = 0;
  let nextPositionMs = 0;
  const env = (kind: string, ms: number) => ({ id: `s${id++}`, kind, time: isoLocal(ms), source: 'simulator' });

  return (ms: number): OpsEvent[] => {
    const out: OpsEvent[] = [];
    if (nextTicketMs === 0) nextTicketMs = nextReadingMs = nextPositionMs = ms;
    while (dueHead < due.length && due[dueHead]!.ms <= ms) out.push(due[dueHead++]!.event);
    if (dueHead > 4096) {
      due = due.slice(dueHead);
      dueHead = 0;
    }
    for (; nextReadingMs <= ms; nextReadingMs += 1000)
      for (const cp of checkpoints)
        out.push({
          ...env('flood.reading', ms),
          checkpointId: cp.id,
          level: cp.baseLevel + rng.next() * (cp.thresholds.blue - cp.baseLevel),
        } as OpsEvent);
    for (; nextPositionMs <= ms; nextPositionMs += 10_000 / RANGERS) {
      const r = rangers[nextRanger++ % RANGERS]!;
      if (!r.started) {
        r.started = true;
        out.push({
          ...env('patrol.started', ms),
          rangerId: r.id,
          patrolId: r.patrol,
          clusterId: r.cluster.id,
        } as OpsEvent);
      }
      const [cw, cs, ce, cn] = r.cluster.bbox;
      r.lon = Math.min(ce, Math.max(cw, r.lon + (rng.next() - 0.5) * 0.0003));
      r.lat = Math.min(cn, Math.max(cs, r.lat + (rng.next() - 0.5) * 0.0003));
      out.push({
        ...env('patrol.position', ms),
        rangerId: r.id,
        patrolId: r.patrol,
        location: { lon: r.lon, lat: r.lat },
        battery: 80,
      } as OpsEvent);
    }
    for (; nextTicketMs <= ms; nextTicketMs += 1000 / ticketsPerSecond) {
      const spot = spots[Math.floor(rng.next() * spots.length)]!;
      const ticketId = `ST${ticket++}`;
      out.push({
        ...env('ticket.created', ms),
        ticketId,
        category: TICKET_CATEGORIES[Math.floor(rng.next() * TICKET_CATEGORIES.length)]!,
        urgency: 'normal',
        channel: 'hotline_12345',
        title: '楼道内电动车充电',
        location: { lon: spot.lon, lat: spot.lat },
      } as OpsEvent);
      out.push({ ...env('ticket.updated', ms), ticketId, status: 'dispatched', assignee: 'district' } as OpsEvent);
      const closeMs = ms + CLOSE_AFTER_MS;
      due.push({ ms: closeMs, event: { ...env('ticket.closed', closeMs), ticketId, resolved: true } as OpsEvent });
      if (ticket % 5 === 0)
        due.push({
          ms: closeMs,
          event: { ...env('ticket.rated', closeMs), ticketId, satisfied: rng.next() < 0.9 } as OpsEvent,
        });
    }
    return out;
  };
}

export interface SoakRun {
  /** [seconds since the start, RSS MB, V8 heap used MB] every 30 s. */
  samples: [number, number, number][];
  sent: number;
  accepted: number;
  seconds: number;
}

/** The V8 heap in use, MB, as the server's /metrics has it (no GC forced: it saws up and down). */
async function heapMb(url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  return Number(/^opsmap_nodejs_heap_size_used_bytes (\S+)$/m.exec(text)?.[1] ?? NaN) / 2 ** 20;
}

/** Resident memory of a process, MB (Linux /proc). */
function rssMb(pid: number): number {
  const m = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

export async function benchSoak(geo: Geo, opts: { minutes: number; rate: number }): Promise<SoakRun> {
  const dir = mkdtempSync(join(tmpdir(), 'opsmap-soak-'));
  const server = await spawnServer({ STORE: 'sqlite', DATABASE_PATH: join(dir, 'log.sqlite') });
  try {
    const admin = await loginOverHttp(server.url);
    const stream = steadyStream(geo, opts.rate);
    let pending: OpsEvent[] = [];
    const samples: [number, number, number][] = [[0, rssMb(server.pid), await heapMb(server.url)]];
    const t0 = performance.now();
    const end = t0 + opts.minutes * 60_000;
    let sent = 0;
    let accepted = 0;
    let nextSample = t0 + 30_000;
    // Batches of 100 on a fixed schedule (rate / 100 a second), up to 8 in flight: an open-loop load, so a slow
    // server falls behind and shows it instead of slowing the generator down.
    const interval = 100_000 / opts.rate;
    let due = t0;
    const inFlight = new Set<Promise<void>>();
    while (performance.now() < end) {
      const now = performance.now();
      if (now >= nextSample) {
        samples.push([Math.round((now - t0) / 1000), rssMb(server.pid), await heapMb(server.url)]);
        nextSample += 30_000;
      }
      if (now < due) {
        await new Promise((r) => setTimeout(r, Math.min(due - now, 20)));
        continue;
      }
      due += interval;
      if (inFlight.size >= 8) {
        await Promise.race(inFlight);
        continue;
      }
      // Events dated as they are sent, in batches of 100 at most.
      if (pending.length < 100) pending = pending.concat(stream(Date.now()));
      const batch = pending.splice(0, 100);
      if (batch.length === 0) continue;
      sent += batch.length;
      const p = fetch(`${server.url}/api/v1/events`, {
        method: 'POST',
        headers: { ...admin, 'content-type': 'application/json' },
        body: JSON.stringify(batch),
      })
        .then(async (res) => {
          accepted += ((await res.json()) as { accepted?: number }).accepted ?? 0;
        })
        .finally(() => inFlight.delete(p));
      inFlight.add(p);
    }
    await Promise.all(inFlight);
    samples.push([Math.round((performance.now() - t0) / 1000), rssMb(server.pid), await heapMb(server.url)]);
    return { samples, sent, accepted, seconds: (performance.now() - t0) / 1000 };
  } finally {
    server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
