// Where a point lies, by the server's own locator over the town polygons: the leakage and permission tests
// judge "located in 宋庄镇" by geometry, not by the fields the server chose to send.
import type { AreaKey } from '../../server/contract/areas';
import type { Geo } from '../../server/geo/load';
import { createLocator } from '../../server/geo/locate';

/** The town key a WGS84 point lies in, or undefined outside every town. */
export function townLocator(geo: Geo): (lon: number, lat: number) => AreaKey | undefined {
  const locator = createLocator(geo);
  return (lon, lat) => {
    const townId = locator.locate(lon, lat)?.townId;
    return townId ? (`town:${townId}` as AreaKey) : undefined;
  };
}

/** Points inside a town (a lattice over its bbox, kept where the locator agrees), for events placed there. */
export function pointsInTown(geo: Geo, town: AreaKey, count: number): { lon: number; lat: number }[] {
  const node = geo.tree.nodes[town];
  if (!node) throw new Error(`no town ${town}`);
  const townAt = townLocator(geo);
  const [west, south, east, north] = node.bbox;
  const out: { lon: number; lat: number }[] = [];
  for (let n = 8; out.length < count && n <= 64; n *= 2) {
    out.length = 0;
    for (let i = 1; i < n && out.length < count; i++) {
      for (let j = 1; j < n && out.length < count; j++) {
        const lon = west + ((east - west) * i) / n;
        const lat = south + ((north - south) * j) / n;
        if (townAt(lon, lat) === town) out.push({ lon, lat });
      }
    }
  }
  if (out.length < count) throw new Error(`found only ${out.length} points in ${town}`);
  return out;
}
