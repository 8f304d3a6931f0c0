// Hourly ticket flows per area (created, closed, created per category), for the detail panel's trend charts.
// Kept beside the live state: the live state answers "now", this answers "how did the last day go", and neither
// has to carry the other's memory. It hears the live state's own facts (observer.ts: a creation with its
// category, a close) rather than reading the tickets again, so it keeps no ticket of its own and a ticket counts
// here exactly when it counts there. Buckets are whole clock hours (Asia/Shanghai is UTC+8 all year, so a UTC
// hour is a local hour) by each fact's own time; only the last TREND_RETENTION_HOURS are kept.
import type { AreaKey } from '../contract/areas';
import { TICKET_CATEGORIES, type StoredEvent, type TicketCategory } from '../contract/events';
import type { Geo } from '../geo/load';
import { AreaIndex } from './areas';
import { HOUR_MS } from '../contract/time';
import type { LiveObserver } from './observer';
import { seqFold } from './seq-fold';
import { K_CLOSED, K_CREATED, PROACTIVE_FLAG } from './state/layout';

/** A week: enough for "this time yesterday" and a weekly view, small enough to stay a few MB. */
export const TREND_RETENTION_HOURS = 7 * 24;

const NCAT = TICKET_CATEGORIES.length;
/** Cells of one (hour, area) bucket: created, closed, then created per category. */
const CREATED = 0;
const CLOSED = 1;
const FIRST_CATEGORY = 2;
const CELLS = FIRST_CATEGORY + NCAT;

export interface TrendPoint {
  /** Start of the hour, epoch ms. */
  at: number;
  created: number;
  closed: number;
}

export interface AreaTrend {
  area: AreaKey;
  /** Start of the first hour and length of a bucket, epoch ms. */
  from: number;
  bucketMs: number;
  /** One point per hour, oldest first, ending with the hour that holds `now`. */
  points: TrendPoint[];
  /** Tickets created in the window, per category; categories with none are absent. */
  byCategory: Partial<Record<TicketCategory, number>>;
  created: number;
  closed: number;
}

export interface TicketTrend {
  /** What the live state tells the trend (createLiveState's observer, merged with the others'). */
  readonly observer: Required<Pick<LiveObserver, 'fact'>>;
  /** The last seq counted: the live state folds a batch first, then this takes its seq. */
  readonly seq: number;
  apply(events: readonly StoredEvent[]): void;
  /** The last `hours` hours up to the hour of `nowMs`; undefined for an area the geography does not have. */
  trend(area: AreaKey, hours: number, nowMs: number): AreaTrend | undefined;
  /** Its state for a keyframe, and back (live/keyframes.ts). */
  snapshotState(): unknown;
  restoreState(data: unknown): void;
}

interface TicketTrendSnapshot {
  buckets: Map<number, Map<number, Int32Array>>;
  newestHour: number;
  seq: number;
}

export function createTicketTrend(geo: Geo): TicketTrend {
  const areas = new AreaIndex(geo);
  /** hour number (epoch ms / HOUR_MS) → area index → cells. */
  const buckets = new Map<number, Map<number, Int32Array>>();
  let newestHour = -Infinity;

  const cutoff = () => newestHour - TREND_RETENTION_HOURS;

  function add(hour: number, chain: Int32Array, cell: number, sign: number): void {
    if (hour <= cutoff()) return; // older than the window: no chart shows it
    let byArea = buckets.get(hour);
    if (!byArea) buckets.set(hour, (byArea = new Map()));
    for (const idx of chain) {
      if (idx < 0) continue;
      let cells = byArea.get(idx);
      if (!cells) byArea.set(idx, (cells = new Int32Array(CELLS)));
      cells[cell]! += sign;
    }
  }

  function moveClock(hour: number): void {
    if (hour <= newestHour) return;
    newestHour = hour;
    const cut = cutoff();
    for (const h of buckets.keys()) if (h <= cut) buckets.delete(h);
  }

  const observer: TicketTrend['observer'] = {
    fact(t, code, chain, sign) {
      const kind = code & 15;
      if (kind !== K_CREATED && kind !== K_CLOSED) return;
      const hour = Math.floor(t / HOUR_MS);
      moveClock(hour);
      if (kind === K_CLOSED) add(hour, chain, CLOSED, sign);
      else {
        add(hour, chain, CREATED, sign);
        // The category index is the live state's (state/layout.ts: the order of TICKET_CATEGORIES, as here).
        add(hour, chain, FIRST_CATEGORY + ((code >> 4) & (PROACTIVE_FLAG - 1)), sign);
      }
    },
  };
  const log = seqFold(() => {});

  return {
    observer,
    snapshotState() {
      return { buckets, newestHour, seq: log.seq } satisfies TicketTrendSnapshot;
    },
    restoreState(data) {
      const s = data as TicketTrendSnapshot;
      buckets.clear();
      for (const [h, m] of s.buckets) buckets.set(h, m);
      newestHour = s.newestHour;
      log.seq = s.seq;
    },
    get seq() {
      return log.seq;
    },
    apply: (events) => log.apply(events),
    trend(area, hours, nowMs) {
      const idx = areas.byKey.get(area);
      if (idx === undefined) return undefined;
      const last = Math.floor(nowMs / HOUR_MS);
      const first = last - hours + 1;
      const points: TrendPoint[] = [];
      const perCategory = new Array<number>(NCAT).fill(0);
      let created = 0;
      let closed = 0;
      for (let h = first; h <= last; h++) {
        const cells = buckets.get(h)?.get(idx);
        const point = { at: h * HOUR_MS, created: cells?.[CREATED] ?? 0, closed: cells?.[CLOSED] ?? 0 };
        points.push(point);
        created += point.created;
        closed += point.closed;
        if (cells) for (let c = 0; c < NCAT; c++) perCategory[c]! += cells[FIRST_CATEGORY + c]!;
      }
      const byCategory: Partial<Record<TicketCategory, number>> = {};
      perCategory.forEach((n, c) => {
        if (n > 0) byCategory[TICKET_CATEGORIES[c]!] = n;
      });
      return { area, from: first * HOUR_MS, bucketMs: HOUR_MS, points, byCategory, created, closed };
    },
  };
}
