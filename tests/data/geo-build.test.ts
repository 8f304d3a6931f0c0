// The build script: reproducible byte for byte, and its coordinate conversion agrees with an independent
// WGS84 source far better than the raw GCJ-02 outline does.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as turf from '@turf/turf';
import type { Feature, MultiPolygon, Polygon, Position } from 'geojson';
import { afterAll, describe, expect, it } from 'vitest';
import { build } from '../../data/build/build';
import { GEO_DIR, RAW_GEO_DIR, rawSourcesAvailable } from '../helpers/paths';

const haveRaw = rawSourcesAvailable();
const out = mkdtempSync(join(tmpdir(), 'opsmap-geo-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

/**
 * Median distance (m) from the reference outline's vertices to an outline. The median, because the reference
 * is simplified to 101 vertices: a few of them cut corners by hundreds of metres, most sit on the line.
 */
function medianDistanceM(reference: Position[], outline: Feature<Polygon>): number {
  const boundary = turf.polygonToLine(outline) as Feature<never>;
  const d = reference.map((p) => turf.pointToLineDistance(p, boundary, { units: 'meters' })).sort((a, b) => a - b);
  return d[Math.floor(d.length / 2)]!;
}

describe.skipIf(!haveRaw)('data:build', () => {
  it('gives byte-identical files to the committed data/geo (deterministic, and data/geo is current)', () => {
    build(RAW_GEO_DIR, out);
    const files = readdirSync(GEO_DIR)
      .filter((f) => f.endsWith('.geojson'))
      .sort();
    expect(readdirSync(out).sort()).toEqual(files);
    for (const f of files) {
      expect(readFileSync(join(out, f)).equals(readFileSync(join(GEO_DIR, f))), `${f} differs`).toBe(true);
    }
  }, 120_000);

  it('puts the district outline in WGS84: the Tianditu reference fits it far better than the raw GCJ-02 one', () => {
    const tianditu = JSON.parse(
      readFileSync(
        join(RAW_GEO_DIR, 'boundaries', 'tongzhou_and_neighbors_outline_wgs84_tianditu-coarse.geojson'),
        'utf8',
      ),
    ) as { features: Feature<MultiPolygon, { gb: string }>[] };
    const reference = tianditu.features.find((f) => f.properties.gb === '156110112')!.geometry.coordinates.flat(2);
    const ours = JSON.parse(readFileSync(join(GEO_DIR, 'district.geojson'), 'utf8')).features[0];
    const raw = turf.feature(
      JSON.parse(
        readFileSync(join(RAW_GEO_DIR, 'boundaries', 'tongzhou_110112_boundary_gcj02_vonng-adcode.json'), 'utf8'),
      ),
    ) as Feature<Polygon>;
    const oursM = medianDistanceM(reference, ours);
    const rawM = medianDistanceM(reference, raw);
    // GCJ-02 sits ~500 m east and ~120 m north of WGS84 here, mostly along the outline's normal.
    expect(rawM).toBeGreaterThan(200);
    expect(oursM).toBeLessThan(50);
    expect(oursM).toBeLessThan(rawM / 5);
    // And the shift is the expected one: converting moved the outline west and south.
    const [rw, rs] = turf.bbox(raw);
    const [ow, os] = turf.bbox(ours);
    expect(rw - ow).toBeGreaterThan(0.004);
    expect(rs - os).toBeGreaterThan(0.0005);
  });
});
