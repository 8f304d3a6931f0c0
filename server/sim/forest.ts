// Forest patrols (巡林): rangers on daytime shifts walk their cluster, a GPS fix every ~10 s, check in at each
// patrol point once per patrol, sometimes report an incident, then end the patrol. Every position stays inside
// the cluster polygon: legs that would cut across a concave edge detour through an interior point.
import type { Severity } from '../contract/events';
import { INCIDENT_SEVERITY, INCIDENT_TEXT } from './catalog';
import { beijing, nextMidnight } from './clock';
import { HOUR_MS, MINUTE_MS, SECOND_MS } from '../contract/time';
import type { SimClock } from './context';
import type { Cluster, PatrolPoint, Places } from './places';
import type { Rng } from './prng';
import type { PatrolParams } from './scenarios';
import { bearingDeg, distanceM, offsetM, type LonLat } from './shapes';

export interface ForestModel {
  start(): void;
}

interface Ranger {
  id: string;
  cluster: Cluster;
  rng: Rng;
  battery: number;
}

interface Waypoint {
  at: LonLat;
  point?: PatrolPoint;
}

const INCIDENT_TYPES = Object.keys(INCIDENT_TEXT) as (keyof typeof INCIDENT_TEXT)[];
const SEVERITIES: readonly Severity[] = ['high', 'medium', 'low'];
/** Seconds a thin step walks (the thin part of a long backfill, engine.ts `detailFrom`). */
const THIN_STEP_S = 120;
/** Median hours until an incident is dealt with: a fire risk is cleared at once, pests wait for a crew. */
const RESOLVE_MEDIAN_H: Record<Severity, number> = { high: 1.5, medium: 4, low: 12 };

export function createForestModel(
  clock: SimClock,
  places: Places,
  p: PatrolParams,
  rng: Rng,
  districtRain: (t: number) => number,
): ForestModel {
  const clusters = [...places.clusters].sort((a, b) => a.id.localeCompare(b.id)).filter((c) => c.points.length > 0);
  const rangers: Ranger[] = clusters.flatMap((cluster) =>
    Array.from({ length: p.rangersPerCluster }, (_, k) => {
      const id = `rg-${cluster.id}-${k + 1}`;
      return { id, cluster, rng: rng.fork(id), battery: 100 };
    }),
  );

  const round6 = (x: number): number => Math.round(x * 1e6) / 1e6;

  /** A leg a → b that stays inside the cluster: straight when it can, through a detour point when not. */
  function route(r: Ranger, a: LonLat, b: LonLat): LonLat[] {
    const { shape, anchor } = r.cluster;
    const g = r.rng;
    // Rangers do not walk ruler-straight lines between points; a third of the legs bend through the woods.
    if (g.chance(0.35)) {
      const c = shape.randomPoint(g, anchor);
      if (
        distanceM(a, c) + distanceM(c, b) < 1.6 * distanceM(a, b) + 100 &&
        shape.containsSegment(a, c) &&
        shape.containsSegment(c, b)
      )
        return [c, b];
    }
    if (shape.containsSegment(a, b)) return [b];
    for (let i = 0; i < 30; i++) {
      const c = shape.randomPoint(g, anchor);
      if (shape.containsSegment(a, c) && shape.containsSegment(c, b)) return [c, b];
    }
    if (shape.containsSegment(a, anchor) && shape.containsSegment(anchor, b)) return [anchor, b];
    return [b]; // no clean path found: the emitter skips any fix that would fall outside
  }

  /** Patrol points in nearest-neighbour order from the start: how a ranger walks a round. */
  function tour(from: LonLat, points: readonly PatrolPoint[]): PatrolPoint[] {
    const left = [...points];
    const out: PatrolPoint[] = [];
    let here = from;
    while (left.length > 0) {
      let best = 0;
      for (let i = 1; i < left.length; i++)
        if (distanceM(here, left[i]!.at) < distanceM(here, left[best]!.at)) best = i;
      const next = left.splice(best, 1)[0]!;
      out.push(next);
      here = next.at;
    }
    return out;
  }

  function startPatrol(r: Ranger, endAt: number): void {
    if (districtRain(clock.now) > p.stopAboveRainMmH) return; // called in: nobody patrols in a downpour
    const g = r.rng;
    const c = r.cluster;
    const patrolId = `${clock.runId}-P${String(clock.serial('patrol')).padStart(5, '0')}`;
    const startedAt = clock.now;
    let pos = c.shape.randomPoint(g, c.anchor);
    const speed = Math.min(2, Math.max(0.6, g.normal(p.speedMs, 0.15)));
    const waypoints: Waypoint[] = [];
    let from = pos;
    for (const pt of tour(pos, c.points)) {
      const legs = route(r, from, pt.at);
      legs.forEach((at, k) => waypoints.push(k === legs.length - 1 ? { at, point: pt } : { at }));
      from = pt.at;
    }
    let next = 0;
    let dwellUntil = 0;
    const gap = g.chance(p.signalGapShare);
    const gapStart = startedAt + g.range(0.2, 0.8) * (endAt - startedAt);
    const gapEnd = gapStart + g.range(5, 20) * MINUTE_MS;

    const fix = (at: LonLat): { lon: number; lat: number } | null => {
      // GPS scatter of a few metres; a scattered fix outside the polygon falls back to the true position.
      const noisy = offsetM(at, g.normal(0, 3), g.normal(0, 3));
      for (const q of [noisy, at]) {
        const lon = round6(q[0]);
        const lat = round6(q[1]);
        if (c.shape.contains(lon, lat)) return { lon, lat };
      }
      return null;
    };

    clock.emit({
      ...clock.envelope('ranger_app'),
      kind: 'patrol.started',
      patrolId,
      rangerId: r.id,
      clusterId: c.id,
      ...locationOf(fix(pos)),
    });

    const step = (): void => {
      const t = clock.now;
      if (t >= endAt) {
        clock.emit({ ...clock.envelope('ranger_app'), kind: 'patrol.ended', patrolId, rangerId: r.id });
        return;
      }
      // The thin part of a run walks in long steps and sends no fix: check-ins, incidents and the patrol's
      // end come as usual, at a few minutes' precision.
      const thin = clock.thin;
      const dt = thin ? THIN_STEP_S : p.positionEveryS + g.int(-1, 1);
      const prev = pos;
      let moving = false;
      if (t >= dwellUntil) {
        let budget = speed * dt;
        while (budget > 0) {
          if (next >= waypoints.length) {
            // Every point checked in: wander the cluster until the shift's patrol time is up.
            for (const at of route(r, pos, c.shape.randomPoint(g, c.anchor))) waypoints.push({ at });
          }
          const wp = waypoints[next]!;
          const d = distanceM(pos, wp.at);
          if (d <= budget) {
            pos = wp.at;
            budget -= d;
            next++;
            moving = true;
            if (wp.point) {
              clock.emit({
                ...clock.envelope('ranger_app'),
                kind: 'patrol.checkin',
                rangerId: r.id,
                patrolId,
                pointId: wp.point.id,
                location: { lon: wp.point.at[0], lat: wp.point.at[1] },
              });
              dwellUntil = t + g.range(p.dwellMin[0], p.dwellMin[1]) * MINUTE_MS;
              break;
            }
          } else {
            const f = budget / d;
            pos = [pos[0] + (wp.at[0] - pos[0]) * f, pos[1] + (wp.at[1] - pos[1]) * f];
            budget = 0;
            moving = true;
          }
        }
      }
      if (thin) {
        if (g.chance((p.incidentsPerPatrolHour * dt) / 3600)) {
          const location = fix(pos);
          if (location) incident(r, patrolId, location);
        }
        clock.at(t + dt * SECOND_MS, step);
        return;
      }
      r.battery = Math.max(1, r.battery - (dt / 3600) * g.range(4, 8));
      const silent = gap && t >= gapStart && t < gapEnd;
      const location = silent ? null : fix(pos);
      if (location) {
        const moved = distanceM(prev, pos);
        clock.emit({
          ...clock.envelope('ranger_app'),
          kind: 'patrol.position',
          rangerId: r.id,
          patrolId,
          location,
          speed: Math.round((moving ? moved / dt : 0) * 10) / 10,
          ...(moving && moved > 0.5 ? { bearing: Math.round(bearingDeg(prev, pos)) % 360 } : {}),
          accuracy: Math.round(g.range(3, 12)),
          battery: Math.round(r.battery),
        });
      }
      // An incident is reported from where the ranger stands; in a dead zone the app cannot send one.
      if (location && g.chance((p.incidentsPerPatrolHour * dt) / 3600)) incident(r, patrolId, location);
      clock.at(t + dt * SECOND_MS, step);
    };
    clock.at(startedAt + p.positionEveryS * SECOND_MS, step);
  }

  function incident(r: Ranger, patrolId: string, location: { lon: number; lat: number }): void {
    const g = r.rng;
    const type = g.weighted(
      INCIDENT_TYPES,
      INCIDENT_TYPES.map((k) => p.incidentMix[k]),
    );
    const sev = INCIDENT_SEVERITY[type === 'fire_risk' ? 'fire_risk' : 'default'];
    const severity = g.weighted(
      SEVERITIES,
      SEVERITIES.map((s) => sev[s]),
    );
    const incidentId = `${clock.runId}-I${String(clock.serial('incident')).padStart(5, '0')}`;
    clock.emit({
      ...clock.envelope('ranger_app'),
      kind: 'patrol.incident',
      rangerId: r.id,
      incidentId,
      patrolId,
      type,
      severity,
      description: `${r.cluster.name}：${g.pick(INCIDENT_TEXT[type])}`,
      location,
    });
    const doneAt = clock.now + g.lognormal(RESOLVE_MEDIAN_H[severity], 0.6) * HOUR_MS;
    clock.at(doneAt, () =>
      clock.emit({
        ...clock.envelope('ranger_app'),
        kind: 'patrol.incident_resolved',
        incidentId,
        rangerId: r.id,
        note: '已现场处置完毕',
      }),
    );
  }

  /** Each local midnight: who is on duty and when each patrol starts; a patrol under way at the start resumes. */
  function planDay(dayStart: number): void {
    for (const r of rangers) {
      const g = r.rng;
      r.battery = g.range(75, 100);
      if (g.chance(p.dayOffShare)) continue;
      let free = dayStart;
      for (const s of p.shifts) {
        const begin = Math.max(free, dayStart + g.normal(s.startH, s.sdH) * HOUR_MS);
        const end = begin + g.range(s.minH, s.maxH) * HOUR_MS;
        free = end + 15 * MINUTE_MS;
        if (begin >= clock.now) clock.at(begin, () => startPatrol(r, end));
        else if (end - clock.now >= 20 * MINUTE_MS) clock.at(clock.now, () => startPatrol(r, end));
      }
    }
    clock.at(nextMidnight(dayStart), () => planDay(clock.now));
  }

  return {
    start() {
      if (!p.enabled || rangers.length === 0) return;
      planDay(beijing(clock.now).dayStart);
    },
  };
}

function locationOf(fix: { lon: number; lat: number } | null): { location?: { lon: number; lat: number } } {
  return fix ? { location: fix } : {};
}
