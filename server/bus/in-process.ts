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
}

/** The bus over `store`. close() stops the bus; the store belongs to the caller, who closes it afterwards. */
export function createInProcessBus(store: EventStore, options: InProcessBusOptions = {}): EventBus {
  const fanout = createFanout(store, options.onSubscriberError ?? rethrowLater);
  // Appends are committed one group after another: the store hands out seqs in the order it commits, and
  // publishing inside the same step means subscribers see batches in seq order, never a later one first.
  // Appends that arrive while a group is being committed wait and then go into the store together, in one
  // transaction (one fsync, one fold call) — a group commit. Under load that is most of the cost of a small
  // batch; when the bus is idle an append starts at once, alone, as before.
  const queue: Pending[] = [];
  let draining: Promise<void> | undefined;
  let closed = false;

  /** Commits one group; a failed group is tried again caller by caller, so one bad batch fails only itself. */
  async function commit(group: Pending[]): Promise<void> {
    const items = group.length === 1 ? group[0]!.items : group.flatMap((p) => p.items);
    let results: AppendResult[];
    try {
      results = await store.append(items);
    } catch (error) {
      if (group.length === 1) {
        group[0]!.reject(error);
        return;
      }
      for (const p of group) await commit([p]);
      return;
    }
    const stored = [];
    for (const r of results) if (r.status === 'stored') stored.push(r.stored);
    fanout.publish(stored);
    let at = 0;
    for (const p of group) {
      p.resolve(group.length === 1 ? results : results.slice(at, at + p.items.length));
      at += p.items.length;
    }
  }

  async function drain(): Promise<void> {
    while (queue.length > 0) {
      let events = 0;
      let n = 0;
      while (n < queue.length && (n === 0 || events + queue[n]!.items.length <= GROUP_COMMIT_MAX_EVENTS))
        events += queue[n++]!.items.length;
      await commit(queue.splice(0, n));
      // Let the event loop take in the requests that arrived meanwhile, so that they join the next group.
      if (queue.length === 0) await new Promise<void>((resolve) => setImmediate(resolve));
    }
    draining = undefined;
  }

  return {
    append(items: AppendItem[]): Promise<AppendResult[]> {
      if (closed) return Promise.reject(new Error('the event bus is closed'));
      const result = new Promise<AppendResult[]>((resolve, reject) => queue.push({ items, resolve, reject }));
      draining ??= Promise.resolve().then(drain);
      return result;
    },

    subscribe(fromSeq, onEvents) {
      if (closed) throw new Error('the event bus is closed');
      return fanout.subscribe(fromSeq, onEvents);
    },

    async close() {
      closed = true;
      // Appends already accepted finish (and are published) before close resolves.
      await draining;
      fanout.close();
    },
  };
}
