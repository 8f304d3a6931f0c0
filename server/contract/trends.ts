// GET /api/v1/trends?area=<key>&from=&to=: an area's trends for the detail panel, one answer for every chart:
// tickets per day by category, the three rates per week, flood levels per checkpoint over a chosen range,
// patrol coverage per forest cluster per day. Days and weeks are Asia/Shanghai calendar days; the figures use
// the KPI definitions (docs/KPIS.md), so a day equals what the KPI bar showed for it. Open shapes, like
// live.ts: an older client ignores a newer field. No Node imports here.
import Type, { type Static } from 'typebox';
import { TicketCategory, Timestamp, TIMESTAMP_PATTERN } from './events';
import { AreaKeySchema, Rate } from './live';
import { AreaLevel } from './areas';

/** Days of tickets per day, ending with today. */
export const TREND_DAYS = 30;
/** Weeks of rates, ending with the week that holds today. */
export const TREND_WEEKS = 8;
/** The finest flood bucket: a level series holds the highest reading of each such slice. */
export const FLOOD_BUCKET_MS = 10 * 60_000;
/** At most this many points per flood series: a longer range gets wider buckets (whole multiples of 10 min). */
export const FLOOD_MAX_POINTS = 500;
/** How far back flood levels are kept (and so how far back `from` can reach). */
export const FLOOD_RETENTION_DAYS = 31;
/** Flood range when none is asked for: the last 24 hours. */
export const FLOOD_DEFAULT_RANGE_MS = 24 * 3600_000;

const Count = Type.Integer({ minimum: 0 });
/** A local calendar day, YYYY-MM-DD (Asia/Shanghai). */
export const LocalDate = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$' });

export const TrendsQuery = Type.Object(
  {
    area: Type.Optional(
      Type.String({ maxLength: 80, description: "Area key, e.g. town:110112004; default: the asker's scope" }),
    ),
    // With an explicit offset, like every time in the contract: a bare local time is eight hours ambiguous.
    from: Type.Optional(
      Type.String({
        pattern: TIMESTAMP_PATTERN,
        description: 'Start of the flood range (default: `hours` before `to`)',
      }),
    ),
    to: Type.Optional(
      Type.String({ pattern: TIMESTAMP_PATTERN, description: 'End of the flood range (default: now)' }),
    ),
    // The server's clock, not the browser's, decides "now" (a time-lapse demo runs it faster): a client asking
    // for "the last week" names the length and leaves the end to the server.
    hours: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: FLOOD_RETENTION_DAYS * 24,
        description: 'Length of the flood range when `from` is not given (default: 24)',
      }),
    ),
  },
  { additionalProperties: false },
);
export type TrendsQuery = Static<typeof TrendsQuery>;

/** Tickets created on one local day (the KPI bar's "new today" of that day), and closed on it. */
export const TrendDay = Type.Object({
  day: LocalDate,
  created: Count,
  closed: Count,
  /** Created per category; categories with none are absent. */
  byCategory: Type.Partial(Type.Record(TicketCategory, Count)),
});
export type TrendDay = Static<typeof TrendDay>;

/**
 * Seven local days, `from` to `to` inclusive; the last week ends today, so it is the seven days up to now
 * (the landing's "this week", to the day rather than to the millisecond). Rates as in docs/KPIS.md over the
 * week; null without data.
 */
export const TrendWeek = Type.Object({
  from: LocalDate,
  to: LocalDate,
  created: Count,
  closed: Count,
  responseRate: Rate,
  resolutionRate: Rate,
  satisfactionRate: Rate,
  composite: Rate,
});
export type TrendWeek = Static<typeof TrendWeek>;

export const FloodThresholds = Type.Object({
  blue: Type.Number(),
  yellow: Type.Number(),
  orange: Type.Number(),
  red: Type.Number(),
});

/** One checkpoint's levels: [bucket start (epoch ms), highest level in the bucket (m)], oldest first; buckets without a reading are absent. */
export const FloodSeries = Type.Object({
  checkpointId: Type.String(),
  name: Type.String(),
  thresholds: FloodThresholds,
  points: Type.Array(Type.Tuple([Type.Integer(), Type.Number()])),
});
export type FloodSeries = Static<typeof FloodSeries>;

/** Share of the cluster's patrol sub-cells a ranger position fell in, per local day (coverageToday of that day). */
export const ClusterCoverage = Type.Object({
  clusterId: Type.String(),
  name: Type.String(),
  subcells: Count,
  days: Type.Array(Type.Object({ day: LocalDate, visited: Count, share: Type.Number({ minimum: 0, maximum: 1 }) })),
});
export type ClusterCoverage = Static<typeof ClusterCoverage>;

export const AreaTrends = Type.Object({
  seq: Type.Integer({ minimum: 0 }),
  area: AreaKeySchema,
  level: AreaLevel,
  /** The server's clock when the answer was built. */
  at: Timestamp,
  /** TREND_DAYS days, oldest first, ending with today. */
  days: Type.Array(TrendDay),
  /** TREND_WEEKS weeks, oldest first, ending with the week that ends today. */
  weeks: Type.Array(TrendWeek),
  flood: Type.Object({
    from: Timestamp,
    to: Timestamp,
    /** Width of a point's bucket: FLOOD_BUCKET_MS or a whole multiple of it. */
    bucketMs: Type.Integer({ minimum: 1 }),
    /** The checkpoints in the area; empty for an area with none. */
    checkpoints: Type.Array(FloodSeries),
  }),
  /** The forest clusters of the area (itself, a town's, the district's); empty for other areas. */
  coverage: Type.Array(ClusterCoverage),
});
export type AreaTrends = Static<typeof AreaTrends>;
