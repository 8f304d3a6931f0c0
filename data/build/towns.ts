// Synthetic township polygons: official 街道/乡镇 boundaries are not open data, so the towns are made as the union
// of Voronoi cells around each town's seat and its villages, clipped to the real district outline.
import * as turf from '@turf/turf';
import type { Feature, MultiPolygon, Polygon, Position } from 'geojson';
import type { RawGeo, RawTown, RawVillage } from './sources';
import { gcjToWgs } from './io';
import { SEED_COMMITTEE_COUNTS, TOWN_CORRECTIONS } from './seed-places';

type Area = Feature<Polygon | MultiPolygon>;

/**
 * The seven streets created in 2019–2020 have no seat in any open source. They sit in the urban core and the
 * administrative-centre area; these GCJ-02 seats are placed by hand near where each street lies.
 */
const NEW_STREET_SEATS_GCJ: Record<string, Position> = {
  潞源街道: [116.742, 39.908], // administrative centre (行政办公区), carved from 潞城镇
  通运街道: [116.704, 39.901], // east of the canal, carved from 永顺
  文景街道: [116.688, 39.936], // north of the old town, carved from 永顺
  九棵树街道: [116.656, 39.888], // carved from 梨园
  临河里街道: [116.68, 39.876], // carved from 梨园
  // West, carved from 永顺 and 北苑: among the communities the seed puts in it (五里店, 新华联家园, 京贸).
  杨庄街道: [116.631, 39.9],
  潞邑街道: [116.748, 39.935], // north of the administrative centre, carved from 潞城镇
};

/** Township names of the 2016 snapshot → the current units that now cover that ground. */
const SUCCESSORS: Record<string, string[]> = {
  中仓街道办事处: ['中仓街道'],
  新华街道办事处: ['新华街道'],
  北苑街道办事处: ['北苑街道'],
  玉桥街道办事处: ['玉桥街道'],
  永顺地区办事处: ['永顺镇', '杨庄街道', '文景街道', '通运街道'],
  梨园地区办事处: ['梨园镇', '九棵树街道', '临河里街道'],
  潞城镇: ['潞城镇', '潞源街道', '潞邑街道'],
};

/**
 * Hints of a town's extent where the open village points leave it without ground: 潞城镇's listed villages all
 * sit near the old seat, but the town reaches east to the 潮白河. WGS84, placed by hand; they act as extra
 * Voronoi sites of that town.
 */
const TERRITORY_HINTS: Record<string, Position[]> = {
  潞城镇: [
    [116.742, 39.921], // the corridor between 潞源 and 潞邑 that keeps the town in one piece
    [116.762, 39.915],
    [116.775, 39.895],
    [116.8, 39.9],
    [116.81, 39.875],
    [116.835, 39.865],
    [116.785, 39.872],
  ],
};

export const URBAN_TOWN_NAMES = new Set(['永顺镇', '梨园镇']);

export interface TownSeed {
  town: RawTown;
  seat: Position;
  seatSynthetic: boolean;
}

export function townSeeds(raw: RawGeo): TownSeed[] {
  return raw.towns.map((town) => {
    if (town.seat) return { town, seat: town.seat, seatSynthetic: false };
    const gcj = NEW_STREET_SEATS_GCJ[town.name];
    if (!gcj) throw new Error(`no seat for ${town.name}`);
    return { town, seat: gcjToWgs(gcj), seatSynthetic: true };
  });
}

const CORRECTED = new Map(TOWN_CORRECTIONS.map((c) => [c.code, c]));

/** The current units a 2016 village may now belong to: the one the seeds name, else the 2016 unit's successors. */
export function successorsOf(village: RawVillage, byName: Map<string, TownSeed>): TownSeed[] {
  const corrected = CORRECTED.get(village.id);
  if (corrected && corrected.name !== village.name)
    throw new Error(`seed correction ${corrected.code}: the source names it ${village.name}, not ${corrected.name}`);
  const names = corrected ? [corrected.town] : (SUCCESSORS[village.town2016] ?? [village.town2016]);
  return names.map((n) => {
    const s = byName.get(n);
    if (!s) throw new Error(`unknown town ${n} for village ${village.name}`);
    return s;
  });
}

const sq = (a: Position, b: Position) => {
  // Equirectangular distance is plenty to pick the nearest of a few seats a few km apart.
  const dx = (a[0]! - b[0]!) * Math.cos((39.8 * Math.PI) / 180);
  const dy = a[1]! - b[1]!;
  return dx * dx + dy * dy;
};

export function nearestSeed(p: Position, seeds: TownSeed[]): TownSeed {
  let best = seeds[0]!;
  for (const s of seeds) if (sq(p, s.seat) < sq(p, best.seat)) best = s;
  return best;
}

/** New streets are compact urban units: they take only the villages within this distance of their seat. */
const NEW_STREET_REACH_M = 2500;

/** Which of a 2016 unit's successors now holds the point: the nearest new street in reach, else the old unit. */
export function successorFor(p: Position, successors: TownSeed[]): TownSeed {
  const near = nearestSeed(p, successors);
  if (near === successors[0] || !near.seatSynthetic) return near;
  const dx = (p[0]! - near.seat[0]!) * 85_530;
  const dy = (p[1]! - near.seat[1]!) * 110_950;
  return Math.hypot(dx, dy) <= NEW_STREET_REACH_M ? near : successors[0]!;
}

/** The unit a committee with a coordinate belongs to now: the seeds' word, else the 2016 rule. */
export function homeOf(v: RawVillage & { at: Position }, byName: Map<string, TownSeed>): TownSeed {
  return successorFor(v.at, successorsOf(v, byName));
}

/**
 * Units whose committees the seeds name or count. The 2016 committee offices of the urban core interleave (an
 * office of 永顺 or 梨园 between two of 玉桥's), which one-piece synthetic units cannot draw; inside these
 * units' ground (the hull of their own committees) the other units' committees do not shape the boundary, and
 * placeVillages moves their points just inside their own unit.
 */
export const SEED_TOWNS = new Set([...Object.keys(SEED_COMMITTEE_COUNTS), ...TOWN_CORRECTIONS.map((c) => c.town)]);

export function synthesiseTowns(raw: RawGeo, seeds: TownSeed[]): Map<string, Area> {
  const byName = new Map(seeds.map((s) => [s.town.name, s]));
  const points: { at: Position; townId: string }[] = seeds.map((s) => ({ at: s.seat, townId: s.town.id }));
  const committees: { at: Position; townId: string }[] = [];
  for (const v of raw.villages) {
    if (v.at) committees.push({ at: v.at, townId: homeOf({ ...v, at: v.at }, byName).town.id });
  }
  const hulls = [...SEED_TOWNS].map((name) => {
    const seed = byName.get(name)!;
    const own = [seed.seat, ...committees.filter((c) => c.townId === seed.town.id).map((c) => c.at)];
    return { townId: seed.town.id, hull: turf.convex(turf.featureCollection(own.map((p) => turf.point(p))))! };
  });
  for (const c of committees) {
    if (hulls.some((h) => h.townId !== c.townId && turf.booleanPointInPolygon(c.at, h.hull))) continue;
    points.push(c);
  }
  for (const [name, hints] of Object.entries(TERRITORY_HINTS)) {
    for (const at of hints) points.push({ at, townId: byName.get(name)!.town.id });
  }
  // Drop seeds within 50 m of an earlier one: Voronoi needs distinct sites.
  const sites: typeof points = [];
  for (const p of points) if (!sites.some((s) => sq(s.at, p.at) < (50 / 111_000) ** 2)) sites.push(p);

  const district = turf.feature(raw.district);
  const [w, s, e, n] = turf.bbox(district);
  const cells = turf.voronoi(turf.featureCollection(sites.map((p) => turf.point(p.at))), {
    bbox: [w - 0.05, s - 0.05, e + 0.05, n + 0.05],
  });
  const cellsByTown = new Map<string, Feature<Polygon>[]>();
  cells.features.forEach((cell, i) => {
    if (!cell) return;
    const id = sites[i]!.townId;
    cellsByTown.set(id, [...(cellsByTown.get(id) ?? []), cell]);
  });

  const towns = new Map<string, Area>();
  for (const seed of seeds) {
    const own = cellsByTown.get(seed.town.id) ?? [];
    const merged = own.length === 1 ? own[0]! : turf.union(turf.featureCollection(own));
    const clipped = merged && turf.intersect(turf.featureCollection([merged, district]));
    if (!clipped) throw new Error(`town ${seed.town.name} has no area`);
    towns.set(seed.town.id, clipped);
  }
  reassignDetachedParts(towns, seeds);
  return towns;
}

/**
 * A town must be one piece around its seat. Voronoi unions can leave islands (a village whose nearest seat is
 * far away); each island goes to the neighbouring town it touches most.
 */
function reassignDetachedParts(towns: Map<string, Area>, seeds: TownSeed[]): void {
  for (const seed of seeds) {
    const area = towns.get(seed.town.id)!;
    if (area.geometry.type !== 'MultiPolygon') continue;
    const parts = area.geometry.coordinates.map((c) => turf.polygon(c));
    const home = parts.find((p) => turf.booleanPointInPolygon(seed.seat, p)) ?? parts[0]!;
    towns.set(seed.town.id, home);
    for (const part of parts) {
      if (part === home) continue;
      const halo = turf.buffer(part, 0.02, { units: 'kilometers' })!;
      let best: string | undefined;
      let bestShared = 0;
      for (const [id, other] of towns) {
        if (id === seed.town.id) continue;
        const shared = turf.intersect(turf.featureCollection([halo, other]));
        const a = shared ? turf.area(shared) : 0;
        if (a > bestShared) {
          bestShared = a;
          best = id;
        }
      }
      if (!best) continue;
      const joined = turf.union(turf.featureCollection([towns.get(best)!, part]));
      if (joined) towns.set(best, joined);
    }
  }
}
