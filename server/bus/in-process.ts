// The embedded EventBus: one process, the EventStore as the log, subscribers called synchronously. At scale the
// same interface is backed by Redis Streams; nothing here may leak into callers' assumptions beyond EventBus.
// It must be the only writer of its store: an event appended to the store behind its back is never published
// live (a later subscriber would still replay it).
import type { StoredEvent } from '../contract/events';
import type { AppendItem, AppendResult, EventStore } from '../store/types';
import type { EventBus } from './types';

/** Events per store.read() while a subscriber catches up: bounds the memory a replay holds at once. */
export const REPLAY_BATCH = 1000;
/**
 * Live events held for a subscriber that is still replaying. Past this the buffer is dropped and the replay
 * reads them from the store instead (they are there: publish happens after the commit), so a slow replay under
 * heavy ingest costs reads, not unbounded memory.
 */
export const REPLAY_BUFFER_LIMIT = 10_000;

export interface InProcessBusOptions {
  /**
   * Called when a subscriber throws. The append is already durable and the other subscribers still receive
   * the events; the default rethrows outside the append (an uncaught exception), because a consumer whose
   * fold failed has state that no longer matches the log, and restarting rebuilds it from the log.
   */
  onSubscriberError?: (error: unknown) => void;
}

interface Subscription {
  onEvents: (events: StoredEvent[]) => void;
  /** The highest seq delivered (or fromSeq): everything ≤ it is never delivered again. */
  cursor: number;
  live: boolean;
  active: boolean;
  /** Live events published during the replay, in seq order. */
  buffer: StoredEvent[];
  /** The buffer overflowed and was dropped since the current replay read began: read again before going live. */
  dropped: boolean;
}

const rethrowLater = (error: unknown): void => {
  queueMicrotask(() => {
    throw error;
  });
};

/** The bus over `store`. close() stops the bus; the store belongs to the caller, who closes it afterwards. */
export function createInProcessBus(store: EventStore, options: InProcessBusOptions = {}): EventBus {
  const onSubscriberError = options.onSubscriberError ?? rethrowLater;
  const subscriptions = new Set<Subscription>();
  // Appends run one after another: the store hands out seqs in the order it commits, and publishing inside the
  // same queue step means subscribers see batches in seq order, never a later batch before an earlier one.
  let tail: Promise<unknown> = Promise.resolve();
  let closed = false;

  const deliver = (sub: Subscription, events: StoredEvent[]): void => {
    // Replay and live can both carry an event; the cursor makes the second copy invisible.
    let fresh = events;
    if (events.length > 0 && events[0]!.seq <= sub.cursor) fresh = events.filter((e) => e.seq > sub.cursor);
    if (fresh.length === 0) return;
    sub.cursor = fresh[fresh.length - 1]!.seq;
    try {
      sub.onEvents(fresh);
    } catch (error) {
      onSubscriberError(error);
    }
  };

  const publish = (results: AppendResult[]): void => {
    const stored: StoredEvent[] = [];
    for (const r of results) if (r.status === 'stored') stored.push(r.stored);
    if (stored.length === 0) return;
    for (const sub of subscriptions) {
      if (!sub.active) continue;
      if (sub.live) {
        deliver(sub, stored);
      } else if (sub.buffer.length + stored.length > REPLAY_BUFFER_LIMIT) {
        sub.buffer = [];
        sub.dropped = true;
      } else {
        for (const e of stored) sub.buffer.push(e);
      }
    }
  };

  const replay = async (sub: Subscription): Promise<void> => {
    for (;;) {
      sub.dropped = false;
      const batch = await store.read(sub.cursor, REPLAY_BATCH);
      if (!sub.active) return;
      deliver(sub, batch);
      if (batch.length === REPLAY_BATCH || sub.dropped) continue;
      // Caught up: whatever the store commits after this read is published after it too, and so is in the
      // buffer (registered before the first read). Flush it and go live in the same tick, leaving no window.
      const buffered = sub.buffer;
      sub.buffer = [];
      sub.live = true;
      deliver(sub, buffered);
      return;
    }
  };

  return {
    append(items: AppendItem[]): Promise<AppendResult[]> {
      if (closed) return Promise.reject(new Error('the event bus is closed'));
      const step = tail.then(async () => {
        const results = await store.append(items);
        publish(results);
        return results;
      });
      // A failed append rejects its own caller only; the queue goes on with the next one.
      tail = step.catch(() => undefined);
      return step;
    },

    subscribe(fromSeq, onEvents) {
      // A subscription on a closed bus would wait forever for events that never come; fail loudly instead.
      if (closed) throw new Error('the event bus is closed');
      const sub: Subscription = { onEvents, cursor: fromSeq, live: false, active: true, buffer: [], dropped: false };
      subscriptions.add(sub);
      replay(sub).catch((error: unknown) => {
        // Unsubscribed or closed meanwhile: the read failed because the store is closing, and nobody listens.
        if (!sub.active) return;
        // A subscriber that cannot replay would silently miss events forever; stop it and say so.
        sub.active = false;
        subscriptions.delete(sub);
        onSubscriberError(error);
      });
      return () => {
        sub.active = false;
        sub.buffer = [];
        subscriptions.delete(sub);
      };
    },

    async close() {
      closed = true;
      // Appends already accepted finish (and are published) before close resolves.
      await tail;
      for (const sub of subscriptions) sub.active = false;
      subscriptions.clear();
    },
  };
}
