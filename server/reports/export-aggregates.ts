// Figures per area for a time window [from, to), folded from the log with store.scan(): the rows of
// GET /api/v1/export/aggregates.csv.
//
// The ticket figures are the KPIs' own: a fresh live state folds the log with its clock run along the events'
// times, and every ticket fact it counts (created, closed, verdict, rating, response settled, and the take-back
// of a miss) is heard through its observer (live/observer.ts) and counted into the area's window counters
// with countWindowFact when the fact's own time lies in the window; the rates and the composite come from them
// through windowKpisOf, as the KPI bar's. "Overdue" is the live state's count once its clock stands at the
// window's end (or now, if earlier). Events dated at or after the end are not folded, so the state at the end
// is the one the dashboard showed then, plus anything that arrived late but is dated inside.
// Flood and patrol figures are counts of their events in the window (readings, colour reached, patrols
// started, incidents), not KPIs.
//
// Memory: what the live state holds (open tickets, closed ones within their retention, rangers), and one row
// of counters per area. Never the log.
import { WARNING_ORDER, warningIndex, type AreaKey, type LevelThresholds } from '../contract/areas';
import type { StoredEvent } from '../contract/events';
import type { Geo } from '../geo/load';
import { AreaIndex, CHAIN_LENGTH } from '../live/areas';
import { resolveLiveOptions, type LiveOptions } from '../live/options';
import { countWindowFact, createLiveState, WINDOW_FIELDS, windowKpisOf } from '../live/state';
import { isoLocal } from '../contract/time';
import { type EventStore, type KeyframeStore, SCAN_BATCH } from '../store/types';
import { decodeKeyframe } from '../live/keyframes';
import { csvRow, type Write } from './csv';
import type { TimeWindow } from './ticket-filter';

// Slots per area after the window's KPI counters (WINDOW_FIELDS of them, laid out by live/state/layout.ts).
const READINGS = WINDOW_FIELDS;
const CHECKPOINTS_WARNED = READINGS + 1;
const WORST_COLOR = READINGS + 2;
const PATROLS = READINGS + 3;
const INCIDENTS = READINGS + 4;
const SLOTS = READINGS + 5;

export const AGGREGATE_CSV_COLUMNS = [
  'area',
  'name',
  'level',
  'from',
  'to',
  'tickets_created',
  'tickets_closed',
  'tickets_overdue_at_end',
  'response_rate',
  'resolution_rate',
  'satisfaction_rate',
  'composite',
  'flood_checkpoints',
  'flood_readings',
  'flood_checkpoints_in_warning',
  'flood_worst_color',
  'patrols_started',
  'patrol_incidents',
] as const;

export interface AreaFigures {
  key: AreaKey;
  name: string;
  level: string;
  created: number;
  closed: number;
  overdueAtEnd: number;
  responseRate: number | null;
  resolutionRate: number | null;
  satisfactionRate: number | null;
  composite: number | null;
  checkpoints: number;
  readings: number;
  checkpointsInWarning: number;
  worstColor: string;
  patrolsStarted: number;
  incidents: number;
}

/**
 * The figures of `keys` (each area counts everything located below it) for the window. The clock of the fold
 * ends at min(to, `clockMs`): a response still pending counts as missed once the clock has passed its deadline,
 * as on the dashboard.
 */
/** The projection host's keyframes and the part holding `{ live }` (live/keyframes.ts). */
export interface WindowKeyframes {
  store: KeyframeStore;
  version: string;
  part: string;
}

export async function windowAggregates(
  store: Pick<EventStore, 'scan'>,
  geo: Geo,
  keys: readonly AreaKey[],
  window: TimeWindow,
  clockMs: number,
  options: Partial<LiveOptions>,
  keyframes?: WindowKeyframes,
): Promise<AreaFigures[]> {
  const areas = new AreaIndex(geo);
  const c = new Int32Array(areas.size * SLOTS);
  const inWindow = (t: number) => t >= window.fromMs && t < window.toMs;
  const addAlong = (chain: Int32Array, slot: number) => {
    for (let s = 0; s < CHAIN_LENGTH; s++) if (chain[s]! >= 0) c[chain[s]! * SLOTS + slot]!++;
  };
  const checkpoints = new Map<
    string,
    { chain: Int32Array; thresholds: LevelThresholds; color: number; read: boolean }
  >();
  const thresholds = new Map(geo.layers.checkpoints.features.map((f) => [f.properties.id, f.properties.thresholds]));
  const live = createLiveState(geo, options, undefined, {
    checkpoint(id, chain) {
      checkpoints.set(id, { chain: Int32Array.from(chain), thresholds: thresholds.get(id)!, color: 0, read: false });
    },
    fact(t, code, chain, sign) {
      if (!inWindow(t)) return;
      for (let s = 0; s < CHAIN_LENGTH; s++) if (chain[s]! >= 0) countWindowFact(c, chain[s]! * SLOTS, code, sign);
    },
  });
  const asOf = Math.min(window.toMs, clockMs);
  let clock = -Infinity;

  const note = (s: StoredEvent, ms: number) => {
    const e = s.event;
    if (!inWindow(ms)) return;
    if (e.kind === 'flood.reading') {
      const cp = checkpoints.get(e.checkpointId);
      if (!cp) return;
      addAlong(cp.chain, READINGS);
      cp.read = true;
      cp.color = Math.max(cp.color, warningIndex(cp.thresholds, e.level));
    } else if (e.kind === 'patrol.started') {
      const cluster = areas.index('forest', e.clusterId);
      addAlong(areas.chains[cluster >= 0 ? areas.chainOfArea(cluster) : 0]!, PATROLS);
    } else if (e.kind === 'patrol.incident') {
      addAlong(areas.chains[areas.chainOfPlace(s.place)]!, INCIDENTS);
    }
  };

  // A keyframe whose clock and every event lie before the window holds no fact of it: start from the newest such.
  let from = 0;
  if (keyframes) {
    const before = window.fromMs - 1;
    const stored = await keyframes.store.latest({ maxTakenMs: before, maxEnvelopeMs: before });
    const decoded = stored && decodeKeyframe(stored, keyframes.version);
    if (stored && decoded?.ok && decoded.names.includes(keyframes.part)) {
      live.restoreState((decoded.part(keyframes.part) as { live: unknown }).live);
      from = stored.seq;
      clock = stored.takenMs;
    }
  }

  await store.scan(from, SCAN_BATCH, (batch) => {
    const kept: StoredEvent[] = [];
    for (const s of batch) {
      const ms = Date.parse(s.event.time);
      if (Number.isNaN(ms) || ms >= window.toMs) continue;
      kept.push(s);
      note(s, ms);
      if (ms > clock) clock = ms;
    }
    live.apply(kept);
    // The clock follows the events (never past the end), so deadlines and retention pass as they did live.
    if (clock > -Infinity) live.advance(Math.min(clock, asOf));
  });
  live.advance(asOf);

  for (const cp of checkpoints.values()) {
    if (!cp.read) continue;
    for (let s = 0; s < CHAIN_LENGTH; s++) {
      const a = cp.chain[s]!;
      if (a < 0) continue;
      if (cp.color > 0) c[a * SLOTS + CHECKPOINTS_WARNED]!++;
      if (cp.color > c[a * SLOTS + WORST_COLOR]!) c[a * SLOTS + WORST_COLOR] = cp.color;
    }
  }
  const checkpointsPer = new Int32Array(areas.size);
  for (const cp of checkpoints.values())
    for (let s = 0; s < CHAIN_LENGTH; s++) if (cp.chain[s]! >= 0) checkpointsPer[cp.chain[s]!]!++;

  const weights = resolveLiveOptions(options).kpiWeights;
  const out: AreaFigures[] = [];
  for (const key of keys) {
    const a = areas.byKey.get(key);
    if (a === undefined) continue;
    const o = a * SLOTS;
    const k = windowKpisOf(c, o, weights);
    out.push({
      key,
      name: geo.tree.nodes[key]?.name ?? key,
      level: areas.levels[a]!,
      created: k.created,
      closed: k.closed,
      overdueAtEnd: live.aggregate(key)?.tickets.overdue ?? 0,
      responseRate: k.responseRate,
      resolutionRate: k.resolutionRate,
      satisfactionRate: k.satisfactionRate,
      composite: k.composite,
      checkpoints: checkpointsPer[a]!,
      readings: c[o + READINGS]!,
      checkpointsInWarning: c[o + CHECKPOINTS_WARNED]!,
      worstColor: WARNING_ORDER[c[o + WORST_COLOR]!]!,
      patrolsStarted: c[o + PATROLS]!,
      incidents: c[o + INCIDENTS]!,
    });
  }
  return out;
}

/** Rates as decimals with four places (0.9231), empty when there is no data: never a 0 that is not one. */
const rate = (r: number | null) => (r === null ? '' : r.toFixed(4));

export async function writeAggregatesCsv(
  write: Write,
  rows: readonly AreaFigures[],
  window: TimeWindow,
): Promise<void> {
  await write(csvRow(AGGREGATE_CSV_COLUMNS));
  const from = Number.isFinite(window.fromMs) ? isoLocal(window.fromMs) : '';
  const to = Number.isFinite(window.toMs) ? isoLocal(window.toMs) : '';
  for (const r of rows) {
    await write(
      csvRow([
        r.key,
        r.name,
        r.level,
        from,
        to,
        r.created,
        r.closed,
        r.overdueAtEnd,
        rate(r.responseRate),
        rate(r.resolutionRate),
        rate(r.satisfactionRate),
        rate(r.composite),
        r.checkpoints,
        r.readings,
        r.checkpointsInWarning,
        r.worstColor,
        r.patrolsStarted,
        r.incidents,
      ]),
    );
  }
}
