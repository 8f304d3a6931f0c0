// Locate must agree with a plain polygon test over every feature (turf), point for point.
import * as turf from '@turf/turf';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadGeo, type Geo } from '../../server/geo/load';
import { createLocator, type Locator } from '../../server/geo/locate';
import { createRng } from '../../server/sim/prng';
import { GEO_DIR } from '../helpers/paths';

let geo: Geo;
let locator: Locator;
beforeAll(async () => {
  geo = await loadGeo(GEO_DIR);
  locator = createLocator(geo);
});

/** The reference answer: test the point against every feature of every layer. */
function naive(lon: number, lat: number) {
  const hit = (features: { properties: { id: string } }[]) =>
    features.find((f) => turf.booleanPointInPolygon([lon, lat], f as never))?.properties.id;
  if (!hit(geo.layers.district.features)) return null;
  const place: Record<string, string> = {};
  const town = hit(geo.layers.towns.features);
  const grid = hit(geo.layers.grid.features);
  const property = hit(geo.layers.property.features);
  const forest = hit(geo.layers.forest.features);
  if (town) place.townId = town;
  if (grid) place.gridId = grid;
  if (property) place.propertyId = property;
  if (forest) place.forestId = forest;
  return place;
}

describe('locate', () => {
  it('places each town seat in its own town, in a grid cell of that town', () => {
    for (const t of geo.layers.towns.features) {
      const [lon, lat] = t.properties.seat;
      const place = locator.locate(lon, lat);
      expect(place?.townId, t.properties.name).toBe(t.properties.id);
      expect(place?.gridId, t.properties.name).toMatch(new RegExp(`^g-${t.properties.id}-`));
    }
  });

  it('agrees with the naive test over all polygons on 3,000 random points around the district', () => {
    const [w, s, e, n] = turf.bbox(geo.layers.district.features[0] as never);
    const random = createRng(7);
    const rnd = () => random.next();
    let inside = 0;
    for (let i = 0; i < 3000; i++) {
      const lon = w + (e - w) * rnd();
      const lat = s + (n - s) * rnd();
      const expected = naive(lon, lat);
      // A point exactly on a shared edge may go either way; random doubles essentially never are.
      expect(locator.locate(lon, lat), `${lon},${lat}`).toEqual(expected);
      if (expected) inside++;
    }
    expect(inside).toBeGreaterThan(1000);
  });

  it('finds property districts and forest clusters at their interior points', () => {
    for (const layer of ['property', 'forest'] as const) {
      for (const f of geo.layers[layer].features) {
        const [lon, lat] = turf.pointOnFeature(f as never).geometry.coordinates as [number, number];
        const place = locator.locate(lon, lat)!;
        expect(layer === 'property' ? place.propertyId : place.forestId).toBe(f.properties.id);
        expect(place.townId).toBe(f.properties.townId);
      }
    }
  });

  it('returns null outside the district', () => {
    expect(locator.locate(116.39, 39.91)).toBeNull(); // Tiananmen
    expect(locator.locate(117.2, 39.13)).toBeNull(); // Tianjin
  });
});
