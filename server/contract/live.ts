// What the server folds the log into and sends to clients: per-area aggregates (KPIs), the active map
// objects (tickets, checkpoints, rangers), and the snapshot / delta messages that carry them.
// Shared by the server (live/, gateway/) and the client (live/, panels). No Node imports here.
//
// Policy: unlike events, these shapes are open (extra properties allowed). They flow from server to
// client, and a wall screen may run an older client bundle for days after the server gained a field;
// it should ignore the new field, not reject the snapshot.
import Type, { type Static } from 'typebox';
import { AreaLevel, LonLat, WarningColor, type AreaKey } from './areas';
import {
  AREA_KEY_PATTERN,
  Department,
  IncidentType,
  ObstructionStatus,
  Place,
  Ref,
  ResponseLevel,
  Severity,
  TicketCategory,
  TicketStatus,
  Timestamp,
  Urgency,
} from './events';
import { checker, type CheckResult } from './validate';

// ---- small pieces ----

const Count = Type.Integer({ minimum: 0 });
/** A share in 0..1; null when the window holds no data for it (shown as "—", never as 0 %). */
export const Rate = Type.Union([Type.Number({ minimum: 0, maximum: 1 }), Type.Null()]);
export type Rate = Static<typeof Rate>;

/** An area key ("town:110112004") checked by pattern, typed as areas.ts's AreaKey. */
export const AreaKeySchema = Type.Unsafe<AreaKey>(Type.String({ pattern: AREA_KEY_PATTERN }));
const AREA_KEY_RE = new RegExp(AREA_KEY_PATTERN);
export const isAreaKey = (v: unknown): v is AreaKey => typeof v === 'string' && AREA_KEY_RE.test(v);

/**
 * Time windows for KPIs. 'today' is the calendar day in Asia/Shanghai (UTC+8, no DST): what the district
 * reports and what "new today" means to a town leader. 'rolling24h' is the last 24 hours: it does not
 * collapse to zero at midnight, which suits the wall at night.
 */
export const TimeWindow = Type.Union([Type.Literal('today'), Type.Literal('rolling24h')]);
export type TimeWindow = Static<typeof TimeWindow>;
export const TIME_WINDOWS: readonly TimeWindow[] = ['today', 'rolling24h'];
export const TIME_ZONE = 'Asia/Shanghai';

// ---- aggregates ----

/**
 * The three rates (三率) and the composite (config-defaults.ts) over one window:
 * responseRate = answered by responseDueAt / due for a response; resolutionRate = resolved / closed;
 * satisfactionRate = satisfied / rated.
 */
const RateFields = {
  responseRate: Rate,
  resolutionRate: Rate,
  satisfactionRate: Rate,
  composite: Rate,
};

/** Flows and rates over the rolling 24 h window. */
export const TicketWindowKpis = Type.Object({
  created: Count,
  closed: Count,
  ...RateFields,
});
export type TicketWindowKpis = Static<typeof TicketWindowKpis>;

/** Ticket KPIs of one area. Counts named "today" and the rates use the 'today' window. */
export const TicketKpis = Type.Object({
  /** Not closed yet, whenever created. */
  open: Count,
  newToday: Count,
  closedToday: Count,
  /** Open and past resolveDueAt. */
  overdue: Count,
  /** Open, not overdue, past DEFAULT_NEAR_DEADLINE_FRACTION of the resolve window. */
  nearDeadline: Count,
  /** Tickets created today per category; categories with none are absent. */
  byCategory: Type.Partial(Type.Record(TicketCategory, Count)),
  ...RateFields,
  rolling24h: TicketWindowKpis,
});
export type TicketKpis = Static<typeof TicketKpis>;

export const FloodAggregate = Type.Object({
  /** Highest colour among the area's checkpoints ('none' when all are below blue or there are none). */
  worstColor: WarningColor,
  /** Checkpoints whose colour is not 'none'. */
  inWarning: Count,
  checkpoints: Count,
  /** 碍洪点 not yet cleared (pending or clearing). */
  obstructionsOpen: Count,
  /** The emergency response level in force for the area. */
  responseLevel: ResponseLevel,
});
export type FloodAggregate = Static<typeof FloodAggregate>;

export const PatrolAggregate = Type.Object({
  /** Rangers on a patrol right now. */
  activeRangers: Count,
  lastPatrolAt: Type.Union([Timestamp, Type.Null()]),
  /** Share of the area's patrol points checked in today; null when the area has none. */
  coverageToday: Rate,
  openIncidents: Count,
  /** Active rangers whose position is overdue (see RangerObject.signalLost). */
  lostSignal: Count,
});
export type PatrolAggregate = Static<typeof PatrolAggregate>;

export const AreaAggregate = Type.Object({
  key: AreaKeySchema,
  level: AreaLevel,
  tickets: TicketKpis,
  flood: FloodAggregate,
  patrol: PatrolAggregate,
  /** Consecutive whole days (Asia/Shanghai) without a new ticket, the 零诉求 streak; today is not counted. */
  zeroComplaintDays: Count,
});
export type AreaAggregate = Static<typeof AreaAggregate>;

// ---- active map objects ----

export const TicketObject = Type.Object({
  id: Ref,
  category: TicketCategory,
  urgency: Urgency,
  status: TicketStatus,
  title: Type.String(),
  /** Canonical WGS84. */
  position: LonLat,
  place: Type.Optional(Place),
  createdAt: Timestamp,
  responseDueAt: Timestamp,
  resolveDueAt: Timestamp,
  overdue: Type.Boolean(),
  nearDeadline: Type.Boolean(),
  /** Departments called in by 吹哨报到, in the order they were called. */
  escalatedTo: Type.Array(Department),
  assignee: Type.Optional(Type.String()),
});
export type TicketObject = Static<typeof TicketObject>;

export const Trend = Type.Union([Type.Literal('rising'), Type.Literal('steady'), Type.Literal('falling')]);
export type Trend = Static<typeof Trend>;

/** A checkpoint's live state; its position and thresholds come from the static checkpoints layer. */
export const CheckpointObject = Type.Object({
  id: Ref,
  /** Latest water level (m); null before the first reading. */
  level: Type.Union([Type.Number(), Type.Null()]),
  rainfall: Type.Union([Type.Number({ minimum: 0 }), Type.Null()]),
  trend: Trend,
  color: WarningColor,
  /** Only obstruction checkpoints (碍洪点) have one. */
  obstructionStatus: Type.Union([ObstructionStatus, Type.Null()]),
  readingAt: Type.Union([Timestamp, Type.Null()]),
  inspectedAt: Type.Union([Timestamp, Type.Null()]),
});
export type CheckpointObject = Static<typeof CheckpointObject>;

/** One point of a trail: [lon, lat, t] with t in Unix epoch milliseconds (compact: trails are long). */
export const TrailPoint = Type.Tuple([
  Type.Number({ minimum: -180, maximum: 180 }),
  Type.Number({ minimum: -90, maximum: 90 }),
  Type.Integer({ minimum: 0 }),
]);
export type TrailPoint = Static<typeof TrailPoint>;

export const RangerStatus = Type.Union([Type.Literal('patrolling'), Type.Literal('idle')]);
export type RangerStatus = Static<typeof RangerStatus>;

export const RangerObject = Type.Object({
  id: Ref,
  patrolId: Type.Union([Ref, Type.Null()]),
  clusterId: Type.Union([Ref, Type.Null()]),
  position: LonLat,
  /** Recent points, oldest first, ending at `position`. */
  trail: Type.Array(TrailPoint),
  status: RangerStatus,
  lastSeen: Timestamp,
  /** No position for longer than the configured gap (positions come every ~10 s while patrolling). */
  signalLost: Type.Boolean(),
  battery: Type.Union([Type.Number({ minimum: 0, maximum: 100 }), Type.Null()]),
});
export type RangerObject = Static<typeof RangerObject>;

/** An open patrol incident on the map. */
export const IncidentObject = Type.Object({
  id: Ref,
  rangerId: Ref,
  type: IncidentType,
  severity: Severity,
  position: LonLat,
  reportedAt: Timestamp,
});
export type IncidentObject = Static<typeof IncidentObject>;

// ---- alerts (placeholder until rules/ defines its lifecycle) ----

export const AlertSeverity = Type.Union([Type.Literal('info'), Type.Literal('warning'), Type.Literal('severe')]);
export type AlertSeverity = Static<typeof AlertSeverity>;

export const AlertNotice = Type.Object({
  id: Ref,
  ruleId: Ref,
  severity: AlertSeverity,
  area: AreaKeySchema,
  title: Type.String(),
  raisedAt: Timestamp,
  /** The object the alert is about, so the wall can fly to it. */
  subject: Type.Optional(
    Type.Object({
      kind: Type.Union([Type.Literal('ticket'), Type.Literal('checkpoint'), Type.Literal('ranger'), Type.Literal('incident')]),
      id: Ref,
    }),
  ),
});
export type AlertNotice = Static<typeof AlertNotice>;

// ---- snapshot and delta ----

/**
 * A client's state is a function of one sequence number: `seq` is the last event folded into it.
 * A delta applies only to state at exactly `fromSeq` and brings it to `toSeq`; anything else is a gap,
 * and the client asks for a snapshot again (see deltaFollows).
 */
export const Snapshot = Type.Object({
  /** 0 when the log is empty. */
  seq: Type.Integer({ minimum: 0 }),
  /** The followed area; aggregates cover it and its children. */
  scope: AreaKeySchema,
  at: Timestamp,
  aggregates: Type.Array(AreaAggregate),
  tickets: Type.Array(TicketObject),
  checkpoints: Type.Array(CheckpointObject),
  rangers: Type.Array(RangerObject),
  incidents: Type.Optional(Type.Array(IncidentObject)),
});
export type Snapshot = Static<typeof Snapshot>;

/** Changes to one kind of object: whole objects to insert or replace, ids to drop. */
function changesOf<T extends typeof TicketObject | typeof CheckpointObject | typeof RangerObject | typeof IncidentObject>(
  object: T,
) {
  return Type.Object({ upserts: Type.Array(object), removals: Type.Array(Ref) });
}
export const TicketChanges = changesOf(TicketObject);
export const CheckpointChanges = changesOf(CheckpointObject);
export const RangerChanges = changesOf(RangerObject);
export const IncidentChanges = changesOf(IncidentObject);

export const Delta = Type.Object({
  fromSeq: Type.Integer({ minimum: 0 }),
  toSeq: Type.Integer({ minimum: 0 }),
  scope: AreaKeySchema,
  at: Timestamp,
  /** Only the aggregates that changed, whole. */
  aggregates: Type.Array(AreaAggregate),
  tickets: TicketChanges,
  checkpoints: CheckpointChanges,
  rangers: RangerChanges,
  incidents: Type.Optional(IncidentChanges),
});
export type Delta = Static<typeof Delta>;

/** True when `delta` applies to a client whose state is at `lastSeq`; false means resync. */
export const deltaFollows = (lastSeq: number, delta: Pick<Delta, 'fromSeq'>): boolean => delta.fromSeq === lastSeq;

const checkSnapshotShape = checker(Snapshot);
const checkDeltaShape = checker(Delta);

export const checkSnapshot = (value: unknown): CheckResult<Snapshot> => checkSnapshotShape(value);

/** Checks a delta's shape and that its range runs forward. */
export function checkDelta(value: unknown): CheckResult<Delta> {
  const r = checkDeltaShape(value);
  if (r.ok && r.value.toSeq < r.value.fromSeq) {
    return { ok: false, errors: [{ path: '/toSeq', message: 'must not be less than fromSeq' }] };
  }
  return r;
}

export const checkAreaAggregate = checker(AreaAggregate);

// ---- compact aggregate rows ----
// A district snapshot carries ~23 town aggregates and a town's carries hundreds of grid cells; repeating
// thirty property names per area triples the size of every delta. A row drops the names: column i of the
// row is AGGREGATE_COLUMNS[i]. byCategory stays an object (it is sparse). Order is part of the contract:
// append new columns at the end, never reorder.

export const AGGREGATE_COLUMNS = [
  'key',
  'level',
  'tickets.open',
  'tickets.newToday',
  'tickets.closedToday',
  'tickets.overdue',
  'tickets.nearDeadline',
  'tickets.byCategory',
  'tickets.responseRate',
  'tickets.resolutionRate',
  'tickets.satisfactionRate',
  'tickets.composite',
  'tickets.rolling24h.created',
  'tickets.rolling24h.closed',
  'tickets.rolling24h.responseRate',
  'tickets.rolling24h.resolutionRate',
  'tickets.rolling24h.satisfactionRate',
  'tickets.rolling24h.composite',
  'flood.worstColor',
  'flood.inWarning',
  'flood.checkpoints',
  'flood.obstructionsOpen',
  'flood.responseLevel',
  'patrol.activeRangers',
  'patrol.lastPatrolAt',
  'patrol.coverageToday',
  'patrol.openIncidents',
  'patrol.lostSignal',
  'zeroComplaintDays',
] as const;

export const AggregateRow = Type.Tuple([
  AreaKeySchema,
  AreaLevel,
  Count,
  Count,
  Count,
  Count,
  Count,
  TicketKpis.properties.byCategory,
  Rate,
  Rate,
  Rate,
  Rate,
  Count,
  Count,
  Rate,
  Rate,
  Rate,
  Rate,
  WarningColor,
  Count,
  Count,
  Count,
  ResponseLevel,
  Count,
  PatrolAggregate.properties.lastPatrolAt,
  Rate,
  Count,
  Count,
  Count,
]);
export type AggregateRow = Static<typeof AggregateRow>;

export function encodeAggregate(a: AreaAggregate): AggregateRow {
  const t = a.tickets;
  const r = t.rolling24h;
  return [
    a.key,
    a.level,
    t.open,
    t.newToday,
    t.closedToday,
    t.overdue,
    t.nearDeadline,
    t.byCategory,
    t.responseRate,
    t.resolutionRate,
    t.satisfactionRate,
    t.composite,
    r.created,
    r.closed,
    r.responseRate,
    r.resolutionRate,
    r.satisfactionRate,
    r.composite,
    a.flood.worstColor,
    a.flood.inWarning,
    a.flood.checkpoints,
    a.flood.obstructionsOpen,
    a.flood.responseLevel,
    a.patrol.activeRangers,
    a.patrol.lastPatrolAt,
    a.patrol.coverageToday,
    a.patrol.openIncidents,
    a.patrol.lostSignal,
    a.zeroComplaintDays,
  ];
}

export function decodeAggregate(row: AggregateRow): AreaAggregate {
  const [
    key,
    level,
    open,
    newToday,
    closedToday,
    overdue,
    nearDeadline,
    byCategory,
    responseRate,
    resolutionRate,
    satisfactionRate,
    composite,
    created24,
    closed24,
    responseRate24,
    resolutionRate24,
    satisfactionRate24,
    composite24,
    worstColor,
    inWarning,
    checkpoints,
    obstructionsOpen,
    responseLevel,
    activeRangers,
    lastPatrolAt,
    coverageToday,
    openIncidents,
    lostSignal,
    zeroComplaintDays,
  ] = row;
  return {
    key,
    level,
    tickets: {
      open,
      newToday,
      closedToday,
      overdue,
      nearDeadline,
      byCategory,
      responseRate,
      resolutionRate,
      satisfactionRate,
      composite,
      rolling24h: {
        created: created24,
        closed: closed24,
        responseRate: responseRate24,
        resolutionRate: resolutionRate24,
        satisfactionRate: satisfactionRate24,
        composite: composite24,
      },
    },
    flood: { worstColor, inWarning, checkpoints, obstructionsOpen, responseLevel },
    patrol: { activeRangers, lastPatrolAt, coverageToday, openIncidents, lostSignal },
    zeroComplaintDays,
  };
}
