// The real-time driver: speed × real time = simulated time, batches per tick, pause / resume without a jump,
// a clock that stops at notAfter, the load mode's rate, and a sink error that stops the run.
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { OpsEvent } from '../../server/contract/events';
import { loadGeo, type Geo } from '../../server/geo/load';
import { runSimulator } from '../../server/sim/driver';
import { createSimulator } from '../../server/sim/engine';
import { GEO_DIR } from '../helpers/paths';

const START = Date.parse('2025-04-15T08:00:00+08:00');
let geo: Geo;
beforeAll(async () => {
  geo = await loadGeo(GEO_DIR);
});
afterEach(() => {
  vi.useRealTimers();
});

const simulator = (speed = 60) => createSimulator({ geo, scenario: 'normal', seed: 1, start: START, speed });

describe('runSimulator', () => {
  it('advances 60 simulated seconds per real second at speed 60 (fake timers)', async () => {
    vi.useFakeTimers({ now: Date.parse('2030-01-01T00:00:00Z') });
    const sim = simulator(60);
    const batches: OpsEvent[][] = [];
    const driver = runSimulator({
      simulator: sim,
      sink: async (events) => void batches.push(events),
      tickMs: 1000,
      maxBatch: 200,
    });
    await vi.advanceTimersByTimeAsync(10_000);
    expect(sim.now - START).toBe(600_000);
    await vi.advanceTimersByTimeAsync(50_000);
    expect(sim.now - START).toBe(3_600_000);
    await driver.stop();
    await driver.done;
    const events = batches.flat();
    expect(events.length).toBeGreaterThan(100);
    expect(driver.sent).toBe(events.length);
    expect(batches.every((b) => b.length <= 200)).toBe(true);
    expect(events.every((e) => Date.parse(e.time) <= START + 3_600_000)).toBe(true);
    // Exactly what the simulator makes on its own for that hour: the driver loses and reorders nothing.
    expect(events.map((e) => e.id)).toEqual(
      simulator()
        .next(START + 3_600_000)
        .map((e) => e.id),
    );
  });

  it("takes the simulator's speed unless told otherwise, and pauses without a jump", async () => {
    vi.useFakeTimers({ now: Date.parse('2030-01-01T00:00:00Z') });
    const sim = simulator(120);
    const driver = runSimulator({ simulator: sim, sink: async () => {} });
    await vi.advanceTimersByTimeAsync(5_000);
    expect(sim.now - START).toBe(600_000);
    await driver.pause();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(sim.now - START).toBe(600_000);
    driver.start();
    await vi.advanceTimersByTimeAsync(5_000);
    expect(sim.now - START).toBe(1_200_000);
    await driver.stop();
  });

  it('never runs the simulated clock past notAfter, and ends by itself at until', async () => {
    vi.useFakeTimers({ now: Date.parse('2030-01-01T00:00:00Z') });
    const sim = simulator(3600);
    let wall = START + 1_800_000;
    const driver = runSimulator({
      simulator: sim,
      sink: async () => {},
      notAfter: () => wall,
      until: START + 3_600_000,
    });
    await vi.advanceTimersByTimeAsync(10_000);
    expect(sim.now).toBe(START + 1_800_000);
    wall = START + 10 * 3_600_000;
    await vi.advanceTimersByTimeAsync(10_000);
    expect(sim.now).toBe(START + 3_600_000);
    await expect(driver.done).resolves.toBeUndefined();
    expect(driver.running).toBe(false);
  });

  it('in load mode hands over about rate events per second, whatever simulated time that takes', async () => {
    vi.useFakeTimers({ now: Date.parse('2030-01-01T00:00:00Z') });
    const sim = simulator();
    let n = 0;
    const driver = runSimulator({
      simulator: sim,
      sink: async (events) => void (n += events.length),
      rate: 2000,
      tickMs: 100,
    });
    await vi.advanceTimersByTimeAsync(5_000);
    await driver.stop();
    expect(n).toBeGreaterThan(9_000);
    expect(n).toBeLessThanOrEqual(10_000);
  });

  it('stops and rejects done when the sink fails', async () => {
    vi.useFakeTimers({ now: Date.parse('2030-01-01T00:00:00Z') });
    const driver = runSimulator({ simulator: simulator(), sink: async () => Promise.reject(new Error('ingest down')) });
    await vi.advanceTimersByTimeAsync(3_000);
    await expect(driver.done).rejects.toThrow('ingest down');
    expect(driver.running).toBe(false);
  });

  it('keeps to speed on the real clock too (a short real run)', async () => {
    const sim = simulator(600);
    const began = Date.now();
    const driver = runSimulator({ simulator: sim, sink: async () => {}, tickMs: 50 });
    await new Promise((r) => setTimeout(r, 1_000));
    await driver.stop();
    const realS = (Date.now() - began) / 1000;
    const simS = (sim.now - START) / 1000;
    expect(simS / realS).toBeGreaterThan(600 * 0.8);
    expect(simS / realS).toBeLessThan(600 * 1.1);
  });
});
