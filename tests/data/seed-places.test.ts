// The places the domain seeds (DOMAIN.md) give, as the committed data/geo holds them: 杨庄街道's communities,
// 乔庄村 in 玉桥, 玉桥's 18 committees, 老槐庄's 19 red grids, the named parks and sites, 玉桥's 45 property units.
import * as turf from '@turf/turf';
import type { Feature, LineString, MultiPolygon, Polygon } from 'geojson';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadGeo, type Geo } from '../../server/geo/load';
import { GEO_DIR } from '../helpers/paths';

let geo: Geo;
let townId: (name: string) => string;
const villagesOf = (town: string) =>
  geo.layers.villages.features.filter((v) => v.properties.townId === townId(town)).map((v) => v.properties.name);
const village = (name: string) => geo.layers.villages.features.find((v) => v.properties.name === name)!;
const townOf = (id: string) => geo.layers.towns.features.find((t) => t.properties.id === id)!;

beforeAll(async () => {
  geo = await loadGeo(GEO_DIR);
  const ids = new Map(geo.layers.towns.features.map((t) => [t.properties.name, t.properties.id]));
  townId = (name) => ids.get(name)!;
});

describe('杨庄街道 (created after the 2016 list)', () => {
  it.each(['新华联家园南区社区', '新华联家园北区社区', '京贸国际社区', '五里店社区'])(
    'holds %s, and its point lies inside 杨庄街道',
    (name) => {
      const v = village(name);
      expect(v, name).toBeDefined();
      expect(v.properties.townId).toBe(townId('杨庄街道'));
      expect(turf.booleanPointInPolygon(v.geometry.coordinates as number[], townOf(townId('杨庄街道')) as never)).toBe(
        true,
      );
    },
  );

  it('keeps the real office points of 五里店 and 新华联家园北区 (they are not moved)', () => {
    for (const name of ['五里店社区', '新华联家园北区社区'])
      expect(village(name).properties.synthetic, name).toBe(false);
  });

  it('no longer leaves any of them under 北苑 or 九棵树', () => {
    const elsewhere = [...villagesOf('北苑街道'), ...villagesOf('九棵树街道')];
    for (const name of ['新华联家园南区社区', '新华联家园北区社区', '京贸国际社区', '五里店社区'])
      expect(elsewhere).not.toContain(name);
  });
});

describe('玉桥街道', () => {
  it('has 乔庄村 since August 2022', () => {
    expect(village('乔庄村').properties.townId).toBe(townId('玉桥街道'));
  });

  it('has 18 committees: the 17 of its 2016 list and 乔庄村, the five the seed names among them', () => {
    const names = villagesOf('玉桥街道');
    expect(names).toHaveLength(18);
    for (const n of ['玉桥南里社区', '玉桥南里南社区', '玉桥东里社区', '葛布店北里社区', '梨花园社区', '乔庄村'])
      expect(names).toContain(n);
    // Every committee listed under 玉桥 in 2016 (codes 110112004xxx) is still there.
    const listed2016 = geo.layers.villages.features.filter((v) => v.properties.id.startsWith('110112004'));
    expect(listed2016).toHaveLength(17);
    for (const v of listed2016) expect(v.properties.townId, v.properties.name).toBe(townId('玉桥街道'));
  });

  it('has 45 property-management units over its 41 districts: 16 业委会, 28 物管会', () => {
    const pds = geo.layers.property.features.filter((p) => p.properties.townId === townId('玉桥街道'));
    expect(pds).toHaveLength(41);
    const sum = (k: 'units' | 'ownersCommittees' | 'managementCommittees') =>
      pds.reduce((a, p) => a + (p.properties[k] ?? 0), 0);
    expect(sum('units')).toBe(45);
    expect(sum('ownersCommittees')).toBe(16);
    expect(sum('managementCommittees')).toBe(28);
    for (const p of pds) {
      const { units = 0, ownersCommittees = 0, managementCommittees = 0, committee } = p.properties;
      expect(ownersCommittees + managementCommittees).toBeLessThanOrEqual(units);
      // The district's own type agrees with its units.
      expect(committee).toBe(
        ownersCommittees > 0 ? 'owners_committee' : managementCommittees > 0 ? 'management_committee' : 'none',
      );
    }
  });
});

describe('老槐庄村 (永乐店镇)', () => {
  it('has 19 red grids, numbered 1 to 19, all in 永乐店镇', () => {
    const grids = geo.layers.grid.features.filter((c) => c.properties.name.startsWith('永乐店镇·老槐庄村·'));
    expect(grids).toHaveLength(19);
    const numbers = grids.map((c) => Number(/·(\d+)号红网格$/.exec(c.properties.name)?.[1])).sort((a, b) => a - b);
    expect(numbers).toEqual(Array.from({ length: 19 }, (_, i) => i + 1));
    for (const c of grids) expect(c.properties.townId).toBe(townId('永乐店镇'));
  });

  it('the red grids lie around the village and do not overlap', () => {
    const grids = geo.layers.grid.features.filter((c) =>
      c.properties.name.startsWith('永乐店镇·老槐庄村·'),
    ) as unknown as Feature<Polygon | MultiPolygon>[];
    const at = village('老槐庄村').geometry.coordinates as number[];
    expect(grids.some((g) => turf.booleanPointInPolygon(at, g))).toBe(true);
    const sum = grids.reduce((a, g) => a + turf.area(g), 0);
    const union = turf.union(turf.featureCollection(grids))!;
    expect((sum - turf.area(union)) / sum).toBeLessThan(0.001);
  });
});

describe('landmarks', () => {
  const landmark = (name: string) => geo.layers.landmarks.features.find((l) => l.properties.name === name);

  it('lists every park and site the seeds name, each marked approximate and sourced', () => {
    for (const name of ['和乐公园', '大运河森林公园', '运河公园', '三庙一塔', '张家湾设计小镇']) {
      const l = landmark(name);
      expect(l, name).toBeDefined();
      expect(l!.properties.approximate).toBe(true);
      expect(l!.properties.source).toMatch(/DOMAIN\.md/);
    }
  });

  it('puts 和乐公园 in 玉桥 near 玉桥南里 and 张家湾设计小镇 in 张家湾镇', () => {
    expect(landmark('和乐公园')!.properties.townId).toBe(townId('玉桥街道'));
    const d = turf.distance(
      landmark('和乐公园')!.geometry.coordinates as number[],
      village('玉桥南里社区').geometry.coordinates as number[],
    );
    expect(d).toBeLessThan(0.8);
    expect(landmark('张家湾设计小镇')!.properties.townId).toBe(townId('张家湾镇'));
  });

  it('puts the canal parks beside the 北运河 (within the 1:4M line’s ~1 km accuracy)', () => {
    const canal = geo.layers.rivers.features.find((r) => r.properties.name === '北运河')!;
    for (const name of ['大运河森林公园', '运河公园']) {
      const d = turf.pointToLineDistance(
        landmark(name)!.geometry.coordinates as number[],
        canal as Feature<LineString>,
      );
      expect(d, name).toBeLessThan(1.5);
    }
  });
});
