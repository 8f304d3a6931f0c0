// Documented defaults for ticket deadlines and the composite KPI score. They live in the contract because
// the server computes with them and the client shows them (deadline bars, the score's legend); a
// deployment overrides them through server config, which is checked against the schemas here.
// No Node imports here.
import Type, { type Static } from 'typebox';
import type { Urgency } from './events';
import { DAY_MS, HOUR_MS } from './time';

/** Two clocks per ticket: respond (联系 / 响应) and resolve (办结). Durations in milliseconds. */
export const Deadline = Type.Object(
  {
    respondMs: Type.Integer({ exclusiveMinimum: 0 }),
    resolveMs: Type.Integer({ exclusiveMinimum: 0 }),
  },
  { additionalProperties: false },
);
export type Deadline = Static<typeof Deadline>;

export const UrgencyDeadlines = Type.Object(
  { urgent: Deadline, normal: Deadline, low: Deadline },
  { additionalProperties: false },
);
export type UrgencyDeadlines = Static<typeof UrgencyDeadlines>;

/**
 * Default deadlines per urgency. Calibrated on the time limits commonly cited for Beijing's 12345 hotline
 * (secondary sources summarising the 接诉即办 rules; check the current 《北京市接诉即办工作条例》 and the
 * district's 工作手册 before relying on them in production):
 * - urgent: emergencies that may cost life or property get feedback within 2 hours; urgent utility
 *   problems (water, power, gas, heating) are handled within 24 hours → respond 2 h, resolve 24 h.
 * - normal: ordinary requests are answered within a day and handled within 7 days → 24 h / 7 d.
 * - low: complex or non-time-critical requests get 15 days → respond 48 h, resolve 15 d.
 * Calendar time, not working days: the command center runs every day and the wall counts down in hours.
 */
export const DEFAULT_URGENCY_DEADLINES: UrgencyDeadlines = {
  urgent: { respondMs: 2 * HOUR_MS, resolveMs: 24 * HOUR_MS },
  normal: { respondMs: 24 * HOUR_MS, resolveMs: 7 * DAY_MS },
  low: { respondMs: 48 * HOUR_MS, resolveMs: 15 * DAY_MS },
};

/**
 * "Near deadline" starts when this share of the resolve window has elapsed (80 %: 4.8 h before an urgent
 * ticket is due, 1.4 days before a normal one), early enough for a duty officer to still act.
 */
export const DEFAULT_NEAR_DEADLINE_FRACTION = 0.8;

/** Deadlines of a ticket created at `createdAtMs` with no deadlines of its own. */
export function defaultDueTimes(
  createdAtMs: number,
  urgency: Urgency,
  deadlines: UrgencyDeadlines = DEFAULT_URGENCY_DEADLINES,
): { responseDueAtMs: number; resolveDueAtMs: number } {
  const d = deadlines[urgency];
  return { responseDueAtMs: createdAtMs + d.respondMs, resolveDueAtMs: createdAtMs + d.resolveMs };
}

/** Weights of the three rates (三率) in the composite score; they must sum to 1 (checked by kpiWeightsValid). */
export const KpiWeights = Type.Object(
  {
    response: Type.Number({ minimum: 0, maximum: 1 }),
    resolution: Type.Number({ minimum: 0, maximum: 1 }),
    satisfaction: Type.Number({ minimum: 0, maximum: 1 }),
  },
  { additionalProperties: false },
);
export type KpiWeights = Static<typeof KpiWeights>;

/**
 * Default composite weights: response 0.2, resolution 0.4, satisfaction 0.4. Why:
 * - the response rate sits near 100 % almost everywhere (calling back within the deadline is easy to
 *   organise), so a large weight would compress every town into the same score;
 * - resolution and satisfaction are what the district reports and what moved when 张家湾镇 improved
 *   (+17 and +21 points), so they carry the signal, with equal weight because a problem solved to the
 *   citizen's dissatisfaction and a satisfied citizen with an unsolved problem are both failures.
 * Official weights differ by year and place (and are not always published), hence configurable.
 */
export const DEFAULT_KPI_WEIGHTS: KpiWeights = { response: 0.2, resolution: 0.4, satisfaction: 0.4 };

/** True when the weights sum to 1 (within rounding); a config loader should reject anything else. */
export const kpiWeightsValid = (w: KpiWeights): boolean =>
  Math.abs(w.response + w.resolution + w.satisfaction - 1) < 1e-9;

/**
 * Composite score in 0..1 from the three rates (each 0..1, or null when there is no data in the window).
 * Rates without data are left out and the remaining weights renormalised, so a town with no ratings yet is
 * not scored as if every citizen were dissatisfied; null when no rate has data.
 */
export function compositeScore(
  rates: { response: number | null; resolution: number | null; satisfaction: number | null },
  weights: KpiWeights = DEFAULT_KPI_WEIGHTS,
): number | null {
  let sum = 0;
  let weight = 0;
  for (const k of ['response', 'resolution', 'satisfaction'] as const) {
    const r = rates[k];
    if (r === null) continue;
    sum += r * weights[k];
    weight += weights[k];
  }
  return weight > 0 ? sum / weight : null;
}
