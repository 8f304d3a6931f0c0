// Patrol coverage: each forest cluster is cut into square sub-cells (~100 m) at start-up, a regular lon/lat
// grid clipped to the cells whose centre lies inside the cluster; a ranger position of today marks its
// sub-cell visited. "Share of sub-cells visited today" measures how much of the forest was walked, which
// patrol-point check-ins cannot (a ranger can tick every point from the track).

type Ring = number[][];

/** Even-odd test over every ring of every part, so holes count as outside. */
function insidePolygons(polygons: Ring[][], x: number, y: number): boolean {
  let inside = false;
  for (const polygon of polygons) {
    for (const ring of polygon) {
      for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
        const xi = ring[i]![0]!;
        const yi = ring[i]![1]!;
        const xj = ring[j]![0]!;
        const yj = ring[j]![1]!;
        if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
      }
    }
  }
  return inside;
}

const METRES_PER_DEGREE_LAT = 111_320;

export class ClusterCells {
  readonly west: number;
  readonly south: number;
  readonly dLon: number;
  readonly dLat: number;
  readonly cols: number;
  readonly rows: number;
  /** Sub-cell ordinal per grid square, -1 where the square's centre is outside the cluster. */
  private readonly mask: Int32Array;
  /** Local day on which each sub-cell was last visited: comparing with today needs no reset at midnight. */
  readonly visitedDay: Int32Array;
  readonly total: number;

  constructor(geometry: { type: string; coordinates: unknown }, cellM: number) {
    const polygons = (geometry.type === 'Polygon' ? [geometry.coordinates] : geometry.coordinates) as Ring[][];
    let w = Infinity;
    let s = Infinity;
    let e = -Infinity;
    let n = -Infinity;
    for (const polygon of polygons) {
      for (const [x, y] of polygon[0]!) {
        w = Math.min(w, x!);
        e = Math.max(e, x!);
        s = Math.min(s, y!);
        n = Math.max(n, y!);
      }
    }
    this.west = w;
    this.south = s;
    this.dLat = cellM / METRES_PER_DEGREE_LAT;
    this.dLon = cellM / (METRES_PER_DEGREE_LAT * Math.cos((((s + n) / 2) * Math.PI) / 180));
    this.cols = Math.max(1, Math.ceil((e - w) / this.dLon));
    this.rows = Math.max(1, Math.ceil((n - s) / this.dLat));
    this.mask = new Int32Array(this.cols * this.rows).fill(-1);
    let count = 0;
    for (let r = 0; r < this.rows; r++) {
      for (let c = 0; c < this.cols; c++) {
        if (insidePolygons(polygons, w + (c + 0.5) * this.dLon, s + (r + 0.5) * this.dLat))
          this.mask[r * this.cols + c] = count++;
      }
    }
    // A sliver narrower than one sub-cell still needs one, or it could never be covered.
    if (count === 0) this.mask[0] = count++;
    this.total = count;
    this.visitedDay = new Int32Array(count).fill(-1);
  }

  /** The sub-cell holding a point, -1 when the point is outside every sub-cell. */
  cellOf(lon: number, lat: number): number {
    const c = Math.floor((lon - this.west) / this.dLon);
    const r = Math.floor((lat - this.south) / this.dLat);
    if (c < 0 || r < 0 || c >= this.cols || r >= this.rows) return -1;
    return this.mask[r * this.cols + c]!;
  }

  /**
   * South-west corners of the sub-cells visited on `day`, flat [west, south, …]: with dLon / dLat that is
   * the whole square, so the map can draw today's walked forest without the mask.
   */
  visitedCorners(day: number): number[] {
    const out: number[] = [];
    for (let r = 0; r < this.rows; r++) {
      for (let c = 0; c < this.cols; c++) {
        const sub = this.mask[r * this.cols + c]!;
        if (sub >= 0 && this.visitedDay[sub] === day) out.push(this.west + c * this.dLon, this.south + r * this.dLat);
      }
    }
    return out;
  }
}
