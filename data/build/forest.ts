// Forest clusters (林区组团) and their patrol points. 永乐店's peri-urban forest has nine clusters over ten
// villages, 3,294.5 mu in all (DOMAIN.md); the other towns that run collective forest farms get two forest
// areas each. Shapes and places are synthetic.
import * as turf from '@turf/turf';
import type { Feature, MultiPolygon, Polygon, Position } from 'geojson';
import { createRng } from '../../server/sim/prng';
import { type Area, areaMu, blob, distM, offset, randomPointIn } from './shapes';
import type { Village } from './villages';

export const YONGLEDIAN_TOTAL_MU = 3294.5;
const MU_M2 = 10_000 / 15;
const ORDINALS = ['一', '二', '三', '四', '五', '六', '七', '八', '九'];
/** Towns besides 永乐店 that run collective forest farms (9 in all with it). */
export const FOREST_FARM_TOWNS = [
  '宋庄镇',
  '张家湾镇',
  '漷县镇',
  '马驹桥镇',
  '西集镇',
  '台湖镇',
  '潞城镇',
  '于家务回族乡',
];

export interface ForestCluster {
  id: string;
  townId: string;
  name: string;
  chiefRole: string;
  areaMu: number;
  geometry: Polygon | MultiPolygon;
  patrolPoints: { id: string; name: string; at: Position }[];
}

export function buildForest(
  towns: { id: string; name: string; area: Area; seat: Position }[],
  villages: Village[],
): ForestCluster[] {
  const out: ForestCluster[] = [];
  const taken: Feature<Polygon>[] = [];
  const free = (shape: Feature<Polygon>, town: Area) =>
    turf.booleanWithin(shape, town) && taken.every((t) => !turf.booleanIntersects(t, shape));

  const yld = towns.find((t) => t.name === '永乐店镇')!;
  const r = createRng('forest:yongledian', 'mulberry32');
  const weights = ORDINALS.map(() => 0.7 + r.next() * 0.6);
  const total = weights.reduce((a, b) => a + b, 0);
  const hosts = villages
    .filter((v) => v.townId === yld.id)
    .sort((a, b) => (a.name === '小务村' ? -1 : b.name === '小务村' ? 1 : a.id.localeCompare(b.id)));
  let next = 0;
  ORDINALS.forEach((ord, i) => {
    const target = (weights[i]! / total) * YONGLEDIAN_TOTAL_MU * MU_M2;
    // Each cluster lies beside one of the forest's villages, a few hundred metres off the houses.
    for (; next < hosts.length * 4; next++) {
      const host = hosts[next % hosts.length]!;
      const a = r.next() * Math.PI * 2;
      const centre = offset(host.at, Math.cos(a) * 600, Math.sin(a) * 600);
      const shape = blob(centre, target, r);
      if (!free(shape, yld.area)) continue;
      taken.push(shape);
      next++;
      const id = `f-${yld.id}-${String(i + 1).padStart(2, '0')}`;
      out.push(cluster(id, yld.id, `永乐店第${ord}组团·${host.name}`, `村级林长·${host.name}`, shape));
      return;
    }
    throw new Error(`no room for 永乐店 cluster ${ord}`);
  });

  for (const name of FOREST_FARM_TOWNS) {
    const town = towns.find((t) => t.name === name)!;
    const tr = createRng(`forest:${town.id}`, 'mulberry32');
    for (let k = 1; k <= 2; k++) {
      // Small towns (carved down by the new streets) get smaller forests: at most an eighth of their land.
      const target = Math.min((1200 + tr.next() * 2800) * MU_M2, turf.area(town.area) / 8);
      const seatGap = Math.min(1500, Math.sqrt(turf.area(town.area)) / 5);
      let placed = false;
      for (let tries = 0; tries < 500 && !placed; tries++) {
        const centre = randomPointIn(town.area, tr);
        if (distM(centre, town.seat) < seatGap) continue; // forest farms lie out in the fields, not at the seat
        const shape = blob(centre, target, tr);
        if (!free(shape, town.area)) continue;
        taken.push(shape);
        placed = true;
        const short = name.replace(/(镇|回族乡)$/, '');
        out.push(
          cluster(
            `f-${town.id}-${String(k).padStart(2, '0')}`,
            town.id,
            `${short}集体林场${ORDINALS[k - 1]}号林区`,
            `镇级林长·${name}`,
            shape,
          ),
        );
      }
      if (!placed) throw new Error(`no room for a forest area in ${name}`);
    }
  }
  return out;
}

function cluster(id: string, townId: string, name: string, chiefRole: string, shape: Feature<Polygon>): ForestCluster {
  const r = createRng(`patrol:${id}`, 'mulberry32');
  const count = 5 + Math.floor(r.next() * 4);
  const patrolPoints = Array.from({ length: count }, (_, i) => ({
    id: `pp-${id.slice(2)}-${i + 1}`,
    name: `${name}·${i + 1}号巡护点`,
    at: randomPointIn(shape, r),
  }));
  return { id, townId, name, chiefRole, areaMu: areaMu(shape), geometry: shape.geometry, patrolPoints };
}
