// When briefs are computed and how long they are kept. Every morning at BRIEF_HOUR (Asia/Shanghai, by the app's
// clock, so a test pins it) yesterday's briefs of the district and every town are computed in one pass and kept
// in memory until the next morning's replace them, so the morning's first request is answered at once. Any
// other day, or yesterday before the hour, is computed when asked and kept for ON_DEMAND_TTL_MS: a past day's
// figures barely move, but acknowledgements of its late alerts still come in. Memory only: a restart after the
// hour computes the morning's briefs again at its first tick, from the day-end facts (reports/brief-facts.ts,
// kept in keyframes and recorded again by a start that folds the whole log), so with nothing folded.
import type { AreaKey } from '../contract/areas';
import type { Brief } from '../contract/brief';
import { DAY_MS, HOUR_MS, LOCAL_OFFSET_MS, localDay } from '../contract/time';

export const ON_DEMAND_TTL_MS = 10 * 60_000;
/** Days kept at most (a week and a day of on-demand briefs besides the morning's). */
const MAX_DAYS = 16;

export type ComputeBriefs = (
  day: number,
  generatedAtMs: number,
  source: Brief['source'],
) => Promise<Map<AreaKey, Brief>>;

export interface BriefScheduleOptions {
  compute: ComputeBriefs;
  now: () => number;
  /** Local hour (0–23) from which yesterday's briefs are computed ahead. */
  hour: number;
  /** False while the log is still being filled (the simulator's backfill): the morning run waits for it. */
  ready?: () => boolean;
  onError?: (error: unknown) => void;
}

interface Entry {
  source: Brief['source'];
  generatedAtMs: number;
  briefs: Map<AreaKey, Brief>;
}

export interface BriefSchedule {
  /** The brief of `area` for local day `day`: from the cache, from a run in progress, or computed now. */
  get(day: number, area: AreaKey): Promise<Brief | undefined>;
  /** Checks the clock: past the hour and yesterday's briefs not made yet, starts the morning run. */
  tick(): Promise<void> | undefined;
  /** The local day whose morning run last completed, or null. */
  readonly scheduledDay: number | null;
}

/** Local hour of the day of an epoch time. */
export const localHour = (ms: number): number =>
  Math.floor(((((ms + LOCAL_OFFSET_MS) % DAY_MS) + DAY_MS) % DAY_MS) / HOUR_MS);

export function createBriefSchedule(o: BriefScheduleOptions): BriefSchedule {
  const cache = new Map<number, Entry>();
  const running = new Map<number, Promise<Entry>>();
  let scheduledDay: number | null = null;
  let morning: Promise<void> | undefined;

  function keep(day: number, entry: Entry): void {
    cache.delete(day);
    cache.set(day, entry);
    while (cache.size > MAX_DAYS) cache.delete(cache.keys().next().value!);
  }

  function run(day: number, source: Brief['source']): Promise<Entry> {
    const generatedAtMs = o.now();
    const p = o.compute(day, generatedAtMs, source).then((briefs) => {
      const entry = { source, generatedAtMs, briefs };
      // A slow on-demand run must not replace the morning's briefs that finished meanwhile.
      const current = cache.get(day);
      if (!(current?.source === 'scheduled' && source === 'on-demand')) keep(day, entry);
      return entry;
    });
    running.set(day, p);
    const clear = () => {
      if (running.get(day) === p) running.delete(day);
    };
    p.then(clear, clear);
    return p;
  }

  const fresh = (e: Entry | undefined): e is Entry =>
    e !== undefined && (e.source === 'scheduled' || o.now() - e.generatedAtMs < ON_DEMAND_TTL_MS);

  return {
    get scheduledDay() {
      return scheduledDay;
    },
    async get(day, area) {
      const cached = cache.get(day);
      if (fresh(cached)) return cached.briefs.get(area);
      const entry = await (running.get(day) ?? run(day, 'on-demand'));
      return entry.briefs.get(area);
    },
    tick() {
      if (morning) return morning;
      const t = o.now();
      const yesterday = localDay(t) - 1;
      if (localHour(t) < o.hour || scheduledDay === yesterday) return undefined;
      if (o.ready && !o.ready()) return undefined;
      morning = run(yesterday, 'scheduled').then(
        () => {
          scheduledDay = yesterday;
          morning = undefined;
        },
        (error: unknown) => {
          morning = undefined;
          o.onError?.(error);
        },
      );
      return morning;
    },
  };
}
