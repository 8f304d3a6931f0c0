// Tunables of the live state, with documented defaults. Everything the fold decides by a number lives here,
// so a deployment (and a test) can change it without touching the fold; config loading checks it here too.
import {
  DEFAULT_KPI_WEIGHTS,
  DEFAULT_NEAR_DEADLINE_FRACTION,
  DEFAULT_URGENCY_DEADLINES,
  kpiWeightsValid,
  type KpiWeights,
  type UrgencyDeadlines,
} from '../contract/config-defaults';
import { DAY_MS, HOUR_MS, MINUTE_MS } from '../contract/time';

export interface LiveOptions {
  /** Respond / resolve clocks per urgency, used when a ticket.created carries no deadlines of its own. */
  deadlines: UrgencyDeadlines;
  /** A ticket is "near deadline" once this share of its resolve window has elapsed. */
  nearDeadlineFraction: number;
  /** Weights of the three rates in the composite score (must sum to 1). */
  kpiWeights: KpiWeights;
  /** An active ranger with no position for longer than this has lost signal (positions come every ~10 s). */
  signalLostAfterMs: number;
  /**
   * Length of a ranger's trail, measured back from the ranger's latest position. Also how long an idle
   * ranger (no patrol) stays on the map after the last sign of life.
   */
  trailMs: number;
  /**
   * How long a closed ticket is kept after its closing time: it can still be listed (status 'closed') and
   * rated (回访 follow-ups come days after 办结). After that a rating for it is ignored. The windows never
   * need it: they keep counters, not tickets.
   */
  closedTicketRetentionMs: number;
  /**
   * At most this many closed tickets are kept, whatever their age: past it the one closed longest ago goes
   * first, so memory stays bounded when tickets close faster than the time limit lets them go.
   */
  closedTicketRetentionMax: number;
  /**
   * Start of the 零诉求 count for areas that never had a ticket (epoch ms). null: the Asia/Shanghai day of
   * the first event folded, so a replay of the same log gives the same streaks.
   */
  zeroComplaintSinceMs: number | null;
  /** Trend compares the latest level with the earliest reading at most this long before it. */
  trendWindowMs: number;
  /** A change within ± this many metres over the trend window is 'steady' (gauges report centimetres). */
  trendDeadBandM: number;
  /** Edge of the sub-cells that forest clusters are cut into for patrol coverage, in metres. */
  coverageCellM: number;
}

/**
 * Defaults. Why these values:
 * - signal lost after 5 min: 30 missed positions at the usual 10 s interval; shorter would flag every
 *   ranger walking under dense canopy for a minute.
 * - trail 30 min: enough to see where a ranger came from without cluttering the wall.
 * - closed tickets kept 7 days: 回访 follow-ups come within a few days of closing; and at most 100,000 of
 *   them (a district's hotline closes a few thousand a day, so the limit is reached only under a flood of
 *   tickets or a load test, where it keeps memory flat: about 0.5 KB a ticket, ~50 MB).
 * - trend over 60 min with a 5 cm dead band: gauges report to the centimetre and jitter by 1–2 cm; a flood
 *   wave raises a level by tens of centimetres an hour.
 * - 100 m sub-cells: a ranger sees about 50 m either side of a path in a plantation forest.
 */
export const DEFAULT_LIVE_OPTIONS: LiveOptions = {
  deadlines: DEFAULT_URGENCY_DEADLINES,
  nearDeadlineFraction: DEFAULT_NEAR_DEADLINE_FRACTION,
  kpiWeights: DEFAULT_KPI_WEIGHTS,
  signalLostAfterMs: 5 * MINUTE_MS,
  trailMs: 30 * MINUTE_MS,
  closedTicketRetentionMs: 7 * DAY_MS,
  closedTicketRetentionMax: 100_000,
  zeroComplaintSinceMs: null,
  trendWindowMs: HOUR_MS,
  trendDeadBandM: 0.05,
  coverageCellM: 100,
};

/** Fills in the defaults and rejects values the fold cannot work with, naming the option. */
export function resolveLiveOptions(partial: Partial<LiveOptions> = {}): LiveOptions {
  const o: LiveOptions = { ...DEFAULT_LIVE_OPTIONS, ...partial };
  const positive = (name: keyof LiveOptions, v: number) => {
    if (!(Number.isFinite(v) && v > 0)) throw new RangeError(`live option ${name} must be a positive number, got ${v}`);
  };
  positive('signalLostAfterMs', o.signalLostAfterMs);
  positive('trailMs', o.trailMs);
  positive('closedTicketRetentionMs', o.closedTicketRetentionMs);
  if (!(Number.isInteger(o.closedTicketRetentionMax) && o.closedTicketRetentionMax >= 0)) {
    throw new RangeError(
      `live option closedTicketRetentionMax must be a whole number ≥ 0, got ${o.closedTicketRetentionMax}`,
    );
  }
  positive('trendWindowMs', o.trendWindowMs);
  positive('coverageCellM', o.coverageCellM);
  if (!(o.trendDeadBandM >= 0)) throw new RangeError(`live option trendDeadBandM must be ≥ 0, got ${o.trendDeadBandM}`);
  if (!(o.nearDeadlineFraction > 0 && o.nearDeadlineFraction <= 1)) {
    throw new RangeError(`live option nearDeadlineFraction must be in (0, 1], got ${o.nearDeadlineFraction}`);
  }
  if (!kpiWeightsValid(o.kpiWeights)) throw new RangeError('live option kpiWeights must sum to 1');
  for (const u of ['urgent', 'normal', 'low'] as const) {
    const d = o.deadlines[u];
    positive('deadlines', d.respondMs);
    positive('deadlines', d.resolveMs);
  }
  if (o.zeroComplaintSinceMs !== null && !Number.isFinite(o.zeroComplaintSinceMs)) {
    throw new RangeError('live option zeroComplaintSinceMs must be a finite epoch time or null');
  }
  return o;
}
