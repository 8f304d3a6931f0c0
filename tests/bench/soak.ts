// One node over a long run: the embedded server (SQLite log, keyframes on) takes a steady stream of simulated
// events over HTTP for N minutes, and its resident memory is read every 30 s. What it shows is whether anything
// grows with the events taken rather than with the state: retention (closed tickets by count and by age, the
// rolling windows) should hold the RSS flat once the first minutes have filled them.
import { readFileSync } from 'node:fs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { OpsEvent } from '../../server/contract/events';
import type { Geo } from '../../server/geo/load';
import { createSimulator } from '../../server/sim/engine';
import { loginOverHttp } from '../helpers/login';
import { spawnServer } from './ingest';

export interface SoakRun {
  /** [seconds since the start, RSS MB] every 30 s. */
  samples: [number, number][];
  sent: number;
  accepted: number;
  seconds: number;
}

/** Resident memory of a process, MB (Linux /proc). */
function rssMb(pid: number): number {
  const m = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

/**
 * The simulator's realistic mix (positions dominate), round after round of 48 simulated hours, each round with
 * ids of its own, made as they are needed: a run of a million events never holds them all.
 */
function* eventStream(geo: Geo, now: number): Generator<OpsEvent[], never> {
  for (let round = 0; ; round++) {
    const sim = createSimulator({
      geo,
      scenario: 'rainstorm',
      seed: 500 + round,
      start: now - 48 * 3600_000,
      runId: `soak-${round}`,
    });
    for (;;) {
      const batch = sim.take(100, now);
      if (batch.length === 0) break;
      yield batch;
    }
  }
}

export async function benchSoak(geo: Geo, opts: { minutes: number; rate: number }): Promise<SoakRun> {
  const dir = mkdtempSync(join(tmpdir(), 'opsmap-soak-'));
  const server = await spawnServer({ STORE: 'sqlite', DATABASE_PATH: join(dir, 'log.sqlite') });
  try {
    const admin = await loginOverHttp(server.url);
    const events = eventStream(geo, Date.now());
    const samples: [number, number][] = [[0, rssMb(server.pid)]];
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
        samples.push([Math.round((now - t0) / 1000), rssMb(server.pid)]);
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
      const batch = events.next().value;
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
    samples.push([Math.round((performance.now() - t0) / 1000), rssMb(server.pid)]);
    return { samples, sent, accepted, seconds: (performance.now() - t0) / 1000 };
  } finally {
    server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
