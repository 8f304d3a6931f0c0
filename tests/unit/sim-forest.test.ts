// Forest patrols: rangers walk inside their own cluster on daytime shifts, a fix every ~10 s, check in at
// the cluster's patrol points, start and end each patrol. That fire-season brings more rangers and fire risks
// (a day of fire-season is some 250k positions) is in tests/integration/sim-forest.test.ts.
import * as turf from '@turf/turf';
import { beforeAll, describe, expect, it } from 'vitest';
import type { EventOf, OpsEvent } from '../../server/contract/events';
import { loadGeo, type Geo } from '../../server/geo/load';
import { beijing } from '../../server/sim/clock';
import { createSimulator } from '../../server/sim/engine';
import { GEO_DIR } from '../helpers/paths';

const DAY = 86_400_000;
const START = Date.parse('2025-04-01T00:00:00+08:00');
const patrolsOnly = { tickets: { enabled: false }, flood: { enabled: false } } as const;
const kind = <K extends OpsEvent['kind']>(list: OpsEvent[], k: K) => list.filter((e): e is EventOf<K> => e.kind === k);

let geo: Geo;
let normal: OpsEvent[];

beforeAll(async () => {
  geo = await loadGeo(GEO_DIR);
  normal = createSimulator({ geo, scenario: 'normal', seed: 1, start: START, tune: patrolsOnly }).next(START + DAY);
});

describe('forest patrols', () => {
  it('keeps every ranger inside the cluster it patrols (checked with turf)', () => {
    const clusters = new Map(geo.layers.forest.features.map((f) => [f.properties.id, f]));
    const clusterOf = new Map(kind(normal, 'patrol.started').map((e) => [e.patrolId, e.clusterId]));
    const positions = kind(normal, 'patrol.position');
    expect(positions.length).toBeGreaterThan(20_000);
    for (const p of positions) {
      const cluster = clusters.get(clusterOf.get(p.patrolId!)!);
      expect(cluster, p.patrolId).toBeDefined();
      // Every fifth fix: turf is slow, and consecutive fixes are 10 m apart.
      if (Number(p.id.split('-').pop()) % 5 === 0) {
        expect(
          turf.booleanPointInPolygon([p.location.lon, p.location.lat], cluster as never),
          `${p.rangerId} ${p.time}`,
        ).toBe(true);
      }
      expect(p.rangerId.startsWith(`rg-${clusterOf.get(p.patrolId!)}-`)).toBe(true);
    }
    for (const i of kind(normal, 'patrol.incident')) {
      expect(
        turf.booleanPointInPolygon(
          [i.location.lon, i.location.lat],
          clusters.get(clusterOf.get(i.patrolId!)!) as never,
        ),
      ).toBe(true);
    }
  });

  it('walks daytime shifts: each patrol starts, reports every ~10 s at walking pace, and ends', () => {
    const started = kind(normal, 'patrol.started');
    const ended = new Set(kind(normal, 'patrol.ended').map((e) => e.patrolId));
    expect(started.length).toBeGreaterThan(geo.layers.forest.features.length * 2);
    expect(started.every((e) => ended.has(e.patrolId))).toBe(true);
    for (const e of started) {
      const h = beijing(Date.parse(e.time)).hour;
      expect(h).toBeGreaterThanOrEqual(5);
      expect(h).toBeLessThan(19);
    }
    const byPatrol = new Map<string, EventOf<'patrol.position'>[]>();
    for (const p of kind(normal, 'patrol.position'))
      byPatrol.set(p.patrolId!, [...(byPatrol.get(p.patrolId!) ?? []), p]);
    const gaps: number[] = [];
    for (const list of byPatrol.values())
      for (let i = 1; i < list.length; i++) gaps.push(Date.parse(list[i]!.time) - Date.parse(list[i - 1]!.time));
    gaps.sort((a, b) => a - b);
    expect(gaps[Math.floor(gaps.length / 2)]).toBe(10_000);
    expect(gaps[Math.floor(gaps.length * 0.05)]).toBeGreaterThanOrEqual(9_000);
    // A few patrols lose signal for minutes: the wall's "signal lost" needs them.
    expect(gaps[gaps.length - 1]).toBeGreaterThan(5 * 60_000);
    const speeds = kind(normal, 'patrol.position').map((p) => p.speed ?? 0);
    expect(Math.max(...speeds)).toBeLessThan(2.5);
  });

  it("checks in at its own cluster's patrol points, covering most of them during the day", () => {
    const pointCluster = new Map(
      geo.layers.patrolPoints.features.map((f) => [f.properties.id, f.properties.clusterId]),
    );
    const clusterOf = new Map(kind(normal, 'patrol.started').map((e) => [e.patrolId, e.clusterId]));
    const checkins = kind(normal, 'patrol.checkin');
    for (const c of checkins) expect(pointCluster.get(c.pointId)).toBe(clusterOf.get(c.patrolId));
    const covered = new Set(checkins.map((c) => c.pointId));
    expect(covered.size / pointCluster.size).toBeGreaterThan(0.9);
  });

  it('closes the incidents it reports', () => {
    const resolved = new Set(kind(normal, 'patrol.incident_resolved').map((e) => e.incidentId));
    const incidents = kind(normal, 'patrol.incident');
    expect(incidents.length).toBeGreaterThan(0);
    expect(incidents.filter((i) => resolved.has(i.incidentId)).length).toBeGreaterThan(0);
  });
});
