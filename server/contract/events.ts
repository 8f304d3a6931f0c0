// Every event that can enter the log: citizen tickets (接诉即办), flood checkpoints (防汛) and forest patrols
// (巡林). The log is the only source of truth, so this file decides what the truth may look like; ingest
// adapters (REST batch, Open311, OsmAnd, MQTT, simulator) translate their input into these shapes first.
// Shared by the server and the client. No Node imports here.
//
// Policy: events are closed (`additionalProperties: false`). A misspelt optional field ("lattitude",
// "resolveDue") would otherwise be accepted and silently ignored forever in the log; producer-specific
// extras have a place of their own, `meta`.
import Type, { type Static } from 'typebox';
import { Compile, type Validator } from 'typebox/compile';
import { checker, describeErrors, describePattern, gatherErrors, pointer, type FieldError } from './validate';
// Type-only: alerts.ts builds on the pieces defined here, so a value import would be a cycle.
import type { AlertEvent } from './alerts';

const Closed = { additionalProperties: false } as const;

// ---- shared pieces ----

/**
 * ISO 8601 / RFC 3339 date-time with seconds and an explicit offset or Z. A time without an offset is
 * ambiguous between Beijing time and UTC (eight hours apart), which is exactly the mistake that shifts a
 * ticket into the wrong day, so it is rejected rather than guessed. Checked by pattern because JSON Schema
 * `format` is optional for validators; impossible calendar dates (02-30) are caught by validateEvent.
 */
export const TIMESTAMP_PATTERN = describePattern(
  '^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\\.[0-9]{1,9})?(Z|[+-]([01][0-9]|2[0-3]):[0-5][0-9])$',
  'must be an ISO 8601 date-time with seconds and an offset or Z, e.g. 2025-07-20T14:30:00+08:00',
);
export const Timestamp = Type.String({ pattern: TIMESTAMP_PATTERN });
export type Timestamp = Static<typeof Timestamp>;

/** Identifiers that end up in map keys, room names and URLs: a safe, short alphabet. */
export const REF_PATTERN = describePattern(
  '^[A-Za-z0-9_.:-]+$',
  'must contain only letters, digits and _ . : - (no spaces)',
);
export const Ref = Type.String({ minLength: 1, maxLength: 128, pattern: REF_PATTERN });
export type Ref = Static<typeof Ref>;

/** Who produced the event (the channel it came through, for tickets; the device or app, otherwise). */
export const EventSource = Type.Union([
  Type.Literal('hotline_12345'), // 12345 市民服务热线
  Type.Literal('wechat'), // WeChat mini-program / official account
  Type.Literal('grid_worker'), // 网格员 patrol report
  Type.Literal('courier_app'), // couriers reporting through the street's app (玉桥)
  Type.Literal('walk_in'), // 来访 at the town or community service hall
  Type.Literal('sensor'), // gauges, rain meters (usually over MQTT)
  Type.Literal('ranger_app'), // 护林员 phone app
  Type.Literal('simulator'),
  Type.Literal('open311'), // a system speaking Open311 GeoReport v2
  Type.Literal('osmand'), // a tracker speaking the OsmAnd / Traccar position protocol
  Type.Literal('console'), // the dashboard itself: what an officer did there (督办), written by the server
]);
export type EventSource = Static<typeof EventSource>;

/**
 * Coordinate systems seen in China: GPS devices and Tianditu give WGS84 (CGCS2000 is within a metre of it),
 * AMap and Tencent give GCJ-02, Baidu gives BD-09. Ingest converts to WGS84 before the event is stored;
 * an absent crs means WGS84 because that is what raw GPS hardware sends.
 */
export const Crs = Type.Union([Type.Literal('wgs84'), Type.Literal('gcj02'), Type.Literal('bd09')]);
export type Crs = Static<typeof Crs>;
export const DEFAULT_CRS: Crs = 'wgs84';

export const EventLocation = Type.Object(
  {
    lon: Type.Number({ minimum: -180, maximum: 180 }),
    lat: Type.Number({ minimum: -90, maximum: 90 }),
    /** Absent means DEFAULT_CRS (wgs84). */
    crs: Type.Optional(Crs),
  },
  Closed,
);
export type EventLocation = Static<typeof EventLocation>;

/**
 * Producer-specific extras (an Open311 service_code, a tracker's device id) kept flat and small: names too, so an
 * event stays far below any bus's message limit (NATS: 1 MB), where one oversized item would fail its batch.
 */
export const Meta = Type.Record(
  Type.String(),
  Type.Union([Type.String({ maxLength: 256 }), Type.Number(), Type.Boolean(), Type.Null()]),
  { maxProperties: 32, propertyNames: { maxLength: 64 } },
);
export type Meta = Static<typeof Meta>;

const Text = (maxLength: number) => Type.String({ minLength: 1, maxLength });

/** A link a person may open (http or https only: never javascript:, data: or file:). */
export const MEDIA_URL_PATTERN = describePattern(
  '^https?://[^\\s<>"]+$',
  'must be an http:// or https:// URL without spaces',
);
export const MediaUrl = Type.String({ minLength: 8, maxLength: 2000, pattern: MEDIA_URL_PATTERN });

/** Fields every event carries; `kind` is the discriminator. */
function envelope<K extends string>(kind: K) {
  return {
    /** The producer's own event id; (source, id) is the idempotency key, so a retried batch is harmless. */
    id: Ref,
    kind: Type.Literal(kind),
    /** When it happened at the source, not when we received it (that is StoredEvent.receivedAt). */
    time: Timestamp,
    source: EventSource,
    meta: Type.Optional(Meta),
  };
}

// ---- tickets (接诉即办) ----

/** Categories seen in Tongzhou reporting; `other` keeps an unusual ticket in the log instead of rejecting it. */
export const TicketCategory = Type.Union([
  Type.Literal('municipal_environment'), // 市政市容环境
  Type.Literal('property_management'), // 物业管理
  Type.Literal('farmers_market'), // 农贸市场 (大集)
  Type.Literal('safety_hazard'), // 安全隐患
  Type.Literal('industrial_compound'), // 工业大院
  Type.Literal('illegal_construction'), // 违法建设
  Type.Literal('heating'), // 供暖
  Type.Literal('e_bike'), // 电动车 (corridor parking, charging indoors)
  Type.Literal('parking'), // 停车
  Type.Literal('sanitation'), // 环境卫生
  Type.Literal('waste_sorting'), // 垃圾分类
  Type.Literal('noise'), // 装修扰民 / 噪音
  Type.Literal('road'), // 道路
  Type.Literal('lighting'), // 照明
  Type.Literal('charging_pile'), // 充电桩
  Type.Literal('waterlogging'), // 积水 (rises after rainstorms, see flood)
  Type.Literal('other'),
]);
export type TicketCategory = Static<typeof TicketCategory>;
export const TICKET_CATEGORIES: readonly TicketCategory[] = TicketCategory.anyOf.map((b) => b.const);

/**
 * Urgency decides the deadlines (see config-defaults.ts):
 * urgent — threatens life or property, or cuts water / power / gas / heating (紧急);
 * normal — an ordinary request (一般);
 * low    — complex or non-time-critical requests that need longer (复杂疑难, 建议).
 */
export const Urgency = Type.Union([Type.Literal('urgent'), Type.Literal('normal'), Type.Literal('low')]);
export type Urgency = Static<typeof Urgency>;
export const URGENCIES: readonly Urgency[] = ['urgent', 'normal', 'low'];

/** Channels through which a citizen reaches us (a subset of EventSource). */
export const TicketChannel = Type.Union([
  Type.Literal('hotline_12345'),
  Type.Literal('wechat'),
  Type.Literal('grid_worker'),
  Type.Literal('courier_app'),
  Type.Literal('walk_in'),
  Type.Literal('open311'),
]);
export type TicketChannel = Static<typeof TicketChannel>;

/**
 * Lifecycle: 受理 received → 派单 dispatched → 办理 in_progress → 回复 replied → 办结 closed, then 回访
 * follow-up (ticket.followed_up; ticket.rated is a follow-up that asked only about satisfaction). Statuses only move forward; a producer that replays an older status is late,
 * not authoritative.
 */
export const TicketStatus = Type.Union([
  Type.Literal('received'),
  Type.Literal('dispatched'),
  Type.Literal('in_progress'),
  Type.Literal('replied'),
  Type.Literal('closed'),
]);
export type TicketStatus = Static<typeof TicketStatus>;
export const TICKET_STATUS_ORDER: readonly TicketStatus[] = [
  'received',
  'dispatched',
  'in_progress',
  'replied',
  'closed',
];

/** Departments that report in when a town "blows the whistle" (吹哨报到). */
export const Department = Type.Union([
  Type.Literal('chengguan'), // 城管执法
  Type.Literal('sanitation'), // 环卫
  Type.Literal('fire'), // 消防
  Type.Literal('market'), // 市场监管
  Type.Literal('housing'), // 住建
  Type.Literal('water'), // 水务
  Type.Literal('transport'), // 交通
  Type.Literal('ecology'), // 生态环境
  Type.Literal('police'), // 公安
  Type.Literal('landscaping'), // 园林绿化
  Type.Literal('other'),
]);
export type Department = Static<typeof Department>;

export const TicketCreated = Type.Object(
  {
    ...envelope('ticket.created'),
    ticketId: Ref,
    category: TicketCategory,
    urgency: Urgency,
    channel: TicketChannel,
    title: Text(200),
    description: Type.Optional(Text(4000)),
    address: Type.Optional(Text(300)),
    /**
     * A photo or video of the problem that the reporter put somewhere public (Open311's media_url). Only a link:
     * the server never fetches it, and the client opens it in a new tab without a referrer.
     */
    mediaUrl: Type.Optional(MediaUrl),
    /** Required: the map places and counts tickets by where they are; adapters geocode addresses first. */
    location: EventLocation,
    /** Deadlines set by the dispatcher; when absent the server derives them from urgency (config). */
    responseDueAt: Type.Optional(Timestamp),
    resolveDueAt: Type.Optional(Timestamp),
  },
  Closed,
);
export type TicketCreated = Static<typeof TicketCreated>;

export const TicketUpdated = Type.Object(
  {
    ...envelope('ticket.updated'),
    ticketId: Ref,
    /** Prefer ticket.closed for 办结: it says whether the problem was resolved, which the KPIs need. */
    status: TicketStatus,
    /** The town (e.g. "110112004") or department the ticket was dispatched to. */
    assignee: Type.Optional(Text(120)),
    note: Type.Optional(Text(2000)),
  },
  Closed,
);
export type TicketUpdated = Static<typeof TicketUpdated>;

export const TicketEscalated = Type.Object(
  {
    ...envelope('ticket.escalated'),
    ticketId: Ref,
    departments: Type.Array(Department, { minItems: 1, maxItems: 16, uniqueItems: true }),
    note: Type.Optional(Text(2000)),
  },
  Closed,
);
export type TicketEscalated = Static<typeof TicketEscalated>;

export const TicketClosed = Type.Object(
  {
    ...envelope('ticket.closed'),
    ticketId: Ref,
    /** 解决: was the problem actually solved (resolution rate = resolved / closed). */
    resolved: Type.Boolean(),
    note: Type.Optional(Text(2000)),
  },
  Closed,
);
export type TicketClosed = Static<typeof TicketClosed>;

export const TicketRated = Type.Object(
  {
    ...envelope('ticket.rated'),
    ticketId: Ref,
    /** 满意: the follow-up call's verdict (satisfaction rate = satisfied / rated). */
    satisfied: Type.Boolean(),
    score: Type.Optional(Type.Integer({ minimum: 1, maximum: 5 })),
  },
  Closed,
);
export type TicketRated = Static<typeof TicketRated>;

/**
 * 回访: the hotline calls the citizen back after the close and asks whether the problem was solved and whether
 * they are satisfied. The answers are the resolution and satisfaction rates' verdicts (docs/KPIS.md): the
 * handler's own `ticket.closed.resolved` stands only until the follow-up says otherwise. An answer left out was
 * not asked or not given (a citizen who could not be reached: both left out).
 */
export const TicketFollowedUp = Type.Object(
  {
    ...envelope('ticket.followed_up'),
    ticketId: Ref,
    resolved: Type.Optional(Type.Boolean()),
    satisfied: Type.Optional(Type.Boolean()),
    score: Type.Optional(Type.Integer({ minimum: 1, maximum: 5 })),
    /** Who made the call (the hotline agent's id or name). */
    by: Type.Optional(Text(120)),
    note: Type.Optional(Text(2000)),
  },
  Closed,
);
export type TicketFollowedUp = Static<typeof TicketFollowedUp>;

/**
 * Who supervises: the city's 12345 center, the district's command center or the town. A higher level weighs
 * more on the handler; the live state keeps the latest.
 */
export const SupervisionLevel = Type.Union([Type.Literal('city'), Type.Literal('district'), Type.Literal('town')]);
export type SupervisionLevel = Static<typeof SupervisionLevel>;

/**
 * 督办: an overdue (or nearly overdue) ticket put under supervision; whoever supervises now follows it until
 * it is closed. A ticket may be supervised again (a second 督办, or by a higher level). Posted by a hotline
 * system, or written by the server when an officer presses 督办 on the dashboard (source 'console').
 */
export const TicketSupervised = Type.Object(
  {
    ...envelope('ticket.supervised'),
    ticketId: Ref,
    /** Who supervises (the officer's name, a center's desk). */
    by: Text(120),
    level: SupervisionLevel,
    note: Type.Optional(Text(2000)),
  },
  Closed,
);
export type TicketSupervised = Static<typeof TicketSupervised>;

// ---- flood checkpoints (防汛) ----
// Checkpoints are fixed features of data/geo/checkpoints.geojson, so flood events name one instead of
// carrying coordinates.

export const FloodReading = Type.Object(
  {
    ...envelope('flood.reading'),
    checkpointId: Ref,
    /** Water level in metres above the gauge datum (same datum as the checkpoint's thresholds). */
    level: Type.Number({ minimum: -100, maximum: 1000 }),
    /** Rainfall intensity in mm/h; 50 mm/h is already a severe downpour, 300 is beyond any record here. */
    rainfall: Type.Optional(Type.Number({ minimum: 0, maximum: 500 })),
    /** Discharge in m³/s. */
    flow: Type.Optional(Type.Number({ minimum: 0, maximum: 100000 })),
  },
  Closed,
);
export type FloodReading = Static<typeof FloodReading>;

export const FloodInspection = Type.Object(
  {
    ...envelope('flood.inspection'),
    checkpointId: Ref,
    /** Name or staff id of the inspector (巡查人员). */
    inspector: Text(120),
    note: Type.Optional(Text(2000)),
  },
  Closed,
);
export type FloodInspection = Static<typeof FloodInspection>;

/** 碍洪点 clearance: pending → clearing → cleared, due before the flood season. */
export const ObstructionStatus = Type.Union([
  Type.Literal('pending'),
  Type.Literal('clearing'),
  Type.Literal('cleared'),
]);
export type ObstructionStatus = Static<typeof ObstructionStatus>;

export const FloodObstruction = Type.Object(
  {
    ...envelope('flood.obstruction'),
    checkpointId: Ref,
    status: ObstructionStatus,
    note: Type.Optional(Text(2000)),
  },
  Closed,
);
export type FloodObstruction = Static<typeof FloodObstruction>;

/** Emergency response level (应急响应): IV is the lowest, I the highest; 'none' lifts the response. */
export const ResponseLevel = Type.Union([
  Type.Literal('none'),
  Type.Literal('IV'),
  Type.Literal('III'),
  Type.Literal('II'),
  Type.Literal('I'),
]);
export type ResponseLevel = Static<typeof ResponseLevel>;
/** Colour of each response level (IV blue … I red), as used by WarningColor in areas.ts. */
export const RESPONSE_LEVEL_COLOR = { none: 'none', IV: 'blue', III: 'yellow', II: 'orange', I: 'red' } as const;

/** Area keys as areas.ts writes them ("town:110112004"); the level part is checked. */
export const AREA_KEY_PATTERN = describePattern(
  '^(district|town|grid|property|forest):[A-Za-z0-9_.:-]{1,64}$',
  "must be an area key '<level>:<id>' with level district, town, grid, property or forest, e.g. town:110112004",
);

export const FloodResponse = Type.Object(
  {
    ...envelope('flood.response'),
    level: ResponseLevel,
    /** A response may cover one river, one area, both, or (neither) the whole district. */
    riverId: Type.Optional(Ref),
    area: Type.Optional(Type.String({ pattern: AREA_KEY_PATTERN })),
    note: Type.Optional(Text(2000)),
  },
  Closed,
);
export type FloodResponse = Static<typeof FloodResponse>;

// ---- forest patrols (巡林) ----

export const PatrolStarted = Type.Object(
  {
    ...envelope('patrol.started'),
    patrolId: Ref,
    rangerId: Ref,
    /** The forest cluster (林区组团) being patrolled. */
    clusterId: Ref,
    location: Type.Optional(EventLocation),
  },
  Closed,
);
export type PatrolStarted = Static<typeof PatrolStarted>;

export const PatrolPosition = Type.Object(
  {
    ...envelope('patrol.position'),
    rangerId: Ref,
    /** Absent when a ranger's phone reports between patrols. */
    patrolId: Type.Optional(Ref),
    location: EventLocation,
    /** m/s; a ranger walks ~1.4, an e-bike ~7; 100 rules out GPS jumps reported as speed. */
    speed: Type.Optional(Type.Number({ minimum: 0, maximum: 100 })),
    /** Degrees clockwise from north. */
    bearing: Type.Optional(Type.Number({ minimum: 0, maximum: 360 })),
    /** Metres above sea level. */
    altitude: Type.Optional(Type.Number({ minimum: -500, maximum: 9000 })),
    /** Horizontal accuracy radius in metres, as OsmAnd / Traccar report it. */
    accuracy: Type.Optional(Type.Number({ minimum: 0, maximum: 100000 })),
    /** Battery in percent (0–100), as OsmAnd's `batt` sends it. */
    battery: Type.Optional(Type.Number({ minimum: 0, maximum: 100 })),
  },
  Closed,
);
export type PatrolPosition = Static<typeof PatrolPosition>;

/** Why a tracker's report could not be placed on the map (it is kept as the device's status instead). */
export const DeviceStatusReason = Type.Union([
  Type.Literal('no_fix'), // a heartbeat: no position (yet), or none sent
  Type.Literal('null_island'), // lat 0, lon 0: a phone without a fix reporting its default
  Type.Literal('outside_district'), // a fix outside the district (a ranger at home, a GPS jump)
  Type.Literal('clock_ahead'), // the device's clock is ahead beyond the allowed skew
  Type.Literal('outside_scope'), // a fix outside the area of the feed token it came with (another town)
]);
export type DeviceStatusReason = Static<typeof DeviceStatusReason>;

/**
 * A tracker reported but its report cannot be drawn as a position (see DeviceStatusReason). Kept so that the
 * ranger's last seen and battery survive a restart, and so that the phone's queue moves (docs/INGEST.md): its
 * `time` is when the server received it when the device's own time lies ahead, never a future time.
 */
export const PatrolDeviceStatus = Type.Object(
  {
    ...envelope('patrol.device_status'),
    rangerId: Ref,
    /** The device id as the tracker sent it (people type these: any letters, digits, spaces, dashes). */
    deviceId: Text(100),
    reason: DeviceStatusReason,
    /** Battery in percent (0–100); absent when the device does not know it. */
    battery: Type.Optional(Type.Number({ minimum: 0, maximum: 100 })),
    charging: Type.Optional(Type.Boolean()),
  },
  Closed,
);
export type PatrolDeviceStatus = Static<typeof PatrolDeviceStatus>;

export const PatrolCheckin = Type.Object(
  {
    ...envelope('patrol.checkin'),
    rangerId: Ref,
    patrolId: Ref,
    /** A feature of data/geo/patrol-points.geojson. */
    pointId: Ref,
    location: Type.Optional(EventLocation),
  },
  Closed,
);
export type PatrolCheckin = Static<typeof PatrolCheckin>;

export const IncidentType = Type.Union([
  Type.Literal('fire_risk'), // 火险
  Type.Literal('sos'), // the ranger pressed SOS on the tracker (Traccar Client alarm=sos)
  Type.Literal('pests'), // 病虫害
  Type.Literal('illegal_logging'), // 盗伐
  Type.Literal('dumping'), // 倾倒垃圾
  Type.Literal('fallen_tree'), // 倒伏
  Type.Literal('other'),
]);
export type IncidentType = Static<typeof IncidentType>;

export const Severity = Type.Union([Type.Literal('low'), Type.Literal('medium'), Type.Literal('high')]);
export type Severity = Static<typeof Severity>;

export const PatrolIncident = Type.Object(
  {
    ...envelope('patrol.incident'),
    rangerId: Ref,
    incidentId: Ref,
    patrolId: Type.Optional(Ref),
    type: IncidentType,
    severity: Severity,
    description: Text(2000),
    location: EventLocation,
  },
  Closed,
);
export type PatrolIncident = Static<typeof PatrolIncident>;

/**
 * Closes an incident. Not in the first list of kinds, but without it "open incidents" could only grow:
 * the fold needs an event that takes one off the map.
 */
export const PatrolIncidentResolved = Type.Object(
  {
    ...envelope('patrol.incident_resolved'),
    incidentId: Ref,
    rangerId: Type.Optional(Ref),
    note: Type.Optional(Text(2000)),
  },
  Closed,
);
export type PatrolIncidentResolved = Static<typeof PatrolIncidentResolved>;

export const PatrolEnded = Type.Object(
  {
    ...envelope('patrol.ended'),
    patrolId: Ref,
    rangerId: Ref,
  },
  Closed,
);
export type PatrolEnded = Static<typeof PatrolEnded>;

// ---- property districts (物业) ----

/**
 * 履约评价: a town's monthly score of a property district's management (杨庄 scores its property companies every
 * month and rewards the best). One event per district and month; a second one for the same month corrects the
 * first (the later by its time counts). Posted by the town's property office, or by the simulator.
 */
export const PropertyAssessed = Type.Object(
  {
    ...envelope('property.assessed'),
    /** The property district (物业管理片区) of data/geo/property-districts.geojson. */
    propertyId: Ref,
    /** The month scored, YYYY-MM in Asia/Shanghai. */
    month: Type.String({ pattern: '^\\d{4}-(0[1-9]|1[0-2])$' }),
    score: Type.Number({ minimum: 0, maximum: 100 }),
    /** Who scored it (the town's property office). */
    by: Type.Optional(Text(120)),
    note: Type.Optional(Text(2000)),
  },
  Closed,
);
export type PropertyAssessed = Static<typeof PropertyAssessed>;

// ---- the union ----

/** Schema of each kind; adding a kind means adding it here and to OpsEvent below (a test checks they agree). */
export const EVENT_SCHEMAS = {
  'ticket.created': TicketCreated,
  'ticket.updated': TicketUpdated,
  'ticket.escalated': TicketEscalated,
  'ticket.closed': TicketClosed,
  'ticket.rated': TicketRated,
  'ticket.followed_up': TicketFollowedUp,
  'ticket.supervised': TicketSupervised,
  'flood.reading': FloodReading,
  'flood.inspection': FloodInspection,
  'flood.obstruction': FloodObstruction,
  'flood.response': FloodResponse,
  'patrol.started': PatrolStarted,
  'patrol.position': PatrolPosition,
  'patrol.checkin': PatrolCheckin,
  'patrol.incident': PatrolIncident,
  'patrol.incident_resolved': PatrolIncidentResolved,
  'patrol.ended': PatrolEnded,
  'patrol.device_status': PatrolDeviceStatus,
  'property.assessed': PropertyAssessed,
} as const;
export type EventKind = keyof typeof EVENT_SCHEMAS;
/** Every kind, in a stable order (tickets, flood, patrols, property). */
export const KIND = Object.keys(EVENT_SCHEMAS) as EventKind[];
export const EventKindSchema = Type.Union(KIND.map((k) => Type.Literal(k)));

export const OpsEvent = Type.Union([
  TicketCreated,
  TicketUpdated,
  TicketEscalated,
  TicketClosed,
  TicketRated,
  TicketFollowedUp,
  TicketSupervised,
  FloodReading,
  FloodInspection,
  FloodObstruction,
  FloodResponse,
  PatrolStarted,
  PatrolPosition,
  PatrolCheckin,
  PatrolIncident,
  PatrolIncidentResolved,
  PatrolEnded,
  PatrolDeviceStatus,
  PropertyAssessed,
]);
export type OpsEvent = Static<typeof OpsEvent>;
/** The event type of one kind, e.g. EventOf<'ticket.created'>. */
export type EventOf<K extends EventKind> = Extract<OpsEvent, { kind: K }>;

export const isEventKind = (v: unknown): v is EventKind =>
  typeof v === 'string' && Object.prototype.hasOwnProperty.call(EVENT_SCHEMAS, v);

// ---- validation ----

export type EventValidation = { ok: true; event: OpsEvent } | { ok: false; errors: FieldError[] };

const validators = new Map<EventKind, Validator>();
function validatorFor(kind: EventKind): Validator {
  let v = validators.get(kind);
  if (!v) {
    v = Compile(EVENT_SCHEMAS[kind]);
    validators.set(kind, v);
  }
  return v;
}

const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
/** The pattern accepts 2025-02-30; this catches dates that do not exist. */
function isRealDate(ts: string): boolean {
  const y = Number(ts.slice(0, 4));
  const m = Number(ts.slice(5, 7));
  const d = Number(ts.slice(8, 10));
  const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
  const max = m === 2 && !leap ? 28 : (DAYS_IN_MONTH[m - 1] ?? 0);
  return d <= max;
}

/** Checks the facts a schema cannot express; the value already matches its kind's schema. */
function semanticErrors(event: OpsEvent): FieldError[] {
  const errors: FieldError[] = [];
  const times: [string, string | undefined][] = [['/time', event.time]];
  if (event.kind === 'ticket.created') {
    times.push(['/responseDueAt', event.responseDueAt], ['/resolveDueAt', event.resolveDueAt]);
  }
  for (const [path, ts] of times) {
    if (ts !== undefined && !isRealDate(ts)) errors.push({ path, message: 'is not a real calendar date' });
  }
  if (event.kind === 'ticket.created' && event.responseDueAt && event.resolveDueAt && errors.length === 0) {
    if (Date.parse(event.resolveDueAt) < Date.parse(event.responseDueAt)) {
      errors.push({ path: '/resolveDueAt', message: 'must not be earlier than responseDueAt' });
    }
  }
  return errors;
}

const ALLOWED_KINDS = KIND.map((k) => `'${k}'`).join(', ');

/**
 * A rejected kind as the reason quotes it. Objects and arrays are named, not serialised: JSON.stringify of a
 * producer's deeply nested value overflows the stack, and the throw would cost the whole batch.
 */
const quoteKind = (kind: unknown): string =>
  kind !== null && typeof kind === 'object'
    ? Array.isArray(kind)
      ? 'an array'
      : 'an object'
    : String(JSON.stringify(kind));

/**
 * Checks one incoming event. The schema is chosen by `kind`, so the errors are about that kind's fields;
 * a missing or unknown kind is reported once, with the list of allowed kinds. Paths are JSON pointers
 * ('/location/lat'); `base` prefixes them (e.g. '/events/3' for the fourth item of a batch).
 */
export function validateEvent(value: unknown, base = ''): EventValidation {
  const fail = (errors: FieldError[]): EventValidation => ({
    ok: false,
    errors: errors.map((e) => ({ path: base + e.path, message: e.message })),
  });
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return fail([{ path: '', message: 'must be an object (one event)' }]);
  }
  const kind = (value as { kind?: unknown }).kind;
  if (kind === undefined) return fail([{ path: '/kind', message: `is required; one of ${ALLOWED_KINDS}` }]);
  // Alert events share the log but only the server writes them (the rule engine, an officer's action), so a
  // producer learns why rather than seeing an unknown kind.
  if (typeof kind === 'string' && kind.startsWith(ALERT_KIND_PREFIX)) {
    return fail([
      {
        path: '/kind',
        message: `${JSON.stringify(kind)}: alert events are written by the server, not posted; one of ${ALLOWED_KINDS}`,
      },
    ]);
  }
  if (!isEventKind(kind)) {
    return fail([{ path: '/kind', message: `unknown kind ${quoteKind(kind)}; must be one of ${ALLOWED_KINDS}` }]);
  }
  const validator = validatorFor(kind);
  if (!validator.Check(value)) return fail(describeErrors(EVENT_SCHEMAS[kind], gatherErrors(validator, value)));
  // Check() proved the shape of EVENT_SCHEMAS[kind], one branch of OpsEvent.
  const event = value as OpsEvent;
  const semantic = semanticErrors(event);
  return semantic.length > 0 ? fail(semantic) : { ok: true, event };
}

// ---- the stored envelope ----

/** Where locate placed the event (ids of the features containing it; absent when outside every layer). */
export const Place = Type.Object(
  {
    townId: Type.Optional(Ref),
    gridId: Type.Optional(Ref),
    propertyId: Type.Optional(Ref),
    forestId: Type.Optional(Ref),
  },
  Closed,
);
export type Place = Static<typeof Place>;

/** Kinds starting with this are alert events (alerts.ts): in the log, but never accepted from producers. */
export const ALERT_KIND_PREFIX = 'alert.';

/**
 * Everything the log holds: the producers' events (OpsEvent, through ingest) and the server's own alert
 * events (alerts.ts, appended by the rule engine and the alert routes), so the alerts' audit trail has the
 * same order, durability and idempotency as the rest. contract/log.ts validates either.
 */
export type LogEvent = OpsEvent | AlertEvent;

/**
 * What the log holds: the event as accepted (coordinates already converted to WGS84), its global sequence
 * number, when the server received it, and where locate placed it. The schema describes the producers'
 * events; `event` may also be an alert event (the type says so; contract/log.ts has the full schema).
 */
export const StoredEvent = Type.Object(
  {
    /** Global, gap-free, starting at 1: the order in which the state is folded. */
    seq: Type.Integer({ minimum: 1 }),
    receivedAt: Timestamp,
    event: OpsEvent,
    place: Type.Optional(Place),
  },
  Closed,
);
export type StoredEvent = Omit<Static<typeof StoredEvent>, 'event'> & { event: LogEvent };

const checkStoredShell = checker(
  Type.Object(
    { seq: StoredEvent.properties.seq, receivedAt: Timestamp, event: Type.Unknown(), place: Type.Optional(Place) },
    Closed,
  ),
);

/**
 * Checks a stored record of a producer's event (e.g. read back from a store); the event is checked by its own
 * kind. Records of alert events: checkStoredLogEvent in contract/log.ts.
 */
export function validateStoredEvent(
  value: unknown,
): { ok: true; stored: StoredEvent } | { ok: false; errors: FieldError[] } {
  const shell = checkStoredShell(value);
  const errors: FieldError[] = shell.ok ? [] : shell.errors;
  const inner =
    typeof value === 'object' && value !== null && 'event' in value ? (value as { event: unknown }).event : undefined;
  if (inner !== undefined) {
    const ev = validateEvent(inner, pointer('', 'event'));
    if (!ev.ok) errors.push(...ev.errors);
  }
  if (errors.length > 0) return { ok: false, errors };
  return { ok: true, stored: value as StoredEvent };
}
