// Tickets created over the last two weeks, per place and category: the leader's "what got worse this week".
// Kept beside the live state, like trend.ts, because neither the live state (today, 24 h) nor the trend (7 days
// of hourly buckets) reaches back 14 days. It hears the live state's creations (observer.ts), so a producer's
// retry counts once as it does there, and keeps one small record per ticket created in the last 15 days (time,
// town, grid cell, category: 17 bytes in typed arrays), so a request counts two exact rolling weeks, to the
// millisecond, with one pass over a few tens of thousands of records and no read of the log.
import type { AreaKey } from '../contract/areas';
import { TICKET_CATEGORIES, type StoredEvent, type TicketCategory } from '../contract/events';
import type { Geo } from '../geo/load';
import { AreaIndex, SLOT_GRID, SLOT_TOWN } from './areas';
import { DAY_MS, WEEK_MS } from '../contract/time';
import type { LiveObserver } from './observer';
import { seqFold } from './seq-fold';
import { K_CREATED, PROACTIVE_FLAG } from './state/layout';

/** Two weeks, and a day of slack for tickets dated behind the newest one seen. */
const RETENTION_MS = 2 * WEEK_MS + DAY_MS;

/** Tickets of one place and category: created this week, and in the week before. */
export interface WeekCount {
  /** The grid cell the ticket lies in; null for a ticket placed in the town but in none of its cells. */
  cell: AreaKey | null;
  category: TicketCategory;
  thisWeek: number;
  previous: number;
}

export interface WeeklyTickets {
  /** What the live state tells it (createLiveState's observer, merged with the others'). */
  readonly observer: Required<Pick<LiveObserver, 'fact'>>;
  /** The last seq counted: the live state folds a batch first, then this takes its seq. */
  readonly seq: number;
  apply(events: readonly StoredEvent[]): void;
  /**
   * Tickets created in the town, by their creation time: this week = (now − 7 d, ∞) (a producer's clock a
   * little ahead counts now, as in the live state's rolling window), previous = (now − 14 d, now − 7 d].
   * Undefined for a key that is not a town of the geography. Places and categories with no ticket in either
   * week are absent.
   */
  weeks(town: AreaKey, nowMs: number): WeekCount[] | undefined;
  /** Its state for a keyframe, and back (live/keyframes.ts). */
  snapshotState(): unknown;
  restoreState(data: unknown): void;
}

interface WeeklySnapshot {
  times: Float64Array;
  towns: Int32Array;
  grids: Int32Array;
  cats: Uint8Array;
  newest: number;
  prunedAt: number;
  seq: number;
}

export function createWeeklyTickets(geo: Geo): WeeklyTickets {
  const areas = new AreaIndex(geo);
  let times = new Float64Array(1024);
  /** Area indices (AreaIndex over the same geography as the live state's): the ticket's town and grid cell. */
  let towns = new Int32Array(1024);
  let grids = new Int32Array(1024);
  let cats = new Uint8Array(1024);
  let size = 0;
  let newest = -Infinity;

  function push(t: number, town: number, grid: number, cat: number): void {
    if (size === times.length) {
      const grow = <A extends Float64Array | Int32Array | Uint8Array>(a: A, make: (n: number) => A): A => {
        const b = make(a.length * 2);
        b.set(a);
        return b;
      };
      times = grow(times, (n) => new Float64Array(n));
      towns = grow(towns, (n) => new Int32Array(n));
      grids = grow(grids, (n) => new Int32Array(n));
      cats = grow(cats, (n) => new Uint8Array(n));
    }
    times[size] = t;
    towns[size] = town;
    grids[size] = grid;
    cats[size] = cat;
    size++;
  }

  /** Drops records older than the retention; runs when the newest time has moved a day since the last time. */
  let prunedAt = -Infinity;
  function prune(): void {
    if (newest - prunedAt < DAY_MS) return;
    prunedAt = newest;
    const cut = newest - RETENTION_MS;
    let w = 0;
    for (let r = 0; r < size; r++) {
      if (times[r]! <= cut) continue;
      times[w] = times[r]!;
      towns[w] = towns[r]!;
      grids[w] = grids[r]!;
      cats[w] = cats[r]!;
      w++;
    }
    size = w;
  }

  const observer: WeeklyTickets['observer'] = {
    fact(t, code, chain, sign) {
      // Creations only (they are never taken back); the category index is the live state's (state/layout.ts:
      // the order of TICKET_CATEGORIES).
      if ((code & 15) !== K_CREATED || sign < 0) return;
      if (t > newest) newest = t;
      if (t <= newest - RETENTION_MS) return; // older than any week asked for
      push(t, chain[SLOT_TOWN]!, chain[SLOT_GRID]!, (code >> 4) & (PROACTIVE_FLAG - 1));
    },
  };
  const log = seqFold(() => {});

  return {
    observer,
    snapshotState() {
      return {
        times: times.slice(0, size),
        towns: towns.slice(0, size),
        grids: grids.slice(0, size),
        cats: cats.slice(0, size),
        newest,
        prunedAt,
        seq: log.seq,
      } satisfies WeeklySnapshot;
    },
    restoreState(data) {
      const s = data as WeeklySnapshot;
      size = 0;
      for (let r = 0; r < s.times.length; r++) push(s.times[r]!, s.towns[r]!, s.grids[r]!, s.cats[r]!);
      newest = s.newest;
      prunedAt = s.prunedAt;
      log.seq = s.seq;
    },
    get seq() {
      return log.seq;
    },
    apply(events) {
      log.apply(events);
      prune();
    },
    weeks(town, nowMs) {
      const townIdx = areas.byKey.get(town);
      if (townIdx === undefined || areas.levels[townIdx] !== 'town') return undefined;
      const weekStart = nowMs - WEEK_MS;
      const previousStart = nowMs - 2 * WEEK_MS;
      const counts = new Map<string, WeekCount>();
      for (let r = 0; r < size; r++) {
        const t = times[r]!;
        if (t <= previousStart) continue;
        if (towns[r] !== townIdx) continue;
        const gridIdx = grids[r]!;
        const cell = gridIdx < 0 ? null : areas.keys[gridIdx]!;
        const category = TICKET_CATEGORIES[cats[r]!]!;
        const id = `${cell ?? ''}|${category}`;
        let row = counts.get(id);
        if (!row) counts.set(id, (row = { cell, category, thisWeek: 0, previous: 0 }));
        if (t > weekStart) row.thisWeek++;
        else row.previous++;
      }
      return [...counts.values()];
    },
  };
}
