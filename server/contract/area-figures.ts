// GET /api/v1/area-figures?area=<key>: an area's figures that the socket does not carry, read on request by the
// area's detail (a minute old at most): 督办 counts, the 零诉求 streak with the configured village starts, and a
// property district's monthly scores. Open shapes, like live.ts. No Node imports here.
import Type, { type Static } from 'typebox';
import { AreaKeySchema } from './live';

const Count = Type.Integer({ minimum: 0 });

/**
 * 督办 counted: open tickets under supervision now, and tickets whose latest supervision (by its own time) lies
 * in each rate window, so a ticket supervised twice counts once (docs/KPIS.md).
 */
export const SupervisionCounts = Type.Object({
  open: Count,
  today: Count,
  month: Count,
  year: Count,
  rolling30d: Count,
});
export type SupervisionCounts = Static<typeof SupervisionCounts>;

export const NO_SUPERVISION: SupervisionCounts = { open: 0, today: 0, month: 0, year: 0, rolling30d: 0 };

/** A local calendar month, YYYY-MM (Asia/Shanghai). */
export const LocalMonth = Type.String({ pattern: '^\\d{4}-(0[1-9]|1[0-2])$' });

/** One month's score of a property district (履约评价), as the latest assessment of that month gave it. */
export const PropertyMonthScore = Type.Object({
  month: LocalMonth,
  score: Type.Number({ minimum: 0, maximum: 100 }),
  /** When the assessment that counts was made, and by whom. */
  at: Type.String(),
  by: Type.Optional(Type.String()),
});
export type PropertyMonthScore = Static<typeof PropertyMonthScore>;

export const AreaFigures = Type.Object({
  /** The log position the figures include. */
  seq: Type.Integer({ minimum: 0 }),
  area: AreaKeySchema,
  supervised: SupervisionCounts,
  /**
   * 零诉求: whole local days without a new ticket, today not counted; for a grid cell of a village with a
   * configured start (ZERO_COMPLAINT_SINCE), counted from that start while the cell has no ticket before today
   * in the log, as the landing counts its village.
   */
  zeroComplaintDays: Count,
  /** Property districts only: the monthly scores, oldest first, the last PROPERTY_SCORE_MONTHS months at most. */
  propertyScores: Type.Optional(Type.Array(PropertyMonthScore)),
});
export type AreaFigures = Static<typeof AreaFigures>;

/** How many months of scores the detail shows. */
export const PROPERTY_SCORE_MONTHS = 12;
