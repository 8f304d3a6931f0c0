// What every part of the fold shares: the options, the area index, the counters, the change set and the one
// timer heap; and the shape of the dispatch table (one reducer per event kind, each family supplying its own).
import type { EventKind, EventOf, Place } from '../../contract/events';
import type { AreaIndex } from '../areas';
import type { LiveObserver } from '../observer';
import type { TimerHeap } from '../heap';
import type { LiveOptions } from '../options';
import type { RangerRec, TicketRec } from '../records';
import type { ChangeSet } from './changes';
import type { Counters } from './counters';

export interface FoldContext {
  readonly o: LiveOptions;
  readonly areas: AreaIndex;
  readonly counters: Counters;
  readonly changes: ChangeSet;
  /** Time-driven transitions (deadlines, lost signal, end of retention): one entry per object. */
  readonly timers: TimerHeap<TicketRec | RangerRec>;
  /** Who listens to the fold's facts beside the live state (observer.ts). */
  readonly observer: LiveObserver | undefined;
}

/** Folds one event of kind K, dated `ms` (its time, parsed), located at `place` by ingest. */
export type Reduce<K extends EventKind> = (e: EventOf<K>, place: Place | undefined, ms: number) => void;

/** A reducer for each of the kinds K: a family's part of the dispatch table. */
export type Reducers<K extends EventKind> = { readonly [P in K]: Reduce<P> };

export type TicketKind = Extract<EventKind, `ticket.${string}`>;
export type FloodKind = Extract<EventKind, `flood.${string}`>;
export type PatrolKind = Extract<EventKind, `patrol.${string}`>;

/** Empties `into` and fills it from `from` (a keyframe's map into a map other parts hold a reference to). */
export function refill<K, V>(into: Map<K, V>, from: Map<K, V>): void {
  into.clear();
  for (const [k, v] of from) into.set(k, v);
}
