// The projection host: the one place that reads the log. It owns the single scan at start, the single bus
// subscription after it and the clock, and hands every batch to its projections in the order they were
// registered, so each view of the log (live state, trends, landing weeks, alerts and rules) is a projection on
// one fold instead of a scan of its own. Routes get the projections' read handles, never the store or the bus.
import type { StoredEvent } from '../contract/events';
import type { EventBus } from '../bus/types';
import { type EventStore, SCAN_BATCH } from '../store/types';

/** Whether a batch comes from the log at start (nothing may be decided on it) or live off the bus. */
export type FoldPhase = 'rebuild' | 'live';

export interface Projection {
  /** For logs and errors: which projection failed. */
  readonly name: string;
  /** Folds a batch of events, in seq order, each batch once. */
  apply(events: readonly StoredEvent[], phase: FoldPhase): void;
  /** Moves the projection's clock (windows, deadlines, silences); called after the scan and on every tick. */
  advance?(now: number): void;
}

export interface ProjectionHostOptions {
  store: Pick<EventStore, 'scan'>;
  bus: Pick<EventBus, 'subscribe'>;
  now: () => number;
}

export interface ProjectionHost {
  /** The last seq every projection has folded. */
  readonly seq: number;
  /** Adds a projection; only before start(), so that every projection has seen the whole log. */
  register<P extends Projection>(projection: P): P;
  /** Folds the log once into every projection, advances their clocks, then follows the bus from there. */
  start(): Promise<{ seq: number; events: number }>;
  /** Advances every projection's clock to now (the app's clock tick). */
  tick(): void;
  /** Stops following the bus. */
  close(): void;
}

export function createProjectionHost(options: ProjectionHostOptions): ProjectionHost {
  const projections: Projection[] = [];
  let seq = 0;
  let started = false;
  let unsubscribe: (() => void) | undefined;

  const fold = (events: readonly StoredEvent[], phase: FoldPhase): void => {
    if (events.length === 0) return;
    for (const p of projections) p.apply(events, phase);
    seq = events[events.length - 1]!.seq;
  };
  const advance = (): void => {
    const t = options.now();
    for (const p of projections) p.advance?.(t);
  };

  return {
    get seq() {
      return seq;
    },
    register(projection) {
      if (started) throw new Error(`projection ${projection.name} registered after the log was folded`);
      projections.push(projection);
      return projection;
    },
    async start() {
      if (started) throw new Error('the projection host has started already');
      started = true;
      let events = 0;
      await options.store.scan(0, SCAN_BATCH, (batch) => {
        fold(batch, 'rebuild');
        events += batch.length;
      });
      advance();
      unsubscribe = options.bus.subscribe(seq, (batch) => fold(batch, 'live'));
      return { seq, events };
    },
    tick: advance,
    close() {
      unsubscribe?.();
      unsubscribe = undefined;
    },
  };
}

/** A fold that has no use for the phase or a clock, registered under `name`. */
export function projectionOf(name: string, fold: { apply(events: readonly StoredEvent[]): void }): Projection {
  return { name, apply: (events) => fold.apply(events) };
}
