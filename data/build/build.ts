// npm run data:build [-- OUT_DIR]: raw geography (../shared/data/geo) → canonical WGS84 layers (data/geo).
// Deterministic: seeded randomness, fixed rounding and sorted output, so two runs give the same bytes.
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import * as turf from '@turf/turf';
import type { Feature, Polygon } from 'geojson';
import { LAYER_FILES } from '../../server/contract/areas';
import { readRaw } from './sources';
import { writeLayer } from './io';
import { synthesiseTowns, townSeeds, URBAN_TOWN_NAMES } from './towns';
import { buildRivers } from './hydro';
import { buildCheckpoints, villageBeside } from './checkpoints';
import { nearestVillage, placeVillages, townAt, type Anchors } from './villages';
import { buildGrid } from './grid';
import { splitRedGrids } from './red-grids';
import { buildPropertyDistricts } from './property';
import { buildForest } from './forest';
import { gcjToWgs } from './io';
import { RED_GRIDS, SEED_COMMITTEE_COUNTS, SEED_LANDMARKS, TOWN_CORRECTIONS, YUQIAO_UNITS } from './seed-places';

const ATTRIBUTION = 'Vonng/adcode (CC BY 4.0), data © AMap; converted from GCJ-02 to WGS84';

export function build(rawDir: string, outDir: string): void {
  const raw = readRaw(rawDir);
  const district = turf.feature(raw.district);
  const write = (file: string, features: Feature[], meta?: Record<string, unknown>) =>
    writeLayer(outDir, file, features, meta);

  write(LAYER_FILES.district, [
    turf.feature(raw.district, {
      id: '110112',
      name: '通州区',
      source: 'Vonng/adcode data/fences/110112.json',
      attribution: ATTRIBUTION,
    }),
  ]);
  write(
    LAYER_FILES.neighbors,
    raw.neighbors.map((n) => turf.feature(n.geometry, { id: n.id, name: n.name })),
    { attribution: ATTRIBUTION },
  );

  // Towns
  const seeds = townSeeds(raw);
  const townAreas = synthesiseTowns(raw, seeds);
  const towns = seeds.map((s) => ({
    id: s.town.id,
    name: s.town.name,
    urban: s.town.unitType === '街道' || URBAN_TOWN_NAMES.has(s.town.name),
    seat: s.seat,
    area: townAreas.get(s.town.id)!,
  }));
  const townByName = new Map(towns.map((t) => [t.name, t.area]));
  write(
    LAYER_FILES.towns,
    seeds.map((s, i) =>
      turf.feature(towns[i]!.area.geometry, {
        id: s.town.id,
        code12: s.town.code12,
        name: s.town.name,
        kind: s.town.unitType === '街道' ? 'street' : s.town.unitType === '镇' ? 'town' : 'township',
        urban: towns[i]!.urban,
        seat: s.seat,
        synthetic: true,
        seatSynthetic: s.seatSynthetic,
      }),
    ),
  );

  // Rivers and checkpoints; the villages named after 碍洪点 are placed beside them.
  const rivers = buildRivers(raw);
  write(
    LAYER_FILES.rivers,
    rivers.map((r) => turf.feature(r.line, { id: r.id, name: r.name, approximate: r.approximate, source: r.source })),
  );
  const inner = turf.buffer(district, -0.15, { units: 'kilometers' }) as Feature<Polygon>;
  const checkpoints = buildCheckpoints(rivers, inner, townByName);
  const anchors: Anchors = new Map();
  for (const cp of checkpoints) {
    if (!cp.village) continue;
    anchors.set(cp.village, villageBeside(cp, townAreas.get(townAt(cp.at, townAreas)!)!));
  }

  const villages = placeVillages(raw.villages, seeds, townAreas, anchors);
  write(
    LAYER_FILES.villages,
    villages.map((v) =>
      turf.point(v.at, { id: v.id, name: v.name, kind: v.kind, townId: v.townId, synthetic: v.synthetic }),
    ),
  );

  const riverName = new Map(rivers.map((r) => [r.id, r.name]));
  write(
    LAYER_FILES.checkpoints,
    checkpoints.map((cp) => {
      const townId = townAt(cp.at, townAreas)!;
      const name = cp.name ?? `${riverName.get(cp.riverId)}${nearestVillage(cp.at, villages)?.name ?? ''}水位站`;
      return turf.point(cp.at, {
        id: cp.id,
        name,
        riverId: cp.riverId,
        kind: cp.kind,
        townId,
        riverKm: cp.riverKm,
        baseLevel: cp.baseLevel,
        thresholds: cp.thresholds,
        warningLevel: cp.warningLevel,
        guaranteedLevel: cp.guaranteedLevel,
        synthetic: true,
      });
    }),
  );

  const grid = splitRedGrids(buildGrid(towns, villages), towns, villages);
  write(
    LAYER_FILES.grid,
    grid.map((c) =>
      turf.feature(c.geometry, {
        id: c.id,
        townId: c.townId,
        name: c.name,
        sizeM: c.sizeM,
        col: c.col,
        row: c.row,
        synthetic: true,
      }),
    ),
  );

  const property = buildPropertyDistricts(
    join(rawDir, 'landuse', 'tongzhou_residential_aoi_polygons_mapv.geojson'),
    towns,
    villages,
  );
  write(
    LAYER_FILES.property,
    property.map((p) =>
      turf.feature(p.geometry, {
        id: p.id,
        townId: p.townId,
        name: p.name,
        committee: p.committee,
        company: p.company,
        score: p.score,
        units: p.units,
        ownersCommittees: p.ownersCommittees,
        managementCommittees: p.managementCommittees,
        synthetic: true,
      }),
    ),
  );

  const forest = buildForest(towns, villages);
  write(
    LAYER_FILES.forest,
    forest.map((f) =>
      turf.feature(f.geometry, {
        id: f.id,
        townId: f.townId,
        name: f.name,
        chiefRole: f.chiefRole,
        areaMu: f.areaMu,
        synthetic: true,
      }),
    ),
  );
  write(
    LAYER_FILES.patrolPoints,
    forest.flatMap((f) => f.patrolPoints.map((p) => turf.point(p.at, { id: p.id, clusterId: f.id, name: p.name }))),
  );
  write(
    LAYER_FILES.landmarks,
    SEED_LANDMARKS.map((l) => {
      const at = gcjToWgs(l.atGcj);
      const townId = townAt(at, townAreas);
      if (!townId) throw new Error(`landmark ${l.name} lies outside the district`);
      return turf.point(at, {
        id: l.id,
        name: l.name,
        kind: l.kind,
        townId,
        approximate: true,
        source: `the seeds (DOMAIN.md) name it: ${l.note}`,
      });
    }),
  );
  selfCheck(outDir);
  checkSeedPlaces(outDir);
  console.log(
    `data:build → ${outDir}: ${towns.length} towns, ${villages.length} villages, ${grid.length} grid cells, ` +
      `${property.length} property districts, ${forest.length} forest clusters, ${checkpoints.length} checkpoints`,
  );
}

/** The build refuses to leave an invalid polygon behind: rounding or a clip can make one. */
function selfCheck(outDir: string): void {
  for (const file of [
    LAYER_FILES.district,
    LAYER_FILES.towns,
    LAYER_FILES.grid,
    LAYER_FILES.property,
    LAYER_FILES.forest,
  ]) {
    const fc = JSON.parse(readFileSync(join(outDir, file), 'utf8')) as { features: Feature<Polygon>[] };
    const bad = fc.features.filter((f) => !turf.booleanValid(f) || turf.kinks(f).features.length > 0);
    if (bad.length > 0) throw new Error(`${file}: invalid polygons ${bad.map((f) => f.properties?.id).join(', ')}`);
  }
}

/** The build stops rather than publish data that contradicts a seed figure it was made to honour. */
function checkSeedPlaces(outDir: string): void {
  type Props = Record<string, string | number>;
  const read = (file: string) =>
    (JSON.parse(readFileSync(join(outDir, file), 'utf8')) as { features: { properties: Props }[] }).features.map(
      (f) => f.properties,
    );
  const townId = new Map(read(LAYER_FILES.towns).map((t) => [t.name, t.id]));
  const villages = read(LAYER_FILES.villages);
  const problems: string[] = [];
  for (const c of TOWN_CORRECTIONS) {
    const v = villages.find((x) => x.id === c.code);
    if (v?.townId !== townId.get(c.town)) problems.push(`${c.name} is not in ${c.town}`);
  }
  for (const [town, n] of Object.entries(SEED_COMMITTEE_COUNTS)) {
    const got = villages.filter((v) => v.townId === townId.get(town)).length;
    if (got !== n) problems.push(`${town} has ${got} committees, the seed says ${n}`);
  }
  const grid = read(LAYER_FILES.grid);
  for (const [village, { town, count }] of Object.entries(RED_GRIDS)) {
    const got = grid.filter((c) => String(c.name).startsWith(`${town}·${village}·`)).length;
    if (got !== count) problems.push(`${village} has ${got} grid cells, the seed says ${count}`);
  }
  const yuqiao = read(LAYER_FILES.property).filter((p) => p.townId === townId.get('玉桥街道'));
  const sum = (k: string) => yuqiao.reduce((a, p) => a + Number(p[k]), 0);
  const units = [sum('units'), sum('ownersCommittees'), sum('managementCommittees')].join('/');
  if (units !== `${YUQIAO_UNITS.total}/${YUQIAO_UNITS.owners}/${YUQIAO_UNITS.management}`)
    problems.push(`玉桥街道's property units are ${units}`);
  if (problems.length > 0) throw new Error(`data:build contradicts the seeds: ${problems.join('; ')}`);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  build(resolve(process.env.RAW_GEO_DIR ?? '../shared/data/geo'), resolve(process.argv[2] ?? 'data/geo'));
}
