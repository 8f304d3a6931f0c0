// Thresholds of the alert rules, with documented defaults. Everything a rule decides by a number lives here,
// so a deployment overrides it (ALERT_RULES: a JSON file or inline JSON, merged over these defaults and
// checked against the schema below) and a test pins it, without touching the engine.
import Type, { type Static } from 'typebox';
import { AlertSeverity } from '../contract/alerts';
import { checker, type FieldError } from '../contract/validate';

const Closed = { additionalProperties: false } as const;
const MaybeSeverity = Type.Union([AlertSeverity, Type.Null()]);
const Minutes = Type.Number({ exclusiveMinimum: 0, maximum: 60 * 24 * 30 });

/** Per urgency: the severity of the alert, or null for no alert at all. */
const PerUrgency = Type.Object({ urgent: MaybeSeverity, normal: MaybeSeverity, low: MaybeSeverity }, Closed);

export const AlertRuleOptions = Type.Object(
  {
    flood: Type.Object(
      {
        /** The lowest warning colour that raises an alert. */
        raiseAt: Type.Union([
          Type.Literal('blue'),
          Type.Literal('yellow'),
          Type.Literal('orange'),
          Type.Literal('red'),
        ]),
        /** Severity per colour reached (colours below raiseAt never raise). */
        severity: Type.Object(
          { blue: AlertSeverity, yellow: AlertSeverity, orange: AlertSeverity, red: AlertSeverity },
          Closed,
        ),
        /** Hysteresis: the alert clears only below the raiseAt threshold minus this margin (m) … */
        clearMarginM: Type.Number({ minimum: 0, maximum: 10 }),
        /** … for at least this long, by the readings' own times. */
        clearAfterMin: Minutes,
      },
      Closed,
    ),
    /** An open ticket past nearDeadlineFraction of its resolve window. */
    ticketNearDeadline: PerUrgency,
    /** An open ticket past its resolve deadline. */
    ticketOverdue: PerUrgency,
    ticketSurge: Type.Object(
      {
        /** Tickets created in a grid cell within this window (minutes, up to the clock) … */
        windowMin: Minutes,
        /** … at least this many … */
        minCount: Type.Integer({ minimum: 1, maximum: 10_000 }),
        /** … and at least this many times the cell's own baseline for a window of that length. */
        factor: Type.Number({ minimum: 1, maximum: 1000 }),
        /** The baseline: the cell's tickets over this many days before the window (or since the log starts). */
        baselineDays: Type.Number({ exclusiveMinimum: 0, maximum: 90 }),
        severity: AlertSeverity,
      },
      Closed,
    ),
    forestUnpatrolled: Type.Object(
      { afterHours: Type.Number({ exclusiveMinimum: 0, maximum: 24 * 30 }), severity: AlertSeverity },
      Closed,
    ),
    rangerSignalLost: Type.Object({ afterMin: Minutes, severity: AlertSeverity }, Closed),
    fireRisk: Type.Object({ severity: AlertSeverity }, Closed),
    /** Minutes an alert may stay unacknowledged at town level before it goes to the district; null: never. */
    escalateAfterMin: Type.Object(
      {
        info: Type.Union([Minutes, Type.Null()]),
        warning: Type.Union([Minutes, Type.Null()]),
        severe: Type.Union([Minutes, Type.Null()]),
      },
      Closed,
    ),
  },
  Closed,
);
export type AlertRuleOptions = Static<typeof AlertRuleOptions>;

/**
 * Defaults. Why these values:
 * - flood from yellow (Ⅲ级): blue is the "watch" colour a gauge touches after any heavy rain, so an alert per
 *   blue reading would train officers to ignore alerts; yellow is where the district's flood plan asks towns to
 *   act. Orange and red are severe: they mean evacuation decisions.
 * - hysteresis 0.10 m for 30 min: gauges jitter by 1–2 cm and a level hovering at a threshold moves by a few
 *   cm per reading; 10 cm below for half an hour means the water is really going down.
 * - near deadline only for urgent tickets (warning): urgent tickets have a 24 h window, so "near" leaves about
 *   5 h to act; for normal (7 d) and low (15 d) tickets the KPI count and the map's pulsing are enough.
 * - overdue: urgent → severe (life, property or utilities), normal → warning, low → none (low tickets are
 *   long, complex cases that the weekly review follows, not the duty desk).
 * - surge: ≥ 5 tickets in 60 min and ≥ 3 × the cell's own hourly rate over the past 7 days. The floor of 5 keeps
 *   quiet cells (baseline near 0) from alerting on two neighbours calling about the same noise; the factor
 *   keeps busy cells (markets, compounds) from alerting on an ordinary busy hour.
 * - forest not patrolled for 24 h: clusters are patrolled daily in the fire season; a day without any ranger
 *   (positions, check-ins or a patrol) means a gap in the rota. Evaluated around the clock, which is fine:
 *   a 24 h window always contains a day.
 * - signal lost 15 min: the live state marks a ranger after 5 min (dense canopy drops GPS for minutes); only
 *   a quarter of an hour of silence on an active patrol is worth calling the ranger.
 * - fire risk: severe at once; a forest fire doubles in minutes.
 * - escalation: severe after 10 min unacknowledged, warning after 30 min, info never: the town desk must at
 *   least take note of a severe alert within minutes, or the district duty officer has to.
 */
export const DEFAULT_ALERT_RULE_OPTIONS: AlertRuleOptions = {
  flood: {
    raiseAt: 'yellow',
    severity: { blue: 'info', yellow: 'warning', orange: 'severe', red: 'severe' },
    clearMarginM: 0.1,
    clearAfterMin: 30,
  },
  ticketNearDeadline: { urgent: 'warning', normal: null, low: null },
  ticketOverdue: { urgent: 'severe', normal: 'warning', low: null },
  ticketSurge: { windowMin: 60, minCount: 5, factor: 3, baselineDays: 7, severity: 'warning' },
  forestUnpatrolled: { afterHours: 24, severity: 'warning' },
  rangerSignalLost: { afterMin: 15, severity: 'warning' },
  fireRisk: { severity: 'severe' },
  escalateAfterMin: { info: null, warning: 30, severe: 10 },
};

const checkOptions = checker(AlertRuleOptions);

export type AlertRuleOverrides = { [K in keyof AlertRuleOptions]?: Partial<AlertRuleOptions[K]> };

/**
 * The defaults with `overrides` merged in, one level deep per rule ({"flood": {"clearAfterMin": 45}} keeps
 * the other flood values); errors name the JSON pointer and the reason.
 */
export function resolveAlertRuleOptions(
  overrides: unknown = {},
): { ok: true; options: AlertRuleOptions } | { ok: false; errors: FieldError[] } {
  if (typeof overrides !== 'object' || overrides === null || Array.isArray(overrides)) {
    return { ok: false, errors: [{ path: '', message: 'must be a JSON object of rule name → settings' }] };
  }
  const merged: Record<string, unknown> = { ...DEFAULT_ALERT_RULE_OPTIONS };
  const errors: FieldError[] = [];
  for (const [rule, value] of Object.entries(overrides)) {
    const base = (DEFAULT_ALERT_RULE_OPTIONS as Record<string, unknown>)[rule];
    if (base === undefined) {
      errors.push({
        path: `/${rule}`,
        message: `unknown rule; one of ${Object.keys(DEFAULT_ALERT_RULE_OPTIONS).join(', ')}`,
      });
      continue;
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      errors.push({ path: `/${rule}`, message: 'must be an object of settings' });
      continue;
    }
    merged[rule] = { ...(base as object), ...value };
  }
  if (errors.length > 0) return { ok: false, errors };
  const checked = checkOptions(merged);
  return checked.ok ? { ok: true, options: checked.value } : { ok: false, errors: checked.errors };
}
