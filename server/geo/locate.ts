// Locate: which town, grid cell, property district and forest cluster a WGS84 point falls in. Built once at
// start; a hot path (every event passes here), so it allocates little and never loops over all polygons:
// grid cells are found by arithmetic on the regular grid (their ids carry column and row), everything else
// through a Flatbush bounding-box index, and each candidate gets an exact even-odd point-in-polygon test.
import Flatbush from 'flatbush';
import type { Place } from '../contract/events';
import type { Geo } from './load';

/** The grid's origin and rural step (see data/SOURCES.md); urban cells are a quarter of the step. */
const GRID_ORIGIN = [116.45, 39.55] as const;
const RURAL_STEP = [0.0117, 0.009] as const;

interface Shape {
  id: string;
  townId: string;
  /** Every ring of every part, as flat [x0, y0, x1, y1, …] arrays; even-odd over all rings handles holes. */
  rings: Float64Array[];
  /**
   * Band index for large polygons (a town, the district: up to ~1,700 vertices): the bbox is cut into
   * horizontal bands and each band lists the edges whose y-range meets it, as (ring, vertex) pairs. A
   * horizontal ray at y can only cross edges of y's band, so a test reads a dozen edges instead of all.
   */
  bands?: { south: number; height: number; edges: Int32Array[] };
}

type AreaFeature = { properties: { id: string; townId?: string }; geometry: { type: string; coordinates: unknown } };

/** Polygons with more vertices than this get a band index. */
const BAND_THRESHOLD = 64;

function toShape(f: AreaFeature): Shape {
  const polygons = (
    f.geometry.type === 'Polygon' ? [f.geometry.coordinates] : f.geometry.coordinates
  ) as number[][][][];
  const rings = polygons.flat().map((ring) => Float64Array.from(ring.flat()));
  const shape: Shape = { id: f.properties.id, townId: f.properties.townId ?? f.properties.id, rings };
  const vertices = rings.reduce((n, r) => n + r.length / 2, 0);
  if (vertices > BAND_THRESHOLD) {
    const [, south, , north] = bboxOf(shape);
    const count = Math.min(512, Math.ceil(vertices / 8));
    const height = (north - south) / count || 1;
    const lists: number[][] = Array.from({ length: count }, () => []);
    rings.forEach((r, ri) => {
      for (let i = 0, j = r.length - 2; i < r.length; j = i, i += 2) {
        const lo = Math.max(0, Math.floor((Math.min(r[i + 1]!, r[j + 1]!) - south) / height));
        const hi = Math.min(count - 1, Math.floor((Math.max(r[i + 1]!, r[j + 1]!) - south) / height));
        for (let b = lo; b <= hi; b++) lists[b]!.push(ri, i);
      }
    });
    shape.bands = { south, height, edges: lists.map((l) => Int32Array.from(l)) };
  }
  return shape;
}

export function contains(shape: Shape, x: number, y: number): boolean {
  let inside = false;
  if (shape.bands) {
    const band = shape.bands.edges[Math.floor((y - shape.bands.south) / shape.bands.height)];
    if (!band) return false; // above or below the polygon
    for (let k = 0; k < band.length; k += 2) {
      const r = shape.rings[band[k]!]!;
      const i = band[k + 1]!;
      const j = i === 0 ? r.length - 2 : i - 2;
      const yi = r[i + 1]!;
      const yj = r[j + 1]!;
      if (yi > y !== yj > y && x < ((r[j]! - r[i]!) * (y - yi)) / (yj - yi) + r[i]!) inside = !inside;
    }
    return inside;
  }
  for (const r of shape.rings) {
    for (let i = 0, j = r.length - 2; i < r.length; j = i, i += 2) {
      const yi = r[i + 1]!;
      const yj = r[j + 1]!;
      if (yi > y !== yj > y && x < ((r[j]! - r[i]!) * (y - yi)) / (yj - yi) + r[i]!) inside = !inside;
    }
  }
  return inside;
}

function bboxOf(shape: Pick<Shape, 'rings'>): [number, number, number, number] {
  let w = Infinity;
  let s = Infinity;
  let e = -Infinity;
  let n = -Infinity;
  for (const r of shape.rings) {
    for (let i = 0; i < r.length; i += 2) {
      w = Math.min(w, r[i]!);
      e = Math.max(e, r[i]!);
      s = Math.min(s, r[i + 1]!);
      n = Math.max(n, r[i + 1]!);
    }
  }
  return [w, s, e, n];
}

class Layer {
  readonly shapes: Shape[];
  private readonly index: Flatbush;
  constructor(features: AreaFeature[]) {
    this.shapes = features.map(toShape);
    this.index = new Flatbush(Math.max(1, this.shapes.length));
    for (const s of this.shapes) this.index.add(...bboxOf(s));
    if (this.shapes.length === 0) this.index.add(0, 0, 0, 0);
    this.index.finish();
  }
  find(x: number, y: number): Shape | undefined {
    let hit: Shape | undefined;
    this.index.search(x, y, x, y, (i) => {
      const s = this.shapes[i];
      if (!hit && s && contains(s, x, y)) hit = s;
      return false; // collect nothing: the filter has already tested the candidate
    });
    return hit;
  }
}

export interface Locator {
  /** Where a WGS84 point lies, or null when it is outside the district. */
  locate(lon: number, lat: number): Place | null;
}

export function createLocator(geo: Geo): Locator {
  const district = new Layer(geo.layers.district.features as AreaFeature[]);
  const towns = new Layer(geo.layers.towns.features as AreaFeature[]);
  const grid = new Layer(geo.layers.grid.features as AreaFeature[]);
  const property = new Layer(geo.layers.property.features as AreaFeature[]);
  const forest = new Layer(geo.layers.forest.features as AreaFeature[]);

  // Cells by their square on the regular grid (a square cut at a town border holds one cell per town). Numeric
  // keys, so the lookup builds no string per event.
  const squareKey = (divisor: number, col: number, row: number) => (divisor * 100_000 + col) * 100_000 + row;
  const bySquare = new Map<number, Shape[]>();
  const divisors = new Set<number>();
  geo.layers.grid.features.forEach((f, i) => {
    const divisor = Math.round(1000 / f.properties.sizeM);
    divisors.add(divisor);
    const key = squareKey(divisor, f.properties.col, f.properties.row);
    const list = bySquare.get(key) ?? [];
    list.push(grid.shapes[i]!);
    bySquare.set(key, list);
  });
  const divisorList = [...divisors];
  // Property districts and forest clusters exist only in some towns; skip their search elsewhere.
  const hasProperty = new Set(geo.layers.property.features.map((f) => f.properties.townId));
  const hasForest = new Set(geo.layers.forest.features.map((f) => f.properties.townId));

  function gridCell(x: number, y: number): Shape | undefined {
    for (const d of divisorList) {
      const col = Math.floor(((x - GRID_ORIGIN[0]) * d) / RURAL_STEP[0]);
      const row = Math.floor(((y - GRID_ORIGIN[1]) * d) / RURAL_STEP[1]);
      const cells = bySquare.get(squareKey(d, col, row));
      if (cells) for (const c of cells) if (contains(c, x, y)) return c;
    }
    // A sliver merged into its neighbour, or a deployment's own (irregular) cells.
    return grid.find(x, y);
  }

  return {
    locate(lon, lat) {
      const cell = gridCell(lon, lat);
      let townId = cell?.townId;
      if (!cell) {
        if (!district.find(lon, lat)) return null;
        townId = towns.find(lon, lat)?.id;
      }
      const place: Place = {};
      if (townId) place.townId = townId;
      if (cell) place.gridId = cell.id;
      const p = townId === undefined || hasProperty.has(townId) ? property.find(lon, lat) : undefined;
      if (p) place.propertyId = p.id;
      const f = townId === undefined || hasForest.has(townId) ? forest.find(lon, lat) : undefined;
      if (f) place.forestId = f.id;
      return place;
    },
  };
}
