// 履约评价 in the simulator: every property district gets a score a month, posted on the 3rd of the month after;
// a run starts with the last six months already scored, and a month's score is the same whenever a run makes it.
import { beforeAll, describe, expect, it } from 'vitest';
import type { EventOf, OpsEvent } from '../../server/contract/events';
import { loadGeo, type Geo } from '../../server/geo/load';
import { createSimulator } from '../../server/sim/engine';
import { GEO_DIR } from '../helpers/paths';

const DAY = 86_400_000;
const only = { tickets: { enabled: false }, patrols: { enabled: false }, flood: { enabled: false } } as const;
const scores = (list: OpsEvent[]) =>
  list.filter((e): e is EventOf<'property.assessed'> => e.kind === 'property.assessed');

let geo: Geo;
beforeAll(async () => {
  geo = await loadGeo(GEO_DIR);
});

describe('monthly property scores', () => {
  it('starts with six months on record and posts the next month on the 3rd at 10:00', () => {
    // 20 July: June's score was posted on 3 July, so January … June are on record.
    const start = Date.parse('2025-07-20T08:00:00+08:00');
    const events = scores(
      createSimulator({ geo, scenario: 'normal', seed: 1, start, tune: only }).next(start + 20 * DAY),
    );
    const districts = geo.layers.property.features.length;
    const byMonth = new Map<string, EventOf<'property.assessed'>[]>();
    for (const e of events) byMonth.set(e.month, [...(byMonth.get(e.month) ?? []), e]);
    expect([...byMonth.keys()]).toEqual(['2025-01', '2025-02', '2025-03', '2025-04', '2025-05', '2025-06', '2025-07']);
    for (const list of byMonth.values()) expect(new Set(list.map((e) => e.propertyId)).size).toBe(districts);
    expect(new Set(byMonth.get('2025-06')!.map((e) => e.time))).toEqual(new Set(['2025-07-20T08:00:00+08:00']));
    expect(new Set(byMonth.get('2025-07')!.map((e) => e.time))).toEqual(new Set(['2025-08-03T10:00:00+08:00']));
    for (const e of events) {
      expect(e.score).toBeGreaterThanOrEqual(50);
      expect(e.score).toBeLessThanOrEqual(100);
      expect(e.by).toMatch(/物业管理办公室$/);
    }
    // Around each district's standing (the layer's score), not a coin toss: within a few points on average.
    const standing = new Map(geo.layers.property.features.map((f) => [f.properties.id, f.properties.score]));
    const gap = events.reduce((s, e) => s + Math.abs(e.score - standing.get(e.propertyId)!), 0) / events.length;
    expect(gap).toBeGreaterThan(0.5);
    expect(gap).toBeLessThan(4);
  });

  it('gives a month the same score whenever the run starts, and on the 2nd the month before is not yet scored', () => {
    const early = Date.parse('2025-07-02T12:00:00+08:00');
    const later = Date.parse('2025-07-25T12:00:00+08:00');
    const a = scores(createSimulator({ geo, scenario: 'normal', seed: 1, start: early, tune: only }).next(early + DAY));
    const b = scores(createSimulator({ geo, scenario: 'normal', seed: 1, start: later, tune: only }).next(later));
    expect(a.some((e) => e.month === '2025-06')).toBe(true); // posted on 3 July, inside the first run
    expect(a.filter((e) => e.time === '2025-07-02T12:00:00+08:00').every((e) => e.month <= '2025-05')).toBe(true);
    const key = (e: EventOf<'property.assessed'>) => `${e.propertyId}|${e.month}`;
    const scoreB = new Map(b.map((e) => [key(e), e.score]));
    const shared = a.filter((e) => scoreB.has(key(e)));
    expect(shared.length).toBeGreaterThan(geo.layers.property.features.length * 4);
    for (const e of shared) expect(e.score).toBe(scoreB.get(key(e)));
  });
});
