// The mutable records the fold keeps per object. Contract objects (TicketObject, …) are built from them only
// when read, so the hot path never allocates a wire object.
import type { LevelThresholds } from '../contract/areas';
import type {
  Department,
  DeviceStatusReason,
  IncidentType,
  ObstructionStatus,
  Place,
  Severity,
  TicketCategory,
  TicketStatus,
  Urgency,
} from '../contract/events';
import type { TicketFollowUp, TicketSupervision, TrailPoint, Trend } from '../contract/live';
import type { Timed } from './heap';

/** Where a ticket stands against its response deadline. */
export const RESP_PENDING = 0;
export const RESP_ON_TIME = 1;
/** The clock passed the deadline with no response folded yet; a response dated in time may still correct it. */
export const RESP_MISSED_BY_CLOCK = 2;
/** The first response folded was dated after the deadline: final. */
export const RESP_LATE = 3;

/** ticket.closed's verdict: 0 none yet (closed through ticket.updated), 1 resolved, 2 not resolved. */
export const VERDICT_NONE = 0;
export const VERDICT_RESOLVED = 1;
export const VERDICT_UNRESOLVED = 2;

export class TicketRec implements Timed {
  due = Infinity;
  heapIndex = -1;
  status: TicketStatus = 'received';
  statusIdx = 0;
  overdue = false;
  near = false;
  resp = RESP_PENDING;
  escalatedTo: Department[] = [];
  assignee: string | undefined = undefined;
  /** The reporter's own words for the place and their photo link, for the ticket's detail (the event's strings). */
  address: string | undefined = undefined;
  mediaUrl: string | undefined = undefined;
  closedMs = NaN;
  /** The handler's verdict (ticket.closed.resolved); it counts until a follow-up answers (see `followed`). */
  verdict = VERDICT_NONE;
  rated = false;
  /** A follow-up (回访) answered whether it was resolved: its answer counts, the handler's verdict no longer. */
  followed = false;
  /** 督办: how often and the latest (by its time); null while never supervised. */
  supervision: TicketSupervision | null = null;
  /** 回访 as it counts: the first answer to each question and the first call that answered (contract/live.ts). */
  followUp: TicketFollowUp | null = null;
  /** Dropped after retention; the ordering array removes it lazily. */
  dropped = false;

  constructor(
    readonly id: string,
    /** Creation order, the tie-break for "newest first". */
    readonly order: number,
    readonly category: TicketCategory,
    readonly catIdx: number,
    readonly urgency: Urgency,
    readonly title: string,
    readonly lon: number,
    readonly lat: number,
    readonly place: Place | undefined,
    readonly chain: number,
    readonly createdAt: string,
    readonly createdMs: number,
    readonly respDueMs: number,
    readonly resolveDueMs: number,
    /** From this instant on (strictly after), the ticket is near its deadline. */
    readonly nearMs: number,
    /** The producer's own strings when it sent deadlines; derived ones are formatted on read. */
    readonly respDueAt: string | undefined,
    readonly resolveDueAt: string | undefined,
  ) {}
}

/**
 * What the rates still need of a closed ticket after it is forgotten (retention): where it counts, when it
 * closed with which verdict, and whether a rating or a follow-up already counted. A follow-up comes days or
 * weeks after the close; without this it would be lost once the ticket is dropped, and a restart (which folds
 * old events with today's clock and drops early) would count fewer ratings than the server that lived them.
 */
export interface FollowUpTarget {
  readonly chain: number;
  readonly closedMs: number;
  readonly verdict: number;
  rated: boolean;
  followed: boolean;
}

/** Recent positions of a ranger, as a ring of parallel arrays (no object per point). */
export class Trail {
  private lon = new Float64Array(16);
  private lat = new Float64Array(16);
  private t = new Float64Array(16);
  private head = 0;
  length = 0;

  push(lon: number, lat: number, t: number): void {
    if (this.length === this.t.length) this.grow();
    const i = (this.head + this.length) % this.t.length;
    this.lon[i] = lon;
    this.lat[i] = lat;
    this.t[i] = t;
    this.length++;
  }

  /** Drops points older than minT (strictly earlier). */
  trim(minT: number): void {
    while (this.length > 0 && this.t[this.head]! < minT) {
      this.head = (this.head + 1) % this.t.length;
      this.length--;
    }
  }

  toArray(): TrailPoint[] {
    const out: TrailPoint[] = new Array(this.length);
    for (let k = 0; k < this.length; k++) {
      const i = (this.head + k) % this.t.length;
      out[k] = [this.lon[i]!, this.lat[i]!, Math.round(this.t[i]!)];
    }
    return out;
  }

  private grow(): void {
    const n = this.t.length * 2;
    const copy = (a: Float64Array) => {
      const b = new Float64Array(n);
      for (let k = 0; k < this.length; k++) b[k] = a[(this.head + k) % a.length]!;
      return b;
    };
    this.lon = copy(this.lon);
    this.lat = copy(this.lat);
    this.t = copy(this.t);
    this.head = 0;
  }
}

export class RangerRec implements Timed {
  due = Infinity;
  heapIndex = -1;
  patrolId: string | null = null;
  clusterId: string | null = null;
  /** Chain of the patrolled cluster (cluster, its town, district) while patrolling, else -1. */
  clusterChain = -1;
  /** Chain of the last patrolled cluster, to route a ranger whose position lies outside every town. */
  homeChain = -1;
  hasPosition = false;
  lon = 0;
  lat = 0;
  positionMs = -Infinity;
  /** Chain of the latest position. */
  positionChain = 0;
  /** Latest sign of life (start, position, check-in, end), by event time. */
  seenMs = -Infinity;
  seenAt = '';
  lost = false;
  battery: number | null = null;
  /** The tracker reporting for the ranger and its last status (unplaced: why its latest report was not drawn). */
  device: {
    id: string;
    unplaced: DeviceStatusReason | null;
    at: string;
    charging?: boolean;
    moving?: boolean;
    activity?: string;
    odometer?: number;
    accuracy?: number;
    mock?: boolean;
  } | null = null;
  /** In the active set (has a position, and is patrolling or was seen within the trail window). */
  listed = false;
  readonly trail = new Trail();

  constructor(readonly id: string) {}
}

export class CheckpointRec {
  level: number | null = null;
  rainfall: number | null = null;
  readingMs = -Infinity;
  readingAt: string | null = null;
  /** Index into WARNING_ORDER. */
  color = 0;
  trend: Trend = 'steady';
  /** Readings within the trend window, sorted by time. */
  readonly historyT: number[] = [];
  readonly historyLevel: number[] = [];
  inspectedMs = -Infinity;
  inspectedAt: string | null = null;

  constructor(
    readonly id: string,
    readonly townId: string,
    readonly riverId: string,
    readonly thresholds: LevelThresholds,
    readonly chain: number,
    public obstruction: ObstructionStatus | null,
  ) {}
}

export interface IncidentRec {
  id: string;
  rangerId: string;
  type: IncidentType;
  severity: Severity;
  lon: number;
  lat: number;
  reportedAt: string;
  chain: number;
}
