// The committed geography (data/geo): valid, consistent, and faithful to what the domain reports.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as turf from '@turf/turf';
import type { Feature, MultiPolygon, Polygon } from 'geojson';
import { beforeAll, describe, expect, it } from 'vitest';
import { LAYER_FILES, LAYER_NAMES, type LayerName } from '../../server/contract/areas';
import { loadGeo, type Geo } from '../../server/geo/load';
import { GEO_DIR } from '../helpers/paths';

type Area = Feature<Polygon | MultiPolygon, Record<string, any>>;
let geo: Geo;
const areas = (name: LayerName) => geo.layers[name].features as unknown as Area[];
const km2 = (f: Area | null | undefined) => (f ? turf.area(f) / 1e6 : 0);
/** Share of f outside container; rounding to 6 decimals (~0.1 m) may leave a few m² along a shared edge. */
const outsideShare = (f: Area, container: Area) => {
  const rest = turf.difference(turf.featureCollection([f, container]));
  const outside = rest ? turf.area(rest) : 0;
  return outside < 50 ? 0 : outside / turf.area(f);
};

beforeAll(async () => {
  geo = await loadGeo(GEO_DIR);
});

describe('every layer', () => {
  it('loads through the start-up validator', () => {
    for (const name of LAYER_NAMES) expect(geo.layers[name].features.length, name).toBeGreaterThan(0);
  });

  it('is plain GeoJSON: a FeatureCollection of Features with properties and geometry', () => {
    for (const name of LAYER_NAMES) {
      const json = JSON.parse(readFileSync(join(GEO_DIR, LAYER_FILES[name]), 'utf8'));
      expect(json.type).toBe('FeatureCollection');
      for (const f of json.features) {
        expect(f.type).toBe('Feature');
        expect(typeof f.properties.id).toBe('string');
        expect(['Point', 'LineString', 'MultiLineString', 'Polygon', 'MultiPolygon']).toContain(f.geometry.type);
      }
    }
  });

  it('has valid polygons: closed rings, no self-intersections', () => {
    for (const name of ['district', 'towns', 'grid', 'property', 'forest', 'neighbors'] as const) {
      for (const f of areas(name)) {
        expect(turf.booleanValid(f), `${name} ${f.properties.id}`).toBe(true);
        expect(turf.kinks(f).features, `${name} ${f.properties.id} self-intersects`).toHaveLength(0);
      }
    }
  });

  it('has unique ids within each layer and unique area keys in the tree', () => {
    for (const name of LAYER_NAMES) {
      const ids = geo.layers[name].features.map((f) => f.properties.id);
      expect(new Set(ids).size, name).toBe(ids.length);
    }
    const keys = Object.keys(geo.tree.nodes);
    expect(new Set(keys).size).toBe(keys.length);
  });
});

describe('towns', () => {
  it('are the 22 township units, 11 streets, 10 towns and 1 ethnic township, all marked synthetic', () => {
    const towns = areas('towns');
    expect(towns).toHaveLength(22);
    const kinds = towns.map((t) => t.properties.kind);
    expect(kinds.filter((k) => k === 'street')).toHaveLength(11);
    expect(kinds.filter((k) => k === 'town')).toHaveLength(10);
    expect(kinds.filter((k) => k === 'township')).toHaveLength(1);
    for (const t of towns) expect(t.properties.synthetic).toBe(true);
    const names = towns.map((t) => t.properties.name);
    for (const n of ['玉桥街道', '杨庄街道', '中仓街道', '张家湾镇', '永乐店镇', '宋庄镇', '于家务回族乡'])
      expect(names).toContain(n);
  });

  it('tile the district: area difference under 0.5 % and no overlaps', () => {
    const district = areas('district')[0]!;
    const towns = areas('towns');
    const sum = towns.reduce((a, t) => a + km2(t), 0);
    const union = turf.union(turf.featureCollection(towns)) as Area;
    const d = km2(district);
    expect(Math.abs(sum - d) / d).toBeLessThan(0.005);
    expect(Math.abs(km2(union) - d) / d).toBeLessThan(0.005);
    // Overlap = what is counted twice in the sum of the parts.
    expect((sum - km2(union)) / d).toBeLessThan(0.001);
  });

  it('each contain their own seat, and every one is a single piece', () => {
    for (const t of areas('towns')) {
      expect(turf.booleanPointInPolygon(t.properties.seat, t), t.properties.name).toBe(true);
      expect(t.geometry.type, t.properties.name).toBe('Polygon');
    }
  });

  it('place the seven newer streets in the urban core, near the old town and the administrative centre', () => {
    const centre = [116.69, 39.905]; // between the old town and the administrative centre
    for (const name of ['潞源街道', '通运街道', '文景街道', '九棵树街道', '临河里街道', '杨庄街道', '潞邑街道']) {
      const t = areas('towns').find((x) => x.properties.name === name)!;
      expect(t.properties.urban, name).toBe(true);
      expect(t.properties.seatSynthetic, name).toBe(true);
      expect(turf.distance(centre, t.properties.seat), name).toBeLessThan(8);
      expect(km2(t), name).toBeLessThan(30);
    }
  });
});

describe('features lie inside the district and their town', () => {
  it('polygons of grid cells, property districts and forest clusters stay within their town', () => {
    const towns = new Map(areas('towns').map((t) => [t.properties.id, t]));
    for (const name of ['grid', 'property', 'forest'] as const) {
      for (const f of areas(name)) {
        expect(outsideShare(f, towns.get(f.properties.townId)!), `${name} ${f.properties.id}`).toBeLessThan(0.001);
      }
    }
  });

  it('towns stay within the district', () => {
    const district = areas('district')[0]!;
    for (const t of areas('towns')) expect(outsideShare(t, district), t.properties.name).toBeLessThan(0.001);
  });

  it('points (villages, checkpoints, patrol points) lie inside the district and their town or cluster', () => {
    const district = areas('district')[0]!;
    const towns = new Map(areas('towns').map((t) => [t.properties.id, t]));
    const clusters = new Map(areas('forest').map((t) => [t.properties.id, t]));
    for (const name of ['villages', 'checkpoints'] as const) {
      for (const p of geo.layers[name].features) {
        const at = p.geometry.coordinates as number[];
        expect(turf.booleanPointInPolygon(at, district), p.properties.id).toBe(true);
        expect(turf.booleanPointInPolygon(at, towns.get(p.properties.townId)!), p.properties.id).toBe(true);
      }
    }
    for (const p of geo.layers.patrolPoints.features) {
      expect(
        turf.booleanPointInPolygon(p.geometry.coordinates as number[], clusters.get(p.properties.clusterId)!),
      ).toBe(true);
    }
  });
});

describe('grid cells', () => {
  it('number several thousand, 250 m in the urban core and 1 km in rural towns', () => {
    const cells = areas('grid');
    expect(cells.length).toBeGreaterThanOrEqual(2000);
    const urban = new Set(
      areas('towns')
        .filter((t) => t.properties.urban)
        .map((t) => t.properties.id),
    );
    for (const c of cells) expect(c.properties.sizeM).toBe(urban.has(c.properties.townId) ? 250 : 1000);
    // An uncut cell (its area fills its bounding box) really is about 250 m or 1 km square.
    for (const size of [250, 1000]) {
      const full = cells.filter(
        (c) => c.properties.sizeM === size && turf.area(c) / turf.area(turf.bboxPolygon(turf.bbox(c))) > 0.999,
      );
      expect(full.length).toBeGreaterThan(100);
      const mean = full.reduce((a, c) => a + turf.area(c), 0) / full.length;
      expect(Math.sqrt(mean) / size).toBeGreaterThan(0.97);
      expect(Math.sqrt(mean) / size).toBeLessThan(1.03);
    }
  });

  it('tile each town', () => {
    const byTown = new Map<string, number>();
    for (const c of areas('grid')) byTown.set(c.properties.townId, (byTown.get(c.properties.townId) ?? 0) + km2(c));
    for (const t of areas('towns')) {
      expect(Math.abs(byTown.get(t.properties.id)! - km2(t)) / km2(t), t.properties.name).toBeLessThan(0.005);
    }
  });

  it('have readable names: town, nearest community of that town, number', () => {
    const towns = new Map(areas('towns').map((t) => [t.properties.id, t.properties.name]));
    const villageNames = new Set(geo.layers.villages.features.map((v) => v.properties.name));
    for (const c of areas('grid')) {
      const [town, community, number] = c.properties.name.split('·');
      expect(town).toBe(towns.get(c.properties.townId));
      expect(villageNames.has(community)).toBe(true);
      // Red grids (红网格) where the seeds give a village's grid book (老槐庄村).
      expect(number).toMatch(/^\d+号(红)?网格$/);
    }
    const names = areas('grid').map((c) => c.properties.name);
    expect(new Set(names).size).toBe(names.length);
  });
});

describe('property districts, forest, rivers and checkpoints', () => {
  it('property districts: at least 60 in urban towns, 41 in 玉桥街道, each with committee, company and score', () => {
    const urban = new Set(
      areas('towns')
        .filter((t) => t.properties.urban)
        .map((t) => t.properties.id),
    );
    const yuqiao = areas('towns').find((t) => t.properties.name === '玉桥街道')!.properties.id;
    const pds = areas('property');
    expect(pds.length).toBeGreaterThanOrEqual(60);
    expect(pds.every((p) => urban.has(p.properties.townId))).toBe(true);
    expect(pds.filter((p) => p.properties.townId === yuqiao)).toHaveLength(41);
    const committees = new Set(pds.map((p) => p.properties.committee));
    expect(committees).toContain('owners_committee');
    expect(committees).toContain('management_committee');
    for (const p of pds) {
      expect(p.properties.company.length).toBeGreaterThan(0);
      expect(p.properties.score).toBeGreaterThanOrEqual(0);
      expect(p.properties.score).toBeLessThanOrEqual(100);
    }
  });

  it('forest: nine clusters in 永乐店 totalling about 3,294.5 mu, plus areas in the other forest-farm towns', () => {
    const yld = areas('towns').find((t) => t.properties.name === '永乐店镇')!.properties.id;
    const clusters = areas('forest');
    const nine = clusters.filter((c) => c.properties.townId === yld);
    expect(nine).toHaveLength(9);
    const mu = nine.reduce((a, c) => a + c.properties.areaMu, 0);
    expect(Math.abs(mu - 3294.5) / 3294.5).toBeLessThan(0.01);
    expect(nine.some((c) => c.properties.name.includes('小务村'))).toBe(true);
    expect(new Set(clusters.map((c) => c.properties.townId)).size).toBe(9);
    for (const c of clusters) {
      // areaMu agrees with the polygon (1 mu = 666.67 m²).
      expect(Math.abs(turf.area(c) / 666.6667 - c.properties.areaMu) / c.properties.areaMu).toBeLessThan(0.01);
      expect(c.properties.chiefRole).toMatch(/林长/);
      const points = geo.layers.patrolPoints.features.filter((p) => p.properties.clusterId === c.properties.id);
      expect(points.length).toBeGreaterThanOrEqual(3);
    }
  });

  it('rivers: 北运河 and 潮白河 from the 1:4M data, the minor rivers schematic and marked approximate', () => {
    const rivers = new Map(geo.layers.rivers.features.map((r) => [r.properties.name, r.properties]));
    expect(rivers.get('北运河')?.approximate).toBe(false);
    expect(rivers.get('潮白河')?.approximate).toBe(false);
    for (const n of ['萧太后河', '凉水河', '运潮减河', '温榆河']) expect(rivers.get(n)?.approximate, n).toBe(true);
  });

  it('checkpoints: at least 20 on the rivers, with the named 碍洪点 and rising thresholds', () => {
    const cps = geo.layers.checkpoints.features.map((c) => ({
      ...c.properties,
      at: c.geometry.coordinates as number[],
    }));
    expect(cps.length).toBeGreaterThanOrEqual(20);
    const rivers = new Map(geo.layers.rivers.features.map((r) => [r.properties.id, r]));
    for (const cp of cps) {
      const t = cp.thresholds;
      expect(t.blue < t.yellow && t.yellow < t.orange && t.orange < t.red, cp.id).toBe(true);
      expect(cp.warningLevel).toBeLessThan(cp.guaranteedLevel);
      // On its river: within about a kilometre of the line (border rivers are nudged inside the district).
      const d = turf.pointToLineDistance(cp.at, rivers.get(cp.riverId) as never, { units: 'kilometers' });
      expect(d, cp.id).toBeLessThan(1);
    }
    const townName = new Map(areas('towns').map((t) => [t.properties.id, t.properties.name]));
    const riverName = new Map(geo.layers.rivers.features.map((r) => [r.properties.id, r.properties.name]));
    for (const [village, river, town] of [
      ['白庙村', '潮白河', '宋庄镇'],
      ['师姑庄村', '潮白河', '宋庄镇'],
      ['口子村', '萧太后河', '台湖镇'],
      ['前营村', '萧太后河', '台湖镇'],
    ] as const) {
      const cp = cps.find((c) => c.name.includes(village.replace(/村$/, '')));
      expect(cp, village).toBeDefined();
      expect(cp!.kind).toBe('obstruction');
      expect(riverName.get(cp!.riverId)).toBe(river);
      expect(townName.get(cp!.townId)).toBe(town);
    }
  });

  it('villages: every committee of the source, each tagged with the town it lies in', () => {
    const villages = geo.layers.villages.features;
    expect(villages.length).toBeGreaterThan(500);
    expect(villages.filter((v) => !v.properties.synthetic).length).toBeGreaterThan(150);
    for (const n of ['老槐庄村', '后青山村', '小务村', '白庙村', '师姑庄村', '前营村', '口子村']) {
      expect(
        villages.some((v) => v.properties.name === n),
        n,
      ).toBe(true);
    }
  });
});
