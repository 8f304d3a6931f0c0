// 履约评价 as a series: the monthly scores of each property district, a fold of the `property.assessed` events.
// A month's score is the one of its latest assessment by the assessment's own time (a correction replaces the
// score it corrects; of two at the same time the later in the log). Small: a district gets one score a month.
import type { StoredEvent } from '../contract/events';
import { seqFold } from './seq-fold';
import type { PropertyMonthScore } from '../contract/area-figures';

export interface PropertyScores {
  readonly seq: number;
  apply(events: readonly StoredEvent[]): void;
  /** The district's scores, oldest month first, the newest `months` at most; empty when it has none. */
  series(propertyId: string, months: number): PropertyMonthScore[];
  snapshotState(): unknown;
  restoreState(data: unknown): void;
}

interface Scored extends PropertyMonthScore {
  atMs: number;
}

export function createPropertyScores(): PropertyScores {
  const byDistrict = new Map<string, Map<string, Scored>>();

  function fold(s: StoredEvent): void {
    const e = s.event;
    if (e.kind !== 'property.assessed') return;
    const atMs = Date.parse(e.time);
    if (Number.isNaN(atMs)) return;
    let months = byDistrict.get(e.propertyId);
    if (!months) byDistrict.set(e.propertyId, (months = new Map()));
    const prev = months.get(e.month);
    if (prev && prev.atMs > atMs) return;
    months.set(e.month, {
      month: e.month,
      score: e.score,
      at: e.time,
      atMs,
      ...(e.by !== undefined ? { by: e.by } : {}),
    });
  }

  const log = seqFold(fold);

  return {
    get seq() {
      return log.seq;
    },
    apply: (events) => log.apply(events),
    series(propertyId, months) {
      const m = byDistrict.get(propertyId);
      if (!m || months <= 0) return [];
      // 'YYYY-MM' sorts as the calendar does.
      return [...m.values()]
        .sort((a, b) => (a.month < b.month ? -1 : a.month > b.month ? 1 : 0))
        .slice(-months)
        .map(({ atMs: _atMs, ...score }) => score);
    },
    snapshotState() {
      return { byDistrict, seq: log.seq };
    },
    restoreState(data) {
      const s = data as { byDistrict: Map<string, Map<string, Scored>>; seq: number };
      byDistrict.clear();
      for (const [id, months] of s.byDistrict) byDistrict.set(id, new Map(months));
      log.seq = s.seq;
    },
  };
}
