// What the area's detail reads on request beside the socket's aggregate (contract/area-figures.ts): 督办 counts
// (live/supervision.ts), the 零诉求 streak with a village's configured start (treatment.ts, as the landing counts it)
// and a property district's monthly scores (live/property-scores.ts). Pure: it reads the projections and builds.
import type { AreaKey } from '../contract/areas';
import { NO_SUPERVISION, PROPERTY_SCORE_MONTHS, type AreaFigures } from '../contract/area-figures';
import type { UnitIndex } from './landing';
import type { PropertyScores } from '../live/property-scores';
import type { SupervisionFold } from '../live/supervision';
import { streakWithStart, unitStart, type Concepts, type DayCounters } from './treatment';
import type { LiveState } from '../live/types';

export interface AreaFigureSources {
  live: Pick<LiveState, 'seq' | 'aggregate'>;
  supervision: Pick<SupervisionFold, 'counts'>;
  scores: Pick<PropertyScores, 'series'>;
  units: Pick<UnitIndex, 'unitOfCell'>;
  concepts?: { concepts: Concepts; counters: Pick<DayCounters, 'firstTicketDay'> };
}

/**
 * The 零诉求 days the desk shows for an area: the live state's own, except for a grid cell of a village with a
 * configured start, which counts from that start while the cell has no ticket before today in the log (the
 * landing's rule for its village, applied to the cell's own tickets).
 */
export function zeroComplaintDaysOf(
  src: Pick<AreaFigureSources, 'units' | 'concepts'>,
  area: AreaKey,
  foldDays: number,
  nowMs: number,
): number {
  const unit = area.startsWith('grid:') ? src.units.unitOfCell.get(area) : undefined;
  if (!unit || !src.concepts) return foldDays;
  const start = unitStart(src.concepts.concepts, unit.villageIds);
  return streakWithStart(foldDays, start, [area], src.concepts.counters, nowMs);
}

/** The figures of `area` at `nowMs`; undefined for an area the live state does not know. */
export function buildAreaFigures(src: AreaFigureSources, area: AreaKey, nowMs: number): AreaFigures | undefined {
  const agg = src.live.aggregate(area);
  if (!agg) return undefined;
  const out: AreaFigures = {
    seq: src.live.seq,
    area,
    supervised: src.supervision.counts(area, nowMs) ?? { ...NO_SUPERVISION },
    zeroComplaintDays: zeroComplaintDaysOf(src, area, agg.zeroComplaintDays, nowMs),
  };
  if (area.startsWith('property:'))
    out.propertyScores = src.scores.series(area.slice('property:'.length), PROPERTY_SCORE_MONTHS);
  return out;
}
