// npm run bench -- replay: how long history mode takes to start. A simulated log (normal scenario, realistic
// rates: the embedded simulator's own mix) in a SQLite file; a replay opens over one whole day: at the day's
// start (the fold reads nothing of the day), and at its end (a seek to the last moment folds the whole day);
// then the same on a week-long log, where every replay first folds the days before the window.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { EventBus } from '../../server/bus/types';
import { loadGeo, type Geo } from '../../server/geo/load';
import { computeBriefs } from '../../server/reports/brief';
import type { BriefFacts } from '../../server/reports/brief-facts';
import { createRng } from '../../server/sim/prng';
import type { EventStore, KeyframeStore } from '../../server/store/types';
import { createLocator } from '../../server/geo/locate';
import { createAcceptor } from '../../server/ingest/accept';
import { createInProcessBus } from '../../server/bus/in-process';
import { DAY_MS, dayStartMs, HOUR_MS, LOCAL_OFFSET_MS, localDay } from '../../server/contract/time';
import { ReplaySession } from '../../server/replay/session';
import { createSimulator } from '../../server/sim/engine';
import { openSqliteStore } from '../../server/store/sqlite';
import { livedHost } from '../helpers/lived-host';
import { GEO_DIR } from '../helpers/paths';

type Row = (...cells: (string | number)[]) => void;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

export async function benchReplayRows(row: Row): Promise<void> {
  const geo = await loadGeo(GEO_DIR);
  const dir = mkdtempSync(path.join(tmpdir(), 'opsmap-replay-bench-'));
  try {
    const end = dayStartMs(localDay(Date.parse('2026-07-27T12:00:00+08:00')));
    for (const days of [1, 7]) {
      const store = openSqliteStore(path.join(dir, `log-${days}.sqlite`), { synchronous: 'normal' });
      const bus = createInProcessBus(store);
      const start = end - days * DAY_MS;
      const accept = createAcceptor({
        geo,
        locator: createLocator(geo),
        bus,
        maxFutureSkewMs: 300_000,
        now: () => end + 60_000,
      });
      const sim = createSimulator({ geo, scenario: 'normal', seed: 5, start });
      // On the week: a server lives through it (its clock follows the hours) and keeps a keyframe at each midnight
      // and at every HISTORY_HOURS boundary between.
      const lived = days > 1 ? await livedServer(geo, store, bus, start) : undefined;
      for (let t = start + 3600_000; t <= end; t += 3600_000) {
        const events = sim.next(t);
        for (let i = 0; i < events.length; i += 5000) await accept(events.slice(i, i + 5000));
        await lived?.hour(t);
      }
      await lived?.host.close();
      const logLength = await store.lastSeq();
      const dayFrom = end - DAY_MS;
      const deps = { geo, store };
      const time = async (atMs: number): Promise<{ ms: number; seq: number }> => {
        const times: number[] = [];
        let seq = 0;
        for (let r = 0; r < 3; r++) {
          const t0 = performance.now();
          const session = await ReplaySession.open(deps, {
            scope: geo.tree.root as never,
            fromMs: dayFrom,
            toMs: end,
            atMs,
          });
          session.snapshot();
          times.push(performance.now() - t0);
          seq = session.seq;
        }
        return { ms: median(times), seq };
      };
      const atStart = await time(dayFrom);
      const atEnd = await time(end);
      const eventsPerDay = Math.round(logLength / days);
      row(
        `replay: start a day's replay (district snapshot), log of ${days} day${days > 1 ? 's' : ''}, at the day's start`,
        `${Math.round(atStart.ms)} ms`,
        `${logLength.toLocaleString('en')} events in the log (${eventsPerDay.toLocaleString('en')}/day, normal scenario); folds ${atStart.seq.toLocaleString('en')} events; median of 3; goal < 2 s`,
      );
      row(
        `replay: the same, opened at the day's end (the whole day folded)`,
        `${Math.round(atEnd.ms)} ms`,
        `folds ${atEnd.seq.toLocaleString('en')} events; median of 3`,
      );
      if (lived) await keyframeRows(row, geo, store, lived.keyframes, lived.facts, start, end, logLength);
      await bus.close();
      await store.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const KF_VERSION = 'bench';

/** The default of KEYFRAME_HISTORY_HOURS (config.ts). */
const HISTORY_HOURS = 4;

/**
 * A projection host over the log with a live state, an alert book and the brief's day-end facts, writing a
 * keyframe at each local midnight and at each HISTORY_HOURS boundary (awaited here, so each is stored before the
 * next hour is written).
 */
async function livedServer(geo: Geo, store: EventStore, bus: EventBus, start: number) {
  let clock = start;
  const { host, facts } = livedHost({ geo, store, bus, now: () => clock, version: KF_VERSION, facts: true });
  const keyframes = store.keyframes!;
  await host.start();
  return {
    host,
    keyframes,
    facts: facts!,
    async hour(t: number) {
      clock = t;
      host.tick();
      if (localDay(t) !== localDay(t - 3600_000)) await host.writeKeyframe('midnight');
      else if (Math.floor((t + LOCAL_OFFSET_MS) / HOUR_MS) % HISTORY_HOURS === 0) await host.writeKeyframe('hour');
    },
  };
}

/** Replays at random moments of the week, and the brief of its last whole day, from the log start and from keyframes. */
async function keyframeRows(
  row: Row,
  geo: Geo,
  store: EventStore,
  keyframes: KeyframeStore,
  facts: BriefFacts,
  start: number,
  end: number,
  logLength: number,
): Promise<void> {
  const rng = createRng('replay-bench-moments');
  const moments = Array.from({ length: 5 }, () => start + 1.2 * DAY_MS + rng.next() * (end - start - 1.3 * DAY_MS));
  const open = async (withKeyframes: false | KeyframeStore) => {
    const times: number[] = [];
    for (const atMs of moments) {
      const t0 = performance.now();
      const session = await ReplaySession.open(
        {
          geo,
          store,
          live: {},
          ...(withKeyframes ? { keyframes: { store: withKeyframes, version: KF_VERSION, part: 'live' } } : {}),
        },
        { scope: geo.tree.root as never, fromMs: atMs - 3600_000, toMs: atMs + 3600_000, atMs },
      );
      session.snapshot();
      times.push(performance.now() - t0);
    }
    return median(times);
  };
  const full = await open(false);
  const fromMidnight = await open(midnightOnly(keyframes));
  const fromKeyframe = await open(keyframes);
  row(
    'replay: start at a random moment of a week-long log, folding from the log start',
    `${Math.round(full)} ms`,
    `${logLength.toLocaleString('en')} events; median of 5 moments`,
  );
  row(
    'replay: the same moments, from the nearest midnight keyframe (KEYFRAME_HISTORY_HOURS=24)',
    `${Math.round(fromMidnight)} ms`,
    `same log and moments, same run; ${(full / fromMidnight).toFixed(1)}× faster`,
  );
  row(
    `replay: the same moments, from the nearest keyframe of the ${HISTORY_HOURS} h boundaries (the default)`,
    `${Math.round(fromKeyframe)} ms`,
    `same run; ${(full / fromKeyframe).toFixed(1)}× faster than from the log start, ${(fromMidnight / fromKeyframe).toFixed(1)}× than from midnight; goal ≤ 500 ms`,
  );
  const day = localDay(end) - 1;
  const brief = async (withKeyframes: boolean, withFacts = false) => {
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    await computeBriefs(
      geo,
      {},
      store,
      day,
      end,
      'on-demand',
      withKeyframes
        ? {
            store: keyframes,
            version: KF_VERSION,
            livePart: 'live',
            alertsPart: 'alerts',
            supervisionPart: 'supervision',
          }
        : undefined,
      withFacts ? facts : undefined,
    );
    const cpu = process.cpuUsage(cpu0);
    return { ms: performance.now() - t0, cpuMs: (cpu.user + cpu.system) / 1000 };
  };
  const briefFull = await brief(false);
  const briefKeyframe = await brief(true);
  const briefFacts = await brief(true, true);
  row(
    "brief: the district's and every town's brief of the week's last whole day, folding from the log start",
    `${Math.round(briefFull.ms)} ms`,
    `${logLength.toLocaleString('en')} events; CPU ${Math.round(briefFull.cpuMs)} ms`,
  );
  row(
    'brief: the same, from the midnight keyframe before its week',
    `${Math.round(briefKeyframe.ms)} ms`,
    `same run; CPU ${Math.round(briefKeyframe.cpuMs)} ms; the brief compares seven days, so it still folds the week before its day`,
  );
  row(
    "brief: the same, from the day-end facts on the server's fold (nothing folded)",
    `${Math.round(briefFacts.ms)} ms`,
    `same run; CPU ${Math.round(briefFacts.cpuMs)} ms; ${(briefKeyframe.ms / briefFacts.ms).toFixed(0)}× faster than from the keyframe; goal ≤ 500 ms`,
  );
}

/** The same keyframes as a server with KEYFRAME_HISTORY_HOURS=24 would have kept: the midnight ones only. */
function midnightOnly(keyframes: KeyframeStore): KeyframeStore {
  return {
    ...keyframes,
    async latest(bounds = {}) {
      let maxSeq = bounds.maxSeq;
      for (;;) {
        const k = await keyframes.latest({ ...bounds, ...(maxSeq === undefined ? {} : { maxSeq }) });
        if (!k || k.kind === 'midnight') return k;
        maxSeq = k.seq - 1;
      }
    },
  };
}
