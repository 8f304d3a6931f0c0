// What benchFanout (fanout.ts, the server process) and its client process (clients.ts) say to each other
// over the fork IPC channel, and the state digest both compute to prove the clients ended where the server is.
// Kept apart from clients.ts because importing that file starts a client process's work.
import { createHash } from 'node:crypto';
import type { AreaKey } from '../../../server/contract/areas';
import {
  toWireRow,
  type AreaAggregate,
  type CheckpointObject,
  type IncidentObject,
  type RangerObject,
  type TicketObject,
} from '../../../server/contract/live';

/** Server → clients. */
export type ToClients =
  /** Connect one socket per entry of `scopes`, `batch` at a time; mirror the first socket of every scope. */
  | { type: 'start'; url: string; scopes: AreaKey[]; batch: number }
  /** The measured window begins: reset the CPU baseline and forget deltas received so far. */
  | { type: 'measure' }
  /**
   * The window is over: compute latencies from the server's timeline. `changeAt`: pairs (seq, epoch ms at
   * which the live state had applied that event); `windowStart`: pairs (toSeq of a flush, toSeq of the flush
   * before), flattened.
   */
  | { type: 'finish'; changeAt: number[]; windowStart: number[] };

export interface MirrorReport {
  scope: AreaKey;
  /** null: the mirror lost its chain (a gap or a delta it could not decode) and never got a new snapshot. */
  seq: number | null;
  gaps: number;
  digest: string;
}

/** Clients → server. */
export type FromClients =
  | { type: 'connected' }
  /** Every socket has its first snapshot. */
  | { type: 'ready' }
  | {
      type: 'result';
      /** Deltas received in the measured window, and the latency samples taken from them (one per delta). */
      deltas: number;
      samples: number;
      latencyP50Ms: number;
      latencyP99Ms: number;
      latencyMaxMs: number;
      /** CPU of the client process over the measured window. */
      cpuMicros: number;
      mirrors: MirrorReport[];
    }
  | { type: 'error'; message: string };

/** Epoch milliseconds with sub-millisecond resolution, comparable across processes on one machine. */
export const epochMs = (): number => performance.timeOrigin + performance.now();

/** What a client state holds, in the precision of the wire: the server digests the live state the same way. */
export interface MirroredState {
  keys: readonly AreaKey[];
  aggregate: (key: AreaKey) => AreaAggregate | undefined;
  tickets: Iterable<TicketObject>;
  checkpoints: Iterable<CheckpointObject>;
  rangers: Iterable<RangerObject>;
  incidents: Iterable<IncidentObject>;
}

/** A digest of the state that ignores key order and absent-vs-undefined properties (JSON drops both). */
export function stateDigest(state: MirroredState): string {
  const byId = <T extends { id: string }>(items: Iterable<T>): T[] =>
    [...items].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const canonical = {
    aggregates: state.keys.map((k) => {
      const a = state.aggregate(k);
      return a ? toWireRow(a) : null;
    }),
    tickets: byId(state.tickets),
    checkpoints: byId(state.checkpoints),
    rangers: byId(state.rangers),
    incidents: byId(state.incidents),
  };
  const json = JSON.stringify(canonical, (_key, value: unknown) => {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
    const sorted: Record<string, unknown> = {};
    for (const k of Object.keys(value).sort()) sorted[k] = (value as Record<string, unknown>)[k];
    return sorted;
  });
  return createHash('sha1').update(json).digest('hex');
}
