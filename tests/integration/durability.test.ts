// "A 2xx means durable": the real server process, SQLite in WAL mode, killed with SIGKILL while a load
// generator posts to it; after a restart every acknowledged event is in the log, exactly once, gap-free, and the
// live state rebuilt from the log equals the state before a graceful stop.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createSimulator } from '../../server/sim/engine';
import { loadGeo } from '../../server/geo/load';
import { ROOT, GEO_DIR } from '../helpers/paths';
import { testApp, ticket } from '../helpers/app';
import { loginOverHttp, TEST_ADMIN_PASSWORD } from '../helpers/login';

const dir = mkdtempSync(join(tmpdir(), 'opsmap-durable-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });

async function startServer(db: string, port: number): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
    cwd: ROOT,
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      STORE: 'sqlite',
      DATABASE_PATH: db,
      SIMULATOR: 'off',
      LOG_LEVEL: 'warn',
      ADMIN_PASSWORD: TEST_ADMIN_PASSWORD,
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  // Up to 60 s: a first start also hashes the demo admin's password (scrypt), and CI machines are shared.
  for (const until = Date.now() + 60_000; Date.now() < until;) {
    try {
      const r = await fetch(`http://127.0.0.1:${port}/readyz`);
      if (r.ok) return child;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  child.kill('SIGKILL');
  throw new Error('server did not become ready');
}

describe('durability', () => {
  it('keeps every acknowledged event through kill -9, exactly once and gap-free', async () => {
    const db = join(dir, 'kill.sqlite');
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    let server = await startServer(db, port);
    const admin = await loginOverHttp(base);
    const acked = new Map<number, string>();
    let batch = 0;
    let killed = false;
    // The load generator: batches of 100 back to back; the process is killed under it.
    const load = (async () => {
      while (!killed) {
        const events = Array.from({ length: 100 }, (_, i) => ticket(`k-${batch}-${i}`));
        batch++;
        try {
          const res = await fetch(`${base}/api/v1/events`, {
            method: 'POST',
            headers: { ...admin, 'content-type': 'application/json' },
            body: JSON.stringify(events),
          });
          if (res.status !== 200) continue;
          const body = (await res.json()) as { results: { status: string; seq: number }[] };
          body.results.forEach((r, i) => r.status === 'accepted' && acked.set(r.seq, events[i]!.id as string));
        } catch {
          // the connection died with the process: this batch was never acknowledged
        }
      }
    })();
    const deadline = Date.now() + 45_000;
    while (acked.size < 3000) {
      if (Date.now() > deadline) throw new Error(`only ${acked.size} events acknowledged in 45 s`);
      await new Promise((r) => setTimeout(r, 20));
    }
    // Listen for the exit before killing: the event may fire before the load generator has wound down.
    const exited = new Promise((r) => server.once('exit', r));
    server.kill('SIGKILL');
    killed = true;
    await load;
    await exited;

    server = await startServer(db, port);
    try {
      // The admin and the session secret are in the same SQLite file: the session holds across the restart.
      const reader = { cookie: admin.cookie };
      const log: { seq: number; event: { id: string; kind: string } }[] = [];
      for (;;) {
        const page = (await (
          await fetch(`${base}/api/v1/events?after=${log.length}&limit=5000`, { headers: reader })
        ).json()) as { events: typeof log };
        if (page.events.length === 0) break;
        log.push(...page.events);
      }
      // Gap-free, increasing, each event once.
      log.forEach((e, i) => expect(e.seq).toBe(i + 1));
      expect(new Set(log.map((e) => e.event.id)).size).toBe(log.length);
      // Every acknowledged event is there, under the seq it was acknowledged with.
      for (const [seq, id] of acked) expect(log[seq - 1]?.event.id, `seq ${seq}`).toBe(id);
      // The live state was rebuilt from the log.
      const agg = (await (await fetch(`${base}/api/v1/aggregates`, { headers: reader })).json()) as {
        seq: number;
        aggregates: { tickets: { open: number } }[];
      };
      expect(agg.seq).toBe(log.length);
      // The log also holds what the alert rules decided (a hundred tickets at one spot is a surge in its cell).
      expect(agg.aggregates[0]!.tickets.open).toBe(log.filter((e) => e.event.kind === 'ticket.created').length);
    } finally {
      server.kill('SIGKILL');
    }
  }, 150_000);

  it('rebuilds the live state on start to exactly the state before the stop', async () => {
    const db = join(dir, 'restart.sqlite');
    const now = Date.parse('2026-07-20T16:00:00+08:00');
    const clock = () => now;
    const geo = await loadGeo(GEO_DIR);
    const sim = createSimulator({ geo, scenario: 'rainstorm', seed: 7, start: now - 20 * 3600_000 });
    const events = sim.next(now);
    expect(events.length).toBeGreaterThan(5000);

    const first = await testApp({ STORE: 'sqlite', DATABASE_PATH: db }, { now: clock });
    for (let i = 0; i < events.length; i += 5000) {
      const r = await first.services.accept(events.slice(i, i + 5000));
      expect(r.rejected).toBe(0);
    }
    first.services.live.advance(now);
    const town = first.services.geo.tree.children['district:110112']![0]!;
    const before = {
      district: first.services.live.snapshot('district:110112'),
      town: first.services.live.snapshot(town as never),
      tickets: first.services.live.tickets({ limit: 10_000 }),
    };
    await first.close();

    const second = await testApp({ STORE: 'sqlite', DATABASE_PATH: db }, { now: clock });
    try {
      expect(second.services.live.seq).toBe(before.district.seq);
      expect(second.services.live.snapshot('district:110112')).toEqual(before.district);
      expect(second.services.live.snapshot(town as never)).toEqual(before.town);
      expect(second.services.live.tickets({ limit: 10_000 })).toEqual(before.tickets);
    } finally {
      await second.close();
    }
  }, 120_000);
});
