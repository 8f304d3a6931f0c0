// The local side of every EventBus: delivers the log's events to this process's subscribers, in seq order, each
// exactly once. A subscriber first replays what the log holds after its cursor (read() of the node's store, or
// of the archive and then the stream: jetstream.ts), then goes live on what the bus publishes; publish() must be
// called only after read() can return the events, so that a replay always finds whatever it missed live.
import type { StoredEvent } from '../contract/events';
import type { EventStore } from '../store/types';

/** Events per store.read() while a subscriber catches up: bounds the memory a replay holds at once. */
export const REPLAY_BATCH = 1000;
/**
 * Live events held for a subscriber that is still replaying. Past this the buffer is dropped and the replay
 * reads them from the store instead (they are there: publish happens after the commit), so a slow replay under
 * heavy ingest costs reads, not unbounded memory.
 */
export const REPLAY_BUFFER_LIMIT = 10_000;

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

export interface Fanout {
  /** Hands events already in the store, in seq order, to every subscriber. */
  publish(events: StoredEvent[]): void;
  subscribe(fromSeq: number, onEvents: (events: StoredEvent[]) => void): () => void;
  /** The highest seq published so far (0 before any). */
  readonly published: number;
  /** Stops delivering; later subscribes throw. */
  close(): void;
}

export function createFanout(store: Pick<EventStore, 'read'>, onSubscriberError: (error: unknown) => void): Fanout {
  const subscriptions = new Set<Subscription>();
  let closed = false;
  let published = 0;

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
    get published() {
      return published;
    },

    publish(events) {
      if (events.length === 0) return;
      published = Math.max(published, events[events.length - 1]!.seq);
      for (const sub of subscriptions) {
        if (!sub.active) continue;
        if (sub.live) {
          deliver(sub, events);
        } else if (sub.buffer.length + events.length > REPLAY_BUFFER_LIMIT) {
          sub.buffer = [];
          sub.dropped = true;
        } else {
          for (const e of events) sub.buffer.push(e);
        }
      }
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

    close() {
      closed = true;
      for (const sub of subscriptions) sub.active = false;
      subscriptions.clear();
    },
  };
}

/** The default for a subscriber that throws: rethrow outside the bus (an uncaught exception; see InProcessBusOptions). */
export const rethrowLater = (error: unknown): void => {
  queueMicrotask(() => {
    throw error;
  });
};
