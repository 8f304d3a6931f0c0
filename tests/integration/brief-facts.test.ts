// The brief's day-end facts (reports/brief-facts.ts): a server living through ten and a half simulated days
// records each day at its midnight; the brief of any day whose week it holds, built from those facts without
// folding anything, is the brief the replay of the log makes (reports/brief.ts) for the district and every town.
// The same after a restart from a keyframe whose tail crosses a midnight, and after a start that folds the
// whole log. (The test app's own fold is not compared: its clock ticks on a real-time timer, which may pass a
// simulated midnight before that hour's events are accepted, and the facts then leave those events out by design.)
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../server/app';
import type { AreaKey } from '../../server/contract/areas';
import type { Brief } from '../../server/contract/brief';
import { localDay } from '../../server/contract/time';
import type { ProjectionHost } from '../../server/live/host';
import { computeBriefs } from '../../server/reports/brief';
import type { BriefFacts } from '../../server/reports/brief-facts';
import { createSimulator } from '../../server/sim/engine';
import { testApp } from '../helpers/app';
import { livedHost } from '../helpers/lived-host';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const START = Date.parse('2026-07-10T00:00:00+08:00');
const HOURS = 10.5 * 24;
const VERSION = 'brief-facts-test';
/** The second storm: its rain starts two hours after this, on the last whole day but one. */
const STORM = START + 8 * DAY + 6 * HOUR;

let app: App;
let host: ProjectionHost;
let facts: BriefFacts;
let clock = START;
/** The three last whole days: the first of them is the first whose week (from START's day) is all recorded. */
const DAYS = [localDay(START + 7 * DAY), localDay(START + 8 * DAY), localDay(START + 9 * DAY)];
const fromLog = new Map<number, Map<AreaKey, Brief>>();

beforeAll(async () => {
  app = await testApp({}, { now: () => clock });
  const { geo, store, bus } = app.services;
  ({ host, facts } = livedHost({ geo, store, bus, now: () => clock, version: VERSION, facts: true }) as {
    host: ProjectionHost;
    facts: BriefFacts;
  });
  await host.start();
  // Thin before the last two and a half days (every ticket, no GPS tracks), so the test folds ~150k events.
  const sim = createSimulator({ geo, scenario: 'rainstorm', seed: 4, start: START, detailFrom: START + 8 * DAY });
  // A second storm on the brief's days, from a simulator of its own: its flood events (readings that warn,
  // responses) in place of the first one's from then on.
  const storm = createSimulator({ geo, scenario: 'rainstorm', seed: 7, start: STORM });
  const flood = (e: { kind: string }) => e.kind.startsWith('flood.');
  for (let h = 1; h <= HOURS; h++) {
    clock = START + h * HOUR;
    const events = sim.next(clock);
    await app.services.accept(
      clock <= STORM
        ? events
        : [
            ...events.filter((e) => !flood(e)),
            ...storm
              .next(clock)
              .filter(flood)
              .map((e) => ({ ...e, id: `storm-${e.id}` })),
          ],
    );
    await app.services.rules.idle();
    host.tick();
    // A keyframe at each local midnight but the last: a restart then folds a tail that crosses a midnight.
    if (localDay(clock) !== localDay(clock - HOUR) && clock < START + 10 * DAY) await host.writeKeyframe('midnight');
  }
  for (const day of DAYS)
    fromLog.set(day, await computeBriefs(geo, {}, { scan: store.scan.bind(store) }, day, clock, 'on-demand'));
}, 600_000);

afterAll(async () => {
  await host.close();
  await app.close();
});

function expectSame(made: Map<AreaKey, Brief> | undefined, day: number): void {
  const expected = fromLog.get(day)!;
  expect(made, `facts of the week of day ${day}`).toBeDefined();
  expect([...made!.keys()]).toEqual([...expected.keys()]);
  for (const [area, brief] of expected) expect(made!.get(area), `${area} ${brief.date}`).toEqual(brief);
}

describe('the brief from the day-end facts', () => {
  it('equals the brief the replay of the log makes, for the district and every town, on each day', () => {
    expect(facts.days).toContain(DAYS[0]! - 7);
    for (const day of DAYS) expectSame(facts.briefs(day, clock, 'on-demand'), day);
    // The simulated days have something in every section the facts hold.
    const district = DAYS.map((d) => fromLog.get(d)!.get(app.services.geo.tree.root as AreaKey)!);
    expect(district.every((b) => b.tickets.day.created > 0 && (b.tickets.day.supervised ?? 0) > 0)).toBe(true);
    expect(district.every((b) => b.alerts.raised > 0 && b.overdue.total > 0)).toBe(true);
    // Alerts resolved more than a day before the briefs are made, which the app's alert book has forgotten.
    expect(district[0]!.alerts.items.some((a) => a.status === 'resolved')).toBe(true);
    expect(district[1]!.flood.checkpoints.length).toBeGreaterThan(0);
    expect(district[1]!.flood.responses.length).toBeGreaterThan(0);
  });

  it("builds a brief in the log's first week, whose week reaches back before the log, as the replay does", async () => {
    const { geo, store } = app.services;
    const day = DAYS[0]! - 2;
    const log = { scan: store.scan.bind(store) };
    fromLog.set(day, await computeBriefs(geo, {}, log, day, clock, 'on-demand'));
    expectSame(facts.briefs(day, clock, 'on-demand'), day);
  });

  it('holds no brief of a day not over yet (the caller folds the log instead)', () => {
    expect(facts.briefs(localDay(clock), clock, 'on-demand')).toBeUndefined();
  });

  it('is the same after a restart from a keyframe and the tail after it, across a midnight', async () => {
    const { geo, store, bus } = app.services;
    const restarted = livedHost({ geo, store, bus, now: () => clock, version: VERSION, facts: true });
    const start = await restarted.host.start();
    await restarted.host.close();
    expect(start.keyframe?.takenMs).toBeLessThan(START + 10 * DAY);
    expect(start.events).toBeGreaterThan(0);
    for (const day of DAYS) expectSame(restarted.facts!.briefs(day, clock, 'on-demand'), day);
  });

  it('is the same after a start that folds the whole log', async () => {
    const { geo, store, bus } = app.services;
    const fresh = livedHost({ geo, store, bus, now: () => clock, version: `${VERSION}-other`, facts: true });
    const start = await fresh.host.start();
    await fresh.host.close();
    expect(start.keyframe).toBeNull();
    for (const day of DAYS) expectSame(fresh.facts!.briefs(day, clock, 'on-demand'), day);
  });

  it("is what computeBriefs answers when the facts hold the day's week, without reading the log", async () => {
    const { geo, store } = app.services;
    // The app's own rules may have appended alert events since: the replay reads the log as it is now.
    fromLog.set(DAYS[1]!, await computeBriefs(geo, {}, { scan: store.scan.bind(store) }, DAYS[1]!, clock, 'on-demand'));
    const refused = {
      scan: () => Promise.reject(new Error('the log must not be read for a recorded week')),
    };
    const made = await computeBriefs(geo, {}, refused, DAYS[1]!, clock, 'on-demand', undefined, facts);
    expectSame(made, DAYS[1]!);
  });
});
