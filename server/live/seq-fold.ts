// The seq guard every small fold of the log shares: each stored event is folded once, in seq order, and an event
// at or below the last one folded is skipped (a batch given again, a keyframe's tail overlapping it).
import type { StoredEvent } from '../contract/events';

export interface SeqFold {
  /** The last seq folded; a restored keyframe sets it. */
  seq: number;
  apply(events: readonly StoredEvent[]): void;
}

export function seqFold(fold: (s: StoredEvent) => void): SeqFold {
  const self: SeqFold = {
    seq: 0,
    apply(events) {
      for (const s of events) {
        if (s.seq <= self.seq) continue;
        fold(s);
        self.seq = s.seq;
      }
    },
  };
  return self;
}
