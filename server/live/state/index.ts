// The live state: a deterministic fold of the event log into per-area aggregates and the active map objects.
// This file wires its parts and folds; each part has one job (README.md):
// - counters.ts (with layout.ts): the counters in typed arrays, the windows' facts, the clock and the day;
// - tickets.ts (with ticket-book.ts), flood.ts, patrol.ts: one reducer per event family, each supplying its
//   entries of the dispatch table (one function per event kind) and handling its own timers;
// - changes.ts: the change set the gateway drains; views.ts (with objects.ts): everything read.
//
// How it stays deterministic: the clock only moves through advance() and the first event folded, never
// Date.now(), so a replay of the same log with the same clock calls gives the same state. Time-driven
// transitions (near deadline, overdue, missed response, lost signal, end of retention) sit in one indexed
// heap, one entry per object, processed when the clock moves and after every batch.
//
// Definitions (docs/KPIS.md):
// - Windows use each event's own `time`. today = [local midnight, next midnight) in Asia/Shanghai (UTC+8,
//   arithmetic, see time.ts) of the clock's day; rolling24h = (now − 24 h, now], plus anything dated ahead of
//   the clock. A fact dated on a later local day (a producer's clock ahead) enters 'today' when that day comes.
// - newToday / created: tickets created in the window. closedToday / closed: tickets closed in the window
//   (ticket.closed, or ticket.updated to 'closed'). The rates: tickets.ts. composite: compositeScore() of the
//   window's three rates with options.kpiWeights.
// - zeroComplaintDays: whole local days before today since the last day with a new ticket in the area, but
//   never before the baseline day (options.zeroComplaintSinceMs, else the day of the first event folded).
// - Tickets without a place count at the district only.
import type { AreaKey } from '../../contract/areas';
import type { EventKind, OpsEvent, Place, StoredEvent } from '../../contract/events';
import type { PatrolVisited } from '../../contract/patrol';
import { localDay } from '../../contract/time';
import type { Geo } from '../../geo/load';
import { createLocator } from '../../geo/locate';
import { AreaIndex } from '../areas';
import { TimerHeap } from '../heap';
import type { LiveObserver } from '../observer';
import { resolveLiveOptions, type LiveOptions } from '../options';
import { TicketRec, type RangerRec } from '../records';
import type {
  KeyframeState,
  LiveChanges,
  LiveFold,
  LiveState,
  ObjectKind,
  OpenTicketRecord,
  OpenTicketRecords,
  PooledTickets,
  TicketQuery,
} from '../types';
import { ChangeSet } from './changes';
import type { FoldContext, Reducers } from './context';
import { Counters, type CountersSnapshot } from './counters';
import { FloodReducer, type FloodSnapshot } from './flood';
import { PatrolReducer, type PatrolSnapshot } from './patrol';
import type { TicketBookSnapshot } from './ticket-book';
import { TicketReducer } from './tickets';
import { LiveViews } from './views';

export { countWindowFact, WINDOW_FIELDS, windowKpisOf } from './layout';

/** What a keyframe keeps of the live state (snapshotState()). */
interface LiveStateSnapshot {
  chains: ReturnType<AreaIndex['snapshotChains']>;
  seq: number;
  takenSeq: number;
  latestEventMs: number;
  counters: CountersSnapshot;
  timers: (TicketRec | RangerRec)[];
  tickets: TicketBookSnapshot;
  flood: FloodSnapshot;
  patrol: PatrolSnapshot;
}

/** Any family's reducer, as the dispatch calls it. */
type AnyReduce = (e: OpsEvent, place: Place | undefined, ms: number) => void;

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
): LiveFold {
  return new LiveStateImpl(geo, resolveLiveOptions(options), now, observer);
}

class LiveStateImpl implements LiveState, PooledTickets, KeyframeState, OpenTicketRecords {
  private readonly areas: AreaIndex;
  private readonly counters: Counters;
  private readonly changes: ChangeSet;
  private readonly timers = new TimerHeap<TicketRec | RangerRec>();
  private readonly tickets_: TicketReducer;
  private readonly flood: FloodReducer;
  private readonly patrol: PatrolReducer;
  private readonly views: LiveViews;
  /** The dispatch table: event kind → its family's reducer. Alert events (rules/alerts.ts) have none. */
  private readonly reducers: Map<string, AnyReduce>;
  private _seq = 0;
  /** The latest event time folded (epoch ms): a keyframe's envelope, so a replay knows which moments it covers. */
  private latestEventMs = 0;

  constructor(geo: Geo, o: LiveOptions, now: number | undefined, observer?: LiveObserver) {
    const areas = (this.areas = new AreaIndex(geo));
    this.changes = new ChangeSet(areas.keys);
    const start = now !== undefined && Number.isFinite(now) ? now : null;
    this.counters = new Counters(areas, this.changes, observer, start, o.zeroComplaintSinceMs);
    const x: FoldContext = { o, areas, counters: this.counters, changes: this.changes, timers: this.timers, observer };
    // Static points are located once, here, with the same locator ingest uses.
    const locator = createLocator(geo);
    this.tickets_ = new TicketReducer(x);
    this.flood = new FloodReducer(x, geo, locator, observer);
    this.patrol = new PatrolReducer(x, geo, locator, observer);
    // Typed as every kind: a kind added to the contract without a reducer does not compile.
    // 履约评价 (property.assessed) is folded by live/property-scores.ts: the live state keeps nothing of it.
    const table: Reducers<EventKind> = {
      ...this.tickets_.reducers,
      ...this.flood.reducers,
      ...this.patrol.reducers,
      'property.assessed': () => {},
    };
    this.reducers = new Map(Object.entries(table) as [string, AnyReduce][]);
    this.views = new LiveViews(o, areas, this.counters, this.tickets_.book, this.flood, this.patrol);
    // Nothing has changed yet for a client that starts from a snapshot.
    this.changes.clear();
  }

  get seq(): number {
    return this._seq;
  }

  get envelopeMs(): number {
    return this.latestEventMs;
  }

  get clockMs(): number {
    return this.counters.clockSet ? this.counters.now : -Infinity;
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
    this.counters.startClock(nowMs);
    // The clock never runs backwards: an older time (a slow timer) changes nothing.
    if (this.counters.advance(nowMs)) this.runTimers();
  }

  private fold(s: StoredEvent): void {
    const e = s.event;
    // Alert events share the log; they have no reducer here (rules/alerts.ts folds them) and must not start the clock.
    const reduce = this.reducers.get(e.kind);
    if (reduce === undefined) return;
    const ms = Date.parse(e.time);
    if (Number.isNaN(ms)) return; // validated upstream; a bad time must not poison the counters
    if (ms > this.latestEventMs) this.latestEventMs = ms;
    const counters = this.counters;
    if (!counters.clockSet) counters.startClock(ms);
    if (counters.baselineDay === null) counters.baselineDay = localDay(ms);
    reduce(e as OpsEvent, s.place, ms);
  }

  private runTimers(): void {
    const timers = this.timers;
    const now = this.counters.now;
    // Strictly after the due time: a deadline at 18:00 is met at 18:00.
    while (timers.nextDue() < now) {
      const item = timers.pop()!;
      if (item instanceof TicketRec) this.tickets_.timer(item);
      else this.patrol.timer(item);
    }
  }

  takeChanges(): LiveChanges {
    return this.changes.take(this._seq);
  }

  // ---- keyframes (live/keyframes.ts) ----

  /**
   * Everything apply() and advance() change, as plain data for a keyframe; nothing the constructor derives from
   * the geography, and not the change set (a restored state has nothing to send until it folds). Records are
   * shared, not copied: the keyframe's encoder serialises them in one go, so a ticket in the ordering array, the
   * timer heap and the open set stays one ticket.
   */
  snapshotState(): unknown {
    return {
      chains: this.areas.snapshotChains(),
      seq: this._seq,
      takenSeq: this.changes.takenSeq,
      latestEventMs: this.latestEventMs,
      counters: this.counters.snapshot(),
      timers: this.timers.snapshot(),
      tickets: this.tickets_.book.snapshot(),
      flood: this.flood.snapshot(),
      patrol: this.patrol.snapshot(),
    } satisfies LiveStateSnapshot;
  }

  /** Takes over a snapshotState() decoded from a keyframe; only on a state that has folded nothing yet. */
  restoreState(data: unknown): void {
    if (this._seq !== 0) throw new Error('a keyframe is restored only into a state that has folded nothing');
    const s = data as LiveStateSnapshot;
    this.areas.restoreChains(s.chains);
    this._seq = s.seq;
    this.changes.takenSeq = s.takenSeq;
    this.latestEventMs = s.latestEventMs;
    this.counters.restore(s.counters);
    this.timers.restore(s.timers);
    this.tickets_.book.restore(s.tickets);
    this.flood.restore(s.flood);
    this.patrol.restore(s.patrol);
    this.changes.clear();
  }

  // ---- reading (views.ts) ----

  aggregate(key: AreaKey) {
    return this.views.aggregate(key);
  }

  pooledTickets(keys: readonly AreaKey[]) {
    return this.views.pooledTickets(keys);
  }

  snapshot(scope: AreaKey) {
    return this.views.snapshot(scope, this._seq);
  }

  ticket(id: string) {
    return this.views.ticket(id);
  }

  /** The record itself, not a copy: read-only to the reader, and no allocation on the rules' path. */
  openTicket(id: string): OpenTicketRecord | undefined {
    return this.tickets_.book.open.get(id);
  }

  checkpoint(id: string) {
    return this.views.checkpoint(id);
  }

  ranger(id: string) {
    return this.views.ranger(id);
  }

  incident(id: string) {
    return this.views.incident(id);
  }

  tickets(query: TicketQuery) {
    return this.views.ticketList(query);
  }

  townOf(kind: ObjectKind, id: string): string | undefined {
    return this.views.townOf(kind, id);
  }

  patrolVisited(area: AreaKey): PatrolVisited | undefined {
    return this.views.patrolVisited(area);
  }
}
