// Patrol coverage (巡林覆盖): the ~100 m sub-cells of the open town's forest clusters that a ranger walked
// today, as translucent squares over the clusters. The server sends south-west corners and one cell size per
// cluster (GET /api/v1/patrol/visited); the squares are built once per answer.
import { SolidPolygonLayer } from '@deck.gl/layers';
import type { PatrolVisited } from '../../../server/contract/patrol';
import { VISITED_RGBA } from '../palette';

export const COVERAGE_ID = 'patrol-coverage';
/** The map asks again this often while the coverage overlay is on (rangers report every ~10 s). */
export const COVERAGE_REFRESH_MS = 30_000;

export interface VisitedSquare {
  clusterId: string;
  /** Closed ring, flat [lon, lat, …] (positionFormat XY). */
  polygon: Float64Array;
}

export function visitedSquaresOf(visited: PatrolVisited | null): VisitedSquare[] {
  if (!visited) return [];
  const out: VisitedSquare[] = [];
  for (const c of visited.clusters) {
    for (let i = 0; i + 1 < c.corners.length; i += 2) {
      const w = c.corners[i]!;
      const s = c.corners[i + 1]!;
      const e = w + c.dLon;
      const n = s + c.dLat;
      out.push({ clusterId: c.clusterId, polygon: Float64Array.of(w, s, e, s, e, n, w, n, w, s) });
    }
  }
  return out;
}

export interface CoverageLayerProps {
  data: readonly VisitedSquare[];
}

export function createCoverageLayer(p: CoverageLayerProps) {
  return new SolidPolygonLayer<VisitedSquare>({
    id: COVERAGE_ID,
    data: p.data,
    getPolygon: (s) => s.polygon as never,
    positionFormat: 'XY',
    _normalize: false, // squares are simple closed rings: skip deck.gl's polygon normalisation
    getFillColor: VISITED_RGBA,
    pickable: false,
  });
}
