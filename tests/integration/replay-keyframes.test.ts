// A replay starts from the newest keyframe taken at or before its moment and folds only the log after it; what it
// shows is exactly what a replay that folds the log from its start shows, at the moment and as it plays on.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../server/app';
import type { ProjectionHost } from '../../server/live/host';
import { ReplaySession, type ReplayDeps } from '../../server/replay/session';
import { createSimulator } from '../../server/sim/engine';
import { createRng } from '../../server/sim/prng';
import { testApp } from '../helpers/app';
import { livedHost } from '../helpers/lived-host';
import { DISTRICT } from '../helpers/auth';

const HOUR = 3_600_000;
const START = Date.parse('2026-07-20T00:00:00+08:00');
const HOURS = 30;
const PART = 'live';

let app: App;
let host: ProjectionHost;
let clock = START;
const written: { seq: number; takenMs: number }[] = [];

beforeAll(async () => {
  app = await testApp({}, { now: () => clock });
  const { geo, store, bus } = app.services;
  // A server that lives through the hours: its own live state, keyframes every six hours of its clock.
  ({ host } = livedHost({ geo, store, bus, now: () => clock, version: 'replay-test' }));
  await host.start();
  const sim = createSimulator({ geo, scenario: 'rainstorm', seed: 4, start: START });
  for (let h = 1; h <= HOURS; h++) {
    clock = START + h * HOUR;
    await app.services.accept(sim.next(clock));
    host.tick();
    if (h % 6 === 0) {
      await host.writeKeyframe('midnight');
      written.push({ seq: (await store.keyframes!.latest())!.seq, takenMs: clock });
    }
  }
}, 180_000);

afterAll(async () => {
  await host.close();
  await app.close();
});

describe('a replay from keyframes', () => {
  it('shows at any moment what a replay from the log start shows, and plays on the same', async () => {
    expect(written.length).toBe(5);
    const deps: ReplayDeps = { geo: app.services.geo, store: app.services.store, live: {} };
    const withKeyframes: ReplayDeps = {
      ...deps,
      keyframes: { store: app.services.store.keyframes!, version: 'replay-test', part: PART },
    };
    const rng = createRng('replay-moments');
    const moments = [START + 6 * HOUR, ...Array.from({ length: 4 }, () => START + (7 + rng.next() * 22) * HOUR)];
    for (const at of moments) {
      const window = { scope: DISTRICT, fromMs: START, toMs: START + HOURS * HOUR, atMs: at };
      const fromLog = await ReplaySession.open(deps, window);
      const fromKeyframe = await ReplaySession.open(withKeyframes, window);
      expect(fromKeyframe.seq).toBe(fromLog.seq);
      expect(fromKeyframe.snapshot()).toEqual(fromLog.snapshot());
      // Twenty minutes on: the same delta.
      expect(await fromKeyframe.moveTo(at + 20 * 60_000)).toEqual(await fromLog.moveTo(at + 20 * 60_000));
      expect(fromKeyframe.snapshot()).toEqual(fromLog.snapshot());
    }
  });

  it('folds only the log after the keyframe it starts from', async () => {
    const { store } = app.services;
    const reads: number[] = [];
    const counting: ReplayDeps = {
      geo: app.services.geo,
      store: { ...store, read: (after, limit) => (reads.push(after), store.read(after, limit)) },
      live: {},
      keyframes: { store: store.keyframes!, version: 'replay-test', part: PART },
    };
    const kf = written[2]!;
    await ReplaySession.open(counting, {
      scope: DISTRICT,
      fromMs: START,
      toMs: START + HOURS * HOUR,
      atMs: kf.takenMs + 30 * 60_000,
    });
    expect(reads[0]).toBe(kf.seq);
    // A keyframe of another code version is not used: the replay folds from the start.
    reads.length = 0;
    await ReplaySession.open(
      { ...counting, keyframes: { ...counting.keyframes!, version: 'another' } },
      { scope: DISTRICT, fromMs: START, toMs: START + HOURS * HOUR, atMs: kf.takenMs + 30 * 60_000 },
    );
    expect(reads[0]).toBe(0);
  });
});
