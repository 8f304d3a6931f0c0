// 督办 counted per area: how many open tickets are under supervision now, and how many tickets were supervised
// in each rate window (today, the month, the year, the last 30 days). A projection of its own on the one fold
// (host.ts) rather than fields of the live state's aggregates: the socket carries every aggregate on every
// change, and two more counts there would cost every delta bytes that the KPI goal has no room for
// (docs/BENCHMARKS.md); these figures are read on request (GET /api/v1/area-figures, the landing).
//
// A ticket counts in a window when its latest supervision (by its own time) lies in the window, so a ticket
// supervised twice in a month counts once, and one supervised in June and again in July counts in July only.
// Kept as per-area day counters of "tickets whose latest supervision is on this day": a later supervision moves
// its ticket from the old day to the new one, and a window is the sum of its days. Exact for every window ending
// now, which is every window asked for. Like the live state (state.ts), a supervision of a closed or unknown
// ticket changes nothing, and a supervision dated before the ticket's latest one moves nothing.
import type { AreaKey } from '../contract/areas';
import type { StoredEvent } from '../contract/events';
import { seqFold } from './seq-fold';
import { RATE_WINDOWS, rateWindowStartDay } from '../contract/live';
import type { SupervisionCounts } from '../contract/area-figures';
import { localDay } from '../contract/time';
import type { Geo } from '../geo/load';
import { AreaIndex } from './areas';

/** Day counters kept: a year window reaches back at most 365 days, and a little slack for late facts. */
const KEEP_DAYS = 400;

export interface SupervisionFold {
  readonly seq: number;
  apply(events: readonly StoredEvent[]): void;
  /** The area's counts at `nowMs`; undefined for a key the geography does not know. */
  counts(area: AreaKey, nowMs: number): SupervisionCounts | undefined;
  snapshotState(): unknown;
  restoreState(data: unknown): void;
}

interface OpenTicket {
  chain: number;
  /** Epoch ms of the latest supervision, -1 while never supervised. */
  latest: number;
}

interface SupervisionSnapshot {
  areaChains: ReturnType<AreaIndex['snapshotChains']>;
  open: [string, number, number][];
  openSupervised: Int32Array;
  days: [number, [number, number][]][];
  seq: number;
}

export function createSupervisionFold(geo: Geo): SupervisionFold {
  const areas = new AreaIndex(geo);
  const open = new Map<string, OpenTicket>();
  let openSupervised = new Int32Array(areas.size);
  /** Per area index: local day → tickets whose latest supervision is on that day. */
  const days = new Map<number, Map<number, number>>();
  let newestDay = -Infinity;

  const eachArea = (chain: number, f: (area: number) => void) => {
    for (const a of areas.chains[chain]!) if (a >= 0) f(a);
  };
  const addDay = (chain: number, day: number, n: number) =>
    eachArea(chain, (a) => {
      let m = days.get(a);
      if (!m) days.set(a, (m = new Map()));
      const v = (m.get(day) ?? 0) + n;
      if (v === 0) m.delete(day);
      else m.set(day, v);
    });

  function prune(): void {
    const cut = newestDay - KEEP_DAYS;
    for (const m of days.values()) for (const d of m.keys()) if (d < cut) m.delete(d);
  }

  function fold(s: StoredEvent): void {
    const e = s.event;
    switch (e.kind) {
      case 'ticket.created':
        if (!open.has(e.ticketId)) open.set(e.ticketId, { chain: areas.chainOfPlace(s.place), latest: -1 });
        return;
      case 'ticket.updated':
        if (e.status === 'closed') close(e.ticketId);
        return;
      case 'ticket.closed':
        close(e.ticketId);
        return;
      case 'ticket.supervised': {
        const t = open.get(e.ticketId);
        const ms = Date.parse(e.time);
        if (!t || Number.isNaN(ms)) return;
        if (t.latest < 0) eachArea(t.chain, (a) => openSupervised[a]!++);
        else if (ms <= t.latest) return;
        else addDay(t.chain, localDay(t.latest), -1);
        t.latest = ms;
        const day = localDay(ms);
        addDay(t.chain, day, 1);
        // Once a day (by the facts' own time) the days no window reaches are dropped.
        if (day > newestDay) {
          newestDay = day;
          prune();
        }
        return;
      }
      default:
        return;
    }
  }

  function close(id: string): void {
    const t = open.get(id);
    if (!t) return;
    if (t.latest >= 0) eachArea(t.chain, (a) => openSupervised[a]!--);
    open.delete(id);
  }

  const log = seqFold(fold);

  return {
    get seq() {
      return log.seq;
    },
    apply: (events) => log.apply(events),
    counts(area, nowMs) {
      const idx = areas.byKey.get(area);
      if (idx === undefined) return undefined;
      const today = localDay(nowMs);
      const m = days.get(idx);
      const out = { open: openSupervised[idx]!, today: 0, month: 0, year: 0, rolling30d: 0 };
      if (m) {
        for (const [day, n] of m) {
          if (day > today) continue;
          for (const w of RATE_WINDOWS) if (day >= rateWindowStartDay(w, today)) out[w] += n;
        }
      }
      return out;
    },
    snapshotState() {
      return {
        areaChains: areas.snapshotChains(),
        open: [...open].map(([id, t]) => [id, t.chain, t.latest]),
        openSupervised,
        days: [...days].map(([a, m]) => [a, [...m]]),
        seq: log.seq,
      } satisfies SupervisionSnapshot;
    },
    restoreState(data) {
      const s = data as SupervisionSnapshot;
      areas.restoreChains(s.areaChains);
      open.clear();
      for (const [id, chain, latest] of s.open) open.set(id, { chain, latest });
      openSupervised = Int32Array.from(s.openSupervised);
      days.clear();
      newestDay = -Infinity;
      for (const [a, list] of s.days) {
        days.set(a, new Map(list));
        for (const [d] of list) if (d > newestDay) newestDay = d;
      }
      log.seq = s.seq;
    },
  };
}
