// The patrol family's reducer: rangers (patrols, positions and trails, check-ins, trackers' status, lost
// signal), incidents, the forest clusters' coverage today (sub-cells visited) and when each area was last
// patrolled. Clusters' sub-cells and patrol points are set up once from the geography.
import type { EventOf, Place } from '../../contract/events';
import { localDay } from '../../contract/time';
import type { Geo } from '../../geo/load';
import type { Locator } from '../../geo/locate';
import { CHAIN_LENGTH, LEVEL_SLOT, SLOT_TOWN } from '../areas';
import { ClusterCells } from '../coverage';
import type { LiveObserver } from '../observer';
import { RangerRec, Trail, type IncidentRec } from '../records';
import { refill, type FoldContext, type PatrolKind, type Reducers } from './context';
import { C_ACTIVE, C_COVERED, C_INCIDENTS, C_LOST, C_SUBCELLS } from './layout';

interface StaticPoint {
  lon: number;
  lat: number;
  chain: number;
}

export interface PatrolSnapshot {
  rangers: Map<string, RangerRec>;
  incidents: Map<string, IncidentRec>;
  lastPatrolMs: Float64Array;
  lastPatrolAt: (string | null)[];
  visited: Map<number, Int32Array>;
}

export class PatrolReducer {
  readonly rangers = new Map<string, RangerRec>();
  readonly incidents = new Map<string, IncidentRec>();
  /** Per forest cluster (area index), its patrol sub-cells and the day each was last visited. */
  readonly clusterCells = new Map<number, ClusterCells>();
  /** Per area, the latest patrol activity in it (event time), for "last patrolled". */
  readonly lastPatrolMs: Float64Array;
  readonly lastPatrolAt: (string | null)[];
  private readonly patrolPoints = new Map<string, StaticPoint>();
  readonly reducers: Reducers<PatrolKind> = {
    'patrol.started': (e, place, ms) => this.started(e, place, ms),
    'patrol.position': (e, place, ms) => this.position(e, place, ms),
    'patrol.checkin': (e, place, ms) => this.checkin(e, place, ms),
    'patrol.incident': (e, place) => this.incident(e, place),
    'patrol.incident_resolved': (e) => this.incidentResolved(e),
    'patrol.ended': (e, _, ms) => this.ended(e, ms),
    'patrol.device_status': (e, _, ms) => this.deviceStatus(e, ms),
  };

  constructor(
    private readonly x: FoldContext,
    geo: Geo,
    locator: Locator,
    private readonly observer: LiveObserver | undefined,
  ) {
    const areas = x.areas;
    this.lastPatrolMs = new Float64Array(areas.size).fill(-Infinity);
    this.lastPatrolAt = new Array<string | null>(areas.size).fill(null);
    for (const f of geo.layers.forest.features) {
      const idx = areas.index('forest', f.properties.id);
      const cells = new ClusterCells(f.geometry as { type: string; coordinates: unknown }, x.o.coverageCellM);
      this.clusterCells.set(idx, cells);
      observer?.cluster?.(idx, cells.total);
      x.counters.add(areas.chainOfArea(idx), C_SUBCELLS, cells.total);
    }
    for (const f of geo.layers.patrolPoints.features) {
      const [lon, lat] = f.geometry.coordinates as [number, number];
      const place = locator.locate(lon, lat) ?? undefined;
      this.patrolPoints.set(f.properties.id, { lon, lat, chain: areas.chainOfPlace(place) });
    }
  }

  private ranger(id: string): RangerRec {
    let r = this.rangers.get(id);
    if (!r) {
      r = new RangerRec(id);
      this.rangers.set(id, r);
    }
    return r;
  }

  private started(e: EventOf<'patrol.started'>, place: Place | undefined, ms: number): void {
    const r = this.ranger(e.rangerId);
    if (r.patrolId !== null) this.endPatrol(r); // a new start without an end: the old patrol is over
    const areas = this.x.areas;
    const cluster = areas.index('forest', e.clusterId);
    r.patrolId = e.patrolId;
    r.clusterId = e.clusterId;
    r.clusterChain = cluster >= 0 ? areas.chainOfArea(cluster) : 0;
    r.homeChain = r.clusterChain;
    this.x.counters.add(r.clusterChain, C_ACTIVE, 1);
    this.notePatrol(r.clusterChain, ms, e.time);
    this.seen(r, ms, e.time);
    if (e.location) this.moveTo(r, e.location.lon, e.location.lat, ms, place, undefined);
    else this.changed(r);
  }

  private position(e: EventOf<'patrol.position'>, place: Place | undefined, ms: number): void {
    const r = this.ranger(e.rangerId);
    this.seen(r, ms, e.time);
    if (r.patrolId !== null) this.notePatrol(r.clusterChain, ms, e.time);
    if (e.source === 'osmand' && ms >= r.positionMs) {
      const m = e.meta ?? {};
      const id = typeof m.deviceId === 'string' ? m.deviceId : e.rangerId;
      r.device = {
        id,
        unplaced: null,
        at: e.time,
        ...(typeof m.charging === 'boolean' ? { charging: m.charging } : {}),
        ...(typeof m.moving === 'boolean' ? { moving: m.moving } : {}),
        ...(typeof m.activity === 'string' ? { activity: m.activity } : {}),
        ...(typeof m.odometer === 'number' ? { odometer: m.odometer } : {}),
        ...(e.accuracy !== undefined ? { accuracy: e.accuracy } : {}),
        ...(typeof m.mock === 'boolean' ? { mock: m.mock } : {}),
      };
    }
    this.moveTo(r, e.location.lon, e.location.lat, ms, place, e.battery);
  }

  /** A check-in proves the ranger stood at the point: a position (the patrol point's, if none was sent). */
  private checkin(e: EventOf<'patrol.checkin'>, place: Place | undefined, ms: number): void {
    const r = this.ranger(e.rangerId);
    this.seen(r, ms, e.time);
    if (r.patrolId !== null) this.notePatrol(r.clusterChain, ms, e.time);
    if (e.location) {
      this.moveTo(r, e.location.lon, e.location.lat, ms, place, undefined);
      return;
    }
    const point = this.patrolPoints.get(e.pointId);
    if (point) this.moveTo(r, point.lon, point.lat, ms, undefined, undefined, point.chain);
    else this.changed(r);
  }

  /** A report that could not be placed: a sign of life (last seen, battery), never a position. */
  private deviceStatus(e: EventOf<'patrol.device_status'>, ms: number): void {
    const r = this.ranger(e.rangerId);
    if (ms < r.seenMs) return; // an older report changes nothing
    this.seen(r, ms, e.time);
    if (r.patrolId !== null) this.notePatrol(r.clusterChain, ms, e.time);
    if (e.battery !== undefined) r.battery = e.battery;
    r.device = {
      id: e.deviceId,
      unplaced: e.reason,
      at: e.time,
      ...(e.charging !== undefined ? { charging: e.charging } : {}),
    };
    if (r.lost) {
      r.lost = false;
      this.x.counters.add(r.clusterChain, C_LOST, -1);
    }
    this.changed(r);
  }

  private ended(e: EventOf<'patrol.ended'>, ms: number): void {
    const r = this.rangers.get(e.rangerId);
    // The end of an older patrol, arriving after a new one started, does not end the new one.
    if (!r || r.patrolId !== e.patrolId) return;
    this.notePatrol(r.clusterChain, ms, e.time);
    this.seen(r, ms, e.time);
    this.endPatrol(r);
    this.changed(r);
  }

  private endPatrol(r: RangerRec): void {
    this.x.counters.add(r.clusterChain, C_ACTIVE, -1);
    if (r.lost) this.x.counters.add(r.clusterChain, C_LOST, -1);
    r.lost = false;
    r.patrolId = null;
    r.clusterId = null;
    r.clusterChain = -1;
  }

  private seen(r: RangerRec, ms: number, time: string): void {
    if (ms > r.seenMs) {
      r.seenMs = ms;
      r.seenAt = time;
    }
  }

  private moveTo(
    r: RangerRec,
    lon: number,
    lat: number,
    ms: number,
    place: Place | undefined,
    battery: number | undefined,
    chain = this.x.areas.chainOfPlace(place),
  ): void {
    const { areas, counters } = this.x;
    const forest = areas.chains[chain]![LEVEL_SLOT.forest]!;
    if (forest >= 0) {
      const cells = this.clusterCells.get(forest)!;
      const sub = cells.cellOf(lon, lat);
      const day = localDay(ms);
      const today = counters.today;
      if (sub >= 0) this.observer?.visit?.(day, forest, sub);
      if (sub >= 0 && day === today && cells.visitedDay[sub] !== today) {
        cells.visitedDay[sub] = today;
        counters.add(areas.chainOfArea(forest), C_COVERED, 1);
      }
    }
    // An older position (a late upload) still counts for coverage but does not move the ranger back.
    if (ms >= r.positionMs) {
      r.hasPosition = true;
      r.lon = lon;
      r.lat = lat;
      r.positionMs = ms;
      r.positionChain = chain;
      r.trail.push(lon, lat, ms);
      r.trail.trim(ms - this.x.o.trailMs);
      if (battery !== undefined) r.battery = battery;
    }
    if (r.lost) {
      r.lost = false;
      counters.add(r.clusterChain, C_LOST, -1);
    }
    this.changed(r);
  }

  /** Re-evaluates whether the ranger is on the map, reports the change, and queues its next transition. */
  private changed(r: RangerRec): void {
    const { o, changes } = this.x;
    const listed = r.hasPosition && (r.patrolId !== null || !(this.x.counters.now > r.seenMs + o.trailMs));
    if (listed) changes.upsert('rangers', r.id, this.rangerTown(r));
    else if (r.listed) changes.remove('rangers', r.id, this.rangerTown(r));
    r.listed = listed;
    let due = Infinity;
    if (r.patrolId !== null && !r.lost) due = r.seenMs + o.signalLostAfterMs;
    else if (r.patrolId === null && r.listed) due = r.seenMs + o.trailMs;
    this.x.timers.schedule(r, due);
  }

  /** The ranger's timer ran out: its signal is lost, or it has been idle long enough to leave the map. */
  timer(r: RangerRec): void {
    if (r.patrolId !== null && !r.lost && this.x.counters.now > r.seenMs + this.x.o.signalLostAfterMs) {
      r.lost = true;
      this.x.counters.add(r.clusterChain, C_LOST, 1);
    }
    this.changed(r);
  }

  /** The chain a ranger is routed and scoped by: where it is, or its cluster when that is outside every town. */
  rangerChain(r: RangerRec): number {
    if (this.x.areas.chains[r.positionChain]![SLOT_TOWN]! >= 0 || r.homeChain < 0) return r.positionChain;
    return r.homeChain;
  }

  rangerTown(r: RangerRec): string | undefined {
    return this.x.areas.townOf(this.rangerChain(r));
  }

  private notePatrol(chain: number, ms: number, time: string): void {
    const c = this.x.areas.chains[chain]!;
    for (let s = 0; s < CHAIN_LENGTH; s++) {
      const a = c[s]!;
      if (a >= 0 && ms > this.lastPatrolMs[a]!) {
        this.lastPatrolMs[a] = ms;
        this.lastPatrolAt[a] = time;
        this.x.changes.touch(a);
      }
    }
  }

  private incident(e: EventOf<'patrol.incident'>, place: Place | undefined): void {
    if (this.incidents.has(e.incidentId)) return;
    const chain = this.x.areas.chainOfPlace(place);
    this.incidents.set(e.incidentId, {
      id: e.incidentId,
      rangerId: e.rangerId,
      type: e.type,
      severity: e.severity,
      lon: e.location.lon,
      lat: e.location.lat,
      reportedAt: e.time,
      chain,
    });
    this.x.counters.add(chain, C_INCIDENTS, 1);
    this.x.changes.upsert('incidents', e.incidentId, this.x.areas.townOf(chain));
  }

  private incidentResolved(e: EventOf<'patrol.incident_resolved'>): void {
    const rec = this.incidents.get(e.incidentId);
    if (!rec) return;
    this.incidents.delete(e.incidentId);
    this.x.counters.add(rec.chain, C_INCIDENTS, -1);
    this.x.changes.remove('incidents', rec.id, this.x.areas.townOf(rec.chain));
  }

  snapshot(): PatrolSnapshot {
    const visited = new Map<number, Int32Array>();
    for (const [idx, cells] of this.clusterCells) visited.set(idx, cells.visitedDay);
    return {
      rangers: this.rangers,
      incidents: this.incidents,
      lastPatrolMs: this.lastPatrolMs,
      lastPatrolAt: this.lastPatrolAt,
      visited,
    };
  }

  restore(s: PatrolSnapshot): void {
    // A deserialised record is a plain object: give rangers back their class and their trails their methods.
    for (const r of s.rangers.values()) {
      Object.setPrototypeOf(r, RangerRec.prototype);
      Object.setPrototypeOf(r.trail, Trail.prototype);
    }
    refill(this.rangers, s.rangers);
    refill(this.incidents, s.incidents);
    this.lastPatrolMs.set(s.lastPatrolMs);
    for (let i = 0; i < s.lastPatrolAt.length; i++) this.lastPatrolAt[i] = s.lastPatrolAt[i]!;
    for (const [idx, days] of s.visited) this.clusterCells.get(idx)?.visitedDay.set(days);
  }
}
