// Coordinate systems at the edge: everything inside the server is WGS84. gcoord does the standard public
// GCJ-02 / BD-09 inverse transforms (accurate to a metre or two around Beijing).
import gcoord from 'gcoord';
import type { Crs } from '../contract/events';

const SYSTEMS = { wgs84: gcoord.WGS84, gcj02: gcoord.GCJ02, bd09: gcoord.BD09 } as const;

export function toWgs84(lon: number, lat: number, crs: Crs = 'wgs84'): [number, number] {
  if (crs === 'wgs84') return [lon, lat];
  const [x, y] = gcoord.transform([lon, lat], SYSTEMS[crs], gcoord.WGS84) as [number, number];
  // Six decimals (~0.1 m): the transform's own accuracy is a metre; more digits only bloat the log.
  return [Math.round(x * 1e6) / 1e6, Math.round(y * 1e6) / 1e6];
}
