// Red grids (红网格): a village whose grid book the seeds give (老槐庄村: 19 grids over 300+ households) gets that
// many cells instead of the regular 1 km squares named after it. The real grids follow lanes and households,
// which no open source has; here the village's own squares are split into Voronoi pieces around evenly spread
// points, so the count is the seed's and the ground is still tiled, but the shapes are made up.
import * as turf from '@turf/turf';
import type { Feature, MultiPolygon, Polygon, Position } from 'geojson';
import { GRID_ORIGIN, RURAL_STEP, type GridCell } from './grid';
import { createRng } from '../../server/sim/prng';
import { distM, randomPointIn } from './shapes';
import { RED_GRIDS } from './seed-places';
import type { Village } from './villages';

export function splitRedGrids(
  cells: GridCell[],
  towns: { id: string; name: string }[],
  villages: Village[],
): GridCell[] {
  let out = cells;
  for (const [villageName, { town, count }] of Object.entries(RED_GRIDS)) {
    const townId = towns.find((t) => t.name === town)?.id;
    const village = villages.find((v) => v.name === villageName && v.townId === townId);
    if (!townId || !village) throw new Error(`red grids: no ${villageName} in ${town}`);
    const prefix = `${town}·${villageName}·`;
    const own = out.filter((c) => c.townId === townId && c.name.startsWith(prefix));
    if (own.length === 0) throw new Error(`red grids: ${villageName} has no grid cells to split`);
    const ground = (
      own.length === 1
        ? turf.feature(own[0]!.geometry)
        : turf.union(turf.featureCollection(own.map((c) => turf.feature(c.geometry))))
    ) as Feature<Polygon | MultiPolygon>;
    const pieces = split(ground, count, village.at, `red:${village.id}`);
    const sizeM = own[0]!.sizeM;
    const numbered = pieces
      .map((g) => ({ g, at: turf.pointOnFeature(g).geometry.coordinates }))
      // Numbered north to south, west to east, the way grid books list them.
      .sort((a, b) => b.at[1]! - a.at[1]! || a.at[0]! - b.at[0]!);
    const made = numbered.map(({ g, at }, i): GridCell => {
      const col = Math.floor((at[0]! - GRID_ORIGIN[0]!) / RURAL_STEP.lon);
      const row = Math.floor((at[1]! - GRID_ORIGIN[1]!) / RURAL_STEP.lat);
      const n = String(i + 1).padStart(2, '0');
      return {
        id: `g-${townId}-${sizeM}-${String(col).padStart(4, '0')}-${String(row).padStart(4, '0')}-r${n}`,
        townId,
        name: `${prefix}${i + 1}号红网格`,
        sizeM,
        col,
        row,
        geometry: g.geometry,
      };
    });
    out = [...out.filter((c) => !own.includes(c)), ...made];
  }
  return out;
}

/** `count` pieces of an area: Voronoi cells around points spread by farthest-point sampling from `start`. */
function split(area: Feature<Polygon | MultiPolygon>, count: number, start: Position, seed: string) {
  const r = createRng(seed, 'mulberry32');
  const candidates = Array.from({ length: count * 30 }, () => randomPointIn(area, r));
  const sites: Position[] = [candidates.reduce((a, b) => (distM(a, start) <= distM(b, start) ? a : b))];
  while (sites.length < count) {
    let best = candidates[0]!;
    let bestD = -1;
    for (const c of candidates) {
      const d = Math.min(...sites.map((s) => distM(s, c)));
      if (d > bestD) {
        bestD = d;
        best = c;
      }
    }
    sites.push(best);
  }
  const [w, s, e, n] = turf.bbox(area);
  const cells = turf.voronoi(turf.featureCollection(sites.map((p) => turf.point(p))), {
    bbox: [w - 0.01, s - 0.01, e + 0.01, n + 0.01],
  });
  const pieces = cells.features.map((cell) => {
    const piece = cell && turf.intersect(turf.featureCollection([cell, area]));
    if (!piece) throw new Error('red grids: a Voronoi cell missed the village ground');
    return turf.truncate(piece, { precision: 6 });
  });
  if (pieces.length !== count) throw new Error(`red grids: ${pieces.length} pieces, not ${count}`);
  return pieces;
}
