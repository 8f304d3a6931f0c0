// The start-up loader: a broken or inconsistent layer stops the start with a message that names the file,
// the feature and the problem, so a deployment bringing its own boundaries knows what to fix.
import { cpSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LAYER_FILES } from '../../server/contract/areas';
import { GeoLoadError, loadGeo } from '../../server/geo/load';
import { GEO_DIR } from '../helpers/paths';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A copy of data/geo with one layer edited. */
function broken(file: string, edit: (fc: any) => void): string {
  const dir = mkdtempSync(join(tmpdir(), 'opsmap-geo-bad-'));
  dirs.push(dir);
  cpSync(GEO_DIR, dir, { recursive: true });
  const path = join(dir, file);
  const fc = JSON.parse(readFileSync(path, 'utf8'));
  edit(fc);
  writeFileSync(path, JSON.stringify(fc));
  return dir;
}

async function problemOf(dir: string): Promise<string> {
  try {
    await loadGeo(dir);
  } catch (e) {
    expect(e).toBeInstanceOf(GeoLoadError);
    return (e as Error).message;
  }
  throw new Error('loadGeo accepted a broken layer');
}

describe('loadGeo', () => {
  it('loads the committed layers and builds the area tree', async () => {
    const geo = await loadGeo(GEO_DIR);
    expect(geo.tree.root).toBe('district:110112');
    expect(geo.tree.children['district:110112']).toHaveLength(22);
    const yuqiao = geo.layers.towns.features.find((t) => t.properties.name === '玉桥街道')!.properties.id;
    const kids = geo.tree.children[`town:${yuqiao}`]!;
    expect(kids.filter((k) => k.startsWith('property:'))).toHaveLength(41);
    expect(kids.some((k) => k.startsWith('grid:'))).toBe(true);
    for (const k of kids) expect(geo.tree.nodes[k]!.parent).toBe(`town:${yuqiao}`);
  });

  it('names an invalid ring: not closed', async () => {
    const dir = broken(LAYER_FILES.towns, (fc) => {
      fc.features[3].geometry.coordinates[0].pop();
    });
    expect(await problemOf(dir)).toMatch(/towns\.geojson: feature 3 \(id \d+\): invalid ring: ring 0 is not closed/);
  });

  it('names an invalid ring: too few positions', async () => {
    const dir = broken(LAYER_FILES.grid, (fc) => {
      fc.features[10].geometry = {
        type: 'Polygon',
        coordinates: [
          [
            [116.7, 39.8],
            [116.71, 39.8],
            [116.7, 39.8],
          ],
        ],
      };
    });
    expect(await problemOf(dir)).toMatch(
      /grid-cells\.geojson: feature 10 \(id g-[\w-]+\): invalid ring: ring 0 has 3 positions/,
    );
  });

  it('names a feature outside the district', async () => {
    const dir = broken(LAYER_FILES.villages, (fc) => {
      fc.features[0].geometry.coordinates = [116.3, 39.9]; // western Beijing
    });
    expect(await problemOf(dir)).toMatch(/villages\.geojson: feature \d+: feature outside the district/);
  });

  it('names an unknown town', async () => {
    const dir = broken(LAYER_FILES.grid, (fc) => {
      fc.features[5].properties.townId = '110112999';
    });
    expect(await problemOf(dir)).toMatch(/grid-cells\.geojson: feature g-[\w-]+: unknown town 110112999/);
  });

  it('names a feature that lies in another town than it says', async () => {
    const dir = broken(LAYER_FILES.property, (fc) => {
      const other = fc.features.find((f: any) => f.properties.townId !== fc.features[0].properties.townId);
      fc.features[0].properties.townId = other.properties.townId;
    });
    expect(await problemOf(dir)).toMatch(/property-districts\.geojson: feature p-[\w-]+: lies outside its town/);
  });

  it('names a duplicate id', async () => {
    const dir = broken(LAYER_FILES.forest, (fc) => {
      fc.features[1].properties.id = fc.features[0].properties.id;
    });
    expect(await problemOf(dir)).toMatch(/forest-clusters\.geojson: feature 1 \(id f-[\w-]+\): duplicate id/);
  });

  it('names a missing or mistyped property, with its path', async () => {
    const dir = broken(LAYER_FILES.checkpoints, (fc) => {
      delete fc.features[2].properties.riverId;
      fc.features[4].properties.thresholds.red = 'high';
    });
    const message = await problemOf(dir);
    expect(message).toMatch(/checkpoints\.geojson: feature 2 \(id cp-[\w-]+\): property \/riverId/);
    expect(message).toMatch(/checkpoints\.geojson: feature 4 \(id cp-[\w-]+\): property \/thresholds\/red/);
  });

  it('names thresholds that do not rise', async () => {
    const dir = broken(LAYER_FILES.checkpoints, (fc) => {
      const t = fc.features[0].properties.thresholds;
      [t.yellow, t.orange] = [t.orange, t.yellow];
    });
    expect(await problemOf(dir)).toMatch(/checkpoints\.geojson: feature cp-[\w-]+: thresholds must rise/);
  });

  it('names a wrong geometry type', async () => {
    const dir = broken(LAYER_FILES.rivers, (fc) => {
      fc.features[0].geometry = { type: 'Point', coordinates: [116.7, 39.9] };
    });
    expect(await problemOf(dir)).toMatch(
      /rivers\.geojson: feature 0 \(id \w+\): geometry type "Point" is not allowed here/,
    );
  });

  it('names a file that is not JSON, or not a FeatureCollection, or missing', async () => {
    let dir = broken(LAYER_FILES.towns, () => {});
    writeFileSync(join(dir, LAYER_FILES.towns), '{"type": "FeatureCollection", "features": [');
    expect(await problemOf(dir)).toMatch(/towns\.geojson: not valid JSON/);
    dir = broken(LAYER_FILES.towns, (fc) => {
      fc.type = 'Feature';
    });
    expect(await problemOf(dir)).toMatch(/towns\.geojson: not a GeoJSON FeatureCollection/);
    dir = broken(LAYER_FILES.towns, () => {});
    unlinkSync(join(dir, LAYER_FILES.patrolPoints));
    expect(await problemOf(dir)).toMatch(/patrol-points\.geojson: cannot be read \(ENOENT\)/);
  });

  it('reads a missing landmarks file as an empty layer (a deployment may bring none), but checks one it brings', async () => {
    let dir = broken(LAYER_FILES.landmarks, () => {});
    unlinkSync(join(dir, LAYER_FILES.landmarks));
    const geo = await loadGeo(dir);
    expect(geo.layers.landmarks.features).toEqual([]);
    dir = broken(LAYER_FILES.landmarks, (fc) => {
      fc.features[0].properties.townId = '110112117'; // 永乐店镇, far from every landmark
    });
    expect(await problemOf(dir)).toMatch(/landmarks\.geojson: feature lm-[\w-]+: lies outside its town 110112117/);
    dir = broken(LAYER_FILES.landmarks, (fc) => {
      delete fc.features[0].properties.approximate;
    });
    expect(await problemOf(dir)).toMatch(/landmarks\.geojson: feature 0 \(id lm-[\w-]+\): property/);
  });
});
