// The events a node folded that the archive may not hold yet, in seq order, kept for the archiver so that it
// rarely reads the stream again (jetstream.ts). Appends and drops at the front are amortised O(1): the fold adds a
// batch every few milliseconds, and a copy of the whole tail per batch (an array sliced to its limit) cost more
// node CPU than the fold itself while the archive trailed by its limit.
import type { StoredEvent } from '../contract/events';

export interface FoldedTail {
  push(batch: readonly StoredEvent[]): void;
  /** Drops the events with seq ≤ mark (the archive holds them). */
  dropUpTo(mark: number): void;
  /**
   * The events after afterSeq, at most `limit`: [] when the tail ends at or before afterSeq (nothing folded after
   * it yet), undefined when the tail no longer reaches back to afterSeq + 1 (the caller reads the stream).
   */
  after(afterSeq: number, limit: number): StoredEvent[] | undefined;
  readonly size: number;
}

export function createFoldedTail(limit: number): FoldedTail {
  let events: StoredEvent[] = [];
  let head = 0;
  const compact = (): void => {
    if (head > 4096 && head * 2 > events.length) {
      events = events.slice(head);
      head = 0;
    }
  };
  return {
    push(batch) {
      for (const e of batch) events.push(e);
      if (events.length - head > limit) head = events.length - limit;
      compact();
    },
    dropUpTo(mark) {
      while (head < events.length && events[head]!.seq <= mark) head++;
      compact();
    },
    after(afterSeq, max) {
      if (head === events.length) return undefined;
      if (events[head]!.seq > afterSeq + 1) return undefined;
      if (events[events.length - 1]!.seq <= afterSeq) return [];
      // The first event after afterSeq: seqs increase, so a binary search.
      let lo = head;
      let hi = events.length - 1;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (events[mid]!.seq > afterSeq) hi = mid;
        else lo = mid + 1;
      }
      return events.slice(lo, lo + max);
    },
    get size() {
      return events.length - head;
    },
  };
}
