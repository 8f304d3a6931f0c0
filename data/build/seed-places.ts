// Places and figures that the domain seeds (shared/docs/DOMAIN.md, from local reporting) give and the open
// sources get wrong or lack: the 2016 committee list predates 杨庄街道 and the 2022 transfer of 乔庄村, it has
// no grid books and no parks. Each entry says what it rests on; data/SOURCES.md lists them and what is
// approximate. The build checks every one of them against its own output (checkSeedPlaces) and stops if it fails.
import type { Position } from 'geojson';

/** A committee of the 2016 list that now belongs to another unit than the 2016 rule gives. */
export interface TownCorrection {
  /** 12-digit committee code in the 2016 list; the build checks the name against it. */
  code: string;
  name: string;
  town: string;
  basis: string;
}

export const TOWN_CORRECTIONS: readonly TownCorrection[] = [
  { code: '110112003013', name: '五里店社区居委会', town: '杨庄街道', basis: 'seed: 杨庄街道 holds 五里店' },
  {
    code: '110112003017',
    name: '新华联家园北区社区居委会',
    town: '杨庄街道',
    basis: 'seed: 杨庄街道 holds 新华联家园北区',
  },
  { code: '110112003019', name: '京贸国际社区居委会', town: '杨庄街道', basis: 'seed: 杨庄街道 holds 京贸国际' },
  {
    code: '110112006001',
    name: '新华联家园南区社区居委会',
    town: '杨庄街道',
    basis: 'seed: 杨庄街道 holds 新华联家园南区',
  },
  { code: '110112005221', name: '乔庄村村委会', town: '玉桥街道', basis: 'seed: moved to 玉桥街道 in August 2022' },
];

/**
 * Committees per unit as the seeds give them. 玉桥: 18 = the 17 committees of its 2016 list plus 乔庄村; the
 * seed gives the count and five names (all in the 2016 list), not the full list.
 */
export const SEED_COMMITTEE_COUNTS: Readonly<Record<string, number>> = { 玉桥街道: 18 };

/** Villages whose grid book the seeds give: 老槐庄村 is split into 19 "red grids" (红网格). */
export const RED_GRIDS: Readonly<Record<string, { town: string; count: number }>> = {
  老槐庄村: { town: '永乐店镇', count: 19 },
};

export type LandmarkKind = 'park' | 'heritage' | 'district';

export interface SeedLandmark {
  id: string;
  name: string;
  kind: LandmarkKind;
  /** GCJ-02, as a Chinese web map gives it; placed by hand from the described location, ±0.5–1 km. */
  atGcj: Position;
  /** What the seeds say about it, and how the point was chosen. */
  note: string;
}

/**
 * The parks and sites the seeds name. None has an open geometry in the raw folder, so each is a hand-placed
 * point (approximate: true), not an outline.
 */
export const SEED_LANDMARKS: readonly SeedLandmark[] = [
  {
    id: 'lm-heyue-park',
    name: '和乐公园',
    kind: 'park',
    atGcj: [116.6832, 39.8882],
    note: 'a small park made from the 玉桥南里 square; placed just south-east of the 玉桥南里 committee point',
  },
  {
    id: 'lm-grand-canal-forest-park',
    name: '大运河森林公园',
    kind: 'park',
    atGcj: [116.7165, 39.8825],
    note: 'along the 北运河 (大运河); placed on the canal south-east of the old town, where the park lies',
  },
  {
    id: 'lm-canal-park',
    name: '运河公园',
    kind: 'park',
    atGcj: [116.6935, 39.9075],
    note: 'along the 北运河 (大运河); placed on the canal bank east of the old town',
  },
  {
    id: 'lm-three-temples-one-pagoda',
    name: '三庙一塔',
    kind: 'heritage',
    atGcj: [116.6755, 39.9155],
    note: 'named site; the 燃灯塔 and its temples stand at the north end of the old town by the canal',
  },
  {
    id: 'lm-zhangjiawan-design-town',
    name: '张家湾设计小镇',
    kind: 'district',
    atGcj: [116.7, 39.8495],
    note: 'named site in 张家湾镇; placed north-west of the town seat',
  },
];

/**
 * 玉桥街道's property-management units (DOMAIN.md): 45 units (44, plus 乔庄村 since August 2022), 16 with an
 * owners' committee (业委会) and 28 with a property-management committee (物管会); the seed leaves one unit
 * without either. The units are spread over its 41 assessment districts; which district holds which unit is
 * not in the seeds, so that split is made here.
 */
export const YUQIAO_UNITS = { total: 45, owners: 16, management: 28 } as const;
