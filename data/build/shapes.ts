// Small geometric helpers for the synthetic layers.
import * as turf from '@turf/turf';
import type { Feature, MultiPolygon, Polygon, Position } from 'geojson';
import type { Rng } from '../../server/sim/prng';

export type Area = Feature<Polygon | MultiPolygon>;

/** Metres per degree at Tongzhou's latitude (equirectangular; errors < 0.5 % over the district). */
export const M_PER_DEG_LAT = 110_950;
export const M_PER_DEG_LON = 111_320 * Math.cos((39.8 * Math.PI) / 180);

export function offset(p: Position, eastM: number, northM: number): Position {
  return [p[0]! + eastM / M_PER_DEG_LON, p[1]! + northM / M_PER_DEG_LAT];
}

export function distM(a: Position, b: Position): number {
  const dx = (a[0]! - b[0]!) * M_PER_DEG_LON;
  const dy = (a[1]! - b[1]!) * M_PER_DEG_LAT;
  return Math.hypot(dx, dy);
}

/** A uniformly random point inside an area (rejection sampling in its bounding box). */
export function randomPointIn(area: Area, r: Rng): Position {
  const [w, s, e, n] = turf.bbox(area);
  for (let i = 0; i < 10_000; i++) {
    const p: Position = [w + (e - w) * r.next(), s + (n - s) * r.next()];
    if (turf.booleanPointInPolygon(p, area)) return p;
  }
  throw new Error('no point found inside area');
}

/** An irregular, roughly round patch of about `areaM2`, like a stand of planted forest. */
export function blob(center: Position, areaM2: number, r: Rng, vertices = 14): Feature<Polygon> {
  const radius = Math.sqrt(areaM2 / Math.PI);
  const ring: Position[] = [];
  const phase = r.next() * Math.PI * 2;
  const stretch = 0.75 + r.next() * 0.5;
  for (let i = 0; i < vertices; i++) {
    const a = phase + (i / vertices) * Math.PI * 2;
    const k = radius * (0.8 + r.next() * 0.35);
    ring.push(offset(center, Math.cos(a) * k * stretch, (Math.sin(a) * k) / stretch));
  }
  ring.push(ring[0]!);
  const poly = turf.polygon([ring]);
  // Scale about the centre so the patch has exactly the wanted area.
  const factor = Math.sqrt(areaM2 / turf.area(poly));
  return turf.transformScale(poly, factor, { origin: center });
}

export const areaMu = (f: Area): number => turf.area(f) / (10_000 / 15);
