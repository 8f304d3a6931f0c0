// The raw inputs, read from ../shared/data/geo (or RAW_GEO_DIR) and converted to WGS84 where they are GCJ-02.
import { join } from 'node:path';
import type { Feature, LineString, MultiPolygon, Polygon, Position } from 'geojson';
import { gcjToWgs, geometryGcjToWgs, readCsv, readJson } from './io';

export interface RawTown {
  id: string; // 9-digit code
  code12: string;
  name: string;
  unitType: string; // 街道 / 镇 / 乡
  seat?: Position; // WGS84, when the source has one
}

export interface RawVillage {
  id: string; // 12-digit code
  name: string; // as in the source, e.g. 白庙村委会
  town2016: string; // township name in the 2016 snapshot, e.g. 永顺地区办事处
  at?: Position; // WGS84, for the 160-odd rows that have a coordinate
}

export interface RawGeo {
  district: Polygon;
  neighbors: { id: string; name: string; geometry: Polygon | MultiPolygon }[];
  tiandituDistrict: Polygon | MultiPolygon;
  towns: RawTown[];
  villages: RawVillage[];
  ngccRivers: { name: string; line: LineString }[];
}

const NEIGHBOR_NAMES: Record<string, string> = {
  '110105': '朝阳区',
  '110113': '顺义区',
  '110115': '大兴区',
  '120114': '武清区',
  '131024': '香河县',
  '131028': '大厂回族自治县',
  '131082': '三河市',
};

export function readRaw(rawDir: string): RawGeo {
  const p = (...parts: string[]) => join(rawDir, ...parts);
  const district = geometryGcjToWgs(
    readJson<Polygon>(p('boundaries', 'tongzhou_110112_boundary_gcj02_vonng-adcode.json')),
  );
  const neighbors = Object.entries(NEIGHBOR_NAMES).map(([id, name]) => ({
    id,
    name,
    geometry: geometryGcjToWgs(
      readJson<Polygon | MultiPolygon>(p('boundaries', 'neighbors_gcj02_vonng', `${id}.json`)),
    ),
  }));
  const tianditu = readJson<{ features: Feature<Polygon | MultiPolygon, { gb: string }>[] }>(
    p('boundaries', 'tongzhou_and_neighbors_outline_wgs84_tianditu-coarse.geojson'),
  );
  const tiandituDistrict = tianditu.features.find((f) => f.properties.gb === '156110112')!.geometry;

  const towns = (readCsv(p('admin_units', 'tongzhou_22_township_units.csv')) as Record<string, string>[]).map(
    (r): RawTown => {
      const lng = Number(r.seat_lng_gcj02);
      const lat = Number(r.seat_lat_gcj02);
      return {
        id: r.code9!,
        code12: r.code12!,
        name: r.name!,
        unitType: r.unit_type!,
        ...(r.seat_lng_gcj02 ? { seat: gcjToWgs([lng, lat]) } : {}),
      };
    },
  );

  // Columns (no header): code, parent, name, level, rank, adcode, post_code, area_code, ur_code, municipality,
  // virtual, dummy, longitude, latitude, center, province, city, county, town, village
  const rows = readCsv(p('admin_units', 'vonng_adcode_110112_2016.csv'), false) as string[][];
  const villages = rows
    .filter((r) => r[3] === 'village')
    .map((r): RawVillage => {
      const lng = Number(r[12]);
      const lat = Number(r[13]);
      return {
        id: r[0]!,
        name: r[2]!,
        town2016: r[18]!,
        ...(r[12] ? { at: gcjToWgs([lng, lat]) } : {}),
      };
    });

  const rivers = readJson<{ features: Feature<LineString, { NAME: string }>[] }>(
    p('hydro', 'rivers_ngcc_1to4M_tongzhou_area.geojson'),
  );
  const ngccRivers = rivers.features.map((f) => ({ name: f.properties.NAME, line: f.geometry }));
  return { district, neighbors, tiandituDistrict, towns, villages, ngccRivers };
}
