// The EventBus seam: one ordered stream of accepted events that every consumer (live state, gateway, and at
// scale every node) folds in the same order. Embedded default: in process, over the EventStore; at scale:
// Redis Streams or NATS JetStream behind the same interface.
import type { StoredEvent } from '../contract/events';
import type { AppendItem, AppendResult } from '../store/types';

export interface EventBus {
  /**
   * Appends to the ordered log and resolves once durable, with the per-item result (stored with its seq, or
   * duplicate). Subscribers then receive the stored events in seq order, each exactly once.
   */
  append(items: AppendItem[]): Promise<AppendResult[]>;
  /**
   * Delivers every stored event with seq > fromSeq to `onEvents`, in order, without gaps or repeats: first
   * what the log already holds, then new events as they are appended. Returns a function that unsubscribes.
   */
  subscribe(fromSeq: number, onEvents: (events: StoredEvent[]) => void): () => void;
  close(): Promise<void>;
}
