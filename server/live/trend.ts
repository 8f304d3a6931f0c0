// Hourly ticket flows per area (created, closed, created per category), for the detail panel's trend charts.
// A fold of the same log as the live state, kept apart from it: the live state answers "now", this answers
// "how did the last day go", and neither has to carry the other's memory. Buckets are whole clock hours
// (Asia/Shanghai is UTC+8 all year, so a UTC hour is a local hour) by each event's own time; only the last
// TREND_RETENTION_HOURS are kept.
import type { AreaKey } from '../contract/areas';
import { TICKET_CATEGORIES, type StoredEvent, type TicketCategory } from '../contract/events';
import type { Geo } from '../geo/load';
import { AreaIndex, CHAIN_LENGTH } from './areas';
import { HOUR_MS } from '../contract/time';

/** A week: enough for "this time yesterday" and a weekly view, small enough to stay a few MB. */
export const TREND_RETENTION_HOURS = 7 * 24;

const NCAT = TICKET_CATEGORIES.length;
const CATEGORY_INDEX = new Map<TicketCategory, number>(TICKET_CATEGORIES.map((c, i) => [c, i]));
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
  readonly seq: number;
  apply(events: readonly StoredEvent[]): void;
  /** The last `hours` hours up to the hour of `nowMs`; undefined for an area the geography does not have. */
  trend(area: AreaKey, hours: number, nowMs: number): AreaTrend | undefined;
  /** Its state for a keyframe, and back (live/keyframes.ts). */
  snapshotState(): unknown;
  restoreState(data: unknown): void;
}

interface TicketTrendSnapshot {
  chains: ReturnType<AreaIndex['snapshotChains']>;
  buckets: Map<number, Map<number, Int32Array>>;
  tickets: Map<string, number>;
  closedOrder: Closed[];
  newestHour: number;
  seq: number;
}

/** Closed tickets are forgotten once their close has left the window: a late event for one finds nothing. */
interface Closed {
  id: string;
  hour: number;
}

export function createTicketTrend(geo: Geo): TicketTrend {
  const areas = new AreaIndex(geo);
  /** hour number (epoch ms / HOUR_MS) → area index → cells. */
  const buckets = new Map<number, Map<number, Int32Array>>();
  /** Ticket id → the chain it counts in; the sign marks a close already counted (-1 - chain). */
  const tickets = new Map<string, number>();
  let closedOrder: Closed[] = [];
  let closedHead = 0;
  let newestHour = -Infinity;
  let seq = 0;

  const cutoff = () => newestHour - TREND_RETENTION_HOURS;

  function add(hour: number, chain: number, cell: number): void {
    if (hour <= cutoff()) return; // older than the window: no chart shows it
    let byArea = buckets.get(hour);
    if (!byArea) buckets.set(hour, (byArea = new Map()));
    const slots = areas.chains[chain]!;
    for (let s = 0; s < CHAIN_LENGTH; s++) {
      const idx = slots[s]!;
      if (idx < 0) continue;
      let cells = byArea.get(idx);
      if (!cells) byArea.set(idx, (cells = new Int32Array(CELLS)));
      cells[cell]!++;
    }
  }

  function moveClock(hour: number): void {
    if (hour <= newestHour) return;
    newestHour = hour;
    const cut = cutoff();
    for (const h of buckets.keys()) if (h <= cut) buckets.delete(h);
    while (closedHead < closedOrder.length && closedOrder[closedHead]!.hour <= cut) {
      const c = closedOrder[closedHead++]!;
      if ((tickets.get(c.id) ?? 0) < 0) tickets.delete(c.id);
    }
    if (closedHead > 4096 && closedHead * 2 > closedOrder.length) {
      closedOrder.splice(0, closedHead);
      closedHead = 0;
    }
  }

  function close(id: string, hour: number): void {
    const chain = tickets.get(id);
    // Unknown, or closed already (a ticket.closed giving the verdict after a close by ticket.updated).
    if (chain === undefined || chain < 0) return;
    tickets.set(id, -1 - chain);
    closedOrder.push({ id, hour });
    add(hour, chain, CLOSED);
  }

  function fold(s: StoredEvent): void {
    const e = s.event;
    if (e.kind !== 'ticket.created' && e.kind !== 'ticket.updated' && e.kind !== 'ticket.closed') return;
    const ms = Date.parse(e.time);
    if (Number.isNaN(ms)) return;
    const hour = Math.floor(ms / HOUR_MS);
    moveClock(hour);
    if (e.kind === 'ticket.created') {
      if (tickets.has(e.ticketId)) return; // a producer retry, as the live state reads it
      const chain = areas.chainOfPlace(s.place);
      tickets.set(e.ticketId, chain);
      add(hour, chain, CREATED);
      add(hour, chain, FIRST_CATEGORY + (CATEGORY_INDEX.get(e.category) ?? NCAT - 1));
    } else if (e.kind === 'ticket.closed' || e.status === 'closed') {
      close(e.ticketId, hour);
    }
  }

  return {
    snapshotState() {
      return {
        chains: areas.snapshotChains(),
        buckets,
        tickets,
        closedOrder: closedOrder.slice(closedHead),
        newestHour,
        seq,
      } satisfies TicketTrendSnapshot;
    },
    restoreState(data) {
      const s = data as TicketTrendSnapshot;
      areas.restoreChains(s.chains);
      buckets.clear();
      for (const [h, m] of s.buckets) buckets.set(h, m);
      tickets.clear();
      for (const [id, c] of s.tickets) tickets.set(id, c);
      closedOrder = s.closedOrder;
      closedHead = 0;
      newestHour = s.newestHour;
      seq = s.seq;
    },
    get seq() {
      return seq;
    },
    apply(events) {
      for (const s of events) {
        if (s.seq <= seq) continue; // a replay: already folded
        fold(s);
        seq = s.seq;
      }
    },
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
