// The brief of a past day (and the export of a past window) starts from the newest keyframe taken before its first day (the week before it) and
// folds only the log after it; the brief is the same as one folded from the log's start.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../server/app';
import { localDay } from '../../server/contract/time';
import type { AreaKey } from '../../server/contract/areas';
import { windowAggregates } from '../../server/reports/export-aggregates';
import { computeBriefs, type BriefKeyframes } from '../../server/reports/brief';
import type { ProjectionHost } from '../../server/live/host';
import { createSimulator } from '../../server/sim/engine';
import { testApp } from '../helpers/app';
import { livedHost } from '../helpers/lived-host';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const START = Date.parse('2026-07-10T00:00:00+08:00');
const HOURS = 9.5 * 24;
const VERSION = 'brief-test';

let app: App;
let host: ProjectionHost;
let clock = START;

beforeAll(async () => {
  app = await testApp({}, { now: () => clock });
  const { geo, store, bus } = app.services;
  // A server that lives through nine and a half days and keeps a keyframe at each local midnight.
  ({ host } = livedHost({ geo, store, bus, now: () => clock, version: VERSION, alerts: true }));
  await host.start();
  // Thin before the last day and a half (every ticket, no GPS tracks), so the test folds ~90k events, not ~700k.
  const sim = createSimulator({ geo, scenario: 'rainstorm', seed: 4, start: START, detailFrom: START + 8 * DAY });
  for (let h = 1; h <= HOURS; h++) {
    clock = START + h * HOUR;
    await app.services.accept(sim.next(clock));
    await app.services.rules.idle();
    host.tick(); // at local midnight this writes the day's keyframe; wait for it
    if (localDay(clock) !== localDay(clock - HOUR)) await host.writeKeyframe('midnight');
  }
}, 300_000);

afterAll(async () => {
  await host.close();
  await app.close();
});

describe('a past brief from keyframes', () => {
  it('equals the brief folded from the log start, for the district and every town, and reads only the tail', async () => {
    const { geo, store } = app.services;
    const keyframes: BriefKeyframes = {
      store: store.keyframes!,
      version: VERSION,
      livePart: 'live',
      alertsPart: 'alerts',
      supervisionPart: 'supervision',
    };
    const scanned: number[] = [];
    const log = { scan: store.scan.bind(store) };
    const counting = {
      scan: (after: number, size: number, on: Parameters<typeof store.scan>[2]) => (
        scanned.push(after),
        store.scan(after, size, on)
      ),
    };
    for (const day of [localDay(START + 8 * DAY), localDay(START + 9 * DAY)]) {
      const fromLog = await computeBriefs(geo, {}, log, day, clock, 'on-demand');
      scanned.length = 0;
      const fromKeyframe = await computeBriefs(geo, {}, counting, day, clock, 'on-demand', keyframes);
      // The keyframe taken at the midnight that starts the week before the brief's day.
      const kf = await store.keyframes!.latest({ maxTakenMs: (day - 7) * DAY - 8 * HOUR });
      expect(kf).toBeDefined();
      expect(scanned).toEqual([kf!.seq]);
      expect([...fromKeyframe.keys()]).toEqual([...fromLog.keys()]);
      for (const [area, brief] of fromLog) expect(fromKeyframe.get(area), area).toEqual(brief);
      expect(fromLog.get(geo.tree.root as never)!.tickets.day.created).toBeGreaterThan(0);
    }
  });

  it("exports a window's aggregates from the newest keyframe before it, the same as from the log start", async () => {
    const { geo, store } = app.services;
    const scanned: number[] = [];
    const counting = {
      scan: (after: number, size: number, on: Parameters<typeof store.scan>[2]) => (
        scanned.push(after),
        store.scan(after, size, on)
      ),
    };
    const keys = [geo.tree.root as AreaKey, ...((geo.tree.children[geo.tree.root] ?? []) as AreaKey[])];
    const window = { fromMs: START + 6 * DAY + 5 * HOUR, toMs: START + 9 * DAY };
    const fromLog = await windowAggregates(store, geo, keys, window, clock, {});
    const fromKeyframe = await windowAggregates(
      counting,
      geo,
      keys,
      window,
      clock,
      {},
      {
        store: store.keyframes!,
        version: VERSION,
        part: 'live',
      },
    );
    expect(scanned).toEqual([(await store.keyframes!.latest({ maxTakenMs: window.fromMs - 1 }))!.seq]);
    expect(scanned[0]).toBeGreaterThan(0);
    expect(fromKeyframe).toEqual(fromLog);
    expect(fromLog[0]!.created).toBeGreaterThan(0);
  });
});
