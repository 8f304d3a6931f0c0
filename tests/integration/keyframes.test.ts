// Keyframes (live/keyframes.ts, live/host.ts): a start that restores a keyframe and folds the log after it
// holds, projection by projection, exactly the state of a start that folds the whole log; on SQLite and on
// PostgreSQL. A keyframe that is truncated, of an older format or of another code version is ignored with a
// warning in the log, and the start still comes out right.
import { spawn } from 'node:child_process';
import { deserialize, serialize } from 'node:v8';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type App } from '../../server/app';
import { loadConfig } from '../../server/config';
import type { OpsEvent } from '../../server/contract/events';
import { loadGeo } from '../../server/geo/load';
import { createSimulator } from '../../server/sim/engine';
import { createRng } from '../../server/sim/prng';
import { GEO_DIR } from '../helpers/paths';
import { dropSchema, randomSchema, RUN_POSTGRES, TEST_DATABASE_URL } from '../helpers/store';

const HOUR = 3_600_000;
/** live/state/layout.ts: the flag of a fact that takes an earlier one back. */
const NEGATIVE = 1 << 16;
const NOW = Date.parse('2026-07-22T15:00:00+08:00');
/** Two days of a rainstorm: tickets opened, closed, rated and followed up, gauges crossing lines, patrols. */
const HOURS = 40;

let events: OpsEvent[];
beforeAll(async () => {
  const geo = await loadGeo(GEO_DIR);
  events = createSimulator({ geo, scenario: 'rainstorm', seed: 11, start: NOW - HOURS * HOUR }).next(NOW);
}, 120_000);

interface Started {
  app: App;
  lines: Record<string, unknown>[];
}

type Backend = { env: Record<string, string>; sql(query: string): Promise<void>; dispose(): Promise<void> };

function sqliteBackend(): Backend {
  const dir = mkdtempSync(join(tmpdir(), 'opsmap-kf-'));
  const file = join(dir, 'log.sqlite');
  return {
    env: { STORE: 'sqlite', DATABASE_PATH: file },
    async sql(query) {
      const db = new Database(file);
      db.exec(query);
      db.close();
    },
    async dispose() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function postgresBackend(): Backend {
  const schema = randomSchema();
  return {
    env: { STORE: 'postgres', DATABASE_URL: TEST_DATABASE_URL, DATABASE_SCHEMA: schema },
    async sql(query) {
      const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
      await client.connect();
      await client.query(`SET search_path TO "${schema}"`);
      await client.query(query);
      await client.end();
    },
    dispose: () => dropSchema(schema),
  };
}

async function start(backend: Backend, env: Record<string, string> = {}): Promise<Started> {
  const lines: Record<string, unknown>[] = [];
  const app = await buildApp(
    loadConfig({
      SIMULATOR: 'off',
      LOG_LEVEL: 'info',
      PORT: '0',
      HOST: '127.0.0.1',
      KEYFRAME_EVERY_EVENTS: '1000000000',
      ...backend.env,
      ...env,
    }),
    { now: () => NOW, logStream: { write: (line) => void lines.push(JSON.parse(line) as Record<string, unknown>) } },
  );
  await app.ready();
  // The rules decide once at start and append what they raise; wait until the fold has it.
  await app.services.rules.idle();
  await settle(app);
  return { app, lines };
}

/** Until the host has folded everything the log holds. */
async function settle(app: App): Promise<void> {
  const last = await app.services.store.lastSeq();
  for (let i = 0; i < 200 && app.services.host.seq < last; i++) await new Promise((r) => setTimeout(r, 10));
  expect(app.services.host.seq).toBe(last);
}

/**
 * The projections' states as comparable data: round-tripped through the same encoding a keyframe uses (so
 * class instances and plain objects compare alike), with the heaps' arrays sorted (two heaps holding the same
 * items may order them differently after different batch boundaries).
 */
function canonical(app: App): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, data] of app.services.host.snapshot()) {
    const copy = deserialize(serialize(data)) as Record<string, unknown>;
    out[name] = sortHeaps(copy);
  }
  return out;
}

function sortHeaps(data: Record<string, unknown> | null): Record<string, unknown> | null {
  if (data === null) return null;
  const live = (data as { live?: Record<string, unknown> }).live;
  const byDue = (a: { due: number; id: string }, b: { due: number; id: string }) =>
    a.due - b.due || a.id.localeCompare(b.id);
  const strip = (items: { due: number; id: string; heapIndex?: number }[]) =>
    items.map((x) => ({ ...x, heapIndex: 0 })).sort(byDue);
  if (live) {
    live.timers = strip(live.timers as { due: number; id: string }[]);
    const held = live.tickets as Record<'tickets' | 'openTickets', Map<string, { heapIndex: number }>>;
    const rangers = (live.patrol as { rangers: Map<string, { heapIndex: number }> }).rangers;
    for (const records of [held.tickets, held.openTickets, rangers])
      for (const rec of records.values()) rec.heapIndex = 0;
    // The rolling window as net facts: a deadline missed by the clock and then corrected by a response dated in
    // time leaves a fact and its negation in the heap; whether that happens depends on where batches begin
    // (a restart begins one at the keyframe), and the pair counts nothing either way.
    const counters = live.counters as Record<string, unknown>;
    const f = counters.rolling as { t: Float64Array; code: Int32Array; chain: Int32Array };
    const net = new Map<string, number>();
    for (let i = 0; i < f.t.length; i++) {
      const negative = (f.code[i]! & NEGATIVE) !== 0;
      const key = `${f.t[i]}|${f.code[i]! & ~NEGATIVE}|${f.chain[i]}`;
      net.set(key, (net.get(key) ?? 0) + (negative ? -1 : 1));
    }
    counters.rolling = [...net].filter(([, n]) => n !== 0).sort(([a], [b]) => a.localeCompare(b));
  }
  // A patrol sub-cell stamped on an earlier day reads the same as one never visited (coverage counts today's
  // stamps): a fold whose clock walked the log's days (the brief's day-end facts close each day on it) leaves
  // earlier days' stamps that a state restored with its clock at the end never wrote.
  const patrol = live?.patrol as { visited?: Map<number, Int32Array> } | undefined;
  const today = (live?.counters as { today?: number } | undefined)?.today;
  if (patrol?.visited && today !== undefined)
    for (const days of patrol.visited.values())
      for (let i = 0; i < days.length; i++) if (days[i] !== today) days[i] = -1;
  // A day's cells that a fact and its negation left at zero read the same as cells never touched.
  const trends = (data as { trends?: { days: Map<number, Map<number, Int32Array>> } }).trends;
  if (trends)
    for (const byArea of trends.days.values())
      for (const [area, cells] of byArea) if (cells.every((x) => x === 0)) byArea.delete(area);
  // The brief's day-end facts hold the days their fold could close on the live state: a server whose clock
  // already stood past the days it is sent (here: two days of log fed to a server at their end) records none, a
  // start that folds the whole log walks them and records each (tests/integration/brief-facts.test.ts compares
  // the days themselves across a restart of a server that lived through them).
  if ('since' in data && 'days' in data) {
    delete data.since;
    delete data.days;
  }
  // When the weekly records were last pruned is a schedule (once a day of event time, at a batch's end), not state.
  if ('prunedAt' in data) delete data.prunedAt;
  // The rule engine's episodes are its memory of its own decisions (raised, on the way to the log, or resolved
  // by a person while the condition holds), not a fold of the log: a keyframe keeps them, a full fold starts
  // without them and reads the same answers from the alert book when it decides at start.
  if ('episodes' in data) delete data.episodes;
  // The rules' watched tickets: when each is looked at next counts, its place in the heap does not.
  if ('ticketWatches' in data)
    for (const w of (data.ticketWatches as Map<string, { heapIndex: number }>).values()) w.heapIndex = 0;
  return data;
}

/** The paths where two canonical states differ (at most `max`), for a readable failure. */
function differences(a: unknown, b: unknown, path = '', out: string[] = [], max = 12): string[] {
  if (out.length >= max || Object.is(a, b)) return out;
  const kind = (x: unknown) => Object.prototype.toString.call(x);
  if (kind(a) !== kind(b) || typeof a !== 'object' || a === null || b === null) {
    out.push(`${path}: ${String(a)} ≠ ${String(b)}`);
    return out;
  }
  if (a instanceof Map && b instanceof Map) {
    if (a.size !== b.size) out.push(`${path}: size ${a.size} ≠ ${b.size}`);
    for (const [k, v] of a) {
      if (!b.has(k)) out.push(`${path}[${String(k)}]: only in the first`);
      else differences(v, b.get(k), `${path}[${String(k)}]`, out, max);
    }
    return out;
  }
  if (a instanceof Set && b instanceof Set) {
    for (const k of a) if (!b.has(k)) out.push(`${path}{${String(k)}}: only in the first`);
    for (const k of b) if (!a.has(k)) out.push(`${path}{${String(k)}}: only in the second`);
    return out;
  }
  const ka = Object.keys(a as object);
  const kb = Object.keys(b as object);
  if (ka.length !== kb.length) out.push(`${path}: ${ka.length} keys ≠ ${kb.length}`);
  for (const k of ka)
    differences((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], `${path}.${k}`, out, max);
  return out;
}

const restoredFrom = (lines: Record<string, unknown>[]): number | null => {
  const line = lines.find((l) => l.msg === 'state restored from a keyframe and the log after it');
  return line ? (line.seq as number) : null;
};

describe.each([
  ['sqlite', sqliteBackend, true],
  ['postgres', postgresBackend, RUN_POSTGRES],
] as const)('keyframes on %s', (_name, makeBackend, run) => {
  const backend = run ? makeBackend() : undefined;
  let cuts: number[] = [];

  beforeAll(async () => {
    if (!backend) return;
    // A server lives through the scenario, writing keyframes at random cut points between batches.
    const { app } = await start(backend);
    const rng = createRng('keyframe-cuts');
    const batches: OpsEvent[][] = [];
    for (let i = 0; i < events.length;) {
      const n = 200 + Math.floor(rng.next() * 3000);
      batches.push(events.slice(i, i + n));
      i += n;
    }
    const cutAfter = new Set<number>();
    while (cutAfter.size < 4) cutAfter.add(Math.floor(rng.next() * (batches.length - 1)));
    for (const [i, batch] of batches.entries()) {
      await app.services.accept(batch);
      if (!cutAfter.has(i)) continue;
      await app.services.rules.idle();
      await settle(app);
      await app.services.host.writeKeyframe('midnight');
      cuts.push(app.services.host.seq);
    }
    await app.close();
    cuts = cuts.sort((a, b) => b - a);
  }, 300_000);

  afterAll(async () => backend?.dispose());

  it.skipIf(!run)(
    'at random cut points, restore(keyframe) + the tail equals a full fold, projection by projection',
    async () => {
      expect(cuts.length).toBe(4);
      // From the latest cut back: each start restores the newest keyframe left, then folds the rest.
      for (const cut of cuts) {
        await backend!.sql(`DELETE FROM keyframes WHERE seq > ${cut}`);
        const restored = await start(backend!);
        expect(restoredFrom(restored.lines)).toBe(cut);
        const fromKeyframe = canonical(restored.app);
        await restored.app.close();
        const full = await start(backend!, { KEYFRAMES: 'off' });
        expect(restoredFrom(full.lines)).toBeNull();
        expect(full.app.services.host.seq).toBe(restored.app.services.host.seq);
        const fromLog = canonical(full.app);
        await full.app.close();
        expect(Object.keys(fromKeyframe)).toEqual(Object.keys(fromLog));
        for (const name of Object.keys(fromLog))
          expect(differences(fromKeyframe[name], fromLog[name]), name).toEqual([]);
      }
    },
    600_000,
  );

  it.skipIf(!run)(
    'a truncated keyframe, an older format and another code version are each ignored, said in the log, and the start is right',
    async () => {
      const reference = await start(backend!, { KEYFRAMES: 'off' });
      const expected = canonical(reference.app);
      await reference.app.close();
      // Each start writes a keyframe at its end (a graceful stop); spoil the newest, each time another way.
      const spoil = [
        {
          sql: `UPDATE keyframes SET body = substr(body, 1, 100) WHERE seq = (SELECT max(seq) FROM keyframes)`,
          reason: /checksum/,
        },
        { sql: `UPDATE keyframes SET format = 0 WHERE seq = (SELECT max(seq) FROM keyframes)`, reason: /format 0/ },
        {
          sql: `UPDATE keyframes SET version = 'an-older-build' WHERE seq = (SELECT max(seq) FROM keyframes)`,
          reason: /code version an-older-build/,
        },
      ];
      for (const { sql, reason } of spoil) {
        const writer = await start(backend!);
        await writer.app.close(); // leaves a keyframe at the log's end
        await backend!.sql(
          sql.replace(
            'substr(body, 1, 100)',
            _name === 'postgres' ? 'substring(body from 1 for 100)' : 'substr(body, 1, 100)',
          ),
        );
        const s = await start(backend!);
        const warning = s.lines.find((l) => l.msg === 'keyframe ignored; trying an older one or the whole log');
        expect(warning, JSON.stringify(s.lines.map((l) => l.msg))).toBeDefined();
        expect(String(warning!.reason)).toMatch(reason);
        expect(differences(canonical(s.app), expected)).toEqual([]);
        await s.app.close();
      }
    },
    600_000,
  );
});

describe('keyframes and kill -9', () => {
  it('a writer killed while writing keyframes leaves the last stored one usable, and the next start restores it', async () => {
    const backend = sqliteBackend();
    try {
      const file = backend.env.DATABASE_PATH!;
      const writer = join(dirname(fileURLToPath(import.meta.url)), '..', 'helpers', 'keyframe-writer.ts');
      const acked = await new Promise<number>((resolve, reject) => {
        const child = spawn(process.execPath, ['--import', 'tsx', writer, file], { stdio: ['ignore', 'pipe', 'pipe'] });
        let last = 0;
        let count = 0;
        let stderr = '';
        let killing = false;
        child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
        child.stdout.on('data', (d: Buffer) => {
          for (const m of d.toString().matchAll(/kf (\d+)/g)) {
            last = Number(m[1]);
            count++;
          }
          if (count >= 4 && !killing) {
            killing = true;
            // Somewhere in the next keyframe's write (serialise, deflate, store), or between two.
            setTimeout(() => child.kill('SIGKILL'), Math.random() * 150);
          }
        });
        child.on('exit', (code, signal) =>
          signal === 'SIGKILL' ? resolve(last) : reject(new Error(`writer exited (${code}) unkilled: ${stderr}`)),
        );
      });
      expect(acked).toBeGreaterThan(0);
      const s = await start(backend);
      const restored = restoredFrom(s.lines);
      expect(restored).not.toBeNull();
      expect(restored!).toBeGreaterThanOrEqual(acked);
      expect(s.lines.some((l) => l.msg === 'keyframe ignored; trying an older one or the whole log')).toBe(false);
      expect(s.app.services.host.seq).toBe(await s.app.services.store.lastSeq());
      await s.app.close();
    } finally {
      await backend.dispose();
    }
  }, 180_000);
});
