// Community / village points. 160-odd committees have a real coordinate; the rest of the 2016 list is placed at
// a seeded random spot inside its current town (synthetic: true), so every committee can name grid cells.
import * as turf from '@turf/turf';
import type { Position } from 'geojson';
import type { RawVillage } from './sources';
import { SEED_TOWNS, successorsOf, type TownSeed } from './towns';
import { createRng } from '../../server/sim/prng';
import { type Area, distM, offset, randomPointIn } from './shapes';

export interface Village {
  id: string;
  name: string;
  kind: 'community' | 'village';
  townId: string;
  at: Position;
  synthetic: boolean;
}

/** 白庙村委会 → 白庙村, 小务村村委会 → 小务村, 玉桥南里社区居委会 → 玉桥南里社区. */
export function shortName(source: string): string {
  if (source.endsWith('社区居委会')) return source.slice(0, -3);
  if (source.endsWith('居委会')) return `${source.slice(0, -3)}社区`;
  if (source.endsWith('村村委会')) return source.slice(0, -3);
  if (source.endsWith('村委会')) return `${source.slice(0, -3)}村`;
  return source;
}

export function townAt(p: Position, towns: Map<string, Area>): string | undefined {
  for (const [id, area] of towns) if (turf.booleanPointInPolygon(p, area)) return id;
  return undefined;
}

/** Villages whose place is fixed by another layer (a 碍洪点 named after them), WGS84. */
export type Anchors = Map<string, Position>;

export function placeVillages(
  raw: RawVillage[],
  seeds: TownSeed[],
  towns: Map<string, Area>,
  anchors: Anchors,
): Village[] {
  const byName = new Map(seeds.map((s) => [s.town.name, s]));
  const seedName = new Map(seeds.map((s) => [s.town.id, s.town.name]));
  const out: Village[] = [];
  const kindOf = (name: string) => (name.includes('居委会') || name.includes('社区') ? 'community' : 'village');
  const skipped: string[] = [];
  // Real points first, so the synthetic ones keep their distance from them.
  for (const v of raw) {
    if (!v.at) continue;
    const office = v.at;
    const found = townAt(office, towns);
    if (!found) {
      skipped.push(v.name);
      continue;
    }
    // A committee goes with the synthetic unit its office falls in, unless the seeds speak of either unit: then it
    // belongs to a unit the seeds (or the 2016 list) give it, and an office on the wrong side of a synthetic
    // line is moved just inside the nearest of those (villages elsewhere keep the older, looser rule).
    const successors = successorsOf(v, byName);
    const own = successors.some((s) => s.town.id === found);
    const seedSays = SEED_TOWNS.has(seedName.get(found)!) || successors.some((s) => SEED_TOWNS.has(s.town.name));
    if (own || !seedSays) {
      out.push({
        id: v.id,
        name: shortName(v.name),
        kind: kindOf(v.name),
        townId: found,
        at: office,
        synthetic: false,
      });
      continue;
    }
    const moved = successors
      .map((s) => ({ townId: s.town.id, at: pointJustInside(office, towns.get(s.town.id)!) }))
      .sort((a, b) => distM(office, a.at) - distM(office, b.at))[0]!;
    out.push({ id: v.id, name: shortName(v.name), kind: kindOf(v.name), ...moved, synthetic: true });
  }
  for (const v of raw) {
    if (v.at) continue;
    const name = shortName(v.name);
    const anchor = anchors.get(name);
    const r = createRng(v.id, 'mulberry32');
    const successors = successorsOf(v, byName);
    const town = anchor ? townAt(anchor, towns) : successors[Math.floor(r.next() * successors.length)]!.town.id;
    if (!town) throw new Error(`anchor of ${name} lies outside every town`);
    let at = anchor;
    if (!at) {
      // Keep villages apart (≥ 300 m) so that they read as separate places on the map.
      for (let i = 0; i < 40; i++) {
        at = randomPointIn(towns.get(town)!, r);
        if (!out.some((o) => distM(o.at, at!) < 300)) break;
      }
    }
    out.push({ id: v.id, name, kind: kindOf(v.name), townId: town, at: at!, synthetic: true });
  }
  if (skipped.length > 0) console.warn(`villages outside the district outline, left out: ${skipped.join(', ')}`);
  return out;
}

export function nearestVillage(p: Position, villages: Village[], townId?: string): Village | undefined {
  let best: Village | undefined;
  let bestD = Infinity;
  for (const v of villages) {
    if (townId && v.townId !== townId) continue;
    const d = distM(p, v.at);
    if (d < bestD) {
      bestD = d;
      best = v;
    }
  }
  return best;
}

/** The point of an area nearest to p, 30 m in from its edge (a committee office moved across a synthetic line). */
export function pointJustInside(p: Position, area: Area): Position {
  const polygons = area.geometry.type === 'Polygon' ? [area.geometry.coordinates] : area.geometry.coordinates;
  let best: Position | undefined;
  let bestD = Infinity;
  for (const poly of polygons) {
    const q = turf.nearestPointOnLine(turf.lineString(poly[0]!), p).geometry.coordinates;
    const d = distM(p, q);
    if (d < bestD) {
      bestD = d;
      best = q;
    }
  }
  const q = best!;
  const len = Math.max(distM(p, q), 1);
  const east = ((q[0]! - p[0]!) * 111_320 * Math.cos((39.8 * Math.PI) / 180)) / len;
  const north = ((q[1]! - p[1]!) * 110_950) / len;
  for (let step = 30; step <= 600; step += 30) {
    const inward = offset(q, east * step, north * step);
    if (turf.booleanPointInPolygon(inward, area)) return inward;
  }
  throw new Error(`no point inside the area near ${p.join(',')}`);
}
