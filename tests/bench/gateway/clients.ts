// The client side of benchFanout, run as its own process (fanout.ts forks it with the tsx loader), so that the
// server process's CPU and event loop carry the server's work alone: on a 2-core machine one core serves and
// the other plays the 1,000 clients. Talks to the server process over the fork IPC channel (protocol.ts).
//
// Every socket records when each delta reached its handler; one socket per scope also mirrors the state
// (ScopeMirror: snapshot, patches, trail tails), and its digest is checked against the live state at the end.
import { io as connectClient, type Socket } from 'socket.io-client';
import type { AreaKey } from '../../../server/contract/areas';
import type { ClientToServerEvents, ServerToClientEvents } from '../../../server/contract/socket';
import { epochMs, stateDigest, type FromClients, type MirrorReport, type ToClients } from './protocol';
import { ScopeMirror } from '../../../server/contract/mirror';

type Client = Socket<ServerToClientEvents, ClientToServerEvents>;

const send = (message: FromClients): void => {
  process.send?.(message);
};

const clients: Client[] = [];
const mirrors = new Map<AreaKey, ScopeMirror>();
// Arrivals as parallel growable columns: ~10^5 deltas in a run, no object per delta.
let fromSeqs = new Float64Array(1 << 16);
let toSeqs = new Float64Array(1 << 16);
let arrivedAt = new Float64Array(1 << 16);
let arrivals = 0;
let cpuStart = process.cpuUsage();

/** When the last delta arrived: the result waits until the sockets are quiet (a backlog drained). */
let lastArrival = 0;
const QUIET_MS = 250;
const MAX_DRAIN_MS = 100_000;

function record(fromSeq: number, toSeq: number, at: number): void {
  lastArrival = at;
  if (arrivals === arrivedAt.length) {
    const grow = (a: Float64Array) => {
      const b = new Float64Array(a.length * 2);
      b.set(a);
      return b;
    };
    fromSeqs = grow(fromSeqs);
    toSeqs = grow(toSeqs);
    arrivedAt = grow(arrivedAt);
  }
  fromSeqs[arrivals] = fromSeq;
  toSeqs[arrivals] = toSeq;
  arrivedAt[arrivals] = at;
  arrivals += 1;
}

async function start(url: string, scopes: AreaKey[], batch: number): Promise<void> {
  let snapshots = 0;
  for (let first = 0; first < scopes.length; first += batch) {
    const connecting = scopes.slice(first, first + batch).map((scope) => {
      const socket: Client = connectClient(url, {
        transports: ['websocket'],
        forceNew: true,
        reconnection: false,
        auth: { scope },
      });
      let mirror: ScopeMirror | undefined;
      if (!mirrors.has(scope)) mirrors.set(scope, (mirror = new ScopeMirror()));
      let firstSnapshot = true;
      socket.on('state:snapshot', (s) => {
        mirror?.applySnapshot(s);
        if (firstSnapshot) {
          firstSnapshot = false;
          snapshots += 1;
          if (snapshots === scopes.length) send({ type: 'ready' });
        }
      });
      socket.on('state:delta', (d) => {
        // The time first: what the mirror costs is this client's, not the server's latency.
        record(d.fromSeq, d.toSeq, epochMs());
        mirror?.applyDelta(d);
      });
      clients.push(socket);
      return new Promise<void>((resolve, reject) => {
        socket.once('connect', () => resolve());
        socket.once('connect_error', reject);
      });
    });
    await Promise.all(connecting);
  }
  send({ type: 'connected' });
}

const quantile = (sorted: Float64Array, q: number): number =>
  sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;

function finish(changeAtPairs: number[], windowStartPairs: number[]): void {
  const cpu = process.cpuUsage(cpuStart);
  const changeAt = new Map<number, number>();
  for (let i = 0; i + 1 < changeAtPairs.length; i += 2) changeAt.set(changeAtPairs[i]!, changeAtPairs[i + 1]!);
  const windowStart = new Map<number, number>();
  for (let i = 0; i + 1 < windowStartPairs.length; i += 2)
    windowStart.set(windowStartPairs[i]!, windowStartPairs[i + 1]!);
  const latencies = new Float64Array(arrivals);
  let samples = 0;
  for (let k = 0; k < arrivals; k++) {
    const toSeq = toSeqs[k]!;
    // One sample per delivered delta: a random change among those its flush brought for the first time (a
    // town room's delta may start earlier, at the room's previous delta, whose changes were measured then).
    const from = Math.max(fromSeqs[k]!, windowStart.get(toSeq) ?? fromSeqs[k]!);
    if (toSeq <= from) continue;
    const at = changeAt.get(from + 1 + Math.floor(Math.random() * (toSeq - from)));
    if (at !== undefined) latencies[samples++] = arrivedAt[k]! - at;
  }
  const sorted = latencies.subarray(0, samples).sort();
  const reports: MirrorReport[] = [...mirrors].map(([scope, m]) => ({
    scope,
    seq: m.seq,
    gaps: m.gaps,
    digest: stateDigest({
      keys: m.keys,
      aggregate: (k) => m.aggregates.get(k),
      tickets: m.tickets.values(),
      checkpoints: m.checkpoints.values(),
      rangers: m.rangers.values(),
      incidents: m.incidents.values(),
    }),
  }));
  send({
    type: 'result',
    deltas: arrivals,
    samples,
    latencyP50Ms: quantile(sorted, 0.5),
    latencyP99Ms: quantile(sorted, 0.99),
    latencyMaxMs: samples > 0 ? sorted[samples - 1]! : NaN,
    cpuMicros: cpu.user + cpu.system,
    mirrors: reports,
  });
  for (const c of clients) c.disconnect();
  // Leave once the result is out; the server process also kills this one if it lingers.
  process.disconnect?.();
}

process.on('message', (message: ToClients) => {
  try {
    if (message.type === 'start') {
      start(message.url, message.scopes, message.batch).catch((error: unknown) =>
        send({ type: 'error', message: String(error) }),
      );
    } else if (message.type === 'measure') {
      arrivals = 0;
      cpuStart = process.cpuUsage();
    } else if (message.type === 'finish') {
      // IPC and the sockets share this event loop: a client process that fell behind still has frames queued
      // when 'finish' comes. Those count (their latency is the backlog) and the mirrors need them.
      const asked = epochMs();
      const drain = () => {
        const now = epochMs();
        if (now - lastArrival < QUIET_MS && now - asked < MAX_DRAIN_MS) setTimeout(drain, QUIET_MS);
        else finish(message.changeAt, message.windowStart);
      };
      drain();
    }
  } catch (error) {
    send({ type: 'error', message: error instanceof Error ? (error.stack ?? error.message) : String(error) });
  }
});
