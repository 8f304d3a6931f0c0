// Reading raw sources and writing canonical layers with fixed precision and stable key order.
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import gcoord from 'gcoord';
import type { Feature, FeatureCollection, Geometry, Position } from 'geojson';

/** 6 decimals of a degree is ~0.1 m: far below the accuracy of any source here. */
const DECIMALS = 6;
const round = (v: number) => Math.round(v * 10 ** DECIMALS) / 10 ** DECIMALS;

export const readJson = <T>(path: string): T => JSON.parse(readFileSync(path, 'utf8')) as T;

export function readCsv(path: string, header = true): Record<string, string>[] | string[][] {
  const lines = readFileSync(path, 'utf8')
    .split(/\r?\n/)
    .filter((l) => l.length > 0);
  // The raw CSVs hold no quoted commas (checked: names are plain Chinese), so a split is enough.
  const rows = lines.map((l) => l.split(','));
  if (!header) return rows;
  const [head, ...body] = rows;
  return body.map((r) => Object.fromEntries(head!.map((h, i) => [h, r[i] ?? ''])));
}

export const gcjToWgs = (p: Position): Position => {
  const [lon, lat] = gcoord.transform([p[0]!, p[1]!], gcoord.GCJ02, gcoord.WGS84) as [number, number];
  return [lon, lat];
};

/** Converts every coordinate of a geometry from GCJ-02 to WGS84. */
export function geometryGcjToWgs<G extends Geometry>(g: G): G {
  return mapCoords(g, gcjToWgs);
}

export function mapCoords<G extends Geometry>(g: G, f: (p: Position) => Position): G {
  const walk = (c: unknown): unknown =>
    typeof (c as number[])[0] === 'number' ? f(c as Position) : (c as unknown[]).map(walk);
  if (g.type === 'GeometryCollection') throw new Error('GeometryCollection not supported');
  return { ...g, coordinates: walk((g as { coordinates: unknown }).coordinates) } as G;
}

/** Rounds coordinates and drops the repeated vertices that rounding may create. */
function cleanGeometry(g: Geometry): Geometry {
  const pt = (p: Position): Position => [round(p[0]!), round(p[1]!)];
  const line = (ps: Position[]) => {
    const out: Position[] = [];
    for (const p of ps.map(pt)) {
      const last = out[out.length - 1];
      if (!last || last[0] !== p[0] || last[1] !== p[1]) out.push(p);
    }
    return out;
  };
  const ring = (ps: Position[]) => {
    const out = line(ps);
    const first = out[0]!;
    const last = out[out.length - 1]!;
    if (first[0] !== last[0] || first[1] !== last[1]) out.push([first[0]!, first[1]!]);
    return out;
  };
  const polygon = (rings: Position[][]) => rings.map(ring).filter((r) => r.length >= 4);
  switch (g.type) {
    case 'Point':
      return { type: 'Point', coordinates: pt(g.coordinates) };
    case 'LineString':
      return { type: 'LineString', coordinates: line(g.coordinates) };
    case 'MultiLineString':
      return { type: 'MultiLineString', coordinates: g.coordinates.map(line) };
    case 'Polygon':
      return { type: 'Polygon', coordinates: polygon(g.coordinates) };
    case 'MultiPolygon': {
      const polys = g.coordinates.map(polygon).filter((p) => p.length > 0);
      return polys.length === 1
        ? { type: 'Polygon', coordinates: polys[0]! }
        : { type: 'MultiPolygon', coordinates: polys };
    }
    default:
      throw new Error(`unsupported geometry ${g.type}`);
  }
}

const roundProps = (v: unknown): unknown => {
  if (typeof v === 'number') return Number.isInteger(v) ? v : Math.round(v * 1e6) / 1e6;
  if (Array.isArray(v)) return v.map(roundProps);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, roundProps(x)]));
  return v;
};

/**
 * Writes a FeatureCollection: one feature per line, so diffs of a rebuilt layer stay readable,
 * features sorted by id so the file does not depend on the order of the work that made it.
 */
export function writeLayer(dir: string, file: string, features: Feature[], meta: Record<string, unknown> = {}): void {
  mkdirSync(dir, { recursive: true });
  const sorted = [...features].sort((a, b) => String(a.properties?.id).localeCompare(String(b.properties?.id), 'en'));
  const lines = sorted.map((f) =>
    JSON.stringify({ type: 'Feature', properties: roundProps(f.properties), geometry: cleanGeometry(f.geometry) }),
  );
  const head = JSON.stringify({ type: 'FeatureCollection', ...meta }).slice(0, -1);
  const body = `${head},"features":[\n${lines.join(',\n')}\n]}\n`;
  writeFileSync(join(dir, file), body);
}

export type FC = FeatureCollection;
