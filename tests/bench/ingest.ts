// End-to-end ingest over HTTP: batches POSTed to the real server (validated, converted, located, appended
// durably to SQLite, folded into the live state), and the server's memory with a large log.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { buildApp } from '../../server/app';
import { loadConfig } from '../../server/config';
import type { OpsEvent } from '../../server/contract/events';
import { loadGeo, type Geo } from '../../server/geo/load';
import { GEO_DIR } from '../helpers/paths';
import { createSimulator } from '../../server/sim/engine';
import { loginOverHttp, TEST_ADMIN_PASSWORD } from '../helpers/login';

/**
 * A realistic mix from the simulator (positions dominate, as in the field): round after round of 48 simulated
 * hours before `now`, each round with a seed and ids of its own, in batches of `batch` made as they are taken.
 */
export function* simulatedBatches(
  geo: Geo,
  now: number,
  runId: string,
  seed: number,
  batch: number,
): Generator<OpsEvent[], never> {
  for (let round = 0; ; round++) {
    const sim = createSimulator({
      geo,
      scenario: 'rainstorm',
      seed: seed + round,
      start: now - 48 * 3600_000,
      runId: `${runId}-${round}`,
    });
    for (;;) {
      const events = sim.take(batch, now);
      if (events.length === 0) break;
      yield events;
    }
  }
}

/** `count` events of that mix, re-keyed so ids never repeat. */
export function simulatedEvents(geo: Geo, count: number, now: number): OpsEvent[] {
  const out: OpsEvent[] = [];
  for (const events of simulatedBatches(geo, now, 'bench', 100, 10_000)) {
    for (const e of events) if (out.length < count) out.push(e);
    if (out.length >= count) return out;
  }
  return out;
}

/**
 * CPU seconds (user + system) a process has used, all its threads and its main thread alone (Linux /proc; NaN
 * elsewhere). On a shared machine these move less with the load than the wall-clock rate does.
 */
function cpuSeconds(pid: number): { process: number; main: number } {
  const read = (path: string): number => {
    if (!existsSync(path)) return NaN;
    const fields = readFileSync(path, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ 100)
  };
  return { process: read(`/proc/${pid}/stat`), main: read(`/proc/${pid}/task/${pid}/stat`) };
}

/** Starts the real server as its own process (its own core: the load generator must not share its thread). */
export async function spawnServer(
  env: Record<string, string>,
): Promise<{ url: string; pid: number; stop: () => void }> {
  const port = 20_000 + Math.floor(Math.random() * 20_000);
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      SIMULATOR: 'off',
      LOG_LEVEL: 'warn',
      ADMIN_PASSWORD: TEST_ADMIN_PASSWORD,
      ...env,
    },
    stdio: 'ignore',
  });
  const url = `http://127.0.0.1:${port}`;
  for (;;) {
    if (child.exitCode !== null) throw new Error('server exited');
    try {
      if ((await fetch(`${url}/readyz`)).ok) break;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return { url, pid: child.pid!, stop: () => child.kill('SIGKILL') };
}

export async function benchIngest(opts: { events: number; batch: number; concurrency: number }) {
  const dir = mkdtempSync(join(tmpdir(), 'opsmap-bench-'));
  const server = await spawnServer({ STORE: 'sqlite', DATABASE_PATH: join(dir, 'log.sqlite') });
  try {
    // Posting needs the ingest ability: the demo admin's session (a feed token would need the users CLI).
    const admin = await loginOverHttp(server.url);
    const geo = await loadGeo(GEO_DIR);
    const events = simulatedEvents(geo, opts.events, Date.now());
    // Bodies encoded once, up front: the generator's own work must not be what limits the figure.
    const bodies: Uint8Array<ArrayBuffer>[] = [];
    const encoder = new TextEncoder();
    for (let i = 0; i < events.length; i += opts.batch)
      bodies.push(encoder.encode(JSON.stringify(events.slice(i, i + opts.batch))));
    events.length = 0;
    let next = 0;
    let accepted = 0;
    const cpu = cpuSeconds(server.pid);
    const t = performance.now();
    await Promise.all(
      Array.from({ length: opts.concurrency }, async () => {
        while (next < bodies.length) {
          const body = bodies[next++]!;
          const res = await fetch(`${server.url}/api/v1/events`, {
            method: 'POST',
            headers: { ...admin, 'content-type': 'application/json' },
            body,
          });
          accepted += ((await res.json()) as { accepted: number }).accepted;
        }
      }),
    );
    const seconds = (performance.now() - t) / 1000;
    const used = cpuSeconds(server.pid);
    return {
      eventsPerSecond: accepted / seconds,
      accepted,
      seconds,
      /** Server CPU per accepted event, µs: every thread of the process, and its main (event loop) thread. */
      cpuMicrosPerEvent: {
        process: ((used.process - cpu.process) * 1e6) / accepted,
        main: ((used.main - cpu.main) * 1e6) / accepted,
      },
    };
  } finally {
    server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A fresh server process on the log: seconds until /readyz answers, and its resident memory 2 s later. */
async function startAndMeasure(
  db: string,
  env: Record<string, string>,
): Promise<{ rssMb: number; startSeconds: number }> {
  const port = 20_000 + Math.floor(Math.random() * 20_000);
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      STORE: 'sqlite',
      DATABASE_PATH: db,
      SIMULATOR: 'off',
      LOG_LEVEL: 'warn',
      ...env,
    },
    stdio: 'ignore',
  });
  try {
    const t = performance.now();
    for (;;) {
      try {
        if ((await fetch(`http://127.0.0.1:${port}/readyz`)).ok) break;
      } catch {
        // still starting
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    const startSeconds = (performance.now() - t) / 1000;
    await new Promise((r) => setTimeout(r, 2000));
    const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    const rss = Number(/opsmap_process_resident_memory_bytes (\d+)/.exec(metrics)?.[1] ?? NaN);
    return { rssMb: rss / 2 ** 20, startSeconds };
  } finally {
    child.kill('SIGKILL');
  }
}

/**
 * RSS of the real server process whose log holds `events` events: the log is written first (in chunks, by
 * this process), then a fresh server starts on it, rebuilds its live state from the log, and reports its own
 * resident memory through /metrics.
 */
export async function benchMemory(events: number) {
  const dir = mkdtempSync(join(tmpdir(), 'opsmap-mem-'));
  const db = join(dir, 'log.sqlite');
  try {
    const app = await buildApp(
      loadConfig({ STORE: 'sqlite', DATABASE_PATH: db, SIMULATOR: 'off', LOG_LEVEL: 'warn', PORT: '0' }),
    );
    const now = Date.now();
    // Many short runs spread over the last 7 days, so the log looks like a week of operation.
    for (let round = 0, written = 0; written < events; round++) {
      const sim = createSimulator({
        geo: app.services.geo,
        scenario: round % 3 === 0 ? 'rainstorm' : 'normal',
        seed: round,
        start: now - 7 * 86_400_000 + round * 3_600_000,
        runId: `mem-${round}`,
      });
      const chunk = sim.take(Math.min(50_000, events - written), now);
      if (chunk.length === 0) continue;
      for (let i = 0; i < chunk.length; i += 5000)
        written += (await app.services.accept(chunk.slice(i, i + 5000))).accepted;
    }
    const seq = app.services.live.seq;
    // The graceful stop writes a keyframe at the log's end: the second start below restores it.
    await app.close();
    // The restarts leave the morning brief out (BRIEF_HOUR after now, unless it is 23:xx): this log was written at
    // its end, so the keyframe holds no day-end facts of its days and the brief would replay eight days of it,
    // which a server that lived through the week does not do (the brief from the facts: `npm run bench -- replay`).
    const brief = { BRIEF_HOUR: '23' };
    const full = await startAndMeasure(db, { KEYFRAMES: 'off', ...brief });
    const keyframe = await startAndMeasure(db, brief);
    return { events: seq, ...full, keyframe };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
