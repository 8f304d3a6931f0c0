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
  DeviceStatusReason,
  IncidentType,
  ObstructionStatus,
  Place,
  Ref,
  ResponseLevel,
  Severity,
  SupervisionLevel,
  TICKET_CATEGORIES,
  TicketCategory,
  TicketStatus,
  Timestamp,
  Urgency,
} from './events';
import { monthStartDay, yearStartDay } from './time';
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

/**
 * The windows a leader reads the rates in. Beijing assesses 接诉即办 by the month and compares the year to
 * date, so 'month' is the default: a 'today' rate rests on a handful of ratings at noon (ratings come a day
 * after the close). month and year start at local midnight (Asia/Shanghai) of their first day; rolling30d is
 * the last 30 local days, today included.
 */
export const RateWindow = Type.Union([
  Type.Literal('today'),
  Type.Literal('month'),
  Type.Literal('year'),
  Type.Literal('rolling30d'),
]);
export type RateWindow = Static<typeof RateWindow>;
export const RATE_WINDOWS: readonly RateWindow[] = ['today', 'month', 'year', 'rolling30d'];
export const DEFAULT_RATE_WINDOW: RateWindow = 'month';
/** Days of the rolling30d window, today included. */
export const ROLLING_DAYS = 30;

/** The first local day (time.ts day number) of a rate window whose last day is `today`. */
export function rateWindowStartDay(window: RateWindow, today: number): number {
  switch (window) {
    case 'today':
      return today;
    case 'month':
      return monthStartDay(today);
    case 'year':
      return yearStartDay(today);
    case 'rolling30d':
      return today - (ROLLING_DAYS - 1);
  }
}
/**
 * Below this many rated tickets an area's rates are not ranked (a village with one rating is not the worst of
 * the district): rankings mark it and leave it out. A deployment may set another (see server config).
 */
export const DEFAULT_MIN_RATE_SAMPLE = 10;

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

/** How many tickets each rate rests on (its denominator): shown beside the rate, and the ranking's floor. */
export const RateSample = Type.Object({
  /** Tickets whose response was settled in the window. */
  response: Count,
  /** Closes with a verdict. */
  resolution: Count,
  /** Rated tickets. */
  satisfaction: Count,
});
export type RateSample = Static<typeof RateSample>;

/** What the composite rests on: the thinner of verdicts and ratings (the rates it weighs most). */
export const compositeSample = (s: RateSample): number => Math.min(s.resolution, s.satisfaction);

/** Flows and rates over one window (rolling 24 h, month, year, rolling 30 days). */
export const TicketWindowKpis = Type.Object({
  created: Count,
  closed: Count,
  /**
   * 未诉先办 (主动治理): of `created`, the tickets a grid worker raised before any citizen called (channel
   * grid_worker); the share proactive / created is the figure of proactive governance.
   */
  proactive: Count,
  ...RateFields,
  sample: RateSample,
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
  /** The samples of today's rates. */
  sample: RateSample,
  /** Of newToday, raised by grid workers before any call (未诉先办). */
  proactiveToday: Count,
  rolling24h: TicketWindowKpis,
  /** The calendar month so far (local time), the assessment's window. */
  month: TicketWindowKpis,
  /**
   * The calendar year so far, and the last 30 local days (today included): on request only (ON_REQUEST_WINDOWS).
   * They change with every fact, like the month, but are read rarely; on the socket they would cost every delta
   * two more windows of counts, so the socket leaves them out and GET /api/v1/aggregates has them.
   */
  year: Type.Optional(TicketWindowKpis),
  rolling30d: Type.Optional(TicketWindowKpis),
});
export type TicketKpis = Static<typeof TicketKpis>;

/** The windows the socket leaves out (snapshots and deltas); a client that shows one asks the REST API. */
export const ON_REQUEST_WINDOWS = ['year', 'rolling30d'] as const satisfies readonly RateWindow[];
export type OnRequestWindow = (typeof ON_REQUEST_WINDOWS)[number];
export const isOnRequestWindow = (w: RateWindow): w is OnRequestWindow =>
  (ON_REQUEST_WINDOWS as readonly string[]).includes(w);

/** A window without data: what an on-request window reads as until its figures have come. */
export const NO_WINDOW: TicketWindowKpis = {
  created: 0,
  closed: 0,
  proactive: 0,
  responseRate: null,
  resolutionRate: null,
  satisfactionRate: null,
  composite: null,
  sample: { response: 0, resolution: 0, satisfaction: 0 },
};

/** An aggregate as the socket carries it: without the on-request windows. */
export function socketAggregate(a: AreaAggregate): AreaAggregate {
  if (a.tickets.year === undefined && a.tickets.rolling30d === undefined) return a;
  const { year: _year, rolling30d: _rolling30d, ...tickets } = a.tickets;
  return { ...a, tickets };
}

/** The figures of one rate window of an area's ticket KPIs ('today' gathered from its top-level fields). */
export function ticketWindow(t: TicketKpis, window: RateWindow): TicketWindowKpis {
  if (window !== 'today') return t[window] ?? NO_WINDOW;
  return {
    created: t.newToday,
    closed: t.closedToday,
    proactive: t.proactiveToday,
    responseRate: t.responseRate,
    resolutionRate: t.resolutionRate,
    satisfactionRate: t.satisfactionRate,
    composite: t.composite,
    sample: t.sample,
  };
}

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
  /**
   * Share of the area's forest sub-cells (~100 m squares cut from its forest clusters) with a ranger position
   * today; null when the area has no forest cluster.
   */
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

/** The ticket's supervision (督办): the count and the latest by its time. */
export const TicketSupervision = Type.Object({
  count: Type.Integer({ minimum: 1 }),
  at: Timestamp,
  by: Type.String(),
  level: SupervisionLevel,
  note: Type.Optional(Type.String()),
});
export type TicketSupervision = Static<typeof TicketSupervision>;

/**
 * The follow-up call (回访) as it counts: the first answer to each question (a later call does not change the
 * rates, so it does not change this either), and when and by whom the first call that answered was made. A
 * call that reached nobody leaves both answers out.
 */
export const TicketFollowUp = Type.Object({
  at: Timestamp,
  by: Type.Optional(Type.String()),
  resolved: Type.Optional(Type.Boolean()),
  satisfied: Type.Optional(Type.Boolean()),
  score: Type.Optional(Type.Integer({ minimum: 1, maximum: 5 })),
});
export type TicketFollowUp = Static<typeof TicketFollowUp>;

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
  /** Where the reporter said it is, as they wrote it (an Open311 address_string, a hotline's address). */
  address: Type.Optional(Type.String()),
  /** The reporter's photo or video, a link only (never fetched by the server). */
  mediaUrl: Type.Optional(Type.String()),
  /** 督办: how often the ticket was put under supervision and the latest one; absent when never. */
  supervision: Type.Optional(TicketSupervision),
  /** 回访: the follow-up's answers that count (docs/KPIS.md); absent until the hotline calls back. */
  followUp: Type.Optional(TicketFollowUp),
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
  /**
   * The tracker that reports for the ranger, as its owner typed its id, and its last status: `unplaced` names why
   * its latest report could not be drawn (no fix, outside the district, …), null when the latest was a position.
   */
  device: Type.Optional(
    Type.Object({
      id: Type.String({ minLength: 1, maxLength: 100 }),
      unplaced: Type.Union([DeviceStatusReason, Type.Null()]),
      at: Timestamp,
      /** What the tracker said of itself with its latest report (Traccar Client's extras), when it said it. */
      charging: Type.Optional(Type.Boolean()),
      moving: Type.Optional(Type.Boolean()),
      activity: Type.Optional(Type.String({ maxLength: 64 })),
      odometer: Type.Optional(Type.Number()),
      accuracy: Type.Optional(Type.Number()),
      mock: Type.Optional(Type.Boolean()),
    }),
  ),
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

// ---- alerts (the lifecycle is in alerts.ts) ----

export const AlertSeverity = Type.Union([Type.Literal('info'), Type.Literal('warning'), Type.Literal('severe')]);
export type AlertSeverity = Static<typeof AlertSeverity>;

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
  /**
   * The scope's key list: the scope, then its children in the area tree's order. A wire delta names a changed
   * aggregate by its position in this list (see DeltaWire), so the list is fixed for the life of the scope.
   */
  keys: Type.Optional(Type.Array(AreaKeySchema)),
  /**
   * Length of a ranger's trail (ms), measured back from its newest point: a client trims what is older after
   * appending a wire delta's trail tail (see RangerWire). Absent from servers that send whole trails only.
   */
  trailMs: Type.Optional(Type.Integer({ minimum: 1 })),
});
export type Snapshot = Static<typeof Snapshot>;

/** Changes to one kind of object: whole objects to insert or replace, ids to drop. */
function changesOf<
  T extends typeof TicketObject | typeof CheckpointObject | typeof RangerObject | typeof IncidentObject,
>(object: T) {
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

/** The columns of one long window, in the order windowCells writes them. */
function windowColumns<W extends 'month'>(w: W) {
  return [
    `tickets.${w}.created`,
    `tickets.${w}.closed`,
    `tickets.${w}.responseRate`,
    `tickets.${w}.resolutionRate`,
    `tickets.${w}.satisfactionRate`,
    `tickets.${w}.composite`,
    `tickets.${w}.sample.response`,
    `tickets.${w}.sample.resolution`,
    `tickets.${w}.sample.satisfaction`,
    `tickets.${w}.proactive`,
  ] as const;
}
const WINDOW_CELLS = [Count, Count, Rate, Rate, Rate, Rate, Count, Count, Count, Count] as const;
type WindowCells = [number, number, Rate, Rate, Rate, Rate, number, number, number, number];
const windowCells = (w: TicketWindowKpis): WindowCells => [
  w.created,
  w.closed,
  w.responseRate,
  w.resolutionRate,
  w.satisfactionRate,
  w.composite,
  w.sample.response,
  w.sample.resolution,
  w.sample.satisfaction,
  w.proactive,
];
const windowOfCells = (c: WindowCells): TicketWindowKpis => ({
  created: c[0],
  closed: c[1],
  responseRate: c[2],
  resolutionRate: c[3],
  satisfactionRate: c[4],
  composite: c[5],
  sample: { response: c[6], resolution: c[7], satisfaction: c[8] },
  proactive: c[9],
});

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
  'tickets.sample.response',
  'tickets.sample.resolution',
  'tickets.sample.satisfaction',
  'tickets.rolling24h.sample.response',
  'tickets.rolling24h.sample.resolution',
  'tickets.rolling24h.sample.satisfaction',
  'tickets.proactiveToday',
  'tickets.rolling24h.proactive',
  ...windowColumns('month'),
] as const;
/** Where the month's cells start in a row. */
const MONTH_COLUMN = AGGREGATE_COLUMNS.indexOf('tickets.month.created');

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
  Count,
  Count,
  Count,
  Count,
  Count,
  Count,
  Count,
  Count,
  ...WINDOW_CELLS,
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
    t.sample.response,
    t.sample.resolution,
    t.sample.satisfaction,
    r.sample.response,
    r.sample.resolution,
    r.sample.satisfaction,
    t.proactiveToday,
    r.proactive,
    ...windowCells(t.month),
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
    sampleResponse,
    sampleResolution,
    sampleSatisfaction,
    sampleResponse24,
    sampleResolution24,
    sampleSatisfaction24,
    proactiveToday,
    proactive24,
  ] = row;
  const cells = (at: number) => row.slice(at, at + WINDOW_CELLS.length) as WindowCells;
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
      sample: { response: sampleResponse, resolution: sampleResolution, satisfaction: sampleSatisfaction },
      proactiveToday,
      rolling24h: {
        created: created24,
        closed: closed24,
        proactive: proactive24,
        responseRate: responseRate24,
        resolutionRate: resolutionRate24,
        satisfactionRate: satisfactionRate24,
        composite: composite24,
        sample: { response: sampleResponse24, resolution: sampleResolution24, satisfaction: sampleSatisfaction24 },
      },
      month: windowOfCells(cells(MONTH_COLUMN)),
    },
    flood: { worstColor, inWarning, checkpoints, obstructionsOpen, responseLevel },
    patrol: { activeRangers, lastPatrolAt, coverageToday, openIncidents, lostSignal },
    zeroComplaintDays,
  };
}

// ---- the wire form of a delta ----
// What the gateway sends as 'state:delta'. Measured (docs/STACK.md): 50 changed aggregates cost 7.2 KB as JSON
// objects and 2.9 KB as full keyless rows. One event changes only a few of an aggregate's 27 value columns (a
// new ticket: open, newToday, byCategory, rolling24h.created), so the wire carries only those, as a patch:
//   [position, column, value, column, value, …]
// position: the aggregate's index in the scope's key list (Snapshot.keys); column: an index into
// AGGREGATE_COLUMNS, ascending; key and level never travel, the position implies them. A value replaces the
// client's value (absolute, never an increment), so applying a patch twice, or replaying older patches in order
// before newer ones, ends in the same state: a resume may replay from a seq without knowing which clock-only
// deltas (fromSeq === toSeq) the client already applied. A patch is relative to what the client holds for that
// key, so a client without the aggregate gets every column. Object changes are whole objects, rounded (see
// "objects on the wire" below), except a ranger's trail, which travels as the points the room lacks; groups with
// nothing in them are left out. decodeDelta turns a DeltaWire back into the contract Delta.
//
// byCategory is sparse and its names are long ({"property_management":9,…} alone is ~60 bytes), so the encoder
// sends only the categories whose count changed, each as a negative column: -(i + 1), count, with i the index in
// TICKET_CATEGORIES (append-only, like AGGREGATE_COLUMNS) and a count of 0 meaning "none" (the key is dropped).
// A new e-bike ticket then costs `[17,2,38,3,42,-8,5,12,51]`: 26 bytes. Column 7 with a whole object (replace)
// is also understood, for a producer that prefers it.

/** Rates travel rounded to 0.01 % steps, finer than any panel shows; a raw double costs ~18 characters. */
export const WIRE_RATE_DECIMALS = 4;
const RATE_SCALE = 10 ** WIRE_RATE_DECIMALS;
/** Columns 0 (key) and 1 (level) are implied by the position. */
export const PATCH_FIRST_COLUMN = 2;

type AggregateColumn = (typeof AGGREGATE_COLUMNS)[number];
const RATE_COLUMN_NAMES: readonly AggregateColumn[] = [
  'tickets.responseRate',
  'tickets.resolutionRate',
  'tickets.satisfactionRate',
  'tickets.composite',
  'tickets.rolling24h.responseRate',
  'tickets.rolling24h.resolutionRate',
  'tickets.rolling24h.satisfactionRate',
  'tickets.rolling24h.composite',
  'patrol.coverageToday',
  ...windowColumns('month').slice(2, 6),
];
/** Indexes of the Rate columns of an AggregateRow (rounded on the wire). */
export const RATE_COLUMNS: readonly number[] = RATE_COLUMN_NAMES.map((name) => AGGREGATE_COLUMNS.indexOf(name));
/** Index of tickets.byCategory in AGGREGATE_COLUMNS; a literal so that row[BY_CATEGORY_COLUMN] is typed. */
const BY_CATEGORY_COLUMN = 7;
// Compile-time proof that the literal names the right column.
const BY_CATEGORY_NAME: (typeof AGGREGATE_COLUMNS)[typeof BY_CATEGORY_COLUMN] = 'tickets.byCategory';
void BY_CATEGORY_NAME;

/** The patch column of one ticket category's count (see the byCategory note above). */
export const categoryColumn = (category: TicketCategory): number => -(TICKET_CATEGORIES.indexOf(category) + 1);

/** One cell of an aggregate row: a number, a string, null, or the sparse byCategory object. */
export type AggregateCell = AggregateRow[number];

export const AggregatePatch = Type.Array(
  Type.Union([Type.Number(), Type.String(), Type.Null(), TicketKpis.properties.byCategory]),
  { minItems: 3 },
);
/** [position in Snapshot.keys, column, value, column, value, …]. */
export type AggregatePatch = Static<typeof AggregatePatch>;

// ---- objects on the wire ----
// Tickets, checkpoints and incidents travel whole: they are small, and an event changes several of their fields
// at once. Numbers are rounded first: coordinates to WIRE_COORD_DECIMALS (~0.1 m, finer than a wall map shows;
// a coordinate converted from GCJ-02 is a 17-character double) and water levels and rainfall to
// WIRE_LEVEL_DECIMALS (gauges report centimetres). Snapshots carry the same rounded objects, so a client's
// state does not depend on whether an object came by snapshot or by delta.
//
// A ranger travels whole except for its trail: up to ~180 [lon, lat, t] points (30 minutes at one per 10 s),
// ~6 KB, of which a flush adds one or a few. A delta's ranger entry (RangerWire) carries either
//   trail      the whole trail: the ranger is new to the room (it entered the scope, or came back after a
//              removal), or the server cannot prove what the room holds. Replaces the client's trail.
//   trailTail  only the points after the newest one the room's clients hold, oldest first. The client appends
//              those newer than its newest point, then drops the points older than Snapshot.trailMs before
//              the newest: the rule the server keeps its own trail by (a trail is measured back from the
//              ranger's latest position, never from the clock), so the result is the server's trail.
//   neither    the trail did not change (status, battery or signal only).
// Like a patch, a tail is relative to the room's state before the delta, and applying it twice is harmless:
// the second time every point is at most the newest held. (A resume may replay a clock-only delta the client
// already applied; such a delta has no tail anyway, as no event means no new point.) The price of that rule: a
// new point with the same timestamp as the newest held (a feed repeating a time) cannot travel as a tail, and
// the server sends the whole trail instead. Snapshots always carry whole trails.

/** Coordinates (positions, trail points) travel rounded to 1e-6 degrees: ~0.1 m. */
export const WIRE_COORD_DECIMALS = 6;
/** Water levels (m) and rainfall (mm) travel rounded to centimetres / hundredths. */
export const WIRE_LEVEL_DECIMALS = 2;
const COORD_SCALE = 10 ** WIRE_COORD_DECIMALS;
const LEVEL_SCALE = 10 ** WIRE_LEVEL_DECIMALS;

export const roundCoord = (v: number): number => Math.round(v * COORD_SCALE) / COORD_SCALE;
const roundLevel = (v: number | null): number | null => (v === null ? null : Math.round(v * LEVEL_SCALE) / LEVEL_SCALE);
const roundLonLat = (p: LonLat): LonLat => [roundCoord(p[0]), roundCoord(p[1])];
export const roundTrailPoint = (p: TrailPoint): TrailPoint => [roundCoord(p[0]), roundCoord(p[1]), p[2]];

/**
 * The wire copy of a ticket: deep (a gateway keeps sent deltas for resume, and the live state may mutate its
 * object in place), with its position rounded. The same holds for the other wire* copies below.
 */
export function wireTicket(t: TicketObject): TicketObject {
  const copy = structuredClone(t);
  copy.position = roundLonLat(t.position);
  return copy;
}

export function wireCheckpoint(c: CheckpointObject): CheckpointObject {
  const copy = structuredClone(c);
  copy.level = roundLevel(c.level);
  copy.rainfall = roundLevel(c.rainfall);
  return copy;
}

export function wireIncident(i: IncidentObject): IncidentObject {
  const copy = structuredClone(i);
  copy.position = roundLonLat(i.position);
  return copy;
}

/** A ranger with its whole trail, rounded: what snapshots carry, and deltas for a ranger new to the room. */
export function wireRanger(r: RangerObject): RangerObject {
  const { trail, ...rest } = r;
  // The trail is rebuilt point by point below; cloning it first would copy ~180 arrays for nothing.
  const copy: RangerObject = { ...structuredClone(rest), trail: trail.map(roundTrailPoint) };
  copy.position = roundLonLat(r.position);
  return copy;
}

/** A ranger continuing the trail its room holds: `tail` are the new points (none: the trail is unchanged). */
export function wireRangerTail(r: RangerObject, tail: readonly TrailPoint[]): RangerWire {
  const { trail: _whole, ...rest } = r;
  const copy: RangerWire = structuredClone(rest);
  copy.position = roundLonLat(r.position);
  if (tail.length > 0) copy.trailTail = tail.map(roundTrailPoint);
  return copy;
}

/** What a tail is computed against: the span of the trail a room's clients hold. Times in epoch ms. */
export interface TrailMark {
  /** Time of the oldest point. */
  first: number;
  /** Time of the newest point, and how many points at the end share it (a feed may repeat a timestamp). */
  last: number;
  lastCount: number;
}

/** The mark of a trail (null when it is empty: there is nothing to continue). */
export function trailMark(trail: readonly TrailPoint[]): TrailMark | null {
  const n = trail.length;
  if (n === 0) return null;
  const last = trail[n - 1]![2];
  let k = n - 1;
  while (k > 0 && trail[k - 1]![2] === last) k--;
  return { first: trail[0]![2], last, lastCount: n - k };
}

/**
 * The points of `trail` (the server's, oldest first) that a client holding the trail `held` lacks, or null when
 * appending them and trimming by `trailMs` (appendTrail) would not give the client `trail` exactly: the whole
 * trail must go. That is the case when the server's trail reaches further back than trailMs (its window is
 * longer than the one the client trims by), starts before the client's (it is not an extension of it), dropped
 * the client's oldest point although the client would keep it, ends before the client's, or gained a point at
 * the time of the client's newest (appendTrail skips those); without trailMs, whenever the server dropped
 * points (the client could not).
 */
export function trailTail(
  trail: readonly TrailPoint[],
  held: TrailMark,
  trailMs: number | undefined,
): TrailPoint[] | null {
  const n = trail.length;
  if (n === 0) return null;
  const first = trail[0]![2];
  const newest = trail[n - 1]![2];
  if (newest < held.last || first < held.first) return null;
  if (first > held.first && (trailMs === undefined || held.first >= newest - trailMs)) return null;
  if (trailMs !== undefined && first < newest - trailMs) return null;
  // Points are in time order: walk back over the new ones, then over those sharing the client's newest time.
  let i = n;
  while (i > 0 && trail[i - 1]![2] > held.last) i--;
  let j = i;
  while (j > 0 && trail[j - 1]![2] === held.last) j--;
  // More points at held.last than the client holds: one arrived since, and a tail cannot carry it.
  if (i - j > held.lastCount) return null;
  return trail.slice(i);
}

/**
 * A held trail continued by a tail: the tail's points newer than the held newest appended (the others are held
 * already: a replayed tail adds nothing), then the points older than trailMs before the newest dropped.
 * Without trailMs nothing is dropped. Returns a new array; `held` is not changed. A browser store may instead
 * append in place, under the same rule.
 */
export function appendTrail(
  held: readonly TrailPoint[],
  tail: readonly TrailPoint[],
  trailMs: number | undefined,
): TrailPoint[] {
  const heldNewest = held.length > 0 ? held[held.length - 1]![2] : -Infinity;
  const fresh = tail.filter((p) => p[2] > heldNewest);
  const newest = fresh.length > 0 ? fresh[fresh.length - 1]![2] : heldNewest;
  let k = 0;
  if (trailMs !== undefined) {
    const cut = newest - trailMs;
    while (k < held.length && held[k]![2] < cut) k++;
  }
  const out = held.slice(k);
  for (const p of fresh) if (trailMs === undefined || p[2] >= newest - trailMs) out.push(p);
  return out;
}

/**
 * A ranger in a wire delta: RangerObject with the trail optional, or replaced by the new points only (see
 * "objects on the wire" above). At most one of trail / trailTail; with neither the trail is unchanged.
 */
export const RangerWire = Type.Object({
  ...RangerObject.properties,
  /** The whole trail, replacing what the client holds. */
  trail: Type.Optional(Type.Array(TrailPoint)),
  /** Points to append to the trail the client holds, oldest first. */
  trailTail: Type.Optional(Type.Array(TrailPoint)),
});
export type RangerWire = Static<typeof RangerWire>;
export const RangerWireChanges = Type.Object({ upserts: Type.Array(RangerWire), removals: Type.Array(Ref) });

export const DeltaWire = Type.Object({
  fromSeq: Type.Integer({ minimum: 0 }),
  toSeq: Type.Integer({ minimum: 0 }),
  scope: AreaKeySchema,
  at: Timestamp,
  /** The changed aggregates, as patches against what the client holds. */
  patches: Type.Array(AggregatePatch),
  tickets: Type.Optional(TicketChanges),
  checkpoints: Type.Optional(CheckpointChanges),
  /** Rangers with a whole trail, a trail tail, or neither (see RangerWire). */
  rangers: Type.Optional(RangerWireChanges),
  incidents: Type.Optional(IncidentChanges),
});
export type DeltaWire = Static<typeof DeltaWire>;
export const checkDeltaWire = checker(DeltaWire);

/** A wire delta that cannot be applied to the client's state: the client resyncs (asks for a snapshot). */
export class DeltaDecodeError extends Error {
  override name = 'DeltaDecodeError';
}

const roundRate = (v: number): number => Math.round(v * RATE_SCALE) / RATE_SCALE;

/**
 * The row an aggregate travels as: encodeAggregate with rates rounded and byCategory copied, so that the row
 * stays what it was when taken even if the live state later mutates its aggregate in place.
 */
export function toWireRow(a: AreaAggregate): AggregateRow {
  const row = encodeAggregate(a);
  const cells: AggregateCell[] = row;
  for (const c of RATE_COLUMNS) {
    const v = cells[c];
    if (typeof v === 'number') cells[c] = roundRate(v);
  }
  cells[BY_CATEGORY_COLUMN] = { ...a.tickets.byCategory };
  return row;
}

function sameCell(a: AggregateCell | undefined, b: AggregateCell | undefined): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  const ka = Object.keys(a) as (keyof typeof a)[];
  if (ka.length !== Object.keys(b).length) return false;
  return ka.every((k) => a[k] === b[k]);
}

type ByCategory = AreaAggregate['tickets']['byCategory'];

/** Category cells (-(i + 1), count) for the categories whose count differs; absent counts as 0. */
function diffByCategory(prev: ByCategory, next: ByCategory, out: AggregateCell[]): void {
  for (let i = 0; i < TICKET_CATEGORIES.length; i++) {
    const category = TICKET_CATEGORIES[i]!;
    const count = next[category] ?? 0;
    if (count !== (prev[category] ?? 0)) out.push(-(i + 1), count);
  }
}

/**
 * The [column, value, …] pairs of `next` that differ from `prev` (every value column when there is no prev),
 * appended to `out`, byCategory as category cells. Both rows should come from toWireRow, so that rounding
 * noise is not a change.
 */
export function diffAggregateRows(
  prev: AggregateRow | undefined,
  next: AggregateRow,
  out: AggregateCell[] = [],
): AggregateCell[] {
  const after: readonly AggregateCell[] = next;
  const before: readonly AggregateCell[] | undefined = prev;
  for (let c = PATCH_FIRST_COLUMN; c < after.length; c++) {
    const v = after[c];
    if (v === undefined) continue;
    if (c === BY_CATEGORY_COLUMN) {
      diffByCategory(prev?.[BY_CATEGORY_COLUMN] ?? {}, next[BY_CATEGORY_COLUMN], out);
      continue;
    }
    if (before !== undefined && sameCell(before[c], v)) continue;
    out.push(c, v);
  }
  return out;
}

const levelOfKey = (key: AreaKey): AreaLevel => key.slice(0, key.indexOf(':')) as AreaLevel;

/**
 * What a client holds besides its aggregates, for the object part of a delta: its rangers (a trail tail
 * continues one of them) and the trail window of its snapshot (Snapshot.trailMs).
 */
export interface HeldObjects {
  ranger?: (id: string) => RangerObject | undefined;
  trailMs?: number;
}

/**
 * Reference encoder: the wire form of `delta` for a client whose aggregates are `previous` and whose rangers
 * are `held.ranger` (the gateway builds the same from its own record of what it sent last). An aggregate whose
 * wire row did not change (a rate moved less than the rounding step) is left out; objects are rounded; a
 * ranger the client holds gets a trail tail, any other its whole trail.
 */
export function encodeDelta(
  delta: Delta,
  keys: readonly AreaKey[],
  previous: (key: AreaKey) => AreaAggregate | undefined,
  held: HeldObjects = {},
): DeltaWire {
  const position = new Map(keys.map((k, i) => [k, i]));
  const patches: AggregatePatch[] = [];
  for (const a of delta.aggregates) {
    const i = position.get(a.key);
    if (i === undefined) throw new DeltaDecodeError(`aggregate ${a.key} is not in the key list of ${delta.scope}`);
    const before = previous(a.key);
    const cells = diffAggregateRows(before && toWireRow(before), toWireRow(a));
    if (cells.length > 0) patches.push([i, ...cells]);
  }
  const wire: DeltaWire = { fromSeq: delta.fromSeq, toSeq: delta.toSeq, scope: delta.scope, at: delta.at, patches };
  const { tickets, checkpoints, rangers, incidents } = delta;
  const copied = <T>(c: { upserts: T[]; removals: string[] }, copy: (o: T) => T) => ({
    upserts: c.upserts.map(copy),
    removals: c.removals,
  });
  if (hasChanges(tickets)) wire.tickets = copied(tickets, wireTicket);
  if (hasChanges(checkpoints)) wire.checkpoints = copied(checkpoints, wireCheckpoint);
  if (hasChanges(rangers)) {
    const upserts = rangers.upserts.map((r) => {
      const before = held.ranger?.(r.id);
      const mark = before ? trailMark(before.trail) : null;
      const tail = mark ? trailTail(r.trail, mark, held.trailMs) : null;
      return tail ? wireRangerTail(r, tail) : wireRanger(r);
    });
    wire.rangers = { upserts, removals: rangers.removals };
  }
  if (incidents && hasChanges(incidents)) wire.incidents = copied(incidents, wireIncident);
  return wire;
}

const hasChanges = (c: { upserts: unknown[]; removals: unknown[] }): boolean =>
  c.upserts.length > 0 || c.removals.length > 0;

/** Applies one patch to the client's aggregate for that position (or builds it when the patch is complete). */
export function applyAggregatePatch(
  patch: AggregatePatch,
  keys: readonly AreaKey[],
  current: (key: AreaKey) => AreaAggregate | undefined,
): AreaAggregate {
  const position = patch[0];
  const key = typeof position === 'number' && Number.isInteger(position) ? keys[position] : undefined;
  if (key === undefined) throw new DeltaDecodeError(`patch position ${String(position)} is not in the key list`);
  if (patch.length % 2 === 0) throw new DeltaDecodeError(`patch for ${key} has a column without a value`);
  const base = current(key);
  const cells: AggregateCell[] = base ? encodeAggregate(base) : [key, levelOfKey(key)];
  // Category cells edit a copy: the client's aggregate (and its byCategory) is never mutated.
  let byCategory: ByCategory = { ...(base?.tickets.byCategory ?? {}) };
  for (let j = 1; j < patch.length; j += 2) {
    const column = patch[j];
    const value = patch[j + 1];
    if (typeof column !== 'number' || !Number.isInteger(column) || (column >= 0 && column < PATCH_FIRST_COLUMN)) {
      throw new DeltaDecodeError(`patch for ${key} names column ${String(column)}`);
    }
    // A newer server may append columns or categories (both lists only grow): an older client ignores them.
    if (column >= AGGREGATE_COLUMNS.length || value === undefined) continue;
    if (column < 0) {
      const category = TICKET_CATEGORIES[-column - 1];
      if (category === undefined) continue;
      if (typeof value !== 'number')
        throw new DeltaDecodeError(`patch for ${key}: count of ${category} is not a number`);
      if (value === 0) delete byCategory[category];
      else byCategory[category] = value;
    } else if (column === BY_CATEGORY_COLUMN) {
      if (typeof value !== 'object' || value === null)
        throw new DeltaDecodeError(`patch for ${key}: byCategory is not an object`);
      byCategory = { ...value };
    } else {
      cells[column] = value;
    }
  }
  cells[BY_CATEGORY_COLUMN] = byCategory;
  for (let c = 0; c < AGGREGATE_COLUMNS.length; c++) {
    if (cells[c] === undefined)
      throw new DeltaDecodeError(`patch for ${key} lacks ${AGGREGATE_COLUMNS[c]} and there is no aggregate to patch`);
  }
  // The cells' types per column are the server's promise, not checked here (hot path); a client that wants
  // proof runs checkDelta on the decoded delta.
  const next = decodeAggregate(cells as AggregateRow);
  // The on-request windows do not travel on the socket: what the client fetched for them stays until it
  // fetches again.
  if (base?.tickets.year) next.tickets.year = base.tickets.year;
  if (base?.tickets.rolling30d) next.tickets.rolling30d = base.tickets.rolling30d;
  return next;
}

/**
 * The whole ranger a wire entry stands for: its own trail, or the held ranger's trail continued by the tail.
 * A tail for a ranger the client does not hold cannot be applied (DeltaDecodeError: resync).
 */
export function decodeRanger(entry: RangerWire, held: HeldObjects = {}): RangerObject {
  const { trail, trailTail: tail, ...rest } = entry;
  if (trail) return { ...rest, trail };
  const before = held.ranger?.(entry.id);
  if (!before) throw new DeltaDecodeError(`ranger ${entry.id} continues a trail the client does not hold`);
  return { ...rest, trail: tail && tail.length > 0 ? appendTrail(before.trail, tail, held.trailMs) : before.trail };
}

/**
 * The contract Delta a wire delta stands for, given the key list of its scope (from the snapshot), the
 * client's current aggregates, and its rangers and trail window (needed when the delta carries trail tails).
 * Throws DeltaDecodeError when it cannot be applied (the client resyncs).
 */
export function decodeDelta(
  wire: DeltaWire,
  keys: readonly AreaKey[],
  current: (key: AreaKey) => AreaAggregate | undefined,
  held: HeldObjects = {},
): Delta {
  const empty = () => ({ upserts: [], removals: [] });
  return {
    fromSeq: wire.fromSeq,
    toSeq: wire.toSeq,
    scope: wire.scope,
    at: wire.at,
    aggregates: wire.patches.map((p) => applyAggregatePatch(p, keys, current)),
    tickets: wire.tickets ?? empty(),
    checkpoints: wire.checkpoints ?? empty(),
    rangers: wire.rangers
      ? { upserts: wire.rangers.upserts.map((r) => decodeRanger(r, held)), removals: wire.rangers.removals }
      : empty(),
    incidents: wire.incidents ?? empty(),
  };
}
