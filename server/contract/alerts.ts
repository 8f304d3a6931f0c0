// Alerts: what the rules raise, and everything people do with them. Every change to an alert is an event in
// the log (who, when, what), so the alert's audit trail is a fold of the log like the rest of the state, and
// a restart or a second node sees the same alerts. Shared by the server and the client. No Node imports here.
import Type, { type Static } from 'typebox';
import { Actor } from './auth';
import { Department, Ref, Timestamp } from './events';
import { AlertSeverity, AreaKeySchema } from './live';
import { checker } from './validate';

const Closed = { additionalProperties: false } as const;
const Note = Type.String({ minLength: 1, maxLength: 2000 });

/** The rules (server/rules/); each has documented, configurable thresholds. */
export const AlertRule = Type.Union([
  Type.Literal('flood_warning'), // a checkpoint crossed a warning colour (with hysteresis)
  Type.Literal('ticket_near_deadline'), // an open ticket is near its resolve deadline
  Type.Literal('ticket_overdue'), // an open ticket passed its deadline
  Type.Literal('ticket_surge'), // tickets in a grid cell well above its own baseline
  Type.Literal('forest_unpatrolled'), // a forest cluster not patrolled for N hours
  Type.Literal('ranger_signal_lost'), // a ranger's signal lost for N minutes
  Type.Literal('fire_risk'), // a patrol incident of fire risk (火险)
  Type.Literal('ranger_sos'), // a ranger pressed SOS (a patrol incident of type sos)
]);
export type AlertRule = Static<typeof AlertRule>;
export const ALERT_RULES: readonly AlertRule[] = AlertRule.anyOf.map((b) => b.const);

export { AlertSeverity };
export const SEVERITY_RANK: Record<AlertSeverity, number> = { info: 0, warning: 1, severe: 2 };

/** open → acknowledged (by whom, when) → resolved. */
export const AlertStatus = Type.Union([Type.Literal('open'), Type.Literal('acknowledged'), Type.Literal('resolved')]);
export type AlertStatus = Static<typeof AlertStatus>;

/**
 * Who must answer: the town's officers first; an alert not acknowledged in time escalates to the district.
 * A district-level alert (its area has no town) starts at 'district'.
 */
export const AlertLevel = Type.Union([Type.Literal('town'), Type.Literal('district')]);
export type AlertLevel = Static<typeof AlertLevel>;

/** The objects behind an alert, so a click (or the wall) can fly to them. */
export const AlertSubject = Type.Object(
  {
    kind: Type.Union([
      Type.Literal('ticket'),
      Type.Literal('checkpoint'),
      Type.Literal('ranger'),
      Type.Literal('incident'),
      Type.Literal('grid'),
      Type.Literal('forest'),
    ]),
    id: Ref,
  },
  Closed,
);
export type AlertSubject = Static<typeof AlertSubject>;

// ---- the alert events (kinds 'alert.*'); the server writes them, public ingest refuses them ----

const alertEnvelope = <K extends string>(kind: K) => ({
  /** Event id; (source, id) is the idempotency key, so two nodes raising the same alert store it once. */
  id: Ref,
  kind: Type.Literal(kind),
  time: Timestamp,
  /** 'rules' for what the rule engine decides, 'console' for what a person did. */
  source: Type.Union([Type.Literal('rules'), Type.Literal('console')]),
  alertId: Ref,
});

export const AlertRaised = Type.Object(
  {
    ...alertEnvelope('alert.raised'),
    rule: AlertRule,
    severity: AlertSeverity,
    /** The most specific area (grid cell, forest cluster, town, or the district). */
    area: AreaKeySchema,
    /** Its town, when it has one: a town alert goes to that town's officers and leader first. */
    town: Type.Optional(AreaKeySchema),
    level: AlertLevel,
    /** Short, already in the words of the rule; the client may build its own text from rule + facts. */
    title: Type.String({ minLength: 1, maxLength: 200 }),
    /** Numbers behind the alert (level in m, count, minutes, …) for the client's own wording. */
    facts: Type.Optional(
      Type.Record(Type.String(), Type.Union([Type.String({ maxLength: 200 }), Type.Number()]), { maxProperties: 16 }),
    ),
    subjects: Type.Array(AlertSubject, { maxItems: 50 }),
    location: Type.Optional(Type.Object({ lon: Type.Number(), lat: Type.Number() }, Closed)),
  },
  Closed,
);
export type AlertRaised = Static<typeof AlertRaised>;

/** The rule still holds but worse (a near-deadline ticket is now overdue, yellow went orange). */
export const AlertUpdated = Type.Object(
  {
    ...alertEnvelope('alert.updated'),
    severity: AlertSeverity,
    title: Type.String({ minLength: 1, maxLength: 200 }),
    facts: Type.Optional(AlertRaised.properties.facts),
  },
  Closed,
);
export type AlertUpdated = Static<typeof AlertUpdated>;

export const AlertAcknowledged = Type.Object(
  { ...alertEnvelope('alert.acknowledged'), by: Actor, note: Type.Optional(Note) },
  Closed,
);
export type AlertAcknowledged = Static<typeof AlertAcknowledged>;

export const AlertNoted = Type.Object({ ...alertEnvelope('alert.noted'), by: Actor, note: Note }, Closed);
export type AlertNoted = Static<typeof AlertNoted>;

/** 吹哨报到: the officer calls named departments to report in. */
export const AlertWhistled = Type.Object(
  {
    ...alertEnvelope('alert.whistled'),
    by: Actor,
    departments: Type.Array(Department, { minItems: 1, maxItems: 11, uniqueItems: true }),
    note: Type.Optional(Note),
  },
  Closed,
);
export type AlertWhistled = Static<typeof AlertWhistled>;

/** Not acknowledged in time: handed to the scope above. */
export const AlertEscalated = Type.Object(
  {
    ...alertEnvelope('alert.escalated'),
    from: AlertLevel,
    to: AlertLevel,
    /** Minutes it had waited unacknowledged. */
    waitedMin: Type.Number({ minimum: 0 }),
  },
  Closed,
);
export type AlertEscalated = Static<typeof AlertEscalated>;

/** The condition cleared (by: absent, source 'rules') or a person closed it (by: the officer). */
export const AlertResolved = Type.Object(
  { ...alertEnvelope('alert.resolved'), by: Type.Optional(Actor), note: Type.Optional(Note) },
  Closed,
);
export type AlertResolved = Static<typeof AlertResolved>;

// ---- notifications: the alert told to people outside the dashboard (server/notify/) ----

/** The alert events that are told to the channels (WeCom, DingTalk, webhook, SMS). */
export const NotifyTransition = Type.Union([
  Type.Literal('raised'),
  Type.Literal('escalated'),
  Type.Literal('whistled'),
  Type.Literal('resolved'),
]);
export type NotifyTransition = Static<typeof NotifyTransition>;
export const NOTIFY_TRANSITIONS: readonly NotifyTransition[] = NotifyTransition.anyOf.map((b) => b.const);

/**
 * claimed: a node took the delivery on (so a second node does not send it too); delivered: the receiver took it;
 * failed: the last retry failed too, the message is dead-lettered (the reason says why).
 */
export const NotifyResult = Type.Union([Type.Literal('claimed'), Type.Literal('delivered'), Type.Literal('failed')]);
export type NotifyResult = Static<typeof NotifyResult>;

/**
 * One step of one delivery: an alert event (`of`) told to one channel. Its id is derived from the delivery's
 * idempotency key, so a restart or a second node that makes the same step stores it once; the log is where a
 * node learns what was already delivered.
 */
export const AlertNotified = Type.Object(
  {
    id: Ref,
    kind: Type.Literal('alert.notified'),
    time: Timestamp,
    source: Type.Literal('notify'),
    alertId: Ref,
    channel: Ref,
    transition: NotifyTransition,
    /** The idempotency key of the delivery (alert event × channel); receivers see it too. */
    key: Ref,
    result: NotifyResult,
    /** The node that claimed it (claimed), or that delivered or gave up. */
    node: Type.String({ minLength: 1, maxLength: 128 }),
    /** Attempts made (delivered, failed). */
    attempts: Type.Optional(Type.Integer({ minimum: 0 })),
    /** Why it failed: the receiver's status or error, never a URL or a secret. */
    reason: Type.Optional(Type.String({ maxLength: 300 })),
    /** Which claim this is: a claim whose node went away is taken over with the next number. */
    claim: Type.Optional(Type.Integer({ minimum: 1 })),
  },
  Closed,
);
export type AlertNotified = Static<typeof AlertNotified>;

export const AlertEvent = Type.Union([
  AlertRaised,
  AlertUpdated,
  AlertAcknowledged,
  AlertNoted,
  AlertWhistled,
  AlertEscalated,
  AlertResolved,
  AlertNotified,
]);
export type AlertEvent = Static<typeof AlertEvent>;
export type AlertEventKind = AlertEvent['kind'];
export const ALERT_EVENT_KINDS: readonly AlertEventKind[] = AlertEvent.anyOf.map((s) => s.properties.kind.const);
export const isAlertEventKind = (v: unknown): v is AlertEventKind =>
  typeof v === 'string' && (ALERT_EVENT_KINDS as readonly string[]).includes(v);
export const checkAlertEvent = checker(AlertEvent);

// ---- the alert as the fold of its events ----

/** One line of the audit trail: an event of the log, as people read it. */
export const AlertAction = Type.Object(
  {
    seq: Type.Integer({ minimum: 1 }),
    at: Timestamp,
    // Listed as a tuple: a mapped array would type the kind as never.
    kind: Type.Union([
      AlertRaised.properties.kind,
      AlertUpdated.properties.kind,
      AlertAcknowledged.properties.kind,
      AlertNoted.properties.kind,
      AlertWhistled.properties.kind,
      AlertEscalated.properties.kind,
      AlertResolved.properties.kind,
      AlertNotified.properties.kind,
    ]),
    by: Type.Optional(Actor),
    note: Type.Optional(Note),
    departments: Type.Optional(Type.Array(Department)),
    severity: Type.Optional(AlertSeverity),
    level: Type.Optional(AlertLevel),
    /** alert.notified: the channel, what was told, and whether it arrived (the reason is the note). */
    channel: Type.Optional(Ref),
    transition: Type.Optional(NotifyTransition),
    result: Type.Optional(NotifyResult),
  },
  Closed,
);
export type AlertAction = Static<typeof AlertAction>;

export const Alert = Type.Object(
  {
    id: Ref,
    rule: AlertRule,
    severity: AlertSeverity,
    status: AlertStatus,
    level: AlertLevel,
    area: AreaKeySchema,
    town: Type.Optional(AreaKeySchema),
    title: Type.String(),
    facts: Type.Optional(AlertRaised.properties.facts),
    subjects: Type.Array(AlertSubject),
    location: Type.Optional(AlertRaised.properties.location),
    raisedAt: Timestamp,
    acknowledgedAt: Type.Optional(Timestamp),
    acknowledgedBy: Type.Optional(Actor),
    escalatedAt: Type.Optional(Timestamp),
    resolvedAt: Type.Optional(Timestamp),
    resolvedBy: Type.Optional(Actor),
    /** Departments called so far (吹哨). */
    departments: Type.Array(Department),
    /** The audit trail, oldest first. */
    actions: Type.Array(AlertAction),
    /** Seq of the last event that changed it: a client keeps the copy with the higher seq. */
    seq: Type.Integer({ minimum: 1 }),
  },
  Closed,
);
export type Alert = Static<typeof Alert>;

/** Newest and most severe first: the order of the officer's inbox and of the wall's take-over. */
export function compareAlerts(a: Alert, b: Alert): number {
  const open = (x: Alert) => (x.status === 'resolved' ? 0 : 1);
  return (
    open(b) - open(a) ||
    SEVERITY_RANK[b.severity] - SEVERITY_RANK[a.severity] ||
    (b.raisedAt < a.raisedAt ? -1 : b.raisedAt > a.raisedAt ? 1 : 0) ||
    b.seq - a.seq
  );
}

// ---- what a person sends (REST, cookie + CSRF) ----

export const AcknowledgeRequest = Type.Object({ note: Type.Optional(Note) }, Closed);
export type AcknowledgeRequest = Static<typeof AcknowledgeRequest>;
export const NoteRequest = Type.Object({ note: Note }, Closed);
export type NoteRequest = Static<typeof NoteRequest>;
export const WhistleRequest = Type.Object(
  { departments: AlertWhistled.properties.departments, note: Type.Optional(Note) },
  Closed,
);
export type WhistleRequest = Static<typeof WhistleRequest>;
export const ResolveRequest = Type.Object({ note: Type.Optional(Note) }, Closed);
export type ResolveRequest = Static<typeof ResolveRequest>;

/** GET /api/v1/alerts: the alerts of the principal's scope (open and acknowledged, and resolved of the last day). */
export const AlertList = Type.Object({ seq: Type.Integer({ minimum: 0 }), items: Type.Array(Alert) });
export type AlertList = Static<typeof AlertList>;
