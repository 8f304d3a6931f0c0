// One node over a long run: the embedded server (SQLite log, keyframes on) takes a steady stream of simulated
// events over HTTP for N minutes, and its resident memory is read every 30 s. What it shows is whether anything
// grows with the events taken rather than with the state: retention (closed tickets by count and by age, the
// rolling windows) should hold the RSS flat once the first minutes have filled them.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Geo } from '../../server/geo/load';
import { loginOverHttp } from '../helpers/login';
import { simulatedBatches, spawnServer } from './ingest';

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

export async function benchSoak(geo: Geo, opts: { minutes: number; rate: number }): Promise<SoakRun> {
  const dir = mkdtempSync(join(tmpdir(), 'opsmap-soak-'));
  const server = await spawnServer({ STORE: 'sqlite', DATABASE_PATH: join(dir, 'log.sqlite') });
  try {
    const admin = await loginOverHttp(server.url);
    const events = simulatedBatches(geo, Date.now(), 'soak', 500, 100);
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
