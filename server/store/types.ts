// The EventStore seam: the durable, ordered event log. Embedded default: SQLite (better-sqlite3, WAL);
// at scale: PostgreSQL. One contract test suite (tests/integration/store-contract.test.ts) runs against every
// implementation. Domain code never imports a driver; it sees only this interface.
import type { LogEvent, Place, StoredEvent } from '../contract/events';

/**
 * One accepted event on its way into the log: validated, coordinates already WGS84, located. Producers' events
 * come through ingest/accept.ts; alert events are appended by the server itself (rules/, routes/alerts.ts).
 */
export interface AppendItem {
  event: LogEvent;
  /** ISO time the server received it. */
  receivedAt: string;
  place?: Place;
}

/** Per item: stored with its new sequence number, or a duplicate of an event already in the log. */
export type AppendResult = { status: 'stored'; stored: StoredEvent } | { status: 'duplicate'; seq: number };

/** Events per batch of a full scan of the log: large enough to amortise a query, small enough to stay flat in memory. */
export const SCAN_BATCH = 5000;

export interface EventStore {
  /**
   * Appends the items in order in one transaction and resolves only when the batch is durable (on disk for
   * SQLite: a 2xx to the producer means it survives kill -9). Sequence numbers are global, gap-free and
   * increasing: lastSeq + 1, + 2, … over the stored items. An item whose event key (source + id) is already
   * in the log, or earlier in the same batch, is not stored: it answers 'duplicate' with the first one's seq.
   */
  append(items: AppendItem[]): Promise<AppendResult[]>;
  /** Events with seq > afterSeq, in seq order, at most `limit`. */
  read(afterSeq: number, limit: number): Promise<StoredEvent[]>;
  /** The whole log after afterSeq, batch by batch, without holding it in memory (rebuild, exports). */
  scan(afterSeq: number, batchSize: number, onBatch: (events: StoredEvent[]) => void | Promise<void>): Promise<void>;
  /** 0 when the log is empty. */
  lastSeq(): Promise<number>;
  /**
   * Keeps events that a distributed bus (NATS JetStream) has already sequenced, under the seqs they carry; the
   * bus, not the store, decides the order then. Idempotent, so every node may archive the same stream into one
   * shared log: an event already held under its seq counts as held. Resolves, once durable, with the events of
   * `events` that the log holds under their own seq, in order; an event whose key the log already holds under
   * another seq (a retry that slipped past the bus's duplicate window) is left out, the same way on every node,
   * so every node folds the same events.
   */
  archive(events: StoredEvent[]): Promise<StoredEvent[]>;
  /** The seq the log holds each of `keys` (eventKey()) under; keys it does not hold are absent from the map. */
  seqsOfKeys(keys: readonly string[]): Promise<Map<string, number>>;
  /**
   * Every event key (eventKey()) the log holds with seq > afterSeq, batch by batch in seq order: a distributed
   * bus loads its key index from it (bus/key-index.ts) so that ingest need not ask this store about new keys.
   * Absent: the bus asks seqsOfKeys() on every append (a local store answers that at once).
   */
  scanKeys?(afterSeq: number, batchSize: number, onBatch: (keys: string[], lastSeq: number) => void): Promise<void>;
  /**
   * Takes, or confirms, the lease to archive a distributed bus's stream into this store: true while this process
   * is the one node that archives (a store shared by several nodes); it lapses by itself when the process or its
   * connection dies. Absent: each node archives into a store of its own.
   */
  archiveLease?(): Promise<boolean>;
  /** Where the projection host keeps its keyframes (live/keyframes.ts); absent: every start folds the whole log. */
  readonly keyframes?: KeyframeStore;
  close(): Promise<void>;
}

/**
 * A keyframe as the store keeps it: every projection's state after folding the log up to `seq`, encoded and
 * checked by the host (live/keyframes.ts); the store treats the body as opaque bytes. One row per seq, written
 * in one transaction, so a process killed while writing leaves the previous keyframes as they were.
 */
export interface StoredKeyframe {
  /** The last seq folded into it. */
  seq: number;
  /**
   * 'midnight': taken as the local day turned, kept for replay and briefs; 'hour': taken at the other local clock
   * boundaries every KEYFRAME_HISTORY_HOURS, kept as long, for replays; 'periodic': every N events / M minutes.
   */
  kind: 'midnight' | 'hour' | 'periodic';
  /** The fold's clock when it was taken (epoch ms). */
  takenMs: number;
  /** The latest event time folded into it (epoch ms; 0 for an empty log). */
  envelopeMs: number;
  /** The encoding's format and the code version that wrote it: another one is not restored. */
  format: number;
  version: string;
  /** SHA-256 of the body, hex. */
  checksum: string;
  body: Uint8Array;
}

/** Bounds for choosing a keyframe: each limit inclusive, the newest (highest seq) within all of them wins. */
export interface KeyframeBounds {
  maxSeq?: number;
  maxTakenMs?: number;
  maxEnvelopeMs?: number;
}

export interface KeyframeStore {
  /** Stores it durably (replacing one at the same seq). */
  save(keyframe: StoredKeyframe): Promise<void>;
  /** The newest keyframe within the bounds, or undefined. */
  latest(bounds?: KeyframeBounds): Promise<StoredKeyframe | undefined>;
  /**
   * Deletes the periodic keyframes but the newest `keepPeriodic`, and the midnight and hour ones taken before
   * `historySinceMs`.
   */
  prune(policy: { keepPeriodic: number; historySinceMs: number }): Promise<void>;
}

/** The event key that makes ingest idempotent: the same producer sending the same id twice. */
export const eventKey = (e: Pick<LogEvent, 'source' | 'id'>): string => `${e.source}\u0000${e.id}`;
