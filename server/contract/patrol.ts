// Patrol coverage on the map: which ~100 m sub-cells of a forest cluster a ranger walked today (Asia/Shanghai
// day). Shared by the route and the client's coverage layer. No Node imports here.
import Type, { type Static } from 'typebox';

/** One forest cluster's visited sub-cells: a regular lon/lat grid, so a cell is its south-west corner. */
export const ClusterVisited = Type.Object({
  clusterId: Type.String(),
  /** Sub-cell size in degrees (longitude, latitude): the same for every cell of the cluster. */
  dLon: Type.Number({ exclusiveMinimum: 0 }),
  dLat: Type.Number({ exclusiveMinimum: 0 }),
  /** Sub-cells of the cluster, visited or not (the denominator of coverageToday). */
  total: Type.Integer({ minimum: 0 }),
  /** South-west corners of the visited sub-cells, flat: [west0, south0, west1, south1, …]. */
  corners: Type.Array(Type.Number()),
});
export type ClusterVisited = Static<typeof ClusterVisited>;

export const PatrolVisited = Type.Object({
  /** The town or forest cluster asked for. */
  area: Type.String(),
  /** The local day the cells were visited on, YYYY-MM-DD. */
  day: Type.String(),
  clusters: Type.Array(ClusterVisited),
});
export type PatrolVisited = Static<typeof PatrolVisited>;
