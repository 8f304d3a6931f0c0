// What the leader's landing shows, apart from the component: how a KPI compares with the district, how late a
// ticket is, how long a 零诉求 streak reads, and the map link of an area. Pure, tested without a browser.
import type { AreaKey } from '../../server/contract/areas';
import type { LandingKpiKey, LandingKpis } from '../../server/contract/landing';
import { defaultView, formatView } from '../view/url';

/** Rates and the proactive share: higher is better. Counts of tickets open, overdue, near deadline, new today: lower is better. */
const HIGHER_IS_BETTER: Record<LandingKpiKey, boolean> = {
  composite: true,
  responseRate: true,
  resolutionRate: true,
  satisfactionRate: true,
  open: false,
  overdue: false,
  nearDeadline: false,
  newToday: false,
  // 未诉先办: more problems found before anyone calls is the point of proactive governance.
  proactiveShare: true,
  // 督办: fewer tickets needing supervision is better.
  supervisedOpen: false,
};

export type Standing = 'better' | 'worse' | 'level';

/**
 * The town against the district average for one KPI; null when either has no data. Within half a
 * percentage point (rates) or a tenth of a ticket (counts) it is level, so noise is not marked.
 */
export function standing(key: LandingKpiKey, town: LandingKpis, district: LandingKpis): Standing | null {
  const a = town[key];
  const b = district[key];
  if (a === null || b === null || a === undefined || b === undefined) return null;
  const rate = HIGHER_IS_BETTER[key];
  const eps = rate ? 0.005 : 0.1;
  if (Math.abs(a - b) < eps) return 'level';
  return a > b === rate ? 'better' : 'worse';
}

/** The arrow beside a standing: the direction of the town's number against the district's, not good or bad. */
export function arrow(key: LandingKpiKey, s: Standing | null): string {
  if (s === null || s === 'level') return '＝';
  const up = (s === 'better') === HIGHER_IS_BETTER[key];
  return up ? '▲' : '▼';
}

export interface Lateness {
  days: number;
  hours: number;
  minutes: number;
}

/** How late a ticket is, split for the reader: whole days, hours and minutes. */
export function lateness(ms: number): Lateness {
  const minutes = Math.max(0, Math.floor(ms / 60_000));
  return { days: Math.floor(minutes / 1440), hours: Math.floor((minutes % 1440) / 60), minutes: minutes % 60 };
}

/**
 * A streak as it reads: days up to two months, then whole months (30 days each: the log counts days, so a
 * month here is an approximation the label says).
 */
export function streakSpan(days: number): { unit: 'days' | 'months'; value: number } {
  return days < 60 ? { unit: 'days', value: days } : { unit: 'months', value: Math.floor(days / 30) };
}

/** The dashboard's URL opened on an area (the map reads it on load). */
export function mapSearch(root: AreaKey, area: AreaKey): string {
  return formatView({ ...defaultView(root), area }, root);
}

/** A bar width 0..1 for a week-over-week rise against the largest rise shown. */
export function riseBar(change: number, largest: number): number {
  return largest > 0 && change > 0 ? Math.min(1, change / largest) : 0;
}
