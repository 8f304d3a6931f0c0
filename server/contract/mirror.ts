// A reference client for the gateway's protocol: holds one scope's state, applies the snapshot and the wire
// deltas (rangers' trail tails appended and trimmed to the snapshot's trailMs), and refuses a delta that does
// not follow its seq. The tests and the benchmark use it to prove there
// is no gap and no repeat; the browser store (client/live/) follows the same rules. No Node imports here.
import type { AreaKey } from './areas';
import {
  decodeDelta,
  DeltaDecodeError,
  deltaFollows,
  type AreaAggregate,
  type CheckpointObject,
  type Delta,
  type DeltaWire,
  type IncidentObject,
  type RangerObject,
  type Snapshot,
  type TicketObject,
} from './live';

/** applied: state moved to toSeq; other-scope: a late delta of a scope no longer followed; gap: resync needed. */
export type DeltaOutcome = 'applied' | 'other-scope' | 'gap';

export class ScopeMirror {
  scope: AreaKey | null = null;
  /** null before the first snapshot and after a gap (the mirror then waits for a snapshot). */
  seq: number | null = null;
  keys: AreaKey[] = [];
  /** The snapshot's trail window: trail tails are appended, then trimmed to it (undefined: older server). */
  trailMs: number | undefined = undefined;
  readonly aggregates = new Map<AreaKey, AreaAggregate>();
  readonly tickets = new Map<string, TicketObject>();
  readonly checkpoints = new Map<string, CheckpointObject>();
  readonly rangers = new Map<string, RangerObject>();
  readonly incidents = new Map<string, IncidentObject>();
  /** Every (fromSeq, toSeq) applied since the last snapshot, for chain checks in tests. */
  readonly chain: { fromSeq: number; toSeq: number }[] = [];
  snapshots = 0;
  gaps = 0;
  lastDelta: Delta | null = null;

  applySnapshot(snapshot: Snapshot): void {
    this.scope = snapshot.scope;
    this.seq = snapshot.seq;
    // Older servers sent no key list; the aggregates' order is then the best guess.
    this.keys = snapshot.keys ?? snapshot.aggregates.map((a) => a.key);
    this.trailMs = snapshot.trailMs;
    this.aggregates.clear();
    for (const a of snapshot.aggregates) this.aggregates.set(a.key, a);
    fill(this.tickets, snapshot.tickets);
    fill(this.checkpoints, snapshot.checkpoints);
    fill(this.rangers, snapshot.rangers);
    fill(this.incidents, snapshot.incidents ?? []);
    this.chain.length = 0;
    this.snapshots += 1;
  }

  applyDelta(wire: DeltaWire): DeltaOutcome {
    if (wire.scope !== this.scope) return 'other-scope';
    if (this.seq === null || !deltaFollows(this.seq, wire)) return this.gap();
    let delta: Delta;
    try {
      // Rangers are looked up before the delta applies: a tail continues the trail as it was at fromSeq.
      delta = decodeDelta(wire, this.keys, (key) => this.aggregates.get(key), {
        ranger: (id) => this.rangers.get(id),
        trailMs: this.trailMs,
      });
    } catch (error) {
      if (error instanceof DeltaDecodeError) return this.gap();
      throw error;
    }
    for (const a of delta.aggregates) this.aggregates.set(a.key, a);
    apply(this.tickets, delta.tickets);
    apply(this.checkpoints, delta.checkpoints);
    apply(this.rangers, delta.rangers);
    if (delta.incidents) apply(this.incidents, delta.incidents);
    this.seq = delta.toSeq;
    this.chain.push({ fromSeq: delta.fromSeq, toSeq: delta.toSeq });
    this.lastDelta = delta;
    return 'applied';
  }

  private gap(): 'gap' {
    this.gaps += 1;
    this.seq = null;
    return 'gap';
  }
}

function fill<T extends { id: string }>(map: Map<string, T>, items: readonly T[]): void {
  map.clear();
  for (const item of items) map.set(item.id, item);
}

function apply<T extends { id: string }>(map: Map<string, T>, changes: { upserts: T[]; removals: string[] }): void {
  for (const id of changes.removals) map.delete(id);
  for (const item of changes.upserts) map.set(item.id, item);
}
