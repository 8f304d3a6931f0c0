// Every scenario over a day of simulated time (fire-season over half a day): what the engine hands out is
// valid under the contract, in time order, inside the window, with ids unique per source and realistic
// sources. A day is tens to hundreds of thousands of events, so this lives here rather than with the unit
// tests of the engine (tests/unit/sim-engine.test.ts).
import { beforeAll, describe, expect, it } from 'vitest';
import { validateEvent, type OpsEvent } from '../../server/contract/events';
import { loadGeo, type Geo } from '../../server/geo/load';
import { createSimulator, defaultRunId } from '../../server/sim/engine';
import { SCENARIO_NAMES } from '../../server/sim/scenarios';
import { GEO_DIR } from '../helpers/paths';

const HOUR = 3_600_000;

let geo: Geo;
beforeAll(async () => {
  geo = await loadGeo(GEO_DIR);
});

const TICKET_SOURCES = ['hotline_12345', 'wechat', 'grid_worker', 'courier_app', 'walk_in'];

/** The source an event of this kind may carry: null when it is right. */
function wrongSource(e: OpsEvent): string | null {
  const ok =
    e.kind === 'ticket.created'
      ? e.source === e.channel
      : e.kind.startsWith('ticket.')
        ? TICKET_SOURCES.includes(e.source)
        : e.kind === 'flood.reading'
          ? e.source === 'sensor'
          : e.kind.startsWith('patrol.')
            ? e.source === 'ranger_app'
            : e.source === 'simulator';
  return ok ? null : `${e.kind} ${e.id} from ${e.source}`;
}

describe.each(SCENARIO_NAMES)('scenario %s', (scenario) => {
  // A full day for normal and rainstorm; fire-season's day holds ~250k positions, half a day proves the point.
  const hours = scenario === 'fire-season' ? 14 : 24;
  const start = Date.parse('2025-07-20T00:00:00+08:00');
  let events: OpsEvent[];
  beforeAll(() => {
    events = createSimulator({ geo, scenario, seed: 1, start }).next(start + hours * HOUR);
  });

  it('produces only events that pass validateEvent', () => {
    expect(events.length).toBeGreaterThan(10_000);
    const bad = events.map((e) => ({ e, v: validateEvent(e) })).filter((x) => !x.v.ok);
    expect(bad.slice(0, 3)).toEqual([]);
  });

  it('hands events out in time order, inside the window, with ids unique per source', () => {
    // One check per event, one assertion at the end: the first event out of order, with the one before it.
    let last = -Infinity;
    let outOfOrder: string | null = null;
    const keys = new Set<string>();
    for (const [i, e] of events.entries()) {
      const t = Date.parse(e.time);
      if (t < last && outOfOrder === null)
        outOfOrder = `${events[i - 1]!.time} ${events[i - 1]!.id} → ${e.time} ${e.id}`;
      last = Math.max(last, t);
      keys.add(`${e.source}|${e.id}`);
    }
    expect(outOfOrder, 'the first event earlier than the one before it').toBeNull();
    expect(Date.parse(events[0]!.time)).toBeGreaterThanOrEqual(start);
    expect(last).toBeLessThanOrEqual(start + hours * HOUR);
    expect(keys.size).toBe(events.length);
    // Every event says it was simulated, and by which run.
    expect(events.every((e) => e.meta?.sim === defaultRunId(scenario, 1, start))).toBe(true);
  });

  it('uses realistic sources: tickets by their channel, gauges as sensors, rangers by their app', () => {
    const wrong = events.map(wrongSource).filter((w) => w !== null);
    expect(wrong.slice(0, 5), `${wrong.length} events with a source their kind never has`).toEqual([]);
  });
});
