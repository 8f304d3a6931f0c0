// 治理类 towns (the city's list of towns under treatment for their ticket volume) and their 三升四降 pair: the
// three rates up and the volume down, this month so far against the previous calendar month.
// GET /api/v1/treatment lists the treated towns in the caller's scope; the landing carries its own town's.
// Open shapes, like live.ts. No Node imports here.
import Type, { type Static } from 'typebox';
import { Timestamp } from './events';
import { AreaKeySchema, Rate, RateSample } from './live';

const Count = Type.Integer({ minimum: 0 });
/** A local calendar date, YYYY-MM-DD (Asia/Shanghai). */
export const LocalDate = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$' });

/** Which way a figure moved against the previous month; null: not compared (no data, or a sample under the floor). */
export const Direction = Type.Union([Type.Literal('up'), Type.Literal('same'), Type.Literal('down'), Type.Null()]);
export type Direction = Static<typeof Direction>;

/** One month's figures of the pair. */
export const TreatmentMonth = Type.Object({
  /** First and last local day counted (the month's 1st, or the first day the log covers; today for this month). */
  from: LocalDate,
  to: LocalDate,
  responseRate: Rate,
  resolutionRate: Rate,
  satisfactionRate: Rate,
  sample: RateSample,
  /**
   * Whole days the volume is taken over: this month's days before today (today is not over yet), the previous
   * month's days the log covers. 0: no volume to compare.
   */
  days: Count,
  /** Tickets created in those `days`. */
  created: Count,
  /** Tickets created per day over `days` (null when `days` is 0). */
  perDay: Type.Union([Type.Number({ minimum: 0 }), Type.Null()]),
});
export type TreatmentMonth = Static<typeof TreatmentMonth>;

/** 三升四降: the three rates up, the volume (tickets created per day) down. */
export const TreatmentPair = Type.Object({
  month: TreatmentMonth,
  previous: TreatmentMonth,
  response: Direction,
  resolution: Direction,
  satisfaction: Direction,
  /** Tickets created per day, this month's whole days against the previous month's. */
  volume: Direction,
  /** True when all three rates went up and the volume went down. */
  met: Type.Boolean(),
});
export type TreatmentPair = Static<typeof TreatmentPair>;

export const TreatedTown = Type.Object({
  key: AreaKeySchema,
  name: Type.String(),
  /** The day the town entered the list (TREATED_TOWNS). */
  since: LocalDate,
  pair: TreatmentPair,
});
export type TreatedTown = Static<typeof TreatedTown>;

export const TreatmentList = Type.Object({
  /** The server clock the pairs are taken at. */
  at: Timestamp,
  /** A rate is compared only when both months rest on at least this many tickets. */
  minSample: Count,
  /** The treated towns inside the caller's scope, in the tree's order. */
  towns: Type.Array(TreatedTown),
});
export type TreatmentList = Static<typeof TreatmentList>;
