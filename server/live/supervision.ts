// 督办 counted per area: how many open tickets are under supervision now, and how many tickets were supervised
// in each rate window (today, the month, the year, the last 30 days). Kept beside the live state rather than in
// its aggregates: the socket carries every aggregate on every change, and two more counts there would cost every
// delta bytes that the KPI goal has no room for (docs/BENCHMARKS.md); these figures are read on request
// (GET /api/v1/area-figures, the landing, the brief).
//
// The counts hear the live state (observer.ts) instead of folding the tickets again: it already knows which
// tickets are open, where they lie and which supervision is the latest, so this keeps no ticket of its own and
// costs nothing for the tickets nobody supervises (a fold of its own kept every open ticket and located each).
// A ticket counts in a window when its latest supervision (by its own time) lies in the window, so a ticket
// supervised twice in a month counts once, and one supervised in June and again in July counts in July only.
// Kept as per-area day counters of "tickets whose latest supervision is on this day": a later supervision moves
// its ticket from the old day to the new one, and a window is the sum of its days. Exact for every window ending
// now, which is every window asked for. The live state decides what counts: a supervision of a closed or unknown
// ticket changes nothing, and one dated before the ticket's latest moves nothing.
import type { AreaKey } from '../contract/areas';
import type { StoredEvent } from '../contract/events';
import { RATE_WINDOWS, rateWindowStartDay } from '../contract/live';
import type { SupervisionCounts } from '../contract/area-figures';
import { localDay } from '../contract/time';
import type { Geo } from '../geo/load';
import { AreaIndex } from './areas';
import type { LiveObserver } from './observer';
import { seqFold } from './seq-fold';

/** Day counters kept: a year window reaches back at most 365 days, and a little slack for late facts. */
const KEEP_DAYS = 400;

export interface SupervisionFold {
  /**
   * What the live state tells these counts (createLiveState's observer, beside any other: mergeObservers); the
   * counts change only through it.
   */
  readonly observer: Required<Pick<LiveObserver, 'supervised' | 'supervisedClosed'>>;
  /** The last seq whose effects are counted: the live state folds a batch first, then this takes its seq. */
  readonly seq: number;
  apply(events: readonly StoredEvent[]): void;
  /** The area's counts at `nowMs`; undefined for a key the geography does not know. */
  counts(area: AreaKey, nowMs: number): SupervisionCounts | undefined;
  snapshotState(): unknown;
  restoreState(data: unknown): void;
}

interface SupervisionSnapshot {
  openSupervised: Int32Array;
  days: [number, [number, number][]][];
  seq: number;
}

export function createSupervisionFold(geo: Geo): SupervisionFold {
  const areas = new AreaIndex(geo);
  let openSupervised = new Int32Array(areas.size);
  /** Per area index: local day → tickets whose latest supervision is on that day. */
  const days = new Map<number, Map<number, number>>();
  let newestDay = -Infinity;

  const addDay = (chain: Int32Array, day: number, n: number) => {
    for (const a of chain) {
      if (a < 0) continue;
      let m = days.get(a);
      if (!m) days.set(a, (m = new Map()));
      const v = (m.get(day) ?? 0) + n;
      if (v === 0) m.delete(day);
      else m.set(day, v);
    }
  };

  function prune(): void {
    const cut = newestDay - KEEP_DAYS;
    for (const m of days.values()) for (const d of m.keys()) if (d < cut) m.delete(d);
  }

  const observer: SupervisionFold['observer'] = {
    supervised(chain, fromMs, toMs) {
      if (fromMs < 0) {
        for (const a of chain) if (a >= 0) openSupervised[a]!++;
      } else addDay(chain, localDay(fromMs), -1);
      const day = localDay(toMs);
      addDay(chain, day, 1);
      // Once a day (by the facts' own time) the days no window reaches are dropped.
      if (day > newestDay) {
        newestDay = day;
        prune();
      }
    },
    supervisedClosed(chain) {
      for (const a of chain) if (a >= 0) openSupervised[a]!--;
    },
  };

  const log = seqFold(() => {});

  return {
    observer,
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
        openSupervised,
        days: [...days].map(([a, m]) => [a, [...m]]),
        seq: log.seq,
      } satisfies SupervisionSnapshot;
    },
    restoreState(data) {
      const s = data as SupervisionSnapshot;
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
