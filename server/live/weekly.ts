// Tickets created over the last two weeks, per place and category: the leader's "what got worse this week".
// A fold of the same log as the live state, like trend.ts, because neither the live state (today, 24 h) nor
// the trend (7 days of hourly buckets) reaches back 14 days. It keeps one small record per ticket created in
// the last 15 days (time, chain, category: 13 bytes in typed arrays), so a request counts two exact rolling
// weeks, to the millisecond, with one pass over a few tens of thousands of records and no read of the log.
import type { AreaKey } from '../contract/areas';
import { TICKET_CATEGORIES, type StoredEvent, type TicketCategory } from '../contract/events';
import type { Geo } from '../geo/load';
import { AreaIndex, SLOT_GRID, SLOT_TOWN } from './areas';
import { DAY_MS, WEEK_MS } from '../contract/time';

/** Two weeks, and a day of slack for tickets dated behind the newest one seen. */
const RETENTION_MS = 2 * WEEK_MS + DAY_MS;

const CATEGORY_INDEX = new Map<TicketCategory, number>(TICKET_CATEGORIES.map((c, i) => [c, i]));

/** Tickets of one place and category: created this week, and in the week before. */
export interface WeekCount {
  /** The grid cell the ticket lies in; null for a ticket placed in the town but in none of its cells. */
  cell: AreaKey | null;
  category: TicketCategory;
  thisWeek: number;
  previous: number;
}

export interface WeeklyTickets {
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
  areaChains: ReturnType<AreaIndex['snapshotChains']>;
  times: Float64Array;
  chains: Int32Array;
  cats: Uint8Array;
  seen: Map<string, number>;
  newest: number;
  prunedAt: number;
  seq: number;
}

export function createWeeklyTickets(geo: Geo): WeeklyTickets {
  const areas = new AreaIndex(geo);
  let times = new Float64Array(1024);
  let chains = new Int32Array(1024);
  let cats = new Uint8Array(1024);
  let size = 0;
  /** Ticket ids seen within the retention, so a producer's retry of ticket.created counts once. */
  const seen = new Map<string, number>();
  let newest = -Infinity;
  let seq = 0;

  function push(t: number, chain: number, cat: number): void {
    if (size === times.length) {
      const grow = <A extends Float64Array | Int32Array | Uint8Array>(a: A, make: (n: number) => A): A => {
        const b = make(a.length * 2);
        b.set(a);
        return b;
      };
      times = grow(times, (n) => new Float64Array(n));
      chains = grow(chains, (n) => new Int32Array(n));
      cats = grow(cats, (n) => new Uint8Array(n));
    }
    times[size] = t;
    chains[size] = chain;
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
      chains[w] = chains[r]!;
      cats[w] = cats[r]!;
      w++;
    }
    size = w;
    for (const [id, t] of seen) if (t <= cut) seen.delete(id);
  }

  function fold(s: StoredEvent): void {
    const e = s.event;
    if (e.kind !== 'ticket.created') return;
    const t = Date.parse(e.time);
    if (Number.isNaN(t)) return;
    if (seen.has(e.ticketId)) return; // a producer retry, as the live state reads it
    if (t > newest) newest = t;
    if (t <= newest - RETENTION_MS) return; // older than any week asked for
    seen.set(e.ticketId, t);
    push(t, areas.chainOfPlace(s.place), CATEGORY_INDEX.get(e.category) ?? TICKET_CATEGORIES.length - 1);
  }

  return {
    snapshotState() {
      return {
        areaChains: areas.snapshotChains(),
        times: times.slice(0, size),
        chains: chains.slice(0, size),
        cats: cats.slice(0, size),
        seen,
        newest,
        prunedAt,
        seq,
      } satisfies WeeklySnapshot;
    },
    restoreState(data) {
      const s = data as WeeklySnapshot;
      areas.restoreChains(s.areaChains);
      size = 0;
      for (let r = 0; r < s.times.length; r++) push(s.times[r]!, s.chains[r]!, s.cats[r]!);
      seen.clear();
      for (const [id, t] of s.seen) seen.set(id, t);
      newest = s.newest;
      prunedAt = s.prunedAt;
      seq = s.seq;
    },
    get seq() {
      return seq;
    },
    apply(events) {
      for (const s of events) {
        if (s.seq <= seq) continue;
        fold(s);
        seq = s.seq;
      }
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
        const chain = areas.chains[chains[r]!]!;
        if (chain[SLOT_TOWN] !== townIdx) continue;
        const gridIdx = chain[SLOT_GRID]!;
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
