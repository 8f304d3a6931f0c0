// SIM_SPEED: the time-lapse setting is validated at start, and its clock moves `speed` ms per real ms.
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../server/config';
import { timeLapseClock } from '../../server/sim/embedded';

describe('SIM_SPEED', () => {
  it('defaults to real time and accepts 1–100', () => {
    expect(loadConfig({}).simulator.speed).toBe(1);
    expect(loadConfig({ SIM_SPEED: '10' }).simulator.speed).toBe(10);
    expect(loadConfig({ SIM_SPEED: '2.5' }).simulator.speed).toBe(2.5);
  });

  it('rejects a speed below real time, above 100, or not a number, naming the variable', () => {
    for (const bad of ['0.5', '0', '101', 'fast']) {
      expect(() => loadConfig({ SIM_SPEED: bad })).toThrow(ConfigError);
      expect(() => loadConfig({ SIM_SPEED: bad })).toThrow(/SIM_SPEED/);
    }
  });

  it('the time-lapse clock starts at the real time and runs `speed` times as fast', () => {
    let real = 1_000_000;
    const clock = timeLapseClock(10, () => real);
    expect(clock()).toBe(1_000_000);
    real += 1500;
    expect(clock()).toBe(1_015_000);
    const same = () => real;
    expect(timeLapseClock(1, same)).toBe(same);
    expect(() => timeLapseClock(0.5, same)).toThrow();
  });
});
