// The layers as they are sent (coordinates cut to 5 decimals) must decode to the same areas: the same ids and
// properties, every vertex within half the last decimal of the file's, and every area's interior point still
// inside its own decoded polygon, so a click, a choropleth fill and the server's placement agree.
import * as turf from '@turf/turf';
import { beforeAll, describe, expect, it } from 'vitest';
import { LAYER_NAMES, LAYER_SPECS, type LayerName } from '../../server/contract/areas';
import { SERVED_DECIMALS, SERVED_TOLERANCE_DEG, servedLayer } from '../../server/geo/compact';
import { interiorPoint } from '../../server/geo/interior';
import { loadGeo, type Geo, type GeoLayers } from '../../server/geo/load';
import { createLocator } from '../../server/geo/locate';
import { GEO_DIR } from '../helpers/paths';

let geo: Geo;
/** Each layer as a client reads it: served, serialised, parsed. */
let decoded: GeoLayers;
beforeAll(async () => {
  geo = await loadGeo(GEO_DIR);
  decoded = Object.fromEntries(
    LAYER_NAMES.map((name) => [name, JSON.parse(JSON.stringify(servedLayer(geo.layers[name])))]),
  ) as GeoLayers;
});

type Nested = number | Nested[];

/** The largest coordinate difference between two geometries; Infinity when their nesting differs. */
function maxDeviation(a: Nested, b: Nested): number {
  if (typeof a === 'number' || typeof b === 'number') {
    return typeof a === 'number' && typeof b === 'number' ? Math.abs(a - b) : Infinity;
  }
  if (a.length !== b.length) return Infinity;
  return a.reduce<number>((max, v, i) => Math.max(max, maxDeviation(v, b[i]!)), 0);
}

const POLYGON_LAYERS = LAYER_NAMES.filter((n) =>
  (LAYER_SPECS[n].geometry as readonly string[]).includes('Polygon'),
) as LayerName[];

describe('servedLayer', () => {
  it('rounds to the served decimals and prints the shortest decimal', () => {
    const layer = {
      type: 'FeatureCollection' as const,
      features: [
        {
          type: 'Feature' as const,
          properties: { id: 'a' },
          geometry: { type: 'Point' as const, coordinates: [116.6524194, 39.894249] },
        },
      ],
    };
    expect(SERVED_DECIMALS).toBe(5);
    expect(JSON.stringify(servedLayer(layer).features[0]!.geometry.coordinates)).toBe('[116.65242,39.89425]');
    // The input is not touched: the server keeps the exact geometry for placing events.
    expect(layer.features[0]!.geometry.coordinates).toEqual([116.6524194, 39.894249]);
  });

  it.each(LAYER_NAMES)('%s decodes to the same features, each vertex within the tolerance', (name) => {
    const original = geo.layers[name].features;
    const sent = decoded[name].features;
    expect(sent.map((f) => f.properties.id)).toEqual(original.map((f) => f.properties.id));
    let worst = 0;
    original.forEach((f, i) => {
      const g = sent[i]!;
      expect(g.properties).toEqual(f.properties);
      expect(g.geometry.type).toBe(f.geometry.type);
      worst = Math.max(worst, maxDeviation(f.geometry.coordinates, g.geometry.coordinates));
    });
    // A hair over half the last decimal: the rounded decimal itself is the nearest double, not exact.
    expect(worst).toBeLessThanOrEqual(SERVED_TOLERANCE_DEG + 1e-12);
    // The data has six decimals, so a layer where nothing moved would mean nothing was rounded.
    if (name === 'grid') expect(worst).toBeGreaterThan(SERVED_TOLERANCE_DEG / 10);
  });

  it.each(POLYGON_LAYERS)('%s: every area keeps its interior point inside its decoded polygon', (name) => {
    const outside: string[] = [];
    geo.layers[name].features.forEach((f, i) => {
      const p = interiorPoint(f.geometry);
      if (!turf.booleanPointInPolygon(p, decoded[name].features[i] as never)) outside.push(f.properties.id);
    });
    expect(outside).toEqual([]);
  });

  it('a locator built from the decoded layers places every grid cell’s interior point in that cell', () => {
    const locator = createLocator({ ...geo, layers: decoded });
    const misplaced: string[] = [];
    for (const f of geo.layers.grid.features) {
      const [lon, lat] = interiorPoint(f.geometry);
      if (locator.locate(lon, lat)?.gridId !== f.properties.id) misplaced.push(f.properties.id);
    }
    expect(geo.layers.grid.features.length).toBeGreaterThan(1000);
    expect(misplaced).toEqual([]);
  });
});
