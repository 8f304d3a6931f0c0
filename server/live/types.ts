// What the live state offers the rest of the server (gateway, routes, rules). The state is a fold of the log:
// apply() the stored events in seq order, advance() the clock; nothing else changes it.
import type { AreaKey } from '../contract/areas';
import type { StoredEvent } from '../contract/events';
import type {
  AreaAggregate,
  CheckpointObject,
  IncidentObject,
  RangerObject,
  Snapshot,
  TicketKpis,
  TicketObject,
} from '../contract/live';
import type { Place, TicketCategory, TicketStatus, Urgency } from '../contract/events';
import type { PatrolVisited } from '../contract/patrol';

export type ObjectKind = 'tickets' | 'checkpoints' | 'rangers' | 'incidents';

/** What changed since the last takeChanges(): keys of changed aggregates and ids of changed objects. */
export interface LiveChanges {
  /** Sequence range folded since the last call: (fromSeq, toSeq]; equal when only the clock moved. */
  fromSeq: number;
  toSeq: number;
  aggregates: Set<AreaKey>;
  /** Per kind: id → the town the object is in now (undefined when outside any town), or removed. */
  upserts: Record<ObjectKind, Map<string, string | undefined>>;
  removals: Record<ObjectKind, Map<string, string | undefined>>;
}

export interface TicketQuery {
  /** One ticket by id: open, or closed and still retained (the other filters still apply). */
  id?: string;
  /** An area key: tickets located in it (any level). Default: the whole district. */
  area?: AreaKey;
  status?: TicketStatus | 'open';
  category?: TicketCategory;
  overdue?: boolean;
  offset?: number;
  limit?: number;
}

export interface LiveState {
  /** The last folded sequence number (0 before any event). */
  readonly seq: number;
  /** Folds stored events, in seq order (an event with seq ≤ this.seq is ignored: replays are idempotent). */
  apply(events: readonly StoredEvent[]): void;
  /** Moves the clock: tickets turn overdue or near deadline, rangers lose signal, the day rolls over. */
  advance(nowMs: number): void;
  aggregate(key: AreaKey): AreaAggregate | undefined;
  /** The scope's own aggregate and those of its children, and the active objects inside the scope. */
  snapshot(scope: AreaKey): Snapshot;
  /** Changes since the previous call; resets the change set. */
  takeChanges(): LiveChanges;
  ticket(id: string): TicketObject | undefined;
  checkpoint(id: string): CheckpointObject | undefined;
  ranger(id: string): RangerObject | undefined;
  incident(id: string): IncidentObject | undefined;
  tickets(query: TicketQuery): { total: number; items: TicketObject[] };
  /** Town of an object, for routing deltas to town rooms. */
  townOf(kind: ObjectKind, id: string): string | undefined;
  /** Today's visited patrol sub-cells of a town's forest clusters or of one cluster; undefined for other areas. */
  patrolVisited(area: AreaKey): PatrolVisited | undefined;
}

/**
 * Ticket KPIs of several disjoint areas taken as one: a village or community is a set of grid cells, not an
 * area of the tree, so its figures are the cells' counters summed (the leader's landing ranks them).
 */
export interface PooledTickets {
  pooledTickets(keys: readonly AreaKey[]): TicketKpis;
}

/**
 * A fold that a keyframe can hold (live/keyframes.ts): its state as plain data (Maps, arrays, typed arrays,
 * records) and back. restoreState() is called once, on a fold that has folded nothing yet.
 */
export interface KeyframeState {
  snapshotState(): unknown;
  restoreState(data: unknown): void;
  /** The latest event time folded (epoch ms, 0 before any). */
  readonly envelopeMs: number;
  /** The clock (epoch ms) the windows and deadlines stand at; -Infinity before it has started. */
  readonly clockMs: number;
}

/**
 * An open ticket as the live state holds it (records.ts' TicketRec, read-only): what the rule engine judges, so
 * that it keeps no model of tickets of its own. Deadlines come from deadlines.ts, worked out once at creation.
 */
export interface OpenTicketRecord {
  readonly id: string;
  readonly urgency: Urgency;
  readonly title: string;
  readonly place: Place | undefined;
  readonly lon: number;
  readonly lat: number;
  /** From this instant on (strictly after), the ticket is near its resolution deadline. */
  readonly nearMs: number;
  /** Resolution due (办结时限): overdue strictly after it. */
  readonly resolveDueMs: number;
}

/** The live state's open tickets, read by id: its narrow read interface for the rules (rules/engine.ts). */
export interface OpenTicketRecords {
  /** The open ticket, or undefined once it is closed (or was never created). */
  openTicket(id: string): OpenTicketRecord | undefined;
}

/** What createLiveState() gives: the state, pooled KPIs, keyframes, and the open tickets' records. */
export type LiveFold = LiveState & PooledTickets & KeyframeState & OpenTicketRecords;
