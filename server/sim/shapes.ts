// Plane geometry the simulator needs on WGS84 degrees: point in polygon, random points inside a polygon,
// areas and distances. At Tongzhou's size (~50 km) an equirectangular projection around 39.8° N is off by
// well under a percent, which is plenty for placing simulated tickets and walking simulated rangers.
import type { AreaGeometry } from '../contract/areas';
import type { Rng } from './prng';

export type LonLat = [number, number];

const EARTH_M = 6_371_008.8;
const RAD = Math.PI / 180;
/** Metres per degree of latitude, and of longitude at the district's latitude. */
export const M_PER_DEG_LAT = EARTH_M * RAD;
export const M_PER_DEG_LON = M_PER_DEG_LAT * Math.cos(39.8 * RAD);

export function distanceM(a: LonLat, b: LonLat): number {
  return Math.hypot((b[0] - a[0]) * M_PER_DEG_LON, (b[1] - a[1]) * M_PER_DEG_LAT);
}

/** Bearing in degrees clockwise from north, 0 ≤ b < 360. */
export function bearingDeg(a: LonLat, b: LonLat): number {
  const deg = Math.atan2((b[0] - a[0]) * M_PER_DEG_LON, (b[1] - a[1]) * M_PER_DEG_LAT) / RAD;
  return (deg + 360) % 360;
}

/** Moves `p` by metres east and north. */
export const offsetM = (p: LonLat, east: number, north: number): LonLat => [
  p[0] + east / M_PER_DEG_LON,
  p[1] + north / M_PER_DEG_LAT,
];

/** A polygon or multipolygon prepared for repeated tests: flat rings and a bounding box. */
export class Shape {
  /** Every ring of every part; even-odd over all of them handles holes and several parts alike. */
  private readonly rings: number[][][];
  readonly bbox: [number, number, number, number];
  /** Area in square metres. */
  readonly areaM2: number;

  constructor(geometry: AreaGeometry) {
    const polygons = geometry.type === 'Polygon' ? [geometry.coordinates] : geometry.coordinates;
    this.rings = polygons.flat();
    let w = Infinity;
    let s = Infinity;
    let e = -Infinity;
    let n = -Infinity;
    let area = 0;
    for (const polygon of polygons) {
      polygon.forEach((ring, i) => {
        const a = Math.abs(ringAreaM2(ring));
        area += i === 0 ? a : -a; // inner rings are holes
        for (const p of ring) {
          w = Math.min(w, p[0]!);
          e = Math.max(e, p[0]!);
          s = Math.min(s, p[1]!);
          n = Math.max(n, p[1]!);
        }
      });
    }
    this.bbox = [w, s, e, n];
    this.areaM2 = area;
  }

  contains(lon: number, lat: number): boolean {
    const [w, s, e, n] = this.bbox;
    if (lon < w || lon > e || lat < s || lat > n) return false;
    let inside = false;
    for (const ring of this.rings) {
      for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
        const xi = ring[i]![0]!;
        const yi = ring[i]![1]!;
        const xj = ring[j]![0]!;
        const yj = ring[j]![1]!;
        if (yi > lat !== yj > lat && lon < ((xj - xi) * (lat - yi)) / (yj - yi) + xi) inside = !inside;
      }
    }
    return inside;
  }

  /**
   * A uniform random point inside, by rejection from the bounding box. Grid cells and forest clusters fill
   * most of their box, so a few tries suffice; `fallback` (an interior point) guards a pathological sliver.
   */
  randomPoint(rng: Rng, fallback: LonLat): LonLat {
    const [w, s, e, n] = this.bbox;
    for (let i = 0; i < 200; i++) {
      const lon = rng.range(w, e);
      const lat = rng.range(s, n);
      if (this.contains(lon, lat)) return [lon, lat];
    }
    return fallback;
  }

  /** True when the straight segment a→b stays inside (sampled every `stepM` metres). */
  containsSegment(a: LonLat, b: LonLat, stepM = 10): boolean {
    const steps = Math.max(1, Math.ceil(distanceM(a, b) / stepM));
    for (let i = 0; i <= steps; i++) {
      const t = i / steps;
      if (!this.contains(a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t)) return false;
    }
    return true;
  }
}

function ringAreaM2(ring: number[][]): number {
  let sum = 0;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    sum += (ring[j]![0]! - ring[i]![0]!) * (ring[j]![1]! + ring[i]![1]!);
  }
  return (sum / 2) * M_PER_DEG_LON * M_PER_DEG_LAT;
}
