// The simulator inside the server (SIMULATOR=on): it feeds the same accept() pipeline as every other source,
// so its events are validated, located, logged and folded like real ones.
// - A first start (empty log) backfills SIM_BACKFILL_HOURS of the past at full speed (default 744: a month,
//   so the month's figures have a month behind them at once). Only yesterday and today are in full detail;
//   before them the run is thin (engine.ts `detailFrom`: every ticket, but no ranger GPS track and hourly
//   gauge readings), because a month of positions every 10 s would be millions of events and minutes of
//   start, for a past that nothing shows.
// - Then it follows real time: events are never timed in the future (ingest would reject them).
// - A restart continues the same run (same run id, start and seed, kept in a small file beside the log):
//   the events already in the log come back as duplicates and are not applied twice; the gap is filled.
//   A run whose detailed part began more than three days ago (up to two days of backfill, then more than a
//   day since) starts afresh instead of regenerating days of detail.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Geo } from '../geo/load';
import type { Acceptor } from '../ingest/accept';
import { DAY_MS } from '../contract/time';
import { beijing } from './clock';
import { createSimulator, type Simulator } from './engine';
import type { ScenarioName } from './scenarios';

export interface EmbeddedSimOptions {
  geo: Geo;
  accept: Acceptor;
  scenario: ScenarioName;
  seed: number;
  backfillHours: number;
  /** Where the run is remembered across restarts; undefined: not remembered (in-memory store). */
  stateFile?: string;
  /** True when the log is empty (a first start). */
  emptyLog: boolean;
  now?: () => number;
  tickMs?: number;
  log: { info(obj: object, msg: string): void; warn(obj: object, msg: string): void };
}

interface RunState {
  scenario: ScenarioName;
  seed: number;
  start: number;
  /** Where the run's full detail begins; absent in a file written before runs had a thin part (= start). */
  detailFrom?: number;
}

// Large batches for a month of backfill: fewer transactions and fsyncs (a month at 5,000 took 13 s where 2,000
// took 16 s); a batch holds the event loop for a few hundred milliseconds at most, and only during the backfill.
const BATCH = 5000;
/** The longest detailed part a resume regenerates: the first start's (up to two days) and up to a day since. */
const MAX_RESUME_MS = 72 * 3600_000;
/**
 * Where a first start's full detail begins: yesterday's local midnight, because today's patrol coverage needs
 * today's positions and yesterday's brief (its figures at midnight) yesterday's. 24–48 hours of detail.
 */
export const detailFromFor = (now: number): number => beijing(now).dayStart - DAY_MS;

export interface EmbeddedSim {
  /** Resolves when the backfill (or the resume) has been ingested. */
  ready: Promise<void>;
  stop(): Promise<void>;
}

export function startEmbeddedSimulator(o: EmbeddedSimOptions): EmbeddedSim {
  const now = o.now ?? Date.now;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> = Promise.resolve();

  const previous =
    o.stateFile && existsSync(o.stateFile) ? (JSON.parse(readFileSync(o.stateFile, 'utf8')) as RunState) : undefined;
  const resumable =
    previous &&
    !o.emptyLog &&
    previous.scenario === o.scenario &&
    previous.seed === o.seed &&
    now() - (previous.detailFrom ?? previous.start) < MAX_RESUME_MS;
  const start = resumable ? previous.start : now() - (o.emptyLog ? o.backfillHours * 3600_000 : 0);
  const detailFrom = resumable ? (previous.detailFrom ?? previous.start) : Math.max(start, detailFromFor(now()));
  if (o.stateFile) {
    mkdirSync(dirname(o.stateFile), { recursive: true });
    writeFileSync(
      o.stateFile,
      JSON.stringify({ scenario: o.scenario, seed: o.seed, start, detailFrom } satisfies RunState),
    );
  }
  const sim: Simulator = createSimulator({ geo: o.geo, scenario: o.scenario, seed: o.seed, start, detailFrom });

  /** Ingests everything due up to the present, in batches. */
  async function catchUp(): Promise<number> {
    let total = 0;
    for (;;) {
      if (stopped) return total;
      const events = sim.take(BATCH, now());
      if (events.length === 0) return total;
      const r = await o.accept(events);
      total += r.accepted;
      if (r.rejected > 0)
        o.log.warn(
          { rejected: r.rejected, first: r.results.find((x) => x.status === 'rejected') },
          'simulator events rejected',
        );
    }
  }

  const ready = (async () => {
    const t = now();
    const accepted = await catchUp();
    o.log.info(
      {
        scenario: o.scenario,
        seed: o.seed,
        runId: sim.runId,
        backfillHours: Math.round((t - start) / 3600_000),
        accepted,
        ms: now() - t,
        resumed: Boolean(resumable),
      },
      resumable ? 'simulator resumed its run' : 'simulator started',
    );
    const tick = () => {
      if (stopped) return;
      running = catchUp()
        .catch((err) => o.log.warn({ err }, 'simulator tick failed; retrying'))
        .finally(() => {
          if (!stopped) timer = setTimeout(tick, o.tickMs ?? 1000);
        });
    };
    timer = setTimeout(tick, o.tickMs ?? 1000);
  })();

  return {
    ready,
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await ready.catch(() => undefined);
      await running;
    },
  };
}

/**
 * The server clock of a time-lapse run (SIM_SPEED): from the moment it is made, it advances `speed` ms per
 * real ms. It is the whole server's clock, not only the simulator's, so that ingest's future-skew check, the
 * live state's deadlines and windows, and the simulator agree on what "now" is; speed 1 is the real clock.
 */
export function timeLapseClock(speed: number, real: () => number = Date.now): () => number {
  if (!(speed >= 1)) throw new Error('timeLapseClock: speed must be ≥ 1');
  if (speed === 1) return real;
  const anchor = real();
  return () => anchor + (real() - anchor) * speed;
}
