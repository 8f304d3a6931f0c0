// Flood checkpoints: quiet readings in `normal`; in `rainstorm` a crest that travels down each river,
// thresholds crossed, responses raised and lifted, 碍洪点 cleared, and waterlogging tickets near the trouble.
import { beforeAll, describe, expect, it } from 'vitest';
import type { CheckpointProps } from '../../server/contract/areas';
import type { EventOf, OpsEvent } from '../../server/contract/events';
import { loadGeo, type Geo } from '../../server/geo/load';
import { createSimulator } from '../../server/sim/engine';
import { distanceM } from '../../server/sim/shapes';
import { GEO_DIR } from '../helpers/paths';

const HOUR = 3_600_000;
const START = Date.parse('2025-07-20T06:00:00+08:00');
const noPatrols = { patrols: { enabled: false } } as const;
const kind = <K extends OpsEvent['kind']>(list: OpsEvent[], k: K) => list.filter((e): e is EventOf<K> => e.kind === k);

let geo: Geo;
let checkpoints: CheckpointProps[];
let storm: OpsEvent[];
let calm: OpsEvent[];

const colorRank = (cp: CheckpointProps, level: number): number => {
  const t = cp.thresholds;
  return level >= t.red ? 4 : level >= t.orange ? 3 : level >= t.yellow ? 2 : level >= t.blue ? 1 : 0;
};

beforeAll(async () => {
  geo = await loadGeo(GEO_DIR);
  checkpoints = geo.layers.checkpoints.features.map((f) => f.properties);
  storm = createSimulator({ geo, scenario: 'rainstorm', seed: 1, start: START, tune: noPatrols }).next(
    START + 36 * HOUR,
  );
  calm = createSimulator({ geo, scenario: 'normal', seed: 1, start: START, tune: noPatrols }).next(START + 36 * HOUR);
});

describe('normal flood readings', () => {
  it('reads every checkpoint every 10 minutes, near its base level, with rain mostly 0', () => {
    const readings = kind(calm, 'flood.reading');
    for (const cp of checkpoints) {
      const mine = readings.filter((r) => r.checkpointId === cp.id);
      // Both ends of the window are on a 10-minute mark; checkpoints report a few seconds apart, so the last
      // mark's reading falls inside the window for the first checkpoint only.
      expect(mine.length).toBeGreaterThanOrEqual(36 * 6);
      expect(mine.length).toBeLessThanOrEqual(36 * 6 + 1);
      for (let i = 1; i < mine.length; i++)
        expect(Date.parse(mine[i]!.time) - Date.parse(mine[i - 1]!.time)).toBe(600_000);
      for (const r of mine) {
        expect(Math.abs(r.level - cp.baseLevel)).toBeLessThan(0.5);
        expect(colorRank(cp, r.level)).toBe(0);
      }
    }
    expect(readings.filter((r) => r.rainfall === 0).length / readings.length).toBeGreaterThan(0.9);
    expect(kind(calm, 'flood.response')).toEqual([]);
  });

  it('inspects checkpoints in the flood season and states each 碍洪点', () => {
    expect(kind(calm, 'flood.inspection').length).toBeGreaterThanOrEqual(checkpoints.length);
    const obstructions = checkpoints
      .filter((c) => c.kind === 'obstruction')
      .map((c) => c.id)
      .sort();
    expect([...new Set(kind(calm, 'flood.obstruction').map((e) => e.checkpointId))].sort()).toEqual(obstructions);
  });
});

describe('rainstorm', () => {
  const peakOf = (id: string): { t: number; level: number } => {
    const mine = kind(storm, 'flood.reading').filter((r) => r.checkpointId === id);
    const top = mine.reduce((a, b) => (b.level > a.level ? b : a));
    return { t: Date.parse(top.time), level: top.level };
  };

  it('rains hard, then stops', () => {
    const rain = kind(storm, 'flood.reading').map((r) => r.rainfall ?? 0);
    expect(Math.max(...rain)).toBeGreaterThan(30);
    const late = kind(storm, 'flood.reading').filter((r) => Date.parse(r.time) > START + 30 * HOUR);
    expect(Math.max(...late.map((r) => r.rainfall ?? 0))).toBeLessThan(1);
  });

  it('crests later downstream than upstream on the same river', () => {
    const rivers = new Map<string, CheckpointProps[]>();
    for (const cp of checkpoints) rivers.set(cp.riverId, [...(rivers.get(cp.riverId) ?? []), cp]);
    let pairs = 0;
    for (const [river, list] of rivers) {
      const ordered = [...list].sort((a, b) => a.riverKm - b.riverKm);
      for (let i = 1; i < ordered.length; i++) {
        const up = peakOf(ordered[i - 1]!.id);
        const down = peakOf(ordered[i]!.id);
        expect(down.t, `${river}: ${ordered[i]!.id} vs ${ordered[i - 1]!.id}`).toBeGreaterThan(up.t);
        pairs++;
      }
    }
    expect(pairs).toBeGreaterThan(10);
  });

  it('drives some checkpoints to yellow or above and raises river responses, later lifted', () => {
    const worst = checkpoints.map((cp) => colorRank(cp, peakOf(cp.id).level));
    expect(worst.filter((r) => r >= 2).length).toBeGreaterThanOrEqual(3);
    expect(worst.some((r) => r < 2)).toBe(true); // not everything floods
    const responses = kind(storm, 'flood.response');
    expect(responses.some((r) => r.riverId && ['III', 'II', 'I'].includes(r.level))).toBe(true);
    expect(responses.some((r) => !r.riverId && r.level === 'IV')).toBe(true);
    const last = new Map<string, string>();
    for (const r of responses) last.set(r.riverId ?? 'district', r.level);
    expect([...last.values()].every((l) => l === 'none')).toBe(true);
  });

  it('moves the 碍洪点 from pending through clearing to cleared', () => {
    const obstruction = kind(storm, 'flood.obstruction');
    const statuses = (id: string) => obstruction.filter((e) => e.checkpointId === id).map((e) => e.status);
    const changed = checkpoints
      .filter((c) => c.kind === 'obstruction')
      .map((c) => statuses(c.id))
      .filter((s) => s.length > 1);
    expect(changed.length).toBeGreaterThanOrEqual(2);
    for (const s of changed) expect(s).toEqual(['pending', 'clearing', 'cleared']);
  });

  it('inspects checkpoints in warning more often', () => {
    expect(kind(storm, 'flood.inspection').length).toBeGreaterThan(2 * kind(calm, 'flood.inspection').length);
  });

  it('brings waterlogging tickets, many of them near checkpoints in warning', () => {
    const wet = kind(storm, 'ticket.created').filter((e) => e.category === 'waterlogging');
    const dry = kind(calm, 'ticket.created').filter((e) => e.category === 'waterlogging');
    expect(wet.length).toBeGreaterThan(5 * Math.max(1, dry.length));
    const hot = geo.layers.checkpoints.features.filter(
      (f) => colorRank(f.properties, peakOf(f.properties.id).level) >= 2,
    );
    const near = wet.filter((e) =>
      hot.some((f) => distanceM([e.location.lon, e.location.lat], f.geometry.coordinates as [number, number]) < 3000),
    );
    expect(near.length).toBeGreaterThan(wet.length * 0.2);
  });
});
