// What the simulator needs from the geography, prepared once: grid cells with a ticket weight, checkpoints
// with their river's length, forest clusters with their patrol points.
import type { CheckpointProps, LayerPropsMap } from '../contract/areas';
import type { Geo } from '../geo/load';
import { interiorPoint } from '../geo/interior';
import { WeightedTable, type Rng } from './prng';
import { distanceM, Shape, type LonLat } from './shapes';

export interface Cell {
  id: string;
  townId: string;
  townName: string;
  /** "中仓街道·西上园社区" (the grid's name without its number), for ticket addresses. */
  community: string;
  urban: boolean;
  shape: Shape;
  /** A point surely inside, the fallback of random placement and the cell's distance anchor. */
  anchor: LonLat;
  weight: number;
}

export interface Checkpoint {
  id: string;
  props: CheckpointProps;
  at: LonLat;
}

export interface PatrolPoint {
  id: string;
  name: string;
  at: LonLat;
}

export interface Cluster {
  id: string;
  townId: string;
  name: string;
  shape: Shape;
  anchor: LonLat;
  points: PatrolPoint[];
}

export interface Places {
  cells: Cell[];
  /** Cells drawn by ticket weight: busy urban cells first. */
  cellTable: WeightedTable<Cell>;
  towns: Map<string, LayerPropsMap['towns']>;
  checkpoints: Checkpoint[];
  clusters: Cluster[];
  /** District bbox, for the storm's west-to-east travel. */
  bbox: [number, number, number, number];
  /** Cells within `radiusM` of a point, weighted as for tickets (memoised per checkpoint by the caller). */
  cellsNear(at: LonLat, radiusM: number): WeightedTable<Cell> | null;
}

export function buildPlaces(geo: Geo, params: { ruralCellWeight: number; hotspotSigma: number }, rng: Rng): Places {
  const towns = new Map(geo.layers.towns.features.map((f) => [f.properties.id, f.properties]));
  const cells: Cell[] = geo.layers.grid.features.map((f) => {
    const p = f.properties;
    const town = towns.get(p.townId);
    const shape = new Shape(f.geometry);
    const urban = town?.urban ?? false;
    // A cell cut at a town border carries only its share of a full cell's population.
    const fullShare = Math.min(1, shape.areaM2 / (p.sizeM * p.sizeM));
    const weight = (urban ? 1 : params.ruralCellWeight) * fullShare * rng.lognormal(1, params.hotspotSigma);
    const nameParts = p.name.split('·');
    return {
      id: p.id,
      townId: p.townId,
      townName: town?.name ?? p.townId,
      community: nameParts.slice(0, 2).join(''),
      urban,
      shape,
      anchor: interiorPoint(f.geometry),
      weight,
    };
  });
  const checkpoints: Checkpoint[] = geo.layers.checkpoints.features.map((f) => ({
    id: f.properties.id,
    props: f.properties,
    at: [f.geometry.coordinates[0]!, f.geometry.coordinates[1]!] as LonLat,
  }));
  const pointsByCluster = new Map<string, PatrolPoint[]>();
  for (const f of geo.layers.patrolPoints.features) {
    const list = pointsByCluster.get(f.properties.clusterId) ?? [];
    list.push({
      id: f.properties.id,
      name: f.properties.name,
      at: [f.geometry.coordinates[0]!, f.geometry.coordinates[1]!],
    });
    pointsByCluster.set(f.properties.clusterId, list);
  }
  const clusters: Cluster[] = geo.layers.forest.features.map((f) => ({
    id: f.properties.id,
    townId: f.properties.townId,
    name: f.properties.name,
    shape: new Shape(f.geometry),
    anchor: interiorPoint(f.geometry),
    points: pointsByCluster.get(f.properties.id) ?? [],
  }));
  const district = new Shape(geo.layers.district.features[0]!.geometry);

  return {
    cells,
    cellTable: new WeightedTable(
      cells,
      cells.map((c) => c.weight),
    ),
    towns,
    checkpoints,
    clusters,
    bbox: district.bbox,
    cellsNear(at, radiusM) {
      const near = cells.filter((c) => distanceM(c.anchor, at) <= radiusM);
      return near.length > 0
        ? new WeightedTable(
            near,
            near.map((c) => c.weight),
          )
        : null;
    },
  };
}
