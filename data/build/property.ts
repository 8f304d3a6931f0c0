// Property-management districts (物业管理片区) in the urban towns: Voronoi cells around seeds inside each town,
// clipped to it. Seeds are residential compounds from the MapV sample where there are some, topped up at random.
import * as turf from '@turf/turf';
import type { Feature, Polygon, Position } from 'geojson';
import { geometryGcjToWgs, readJson } from './io';
import { createRng, type Rng } from '../../server/sim/prng';
import { type Area, distM, randomPointIn } from './shapes';
import { nearestVillage, type Village } from './villages';
import { YUQIAO_UNITS } from './seed-places';

/** 玉桥 split its 80+ projects into 41 assessment districts (DOMAIN.md); the other urban towns get a few each. */
export const PROPERTY_DISTRICT_COUNTS: Record<string, number> = {
  玉桥街道: 41,
  中仓街道: 6,
  新华街道: 4,
  北苑街道: 6,
  永顺镇: 5,
  梨园镇: 5,
  九棵树街道: 4,
  临河里街道: 4,
  杨庄街道: 3,
  通运街道: 3,
  文景街道: 3,
  潞源街道: 3,
  潞邑街道: 3,
};

const COMPANIES = [
  '运河湾物业服务有限公司',
  '潞河物业管理有限公司',
  '京杭物业服务有限公司',
  '玉带河物业管理有限公司',
  '副中心城市服务有限公司',
  '通和物业服务有限公司',
  '新城悦居物业管理有限公司',
  '北苑安居物业服务有限公司',
];

export interface PropertyDistrict {
  id: string;
  townId: string;
  name: string;
  committee: 'owners_committee' | 'management_committee' | 'none';
  company: string;
  score: number;
  /** Property-management units (管理单元) in the district and how many have each kind of committee. */
  units: number;
  ownersCommittees: number;
  managementCommittees: number;
  geometry: Polygon;
}

type Committee = PropertyDistrict['committee'];

/**
 * 玉桥's units as the seed counts them (45: 16 业委会, 28 物管会, 1 with neither) dealt over its districts: every
 * district has one unit, a few have two. Which district holds which is not in the seed; a seeded shuffle.
 */
function yuqiaoUnits(districts: number, r: Rng): Committee[][] {
  const { total, owners, management } = YUQIAO_UNITS;
  const kinds: Committee[] = [
    ...Array<Committee>(owners).fill('owners_committee'),
    ...Array<Committee>(management).fill('management_committee'),
    ...Array<Committee>(total - owners - management).fill('none'),
  ];
  for (let i = kinds.length - 1; i > 0; i--) {
    const j = Math.floor(r.next() * (i + 1));
    [kinds[i], kinds[j]] = [kinds[j]!, kinds[i]!];
  }
  const out: Committee[][] = Array.from({ length: districts }, (_, i) => [kinds[i]!]);
  kinds.slice(districts).forEach((k, i) => out[Math.floor(((i + 0.5) * districts) / (total - districts))]!.push(k));
  return out;
}

/** A district's own committee type: an owners' committee where it has one, else a management committee. */
const mainCommittee = (units: Committee[]): Committee =>
  units.includes('owners_committee')
    ? 'owners_committee'
    : units.includes('management_committee')
      ? 'management_committee'
      : 'none';

export function buildPropertyDistricts(
  aoiPath: string,
  towns: { id: string; name: string; area: Area }[],
  villages: Village[],
): PropertyDistrict[] {
  // The MapV sample's datum is uncertain; it fits GCJ-02 best (see the raw SOURCES.md), so it is converted as such.
  const aoi = readJson<{ features: Feature<Polygon>[] }>(aoiPath).features.map(
    (f) => turf.centroid(geometryGcjToWgs(f.geometry)).geometry.coordinates,
  );
  const out: PropertyDistrict[] = [];
  for (const town of towns) {
    const count = PROPERTY_DISTRICT_COUNTS[town.name];
    if (!count) continue;
    const r = createRng(`property:${town.id}`, 'mulberry32');
    const seeds: Position[] = [];
    const minGap = Math.sqrt(turf.area(town.area) / count) * 0.5;
    for (const p of aoi) {
      if (seeds.length < count && turf.booleanPointInPolygon(p, town.area) && seeds.every((q) => distM(p, q) > minGap))
        seeds.push(p);
    }
    for (let tries = 0; seeds.length < count && tries < 5000; tries++) {
      const p = randomPointIn(town.area, r);
      if (seeds.every((q) => distM(p, q) > minGap)) seeds.push(p);
    }
    const cells = turf.voronoi(turf.featureCollection(seeds.map((p) => turf.point(p))), { bbox: turf.bbox(town.area) });
    const used = new Map<string, number>();
    const dealt = town.name === '玉桥街道' ? yuqiaoUnits(count, createRng(`units:${town.id}`, 'mulberry32')) : null;
    cells.features.forEach((cell, i) => {
      if (!cell) return;
      const clipped = turf.intersect(turf.featureCollection([cell, town.area]));
      if (!clipped) return;
      // A cut may leave crumbs; a property district is the one piece around its seed.
      const parts = clipped.geometry.type === 'Polygon' ? [clipped.geometry.coordinates] : clipped.geometry.coordinates;
      const main = parts.map((c) => turf.polygon(c)).sort((a, b) => turf.area(b) - turf.area(a))[0]!;
      const v = nearestVillage(seeds[i]!, villages, town.id);
      const base = v ? v.name.replace(/社区$|村$/, '') : town.name;
      const k = (used.get(base) ?? 0) + 1;
      used.set(base, k);
      const roll = r.next();
      // Elsewhere one unit per district, its committee drawn with 玉桥's reported mix (16 : 28 : 1 of 45).
      const units: Committee[] = dealt?.[i] ?? [
        roll < 0.36 ? 'owners_committee' : roll < 0.96 ? 'management_committee' : 'none',
      ];
      out.push({
        id: `p-${town.id}-${String(i + 1).padStart(2, '0')}`,
        townId: town.id,
        name: `${base}${k > 1 ? k : ''}片区`,
        committee: mainCommittee(units),
        company: r.pick(COMPANIES),
        score: Math.round((72 + r.next() * 27) * 10) / 10,
        units: units.length,
        ownersCommittees: units.filter((u) => u === 'owners_committee').length,
        managementCommittees: units.filter((u) => u === 'management_committee').length,
        geometry: main.geometry,
      });
    });
  }
  return out;
}
