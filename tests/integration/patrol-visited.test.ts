// GET /api/v1/patrol/visited over the real app (Fastify inject): a ranger's position of today marks its
// ~100 m sub-cell visited, and the route returns that square for the cluster and for its town.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { App } from '../../server/app';
import type { PatrolVisited } from '../../server/contract/patrol';
import { ClusterCells } from '../../server/live/coverage';
import { testApp } from '../helpers/app';
import { getAsAdmin, postEvents } from '../helpers/callers';

interface ForestFeature {
  properties: { id: string; townId: string };
  geometry: { type: string; coordinates: unknown };
}
const forest = JSON.parse(readFileSync(path.join(__dirname, '../../data/geo/forest-clusters.geojson'), 'utf8')) as {
  features: ForestFeature[];
};
const cluster = forest.features[0]!;

/** The centre of some sub-cell inside the cluster (the same lattice the server cuts). */
function insidePoint(): [number, number] {
  const cells = new ClusterCells(cluster.geometry, 100);
  for (let r = 0; r < cells.rows; r++) {
    for (let c = 0; c < cells.cols; c++) {
      const lon = cells.west + (c + 0.5) * cells.dLon;
      const lat = cells.south + (r + 0.5) * cells.dLat;
      if (cells.cellOf(lon, lat) >= 0) return [lon, lat];
    }
  }
  throw new Error('cluster without sub-cells');
}

let app: App;
beforeEach(async () => {
  app = await testApp();
});
afterEach(async () => {
  await app.close();
});

const post = (payload: unknown) => postEvents(app, payload);

describe('GET /api/v1/patrol/visited', () => {
  it('is empty before any patrol, then holds the walked sub-cell for the cluster and its town', async () => {
    const before = (
      await getAsAdmin(app, `/api/v1/patrol/visited?cluster=${cluster.properties.id}`)
    ).json() as PatrolVisited;
    expect(before.clusters).toHaveLength(1);
    expect(before.clusters[0]!.corners).toEqual([]);
    expect(before.clusters[0]!.total).toBeGreaterThan(0);

    const [lon, lat] = insidePoint();
    const time = new Date(Date.now() - 30_000).toISOString();
    const res = await post([
      {
        id: 'p1',
        kind: 'patrol.started',
        time,
        source: 'ranger_app',
        patrolId: 'pt1',
        rangerId: 'rg1',
        clusterId: cluster.properties.id,
      },
      {
        id: 'p2',
        kind: 'patrol.position',
        time,
        source: 'ranger_app',
        patrolId: 'pt1',
        rangerId: 'rg1',
        location: { lon, lat },
      },
    ]);
    expect(res.json()).toMatchObject({ accepted: 2 });

    const byCluster = await getAsAdmin(app, `/api/v1/patrol/visited?cluster=${cluster.properties.id}`);
    expect(byCluster.statusCode).toBe(200);
    expect(byCluster.headers['cache-control']).toBe('no-store');
    const visited = (byCluster.json() as PatrolVisited).clusters[0]!;
    expect(visited.corners).toHaveLength(2);
    const [west, south] = visited.corners as [number, number];
    // The returned square holds the position.
    expect(lon).toBeGreaterThanOrEqual(west);
    expect(lon).toBeLessThan(west + visited.dLon);
    expect(lat).toBeGreaterThanOrEqual(south);
    expect(lat).toBeLessThan(south + visited.dLat);
    expect(visited.dLat * 111_320).toBeCloseTo(100, 0);

    const byTown = (
      await getAsAdmin(app, `/api/v1/patrol/visited?town=${cluster.properties.townId}`)
    ).json() as PatrolVisited;
    const ids = byTown.clusters.map((c) => c.clusterId);
    const ownTown = forest.features
      .filter((f) => f.properties.townId === cluster.properties.townId)
      .map((f) => f.properties.id);
    expect(ids.sort()).toEqual(ownTown.sort());
    expect(byTown.clusters.find((c) => c.clusterId === cluster.properties.id)!.corners).toEqual(visited.corners);
    expect(byTown.day).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });

  it('refuses a request without exactly one area, and unknown areas', async () => {
    expect((await getAsAdmin(app, '/api/v1/patrol/visited')).statusCode).toBe(400);
    expect(
      (await getAsAdmin(app, `/api/v1/patrol/visited?town=110112004&cluster=${cluster.properties.id}`)).statusCode,
    ).toBe(400);
    expect((await getAsAdmin(app, '/api/v1/patrol/visited?town=999999999')).statusCode).toBe(404);
  });
});
