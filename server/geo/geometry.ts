// Structural checks of GeoJSON geometry: what a renderer or a point-in-polygon test would trip on.
// Returns the first problem in words, or null.

type Json = unknown;

const isPosition = (p: Json): p is number[] =>
  Array.isArray(p) && p.length >= 2 && p.every((v) => typeof v === 'number' && Number.isFinite(v));

function positionProblem(p: Json, where: string): string | null {
  if (!isPosition(p)) return `${where} is not a [longitude, latitude] pair of finite numbers`;
  const [lon, lat] = p as [number, number];
  if (lon < -180 || lon > 180 || lat < -90 || lat > 90)
    return `${where} (${lon}, ${lat}) is out of range for WGS84 degrees`;
  return null;
}

function ringProblem(ring: Json, where: string): string | null {
  if (!Array.isArray(ring)) return `invalid ring: ${where} is not an array of positions`;
  if (ring.length < 4) return `invalid ring: ${where} has ${ring.length} positions, a closed ring needs at least 4`;
  for (let i = 0; i < ring.length; i++) {
    const problem = positionProblem(ring[i], `${where} position ${i}`);
    if (problem) return `invalid ring: ${problem}`;
  }
  const first = ring[0] as number[];
  const last = ring[ring.length - 1] as number[];
  if (first[0] !== last[0] || first[1] !== last[1])
    return `invalid ring: ${where} is not closed (first and last positions differ)`;
  return null;
}

function polygonProblem(rings: Json, where: string): string | null {
  if (!Array.isArray(rings) || rings.length === 0) return `${where} has no rings`;
  for (let i = 0; i < rings.length; i++) {
    const problem = ringProblem(rings[i], `${where}ring ${i}`);
    if (problem) return problem;
  }
  return null;
}

function lineProblem(line: Json, where: string): string | null {
  if (!Array.isArray(line) || line.length < 2) return `${where}line has fewer than 2 positions`;
  for (let i = 0; i < line.length; i++) {
    const problem = positionProblem(line[i], `${where}position ${i}`);
    if (problem) return problem;
  }
  return null;
}

export function geometryProblem(geometry: Json, allowed: readonly string[]): string | null {
  if (typeof geometry !== 'object' || geometry === null) return 'geometry is missing';
  const { type, coordinates } = geometry as { type?: unknown; coordinates?: Json };
  if (typeof type !== 'string' || !allowed.includes(type)) {
    return `geometry type ${JSON.stringify(type)} is not allowed here (expected ${allowed.join(' or ')})`;
  }
  switch (type) {
    case 'Point':
      return positionProblem(coordinates, 'point');
    case 'LineString':
      return lineProblem(coordinates, '');
    case 'MultiLineString':
      if (!Array.isArray(coordinates) || coordinates.length === 0) return 'MultiLineString has no lines';
      for (let i = 0; i < coordinates.length; i++) {
        const problem = lineProblem(coordinates[i], `line ${i}: `);
        if (problem) return problem;
      }
      return null;
    case 'Polygon':
      return polygonProblem(coordinates, '');
    case 'MultiPolygon':
      if (!Array.isArray(coordinates) || coordinates.length === 0) return 'MultiPolygon has no polygons';
      for (let i = 0; i < coordinates.length; i++) {
        const problem = polygonProblem(coordinates[i], `polygon ${i} `);
        if (problem) return problem;
      }
      return null;
    default:
      return `geometry type ${type} is not supported`;
  }
}
