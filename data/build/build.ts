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
import { buildPropertyDistricts } from './property';
import { buildForest } from './forest';

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

  const grid = buildGrid(towns, villages);
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
  selfCheck(outDir);
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

if (import.meta.url === `file://${process.argv[1]}`) {
  build(resolve(process.env.RAW_GEO_DIR ?? '../shared/data/geo'), resolve(process.argv[2] ?? 'data/geo'));
}
