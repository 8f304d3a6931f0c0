// An area's trends over days and weeks: tickets per day by category, the three rates per week, flood levels
// per checkpoint, patrol coverage per forest cluster per day (contract/trends.ts). A fold of the same log as
// the live state, kept apart from it like trend.ts and weekly.ts.
//
// One definition of every figure: the fold runs a live state of its own (same options as the app's) and
// listens to it (observer.ts). Every ticket fact the live state counts into "today" and "24 h" (a creation, a
// close, a verdict, a rating, a response settled in time or missed, or a correction of one) is counted here
// into the local day of the fact's own time, with the same counting function (countWindowFact), and a week's
// rates come from its seven days' counters through the same windowKpisOf. So a day's bucket is what the KPI bar
// showed on that day, by construction, and a week is seven such days. Coverage days hear the live state's own
// sub-cell of each ranger position; flood levels are the readings of the layer's checkpoints, as the live state
// takes them. The price is a second live state in memory (open tickets, closed ones for their retention); the
// buckets beside it are bounded: DAY_RETENTION days of counters per area that had any, TREND_DAYS days of
// visited bitmaps per cluster, FLOOD_RETENTION_DAYS of 10-minute maxima per checkpoint in a ring.
import type { AreaKey } from '../contract/areas';
import type { TicketWindowKpis } from '../contract/live';
import { TICKET_CATEGORIES, type StoredEvent, type TicketCategory } from '../contract/events';
import {
  FLOOD_BUCKET_MS,
  FLOOD_MAX_POINTS,
  FLOOD_RETENTION_DAYS,
  TREND_DAYS,
  TREND_WEEKS,
  type AreaTrends,
  type ClusterCoverage,
  type FloodSeries,
  type TrendDay,
  type TrendWeek,
} from '../contract/trends';
import type { Geo } from '../geo/load';
import { AreaIndex } from './areas';
import type { LiveObserver } from './observer';
import type { LiveFold } from './types';
import { resolveLiveOptions, type LiveOptions } from './options';
import { countWindowFact, createLiveState, WINDOW_FIELDS, windowKpisOf } from './state';
import { DAY_MS, isoLocal, localDay } from '../contract/time';

/**
 * Longest span a month pair reads: from the 1st of the previous calendar month to today, at most 31 + 31 days
 * (the 31st of a month that follows a 31-day month).
 */
export const MONTH_PAIR_DAYS = 62;
/**
 * Days of ticket counters kept: every week of the rates chart (which also covers the days chart), and the
 * previous calendar month with this one (the 治理类 towns' 三升四降, treatment.ts).
 */
export const DAY_RETENTION = Math.max(TREND_WEEKS * 7, MONTH_PAIR_DAYS);
const NCAT = TICKET_CATEGORIES.length;
/** Cells of one (day, area) bucket: the window counters of the live state, then created per category. */
const CELLS = WINDOW_FIELDS + NCAT;
const FLOOD_SLOTS = (FLOOD_RETENTION_DAYS * DAY_MS) / FLOOD_BUCKET_MS;
const NO_TICKET_DAY = 2147483647;

/** A local day number as its calendar date: the day number counts local days since 1970-01-01, so its UTC date is the local date. */
export const localDate = (day: number): string => new Date(day * DAY_MS).toISOString().slice(0, 10);

/** Week `k` back from the week that ends on `today` (k = 0): its first and last local day, both included. */
export function weekDays(today: number, k: number): { first: number; last: number } {
  const last = today - 7 * k;
  return { first: last - 6, last };
}

/**
 * Bucket width for a flood range: the finest whole multiple of FLOOD_BUCKET_MS for which the buckets that
 * overlap [from, to] (aligned to the epoch, so to local 10-minute marks too) number at most FLOOD_MAX_POINTS.
 */
export function floodBucketMs(from: number, to: number): number {
  const span = Math.max(0, to - from);
  let k = Math.max(1, Math.ceil(span / (FLOOD_BUCKET_MS * FLOOD_MAX_POINTS)));
  while (Math.floor(to / (k * FLOOD_BUCKET_MS)) - Math.floor(from / (k * FLOOD_BUCKET_MS)) + 1 > FLOOD_MAX_POINTS) k++;
  return k * FLOOD_BUCKET_MS;
}

interface Checkpoint {
  id: string;
  name: string;
  thresholds: FloodSeries['thresholds'];
  /** Ring of 10-minute buckets: the bucket number a slot holds (-1: none) and its highest level. */
  bucket: Float64Array;
  max: Float64Array;
}

interface DayCoverage {
  bits: Uint8Array;
  visited: number;
}

export interface AreaTrendsFold {
  readonly seq: number;
  /** The live state the trends listen to (the app's own, when it hands one over: see createAreaTrends). */
  readonly live: LiveFold;
  apply(events: readonly StoredEvent[]): void;
  /** Moves the clock (deadlines settle, old buckets go); it never runs backwards. */
  advance(nowMs: number): void;
  /**
   * The trends of `area` at `nowMs`, flood levels over [from, to]; undefined for an area the geography does
   * not have.
   */
  trends(area: AreaKey, nowMs: number, range: { from: number; to: number }): AreaTrends | undefined;
  /**
   * The ticket figures of `area` over local days [first, last], both included, from the day counters (the same
   * counting as the live state's windows, so the days of this month so far give the month window's figures);
   * undefined for an area the geography does not have. Only days within DAY_RETENTION of the clock are held.
   */
  kpisOverDays(area: AreaKey, first: number, last: number): TicketWindowKpis | undefined;
  /** The first local day the fold heard any ticket fact of, anywhere (null before any): where the log's days begin. */
  readonly firstFactDay: number | null;
  /**
   * The first local day a ticket was created in `area`, over the whole log (not only the days kept); null when
   * none was, undefined for an area the geography does not have.
   */
  firstTicketDay(area: AreaKey): number | null | undefined;
  /** The trends' own counters for a keyframe (not the live state's: it has its own). */
  snapshotState(): unknown;
  /** Takes over snapshotState()'s data, before anything is folded. */
  restoreState(data: unknown): void;
}

interface AreaTrendsSnapshot {
  days: Map<number, Map<number, Int32Array>>;
  visits: Map<number, Map<number, DayCoverage>>;
  flood: Map<string, { bucket: Float64Array; max: Float64Array }>;
  clockDay: number;
  firstFactDay: number | null;
  firstTicket: Int32Array;
}

/**
 * `makeLive`: the app passes its own live state's maker, so that the trends listen to the live state the
 * dashboard reads instead of folding the whole log a second time in a copy of it (memory and start-up time);
 * the app then folds through this fold's apply / advance. Without it (tests) the fold makes a live state of its own.
 */
export function createAreaTrends(
  geo: Geo,
  options: Partial<LiveOptions> = {},
  nowMs?: number,
  makeLive?: (observer: LiveObserver) => LiveFold,
): AreaTrendsFold {
  const o = resolveLiveOptions(options);
  const areas = new AreaIndex(geo);
  /** local day → area index → cells. */
  const days = new Map<number, Map<number, Int32Array>>();
  /** local day → cluster area index → visited sub-cells. */
  const visits = new Map<number, Map<number, DayCoverage>>();
  const subcells = new Map<number, number>();
  const checkpoints = new Map<string, Checkpoint>();
  /** Area index → the checkpoints counting in it, in layer order. */
  const checkpointsIn = new Map<number, Checkpoint[]>();
  const props = new Map(geo.layers.checkpoints.features.map((f) => [f.properties.id, f.properties]));
  const clusterNames = new Map(geo.layers.forest.features.map((f) => [f.properties.id, f.properties.name]));
  let clockDay = nowMs !== undefined && Number.isFinite(nowMs) ? localDay(nowMs) : -Infinity;
  let firstFactDay: number | null = null;
  /** Area index → first local day with a new ticket, NO_TICKET_DAY when none yet. */
  const firstTicket = new Int32Array(areas.size).fill(NO_TICKET_DAY);
  const scratch = new Int32Array(WINDOW_FIELDS);

  const observer: LiveObserver = {
    checkpoint(id, chain) {
      const p = props.get(id)!;
      const cp: Checkpoint = {
        id,
        name: p.name,
        thresholds: {
          blue: p.thresholds.blue,
          yellow: p.thresholds.yellow,
          orange: p.thresholds.orange,
          red: p.thresholds.red,
        },
        bucket: new Float64Array(FLOOD_SLOTS).fill(-1),
        max: new Float64Array(FLOOD_SLOTS),
      };
      checkpoints.set(id, cp);
      for (const a of chain) {
        if (a < 0) continue;
        const list = checkpointsIn.get(a);
        if (list) list.push(cp);
        else checkpointsIn.set(a, [cp]);
      }
    },
    cluster(area, n) {
      subcells.set(area, n);
    },
    fact(t, code, chain, sign) {
      const day = localDay(t);
      if (firstFactDay === null || day < firstFactDay) firstFactDay = day;
      // countWindowFact says which facts are creations (a category back): the one decoder of the codes.
      if (sign > 0 && countWindowFact(scratch.fill(0), 0, code, sign) >= 0)
        for (const a of chain) if (a >= 0 && day < firstTicket[a]!) firstTicket[a] = day;
      if (day <= clockDay - DAY_RETENTION) return; // older than any chart shows
      let byArea = days.get(day);
      if (!byArea) days.set(day, (byArea = new Map()));
      for (const a of chain) {
        if (a < 0) continue;
        let cells = byArea.get(a);
        if (!cells) byArea.set(a, (cells = new Int32Array(CELLS)));
        const category = countWindowFact(cells, 0, code, sign);
        if (category >= 0) cells[WINDOW_FIELDS + category]! += sign;
      }
    },
    visit(day, cluster, sub) {
      if (day <= clockDay - TREND_DAYS) return;
      let byCluster = visits.get(day);
      if (!byCluster) visits.set(day, (byCluster = new Map()));
      let cov = byCluster.get(cluster);
      if (!cov) byCluster.set(cluster, (cov = { bits: new Uint8Array(subcells.get(cluster) ?? 0), visited: 0 }));
      if (cov.bits[sub] === 0) {
        cov.bits[sub] = 1;
        cov.visited++;
      }
    },
  };
  const live = makeLive ? makeLive(observer) : createLiveState(geo, o, nowMs, observer);

  function reading(id: string, ms: number, level: number): void {
    const cp = checkpoints.get(id);
    if (!cp || !Number.isFinite(level)) return;
    const b = Math.floor(ms / FLOOD_BUCKET_MS);
    const slot = ((b % FLOOD_SLOTS) + FLOOD_SLOTS) % FLOOD_SLOTS;
    const held = cp.bucket[slot]!;
    if (held === b) {
      if (level > cp.max[slot]!) cp.max[slot] = level;
    } else if (b > held) {
      // The slot held a bucket a whole ring older: the ring has moved on.
      cp.bucket[slot] = b;
      cp.max[slot] = level;
    }
  }

  function moveClock(nowMs: number): void {
    const day = localDay(nowMs);
    if (!(day > clockDay)) return;
    clockDay = day;
    for (const d of days.keys()) if (d <= day - DAY_RETENTION) days.delete(d);
    for (const d of visits.keys()) if (d <= day - TREND_DAYS) visits.delete(d);
  }

  function floodSeries(cp: Checkpoint, from: number, to: number, bucketMs: number): FloodSeries {
    const k = bucketMs / FLOOD_BUCKET_MS;
    const points: [number, number][] = [];
    const first = Math.floor(from / bucketMs);
    const last = Math.floor(to / bucketMs);
    for (let w = first; w <= last; w++) {
      let max = -Infinity;
      for (let b = w * k; b < (w + 1) * k; b++) {
        const slot = ((b % FLOOD_SLOTS) + FLOOD_SLOTS) % FLOOD_SLOTS;
        if (cp.bucket[slot] === b && cp.max[slot]! > max) max = cp.max[slot]!;
      }
      if (max > -Infinity) points.push([w * bucketMs, max]);
    }
    return { checkpointId: cp.id, name: cp.name, thresholds: cp.thresholds, points };
  }

  function clustersOf(idx: number): number[] {
    const level = areas.levels[idx];
    if (level === 'forest') return [idx];
    if (level === 'town') return areas.children[idx]!.filter((c) => areas.levels[c] === 'forest');
    if (level === 'district') {
      const out: number[] = [];
      for (let a = 0; a < areas.size; a++) if (areas.levels[a] === 'forest') out.push(a);
      return out;
    }
    return [];
  }

  return {
    live,
    get seq() {
      return live.seq;
    },
    snapshotState() {
      const flood = new Map<string, { bucket: Float64Array; max: Float64Array }>();
      for (const [id, cp] of checkpoints) flood.set(id, { bucket: cp.bucket, max: cp.max });
      return { days, visits, flood, clockDay, firstFactDay, firstTicket } satisfies AreaTrendsSnapshot;
    },
    restoreState(data) {
      const s = data as AreaTrendsSnapshot;
      days.clear();
      for (const [d, m] of s.days) days.set(d, m);
      visits.clear();
      for (const [d, m] of s.visits) visits.set(d, m);
      for (const [id, f] of s.flood) {
        const cp = checkpoints.get(id);
        if (!cp) continue;
        cp.bucket.set(f.bucket);
        cp.max.set(f.max);
      }
      clockDay = s.clockDay;
      firstFactDay = s.firstFactDay;
      firstTicket.set(s.firstTicket);
    },
    apply(events) {
      const seq = live.seq;
      live.apply(events);
      for (const s of events) {
        if (s.seq <= seq) continue; // a replay: the live state ignored it too
        const e = s.event;
        if (e.kind !== 'flood.reading') continue;
        const ms = Date.parse(e.time);
        if (!Number.isNaN(ms)) reading(e.checkpointId, ms, e.level);
      }
    },
    advance(nowMs) {
      if (!Number.isFinite(nowMs)) return;
      live.advance(nowMs);
      moveClock(nowMs);
    },
    get firstFactDay() {
      return firstFactDay;
    },
    firstTicketDay(area) {
      const idx = areas.byKey.get(area);
      if (idx === undefined) return undefined;
      const d = firstTicket[idx]!;
      return d === NO_TICKET_DAY ? null : d;
    },
    kpisOverDays(area, first, last) {
      const idx = areas.byKey.get(area);
      if (idx === undefined) return undefined;
      const sum = new Int32Array(WINDOW_FIELDS);
      for (let d = first; d <= last; d++) {
        const cells = days.get(d)?.get(idx);
        if (cells) for (let f = 0; f < WINDOW_FIELDS; f++) sum[f]! += cells[f]!;
      }
      return windowKpisOf(sum, 0, o.kpiWeights);
    },
    trends(area, nowMs, range) {
      const idx = areas.byKey.get(area);
      if (idx === undefined) return undefined;
      const today = localDay(nowMs);

      const dayList: TrendDay[] = [];
      for (let d = today - TREND_DAYS + 1; d <= today; d++) {
        const cells = days.get(d)?.get(idx);
        const byCategory: Partial<Record<TicketCategory, number>> = {};
        if (cells)
          for (let c = 0; c < NCAT; c++)
            if (cells[WINDOW_FIELDS + c]! > 0) byCategory[TICKET_CATEGORIES[c]!] = cells[WINDOW_FIELDS + c]!;
        const k = cells ? windowKpisOf(cells, 0, o.kpiWeights) : undefined;
        dayList.push({ day: localDate(d), created: k?.created ?? 0, closed: k?.closed ?? 0, byCategory });
      }

      const weeks: TrendWeek[] = [];
      const sum = new Int32Array(WINDOW_FIELDS);
      for (let w = TREND_WEEKS - 1; w >= 0; w--) {
        const { first, last } = weekDays(today, w);
        sum.fill(0);
        for (let d = first; d <= last; d++) {
          const cells = days.get(d)?.get(idx);
          if (cells) for (let f = 0; f < WINDOW_FIELDS; f++) sum[f]! += cells[f]!;
        }
        const k = windowKpisOf(sum, 0, o.kpiWeights);
        weeks.push({
          from: localDate(first),
          to: localDate(last),
          created: k.created,
          closed: k.closed,
          responseRate: k.responseRate,
          resolutionRate: k.resolutionRate,
          satisfactionRate: k.satisfactionRate,
          composite: k.composite,
        });
      }

      const bucketMs = floodBucketMs(range.from, range.to);
      const flood = (checkpointsIn.get(idx) ?? []).map((cp) => floodSeries(cp, range.from, range.to, bucketMs));

      const coverage: ClusterCoverage[] = clustersOf(idx).map((c) => {
        const total = subcells.get(c) ?? 0;
        const id = areas.ids[c]!;
        const list: ClusterCoverage['days'] = [];
        for (let d = today - TREND_DAYS + 1; d <= today; d++) {
          const visited = visits.get(d)?.get(c)?.visited ?? 0;
          list.push({ day: localDate(d), visited, share: total > 0 ? visited / total : 0 });
        }
        return { clusterId: id, name: clusterNames.get(id) ?? id, subcells: total, days: list };
      });

      return {
        seq: live.seq,
        area,
        level: areas.levels[idx]!,
        at: isoLocal(nowMs),
        days: dayList,
        weeks,
        flood: { from: isoLocal(range.from), to: isoLocal(range.to), bucketMs, checkpoints: flood },
        coverage,
      };
    },
  };
}
