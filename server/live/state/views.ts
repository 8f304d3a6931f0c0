// What the live state answers: aggregates built from the counters, a scope's snapshot, the ticket list, the
// objects one by one, the town an object is routed to, and today's visited patrol sub-cells. Reading only:
// nothing here changes the fold.
import { WARNING_ORDER, type AreaKey } from '../../contract/areas';
import { TICKET_CATEGORIES } from '../../contract/events';
import type {
  AreaAggregate,
  CheckpointObject,
  IncidentObject,
  RangerObject,
  Snapshot,
  TicketKpis,
  TicketObject,
  TicketWindowKpis,
} from '../../contract/live';
import type { PatrolVisited } from '../../contract/patrol';
import { DAY_MS, isoLocal } from '../../contract/time';
import type { AreaIndex } from '../areas';
import type { LiveOptions } from '../options';
import type { ObjectKind, TicketQuery } from '../types';
import type { Counters } from './counters';
import type { FloodReducer } from './flood';
import {
  C_ACTIVE,
  C_BYCAT,
  C_CHECKPOINTS,
  C_COLOR,
  C_COVERED,
  C_INCIDENTS,
  C_LOST,
  C_NEAR,
  C_OBSTRUCTIONS_OPEN,
  C_OPEN,
  C_OVERDUE,
  C_SUBCELLS,
  NCAT,
  RESPONSE_LEVELS,
  STRIDE,
  W_30D,
  W_MONTH,
  W_ROLL,
  W_TODAY,
  W_YEAR,
  windowKpisOf,
} from './layout';
import { checkpointObject, incidentObject, rangerObject, ticketObject } from './objects';
import type { PatrolReducer } from './patrol';
import type { TicketBook } from './ticket-book';

const DEFAULT_PAGE = 100;
const MAX_PAGE = 1000;

export class LiveViews {
  constructor(
    private readonly o: LiveOptions,
    private readonly areas: AreaIndex,
    private readonly counters: Counters,
    private readonly tickets: TicketBook,
    private readonly flood: FloodReducer,
    private readonly patrol: PatrolReducer,
  ) {}

  aggregate(key: AreaKey): AreaAggregate | undefined {
    const a = this.areas.byKey.get(key);
    return a === undefined ? undefined : this.buildAggregate(a);
  }

  private buildAggregate(a: number): AreaAggregate {
    const c = this.counters.c;
    const o = a * STRIDE;
    let worst = 0;
    let inWarning = 0;
    for (let k = 1; k < WARNING_ORDER.length; k++) {
      const v = c[o + C_COLOR + k]!;
      if (v > 0) worst = k;
      inWarning += v;
    }
    const subcells = c[o + C_SUBCELLS]!;
    return {
      key: this.areas.keys[a]!,
      level: this.areas.levels[a]!,
      tickets: this.ticketKpis(c, o),
      flood: {
        worstColor: WARNING_ORDER[worst]!,
        inWarning,
        checkpoints: c[o + C_CHECKPOINTS]!,
        obstructionsOpen: c[o + C_OBSTRUCTIONS_OPEN]!,
        responseLevel: RESPONSE_LEVELS[this.flood.responseLevel[a]!]!,
      },
      patrol: {
        activeRangers: c[o + C_ACTIVE]!,
        lastPatrolAt: this.patrol.lastPatrolAt[a]!,
        coverageToday: subcells > 0 ? c[o + C_COVERED]! / subcells : null,
        openIncidents: c[o + C_INCIDENTS]!,
        lostSignal: c[o + C_LOST]!,
      },
      zeroComplaintDays: this.counters.zeroComplaintDays(o),
    };
  }

  /**
   * Ticket KPIs of several disjoint areas taken as one (the grid cells of a village): counters summed, rates
   * from the sums, so a village's rate weighs every ticket alike instead of averaging its cells' rates.
   * Unknown keys count nothing.
   */
  pooledTickets(keys: readonly AreaKey[]): TicketKpis {
    const sum = new Int32Array(STRIDE);
    const c = this.counters.c;
    for (const key of keys) {
      const a = this.areas.byKey.get(key);
      if (a === undefined) continue;
      const o = a * STRIDE;
      for (let f = 0; f < C_BYCAT + NCAT; f++) sum[f] = sum[f]! + c[o + f]!;
    }
    return this.ticketKpis(sum, 0);
  }

  /** Ticket KPIs from the counters at offset `o` of `c` (the state's own counters, or a pooled sum). */
  private ticketKpis(c: Int32Array, o: number): TicketKpis {
    const byCategory: TicketKpis['byCategory'] = {};
    for (let k = 0; k < NCAT; k++) {
      const v = c[o + C_BYCAT + k]!;
      if (v > 0) byCategory[TICKET_CATEGORIES[k]!] = v;
    }
    const today = this.windowKpis(c, o + W_TODAY);
    return {
      open: c[o + C_OPEN]!,
      newToday: today.created,
      closedToday: today.closed,
      overdue: c[o + C_OVERDUE]!,
      nearDeadline: c[o + C_NEAR]!,
      byCategory,
      responseRate: today.responseRate,
      resolutionRate: today.resolutionRate,
      satisfactionRate: today.satisfactionRate,
      composite: today.composite,
      sample: today.sample,
      proactiveToday: today.proactive,
      rolling24h: this.windowKpis(c, o + W_ROLL),
      month: this.windowKpis(c, o + W_MONTH),
      year: this.windowKpis(c, o + W_YEAR),
      rolling30d: this.windowKpis(c, o + W_30D),
    };
  }

  private windowKpis(c: Int32Array, base: number): TicketWindowKpis {
    return windowKpisOf(c, base, this.o.kpiWeights);
  }

  snapshot(scope: AreaKey, seq: number): Snapshot {
    const a = this.areas.byKey.get(scope);
    if (a === undefined) throw new RangeError(`unknown area ${scope}`);
    const areas = this.areas;
    const patrol = this.patrol;
    const inScope = (chain: number) => a === areas.district || areas.chainIn(chain, a);
    const tickets: TicketObject[] = [];
    for (const t of this.tickets.open.values()) if (inScope(t.chain)) tickets.push(ticketObject(t));
    const checkpoints: CheckpointObject[] = [];
    for (const cp of this.flood.checkpoints.values()) if (inScope(cp.chain)) checkpoints.push(checkpointObject(cp));
    const rangers: RangerObject[] = [];
    for (const r of patrol.rangers.values())
      if (r.listed && inScope(patrol.rangerChain(r))) rangers.push(rangerObject(r));
    const incidents: IncidentObject[] = [];
    for (const i of patrol.incidents.values()) if (inScope(i.chain)) incidents.push(incidentObject(i));
    return {
      seq,
      scope,
      at: isoLocal(this.counters.now),
      aggregates: [this.buildAggregate(a), ...areas.children[a]!.map((x) => this.buildAggregate(x))],
      tickets,
      checkpoints,
      rangers,
      incidents,
    };
  }

  // The single-object getters answer for the active set only (open tickets, rangers on the map), the same set
  // snapshots hold: the gateway reads "undefined" as "remove it from the map". Closed tickets that are still
  // retained are listed by tickets({ status: 'closed' }).
  ticket(id: string): TicketObject | undefined {
    const rec = this.tickets.open.get(id);
    return rec ? ticketObject(rec) : undefined;
  }

  checkpoint(id: string): CheckpointObject | undefined {
    const cp = this.flood.checkpoints.get(id);
    return cp ? checkpointObject(cp) : undefined;
  }

  ranger(id: string): RangerObject | undefined {
    const r = this.patrol.rangers.get(id);
    return r && r.listed ? rangerObject(r) : undefined;
  }

  incident(id: string): IncidentObject | undefined {
    const i = this.patrol.incidents.get(id);
    return i ? incidentObject(i) : undefined;
  }

  /**
   * Open tickets and closed ones still retained, newest first (creation time, then creation order), so
   * paging is stable while nothing new arrives.
   */
  ticketList(query: TicketQuery): { total: number; items: TicketObject[] } {
    const area = query.area === undefined ? this.areas.district : this.areas.byKey.get(query.area);
    if (area === undefined) return { total: 0, items: [] };
    const offset = Math.max(0, Math.floor(query.offset ?? 0));
    const limit = Math.min(MAX_PAGE, Math.max(0, Math.floor(query.limit ?? DEFAULT_PAGE)));
    const all = area === this.areas.district;
    const items: TicketObject[] = [];
    let total = 0;
    // One ticket by id: looked up, not scanned for.
    const one = query.id !== undefined ? this.tickets.all.get(query.id) : undefined;
    const order = query.id !== undefined ? (one ? [one] : []) : this.tickets.ordered();
    for (let i = order.length - 1; i >= 0; i--) {
      const t = order[i]!;
      if (t.dropped) continue;
      if (!all && !this.areas.chainIn(t.chain, area)) continue;
      if (query.status !== undefined && (query.status === 'open' ? t.status === 'closed' : t.status !== query.status))
        continue;
      if (query.category !== undefined && t.category !== query.category) continue;
      if (query.overdue !== undefined && t.overdue !== query.overdue) continue;
      if (total >= offset && items.length < limit) items.push(ticketObject(t));
      total++;
    }
    return { total, items };
  }

  townOf(kind: ObjectKind, id: string): string | undefined {
    switch (kind) {
      case 'tickets': {
        const t = this.tickets.all.get(id);
        return t ? this.areas.townOf(t.chain) : undefined;
      }
      case 'checkpoints':
        return this.flood.checkpoints.get(id)?.townId;
      case 'rangers': {
        const r = this.patrol.rangers.get(id);
        return r ? this.patrol.rangerTown(r) : undefined;
      }
      case 'incidents': {
        const i = this.patrol.incidents.get(id);
        return i ? this.areas.townOf(i.chain) : undefined;
      }
    }
  }

  patrolVisited(area: AreaKey): PatrolVisited | undefined {
    const areas = this.areas;
    const idx = areas.byKey.get(area);
    if (idx === undefined) return undefined;
    const level = areas.levels[idx];
    if (level !== 'town' && level !== 'forest') return undefined;
    const clusters = level === 'forest' ? [idx] : areas.children[idx]!.filter((c) => areas.levels[c] === 'forest');
    const today = this.counters.today;
    return {
      area,
      // The local day number counts days since 1970-01-01 in local time, so its UTC date is the local date.
      day: new Date(today * DAY_MS).toISOString().slice(0, 10),
      clusters: clusters.map((c) => {
        const cells = this.patrol.clusterCells.get(c)!;
        return {
          clusterId: areas.ids[c]!,
          dLon: cells.dLon,
          dLat: cells.dLat,
          total: cells.total,
          corners: cells.visitedCorners(today),
        };
      }),
    };
  }
}
