// 履约评价: every town scores its property districts monthly (杨庄 scores its property companies every month and
// rewards the best, docs/DOMAIN.md). A district's score of a month is its standing (the layer's `score`) plus that
// month's own swing, drawn from a stream named by the district and the month, so the score of a month is the
// same whenever a run makes it (a restart, a longer backfill). Posted on `dayOfMonth` of the month after, at
// `hour`; at the run's start the last `historyMonths` months already scored are posted at once (the office's
// record, so the detail has a series before the first month turns).
import type { PropertyDistrictProps } from '../contract/areas';
import { HOUR_MS } from '../contract/time';
import { beijing } from './clock';
import type { SimClock } from './context';
import type { Rng } from './prng';

export interface PropertyParams {
  enabled: boolean;
  /** Months scored before the run's start, posted at the start. */
  historyMonths: number;
  /** The day of the month after and the local hour the score is posted. */
  dayOfMonth: number;
  hour: number;
  /** Sd of a month's swing around the district's standing, in points. */
  swing: number;
}

export interface PropertyDistrict {
  props: PropertyDistrictProps;
  townName: string;
}

/** 'YYYY-MM' of a month counted from year 0 (year × 12 + month − 1). */
export const monthLabel = (m: number): string => `${Math.floor(m / 12)}-${String((m % 12) + 1).padStart(2, '0')}`;
/** The month count of a local time. */
const monthOf = (ms: number): number => {
  const l = beijing(ms);
  return l.year * 12 + l.month - 1;
};
/** Epoch ms when month `m`'s score is posted: `day` of the month after, at `hour` local time. */
const postedAt = (m: number, day: number, hour: number): number =>
  Date.UTC(Math.floor((m + 1) / 12), (m + 1) % 12, day) - 8 * HOUR_MS + hour * HOUR_MS;

export function createPropertyModel(
  clock: SimClock,
  districts: readonly PropertyDistrict[],
  p: PropertyParams,
  rng: Rng,
): { start(): void } {
  const score = (d: PropertyDistrict, m: number): number => {
    const swing = rng.fork(`${d.props.id}/${monthLabel(m)}`).normal(0, p.swing);
    return Math.round(Math.min(100, Math.max(50, d.props.score + swing)) * 2) / 2;
  };
  const post = (m: number) => {
    for (const d of districts) {
      clock.emit({
        ...clock.envelope('simulator'),
        kind: 'property.assessed',
        propertyId: d.props.id,
        month: monthLabel(m),
        score: score(d, m),
        by: `${d.townName}物业管理办公室`,
        note: '物业服务履约评价',
      });
    }
  };
  const schedule = (m: number) =>
    clock.at(postedAt(m, p.dayOfMonth, p.hour), () => {
      post(m);
      schedule(m + 1);
    });
  return {
    start() {
      if (!p.enabled || districts.length === 0) return;
      const now = clock.now;
      // The newest month whose score is posted by now, and the one after it, posted in the run.
      let last = monthOf(now) - 1;
      if (postedAt(last, p.dayOfMonth, p.hour) > now) last--;
      for (let m = last - p.historyMonths + 1; m <= last; m++) post(m);
      schedule(last + 1);
    },
  };
}
