// The scenario engine: geography + scenario + seed + start time → OpsEvents in time order. Pure generation:
// no timers, no I/O. A caller advances it with next(untilSimMs) (the real-time driver, tests) or take(n)
// (a load generator that wants a number of events, whatever time they cover).
import type { EventKind, OpsEvent } from '../contract/events';
import { KIND } from '../contract/events';
import type { Geo } from '../geo/load';
import { compactStamp } from './clock';
import { SECOND_MS } from '../contract/time';
import { SimClock } from './context';
import { createFloodModel } from './flood';
import { createForestModel } from './forest';
import { buildPlaces, type Places } from './places';
import { createRng, type Seed } from './prng';
import { scenarioParams, type DeepPartial, type ScenarioName, type ScenarioParams } from './scenarios';
import { createTicketModel } from './tickets';
import { createPropertyModel } from './property';

export interface SimulatorOptions {
  geo: Geo;
  scenario: ScenarioName;
  seed: Seed;
  /** Simulated start, epoch ms. */
  start: number;
  /** Simulated seconds per real second; kept for the driver (generation itself does not depend on it). */
  speed?: number;
  /**
   * Prefix of every event id, ticket, patrol and incident id. (source, id) is the ingest idempotency key:
   * the same run id and seed replayed give duplicates, not doubles. Default: scenario-seed-start.
   */
  runId?: string;
  /** Overrides of the scenario's parameters (scenarios.ts), e.g. { tickets: { perDay: 300 } }. */
  tune?: DeepPartial<ScenarioParams>;
  /**
   * Simulated time from which the run is in full detail (default: the start). Before it the run is thin, for
   * a long backfill: every ticket as usual, but rangers' patrols without their GPS positions (they still start,
   * check in, report and end) and one gauge reading an hour instead of six. A month of positions every 10 s is
   * millions of events that nothing in the past needs. Part of the run's identity: replaying a run (same run
   * id) needs the same detailFrom to give the same events.
   */
  detailFrom?: number;
}

export interface Simulator {
  readonly runId: string;
  readonly scenario: ScenarioName;
  readonly seed: Seed;
  readonly start: number;
  readonly speed: number;
  readonly params: ScenarioParams;
  /** Simulated time up to which every event has been handed out. */
  readonly now: number;
  /** Events due up to and including untilSimMs, in time order; empty when nothing is due. */
  next(untilSimMs: number): OpsEvent[];
  /** The next `count` events (fewer if the run reaches untilSimMs first), whatever simulated time they span. */
  take(count: number, untilSimMs?: number): OpsEvent[];
  /** Events handed out so far, per kind. */
  counts(): Record<EventKind, number>;
}

const RUN_ID = /^[A-Za-z0-9_.:-]{1,48}$/;

export function defaultRunId(scenario: ScenarioName, seed: Seed, start: number): string {
  const s = String(seed)
    .replace(/[^A-Za-z0-9_.-]/g, '_')
    .slice(0, 16);
  return `${scenario}-${s}-${compactStamp(start)}`;
}

/** Places depend only on the geography and the seed; memoised because tests build many simulators. */
const placesCache = new WeakMap<Geo, Map<string, Places>>();

export function createSimulator(options: SimulatorOptions): Simulator {
  const { geo, scenario, seed } = options;
  if (!Number.isFinite(options.start)) throw new Error('createSimulator: start must be a finite epoch ms');
  const start = Math.ceil(options.start / SECOND_MS) * SECOND_MS;
  const speed = options.speed ?? 1;
  if (!(speed > 0)) throw new Error('createSimulator: speed must be > 0');
  const runId = options.runId ?? defaultRunId(scenario, seed, start);
  if (!RUN_ID.test(runId))
    throw new Error(`createSimulator: runId ${JSON.stringify(runId)} must be 1–48 of A-Z a-z 0-9 _ . : -`);
  const params = scenarioParams(scenario, options.tune);

  const rng = createRng(seed);
  const placeKey = `${String(seed)}|${params.tickets.ruralCellWeight}|${params.tickets.hotspotSigma}`;
  let byGeo = placesCache.get(geo);
  if (!byGeo) placesCache.set(geo, (byGeo = new Map()));
  let places = byGeo.get(placeKey);
  if (!places) {
    places = buildPlaces(geo, params.tickets, rng.fork('places'));
    byGeo.set(placeKey, places);
  }

  const detailFrom = Math.max(start, options.detailFrom ?? start);
  if (!Number.isFinite(detailFrom)) throw new Error('createSimulator: detailFrom must be a finite epoch ms');
  const clock = new SimClock(runId, start, detailFrom);
  const riverNames = new Map(geo.layers.rivers.features.map((f) => [f.properties.id, f.properties.name]));
  const tickets = createTicketModel(clock, places, params.tickets, rng.fork('tickets'));
  const flood = createFloodModel(clock, places, params.flood, rng.fork('flood'), tickets, riverNames);
  const forest = createForestModel(clock, places, params.patrols, rng.fork('forest'), flood.districtRain);
  const property = createPropertyModel(
    clock,
    geo.layers.property.features.map((f) => ({
      props: f.properties,
      townName: places.towns.get(f.properties.townId)?.name ?? '',
    })),
    params.property,
    rng.fork('property'),
  );
  // Start order fixes the order of same-second actions: flood first (so the district response precedes the
  // first storm tickets), then tickets, then patrols, then the month's property scores.
  flood.start();
  tickets.start();
  forest.start();
  property.start();

  let now = start;
  const counts = Object.fromEntries(KIND.map((k) => [k, 0])) as Record<EventKind, number>;

  function handOut(n: number): OpsEvent[] {
    const out = clock.pending.splice(0, n);
    const events = out.map((e) => {
      counts[e.event.kind]++;
      return e.event;
    });
    if (out.length > 0) now = Math.max(now, out[out.length - 1]!.t);
    return events;
  }

  return {
    runId,
    scenario,
    seed,
    start,
    speed,
    params,
    get now() {
      return now;
    },
    next(untilSimMs) {
      // The processes never run dry (arrivals, readings and day plans reschedule themselves), so an
      // unbounded call would never return.
      if (!Number.isFinite(untilSimMs)) throw new Error('Simulator.next: untilSimMs must be a finite epoch ms');
      while (clock.nextAt <= untilSimMs) clock.step();
      // Left over from take(): only those due; everything emitted by the loop above is due.
      let n = 0;
      while (n < clock.pending.length && clock.pending[n]!.t <= untilSimMs) n++;
      const events = handOut(n);
      now = Math.max(now, untilSimMs);
      return events;
    },
    take(count, untilSimMs = Infinity) {
      while (clock.pending.length < count && clock.nextAt <= untilSimMs) clock.step();
      let n = 0;
      while (n < count && n < clock.pending.length && clock.pending[n]!.t <= untilSimMs) n++;
      const events = handOut(n);
      if (n < count && Number.isFinite(untilSimMs)) now = Math.max(now, untilSimMs);
      return events;
    },
    counts: () => ({ ...counts }),
  };
}
