// A checkpoint's gauge: the level and the four thresholds on one bar, and the room left to the next colour.
import { describe, expect, it } from 'vitest';
import { gauge } from '../../client/panels/gauge';

const CP = { baseLevel: 10, guaranteedLevel: 20, thresholds: { blue: 14, yellow: 16, orange: 18, red: 19 } };

describe('gauge', () => {
  it('places thresholds in order from the dry-season level up, with headroom above the guaranteed level', () => {
    const g = gauge(CP, 15);
    expect(g.min).toBe(10);
    expect(g.max).toBeCloseTo(21);
    expect(g.marks.map((m) => m.color)).toEqual(['blue', 'yellow', 'orange', 'red']);
    const at = g.marks.map((m) => m.at);
    expect([...at].sort((a, b) => a - b)).toEqual(at);
    expect(g.level).toBeCloseTo(5 / 11);
  });

  it('says how far the next colour is, and nothing at red or without a reading', () => {
    expect(gauge(CP, 15).next).toEqual({ color: 'yellow', metres: 1 });
    expect(gauge(CP, 19.5).next).toBeNull();
    expect(gauge(CP, null)).toMatchObject({ level: null, next: null });
  });

  it('keeps a level beyond the scale on the bar', () => {
    const flooded = gauge(CP, 23);
    expect(flooded.level).toBeLessThan(1);
    expect(flooded.level).toBeGreaterThan(0.9);
    expect(gauge(CP, 8).level).toBe(0);
  });
});
