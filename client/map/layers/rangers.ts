// Rangers (护林员): live positions coloured by state, and each one's trail of the last 30 minutes fading by
// age (per-vertex alpha). Trails are long (a point every ~10 s), so the map rebuilds them on a slow clock
// (TRAIL_REFRESH_MS) while the positions follow every delta.
import { LineLayer, ScatterplotLayer } from '@deck.gl/layers';
import type { IncidentObject, RangerObject, TrailPoint } from '../../../server/contract/live';
import type { ThemeName } from '../../view/url';
import { INCIDENT_RGBA, LAYER_THEMES, RANGER_RGBA, rangerState, type Rgba } from '../palette';

export const RANGERS_ID = 'rangers';
export const RANGER_TRAILS_ID = 'ranger-trails';
export const INCIDENTS_ID = 'incidents';

export const TRAIL_MS = 30 * 60_000;
/** Trails are cut into pieces again at most this often; the fade moves a few per cent between rebuilds. */
export const TRAIL_REFRESH_MS = 5_000;

export const rangersOf = (rangers: ReadonlyMap<string, RangerObject>): RangerObject[] => [...rangers.values()];
export const incidentsOf = (incidents: ReadonlyMap<string, IncidentObject>): IncidentObject[] => [
  ...incidents.values(),
];

/** Opacity of a trail point of age `ageMs`: full at the ranger, gone at TRAIL_MS. */
export function trailAlpha(ageMs: number): number {
  if (ageMs <= 0) return 230;
  if (ageMs >= TRAIL_MS) return 0;
  return Math.round(230 * (1 - ageMs / TRAIL_MS));
}

export interface Trail {
  id: string;
  /** Flat [lon, lat, lon, lat, …], oldest first: deck.gl copies typed arrays straight into its buffers. */
  path: Float64Array;
  /** Flat RGBA per point (faded by age), same order. */
  colors: Uint8ClampedArray;
}

/** Trails as of `now`: points older than TRAIL_MS dropped, the rest faded; rangers without a trail left out. */
export function trailsOf(rangers: Iterable<RangerObject>, now: number): Trail[] {
  const out: Trail[] = [];
  for (const r of rangers) {
    const points = r.trail as readonly TrailPoint[];
    // Oldest first: skip what has aged out, keep the rest.
    let first = 0;
    while (first < points.length && now - points[first]![2] >= TRAIL_MS) first++;
    const n = points.length - first;
    if (n < 2) continue;
    const [cr, cg, cb] = RANGER_RGBA[rangerState(r)];
    const path = new Float64Array(n * 2);
    const colors = new Uint8ClampedArray(n * 4);
    for (let i = 0; i < n; i++) {
      const p = points[first + i]!;
      path[i * 2] = p[0];
      path[i * 2 + 1] = p[1];
      colors[i * 4] = cr;
      colors[i * 4 + 1] = cg;
      colors[i * 4 + 2] = cb;
      colors[i * 4 + 3] = trailAlpha(now - p[2]);
    }
    out.push({ id: r.id, path, colors });
  }
  return out;
}

export interface RangerTrailProps {
  data: readonly Trail[];
}

/** Every trail cut into its straight pieces: piece i runs from `from[2i..]` to `to[2i..]` in `colors[4i..]`. */
export interface TrailPieces {
  length: number;
  from: Float64Array;
  to: Float64Array;
  /** The colour of each piece's newer end: the fade steps by a point's age, about 1 % a piece. */
  colors: Uint8ClampedArray;
}

const piecesCache = new WeakMap<readonly Trail[], TrailPieces>();

/** The pieces of a list of trails, cut once per list (the map makes a new list every TRAIL_REFRESH_MS). */
export function trailPiecesOf(trails: readonly Trail[]): TrailPieces {
  const cached = piecesCache.get(trails);
  if (cached) return cached;
  const length = trails.reduce((n, t) => n + t.path.length / 2 - 1, 0);
  const pieces: TrailPieces = {
    length,
    from: new Float64Array(length * 2),
    to: new Float64Array(length * 2),
    colors: new Uint8ClampedArray(length * 4),
  };
  let k = 0;
  for (const t of trails) {
    for (let i = 1; i < t.path.length / 2; i++, k++) {
      pieces.from.set(t.path.subarray((i - 1) * 2, i * 2), k * 2);
      pieces.to.set(t.path.subarray(i * 2, i * 2 + 2), k * 2);
      pieces.colors.set(t.colors.subarray(i * 4, i * 4 + 4), k * 4);
    }
  }
  piecesCache.set(trails, pieces);
  return pieces;
}

/**
 * Trails as straight pieces (deck.gl's LineLayer), not paths: a PathLayer's vertex shader works out a join and
 * caps for every segment, and 200 half-hour trails (36,000 segments) took seconds a frame under software
 * WebGL (docs/BENCHMARKS.md). At 3 pixels a join needs no rounding to read as one line.
 */
export function createRangerTrailLayer(p: RangerTrailProps) {
  const pieces = trailPiecesOf(p.data);
  return new LineLayer<null>({
    id: RANGER_TRAILS_ID,
    data: { length: pieces.length },
    getSourcePosition: (_, { index }) => pieces.from.subarray(index * 2, index * 2 + 2) as never,
    getTargetPosition: (_, { index }) => pieces.to.subarray(index * 2, index * 2 + 2) as never,
    getColor: (_, { index }) => pieces.colors.subarray(index * 4, index * 4 + 4) as never,
    getWidth: 3,
    widthUnits: 'pixels',
    pickable: false,
  });
}

export interface RangerLayerProps {
  data: readonly RangerObject[];
  theme: ThemeName;
}

export const rangerColor = (r: Pick<RangerObject, 'status' | 'signalLost'>): Rgba => RANGER_RGBA[rangerState(r)];

export function createRangerLayer(p: RangerLayerProps) {
  return new ScatterplotLayer<RangerObject>({
    id: RANGERS_ID,
    data: p.data,
    getPosition: (r) => r.position,
    getFillColor: rangerColor,
    getRadius: 6,
    radiusUnits: 'pixels',
    stroked: true,
    getLineColor: LAYER_THEMES[p.theme].outline,
    lineWidthUnits: 'pixels',
    getLineWidth: 2,
    pickable: true,
    updateTriggers: { getLineColor: [p.theme] },
  });
}

export interface IncidentLayerProps {
  data: readonly IncidentObject[];
  theme: ThemeName;
}

export const incidentColor = (i: Pick<IncidentObject, 'severity'>): Rgba => INCIDENT_RGBA[i.severity];

export function createIncidentLayer(p: IncidentLayerProps) {
  return new ScatterplotLayer<IncidentObject>({
    id: INCIDENTS_ID,
    data: p.data,
    getPosition: (i) => i.position,
    getFillColor: incidentColor,
    getRadius: 7,
    radiusUnits: 'pixels',
    stroked: true,
    // The text colour rings incidents: dark on the desk, light on the wall, apart from the rangers' rings.
    getLineColor: LAYER_THEMES[p.theme].text,
    lineWidthUnits: 'pixels',
    getLineWidth: 2,
    pickable: true,
    updateTriggers: { getLineColor: [p.theme] },
  });
}
