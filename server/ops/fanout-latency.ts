// Fan-out latency: how long an event takes from its arrival (folded live) to the delta that carries it being
// taken for the clients. The fold notes arrivals, the gateway's read of the change set settles them.
import type { Histogram } from 'prom-client';

/** Arrivals remembered at most; older ones are dropped unmeasured (a gateway that stopped taking changes). */
const MAX_PENDING = 10_000;

export interface FanoutLatency {
  /** A batch starting at `seq` was folded live now. */
  arrived(seq: number): void;
  /** The change set up to `toSeq` was taken now: every arrival up to it is observed. */
  taken(toSeq: number): void;
}

export function createFanoutLatency(histogram: Histogram, now: () => number): FanoutLatency {
  const arrivals: { seq: number; at: number }[] = [];
  return {
    arrived(seq) {
      arrivals.push({ seq, at: now() });
      if (arrivals.length > MAX_PENDING) arrivals.splice(0, arrivals.length - MAX_PENDING);
    },
    taken(toSeq) {
      const t = now();
      while (arrivals.length > 0 && arrivals[0]!.seq <= toSeq) histogram.observe((t - arrivals.shift()!.at) / 1000);
    },
  };
}
