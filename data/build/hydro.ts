// Rivers and flood checkpoints. 北运河 and 潮白河 come from the national 1:4M data; the minor rivers have no open
// geometry at a usable scale and are schematic lines drawn by hand through known places (approximate: true).
import * as turf from '@turf/turf';
import type { Feature, LineString, Polygon, Position } from 'geojson';
import type { RawGeo } from './sources';
import { offset } from './shapes';

export interface River {
  id: string;
  name: string;
  line: LineString;
  approximate: boolean;
  source: string;
}

const NGCC = 'NGCC 1:4,000,000 national fundamental geographic data (via happyhangs/webgis)';
const HAND = 'schematic, drawn by hand for Ops Map; not surveyed';

/** Hand-drawn WGS84 vertices, upstream first. */
const SCHEMATIC: Record<string, { name: string; points: Position[]; joins?: string }> = {
  wenyu: {
    // Upper course of the canal, down from the north-west to where the 1:4M 北运河 line begins.
    name: '温榆河',
    points: [
      [116.566, 40.03],
      [116.585, 40.004],
      [116.603, 39.981],
      [116.624, 39.958],
      [116.645, 39.934],
    ],
  },
  yunchao: {
    // 运潮减河: a relief channel from the canal at 北关 east to the 潮白河.
    name: '运潮减河',
    points: [
      [116.688, 39.909],
      [116.712, 39.915],
      [116.737, 39.921],
      [116.758, 39.925],
    ],
    joins: 'chaobai',
  },
  liangshui: {
    // 凉水河: from 大兴 past 马驹桥 north-east to the canal at 张家湾.
    name: '凉水河',
    points: [
      [116.527, 39.775],
      [116.552, 39.762],
      [116.58, 39.768],
      [116.612, 39.786],
      [116.648, 39.806],
      [116.684, 39.82],
      [116.718, 39.833],
    ],
    joins: 'beiyun',
  },
  xiaotaihou: {
    // 萧太后河: from 朝阳 through 台湖 (口子村, 前营村) into the 凉水河.
    name: '萧太后河',
    points: [
      [116.566, 39.862],
      [116.59, 39.853],
      [116.6081, 39.8477], // 口子村 (its real position, converted to WGS84)
      [116.632, 39.843],
      [116.655, 39.836],
      [116.672, 39.826],
    ],
    joins: 'liangshui',
  },
};

const reverse = (l: LineString): LineString => ({ type: 'LineString', coordinates: [...l.coordinates].reverse() });

/** Rivers clipped to the district's surroundings (the 1:4M lines run on to Tianjin and beyond). */
export function buildRivers(raw: RawGeo): River[] {
  const [w, s, e, n] = turf.bbox(turf.feature(raw.district));
  const frame = turf.bboxPolygon([w - 0.03, s - 0.03, e + 0.03, n + 0.03]);
  const clip = (line: LineString): LineString => {
    const inside = line.coordinates.filter((p) => turf.booleanPointInPolygon(p, frame));
    return { type: 'LineString', coordinates: inside };
  };
  const ngcc = (match: string) => raw.ngccRivers.find((r) => r.name.startsWith(match))!.line;
  const rivers: River[] = [
    // The 1:4M line runs downstream-up from Tianjin; reverse it so every river is drawn upstream first.
    { id: 'beiyun', name: '北运河', line: reverse(clip(ngcc('北运河'))), approximate: false, source: NGCC },
    { id: 'chaobai', name: '潮白河', line: clip(ngcc('潮白河')), approximate: false, source: NGCC },
  ];
  for (const [id, spec] of Object.entries(SCHEMATIC)) {
    const points = [...spec.points];
    if (spec.joins) {
      // End the schematic line on the river it flows into, so confluences meet on the map.
      const target = rivers.find((r) => r.id === spec.joins)!;
      const end = turf.nearestPointOnLine(target.line, points[points.length - 1]!);
      points.push(end.geometry.coordinates);
    }
    rivers.push({
      id,
      name: spec.name,
      line: { type: 'LineString', coordinates: points },
      approximate: true,
      source: HAND,
    });
  }
  return rivers;
}

/** Nudges (m east, m north) tried in turn when a river sample lies just outside the area: border rivers. */
const NUDGES: [number, number][] = [
  [0, 0],
  [-300, 0],
  [300, 0],
  [0, 300],
  [0, -300],
  [-700, 0],
  [700, 0],
  [0, 700],
  [0, -700],
];

/**
 * A point at a share of the river's length, counted only over the stretch that runs inside `within` or along
 * its edge (a border river such as the 潮白河 is nudged a few hundred metres inland; the 1:4M line is only good
 * to about 1 km anyway).
 */
export function pointAlong(river: River, within: Feature<Polygon>, share: number): Position {
  const len = turf.length(turf.feature(river.line), { units: 'kilometers' });
  const step = 0.05;
  const inside: Position[] = [];
  for (let d = 0; d <= len; d += step) {
    const p = turf.along(river.line, d, { units: 'kilometers' }).geometry.coordinates;
    for (const [e, n] of NUDGES) {
      const q = offset(p, e, n);
      if (turf.booleanPointInPolygon(q, within)) {
        inside.push(q);
        break;
      }
    }
  }
  if (inside.length === 0) throw new Error(`river ${river.name} has no part inside the area`);
  return inside[Math.min(inside.length - 1, Math.floor(share * inside.length))]!;
}
