// A point strictly inside a polygon, away from its edges: for placement checks and labels. A centroid can fall
// outside a concave shape and turf's pointOnFeature may return a point on the boundary, which is ambiguous
// against the neighbouring polygon. This takes the middle of the widest horizontal run through the shape.
type Ring = number[][];
type PolygonCoords = Ring[];

function widestRun(polygon: PolygonCoords, y: number): { x: number; width: number } | null {
  const xs: number[] = [];
  for (const ring of polygon) {
    for (let i = 0; i + 1 < ring.length; i++) {
      const [x1, y1] = ring[i] as [number, number];
      const [x2, y2] = ring[i + 1] as [number, number];
      // Half-open rule so a vertex exactly on the scan line is counted once.
      if (y1 <= y !== y2 <= y) xs.push(x1 + ((y - y1) * (x2 - x1)) / (y2 - y1));
    }
  }
  xs.sort((a, b) => a - b);
  let best: { x: number; width: number } | null = null;
  for (let i = 0; i + 1 < xs.length; i += 2) {
    const width = xs[i + 1]! - xs[i]!;
    if (!best || width > best.width) best = { x: (xs[i]! + xs[i + 1]!) / 2, width };
  }
  return best;
}

export function interiorPoint(geometry: { type: 'Polygon' | 'MultiPolygon'; coordinates: unknown }): [number, number] {
  const polygons = (geometry.type === 'Polygon' ? [geometry.coordinates] : geometry.coordinates) as PolygonCoords[];
  let best: { x: number; y: number; width: number } | null = null;
  for (const polygon of polygons) {
    let minY = Infinity;
    let maxY = -Infinity;
    for (const [, y] of polygon[0] as Ring) {
      minY = Math.min(minY, y!);
      maxY = Math.max(maxY, y!);
    }
    for (const share of [0.5, 0.3, 0.7, 0.15, 0.85, 0.4, 0.6]) {
      const y = minY + (maxY - minY) * share;
      const run = widestRun(polygon, y);
      if (run && (!best || run.width > best.width)) best = { x: run.x, y, width: run.width };
    }
  }
  if (!best) throw new Error('polygon has no interior');
  return [best.x, best.y];
}
