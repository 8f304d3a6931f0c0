// A small in-memory LiveState for the gateway's tests and benchmark, until server/live/state.ts exists and
// after, where a test wants to drive changes directly instead of through events. It is honest where the
// gateway could be fooled: aggregates exist for every area of a real AreaTree and are mutated in place (as a
// fold would), the change set is the one takeChanges() contract describes, objects carry their town, and the
// clock can change aggregates without moving the seq.
import { areaKey, type AreaKey, type AreaTree, type LonLat } from '../../server/contract/areas';
import type { StoredEvent, TicketCategory } from '../../server/contract/events';
import type {
  AreaAggregate,
  CheckpointObject,
  IncidentObject,
  RangerObject,
  Snapshot,
  TicketObject,
} from '../../server/contract/live';
import type { LiveChanges, LiveState, ObjectKind, TicketQuery } from '../../server/live/types';
import { longWindows, NO_SAMPLE } from './kpis';

const HOUR = 3_600_000;
const DEFAULT_NOW = Date.parse('2025-07-20T06:30:00Z');

function blankAggregate(key: AreaKey, level: AreaAggregate['level']): AreaAggregate {
  return {
    key,
    level,
    tickets: {
      open: 0,
      newToday: 0,
      closedToday: 0,
      overdue: 0,
      nearDeadline: 0,
      byCategory: {},
      responseRate: null,
      resolutionRate: null,
      satisfactionRate: null,
      composite: null,
      proactiveToday: 0,
      rolling24h: {
        proactive: 0,
        created: 0,
        closed: 0,
        responseRate: null,
        resolutionRate: null,
        satisfactionRate: null,
        composite: null,
        sample: NO_SAMPLE,
      },
      sample: NO_SAMPLE,
      ...longWindows(),
    },
    flood: { worstColor: 'none', inWarning: 0, checkpoints: 0, obstructionsOpen: 0, responseLevel: 'none' },
    patrol: { activeRangers: 0, lastPatrolAt: null, coverageToday: null, openIncidents: 0, lostSignal: 0 },
    zeroComplaintDays: 0,
  };
}

const iso = (ms: number): string => new Date(ms).toISOString();
const center = (bbox: [number, number, number, number]): LonLat => [(bbox[0] + bbox[2]) / 2, (bbox[1] + bbox[3]) / 2];

interface TicketEntry {
  ticket: TicketObject;
  /** Town id ("110112004"), as a locate step would place it. */
  town: string;
  /** The areas whose aggregates count the ticket: its child area (if any), its town, the district. */
  chain: AreaKey[];
  resolveDueMs: number;
}

interface RangerEntry {
  ranger: RangerObject;
  town: string | undefined;
}

export interface CreateTicket {
  /** Town id ("110112004") or key ("town:110112004"). */
  town: string;
  /** A child area of the town (grid / property / forest key); default: one picked from the id. */
  area?: AreaKey;
  id?: string;
  category?: TicketCategory;
  /** Resolve deadline from now; default 24 h. */
  resolveInMs?: number;
}

const emptyKinds = <V>(): Record<ObjectKind, Map<string, V>> => ({
  tickets: new Map(),
  checkpoints: new Map(),
  rangers: new Map(),
  incidents: new Map(),
});

export class FakeLive implements LiveState {
  private currentSeq = 0;
  private nowMs: number;
  private readonly aggregates = new Map<AreaKey, AreaAggregate>();
  private readonly ticketsById = new Map<string, TicketEntry>();
  private readonly rangersById = new Map<string, RangerEntry>();
  private readonly checkpointsById = new Map<string, { checkpoint: CheckpointObject; town: string | undefined }>();
  private readonly resolvedClosed = new Map<AreaKey, { resolved: number; closed: number }>();
  private pending: LiveChanges;
  private nextTicket = 1;
  /** How many times takeChanges() was called: the gateway must call it once per flush. */
  takeCalls = 0;

  constructor(
    readonly tree: AreaTree,
    options: { nowMs?: number } = {},
  ) {
    this.nowMs = options.nowMs ?? DEFAULT_NOW;
    for (const node of Object.values(tree.nodes)) {
      this.aggregates.set(node.key as AreaKey, blankAggregate(node.key as AreaKey, node.level));
    }
    this.pending = this.freshChanges();
  }

  get seq(): number {
    return this.currentSeq;
  }

  get root(): AreaKey {
    return this.tree.root as AreaKey;
  }

  /** Town keys in the tree's order. */
  get towns(): AreaKey[] {
    return (this.tree.children[this.tree.root] ?? []) as AreaKey[];
  }

  // ---- simulation: each call is one applied event (seq + 1), except advance() which moves the clock ----

  createTicket(spec: CreateTicket): TicketObject {
    const townKey = spec.town.startsWith('town:') ? (spec.town as AreaKey) : areaKey('town', spec.town);
    const townNode = this.tree.nodes[townKey];
    if (!townNode) throw new Error(`fake live: unknown town ${spec.town}`);
    const id = spec.id ?? `T${String(this.nextTicket++).padStart(8, '0')}`;
    const children = this.tree.children[townKey] ?? [];
    const area = spec.area ?? (children.length > 0 ? (children[hash(id) % children.length] as AreaKey) : undefined);
    const areaNode = area ? this.tree.nodes[area] : undefined;
    const chain = [...(area ? [area] : []), townKey, this.root];
    const category = spec.category ?? 'e_bike';
    const resolveDueMs = this.nowMs + (spec.resolveInMs ?? 24 * HOUR);
    const ticket: TicketObject = {
      id,
      category,
      urgency: 'normal',
      status: 'received',
      title: '楼道内电动车充电',
      position: center((areaNode ?? townNode).bbox),
      place: { townId: townNode.id, ...(areaNode?.level === 'grid' ? { gridId: areaNode.id } : {}) },
      createdAt: iso(this.nowMs),
      responseDueAt: iso(this.nowMs + 2 * HOUR),
      resolveDueAt: iso(resolveDueMs),
      overdue: false,
      nearDeadline: false,
      escalatedTo: [],
    };
    this.ticketsById.set(id, { ticket, town: townNode.id, chain, resolveDueMs });
    for (const key of chain) {
      const t = this.agg(key).tickets;
      t.open += 1;
      t.newToday += 1;
      t.byCategory[category] = (t.byCategory[category] ?? 0) + 1;
      t.rolling24h.created += 1;
      this.pending.aggregates.add(key);
    }
    this.upsert('tickets', id, townNode.id);
    this.step();
    return ticket;
  }

  /** 办结: the ticket leaves the map; resolution rates change (to awkward fractions, as real ones do). */
  closeTicket(id: string, resolved = true): void {
    const entry = this.ticketsById.get(id);
    if (!entry) throw new Error(`fake live: no open ticket ${id}`);
    this.ticketsById.delete(id);
    for (const key of entry.chain) {
      const t = this.agg(key).tickets;
      t.open -= 1;
      t.closedToday += 1;
      t.rolling24h.closed += 1;
      if (entry.ticket.overdue) t.overdue -= 1;
      const rc = this.resolvedClosed.get(key) ?? { resolved: 0, closed: 0 };
      rc.closed += 1;
      if (resolved) rc.resolved += 1;
      this.resolvedClosed.set(key, rc);
      t.resolutionRate = rc.resolved / rc.closed;
      t.rolling24h.resolutionRate = t.resolutionRate;
      this.pending.aggregates.add(key);
    }
    this.remove('tickets', id, entry.town);
    this.step();
  }

  /** A status change: the object changes, no aggregate does. */
  updateTicket(id: string, status: TicketObject['status']): void {
    const entry = this.ticketsById.get(id);
    if (!entry) throw new Error(`fake live: no open ticket ${id}`);
    entry.ticket.status = status;
    this.upsert('tickets', id, entry.town);
    this.step();
  }

  /** A ranger position (patrol.position); a ranger crossing a town border moves between town rooms. */
  moveRanger(id: string, town: string | undefined, position?: LonLat): RangerObject {
    const townKey =
      town === undefined ? undefined : town.startsWith('town:') ? (town as AreaKey) : areaKey('town', town);
    const townNode = townKey ? this.tree.nodes[townKey] : undefined;
    if (townKey && !townNode) throw new Error(`fake live: unknown town ${town}`);
    const pos = position ?? (townNode ? center(townNode.bbox) : [116.5, 39.8]);
    const existing = this.rangersById.get(id);
    const before = existing?.town;
    const ranger: RangerObject = existing?.ranger ?? {
      id,
      patrolId: null,
      clusterId: null,
      position: pos,
      trail: [],
      status: 'patrolling',
      lastSeen: iso(this.nowMs),
      signalLost: false,
      battery: 80,
    };
    ranger.position = pos;
    ranger.trail.push([pos[0], pos[1], this.nowMs]);
    ranger.lastSeen = iso(this.nowMs);
    const after = townNode?.id;
    if (!existing || before !== after) {
      if (existing && before) this.countRanger(before, -1);
      if (after) this.countRanger(after, +1);
    }
    this.rangersById.set(id, { ranger, town: after });
    this.upsert('rangers', id, after);
    this.step();
    return ranger;
  }

  /**
   * Moves the clock: tickets past their resolve deadline turn overdue. Aggregates and objects change, the seq
   * does not: the gateway must still send them (a delta with fromSeq === toSeq).
   */
  advance(nowMs: number): void {
    this.nowMs = nowMs;
    for (const [id, entry] of this.ticketsById) {
      if (entry.ticket.overdue || entry.resolveDueMs > nowMs) continue;
      entry.ticket.overdue = true;
      for (const key of entry.chain) {
        this.agg(key).tickets.overdue += 1;
        this.pending.aggregates.add(key);
      }
      this.upsert('tickets', id, entry.town);
    }
  }

  /** Folds ticket.created / ticket.closed / patrol.position through the calls above; other kinds only count. */
  apply(events: readonly StoredEvent[]): void {
    for (const stored of events) {
      if (stored.seq <= this.currentSeq) continue;
      const e = stored.event;
      const town = stored.place?.townId;
      if (e.kind === 'ticket.created' && town) {
        this.createTicket({ town, id: e.ticketId, category: e.category });
      } else if (e.kind === 'ticket.closed' && this.ticketsById.has(e.ticketId)) {
        this.closeTicket(e.ticketId, e.resolved);
      } else if (e.kind === 'patrol.position') {
        this.moveRanger(e.rangerId, town, [e.location.lon, e.location.lat]);
      } else {
        this.step();
      }
      // The simulation calls number their own seqs; a fold takes the log's.
      this.currentSeq = stored.seq;
    }
  }

  // ---- LiveState reads ----

  aggregate(key: AreaKey): AreaAggregate | undefined {
    return this.aggregates.get(key);
  }

  snapshot(scope: AreaKey): Snapshot {
    const keys = [scope, ...((this.tree.children[scope] ?? []) as AreaKey[])];
    const townId = scope.startsWith('town:') ? this.tree.nodes[scope]?.id : undefined;
    const inScope = (town: string | undefined) => scope === this.root || (townId !== undefined && town === townId);
    return structuredClone({
      seq: this.currentSeq,
      scope,
      at: iso(this.nowMs),
      aggregates: keys.flatMap((k) => this.aggregates.get(k) ?? []),
      tickets: [...this.ticketsById.values()].filter((e) => inScope(e.town)).map((e) => e.ticket),
      checkpoints: [...this.checkpointsById.values()].filter((e) => inScope(e.town)).map((e) => e.checkpoint),
      rangers: [...this.rangersById.values()].filter((e) => inScope(e.town)).map((e) => e.ranger),
      incidents: [],
    });
  }

  takeChanges(): LiveChanges {
    this.takeCalls += 1;
    const taken = this.pending;
    taken.toSeq = this.currentSeq;
    this.pending = this.freshChanges();
    return taken;
  }

  ticket(id: string): TicketObject | undefined {
    return this.ticketsById.get(id)?.ticket;
  }

  checkpoint(id: string): CheckpointObject | undefined {
    return this.checkpointsById.get(id)?.checkpoint;
  }

  ranger(id: string): RangerObject | undefined {
    return this.rangersById.get(id)?.ranger;
  }

  incident(_id: string): IncidentObject | undefined {
    return undefined;
  }

  tickets(query: TicketQuery): { total: number; items: TicketObject[] } {
    const all = [...this.ticketsById.values()]
      .filter((e) => !query.area || e.chain.includes(query.area))
      .map((e) => e.ticket);
    const offset = query.offset ?? 0;
    return { total: all.length, items: all.slice(offset, offset + (query.limit ?? 100)) };
  }

  townOf(kind: ObjectKind, id: string): string | undefined {
    if (kind === 'tickets') return this.ticketsById.get(id)?.town;
    if (kind === 'rangers') return this.rangersById.get(id)?.town;
    if (kind === 'checkpoints') return this.checkpointsById.get(id)?.town;
    return undefined;
  }

  /** The fake has no forest clusters. */
  patrolVisited(_area: AreaKey): undefined {
    return undefined;
  }

  // ---- internals ----

  private freshChanges(): LiveChanges {
    return {
      fromSeq: this.currentSeq,
      toSeq: this.currentSeq,
      aggregates: new Set(),
      upserts: emptyKinds(),
      removals: emptyKinds(),
    };
  }

  private step(): void {
    this.currentSeq += 1;
  }

  private agg(key: AreaKey): AreaAggregate {
    const a = this.aggregates.get(key);
    if (!a) throw new Error(`fake live: no aggregate ${key}`);
    return a;
  }

  private countRanger(town: string, by: number): void {
    for (const key of [areaKey('town', town), this.root]) {
      const p = this.agg(key).patrol;
      p.activeRangers += by;
      p.lastPatrolAt = iso(this.nowMs);
      this.pending.aggregates.add(key);
    }
  }

  // An object upserted and removed within one window ends as what happened last, as a fold's change set would.
  private upsert(kind: ObjectKind, id: string, town: string | undefined): void {
    this.pending.removals[kind].delete(id);
    this.pending.upserts[kind].set(id, town);
  }

  private remove(kind: ObjectKind, id: string, town: string | undefined): void {
    this.pending.upserts[kind].delete(id);
    this.pending.removals[kind].set(id, town);
  }
}

/** Small stable string hash (FNV-1a), so a ticket id always lands in the same child area. */
function hash(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}
