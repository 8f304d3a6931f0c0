// The simulator inside the server (SIMULATOR=on): it feeds the same accept() pipeline as every other source,
// so its events are validated, located, logged and folded like real ones.
// - A first start (empty log) backfills SIM_BACKFILL_HOURS of the past at full speed: the map opens on a
//   district that already has a day behind it.
// - Then it follows real time: events are never timed in the future (ingest would reject them).
// - A restart continues the same run (same run id, start and seed, kept in a small file beside the log):
//   the events already in the log come back as duplicates and are not applied twice; the gap is filled.
//   A run older than a day starts afresh instead of regenerating days of events.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Geo } from '../geo/load';
import type { Acceptor } from '../ingest/accept';
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
}

const BATCH = 2000;
const MAX_RESUME_MS = 24 * 3600_000;

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
    now() - previous.start < MAX_RESUME_MS;
  const start = resumable ? previous.start : now() - (o.emptyLog ? o.backfillHours * 3600_000 : 0);
  if (o.stateFile) {
    mkdirSync(dirname(o.stateFile), { recursive: true });
    writeFileSync(o.stateFile, JSON.stringify({ scenario: o.scenario, seed: o.seed, start } satisfies RunState));
  }
  const sim: Simulator = createSimulator({ geo: o.geo, scenario: o.scenario, seed: o.seed, start });

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
      { scenario: o.scenario, seed: o.seed, runId: sim.runId, accepted, ms: now() - t, resumed: Boolean(resumable) },
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
