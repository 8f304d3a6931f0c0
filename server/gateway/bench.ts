// Fan-out benchmark: N Socket.IO clients in this process, K changes per second into the live state, the real
// gateway in between. tests/bench/run.ts calls it and reports the figures; this file only measures.
//
// Caveats, so the numbers are read right: clients and server share one event loop and one CPU, so latency
// includes the clients' own parsing of every frame (1,000 clients parse 1,000 copies), and the whole-process
// CPU figure includes them too. The server's own cost is the flush CPU (takeChanges, encoding, and Socket.IO
// writing the pre-encoded frame to every socket), which is what serverCpuMicrosPerDelivered reports.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { io as connectClient, type Socket as ClientSocket } from 'socket.io-client';
import type { AreaKey, AreaTree } from '../contract/areas';
import type { ClientToServerEvents, ServerToClientEvents } from '../contract/socket';
import type { LiveState } from '../live/types';
import { attachGateway } from './gateway';

export interface FanoutOptions {
  tree: AreaTree;
  /** A live state the gateway reads, and `change` drives (each call: one applied event). */
  live: LiveState;
  change: (i: number) => void;
  clients?: number;
  changesPerSec?: number;
  durationMs?: number;
  flushMs?: number;
  /** Share of clients following the district; the rest spread over the towns. */
  districtShare?: number;
}

export interface FanoutResult {
  clients: number;
  changes: number;
  durationMs: number;
  deltasEmitted: number;
  deltasDelivered: number;
  /** Change (after live state applied it) to the client's 'state:delta' handler, sampled once per delivered delta. */
  latencyP50Ms: number;
  latencyP99Ms: number;
  /** Flush CPU (server side only) per delta delivered to a socket. */
  serverCpuMicrosPerDelivered: number;
  /** Whole-process CPU (server and the in-process clients) per delivered delta. */
  processCpuMicrosPerDelivered: number;
  /** Patch bytes per changed aggregate, and frame bytes per delivered delta. */
  bytesPerAggregate: number;
  bytesPerDelivered: number;
}

type Client = ClientSocket<ServerToClientEvents, ClientToServerEvents>;

const CONNECT_BATCH = 100;
const TICK_MS = 10;

const quantile = (sorted: number[], q: number): number =>
  sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;

export async function benchFanout(options: FanoutOptions): Promise<FanoutResult> {
  const { tree, live, change } = options;
  const clientCount = options.clients ?? 1_000;
  const changesPerSec = options.changesPerSec ?? 200;
  const durationMs = options.durationMs ?? 5_000;
  const flushMs = options.flushMs ?? 150;
  const districtShare = options.districtShare ?? 0.25;

  const server = createServer();
  // The bench drives the flushes itself, on the same period, so that it knows which changes each one carried.
  const gateway = attachGateway({ httpServer: server, live, tree, flushMs: 0 });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const towns = (tree.children[tree.root] ?? []) as AreaKey[];
  const changeAt = new Map<number, number>();
  /**
   * Per flush, by the seq it reached: the seq of the flush before. A delta ending at that seq brought the
   * changes after it for the first time (a town room's delta may start earlier, at its own last delta).
   */
  const windowStart = new Map<number, number>();
  let lastFlushSeq = live.seq;
  const latencies: number[] = [];
  const clients: Client[] = [];
  let snapshots = 0;

  try {
    for (let start = 0; start < clientCount; start += CONNECT_BATCH) {
      const batch = Array.from({ length: Math.min(CONNECT_BATCH, clientCount - start) }, (_, j) => {
        const i = start + j;
        const scope = i < clientCount * districtShare || towns.length === 0 ? tree.root : towns[i % towns.length]!;
        const socket: Client = connectClient(url, { transports: ['websocket'], forceNew: true, reconnection: false, auth: { scope } });
        socket.on('state:snapshot', () => (snapshots += 1));
        socket.on('state:delta', (d) => {
          const now = performance.now();
          // One sample per delivered delta: a random change among those this flush brought.
          const from = Math.max(d.fromSeq, windowStart.get(d.toSeq) ?? d.fromSeq);
          if (d.toSeq <= from) return;
          const seq = from + 1 + Math.floor(Math.random() * (d.toSeq - from));
          const at = changeAt.get(seq);
          if (at !== undefined) latencies.push(now - at);
        });
        clients.push(socket);
        return new Promise<void>((resolve, reject) => {
          socket.once('connect', () => resolve());
          socket.once('connect_error', reject);
        });
      });
      await Promise.all(batch);
    }
    gateway.flush();
    const deadline = Date.now() + 30_000;
    while (snapshots < clientCount) {
      if (Date.now() > deadline) throw new Error(`only ${snapshots} of ${clientCount} snapshots arrived`);
      await new Promise((r) => setTimeout(r, 10));
    }

    const before = gateway.metrics();
    const cpu = process.cpuUsage();
    let changes = 0;
    const started = performance.now();
    const ticker = setInterval(() => {
      const due = Math.floor(((performance.now() - started) / 1000) * changesPerSec);
      while (changes < due) {
        change(changes);
        changes += 1;
        changeAt.set(live.seq, performance.now());
      }
    }, TICK_MS);
    const flusher = setInterval(() => {
      if (live.seq > lastFlushSeq) windowStart.set(live.seq, lastFlushSeq);
      lastFlushSeq = live.seq;
      gateway.flush();
    }, flushMs);
    await new Promise((r) => setTimeout(r, durationMs));
    clearInterval(ticker);
    clearInterval(flusher);
    // Let the last frames arrive before reading the clients' side.
    await new Promise((r) => setTimeout(r, Math.max(200, flushMs)));
    const used = process.cpuUsage(cpu);
    const after = gateway.metrics();

    const delivered = after.deltasDelivered - before.deltasDelivered;
    const aggregates = after.aggregatesSent - before.aggregatesSent;
    latencies.sort((a, b) => a - b);
    return {
      clients: clientCount,
      changes,
      durationMs,
      deltasEmitted: after.deltasEmitted - before.deltasEmitted,
      deltasDelivered: delivered,
      latencyP50Ms: quantile(latencies, 0.5),
      latencyP99Ms: quantile(latencies, 0.99),
      serverCpuMicrosPerDelivered: (after.flushCpuMicros - before.flushCpuMicros) / Math.max(1, delivered),
      processCpuMicrosPerDelivered: (used.user + used.system) / Math.max(1, delivered),
      bytesPerAggregate: (after.aggregateBytes - before.aggregateBytes) / Math.max(1, aggregates),
      bytesPerDelivered: (after.deltaBytesDelivered - before.deltaBytesDelivered) / Math.max(1, delivered),
    };
  } finally {
    for (const c of clients) c.disconnect();
    await gateway.close();
  }
}
