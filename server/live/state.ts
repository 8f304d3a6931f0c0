// The live state: a deterministic fold of the event log into per-area aggregates and the active map objects.
//
// How it stays fast and small:
// - Aggregates are counters in one Int32Array (STRIDE slots per area), updated incrementally along each
//   object's chain (district, town, grid cell, property district, forest cluster: at most five areas). Reading
//   an aggregate builds the contract object from the counters; nothing is ever recomputed from the tickets.
// - Windows keep facts, not tickets. A fact is (time, what, chain): "a ticket was created / closed / rated /
//   answered, here, then". The 'today' window adds facts of the current local day to the today counters and
//   zeroes them at local midnight; the rolling 24 h window adds facts to the rolling counters and queues them
//   (16 bytes each, typed arrays) until they are 24 h old, then subtracts them. Closed tickets are dropped
//   after closedTicketRetentionMs, or earlier, the longest closed first, when more than
//   closedTicketRetentionMax are held; the rates need only their facts.
// - Time-driven transitions (near deadline, overdue, missed response, lost signal, end of retention) sit in
//   one indexed heap, one entry per object, processed when the clock moves.
// - The clock only moves through advance() and the constructor: no Date.now() in here, so a replay of the
//   same log with the same clock calls gives the same state.
//
// Definitions (what docs should say):
// - Windows use each event's own `time`. today = [local midnight, next midnight) in Asia/Shanghai (UTC+8,
//   arithmetic, see time.ts) of the clock's day; rolling24h = (now − 24 h, now], plus anything dated ahead of
//   the clock. A fact dated on a later local day (a producer's clock ahead) enters 'today' when that day comes.
// - newToday / created: tickets created in the window. closedToday / closed: tickets closed in the window
//   (ticket.closed, or ticket.updated to 'closed').
// - responseRate: of the tickets whose response was settled in the window, the share answered in time. The
//   first response is a ticket.updated to in_progress (first contact) or later, or the close. Settled = answered by
//   responseDueAt (counted at the answer's time) or not answered by then (counted at responseDueAt, once the
//   clock is past it or a later-dated answer arrives). Tickets still within their deadline are in neither
//   part. If the clock settled a miss and an answer dated in time is folded later, the miss is taken back.
// - resolutionRate: resolved / closed-with-a-verdict in the window (a close through ticket.updated has no
//   verdict and stays out until a ticket.closed gives one). The follow-up call (ticket.followed_up, 回访) has
//   the last word: its "resolved?" takes the handler's verdict back at the close's time and counts at the
//   call's time. satisfactionRate: satisfied / rated, by the rating's or the follow-up's time, the first per
//   ticket only; a ticket dropped by the retention keeps what its follow-up needs (FollowUpTarget).
// - composite: compositeScore() of the window's three rates with options.kpiWeights.
// - open: not closed, any age. overdue: open and now > resolveDueAt. nearDeadline: open, not overdue and now >
//   createdAt + nearDeadlineFraction × (resolveDueAt − createdAt). A deadline instant itself is still in time.
// - zeroComplaintDays: whole local days before today since the last day with a new ticket in the area, but
//   never before the baseline day (options.zeroComplaintSinceMs, else the day of the first event folded).
// - Tickets without a place count at the district only.
import { WARNING_ORDER, type AreaKey } from '../contract/areas';
import { compositeScore, type KpiWeights } from '../contract/config-defaults';
import { ticketDeadlines } from './deadlines';
import {
  ALERT_KIND_PREFIX,
  TICKET_CATEGORIES,
  TICKET_STATUS_ORDER,
  type EventOf,
  type Place,
  type ResponseLevel,
  type StoredEvent,
  type TicketCategory,
} from '../contract/events';
import type {
  AreaAggregate,
  CheckpointObject,
  IncidentObject,
  RangerObject,
  Snapshot,
  TicketFollowUp,
  TicketKpis,
  TicketObject,
  TicketWindowKpis,
} from '../contract/live';
import type { Geo } from '../geo/load';
import { createLocator } from '../geo/locate';
import { AreaIndex, CHAIN_LENGTH, LEVEL_SLOT, SLOT_TOWN } from './areas';
import { ClusterCells } from './coverage';
import { FactHeap, TimerHeap } from './heap';
import { resolveLiveOptions, type LiveOptions } from './options';
import {
  CheckpointRec,
  RangerRec,
  RESP_LATE,
  RESP_MISSED_BY_CLOCK,
  RESP_ON_TIME,
  RESP_PENDING,
  TicketRec,
  Trail,
  type FollowUpTarget,
  VERDICT_NONE,
  VERDICT_RESOLVED,
  VERDICT_UNRESOLVED,
  type IncidentRec,
} from './records';
import { DAY_MS, isoLocal, localDay, monthStartDay, yearStartDay } from '../contract/time';
import { ROLLING_DAYS } from '../contract/live';
import type { KeyframeState, LiveChanges, LiveState, ObjectKind, PooledTickets, TicketQuery } from './types';
import type { LiveObserver } from './observer';
import type { PatrolVisited } from '../contract/patrol';

// ---- counter layout (per area, STRIDE Int32 slots) ----

const NCAT = TICKET_CATEGORIES.length;
const CATEGORY_INDEX = new Map<TicketCategory, number>(TICKET_CATEGORIES.map((c, i) => [c, i]));

const C_OPEN = 0;
const C_OVERDUE = 1;
const C_NEAR = 2;
/** Windows of the same eight fields: 'today', 'rolling24h', and the long ones (month, year, rolling 30 days). */
const W_TODAY = 3;
const W_FIELDS = 9;
const W_ROLL = W_TODAY + W_FIELDS;
const W_MONTH = W_ROLL + W_FIELDS;
const W_YEAR = W_MONTH + W_FIELDS;
const W_30D = W_YEAR + W_FIELDS;
const F_CREATED = 0;
const F_CLOSED = 1;
/** Closed with a verdict (ticket.closed says resolved or not): the resolution rate's denominator. */
const F_VERDICT = 2;
const F_RESOLVED = 3;
const F_RATED = 4;
const F_SATISFIED = 5;
/** Tickets whose response outcome was settled in the window: the response rate's denominator. */
const F_RESP_DUE = 6;
const F_RESP_OK = 7;
/** Tickets created in the window that a grid worker raised before any citizen called (未诉先办). */
const F_PROACTIVE = 8;
const C_BYCAT = W_30D + W_FIELDS;
const C_COLOR = C_BYCAT + NCAT; // five slots, one per WARNING_ORDER colour
const C_CHECKPOINTS = C_COLOR + WARNING_ORDER.length;
const C_OBSTRUCTIONS_OPEN = C_CHECKPOINTS + 1;
const C_ACTIVE = C_OBSTRUCTIONS_OPEN + 1;
const C_LOST = C_ACTIVE + 1;
const C_INCIDENTS = C_LOST + 1;
const C_COVERED = C_INCIDENTS + 1;
const C_SUBCELLS = C_COVERED + 1;
/** Latest and second-latest local day with a new ticket (for the 零诉求 streak), NO_DAY when none. */
const C_LAST_DAY = C_SUBCELLS + 1;
const C_PREV_DAY = C_LAST_DAY + 1;
const STRIDE = C_PREV_DAY + 1;
const NO_DAY = -2147483648;

// ---- facts: code = kind | arg << 4, NEGATIVE marks a correction ----

const K_CREATED = 0; // arg: category index, | PROACTIVE_FLAG for a grid worker's own ticket
const K_CLOSED = 1; // arg: verdict (0 none, 1 resolved, 2 unresolved)
const K_VERDICT = 2; // arg: verdict given after a close without one
const K_RATED = 3; // arg: 1 satisfied, 0 not
const K_RESPONSE = 4; // arg: 1 answered in time, 0 missed
const NEGATIVE = 1 << 16;
const fact = (kind: number, arg: number) => kind | (arg << 4);
/** In a creation's arg (12 bits): raised by a grid worker (未诉先办); the category is the bits below. */
const PROACTIVE_FLAG = 1 << 11;

/** Int32 slots of one window's counters: what countWindowFact fills and windowKpisOf reads. */
export const WINDOW_FIELDS = W_FIELDS;

/**
 * Counts one fact (a `code` of the live state, see LiveObserver) into one window's counters at c[base…], with
 * its sign. The one place a fact becomes KPI counts: the live state's windows and the trends' days both use
 * it. Returns the category index of a creation, -1 for any other fact.
 */
export function countWindowFact(c: Int32Array, base: number, code: number, sign: number): number {
  const kind = code & 15;
  const arg = (code >> 4) & 0xfff;
  const o = base;
  switch (kind) {
    case K_CREATED:
      c[o + F_CREATED] = c[o + F_CREATED]! + sign;
      if (arg & PROACTIVE_FLAG) c[o + F_PROACTIVE] = c[o + F_PROACTIVE]! + sign;
      return arg & (PROACTIVE_FLAG - 1);
    case K_CLOSED:
      c[o + F_CLOSED] = c[o + F_CLOSED]! + sign;
      if (arg !== VERDICT_NONE) c[o + F_VERDICT] = c[o + F_VERDICT]! + sign;
      if (arg === VERDICT_RESOLVED) c[o + F_RESOLVED] = c[o + F_RESOLVED]! + sign;
      break;
    case K_VERDICT:
      c[o + F_VERDICT] = c[o + F_VERDICT]! + sign;
      if (arg === VERDICT_RESOLVED) c[o + F_RESOLVED] = c[o + F_RESOLVED]! + sign;
      break;
    case K_RATED:
      c[o + F_RATED] = c[o + F_RATED]! + sign;
      if (arg === 1) c[o + F_SATISFIED] = c[o + F_SATISFIED]! + sign;
      break;
    case K_RESPONSE:
      c[o + F_RESP_DUE] = c[o + F_RESP_DUE]! + sign;
      if (arg === 1) c[o + F_RESP_OK] = c[o + F_RESP_OK]! + sign;
      break;
  }
  return -1;
}

/** A window's figures from its counters at c[base…]: the definitions of the three rates and the composite. */
export function windowKpisOf(c: Int32Array, base: number, weights: KpiWeights): TicketWindowKpis {
  const ratio = (num: number, den: number) => (den > 0 ? num / den : null);
  const responseRate = ratio(c[base + F_RESP_OK]!, c[base + F_RESP_DUE]!);
  const resolutionRate = ratio(c[base + F_RESOLVED]!, c[base + F_VERDICT]!);
  const satisfactionRate = ratio(c[base + F_SATISFIED]!, c[base + F_RATED]!);
  return {
    created: c[base + F_CREATED]!,
    closed: c[base + F_CLOSED]!,
    proactive: c[base + F_PROACTIVE]!,
    responseRate,
    resolutionRate,
    satisfactionRate,
    composite: compositeScore(
      { response: responseRate, resolution: resolutionRate, satisfaction: satisfactionRate },
      weights,
    ),
    sample: { response: c[base + F_RESP_DUE]!, resolution: c[base + F_VERDICT]!, satisfaction: c[base + F_RATED]! },
  };
}

const RESPONSE_LEVELS: readonly ResponseLevel[] = ['none', 'IV', 'III', 'II', 'I'];
/**
 * Forgotten tickets kept for their follow-ups: about 40 bytes of fields and a Map entry each, so 200,000 (some
 * eight months of the district's tickets) cost about 20 MB; a follow-up older than that is not counted.
 */
const FORGOTTEN_MAX = 200_000;
const MAX_HISTORY = 256;
const DEFAULT_PAGE = 100;
const MAX_PAGE = 1000;

interface FutureFact {
  t: number;
  code: number;
  chain: number;
  sign: number;
}

interface ActiveResponse {
  level: number;
  riverId: string | undefined;
  area: number;
}

/** What a keyframe keeps of the live state (snapshotState()). */
interface LiveStateSnapshot {
  chains: ReturnType<AreaIndex['snapshotChains']>;
  seq: number;
  takenSeq: number;
  latestEventMs: number;
  now: number;
  clockSet: boolean;
  today: number;
  monthStart: number;
  yearStart: number;
  baselineDay: number | null;
  c: Int32Array;
  lastPatrolMs: Float64Array;
  lastPatrolAt: (string | null)[];
  responseLevel: Uint8Array;
  ring: Int32Array;
  ringDay: Int32Array;
  rolling: ReturnType<FactHeap['snapshot']>;
  future: FutureFact[];
  timers: (TicketRec | RangerRec)[];
  tickets: Map<string, TicketRec>;
  openTickets: Map<string, TicketRec>;
  forgotten: Map<string, FollowUpTarget>;
  ticketOrder: TicketRec[];
  ticketOrderSorted: boolean;
  droppedTickets: number;
  closedQueue: TicketRec[];
  closedHeld: number;
  ticketCount: number;
  checkpoints: Map<string, CheckpointRec>;
  rangers: Map<string, RangerRec>;
  incidents: Map<string, IncidentRec>;
  responses: Map<string, ActiveResponse>;
  visited: Map<number, Int32Array>;
}

interface StaticPoint {
  lon: number;
  lat: number;
  chain: number;
}

/**
 * A live state over `geo`. `now` starts the clock (epoch ms); without it the clock starts at the time of the
 * first event folded, so a state built without a clock still has a sensible 'today' (never Date.now(): a
 * replay must not depend on when it runs).
 */
export function createLiveState(
  geo: Geo,
  options?: Partial<LiveOptions>,
  now?: number,
  observer?: LiveObserver,
): LiveState & PooledTickets & KeyframeState {
  return new LiveStateImpl(geo, resolveLiveOptions(options), now, observer);
}

class LiveStateImpl implements LiveState, PooledTickets, KeyframeState {
  private readonly o: LiveOptions;
  private readonly areas: AreaIndex;
  private readonly c: Int32Array;
  private readonly lastPatrolMs: Float64Array;
  private readonly lastPatrolAt: (string | null)[];
  private readonly responseLevel: Uint8Array;

  private _seq = 0;
  private takenSeq = 0;
  /** The latest event time folded (epoch ms): a keyframe's envelope, so a replay knows which moments it covers. */
  private latestEventMs = 0;
  private now: number;
  private clockSet: boolean;
  private today: number;
  /** First local day of today's month and year: a fact dated on or after it (up to today) counts in the window. */
  private monthStart = 0;
  private yearStart = 0;
  private baselineDay: number | null;
  /**
   * The rolling 30 days as day buckets: ring[(slot × areas + area) × W_FIELDS + field], slot = day mod 30, and
   * ringDay[slot] the day a slot holds (NO_DAY: none). At local midnight the day leaving the window is
   * subtracted from the W_30D counters, so reading the window costs nothing.
   */
  private readonly ring: Int32Array;
  private readonly ringDay = new Int32Array(ROLLING_DAYS).fill(NO_DAY);

  private readonly rolling = new FactHeap();
  private future: FutureFact[] = [];
  private readonly timers = new TimerHeap<TicketRec | RangerRec>();

  private readonly tickets_ = new Map<string, TicketRec>();
  private readonly openTickets = new Map<string, TicketRec>();
  /** Dropped closed tickets, as much as a later rating or follow-up needs (FollowUpTarget). */
  private readonly forgotten = new Map<string, FollowUpTarget>();
  private ticketOrder: TicketRec[] = [];
  private ticketOrderSorted = true;
  private droppedTickets = 0;
  /** Closed tickets in the order they closed (from closedHead on), for the count limit of the retention. */
  private closedQueue: TicketRec[] = [];
  private closedHead = 0;
  private closedHeld = 0;
  private ticketCount = 0;

  private readonly checkpoints = new Map<string, CheckpointRec>();
  private readonly rangers = new Map<string, RangerRec>();
  private readonly incidents = new Map<string, IncidentRec>();
  private readonly responses = new Map<string, ActiveResponse>();

  private readonly clusterCells = new Map<number, ClusterCells>();
  private readonly patrolPoints = new Map<string, StaticPoint>();
  /** Per river, the areas its line passes through (for river-scoped flood responses). */
  private readonly riverAreas = new Map<string, Uint8Array>();

  private readonly dirty: Uint8Array;
  private dirtyList: number[] = [];
  private upserts = emptyKinds();
  private removals = emptyKinds();

  private readonly observer: LiveObserver | undefined;

  constructor(geo: Geo, options: LiveOptions, now: number | undefined, observer?: LiveObserver) {
    this.o = options;
    this.observer = observer;
    const start = now !== undefined && Number.isFinite(now) ? now : null;
    this.clockSet = start !== null;
    this.now = start ?? 0;
    this.today = this.setDay(localDay(this.now));
    this.baselineDay = options.zeroComplaintSinceMs === null ? null : localDay(options.zeroComplaintSinceMs);
    const areas = (this.areas = new AreaIndex(geo));
    const n = areas.size;
    this.c = new Int32Array(n * STRIDE);
    this.ring = new Int32Array(ROLLING_DAYS * n * W_FIELDS);
    for (let a = 0; a < n; a++) {
      this.c[a * STRIDE + C_LAST_DAY] = NO_DAY;
      this.c[a * STRIDE + C_PREV_DAY] = NO_DAY;
    }
    this.lastPatrolMs = new Float64Array(n).fill(-Infinity);
    this.lastPatrolAt = new Array<string | null>(n).fill(null);
    this.responseLevel = new Uint8Array(n);
    this.dirty = new Uint8Array(n);

    // Static points are located once, here, with the same locator ingest uses.
    const locator = createLocator(geo);
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
      this.addCounter(chain, C_COLOR, 1);
      this.addCounter(chain, C_CHECKPOINTS, 1);
      if (rec.obstruction !== null) this.addCounter(chain, C_OBSTRUCTIONS_OPEN, 1);
    }
    for (const f of geo.layers.forest.features) {
      const idx = areas.index('forest', f.properties.id);
      const cells = new ClusterCells(f.geometry as { type: string; coordinates: unknown }, options.coverageCellM);
      this.clusterCells.set(idx, cells);
      observer?.cluster?.(idx, cells.total);
      this.addCounter(areas.chainOfArea(idx), C_SUBCELLS, cells.total);
    }
    for (const f of geo.layers.patrolPoints.features) {
      const [lon, lat] = f.geometry.coordinates as [number, number];
      const place = locator.locate(lon, lat) ?? undefined;
      this.patrolPoints.set(f.properties.id, {
        lon,
        lat,
        chain: areas.chainOfPlace(place),
      });
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
    // Nothing has changed yet for a client that starts from a snapshot.
    this.dirty.fill(0);
    this.dirtyList = [];
  }

  get seq(): number {
    return this._seq;
  }

  get envelopeMs(): number {
    return this.latestEventMs;
  }

  // ---- keyframes (live/keyframes.ts) ----

  /**
   * Everything apply() and advance() change, as plain data for a keyframe; nothing the constructor derives from
   * the geography, and not the change set (a restored state has nothing to send until it folds). Records are
   * shared, not copied: the keyframe's encoder serialises them in one go, so a ticket in the ordering array, the
   * timer heap and the open set stays one ticket.
   */
  snapshotState(): unknown {
    const visited = new Map<number, Int32Array>();
    for (const [idx, cells] of this.clusterCells) visited.set(idx, cells.visitedDay);
    return {
      chains: this.areas.snapshotChains(),
      seq: this._seq,
      takenSeq: this.takenSeq,
      latestEventMs: this.latestEventMs,
      now: this.now,
      clockSet: this.clockSet,
      today: this.today,
      monthStart: this.monthStart,
      yearStart: this.yearStart,
      baselineDay: this.baselineDay,
      c: this.c,
      lastPatrolMs: this.lastPatrolMs,
      lastPatrolAt: this.lastPatrolAt,
      responseLevel: this.responseLevel,
      ring: this.ring,
      ringDay: this.ringDay,
      rolling: this.rolling.snapshot(),
      future: this.future,
      timers: this.timers.snapshot(),
      tickets: this.tickets_,
      openTickets: this.openTickets,
      forgotten: this.forgotten,
      ticketOrder: this.ticketOrder,
      ticketOrderSorted: this.ticketOrderSorted,
      droppedTickets: this.droppedTickets,
      closedQueue: this.closedQueue.slice(this.closedHead),
      closedHeld: this.closedHeld,
      ticketCount: this.ticketCount,
      checkpoints: this.checkpoints,
      rangers: this.rangers,
      incidents: this.incidents,
      responses: this.responses,
      visited,
    } satisfies LiveStateSnapshot;
  }

  /** Takes over a snapshotState() decoded from a keyframe; only on a state that has folded nothing yet. */
  restoreState(data: unknown): void {
    if (this._seq !== 0) throw new Error('a keyframe is restored only into a state that has folded nothing');
    const s = data as LiveStateSnapshot;
    // A deserialised record is a plain object: give records back their class (the timer loop tells tickets from
    // rangers by it) and rangers' trails their methods.
    for (const t of s.tickets.values()) Object.setPrototypeOf(t, TicketRec.prototype);
    for (const r of s.rangers.values()) {
      Object.setPrototypeOf(r, RangerRec.prototype);
      Object.setPrototypeOf(r.trail, Trail.prototype);
    }
    for (const cp of s.checkpoints.values()) Object.setPrototypeOf(cp, CheckpointRec.prototype);
    this.areas.restoreChains(s.chains);
    this._seq = s.seq;
    this.takenSeq = s.takenSeq;
    this.latestEventMs = s.latestEventMs;
    this.now = s.now;
    this.clockSet = s.clockSet;
    this.today = s.today;
    this.monthStart = s.monthStart;
    this.yearStart = s.yearStart;
    this.baselineDay = s.baselineDay;
    this.c.set(s.c);
    this.lastPatrolMs.set(s.lastPatrolMs);
    for (let i = 0; i < s.lastPatrolAt.length; i++) this.lastPatrolAt[i] = s.lastPatrolAt[i]!;
    this.responseLevel.set(s.responseLevel);
    this.ring.set(s.ring);
    this.ringDay.set(s.ringDay);
    this.rolling.restore(s.rolling);
    this.future = s.future;
    this.timers.restore(s.timers);
    const refill = <K, V>(into: Map<K, V>, from: Map<K, V>) => {
      into.clear();
      for (const [k, v] of from) into.set(k, v);
    };
    refill(this.tickets_, s.tickets);
    refill(this.openTickets, s.openTickets);
    refill(this.forgotten, s.forgotten);
    refill(this.checkpoints, s.checkpoints);
    refill(this.rangers, s.rangers);
    refill(this.incidents, s.incidents);
    refill(this.responses, s.responses);
    this.ticketOrder = s.ticketOrder;
    this.ticketOrderSorted = s.ticketOrderSorted;
    this.droppedTickets = s.droppedTickets;
    this.closedQueue = s.closedQueue;
    this.closedHead = 0;
    this.closedHeld = s.closedHeld;
    this.ticketCount = s.ticketCount;
    for (const [idx, days] of s.visited) this.clusterCells.get(idx)?.visitedDay.set(days);
    this.dirty.fill(0);
    this.dirtyList = [];
    this.upserts = emptyKinds();
    this.removals = emptyKinds();
  }

  // ---- folding ----

  apply(events: readonly StoredEvent[]): void {
    for (const s of events) {
      if (s.seq <= this._seq) continue;
      this.fold(s);
      this._seq = s.seq;
    }
    // Deadlines that passed before the batch are settled after the whole batch, so a response folded in the
    // same batch as its ticket is not first counted as missed.
    this.runTimers();
  }

  advance(nowMs: number): void {
    if (!Number.isFinite(nowMs)) return;
    if (!this.clockSet) {
      this.clockSet = true;
      this.now = nowMs;
      this.today = this.setDay(localDay(nowMs));
    }
    // The clock never runs backwards: an older time (a slow timer) changes nothing.
    if (!(nowMs > this.now)) return;
    this.now = nowMs;
    const limit = nowMs - DAY_MS;
    const rolling = this.rolling;
    while (rolling.size > 0 && rolling.minTime() <= limit) {
      rolling.pop();
      const code = rolling.poppedCode;
      this.countFact(W_ROLL, code & ~NEGATIVE, rolling.poppedChain, code & NEGATIVE ? 1 : -1);
    }
    const day = localDay(nowMs);
    if (day > this.today) this.rollover(day);
    this.runTimers();
  }

  private fold(s: StoredEvent): void {
    const e = s.event;
    // Alert events share the log; they change no aggregate (rules/alerts.ts folds them) and must not start the clock.
    if (e.kind.startsWith(ALERT_KIND_PREFIX)) return;
    const ms = Date.parse(e.time);
    if (Number.isNaN(ms)) return; // validated upstream; a bad time must not poison the counters
    if (ms > this.latestEventMs) this.latestEventMs = ms;
    if (!this.clockSet) {
      this.clockSet = true;
      this.now = ms;
      this.today = this.setDay(localDay(ms));
    }
    if (this.baselineDay === null) this.baselineDay = localDay(ms);
    switch (e.kind) {
      case 'ticket.created':
        return this.ticketCreated(e, s.place, ms);
      case 'ticket.updated':
        return this.ticketUpdated(e, ms);
      case 'ticket.escalated':
        return this.ticketEscalated(e);
      case 'ticket.closed':
        return this.ticketClosed(e, ms);
      case 'ticket.rated':
        return this.ticketRated(e, ms);
      case 'ticket.followed_up':
        return this.ticketFollowedUp(e, ms);
      case 'ticket.supervised':
        return this.ticketSupervised(e, ms);
      case 'flood.reading':
        return this.floodReading(e, ms);
      case 'flood.inspection':
        return this.floodInspection(e, ms);
      case 'flood.obstruction':
        return this.floodObstruction(e);
      case 'flood.response':
        return this.floodResponse(e);
      case 'patrol.started':
        return this.patrolStarted(e, s.place, ms);
      case 'patrol.position':
        return this.patrolPosition(e, s.place, ms);
      case 'patrol.checkin':
        return this.patrolCheckin(e, s.place, ms);
      case 'patrol.incident':
        return this.patrolIncident(e, s.place);
      case 'patrol.incident_resolved':
        return this.patrolIncidentResolved(e);
      case 'patrol.ended':
        return this.patrolEnded(e, ms);
      case 'patrol.device_status':
        return this.patrolDeviceStatus(e, ms);
    }
  }

  // ---- tickets ----

  private ticketCreated(e: EventOf<'ticket.created'>, place: Place | undefined, ms: number): void {
    if (this.tickets_.has(e.ticketId)) return; // a second create for the same ticket is a producer retry
    const due = ticketDeadlines(ms, e, this.o.deadlines, this.o.nearDeadlineFraction);
    const catIdx = CATEGORY_INDEX.get(e.category) ?? NCAT - 1;
    const chain = this.areas.chainOfPlace(place);
    const rec = new TicketRec(
      e.ticketId,
      this.ticketCount++,
      e.category,
      catIdx,
      e.urgency,
      e.title,
      e.location.lon,
      e.location.lat,
      place ? { ...place } : undefined,
      chain,
      e.time,
      ms,
      due.respondDueMs,
      due.resolveDueMs,
      due.nearMs,
      e.responseDueAt,
      e.resolveDueAt,
    );
    if (e.address !== undefined) rec.address = e.address;
    if (e.mediaUrl !== undefined) rec.mediaUrl = e.mediaUrl;
    this.tickets_.set(rec.id, rec);
    this.openTickets.set(rec.id, rec);
    const last = this.ticketOrder[this.ticketOrder.length - 1];
    if (last && last.createdMs > ms) this.ticketOrderSorted = false;
    this.ticketOrder.push(rec);
    this.addCounter(chain, C_OPEN, 1);
    // 未诉先办: the channel says who raised it; a grid worker's ticket came before any citizen's call.
    this.addFact(ms, fact(K_CREATED, e.channel === 'grid_worker' ? catIdx | PROACTIVE_FLAG : catIdx), chain, 1);
    this.refreshDeadlines(rec);
    this.upsert('tickets', rec.id, this.areas.townOf(chain));
  }

  private ticketUpdated(e: EventOf<'ticket.updated'>, ms: number): void {
    const rec = this.tickets_.get(e.ticketId);
    if (!rec || rec.status === 'closed') return;
    const idx = TICKET_STATUS_ORDER.indexOf(e.status);
    // The response (响应) is the first contact with the citizen: 办理 in progress or anything after it, even
    // out of order. 派单 (dispatch) is an internal hand-over within minutes and would make every response
    // rate 100 %.
    if (idx >= TICKET_STATUS_ORDER.indexOf('in_progress')) this.respond(rec, ms);
    if (e.status === 'closed') {
      if (e.assignee !== undefined) rec.assignee = e.assignee;
      this.close(rec, ms, VERDICT_NONE);
      return;
    }
    let changed = false;
    // Statuses only move forward: a replayed older status is late news, not a step back.
    if (idx > rec.statusIdx) {
      rec.status = e.status;
      rec.statusIdx = idx;
      changed = true;
    }
    if (e.assignee !== undefined && e.assignee !== rec.assignee) {
      rec.assignee = e.assignee;
      changed = true;
    }
    if (changed) this.upsert('tickets', rec.id, this.areas.townOf(rec.chain));
  }

  private ticketEscalated(e: EventOf<'ticket.escalated'>): void {
    const rec = this.tickets_.get(e.ticketId);
    if (!rec || rec.status === 'closed') return;
    let changed = false;
    for (const d of e.departments) {
      if (!rec.escalatedTo.includes(d)) {
        rec.escalatedTo.push(d);
        changed = true;
      }
    }
    if (changed) this.upsert('tickets', rec.id, this.areas.townOf(rec.chain));
  }

  private ticketClosed(e: EventOf<'ticket.closed'>, ms: number): void {
    const rec = this.tickets_.get(e.ticketId);
    if (!rec) return;
    const verdict = e.resolved ? VERDICT_RESOLVED : VERDICT_UNRESOLVED;
    if (rec.status !== 'closed') {
      this.respond(rec, ms);
      this.close(rec, ms, verdict);
    } else if (rec.verdict === VERDICT_NONE) {
      // Closed earlier through ticket.updated: the verdict completes that close, dated when it happened
      // (unless a follow-up has answered already: its verdict counts instead).
      rec.verdict = verdict;
      if (!rec.followed) this.addFact(rec.closedMs, fact(K_VERDICT, verdict), rec.chain, 1);
    }
  }

  /** An open or closed ticket, or what is kept of a forgotten one: what a rating or a follow-up needs. */
  private followUpTarget(ticketId: string): FollowUpTarget | undefined {
    return this.tickets_.get(ticketId) ?? this.forgotten.get(ticketId);
  }

  private ticketRated(e: EventOf<'ticket.rated'>, ms: number): void {
    const t = this.followUpTarget(e.ticketId);
    // One 回访 per ticket counts: a second call about the same ticket does not double its weight.
    if (!t || t.rated) return;
    t.rated = true;
    this.addFact(ms, fact(K_RATED, e.satisfied ? 1 : 0), t.chain, 1);
    if (t instanceof TicketRec) this.noteFollowUp(t, e, undefined, e.satisfied);
  }

  /**
   * Keeps on the ticket what its follow-up counted, for its detail: an answer only where it counted (the first
   * per question), and when and by whom the latest call that gave one was made (a call that reached nobody
   * stands only until one answers). A ticket on the map shows it at once.
   */
  private noteFollowUp(
    rec: TicketRec,
    e: { time: string; by?: string; score?: number },
    resolved: boolean | undefined,
    satisfied: boolean | undefined,
  ): void {
    const answered = resolved !== undefined || satisfied !== undefined;
    if (!answered && rec.followUp) return;
    const f: TicketFollowUp = { ...rec.followUp, at: e.time };
    if (e.by !== undefined) f.by = e.by;
    else delete f.by;
    if (resolved !== undefined) f.resolved = resolved;
    if (satisfied !== undefined) {
      f.satisfied = satisfied;
      if (e.score !== undefined) f.score = e.score;
    }
    rec.followUp = f;
    if (rec.status !== 'closed') this.upsert('tickets', rec.id, this.areas.townOf(rec.chain));
  }

  /**
   * 督办: counted on the ticket, the latest by its time kept; no aggregate changes. A closed ticket (or one the
   * state no longer holds) has nothing left to supervise.
   */
  private ticketSupervised(e: EventOf<'ticket.supervised'>, ms: number): void {
    const rec = this.tickets_.get(e.ticketId);
    if (!rec || rec.status === 'closed') return;
    const prev = rec.supervision;
    const count = (prev?.count ?? 0) + 1;
    // A supervision folded late (dated before the one kept) adds to the count only.
    rec.supervision =
      prev && ms < Date.parse(prev.at)
        ? { ...prev, count }
        : {
            count,
            at: e.time,
            by: e.by,
            level: e.level,
            ...(e.note !== undefined ? { note: e.note } : {}),
          };
    this.upsert('tickets', rec.id, this.areas.townOf(rec.chain));
  }

  /**
   * 回访: its satisfaction counts like a rating (the first per ticket), by the call's time; its "resolved?"
   * replaces the handler's verdict: that one is taken back where it was counted (the close's time), the
   * citizen's counts at the call's time. Only the first follow-up that answers each question counts.
   */
  private ticketFollowedUp(e: EventOf<'ticket.followed_up'>, ms: number): void {
    const t = this.followUpTarget(e.ticketId);
    if (!t) return;
    const satisfied = e.satisfied !== undefined && !t.rated ? e.satisfied : undefined;
    const resolved = e.resolved !== undefined && !t.followed ? e.resolved : undefined;
    if (satisfied !== undefined) {
      t.rated = true;
      this.addFact(ms, fact(K_RATED, satisfied ? 1 : 0), t.chain, 1);
    }
    if (resolved !== undefined) {
      t.followed = true;
      if (t.verdict !== VERDICT_NONE && Number.isFinite(t.closedMs))
        this.addFact(t.closedMs, fact(K_VERDICT, t.verdict), t.chain, -1);
      this.addFact(ms, fact(K_VERDICT, resolved ? VERDICT_RESOLVED : VERDICT_UNRESOLVED), t.chain, 1);
    }
    if (t instanceof TicketRec) this.noteFollowUp(t, e, resolved, satisfied);
  }

  /** A response dated `ms`; only the first one settles the response outcome. */
  private respond(rec: TicketRec, ms: number): void {
    if (rec.resp === RESP_PENDING) {
      if (ms <= rec.respDueMs) {
        rec.resp = RESP_ON_TIME;
        this.addFact(ms, fact(K_RESPONSE, 1), rec.chain, 1);
      } else {
        rec.resp = RESP_LATE;
        this.addFact(rec.respDueMs, fact(K_RESPONSE, 0), rec.chain, 1);
      }
      this.schedule(rec);
    } else if (rec.resp === RESP_MISSED_BY_CLOCK && ms <= rec.respDueMs) {
      // The clock ran past the deadline before this (in-time) response was folded: take the miss back.
      rec.resp = RESP_ON_TIME;
      this.addFact(rec.respDueMs, fact(K_RESPONSE, 0), rec.chain, -1);
      this.addFact(ms, fact(K_RESPONSE, 1), rec.chain, 1);
    } else if (rec.resp === RESP_MISSED_BY_CLOCK) {
      // A late first response settles the miss the clock counted: final, as if it had been folded before the
      // clock passed (where a batch or a restart begins must not decide whether a later response may count).
      rec.resp = RESP_LATE;
    }
  }

  private close(rec: TicketRec, ms: number, verdict: number): void {
    const chain = rec.chain;
    this.addCounter(chain, C_OPEN, -1);
    if (rec.overdue) this.addCounter(chain, C_OVERDUE, -1);
    if (rec.near) this.addCounter(chain, C_NEAR, -1);
    rec.overdue = false;
    rec.near = false;
    rec.status = 'closed';
    rec.statusIdx = TICKET_STATUS_ORDER.length - 1;
    rec.closedMs = ms;
    rec.verdict = verdict;
    // Followed up before the close (rare): the citizen's verdict counts already, the handler's does not.
    this.addFact(ms, fact(K_CLOSED, rec.followed ? VERDICT_NONE : verdict), chain, 1);
    this.openTickets.delete(rec.id);
    this.schedule(rec);
    this.remove('tickets', rec.id, this.areas.townOf(chain));
    this.closedQueue.push(rec);
    this.closedHeld++;
    while (this.closedHeld > this.o.closedTicketRetentionMax) {
      const oldest = this.closedQueue[this.closedHead++]!;
      if (oldest.dropped) continue; // its time ran out earlier
      this.timers.schedule(oldest, Infinity);
      this.dropClosed(oldest);
    }
    if (this.closedHead > 4096 && this.closedHead * 2 > this.closedQueue.length) {
      this.closedQueue = this.closedQueue.slice(this.closedHead);
      this.closedHead = 0;
    }
  }

  /** Forgets a closed ticket (a later rating of it is ignored); its facts stay in the windows. */
  private dropClosed(rec: TicketRec): void {
    if (this.tickets_.get(rec.id) === rec) this.tickets_.delete(rec.id);
    rec.dropped = true;
    // Kept small for a later follow-up; the oldest go first past the limit (a Map iterates in insertion order).
    this.forgotten.set(rec.id, {
      chain: rec.chain,
      closedMs: rec.closedMs,
      verdict: rec.verdict,
      rated: rec.rated,
      followed: rec.followed,
    });
    if (this.forgotten.size > FORGOTTEN_MAX) this.forgotten.delete(this.forgotten.keys().next().value!);
    this.droppedTickets++;
    this.closedHeld--;
    // Here as well as on read: a server nobody asks for ticket lists would otherwise hold every dropped one.
    this.compactTicketOrder();
  }

  /** Lets the dropped tickets go once they are more than half of the ordering array (amortised O(1) a drop). */
  private compactTicketOrder(): void {
    if (this.droppedTickets > 1024 && this.droppedTickets * 2 > this.ticketOrder.length) {
      this.ticketOrder = this.ticketOrder.filter((t) => !t.dropped);
      this.droppedTickets = 0;
    }
  }

  /** Overdue and near-deadline against the clock; counts and marks the ticket when either flips. */
  private refreshDeadlines(rec: TicketRec): void {
    const overdue = this.now > rec.resolveDueMs;
    const near = !overdue && this.now > rec.nearMs;
    if (overdue !== rec.overdue || near !== rec.near) {
      if (overdue !== rec.overdue) this.addCounter(rec.chain, C_OVERDUE, overdue ? 1 : -1);
      if (near !== rec.near) this.addCounter(rec.chain, C_NEAR, near ? 1 : -1);
      rec.overdue = overdue;
      rec.near = near;
      this.upsert('tickets', rec.id, this.areas.townOf(rec.chain));
    }
    this.schedule(rec);
  }

  /** Queues the ticket's next transition: a deadline while open, the end of retention once closed. */
  private schedule(rec: TicketRec): void {
    let due = Infinity;
    if (rec.status === 'closed') {
      due = rec.closedMs + this.o.closedTicketRetentionMs;
    } else {
      if (rec.resp === RESP_PENDING) due = rec.respDueMs;
      if (!rec.near && !rec.overdue) due = Math.min(due, rec.nearMs);
      if (!rec.overdue) due = Math.min(due, rec.resolveDueMs);
    }
    this.timers.schedule(rec, due);
  }

  private ticketTimer(rec: TicketRec): void {
    if (rec.status === 'closed') {
      if (!rec.dropped) this.dropClosed(rec);
      return;
    }
    if (rec.resp === RESP_PENDING && this.now > rec.respDueMs) {
      rec.resp = RESP_MISSED_BY_CLOCK;
      this.addFact(rec.respDueMs, fact(K_RESPONSE, 0), rec.chain, 1);
    }
    this.refreshDeadlines(rec);
  }

  // ---- flood ----

  private floodReading(e: EventOf<'flood.reading'>, ms: number): void {
    const cp = this.checkpoints.get(e.checkpointId);
    if (!cp) return;
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
    const from = cp.readingMs - this.o.trendWindowMs;
    let drop = 0;
    while (drop < ts.length && (ts[drop]! < from || ts.length - drop > MAX_HISTORY)) drop++;
    if (drop > 0) {
      ts.splice(0, drop);
      ls.splice(0, drop);
    }
    if (cp.level !== null && ls.length > 1) {
      const delta = cp.level - ls[0]!;
      cp.trend = delta > this.o.trendDeadBandM ? 'rising' : delta < -this.o.trendDeadBandM ? 'falling' : 'steady';
    } else {
      cp.trend = 'steady';
    }
    const color = cp.level === null ? 0 : colorIndex(cp.thresholds, cp.level);
    if (color !== cp.color) {
      this.addCounter(cp.chain, C_COLOR + cp.color, -1);
      this.addCounter(cp.chain, C_COLOR + color, 1);
      cp.color = color;
    }
    this.upsert('checkpoints', cp.id, cp.townId);
  }

  private floodInspection(e: EventOf<'flood.inspection'>, ms: number): void {
    const cp = this.checkpoints.get(e.checkpointId);
    if (!cp || ms < cp.inspectedMs) return;
    cp.inspectedMs = ms;
    cp.inspectedAt = e.time;
    this.upsert('checkpoints', cp.id, cp.townId);
  }

  private floodObstruction(e: EventOf<'flood.obstruction'>): void {
    const cp = this.checkpoints.get(e.checkpointId);
    // Only 碍洪点 have a clearance status; the event on a gauge is a producer mistake.
    if (!cp || cp.obstruction === null || cp.obstruction === e.status) return;
    const wasOpen = cp.obstruction !== 'cleared';
    const isOpen = e.status !== 'cleared';
    if (wasOpen !== isOpen) this.addCounter(cp.chain, C_OBSTRUCTIONS_OPEN, isOpen ? 1 : -1);
    cp.obstruction = e.status;
    this.upsert('checkpoints', cp.id, cp.townId);
  }

  /**
   * Responses are kept per scope (river and/or area). An area's level is the highest in force anywhere in it:
   * a district-wide response covers every area; an area response covers the area, everything below it and
   * (rolled up) its ancestors; a river response covers the areas the river passes through; both together,
   * the river's areas within the area (and the area's ancestors). 'none' lifts every response inside its
   * scope, so lifting the district-wide response ends them all.
   */
  private floodResponse(e: EventOf<'flood.response'>): void {
    const areas = this.areas;
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
        this.touch(a);
      }
    }
  }

  // ---- patrols ----

  private rangerRec(id: string): RangerRec {
    let r = this.rangers.get(id);
    if (!r) {
      r = new RangerRec(id);
      this.rangers.set(id, r);
    }
    return r;
  }

  private patrolStarted(e: EventOf<'patrol.started'>, place: Place | undefined, ms: number): void {
    const r = this.rangerRec(e.rangerId);
    if (r.patrolId !== null) this.endPatrol(r); // a new start without an end: the old patrol is over
    const cluster = this.areas.index('forest', e.clusterId);
    r.patrolId = e.patrolId;
    r.clusterId = e.clusterId;
    r.clusterChain = cluster >= 0 ? this.areas.chainOfArea(cluster) : 0;
    r.homeChain = r.clusterChain;
    this.addCounter(r.clusterChain, C_ACTIVE, 1);
    this.notePatrol(r.clusterChain, ms, e.time);
    this.seen(r, ms, e.time);
    if (e.location) this.position(r, e.location.lon, e.location.lat, ms, place, undefined);
    else this.changedRanger(r);
  }

  private patrolPosition(e: EventOf<'patrol.position'>, place: Place | undefined, ms: number): void {
    const r = this.rangerRec(e.rangerId);
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
    this.position(r, e.location.lon, e.location.lat, ms, place, e.battery);
  }

  /** A check-in proves the ranger stood at the point: a position (the patrol point's, if none was sent). */
  private patrolCheckin(e: EventOf<'patrol.checkin'>, place: Place | undefined, ms: number): void {
    const r = this.rangerRec(e.rangerId);
    this.seen(r, ms, e.time);
    if (r.patrolId !== null) this.notePatrol(r.clusterChain, ms, e.time);
    if (e.location) {
      this.position(r, e.location.lon, e.location.lat, ms, place, undefined);
      return;
    }
    const point = this.patrolPoints.get(e.pointId);
    if (point) this.position(r, point.lon, point.lat, ms, undefined, undefined, point.chain);
    else this.changedRanger(r);
  }

  /** A report that could not be placed: a sign of life (last seen, battery), never a position. */
  private patrolDeviceStatus(e: EventOf<'patrol.device_status'>, ms: number): void {
    const r = this.rangerRec(e.rangerId);
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
      this.addCounter(r.clusterChain, C_LOST, -1);
    }
    this.changedRanger(r);
  }

  private patrolEnded(e: EventOf<'patrol.ended'>, ms: number): void {
    const r = this.rangers.get(e.rangerId);
    // The end of an older patrol, arriving after a new one started, does not end the new one.
    if (!r || r.patrolId !== e.patrolId) return;
    this.notePatrol(r.clusterChain, ms, e.time);
    this.seen(r, ms, e.time);
    this.endPatrol(r);
    this.changedRanger(r);
  }

  private endPatrol(r: RangerRec): void {
    this.addCounter(r.clusterChain, C_ACTIVE, -1);
    if (r.lost) this.addCounter(r.clusterChain, C_LOST, -1);
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

  private position(
    r: RangerRec,
    lon: number,
    lat: number,
    ms: number,
    place: Place | undefined,
    battery: number | undefined,
    chain = this.areas.chainOfPlace(place),
  ): void {
    const forest = this.areas.chains[chain]![LEVEL_SLOT.forest]!;
    if (forest >= 0) {
      const cells = this.clusterCells.get(forest)!;
      const sub = cells.cellOf(lon, lat);
      const day = localDay(ms);
      if (sub >= 0) this.observer?.visit?.(day, forest, sub);
      if (sub >= 0 && day === this.today && cells.visitedDay[sub] !== this.today) {
        cells.visitedDay[sub] = this.today;
        this.addCounter(this.areas.chainOfArea(forest), C_COVERED, 1);
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
      r.trail.trim(ms - this.o.trailMs);
      if (battery !== undefined) r.battery = battery;
    }
    if (r.lost) {
      r.lost = false;
      this.addCounter(r.clusterChain, C_LOST, -1);
    }
    this.changedRanger(r);
  }

  /** Re-evaluates whether the ranger is on the map, reports the change, and queues its next transition. */
  private changedRanger(r: RangerRec): void {
    const listed = r.hasPosition && (r.patrolId !== null || !(this.now > r.seenMs + this.o.trailMs));
    if (listed) this.upsert('rangers', r.id, this.rangerTown(r));
    else if (r.listed) this.remove('rangers', r.id, this.rangerTown(r));
    r.listed = listed;
    let due = Infinity;
    if (r.patrolId !== null && !r.lost) due = r.seenMs + this.o.signalLostAfterMs;
    else if (r.patrolId === null && r.listed) due = r.seenMs + this.o.trailMs;
    this.timers.schedule(r, due);
  }

  private rangerTimer(r: RangerRec): void {
    if (r.patrolId !== null && !r.lost && this.now > r.seenMs + this.o.signalLostAfterMs) {
      r.lost = true;
      this.addCounter(r.clusterChain, C_LOST, 1);
    }
    this.changedRanger(r);
  }

  /** The chain a ranger is routed and scoped by: where it is, or its cluster when that is outside every town. */
  private rangerChain(r: RangerRec): number {
    if (this.areas.chains[r.positionChain]![SLOT_TOWN]! >= 0 || r.homeChain < 0) return r.positionChain;
    return r.homeChain;
  }

  private rangerTown(r: RangerRec): string | undefined {
    return this.areas.townOf(this.rangerChain(r));
  }

  private notePatrol(chain: number, ms: number, time: string): void {
    const c = this.areas.chains[chain]!;
    for (let s = 0; s < CHAIN_LENGTH; s++) {
      const a = c[s]!;
      if (a >= 0 && ms > this.lastPatrolMs[a]!) {
        this.lastPatrolMs[a] = ms;
        this.lastPatrolAt[a] = time;
        this.touch(a);
      }
    }
  }

  private patrolIncident(e: EventOf<'patrol.incident'>, place: Place | undefined): void {
    if (this.incidents.has(e.incidentId)) return;
    const chain = this.areas.chainOfPlace(place);
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
    this.addCounter(chain, C_INCIDENTS, 1);
    this.upsert('incidents', e.incidentId, this.areas.townOf(chain));
  }

  private patrolIncidentResolved(e: EventOf<'patrol.incident_resolved'>): void {
    const rec = this.incidents.get(e.incidentId);
    if (!rec) return;
    this.incidents.delete(e.incidentId);
    this.addCounter(rec.chain, C_INCIDENTS, -1);
    this.remove('incidents', rec.id, this.areas.townOf(rec.chain));
  }

  // ---- clock ----

  private runTimers(): void {
    const timers = this.timers;
    // Strictly after the due time: a deadline at 18:00 is met at 18:00.
    while (timers.nextDue() < this.now) {
      const item = timers.pop()!;
      if (item instanceof TicketRec) this.ticketTimer(item);
      else this.rangerTimer(item);
    }
  }

  /** Local midnight: the 'today' figures start again, streaks grow, coverage restarts. */
  private rollover(day: number): void {
    const c = this.c;
    const n = this.areas.size;
    const newMonth = monthStartDay(day) !== this.monthStart;
    const newYear = yearStartDay(day) !== this.yearStart;
    for (let a = 0; a < n; a++) {
      const o = a * STRIDE;
      c.fill(0, o + W_TODAY, o + W_TODAY + W_FIELDS);
      if (newMonth) c.fill(0, o + W_MONTH, o + W_MONTH + W_FIELDS);
      if (newYear) c.fill(0, o + W_YEAR, o + W_YEAR + W_FIELDS);
      c.fill(0, o + C_BYCAT, o + C_BYCAT + NCAT);
      c[o + C_COVERED] = 0;
      this.touch(a);
    }
    // The days that leave the rolling 30 days: their buckets come off the window's counters.
    const ring = this.ring;
    for (let slot = 0; slot < ROLLING_DAYS; slot++) {
      const d = this.ringDay[slot]!;
      if (d === NO_DAY || d > day - ROLLING_DAYS) continue;
      const first = slot * n * W_FIELDS;
      for (let a = 0; a < n; a++) {
        const from = first + a * W_FIELDS;
        const o = a * STRIDE + W_30D;
        for (let f = 0; f < W_FIELDS; f++) c[o + f] = c[o + f]! - ring[from + f]!;
      }
      ring.fill(0, first, first + n * W_FIELDS);
      this.ringDay[slot] = NO_DAY;
    }
    this.today = this.setDay(day);
    if (this.future.length > 0) {
      const keep: FutureFact[] = [];
      for (const f of this.future) {
        const d = localDay(f.t);
        if (d > day) {
          keep.push(f);
          continue;
        }
        if (d === day) this.countFact(W_TODAY, f.code, f.chain, f.sign);
        this.countPast(d, f.code, f.chain, f.sign);
        if ((f.code & 15) === K_CREATED) this.noteTicketDay(f.chain, d);
      }
      this.future = keep;
    }
  }

  /** Sets the day the windows are relative to, with the first days of its month and year; returns it. */
  private setDay(day: number): number {
    this.monthStart = monthStartDay(day);
    this.yearStart = yearStartDay(day);
    return day;
  }

  // ---- counters ----

  /**
   * Enters one fact into the windows. 'today' = [local midnight, next midnight) of the clock's day, by the
   * fact's own time; facts dated on a later day (a producer's clock ahead of ours) wait for that day.
   * rolling24h = (now − 24 h, ∞): a fact exactly 24 h old has left it.
   */
  private addFact(t: number, code: number, chain: number, sign: number): void {
    this.observer?.fact?.(t, code, this.areas.chains[chain]!, sign);
    const d = localDay(t);
    if (d === this.today) this.countFact(W_TODAY, code, chain, sign);
    else if (d > this.today) this.future.push({ t, code, chain, sign });
    if (d <= this.today) this.countPast(d, code, chain, sign);
    if ((code & 15) === K_CREATED && d <= this.today) this.noteTicketDay(chain, d);
    if (t > this.now - DAY_MS) {
      this.countFact(W_ROLL, code, chain, sign);
      this.rolling.push(t, sign < 0 ? code | NEGATIVE : code, chain);
    }
  }

  /**
   * Counts a fact of local day `d` (today or before) into the long windows it falls in: the month and the year
   * of today, and the rolling 30 days with the day's bucket. One pass over the chain for all of them.
   */
  private countPast(d: number, code: number, chain: number, sign: number): void {
    const inMonth = d >= this.monthStart;
    const inYear = d >= this.yearStart;
    const in30 = d > this.today - ROLLING_DAYS;
    if (!inYear && !in30) return;
    const c = this.c;
    const n = this.areas.size;
    let bucket = -1;
    if (in30) {
      const slot = ((d % ROLLING_DAYS) + ROLLING_DAYS) % ROLLING_DAYS;
      this.ringDay[slot] = d;
      bucket = slot * n * W_FIELDS;
    }
    const ch = this.areas.chains[chain]!;
    for (let s = 0; s < CHAIN_LENGTH; s++) {
      const a = ch[s]!;
      if (a < 0) continue;
      const o = a * STRIDE;
      if (inMonth) countWindowFact(c, o + W_MONTH, code, sign);
      if (inYear) countWindowFact(c, o + W_YEAR, code, sign);
      if (in30) {
        countWindowFact(c, o + W_30D, code, sign);
        countWindowFact(this.ring, bucket + a * W_FIELDS, code, sign);
      }
      this.touch(a);
    }
  }

  private countFact(window: number, code: number, chain: number, sign: number): void {
    const c = this.c;
    const ch = this.areas.chains[chain]!;
    for (let s = 0; s < CHAIN_LENGTH; s++) {
      const a = ch[s]!;
      if (a < 0) continue;
      const category = countWindowFact(c, a * STRIDE + window, code, sign);
      if (category >= 0 && window === W_TODAY)
        c[a * STRIDE + C_BYCAT + category] = c[a * STRIDE + C_BYCAT + category]! + sign;
      this.touch(a);
    }
  }

  private noteTicketDay(chain: number, d: number): void {
    const c = this.c;
    const ch = this.areas.chains[chain]!;
    for (let s = 0; s < CHAIN_LENGTH; s++) {
      const a = ch[s]!;
      if (a < 0) continue;
      const o = a * STRIDE;
      if (d > c[o + C_LAST_DAY]!) {
        c[o + C_PREV_DAY] = c[o + C_LAST_DAY]!;
        c[o + C_LAST_DAY] = d;
      } else if (d < c[o + C_LAST_DAY]! && d > c[o + C_PREV_DAY]!) {
        c[o + C_PREV_DAY] = d;
      } else {
        continue;
      }
      this.touch(a);
    }
  }

  private addCounter(chain: number, field: number, delta: number): void {
    const ch = this.areas.chains[chain]!;
    for (let s = 0; s < CHAIN_LENGTH; s++) {
      const a = ch[s]!;
      if (a < 0) continue;
      this.c[a * STRIDE + field] = this.c[a * STRIDE + field]! + delta;
      this.touch(a);
    }
  }

  private touch(a: number): void {
    if (this.dirty[a] === 0) {
      this.dirty[a] = 1;
      this.dirtyList.push(a);
    }
  }

  private upsert(kind: ObjectKind, id: string, town: string | undefined): void {
    const removals = this.removals[kind];
    if (removals.size > 0) removals.delete(id);
    this.upserts[kind].set(id, town);
  }

  private remove(kind: ObjectKind, id: string, town: string | undefined): void {
    this.upserts[kind].delete(id);
    this.removals[kind].set(id, town);
  }

  // ---- reading ----

  aggregate(key: AreaKey): AreaAggregate | undefined {
    const a = this.areas.byKey.get(key);
    return a === undefined ? undefined : this.buildAggregate(a);
  }

  private buildAggregate(a: number): AreaAggregate {
    const c = this.c;
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
        responseLevel: RESPONSE_LEVELS[this.responseLevel[a]!]!,
      },
      patrol: {
        activeRangers: c[o + C_ACTIVE]!,
        lastPatrolAt: this.lastPatrolAt[a]!,
        coverageToday: subcells > 0 ? c[o + C_COVERED]! / subcells : null,
        openIncidents: c[o + C_INCIDENTS]!,
        lostSignal: c[o + C_LOST]!,
      },
      zeroComplaintDays: this.zeroComplaintDays(o),
    };
  }

  /**
   * Ticket KPIs of several disjoint areas taken as one (the grid cells of a village): counters summed, rates
   * from the sums, so a village's rate weighs every ticket alike instead of averaging its cells' rates.
   * Unknown keys count nothing.
   */
  pooledTickets(keys: readonly AreaKey[]): TicketKpis {
    const sum = new Int32Array(STRIDE);
    for (const key of keys) {
      const a = this.areas.byKey.get(key);
      if (a === undefined) continue;
      const o = a * STRIDE;
      for (let f = 0; f < C_BYCAT + NCAT; f++) sum[f] = sum[f]! + this.c[o + f]!;
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

  /**
   * Whole local days before today since the last day with a new ticket, counted from the baseline day at
   * the earliest (zeroComplaintSinceMs, else the day of the first event folded): the state cannot vouch for
   * days before it saw anything.
   */
  private zeroComplaintDays(o: number): number {
    if (this.baselineDay === null) return 0;
    const last = this.c[o + C_LAST_DAY]!;
    const lastBefore = last < this.today ? last : this.c[o + C_PREV_DAY]!;
    const from = Math.max(lastBefore + 1, this.baselineDay);
    return Math.max(0, this.today - from);
  }

  snapshot(scope: AreaKey): Snapshot {
    const a = this.areas.byKey.get(scope);
    if (a === undefined) throw new RangeError(`unknown area ${scope}`);
    const areas = this.areas;
    const inScope = (chain: number) => a === areas.district || areas.chainIn(chain, a);
    const tickets: TicketObject[] = [];
    for (const t of this.openTickets.values()) if (inScope(t.chain)) tickets.push(this.ticketObject(t));
    const checkpoints: CheckpointObject[] = [];
    for (const cp of this.checkpoints.values()) if (inScope(cp.chain)) checkpoints.push(checkpointObject(cp));
    const rangers: RangerObject[] = [];
    for (const r of this.rangers.values())
      if (r.listed && inScope(this.rangerChain(r))) rangers.push(this.rangerObject(r));
    const incidents: IncidentObject[] = [];
    for (const i of this.incidents.values()) if (inScope(i.chain)) incidents.push(incidentObject(i));
    return {
      seq: this._seq,
      scope,
      at: isoLocal(this.now),
      aggregates: [this.buildAggregate(a), ...areas.children[a]!.map((x) => this.buildAggregate(x))],
      tickets,
      checkpoints,
      rangers,
      incidents,
    };
  }

  takeChanges(): LiveChanges {
    const aggregates = new Set<AreaKey>();
    for (const a of this.dirtyList) {
      aggregates.add(this.areas.keys[a]!);
      this.dirty[a] = 0;
    }
    this.dirtyList = [];
    const changes: LiveChanges = {
      fromSeq: this.takenSeq,
      toSeq: this._seq,
      aggregates,
      upserts: this.upserts,
      removals: this.removals,
    };
    this.takenSeq = this._seq;
    this.upserts = emptyKinds();
    this.removals = emptyKinds();
    return changes;
  }

  // The single-object getters answer for the active set only (open tickets, rangers on the map), the same set
  // snapshots hold: the gateway reads "undefined" as "remove it from the map". Closed tickets that are still
  // retained are listed by tickets({ status: 'closed' }).
  ticket(id: string): TicketObject | undefined {
    const rec = this.openTickets.get(id);
    return rec ? this.ticketObject(rec) : undefined;
  }

  checkpoint(id: string): CheckpointObject | undefined {
    const cp = this.checkpoints.get(id);
    return cp ? checkpointObject(cp) : undefined;
  }

  ranger(id: string): RangerObject | undefined {
    const r = this.rangers.get(id);
    return r && r.listed ? this.rangerObject(r) : undefined;
  }

  incident(id: string): IncidentObject | undefined {
    const i = this.incidents.get(id);
    return i ? incidentObject(i) : undefined;
  }

  /**
   * Open tickets and closed ones still retained, newest first (creation time, then creation order), so
   * paging is stable while nothing new arrives.
   */
  tickets(query: TicketQuery): { total: number; items: TicketObject[] } {
    const area = query.area === undefined ? this.areas.district : this.areas.byKey.get(query.area);
    if (area === undefined) return { total: 0, items: [] };
    const offset = Math.max(0, Math.floor(query.offset ?? 0));
    const limit = Math.min(MAX_PAGE, Math.max(0, Math.floor(query.limit ?? DEFAULT_PAGE)));
    this.tidyTicketOrder();
    const all = area === this.areas.district;
    const items: TicketObject[] = [];
    let total = 0;
    // One ticket by id: looked up, not scanned for.
    const one = query.id !== undefined ? this.tickets_.get(query.id) : undefined;
    const order = query.id !== undefined ? (one ? [one] : []) : this.ticketOrder;
    for (let i = order.length - 1; i >= 0; i--) {
      const t = order[i]!;
      if (t.dropped) continue;
      if (!all && !this.areas.chainIn(t.chain, area)) continue;
      if (query.status !== undefined && (query.status === 'open' ? t.status === 'closed' : t.status !== query.status))
        continue;
      if (query.category !== undefined && t.category !== query.category) continue;
      if (query.overdue !== undefined && t.overdue !== query.overdue) continue;
      if (total >= offset && items.length < limit) items.push(this.ticketObject(t));
      total++;
    }
    return { total, items };
  }

  townOf(kind: ObjectKind, id: string): string | undefined {
    switch (kind) {
      case 'tickets': {
        const t = this.tickets_.get(id);
        return t ? this.areas.townOf(t.chain) : undefined;
      }
      case 'checkpoints':
        return this.checkpoints.get(id)?.townId;
      case 'rangers': {
        const r = this.rangers.get(id);
        return r ? this.rangerTown(r) : undefined;
      }
      case 'incidents': {
        const i = this.incidents.get(id);
        return i ? this.areas.townOf(i.chain) : undefined;
      }
    }
  }

  patrolVisited(area: AreaKey): PatrolVisited | undefined {
    const idx = this.areas.byKey.get(area);
    if (idx === undefined) return undefined;
    const level = this.areas.levels[idx];
    if (level !== 'town' && level !== 'forest') return undefined;
    const clusters =
      level === 'forest' ? [idx] : this.areas.children[idx]!.filter((c) => this.areas.levels[c] === 'forest');
    return {
      area,
      // The local day number counts days since 1970-01-01 in local time, so its UTC date is the local date.
      day: new Date(this.today * DAY_MS).toISOString().slice(0, 10),
      clusters: clusters.map((c) => {
        const cells = this.clusterCells.get(c)!;
        return {
          clusterId: this.areas.ids[c]!,
          dLon: cells.dLon,
          dLat: cells.dLat,
          total: cells.total,
          corners: cells.visitedCorners(this.today),
        };
      }),
    };
  }

  /** Sorts (rarely: only after an out-of-order creation) and compacts the ordering array lazily, on read. */
  private tidyTicketOrder(): void {
    this.compactTicketOrder();
    if (!this.ticketOrderSorted) {
      this.ticketOrder.sort((x, y) => x.createdMs - y.createdMs || x.order - y.order);
      this.ticketOrderSorted = true;
    }
  }

  private ticketObject(t: TicketRec): TicketObject {
    const o: TicketObject = {
      id: t.id,
      category: t.category,
      urgency: t.urgency,
      status: t.status,
      title: t.title,
      position: [t.lon, t.lat],
      createdAt: t.createdAt,
      responseDueAt: t.respDueAt ?? isoLocal(t.respDueMs),
      resolveDueAt: t.resolveDueAt ?? isoLocal(t.resolveDueMs),
      overdue: t.overdue,
      nearDeadline: t.near,
      escalatedTo: [...t.escalatedTo],
    };
    if (t.place) o.place = { ...t.place };
    if (t.assignee !== undefined) o.assignee = t.assignee;
    if (t.address !== undefined) o.address = t.address;
    if (t.mediaUrl !== undefined) o.mediaUrl = t.mediaUrl;
    if (t.supervision) o.supervision = { ...t.supervision };
    if (t.followUp) o.followUp = { ...t.followUp };
    return o;
  }

  private rangerObject(r: RangerRec): RangerObject {
    return {
      id: r.id,
      patrolId: r.patrolId,
      clusterId: r.clusterId,
      position: [r.lon, r.lat],
      trail: r.trail.toArray(),
      status: r.patrolId !== null ? 'patrolling' : 'idle',
      lastSeen: r.seenAt,
      signalLost: r.lost,
      battery: r.battery,
      ...(r.device ? { device: { ...r.device } } : {}),
    };
  }
}

function emptyKinds(): Record<ObjectKind, Map<string, string | undefined>> {
  return { tickets: new Map(), checkpoints: new Map(), rangers: new Map(), incidents: new Map() };
}

/** Highest threshold at or below the level, as an index into WARNING_ORDER. */
function colorIndex(th: { blue: number; yellow: number; orange: number; red: number }, level: number): number {
  if (level >= th.red) return 4;
  if (level >= th.orange) return 3;
  if (level >= th.yellow) return 2;
  if (level >= th.blue) return 1;
  return 0;
}

function checkpointObject(cp: CheckpointRec): CheckpointObject {
  return {
    id: cp.id,
    level: cp.level,
    rainfall: cp.rainfall,
    trend: cp.trend,
    color: WARNING_ORDER[cp.color]!,
    obstructionStatus: cp.obstruction,
    readingAt: cp.readingAt,
    inspectedAt: cp.inspectedAt,
  };
}

function incidentObject(i: IncidentRec): IncidentObject {
  return {
    id: i.id,
    rangerId: i.rangerId,
    type: i.type,
    severity: i.severity,
    position: [i.lon, i.lat],
    reportedAt: i.reportedAt,
  };
}
