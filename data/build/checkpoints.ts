// Flood checkpoints (防汛): gauges spread along each river and the 碍洪点 named in the domain brief.
import * as turf from '@turf/turf';
import type { Feature, Polygon, Position } from 'geojson';
import { pointAlong, type River } from './hydro';
import { createRng } from '../../server/sim/prng';
import { type Area, offset } from './shapes';

interface Spec {
  river: string;
  share: number; // position along the river's part inside the district (or inside `town`)
  kind: 'gauge' | 'obstruction';
  name?: string; // obstructions are named; gauges take the nearest village's name
  village?: string; // the village the obstruction is named after; it is placed beside it
  town?: string; // keep the point inside this town
}

const SPECS: Spec[] = [
  ...[0.04, 0.2, 0.38, 0.55, 0.72, 0.9].map((share): Spec => ({ river: 'beiyun', share, kind: 'gauge' })),
  ...[0.12, 0.55, 0.9].map((share): Spec => ({ river: 'chaobai', share, kind: 'gauge' })),
  { river: 'chaobai', share: 0.05, kind: 'obstruction', name: '潮白河白庙村碍洪点', village: '白庙村', town: '宋庄镇' },
  {
    river: 'chaobai',
    share: 0.95,
    kind: 'obstruction',
    name: '潮白河师姑庄村碍洪点',
    village: '师姑庄村',
    town: '宋庄镇',
  },
  { river: 'xiaotaihou', share: 0.2, kind: 'obstruction', name: '萧太后河口子村道路涵洞', town: '台湖镇' },
  {
    river: 'xiaotaihou',
    share: 0.65,
    kind: 'obstruction',
    name: '萧太后河前营村高压塔',
    village: '前营村',
    town: '台湖镇',
  },
  { river: 'xiaotaihou', share: 0.9, kind: 'gauge' },
  ...[0.2, 0.55, 0.9].map((share): Spec => ({ river: 'liangshui', share, kind: 'gauge' })),
  ...[0.35, 0.85].map((share): Spec => ({ river: 'wenyu', share, kind: 'gauge' })),
  ...[0.3, 0.8].map((share): Spec => ({ river: 'yunchao', share, kind: 'gauge' })),
];

/** Dry-season water level (m above datum) at the upstream and downstream ends of each river, by hand. */
const BASE_LEVEL: Record<string, [number, number]> = {
  beiyun: [18.0, 9.0],
  chaobai: [20.0, 12.0],
  wenyu: [20.5, 18.5],
  yunchao: [18.0, 16.0],
  liangshui: [17.0, 14.0],
  xiaotaihou: [19.0, 16.0],
};

export interface Checkpoint {
  id: string;
  name?: string;
  riverId: string;
  kind: 'gauge' | 'obstruction';
  at: Position;
  riverKm: number;
  baseLevel: number;
  thresholds: { blue: number; yellow: number; orange: number; red: number };
  warningLevel: number;
  guaranteedLevel: number;
  village?: string;
}

export function buildCheckpoints(
  rivers: River[],
  inner: Feature<Polygon>,
  townByName: Map<string, Area>,
): Checkpoint[] {
  const counters = new Map<string, number>();
  return SPECS.map((spec) => {
    const river = rivers.find((r) => r.id === spec.river)!;
    const within = spec.town
      ? (turf.intersect(turf.featureCollection([townByName.get(spec.town)!, inner])) as Feature<Polygon>)
      : inner;
    const at = pointAlong(river, within, spec.share);
    const riverLen = turf.length(turf.feature(river.line));
    const riverKm = turf.length(turf.lineSlice(river.line.coordinates[0]!, at, river.line));
    const [up, down] = BASE_LEVEL[spec.river]!;
    const r = createRng(`${spec.river}:${spec.share}`, 'mulberry32');
    const baseLevel = up + (down - up) * (riverKm / riverLen);
    // 警戒水位 about 2.5 m and 保证水位 about 3.5 m over the dry-season level, varied per site.
    const warningLevel = baseLevel + 2.2 + r.next() * 0.6;
    const guaranteedLevel = warningLevel + 0.8 + r.next() * 0.4;
    const n = (counters.get(spec.river) ?? 0) + 1;
    counters.set(spec.river, n);
    return {
      id: `cp-${spec.river}-${String(n).padStart(2, '0')}`,
      ...(spec.name ? { name: spec.name } : {}),
      riverId: spec.river,
      kind: spec.kind,
      at,
      riverKm,
      baseLevel,
      // Blue a little under the warning level, yellow at it, orange halfway to the guaranteed level, red at it.
      thresholds: {
        blue: warningLevel - 0.5,
        yellow: warningLevel,
        orange: (warningLevel + guaranteedLevel) / 2,
        red: guaranteedLevel,
      },
      warningLevel,
      guaranteedLevel,
      ...(spec.village ? { village: spec.village } : {}),
    };
  });
}

/** Where a village named after a 碍洪点 stands: a few hundred metres off the river, inland. */
export function villageBeside(cp: Checkpoint, town: Area): Position {
  for (const [e, n] of [
    [-300, 0],
    [0, 300],
    [300, 0],
    [0, -300],
  ] as const) {
    const p = offset(cp.at, e, n);
    if (turf.booleanPointInPolygon(p, town)) return p;
  }
  return cp.at;
}
