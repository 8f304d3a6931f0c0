// Fan-out benchmark: N Socket.IO clients, K changes per second into the live state, the real gateway in
// between. tests/bench/run.ts calls it and reports the figures; this file only measures.
//
// The clients run in a child process (clients.ts), so that this process's CPU and event loop are the
// server's alone: on the 2-core bench machine one core serves, the other plays the clients. Latency is the
// time from the live state having applied an event (here) to a client's 'state:delta' handler running (there),
// both read as epoch milliseconds with sub-millisecond resolution (performance.timeOrigin + now()), one clock.
// Still read the numbers with care: the client process parses every copy of every frame (1,000 clients parse
// 1,000 copies), and when it falls behind, its backlog shows up as latency.
import { fork, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { AreaKey, AreaTree } from '../../../server/contract/areas';
import { wireCheckpoint, wireIncident, wireRanger, wireTicket } from '../../../server/contract/live';
import type { LiveState } from '../../../server/live/types';
import { epochMs, stateDigest, type FromClients, type ToClients } from './protocol';
import { attachGateway } from '../../../server/gateway/gateway';
import { scopeKeys } from '../../../server/gateway/rooms';

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
  latencyMaxMs: number;
  /** Flush CPU (server side only) per delta delivered to a socket. */
  serverCpuMicrosPerDelivered: number;
  /**
   * CPU of the whole server process per delivered delta: the flushes, Socket.IO's writes outside them, and
   * the live state folding the events. (The clients run in their own process: clientCpuMicrosPerDelivered.)
   */
  processCpuMicrosPerDelivered: number;
  /** CPU of the client process (1,000 sockets receiving, parsing; one mirror per scope) per delivered delta. */
  clientCpuMicrosPerDelivered: number;
  /** 99th percentile of the server process's event-loop delay over the window (ms). */
  serverLoopDelayP99Ms: number;
  /** Patch bytes per changed aggregate, and frame bytes per delivered delta. */
  bytesPerAggregate: number;
  bytesPerDelivered: number;
  /** Snapshot frame bytes per client (the initial snapshots, before the window). */
  snapshotBytesPerClient: number;
  /**
   * One client per scope mirrors its state (ScopeMirror); at the end each mirror is compared with the live
   * state in wire precision. Mismatches (or mirrors that lost their chain) mean a client would show wrong data.
   */
  mirrorsChecked: number;
  mirrorMismatches: number;
}

const CONNECT_BATCH = 100;
const TICK_MS = 10;
const CLIENT_SCRIPT = fileURLToPath(new URL('./clients.ts', import.meta.url));

/** The child runs TypeScript through tsx, resolved from here so that neither cwd nor the parent's loader matters. */
function forkClients(): ChildProcess {
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
  return fork(CLIENT_SCRIPT, [], { execArgv: ['--import', tsx], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
}

/** The next message of one type from the client process; rejects on its error, exit, or the timeout. */
function expectMessage<T extends FromClients['type']>(
  child: ChildProcess,
  type: T,
  timeoutMs: number,
): Promise<Extract<FromClients, { type: T }>> {
  return new Promise((resolve, reject) => {
    const done = (error?: Error) => {
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
      if (error) reject(error);
    };
    const onMessage = (message: FromClients) => {
      if (message.type === 'error') done(new Error(`bench clients: ${message.message}`));
      else if (message.type === type) {
        done();
        resolve(message as Extract<FromClients, { type: T }>);
      }
    };
    const onExit = (code: number | null) => done(new Error(`bench clients exited (${code}) before '${type}'`));
    const timer = setTimeout(() => done(new Error(`bench clients: no '${type}' within ${timeoutMs} ms`)), timeoutMs);
    child.on('message', onMessage);
    child.once('exit', onExit);
  });
}

const tell = (child: ChildProcess, message: ToClients): void => {
  child.send(message);
};

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
  const scopes = Array.from({ length: clientCount }, (_, i) =>
    i < clientCount * districtShare || towns.length === 0 ? (tree.root as AreaKey) : towns[i % towns.length]!,
  );
  /** seq → epoch ms at which the live state had applied it. */
  const changeAt: number[] = [];
  /**
   * Per flush, by the seq it reached: the seq of the flush before. A delta ending at that seq brought the
   * changes after it for the first time (a town room's delta may start earlier, at its own last delta).
   */
  const windowStart: number[] = [];
  let lastFlushSeq = live.seq;
  const child = forkClients();

  try {
    const connected = expectMessage(child, 'connected', 60_000);
    const ready = expectMessage(child, 'ready', 90_000);
    // Awaited below; if the connect step fails first, its rejection must not go unhandled meanwhile.
    ready.catch(() => undefined);
    tell(child, { type: 'start', url, scopes, batch: CONNECT_BATCH });
    await connected;
    gateway.flush();
    await ready;

    const before = gateway.metrics();
    const loopDelay = monitorEventLoopDelay({ resolution: 10 });
    loopDelay.enable();
    tell(child, { type: 'measure' });
    const cpu = process.cpuUsage();
    let changes = 0;
    const started = performance.now();
    const ticker = setInterval(() => {
      const due = Math.floor(((performance.now() - started) / 1000) * changesPerSec);
      while (changes < due) {
        change(changes);
        changes += 1;
        changeAt.push(live.seq, epochMs());
      }
    }, TICK_MS);
    const flush = () => {
      if (live.seq > lastFlushSeq) windowStart.push(live.seq, lastFlushSeq);
      lastFlushSeq = live.seq;
      gateway.flush();
    };
    const flusher = setInterval(flush, flushMs);
    await new Promise((r) => setTimeout(r, durationMs));
    clearInterval(ticker);
    clearInterval(flusher);
    // One last flush sends every change made: the mirrors can then be compared with the live state as it is.
    flush();
    // Let the last frames arrive before reading the clients' side.
    await new Promise((r) => setTimeout(r, Math.max(300, flushMs)));
    loopDelay.disable();
    const used = process.cpuUsage(cpu);
    const after = gateway.metrics();

    // The client process answers once its sockets went quiet (clients.ts allows a backlog 100 s to drain).
    const resultP = expectMessage(child, 'result', 150_000);
    tell(child, { type: 'finish', changeAt, windowStart });
    const result = await resultP;

    let mismatches = 0;
    for (const m of result.mirrors) {
      const snap = live.snapshot(m.scope);
      const expected = stateDigest({
        keys: scopeKeys(tree, m.scope),
        aggregate: (k) => live.aggregate(k),
        tickets: snap.tickets.map(wireTicket),
        checkpoints: snap.checkpoints.map(wireCheckpoint),
        rangers: snap.rangers.map(wireRanger),
        incidents: (snap.incidents ?? []).map(wireIncident),
      });
      if (m.seq === null || m.gaps > 0 || m.digest !== expected) mismatches += 1;
    }

    const delivered = after.deltasDelivered - before.deltasDelivered;
    const per = (x: number) => x / Math.max(1, delivered);
    const aggregates = after.aggregatesSent - before.aggregatesSent;
    return {
      clients: clientCount,
      changes,
      durationMs,
      deltasEmitted: after.deltasEmitted - before.deltasEmitted,
      deltasDelivered: delivered,
      latencyP50Ms: result.latencyP50Ms,
      latencyP99Ms: result.latencyP99Ms,
      latencyMaxMs: result.latencyMaxMs,
      serverCpuMicrosPerDelivered: per(after.flushCpuMicros - before.flushCpuMicros),
      processCpuMicrosPerDelivered: per(used.user + used.system),
      clientCpuMicrosPerDelivered: per(result.cpuMicros),
      serverLoopDelayP99Ms: loopDelay.percentile(99) / 1e6,
      bytesPerAggregate: (after.aggregateBytes - before.aggregateBytes) / Math.max(1, aggregates),
      bytesPerDelivered: per(after.deltaBytesDelivered - before.deltaBytesDelivered),
      snapshotBytesPerClient: before.snapshotBytes / Math.max(1, before.snapshotsSent),
      mirrorsChecked: result.mirrors.length,
      mirrorMismatches: mismatches,
    };
  } finally {
    // The child leaves by itself after its result; on any failure it is stopped here (it is ours, by handle).
    if (child.exitCode === null && child.signalCode === null) child.kill();
    await gateway.close();
  }
}
