// What cluster.ts and its client processes (cluster-clients.ts) say to each other over the fork IPC channel,
// and the latency histogram both sides use. Apart from cluster-clients.ts, whose import starts a client's work.
import type { AreaKey } from '../../server/contract/areas';

/**
 * Latency in 1 ms bins up to 10 minutes, the rest in the last bin: a thousand sockets record ~10^5 samples a
 * second, too many to keep one by one, and two processes' histograms merge exactly.
 */
export class Histogram {
  static readonly BINS = 600_001;
  bins = new Uint32Array(Histogram.BINS);
  count = 0;
  max = 0;

  add(ms: number): void {
    const v = ms < 0 ? 0 : ms;
    this.bins[Math.min(Histogram.BINS - 1, Math.floor(v))]! += 1;
    this.count += 1;
    if (v > this.max) this.max = v;
  }

  /** The bin's upper edge: a quantile reads at most 1 ms high, never low. */
  quantile(q: number): number {
    if (this.count === 0) return NaN;
    const rank = Math.ceil(q * this.count);
    let seen = 0;
    for (let i = 0; i < this.bins.length; i++) {
      seen += this.bins[i]!;
      if (seen >= rank) return Math.min(i + 1, this.max);
    }
    return this.max;
  }

  clear(): void {
    this.bins.fill(0);
    this.count = 0;
    this.max = 0;
  }

  /** Non-empty bins as flat pairs (bin, count), then the max: what travels over IPC. */
  toPairs(): number[] {
    const out: number[] = [];
    for (let i = 0; i < this.bins.length; i++) if (this.bins[i]! > 0) out.push(i, this.bins[i]!);
    out.push(-1, this.max);
    return out;
  }

  merge(pairs: number[]): void {
    for (let i = 0; i + 1 < pairs.length; i += 2) {
      if (pairs[i] === -1) this.max = Math.max(this.max, pairs[i + 1]!);
      else {
        this.bins[pairs[i]!]! += pairs[i + 1]!;
        this.count += pairs[i + 1]!;
      }
    }
  }
}

export type ToClusterClients =
  /** Connect `count` sockets to `url` (`batch` at a time) with the session cookie; socket i follows scopes[i % n]. */
  | { type: 'start'; url: string; cookie: string; count: number; batch: number; scopes: AreaKey[] }
  /** The measured window begins: forget latencies and delta counts so far (gaps and duplicates stay). */
  | { type: 'reset' }
  | { type: 'window' }
  | { type: 'finish' };

export interface ClientWindow {
  type: 'window';
  seconds: number;
  /** Deltas applied and stamped tickets measured in the window, over all sockets. */
  deltas: number;
  tickets: number;
  p50: number;
  p99: number;
  max: number;
  /** CPU of the client process over the window, in cores (1 = one core busy all the time). */
  cpuShare: number;
  loopP99Ms: number;
  connectedNow: number;
  gaps: number;
  duplicates: number;
  rssMb: number;
}

export interface ClientFinal {
  type: 'final';
  clients: number;
  connectedNow: number;
  withGaps: number;
  withDuplicates: number;
  gaps: number;
  maxGaps: number;
  duplicates: number;
  maxDuplicates: number;
  deltas: number;
  /** Snapshots beyond each socket's first: a resync after a gap, or a resume the history could not serve. */
  snapshotsAfterFirst: number;
  disconnects: number;
  histogram: number[];
  /** Disconnect reasons and refused reconnects, with counts. */
  reasons: string;
}

export type FromClusterClients =
  | { type: 'connected'; connected: number; failed: number; firstError: string; withSnapshot: number }
  | { type: 'reset-done' }
  | ClientWindow
  | ClientFinal
  | { type: 'error'; message: string };
