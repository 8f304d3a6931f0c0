// GET /api/v1/landing?town=<town key>: the town leader's landing, one answer with everything the page shows.
// Everything in it lies in the one town asked for, except `district`, which holds district-wide figures only
// (no other town's name or numbers). Open shapes, like live.ts: an older client ignores a newer field.
// No Node imports here.
import Type, { type Static } from 'typebox';
import { TicketCategory, Timestamp, Urgency, TicketStatus } from './events';
import { AreaKeySchema, compositeSample, DEFAULT_MIN_RATE_SAMPLE, Rate, RateSample, RateWindow } from './live';
import { TreatedTown } from './treatment';

const Count = Type.Integer({ minimum: 0 });

/** The KPI cards: the three rates (三率) and the composite of the month, and the ticket counts of now. */
export const LandingKpis = Type.Object({
  responseRate: Rate,
  resolutionRate: Rate,
  satisfactionRate: Rate,
  composite: Rate,
  /** What the rates rest on; a row whose composite rests on fewer than the floor is not ranked (`thin`). */
  sample: RateSample,
  open: Type.Number({ minimum: 0 }),
  overdue: Type.Number({ minimum: 0 }),
  nearDeadline: Type.Number({ minimum: 0 }),
  newToday: Type.Number({ minimum: 0 }),
  /**
   * 未诉先办: of the tickets created in the rates' window, the share a grid worker raised before any citizen
   * called (null when none was created), and `created`, what the share rests on. The district's beside it is the
   * district's own share and count, like its rates.
   */
  proactiveShare: Rate,
  created: Type.Number({ minimum: 0 }),
  /**
   * 督办 (docs/KPIS.md): open tickets under supervision now, and tickets supervised in the rates' window (by
   * their latest supervision). The town's and the district's per town (its total ÷ towns, like the counts);
   * absent on rows and from servers that do not count supervisions.
   */
  supervisedOpen: Type.Optional(Type.Number({ minimum: 0 })),
  supervised: Type.Optional(Type.Number({ minimum: 0 })),
});
export type LandingKpis = Static<typeof LandingKpis>;

/** True when a row's composite rests on fewer verdicts or ratings than the floor: shown, not ranked. */
export const thinComposite = (k: LandingKpis, floor = DEFAULT_MIN_RATE_SAMPLE): boolean =>
  k.composite !== null && compositeSample(k.sample) < floor;
export const LANDING_KPI_KEYS = [
  'composite',
  'responseRate',
  'resolutionRate',
  'satisfactionRate',
  'open',
  'overdue',
  'nearDeadline',
  'newToday',
  'proactiveShare',
  'supervisedOpen',
] as const;
export type LandingKpiKey = (typeof LANDING_KPI_KEYS)[number];

/**
 * A 村 (village committee) or 社区 (community): the grid cells named after it ("张家湾镇·三间房村·2号网格"),
 * taken as one. Committees of one town that share a name (the source lists two 三间房村 in 张家湾镇) cannot be
 * told apart by the cells, so they form one unit and `villageIds` lists them all.
 */
export const LandingUnit = Type.Object({
  /** Stable within the town: the committee code, or "<town id>:<name>" when there are several or none. */
  key: Type.String(),
  name: Type.String(),
  kind: Type.Union([Type.Literal('community'), Type.Literal('village')]),
  villageIds: Type.Array(Type.String()),
  cells: Count,
  /** The unit's worst grid cell: where the map opens when the row is clicked (a unit is not a map area). */
  focus: AreaKeySchema,
  kpis: LandingKpis,
  /**
   * Consecutive whole days without a new ticket in any of its cells (零诉求); today is not counted. From the
   * village's configured start (ZERO_COMPLAINT_SINCE) while the log has no ticket of it before today.
   */
  zeroComplaintDays: Count,
});
export type LandingUnit = Static<typeof LandingUnit>;

export const LandingCell = Type.Object({
  key: AreaKeySchema,
  /** The cell's name without its town ("三间房村·2号网格"). */
  name: Type.String(),
  kpis: LandingKpis,
  zeroComplaintDays: Count,
});
export type LandingCell = Static<typeof LandingCell>;

export const LandingOverdueTicket = Type.Object({
  id: Type.String(),
  title: Type.String(),
  category: TicketCategory,
  urgency: Urgency,
  status: TicketStatus,
  createdAt: Timestamp,
  resolveDueAt: Timestamp,
  /** How late it is now, ms past resolveDueAt. */
  lateMs: Type.Integer({ minimum: 0 }),
  cell: Type.Union([AreaKeySchema, Type.Null()]),
  /** The village / community of its cell, when the cell names one. */
  unit: Type.Union([Type.String(), Type.Null()]),
});
export type LandingOverdueTicket = Static<typeof LandingOverdueTicket>;

/** Tickets created this week against the week before, for one category or one unit. */
const WeekChangeFields = {
  thisWeek: Count,
  previous: Count,
  /** thisWeek − previous: positive means it got worse. */
  change: Type.Integer(),
};
export const WeekChange = Type.Object(WeekChangeFields);
export type WeekChange = Static<typeof WeekChange>;

export const Landing = Type.Object({
  seq: Count,
  /** The server clock the figures are taken at. */
  at: Timestamp,
  town: Type.Object({ key: AreaKeySchema, name: Type.String() }),
  /** The window of every rate in the answer (the month: the assessment's window). */
  window: RateWindow,
  /** Rows whose composite rests on fewer verdicts or ratings than this are listed after the ranked ones. */
  minSample: Count,
  kpis: LandingKpis,
  /** The town's place on the city's list of towns under treatment (治理类) and its 三升四降 pair; null: not listed. */
  treatment: Type.Optional(Type.Union([TreatedTown, Type.Null()])),
  /**
   * The district average beside each KPI: the rates and the composite are the district's own (every ticket of
   * the district weighs alike, as on the district's KPI bar); counts are the district's total divided by the
   * number of towns (the mean town).
   */
  district: Type.Object({ key: AreaKeySchema, name: Type.String(), towns: Count, kpis: LandingKpis }),
  /** Villages / communities, worst first: composite ascending (no data last), then overdue, then open. */
  units: Type.Array(LandingUnit),
  /** The town's grid cells in the same order, the worst `items.length` of `total`. */
  cells: Type.Object({ total: Count, items: Type.Array(LandingCell) }),
  /** Overdue open tickets, longest overdue first, the first `items.length` of `total`. */
  overdue: Type.Object({ total: Count, items: Type.Array(LandingOverdueTicket) }),
  /** Tickets created in (now − 7 d, now] against (now − 14 d, now − 7 d], by creation time. */
  week: Type.Object({
    from: Timestamp,
    previousFrom: Timestamp,
    total: WeekChange,
    /** Every category with a ticket in either week, the largest rise first. */
    byCategory: Type.Array(Type.Object({ category: TicketCategory, ...WeekChangeFields })),
    /** Units whose tickets rose, the largest rise first (capped). */
    byUnit: Type.Array(
      Type.Object({ key: Type.String(), name: Type.String(), focus: AreaKeySchema, ...WeekChangeFields }),
    ),
  }),
  /** 零诉求: units with at least one whole day without a new ticket, longest streak first. */
  streaks: Type.Array(
    Type.Object({
      key: Type.String(),
      name: Type.String(),
      kind: LandingUnit.properties.kind,
      focus: AreaKeySchema,
      days: Count,
    }),
  ),
});
export type Landing = Static<typeof Landing>;
