// Scenario parameters: every rate, share and delay the simulator draws from, in one place, with the reason
// for each default. A scenario is `normal` plus overrides; callers tune any field (createSimulator's `tune`).
import type { PropertyParams } from './property';
import type { IncidentType, TicketCategory, TicketChannel, Urgency } from '../contract/events';
import { DEFAULT_URGENCY_DEADLINES, type UrgencyDeadlines } from '../contract/config-defaults';
import { DEMAND_TOTAL_PER_DAY, TOWN_DEMAND, ZHANGJIAWAN_ID, ZHANGJIAWAN_TURNAROUND } from './demand';

export const SCENARIO_NAMES = ['normal', 'rainstorm', 'fire-season', 'turnaround'] as const;
export type ScenarioName = (typeof SCENARIO_NAMES)[number];
export const isScenarioName = (v: string): v is ScenarioName => (SCENARIO_NAMES as readonly string[]).includes(v);

type PerCategory = Partial<Record<TicketCategory, number>>;
type PerUrgency = Record<Urgency, number>;

export interface TicketParams {
  enabled: boolean;
  /**
   * District total of new tickets a day (a weekday outside summer and the heating season; the year's mean is
   * within 1 % of it: weekends −15 %, summer +10 %, heating season +5 %). Shared among the towns in proportion
   * to their `towns` figures, so the default (the table's total) gives each town its own figure, 玉桥 its 50.
   */
  perDay: number;
  /** Demand per town, keyed by town id (demand.ts, documented in server/sim/README.md). */
  towns: Record<string, TownTarget>;
  /** A town under treatment (治理类) that turns around during the run; null: none. */
  turnaround: TurnaroundParams | null;
  /** Relative intake by Beijing hour 0–23 (normalised to mean 1): quiet nights, peaks mid-morning and afternoon. */
  hourly: number[];
  /** Weekends are quieter on the hotline (offices closed, fewer work-related reports). */
  weekendFactor: number;
  /**
   * Weight of a full 1 km rural cell relative to a full 250 m urban cell (rural density is ~1/30 of the core):
   * where in its town a ticket falls, and where a storm's waterlogging tickets fall; not how many a town gets.
   */
  ruralCellWeight: number;
  /** Spread (sd of the log) of a per-cell hot-spot factor: old compounds and markets generate more tickets. */
  hotspotSigma: number;
  /** Category mix (percent) from the categories in Tongzhou reporting; modulated by season and place below. */
  categoryWeights: Record<TicketCategory, number>;
  /** Jun–Sep: waterlogging and renovation / night noise rise. */
  summer: PerCategory;
  /** Heating season 15 Nov – 15 Mar: 供暖 complaints dominate the increase. */
  heating: PerCategory;
  summerRateFactor: number;
  heatingRateFactor: number;
  /** Category factors in the urban core (property, parking, e-bikes) and in rural towns (大集, 工业大院, 违建). */
  urban: PerCategory;
  rural: PerCategory;
  channels: Record<Exclude<TicketChannel, 'open311'>, number>;
  /** Towns running the couriers' reporting app (玉桥: 150+ couriers) and how much more it is used there. */
  courierTowns: string[];
  courierTownFactor: number;
  /** Share of urgent tickets per category (the rest split normal / low by lowShare). */
  urgentShare: PerCategory & { default: number };
  lowShare: PerCategory & { default: number };
  /** 解决率 of a town missing from `towns` (玉桥 2022: 82.94 %). */
  resolvedShare: number;
  /** Per-category offsets to the resolved share (re-centred on the mix so the district keeps its target). */
  categoryResolution: PerCategory;
  /**
   * 满意率 follows resolution: 0.83 × 0.97 + 0.17 × 0.68 ≈ 0.92 (玉桥 2022: 91.83 %) for a town missing from
   * `towns`. A town in the table keeps the gap between the two (0.29) and moves both so that it lands on its
   * own 满意率 at its own 解决率.
   */
  satisfiedIfResolved: number;
  satisfiedIfUnresolved: number;
  /** Share of closed tickets reached by the follow-up call (回访); the rest are never rated. */
  ratedShare: number;
  /** Share escalated by 吹哨报到, per category. */
  escalation: PerCategory & { default: number };
  /**
   * 督办: a ticket still open past its resolve deadline is put under supervision with this chance, a few office
   * hours after the deadline (the town's 接诉即办 office first, the district's command center for the rest);
   * one still open a day later is supervised again, from the district, with `again`.
   */
  supervision: { share: number; districtShare: number; again: number; delayH: number };
  delays: {
    /** 受理 → 派单, median minutes. */
    dispatchMin: PerUrgency;
    /** 派单 → 办理 (first contact with the citizen, which is the response), median hours. */
    respondH: PerUrgency;
    /** 办理 → 回复, median hours. */
    resolveH: PerUrgency;
    /** 回复 → 办结, median hours. */
    closeH: number;
    /** 办结 → 回访, median hours. */
    rateH: number;
    /** Sd of the log of each delay: log-normal, skewed to a long tail of slow tickets. */
    sigma: number;
    resolveSigma: number;
    /** A whistle-blown ticket involves several departments and takes longer to resolve. */
    escalatedFactor: number;
    /** Non-urgent work happens in office hours (Beijing time); urgent work goes on through the night. */
    workdayStartH: number;
    workdayEndH: number;
  };
  /** Deadlines written on each ticket (the dispatcher's); the server's defaults unless tuned. */
  deadlines: UrgencyDeadlines;
}

/** What a town takes and how it does: a row of the demand table. */
export interface TownTarget {
  perDay: number;
  resolution: number;
  satisfaction: number;
}

export interface TurnaroundParams {
  townId: string;
  /** Days from the run's start the town stays at its treated figures. */
  holdDays: number;
  /** Days the turnaround then takes (a linear change); after it the town is at its `towns` figures. */
  turnaroundDays: number;
  /** Points the town's rates are below its `towns` figures while treated. */
  resolutionGain: number;
  satisfactionGain: number;
  /** Share by which each category's volume falls over the turnaround; the others stay as they are. */
  categoryDrop: PerCategory;
}

export interface StormParams {
  /** Hours from the simulation start to the onset of rain in the west of the district. */
  onsetAfterH: number;
  /** Hours from onset to peak rain. */
  rampH: number;
  /** Peak rain intensity, mm/h (50 is already a severe downpour). */
  peakRainMmH: number;
  /** 1 lifts upstream gauges to about blue and the lower reaches past yellow; 1.3 reaches red downstream. */
  severity: number;
  /** Hours the storm takes to cross the district from west to east. */
  travelH: number;
  /** Hours before onset that the rainstorm warning is issued and the district response (IV) starts. */
  warningLeadH: number;
}

export interface FloodParams {
  enabled: boolean;
  /** A reading per checkpoint every N simulated minutes, on the wall clock (:00, :10, …). */
  readingIntervalMin: number;
  /** Sensor noise (m), autocorrelated so a level does not jitter like static. */
  noiseM: number;
  /** Flood wave speed along a river, km/h: the downstream delay is riverKm / celerity. */
  celerityKmH: number;
  /** Hours from peak rain to peak level at the top of a river (runoff takes time to reach the channel). */
  levelLagH: number;
  /** Chance of a light shower on a day, by season; rainfall stays 0 otherwise. */
  showerChance: { summer: number; shoulder: number; winter: number };
  storm: StormParams | null;
  /** Waterlogging (积水) tickets per hour per mm/h of district mean rain, and per checkpoint at yellow+. */
  stormTicketsPerMmH: number;
  stormTicketsPerWarningCheckpointH: number;
  /** Cells within this distance of a checkpoint in warning get its waterlogging tickets. */
  nearCheckpointM: number;
  /** Checkpoints in warning are inspected (加密巡查) at least this often. */
  inspectEveryH: number;
}

export interface ShiftParams {
  /** Planned start, Beijing hour, and its spread (sd, hours). */
  startH: number;
  sdH: number;
  /** Patrol length range, hours. */
  minH: number;
  maxH: number;
}

export interface PatrolParams {
  enabled: boolean;
  /** Rangers (护林员) per forest cluster with a GPS phone; the farm's 800 workers mostly water and prune. */
  rangersPerCluster: number;
  dayOffShare: number;
  /** Daytime patrols of each ranger on duty. */
  shifts: ShiftParams[];
  /** Walking speed, m/s (a ranger on forest paths ~1.2). */
  speedMs: number;
  /** Seconds between GPS fixes (the brief: ~10 s). */
  positionEveryS: number;
  /** Minutes spent at a patrol point after checking in. */
  dwellMin: [number, number];
  /** Share of patrols with a GPS gap of 5–20 min (a dead zone, a phone in a pocket): "signal lost". */
  signalGapShare: number;
  /** Incidents per hour of patrol, and their mix. */
  incidentsPerPatrolHour: number;
  incidentMix: Record<Exclude<IncidentType, 'sos'>, number>;
  /** No patrol starts while district rain exceeds this (mm/h): crews are called in during a storm. */
  stopAboveRainMmH: number;
}

export interface ScenarioParams {
  tickets: TicketParams;
  flood: FloodParams;
  patrols: PatrolParams;
  property: PropertyParams;
}

/** A summer storm starting two hours in: rain peaks ~4.5 h in, the lower reaches crest ~10 h later. */
export const DEFAULT_STORM: StormParams = {
  onsetAfterH: 2,
  rampH: 2.5,
  peakRainMmH: 60,
  severity: 1,
  travelH: 1.5,
  warningLeadH: 1,
};

const NORMAL: ScenarioParams = {
  tickets: {
    enabled: true,
    perDay: DEMAND_TOTAL_PER_DAY,
    towns: Object.fromEntries(
      Object.entries(TOWN_DEMAND).map(([id, t]) => [
        id,
        { perDay: t.perDay, resolution: t.resolution, satisfaction: t.satisfaction },
      ]),
    ),
    turnaround: null,
    hourly: [
      0.25, 0.15, 0.1, 0.1, 0.1, 0.2, 0.45, 0.9, 1.4, 1.8, 1.9, 1.7, 1.3, 1.4, 1.7, 1.8, 1.6, 1.4, 1.2, 1.1, 1.0, 0.8,
      0.6, 0.4,
    ],
    weekendFactor: 0.85,
    ruralCellWeight: 0.5,
    hotspotSigma: 0.5,
    categoryWeights: {
      municipal_environment: 13,
      property_management: 15,
      farmers_market: 3,
      safety_hazard: 6,
      industrial_compound: 2,
      illegal_construction: 5,
      heating: 2,
      e_bike: 7,
      parking: 8,
      sanitation: 7,
      waste_sorting: 3,
      noise: 9,
      road: 5,
      lighting: 3,
      charging_pile: 3,
      waterlogging: 1,
      other: 8,
    },
    summer: { waterlogging: 3, noise: 1.4, sanitation: 1.2, heating: 0.1 },
    heating: { heating: 7, noise: 0.8 },
    summerRateFactor: 1.1,
    heatingRateFactor: 1.05,
    urban: {
      property_management: 1.4,
      parking: 1.3,
      e_bike: 1.2,
      charging_pile: 1.2,
      industrial_compound: 0.3,
      farmers_market: 0.6,
      illegal_construction: 0.6,
    },
    rural: {
      property_management: 0.3,
      parking: 0.6,
      farmers_market: 2.5,
      industrial_compound: 3,
      illegal_construction: 2,
      sanitation: 1.3,
    },
    channels: { hotline_12345: 62, wechat: 18, grid_worker: 12, walk_in: 5, courier_app: 3 },
    courierTowns: ['110112004'],
    courierTownFactor: 4,
    urgentShare: { default: 0.04, safety_hazard: 0.35, heating: 0.25, waterlogging: 0.3, e_bike: 0.12, road: 0.1 },
    lowShare: { default: 0.12, illegal_construction: 0.3, industrial_compound: 0.3, property_management: 0.18 },
    resolvedShare: 0.83,
    categoryResolution: {
      property_management: -0.08,
      illegal_construction: -0.12,
      industrial_compound: -0.1,
      farmers_market: -0.05,
      parking: -0.06,
      noise: -0.04,
      charging_pile: -0.02,
      heating: 0.02,
      e_bike: 0.03,
      road: 0.05,
      waterlogging: 0.05,
      waste_sorting: 0.06,
      sanitation: 0.08,
      lighting: 0.1,
    },
    satisfiedIfResolved: 0.97,
    satisfiedIfUnresolved: 0.68,
    ratedShare: 0.9,
    escalation: {
      default: 0.02,
      safety_hazard: 0.12,
      illegal_construction: 0.15,
      industrial_compound: 0.15,
      farmers_market: 0.1,
      waterlogging: 0.1,
      municipal_environment: 0.05,
    },
    // Estimate: most late tickets are chased (the district's daily list of overdue cases), not all of them the
    // same day; a day later the district takes over the ones still open.
    supervision: { share: 0.6, districtShare: 0.3, again: 0.5, delayH: 3 },
    delays: {
      dispatchMin: { urgent: 4, normal: 15, low: 45 },
      // Response deadlines 2 h / 24 h / 48 h: these medians leave ~5 % of urgent and <1 % of others late.
      respondH: { urgent: 0.5, normal: 3, low: 8 },
      // Resolve deadlines 24 h / 7 d / 15 d: a long tail (sigma 0.9) leaves a few % overdue, as a wall expects.
      resolveH: { urgent: 6, normal: 30, low: 96 },
      closeH: 1,
      rateH: 20,
      sigma: 0.8,
      resolveSigma: 0.9,
      escalatedFactor: 2,
      workdayStartH: 8,
      workdayEndH: 21,
    },
    deadlines: DEFAULT_URGENCY_DEADLINES,
  },
  flood: {
    enabled: true,
    readingIntervalMin: 10,
    noiseM: 0.01,
    celerityKmH: 3,
    levelLagH: 2,
    showerChance: { summer: 0.25, shoulder: 0.1, winter: 0.03 },
    storm: null,
    stormTicketsPerMmH: 0.6,
    stormTicketsPerWarningCheckpointH: 3,
    nearCheckpointM: 2500,
    inspectEveryH: 2,
  },
  patrols: {
    enabled: true,
    rangersPerCluster: 2,
    dayOffShare: 0.1,
    shifts: [
      { startH: 7.5, sdH: 0.5, minH: 1.5, maxH: 3 },
      { startH: 14, sdH: 0.75, minH: 1.5, maxH: 2.5 },
    ],
    speedMs: 1.2,
    positionEveryS: 10,
    dwellMin: [1, 4],
    signalGapShare: 0.04,
    incidentsPerPatrolHour: 0.015,
    incidentMix: { pests: 30, dumping: 30, fallen_tree: 20, fire_risk: 10, illegal_logging: 5, other: 5 },
    stopAboveRainMmH: 10,
  },
  // 履约评价, monthly (杨庄's practice; assumed here for every town's districts): posted on the 3rd at 10:00, six
  // months of record at the start, a month's swing of 2.5 points around the district's standing.
  property: { enabled: true, historyMonths: 6, dayOfMonth: 3, hour: 10, swing: 2.5 },
};

export type DeepPartial<T> = T extends readonly unknown[]
  ? T
  : T extends object
    ? { [K in keyof T]?: DeepPartial<T[K]> }
    : T;

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Deep merge for parameter objects: objects merge, arrays and scalars replace, undefined keeps the base. */
export function mergeParams<T>(base: T, patch: DeepPartial<T> | undefined): T {
  if (patch === undefined) return base;
  if (!isPlainObject(base) || !isPlainObject(patch)) return patch as T;
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(patch)) {
    if (v === undefined) continue;
    out[k] = isPlainObject(v) && isPlainObject(out[k]) ? mergeParams(out[k], v as DeepPartial<unknown>) : v;
  }
  return out as T;
}

const OVERRIDES: Record<ScenarioName, DeepPartial<ScenarioParams>> = {
  normal: {},
  rainstorm: {
    flood: {
      storm: DEFAULT_STORM,
      showerChance: { summer: 0, shoulder: 0, winter: 0 },
    },
  },
  'fire-season': {
    patrols: {
      // 防火期: every ranger out, a third patrol mid-day and a dusk round, when careless burning peaks.
      rangersPerCluster: 4,
      dayOffShare: 0.03,
      shifts: [
        { startH: 7, sdH: 0.5, minH: 1.5, maxH: 2.5 },
        { startH: 10.5, sdH: 0.5, minH: 1.5, maxH: 2.5 },
        { startH: 14, sdH: 0.5, minH: 1.5, maxH: 2.5 },
        { startH: 17.5, sdH: 0.3, minH: 1, maxH: 1.5 },
      ],
      incidentsPerPatrolHour: 0.035,
      incidentMix: { fire_risk: 55, dumping: 15, pests: 10, fallen_tree: 8, illegal_logging: 7, other: 5 },
    },
    flood: { showerChance: { summer: 0.05, shoulder: 0.02, winter: 0 } },
  },
  // 张家湾 as it was when the city listed it among the towns under treatment (治理类, July 2019): its
  // categories at their old volumes (the most tickets of any town) and its rates 17 and 21 points down; two
  // weeks like that, then ten days of turnaround to its present figures, so that a month's backfill shows
  // the whole story in this month's view.
  turnaround: {
    tickets: {
      turnaround: {
        townId: ZHANGJIAWAN_ID,
        holdDays: 14,
        turnaroundDays: 10,
        resolutionGain: ZHANGJIAWAN_TURNAROUND.resolutionGain,
        satisfactionGain: ZHANGJIAWAN_TURNAROUND.satisfactionGain,
        categoryDrop: { ...ZHANGJIAWAN_TURNAROUND.categoryDrop },
      },
    },
  },
};

/** The parameters of a scenario with the caller's overrides applied. */
export function scenarioParams(name: ScenarioName, tune?: DeepPartial<ScenarioParams>): ScenarioParams {
  return mergeParams<ScenarioParams>(mergeParams<ScenarioParams>(NORMAL, OVERRIDES[name]), tune);
}
