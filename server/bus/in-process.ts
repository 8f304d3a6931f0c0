// The embedded EventBus: one process, the EventStore as the log, subscribers called synchronously. At scale the
// same interface is backed by NATS JetStream (jetstream.ts); nothing here may leak into callers' assumptions
// beyond EventBus. It must be the only writer of its store: an event appended to the store behind its back is
// never published live (a later subscriber would still replay it).
import type { AppendItem, AppendResult, EventStore } from '../store/types';
import { createFanout, rethrowLater } from './fanout';
import type { EventBus } from './types';

export { REPLAY_BATCH, REPLAY_BUFFER_LIMIT } from './fanout';

export interface InProcessBusOptions {
  /**
   * Called when a subscriber throws. The append is already durable and the other subscribers still receive
   * the events; the default rethrows outside the append (an uncaught exception), because a consumer whose
   * fold failed has state that no longer matches the log, and restarting rebuilds it from the log.
   */
  onSubscriberError?: (error: unknown) => void;
  /**
   * How many groups may be in the store at once (default 1: each group starts once the one before it is
   * committed and folded). More only over a store whose appends commit in the order they are called, as the
   * SQLite store's writer thread does (sqlite.ts, `writer: 'thread'`): the next group then waits in the writer
   * while one commits, and this thread folds and answers the one before meanwhile. Results are still published
   * and answered group after group, in the order the groups were started, which is seq order.
   */
  pipeline?: number;
}

/**
 * At most this many events go into one store transaction when appends waiting in the queue are committed
 * together (a group commit): enough to share one fsync among several requests, small enough that no batch waits
 * behind a giant transaction.
 */
export const GROUP_COMMIT_MAX_EVENTS = 8192;

interface Pending {
  items: AppendItem[];
  resolve: (results: AppendResult[]) => void;
  reject: (error: unknown) => void;
  /** Tried again alone after its group failed: never grouped again. */
  alone?: boolean;
}

type Outcome = { ok: true; results: AppendResult[] } | { ok: false; error: unknown };

/** The bus over `store`. close() stops the bus; the store belongs to the caller, who closes it afterwards. */
export function createInProcessBus(store: EventStore, options: InProcessBusOptions = {}): EventBus {
  const fanout = createFanout(store, options.onSubscriberError ?? rethrowLater);
  const depth = Math.max(1, Math.floor(options.pipeline ?? 1));
  // Appends are committed one group after another: the store hands out seqs in the order it commits, and
  // publishing group after group in that order means subscribers see batches in seq order, never a later one
  // first. Appends that arrive while a group is being committed wait and then go into the store together, in
  // one transaction (one fsync, one fold call) — a group commit. Under load that is most of the cost of a small
  // batch; when the bus is idle an append starts at once, alone, as before.
  const queue: Pending[] = [];
  /** Groups started and not yet answered. */
  let inFlight = 0;
  /** Each group's answer is handled after the one started before it: publish and answer in commit order. */
  let tail: Promise<void> = Promise.resolve();
  /** A start is due (a microtask, or the yield after a group): appends meanwhile only join the queue. */
  let scheduled = false;
  let closed = false;
  let idle: (() => void) | undefined;

  /** The next group off the queue: the appends waiting, up to the limit; one alone after its group failed. */
  function take(): Pending[] {
    if (queue[0]!.alone) return queue.splice(0, 1);
    let events = 0;
    let n = 0;
    while (
      n < queue.length &&
      !queue[n]!.alone &&
      (n === 0 || events + queue[n]!.items.length <= GROUP_COMMIT_MAX_EVENTS)
    )
      events += queue[n++]!.items.length;
    return queue.splice(0, n);
  }

  /** Starts groups while there is room in the store; called when appends arrive and when a group is answered. */
  function pump(): void {
    while (queue.length > 0 && inFlight < depth) {
      const group = take();
      inFlight++;
      const items = group.length === 1 ? group[0]!.items : group.flatMap((p) => p.items);
      let started: Promise<AppendResult[]>;
      try {
        started = store.append(items);
      } catch (error) {
        started = Promise.reject(error);
      }
      const outcome = started.then(
        (results): Outcome => ({ ok: true, results }),
        (error: unknown): Outcome => ({ ok: false, error }),
      );
      tail = tail.then(async () => finish(group, await outcome));
    }
    if (queue.length === 0 && inFlight === 0) idle?.();
  }

  /** Publishes a committed group and answers its callers; a failed group is tried again caller by caller. */
  function finish(group: Pending[], outcome: Outcome): void {
    inFlight--;
    if (!outcome.ok) {
      if (group.length === 1) group[0]!.reject(outcome.error);
      // One bad batch fails only itself: each caller goes again, alone, before anything that came later.
      else queue.unshift(...group.map((p) => ({ ...p, alone: true })));
    } else {
      const { results } = outcome;
      const stored = [];
      for (const r of results) if (r.status === 'stored') stored.push(r.stored);
      fanout.publish(stored);
      let at = 0;
      for (const p of group) {
        p.resolve(group.length === 1 ? results : results.slice(at, at + p.items.length));
        at += p.items.length;
      }
    }
    if (queue.length > 0) pump();
    else if (inFlight === 0) rest();
  }

  /**
   * After a group, with nothing waiting: let the event loop take in the requests that arrived meanwhile (with
   * the inline SQLite store the commit held the thread), so that they go into the next group together.
   */
  function rest(): void {
    scheduled = true;
    setImmediate(() => {
      scheduled = false;
      pump();
    });
  }

  return {
    append(items: AppendItem[]): Promise<AppendResult[]> {
      if (closed) return Promise.reject(new Error('the event bus is closed'));
      const result = new Promise<AppendResult[]>((resolve, reject) => queue.push({ items, resolve, reject }));
      if (!scheduled) {
        // In a microtask, so that the appends made in the same tick start together.
        scheduled = true;
        queueMicrotask(() => {
          scheduled = false;
          pump();
        });
      }
      return result;
    },

    subscribe(fromSeq, onEvents) {
      if (closed) throw new Error('the event bus is closed');
      return fanout.subscribe(fromSeq, onEvents);
    },

    async close() {
      closed = true;
      // Appends already accepted finish (and are published) before close resolves.
      if (queue.length > 0 || inFlight > 0 || scheduled) await new Promise<void>((resolve) => (idle = resolve));
      await tail;
      fanout.close();
    },
  };
}
