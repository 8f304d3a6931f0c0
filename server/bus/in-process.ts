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

/** The bus over `store`. close() stops the bus; the store belongs to the caller, who closes it afterwards. */
export function createInProcessBus(store: EventStore, options: InProcessBusOptions = {}): EventBus {
  const fanout = createFanout(store, options.onSubscriberError ?? rethrowLater);
  // Appends run one after another: the store hands out seqs in the order it commits, and publishing inside the
  // same queue step means subscribers see batches in seq order, never a later batch before an earlier one.
  let tail: Promise<unknown> = Promise.resolve();
  let closed = false;

  return {
    append(items: AppendItem[]): Promise<AppendResult[]> {
      if (closed) return Promise.reject(new Error('the event bus is closed'));
      const step = tail.then(async () => {
        const results = await store.append(items);
        const stored = [];
        for (const r of results) if (r.status === 'stored') stored.push(r.stored);
        fanout.publish(stored);
        return results;
      });
      // A failed append rejects its own caller only; the queue goes on with the next one.
      tail = step.catch(() => undefined);
      return step;
    },

    subscribe(fromSeq, onEvents) {
      if (closed) throw new Error('the event bus is closed');
      return fanout.subscribe(fromSeq, onEvents);
    },

    async close() {
      closed = true;
      // Appends already accepted finish (and are published) before close resolves.
      await tail;
      fanout.close();
    },
  };
}
