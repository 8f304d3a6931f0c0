// The discrete-event core: a queue of actions ordered by (simulated time, order of scheduling). An action
// runs at its time, emits events stamped with that time and schedules later actions. Because the order is
// total and every process schedules its own continuation, the stream depends only on the seed and the
// parameters, never on how often or how far a caller advances the clock.
import type { EventSource, Meta, OpsEvent } from '../contract/events';
import { isoBeijing } from './clock';
import { SECOND_MS } from '../contract/time';

interface Action {
  t: number;
  seq: number;
  run: () => void;
}

/** Binary min-heap on (t, seq). */
class ActionQueue {
  private readonly heap: Action[] = [];
  private seq = 0;
  get size(): number {
    return this.heap.length;
  }
  peek(): Action | undefined {
    return this.heap[0];
  }
  push(t: number, run: () => void): void {
    const a: Action = { t, seq: this.seq++, run };
    const h = this.heap;
    h.push(a);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!before(h[i]!, h[p]!)) break;
      [h[i], h[p]] = [h[p]!, h[i]!];
      i = p;
    }
  }
  pop(): Action | undefined {
    const h = this.heap;
    const top = h[0];
    const last = h.pop();
    if (h.length > 0 && last) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && before(h[l]!, h[m]!)) m = l;
        if (r < h.length && before(h[r]!, h[m]!)) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m]!, h[i]!];
        i = m;
      }
    }
    return top;
  }
}
const before = (a: Action, b: Action): boolean => a.t < b.t || (a.t === b.t && a.seq < b.seq);

export interface Envelope {
  id: string;
  time: string;
  source: EventSource;
  meta: Meta;
}

export interface EmittedEvent {
  /** Simulated epoch ms of the event (its `time`, unparsed). */
  t: number;
  event: OpsEvent;
}

export class SimClock {
  private readonly queue = new ActionQueue();
  private readonly counters = new Map<string, number>();
  private eventSerial = 0;
  /** Time of the action being run (or of the last one run). */
  now: number;
  /** Events emitted and not yet handed out, in time order. */
  readonly pending: EmittedEvent[] = [];

  constructor(
    readonly runId: string,
    start: number,
    /** Before this simulated time the run is thin (engine.ts `detailFrom`). */
    readonly detailFrom: number = start,
  ) {
    this.now = start;
  }

  /** True while the current action is in the thin part of the run: no GPS track, hourly gauge readings. */
  get thin(): boolean {
    return this.now < this.detailFrom;
  }

  /**
   * Schedules an action. Times are whole seconds, like the devices and systems being imitated, and never
   * earlier than now: an action cannot rewrite the past the caller may already have been handed.
   */
  at(t: number, run: () => void): void {
    const rounded = Math.round(t / SECOND_MS) * SECOND_MS;
    this.queue.push(Math.max(this.now, rounded), run);
  }

  /** The common fields of an event at the current time; ids are unique in the run, across every source. */
  envelope(source: EventSource): Envelope {
    this.eventSerial++;
    return { id: `${this.runId}-${this.eventSerial}`, time: isoBeijing(this.now), source, meta: { sim: this.runId } };
  }

  emit(event: OpsEvent): void {
    this.pending.push({ t: this.now, event });
  }

  /** Next number in a named series (tickets, patrols, incidents), for readable object ids. */
  serial(series: string): number {
    const n = (this.counters.get(series) ?? 0) + 1;
    this.counters.set(series, n);
    return n;
  }

  /** Time of the next action, or Infinity when nothing is scheduled. */
  get nextAt(): number {
    return this.queue.peek()?.t ?? Infinity;
  }

  /** Runs the next action; false when the queue is empty. */
  step(): boolean {
    const a = this.queue.pop();
    if (!a) return false;
    this.now = a.t;
    a.run();
    return true;
  }
}
