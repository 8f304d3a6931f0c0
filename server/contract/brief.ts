// GET /api/v1/brief?area=<district or town>&date=YYYY-MM-DD: the daily brief (日报), one local day
// (Asia/Shanghai) of one town or of the district, for a printed page. Everything in it lies in the area asked
// for. The day's figures are the live state's 'today' figures as they stood at the end of that day
// (docs/KPIS.md), rebuilt from the log; the comparison is the same weekday one week earlier (上周同日), the
// same one-day window, so the two columns mean the same thing. Open shapes, like live.ts. No Node imports.
import Type, { type Static } from 'typebox';
import { AlertRaised, AlertRule, AlertSeverity, AlertStatus } from './alerts';
import { WarningColor } from './areas';
import { ResponseLevel, TicketCategory, TicketStatus, Timestamp, Urgency } from './events';
import { AreaKeySchema, Rate, RateSample } from './live';

const Count = Type.Integer({ minimum: 0 });
/** A local calendar day, YYYY-MM-DD. */
export const BriefDate = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$' });
const Ms = Type.Integer({ minimum: 0, description: 'milliseconds' });

/** One local day's ticket figures of the area: the live state's 'today' window at 23:59:59.999 of that day. */
export const BriefTicketDay = Type.Object({
  date: BriefDate,
  /** Tickets created that day (newToday). */
  created: Count,
  /** Of those, raised by a grid worker before any citizen called (未诉先办, proactiveToday): the share's numerator. */
  proactive: Count,
  /** Tickets closed that day (closedToday). */
  closed: Count,
  responseRate: Rate,
  resolutionRate: Rate,
  satisfactionRate: Rate,
  composite: Rate,
  /** Open at the end of the day. */
  open: Count,
  /** Open and past their resolve deadline at the end of the day. */
  overdue: Count,
  /**
   * 督办 (docs/KPIS.md): tickets supervised that day (by their latest supervision), and the open ones under
   * supervision at the end of the day. Absent from briefs made before they were counted.
   */
  supervised: Type.Optional(Count),
  supervisedOpen: Type.Optional(Count),
});
export type BriefTicketDay = Static<typeof BriefTicketDay>;

export const BriefOverdueTicket = Type.Object({
  id: Type.String(),
  title: Type.String(),
  category: TicketCategory,
  urgency: Urgency,
  status: TicketStatus,
  createdAt: Timestamp,
  resolveDueAt: Timestamp,
  /** How late at the end of the day. */
  lateMs: Ms,
  /** The grid cell and its name without the town; null when the ticket lies in no cell. */
  cell: Type.Union([AreaKeySchema, Type.Null()]),
  cellName: Type.Union([Type.String(), Type.Null()]),
  /** The town's name (the district's brief lists every town's). */
  town: Type.Union([Type.String(), Type.Null()]),
});
export type BriefOverdueTicket = Static<typeof BriefOverdueTicket>;

/**
 * A ranked area (grid cell, or a town in the district's brief), by the landing's order: compareWorst. Its rates
 * are of the month up to the brief's day (the assessment's window, as on the landing), with their sample: a
 * composite on fewer tickets than the floor comes after the ranked rows. created / open / overdue are the day's.
 */
export const BriefRankRow = Type.Object({
  key: AreaKeySchema,
  name: Type.String(),
  composite: Rate,
  responseRate: Rate,
  resolutionRate: Rate,
  satisfactionRate: Rate,
  sample: Type.Optional(RateSample),
  /**
   * 未诉先办 of the month up to the brief's day: the share of the month's new tickets a grid worker raised first
   * (null when none was created), and the month's new tickets it rests on.
   */
  proactiveShare: Type.Optional(Rate),
  monthCreated: Type.Optional(Count),
  created: Count,
  open: Count,
  overdue: Count,
});
export type BriefRankRow = Static<typeof BriefRankRow>;

export const BriefCheckpoint = Type.Object({
  id: Type.String(),
  name: Type.String(),
  town: Type.Union([Type.String(), Type.Null()]),
  /** The highest colour its readings of the day reached (never 'none' in this list). */
  color: WarningColor,
  peakLevel: Type.Number(),
  peakAt: Timestamp,
  /** The first reading of the day at a warning colour. */
  firstWarningAt: Timestamp,
  readings: Count,
});
export type BriefCheckpoint = Static<typeof BriefCheckpoint>;

export const BriefFloodResponse = Type.Object({
  at: Timestamp,
  level: ResponseLevel,
  riverId: Type.Optional(Type.String()),
  area: Type.Optional(AreaKeySchema),
  note: Type.Optional(Type.String()),
});
export type BriefFloodResponse = Static<typeof BriefFloodResponse>;

export const BriefCluster = Type.Object({
  key: AreaKeySchema,
  name: Type.String(),
  town: Type.Union([Type.String(), Type.Null()]),
  /** Share of the cluster's ~100 m sub-cells with a ranger position that day (coverageToday at its end). */
  coverage: Rate,
  lastPatrolAt: Type.Union([Timestamp, Type.Null()]),
});
export type BriefCluster = Static<typeof BriefCluster>;

export const BriefAlert = Type.Object({
  id: Type.String(),
  rule: AlertRule,
  severity: AlertSeverity,
  /** The server's Chinese title; a reader in another language gets it worded from rule + facts. */
  title: Type.String(),
  facts: Type.Optional(AlertRaised.properties.facts),
  area: AreaKeySchema,
  raisedAt: Timestamp,
  /** Status when the brief was made. */
  status: AlertStatus,
  acknowledgedAt: Type.Optional(Timestamp),
  /** acknowledgedAt − raisedAt; null while (or when resolved) without an acknowledgement. */
  ackMs: Type.Union([Ms, Type.Null()]),
  escalated: Type.Boolean(),
});
export type BriefAlert = Static<typeof BriefAlert>;

export const Brief = Type.Object({
  area: Type.Object({
    key: AreaKeySchema,
    name: Type.String(),
    level: Type.Union([Type.Literal('district'), Type.Literal('town')]),
  }),
  date: BriefDate,
  /** The local day: [from, to). */
  from: Timestamp,
  to: Timestamp,
  /** When this brief was computed, and whether by the morning schedule (BRIEF_HOUR) or on a request. */
  generatedAt: Timestamp,
  source: Type.Union([Type.Literal('scheduled'), Type.Literal('on-demand')]),
  /** The last log seq the brief had read. */
  seq: Type.Integer({ minimum: 0 }),
  tickets: Type.Object({
    day: BriefTicketDay,
    /** The same weekday one week earlier. */
    weekBefore: BriefTicketDay,
    /** The eight days from weekBefore to day, oldest first (the small chart). */
    daily: Type.Array(BriefTicketDay),
    byCategory: Type.Partial(Type.Record(TicketCategory, Count)),
  }),
  overdue: Type.Object({ total: Count, items: Type.Array(BriefOverdueTicket) }),
  /** Worst first (compareWorst: lowest composite, then most overdue): the area's grid cells. */
  worstCells: Type.Object({ total: Count, items: Type.Array(BriefRankRow) }),
  /** The district's brief only: every town, worst first. */
  towns: Type.Optional(Type.Array(BriefRankRow)),
  flood: Type.Object({
    checkpoints: Type.Array(BriefCheckpoint),
    responses: Type.Array(BriefFloodResponse),
    /** In force for the area at the end of the day. */
    responseLevelAtEnd: ResponseLevel,
  }),
  patrol: Type.Object({
    /** The area's coverage (all its clusters together); null without forest. */
    coverage: Rate,
    clusters: Type.Array(BriefCluster),
  }),
  alerts: Type.Object({
    raised: Count,
    bySeverity: Type.Object({ info: Count, warning: Count, severe: Count }),
    acknowledged: Count,
    /** Never acknowledged by the time the brief was made (open, or resolved without it). */
    unacknowledged: Count,
    medianAckMs: Type.Union([Ms, Type.Null()]),
    worstAckMs: Type.Union([Ms, Type.Null()]),
    items: Type.Array(BriefAlert),
  }),
});
export type Brief = Static<typeof Brief>;
