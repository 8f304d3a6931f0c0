// Forest patrols over a day of each scenario: fire-season puts more rangers out and finds more fire risks than
// normal. A day of fire-season is some 250k positions, so this lives here rather than with the unit tests of
// the patrols (tests/unit/sim-forest.test.ts).
import { beforeAll, describe, expect, it } from 'vitest';
import type { EventOf, OpsEvent } from '../../server/contract/events';
import { loadGeo } from '../../server/geo/load';
import { createSimulator } from '../../server/sim/engine';
import { GEO_DIR } from '../helpers/paths';

const DAY = 86_400_000;
const START = Date.parse('2025-04-01T00:00:00+08:00');
const patrolsOnly = { tickets: { enabled: false }, flood: { enabled: false } } as const;
const kind = <K extends OpsEvent['kind']>(list: OpsEvent[], k: K) => list.filter((e): e is EventOf<K> => e.kind === k);

let normal: OpsEvent[];
let fire: OpsEvent[];

beforeAll(async () => {
  const geo = await loadGeo(GEO_DIR);
  normal = createSimulator({ geo, scenario: 'normal', seed: 1, start: START, tune: patrolsOnly }).next(START + DAY);
  fire = createSimulator({ geo, scenario: 'fire-season', seed: 1, start: START, tune: patrolsOnly }).next(START + DAY);
});

describe('forest patrols', () => {
  it('puts more rangers out and finds more fire risks in fire-season than in normal', () => {
    const rangers = (list: OpsEvent[]) => new Set(kind(list, 'patrol.started').map((e) => e.rangerId)).size;
    expect(rangers(fire)).toBeGreaterThan(1.5 * rangers(normal));
    const fireRisks = (list: OpsEvent[]) => kind(list, 'patrol.incident').filter((e) => e.type === 'fire_risk').length;
    expect(fireRisks(fire)).toBeGreaterThan(fireRisks(normal));
    expect(fireRisks(fire)).toBeGreaterThanOrEqual(3);
    expect(new Set(kind(fire, 'patrol.incident').map((e) => e.type)).size).toBeGreaterThan(1); // and a few others
  });
});
