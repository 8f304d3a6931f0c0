// The flood family's reducer: gauge readings (level, rainfall, trend, warning colour), inspections, the
// clearance of 碍洪点 (obstructions) and flood responses (应急响应) by river and area. Checkpoints, rivers and
// where they lie are set up once from the geography.
import { warningIndex } from '../../contract/areas';
import type { EventOf, Place } from '../../contract/events';
import type { Geo } from '../../geo/load';
import type { Locator } from '../../geo/locate';
import { SLOT_TOWN } from '../areas';
import type { LiveObserver } from '../observer';
import { CheckpointRec } from '../records';
import { refill, type FloodKind, type FoldContext, type Reducers } from './context';
import { C_CHECKPOINTS, C_COLOR, C_OBSTRUCTIONS_OPEN, RESPONSE_LEVELS } from './layout';

const MAX_HISTORY = 256;

interface ActiveResponse {
  level: number;
  riverId: string | undefined;
  area: number;
}

export interface FloodSnapshot {
  checkpoints: Map<string, CheckpointRec>;
  responses: Map<string, ActiveResponse>;
  responseLevel: Uint8Array;
}

export class FloodReducer {
  readonly checkpoints = new Map<string, CheckpointRec>();
  /** Per area, the flood response level in force there (an index into RESPONSE_LEVELS). */
  readonly responseLevel: Uint8Array;
  private readonly responses = new Map<string, ActiveResponse>();
  /** Per river, the areas its line passes through (for river-scoped flood responses). */
  private readonly riverAreas = new Map<string, Uint8Array>();
  readonly reducers: Reducers<FloodKind> = {
    'flood.reading': (e, _, ms) => this.reading(e, ms),
    'flood.inspection': (e, _, ms) => this.inspection(e, ms),
    'flood.obstruction': (e) => this.obstruction(e),
    'flood.response': (e) => this.response(e),
  };

  constructor(
    private readonly x: FoldContext,
    geo: Geo,
    locator: Locator,
    observer: LiveObserver | undefined,
  ) {
    const areas = x.areas;
    const n = areas.size;
    this.responseLevel = new Uint8Array(n);
    // Static points are located once, here, with the same locator ingest uses.
    for (const f of geo.layers.checkpoints.features) {
      const p = f.properties;
      const [lon, lat] = f.geometry.coordinates as [number, number];
      const located = locator.locate(lon, lat) ?? {};
      // The layer's townId is authoritative; cells of another town (a point on a border) are dropped.
      const place: Place = { townId: p.townId };
      const sameTown = (id: string | undefined, level: 'grid' | 'property' | 'forest') => {
        const idx = areas.index(level, id);
        return idx >= 0 && areas.ids[areas.parent[idx]!] === p.townId ? id : undefined;
      };
      const gridId = sameTown(located.gridId, 'grid');
      if (gridId) place.gridId = gridId;
      const propertyId = sameTown(located.propertyId, 'property');
      if (propertyId) place.propertyId = propertyId;
      const forestId = sameTown(located.forestId, 'forest');
      if (forestId) place.forestId = forestId;
      const chain = areas.chainOfPlace(place);
      // A 碍洪点 counts as open until an event says it is cleared: the flood season needs proof, not silence.
      const rec = new CheckpointRec(
        p.id,
        p.townId,
        p.riverId,
        p.thresholds,
        chain,
        p.kind === 'obstruction' ? 'pending' : null,
      );
      this.checkpoints.set(p.id, rec);
      observer?.checkpoint?.(p.id, areas.chains[chain]!);
      x.counters.add(chain, C_COLOR, 1);
      x.counters.add(chain, C_CHECKPOINTS, 1);
      if (rec.obstruction !== null) x.counters.add(chain, C_OBSTRUCTIONS_OPEN, 1);
    }
    for (const f of geo.layers.rivers.features) {
      const mask = new Uint8Array(n);
      const g = f.geometry as
        { type: 'LineString'; coordinates: number[][] } | { type: 'MultiLineString'; coordinates: number[][][] };
      const lines = g.type === 'LineString' ? [g.coordinates] : g.coordinates;
      const mark = (lon: number, lat: number) => {
        const chain = areas.chains[areas.chainOfPlace(locator.locate(lon, lat) ?? undefined)]!;
        if (chain[SLOT_TOWN]! < 0) return; // outside the district: marks nothing
        for (const a of chain) if (a >= 0) mask[a] = 1;
      };
      // Sample every ~50 m, finer than the smallest grid cell, so no crossed cell is skipped.
      const step = 0.0005;
      for (const line of lines) {
        for (let i = 0; i + 1 < line.length; i++) {
          const [x1, y1] = line[i] as [number, number];
          const [x2, y2] = line[i + 1] as [number, number];
          const k = Math.max(1, Math.ceil(Math.hypot(x2 - x1, y2 - y1) / step));
          for (let j = 0; j <= k; j++) mark(x1 + ((x2 - x1) * j) / k, y1 + ((y2 - y1) * j) / k);
        }
      }
      this.riverAreas.set(f.properties.id, mask);
    }
    for (const cp of this.checkpoints.values()) {
      const mask = this.riverAreas.get(cp.riverId);
      if (mask) for (const a of areas.chains[cp.chain]!) if (a >= 0) mask[a] = 1;
    }
  }

  private reading(e: EventOf<'flood.reading'>, ms: number): void {
    const cp = this.checkpoints.get(e.checkpointId);
    if (!cp) return;
    const o = this.x.o;
    const ts = cp.historyT;
    const ls = cp.historyLevel;
    let i = ts.length;
    while (i > 0 && ts[i - 1]! > ms) i--;
    ts.splice(i, 0, ms);
    ls.splice(i, 0, e.level);
    if (ms >= cp.readingMs) {
      cp.readingMs = ms;
      cp.readingAt = e.time;
      cp.level = e.level;
      // A gauge without a rain meter sends no rainfall: keep the last value rather than erase it.
      if (e.rainfall !== undefined) cp.rainfall = e.rainfall;
    }
    const from = cp.readingMs - o.trendWindowMs;
    let drop = 0;
    while (drop < ts.length && (ts[drop]! < from || ts.length - drop > MAX_HISTORY)) drop++;
    if (drop > 0) {
      ts.splice(0, drop);
      ls.splice(0, drop);
    }
    if (cp.level !== null && ls.length > 1) {
      const delta = cp.level - ls[0]!;
      cp.trend = delta > o.trendDeadBandM ? 'rising' : delta < -o.trendDeadBandM ? 'falling' : 'steady';
    } else {
      cp.trend = 'steady';
    }
    const color = cp.level === null ? 0 : warningIndex(cp.thresholds, cp.level);
    if (color !== cp.color) {
      this.x.counters.add(cp.chain, C_COLOR + cp.color, -1);
      this.x.counters.add(cp.chain, C_COLOR + color, 1);
      cp.color = color;
    }
    this.x.changes.upsert('checkpoints', cp.id, cp.townId);
  }

  private inspection(e: EventOf<'flood.inspection'>, ms: number): void {
    const cp = this.checkpoints.get(e.checkpointId);
    if (!cp || ms < cp.inspectedMs) return;
    cp.inspectedMs = ms;
    cp.inspectedAt = e.time;
    this.x.changes.upsert('checkpoints', cp.id, cp.townId);
  }

  private obstruction(e: EventOf<'flood.obstruction'>): void {
    const cp = this.checkpoints.get(e.checkpointId);
    // Only 碍洪点 have a clearance status; the event on a gauge is a producer mistake.
    if (!cp || cp.obstruction === null || cp.obstruction === e.status) return;
    const wasOpen = cp.obstruction !== 'cleared';
    const isOpen = e.status !== 'cleared';
    if (wasOpen !== isOpen) this.x.counters.add(cp.chain, C_OBSTRUCTIONS_OPEN, isOpen ? 1 : -1);
    cp.obstruction = e.status;
    this.x.changes.upsert('checkpoints', cp.id, cp.townId);
  }

  /**
   * Responses are kept per scope (river and/or area). An area's level is the highest in force anywhere in it:
   * a district-wide response covers every area; an area response covers the area, everything below it and
   * (rolled up) its ancestors; a river response covers the areas the river passes through; both together,
   * the river's areas within the area (and the area's ancestors). 'none' lifts every response inside its
   * scope, so lifting the district-wide response ends them all.
   */
  private response(e: EventOf<'flood.response'>): void {
    const areas = this.x.areas;
    const area = e.area === undefined ? -1 : (areas.byKey.get(e.area) ?? -2);
    if (area === -2) return; // an area the geography does not know covers nothing
    if (e.riverId !== undefined && !this.riverAreas.has(e.riverId)) return;
    const level = RESPONSE_LEVELS.indexOf(e.level);
    if (level === 0) {
      for (const [key, r] of this.responses) {
        const riverInside = e.riverId === undefined || r.riverId === e.riverId;
        const areaInside = area < 0 || (r.area >= 0 && areas.within(r.area, area));
        if (riverInside && areaInside) this.responses.delete(key);
      }
    } else {
      this.responses.set(`${e.riverId ?? ''}|${e.area ?? ''}`, { level, riverId: e.riverId, area });
    }
    const n = areas.size;
    const levels = new Uint8Array(n);
    for (const r of this.responses.values()) {
      const mask = r.riverId === undefined ? undefined : this.riverAreas.get(r.riverId);
      let riverMeetsArea = false;
      if (mask && r.area >= 0)
        for (let a = 0; a < n && !riverMeetsArea; a++) riverMeetsArea = mask[a] === 1 && areas.within(a, r.area);
      for (let a = 0; a < n; a++) {
        let covered: boolean;
        if (r.area < 0) covered = mask === undefined || mask[a] === 1;
        else if (mask === undefined || !riverMeetsArea) covered = areas.within(a, r.area) || areas.within(r.area, a);
        else covered = (mask[a] === 1 && areas.within(a, r.area)) || areas.within(r.area, a);
        if (covered && r.level > levels[a]!) levels[a] = r.level;
      }
    }
    for (let a = 0; a < n; a++) {
      if (levels[a] !== this.responseLevel[a]) {
        this.responseLevel[a] = levels[a]!;
        this.x.changes.touch(a);
      }
    }
  }

  snapshot(): FloodSnapshot {
    return { checkpoints: this.checkpoints, responses: this.responses, responseLevel: this.responseLevel };
  }

  restore(s: FloodSnapshot): void {
    for (const cp of s.checkpoints.values()) Object.setPrototypeOf(cp, CheckpointRec.prototype);
    refill(this.checkpoints, s.checkpoints);
    refill(this.responses, s.responses);
    this.responseLevel.set(s.responseLevel);
  }
}
