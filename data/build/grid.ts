// Governance grid cells (网格): squares of a district-wide regular grid (250 m in the urban core, 1 km in rural
// towns), cut at town borders so that every cell lies in one town. Aligned so that one 1 km square holds exactly
// 4 × 4 urban squares, which lets the server find a cell by arithmetic before any polygon test.
import * as turf from '@turf/turf';
import type { Feature, MultiPolygon, Polygon, Position } from 'geojson';
import { type Area, M_PER_DEG_LAT, M_PER_DEG_LON } from './shapes';
import { nearestVillage, type Village } from './villages';

/** South-west corner of the grid, WGS84; west and south of the district with a margin. */
export const GRID_ORIGIN: Position = [116.45, 39.55];
/** One rural step in degrees: ≈ 1000 m × 1000 m at 39.8° N. */
export const RURAL_STEP = { lon: 0.0117, lat: 0.009 };
export const URBAN_DIVISOR = 4;

export interface GridCell {
  id: string;
  townId: string;
  name: string;
  sizeM: number;
  col: number;
  row: number;
  geometry: Polygon | MultiPolygon;
}

export function buildGrid(
  towns: { id: string; name: string; urban: boolean; area: Area }[],
  villages: Village[],
): GridCell[] {
  const cells: GridCell[] = [];
  for (const town of towns) {
    const div = town.urban ? URBAN_DIVISOR : 1;
    const dLon = RURAL_STEP.lon / div;
    const dLat = RURAL_STEP.lat / div;
    const sizeM = Math.round((dLat * M_PER_DEG_LAT + dLon * M_PER_DEG_LON) / 2 / 50) * 50;
    const [w, s, e, n] = turf.bbox(town.area);
    const c0 = Math.floor((w - GRID_ORIGIN[0]!) / dLon);
    const c1 = Math.floor((e - GRID_ORIGIN[0]!) / dLon);
    const r0 = Math.floor((s - GRID_ORIGIN[1]!) / dLat);
    const r1 = Math.floor((n - GRID_ORIGIN[1]!) / dLat);
    const pieces: { col: number; row: number; geom: Feature<Polygon | MultiPolygon>; area: number }[] = [];
    const vertices =
      town.area.geometry.type === 'Polygon'
        ? town.area.geometry.coordinates.flat()
        : town.area.geometry.coordinates.flat(2);
    for (let col = c0; col <= c1; col++) {
      for (let row = r0; row <= r1; row++) {
        const x0 = GRID_ORIGIN[0]! + col * dLon;
        const y0 = GRID_ORIGIN[1]! + row * dLat;
        const square = turf.bboxPolygon([x0, y0, x0 + dLon, y0 + dLat]);
        const corners = square.geometry.coordinates[0]!.slice(0, 4);
        const allIn = corners.every((p) => turf.booleanPointInPolygon(p, town.area));
        const edgeCrosses = vertices.some((p) => p[0]! > x0 && p[0]! < x0 + dLon && p[1]! > y0 && p[1]! < y0 + dLat);
        // Squares well inside the town are kept whole; only border squares pay for a polygon clip.
        const geom = allIn && !edgeCrosses ? square : turf.intersect(turf.featureCollection([square, town.area]));
        if (!geom) continue;
        pieces.push({ col, row, geom, area: turf.area(geom) });
      }
    }
    const cy = (s + n) / 2;
    mergeSlivers(pieces, turf.area(turf.bboxPolygon([w, cy, w + dLon, cy + dLat])));
    const crumb = turf.area(turf.bboxPolygon([w, cy, w + dLon, cy + dLat])) * 0.02;
    for (let i = pieces.length - 1; i >= 0; i--) {
      const cleaned = dropCrumbs(pieces[i]!.geom, crumb);
      if (cleaned) pieces[i]!.geom = cleaned;
      else pieces.splice(i, 1);
    }
    const numbers = new Map<string, number>();
    for (const p of pieces.sort((a, b) => a.row - b.row || a.col - b.col).reverse()) {
      // Numbered north to south, west to east within each community, the way grid books list them.
      const village = nearestVillage(turf.pointOnFeature(p.geom).geometry.coordinates, villages, town.id);
      const base = village ? `${town.name}·${village.name}` : town.name;
      const n = (numbers.get(base) ?? 0) + 1;
      numbers.set(base, n);
      cells.push({
        id: `g-${town.id}-${sizeM}-${String(p.col).padStart(4, '0')}-${String(p.row).padStart(4, '0')}`,
        townId: town.id,
        name: `${base}·${n}号网格`,
        sizeM,
        col: p.col,
        row: p.row,
        geometry: p.geom.geometry,
      });
    }
  }
  return cells;
}

/**
 * A border cut can leave a sliver of a few per cent of a cell: too small to be anyone's grid. Slivers under a
 * fifth of a full cell join the edge-adjacent cell of the same town with the largest area.
 */
function mergeSlivers(
  pieces: { col: number; row: number; geom: Feature<Polygon | MultiPolygon>; area: number }[],
  fullArea: number,
): void {
  const key = (c: number, r: number) => `${c}:${r}`;
  const byKey = new Map(pieces.map((p) => [key(p.col, p.row), p]));
  const slivers = pieces.filter((p) => p.area < fullArea * 0.2).sort((a, b) => a.area - b.area);
  const ring4 = [
    [1, 0],
    [-1, 0],
    [0, 1],
    [0, -1],
  ];
  const ring8 = [...ring4, [1, 1], [1, -1], [-1, 1], [-1, -1]];
  for (const s of slivers) {
    // Crumbs (under 2 % of a cell, left by a border that grazes a corner) may also join a diagonal neighbour;
    // every merge must give one simple piece, else the sliver stays (and a crumb is dropped by dropCrumbs).
    const crumb = s.area < fullArea * 0.02;
    const neighbours = (crumb ? ring8 : ring4)
      .map(([dc, dr]) => byKey.get(key(s.col + dc!, s.row + dr!)))
      .filter((p): p is NonNullable<typeof p> => !!p && p !== s && p.area >= fullArea * 0.2)
      .sort((a, b) => b.area - a.area);
    for (const target of neighbours) {
      const joined = turf.union(turf.featureCollection([target.geom, s.geom]));
      if (!joined || joined.geometry.type !== 'Polygon' || !turf.booleanValid(joined)) continue;
      target.geom = joined;
      target.area += s.area;
      byKey.delete(key(s.col, s.row));
      pieces.splice(pieces.indexOf(s), 1);
      break;
    }
  }
}

/** Splits a ring that passes through the same vertex twice (a part hanging on by one point) into simple rings. */
function simpleRings(ring: Position[]): Position[][] {
  const out: Position[][] = [];
  const stack: Position[] = [];
  const key = (p: Position) => `${p[0]},${p[1]}`;
  const seen = new Map<string, number>();
  for (const p of ring.slice(0, -1)) {
    const k = key(p);
    const at = seen.get(k);
    if (at !== undefined) {
      const loop = stack.splice(at);
      for (const q of loop) seen.delete(key(q));
      if (loop.length >= 3) out.push([...loop, loop[0]!]);
    }
    seen.set(k, stack.length);
    stack.push(p);
  }
  if (stack.length >= 3) out.push([...stack, stack[0]!]);
  return out;
}

/**
 * Border cuts leave crumbs: slivers of a few square metres, or triangles hanging on a cell by one vertex (which
 * also make the polygon invalid). Parts under `minArea` are dropped unless nothing else is left of the cell;
 * a cell that is nothing but a crumb is dropped (the gap is far below the accuracy of any boundary here).
 */
function dropCrumbs(geom: Feature<Polygon | MultiPolygon>, minArea: number): Feature<Polygon | MultiPolygon> | null {
  // Work on the coordinates as they will be written (6 decimals): rounding can make two vertices one.
  const rounded = turf.truncate(geom, { precision: 6 });
  const dedupe = (ring: Position[]) =>
    ring.filter((p, i) => i === 0 || p[0] !== ring[i - 1]![0] || p[1] !== ring[i - 1]![1]);
  const polygons = (
    rounded.geometry.type === 'Polygon' ? [rounded.geometry.coordinates] : rounded.geometry.coordinates
  ).map((poly) => poly.map(dedupe));
  const parts: Position[][][] = [];
  for (const [outer, ...holes] of polygons) {
    for (const ring of simpleRings(outer!))
      parts.push([ring, ...holes.filter((h) => turf.booleanPointInPolygon(h[0]!, turf.polygon([ring])))]);
  }
  const sized = parts.map((p) => ({ p, area: turf.area(turf.polygon(p)) })).filter((x) => x.area > 0);
  const kept = sized.filter((x) => x.area >= minArea);
  if (kept.length === 0) return null;
  return kept.length === 1 ? turf.polygon(kept[0]!.p) : turf.multiPolygon(kept.map((x) => x.p));
}
