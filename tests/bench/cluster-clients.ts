// The client side of the cluster benchmark (cluster.ts forks it with the tsx loader): many socket.io-client
// sockets on one node, each following one scope and checking its own chain of seqs, as the browser's store
// does, without holding the state (a thousand copies of the district's state would measure this process's
// memory, not the cluster). Latency: the load generator writes its send time into each ticket's title
// (`bench@<epoch ms>`); a socket that receives the ticket new (status 'received') in a delta records now − that.
// Both processes run on one machine and read one clock.
//
// Its own process, so that the sockets' parsing never shares an event loop with the load generator; the
// parent asks for a window of figures every few seconds and for the totals at the end, over the fork IPC.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { io as connectClient, type Socket } from 'socket.io-client';
import type { AreaKey } from '../../server/contract/areas';
import type { DeltaWire } from '../../server/contract/live';
import type { ClientToServerEvents, HandshakeAuth, ServerToClientEvents } from '../../server/contract/socket';
import { epochMs } from './gateway/protocol';
import {
  Histogram,
  type ClientFinal,
  type ClientWindow,
  type FromClusterClients,
  type ToClusterClients,
} from './cluster-protocol';

type Client = Socket<ServerToClientEvents, ClientToServerEvents>;

interface Tracked {
  socket: Client;
  scope: AreaKey;
  /** null until the first snapshot, and again after a gap until the snapshot asked for arrives. */
  seq: number | null;
  gaps: number;
  duplicates: number;
  deltas: number;
  snapshots: number;
  disconnects: number;
}

const send = (message: FromClusterClients): void => {
  process.send?.(message);
};

const tracked: Tracked[] = [];
/** Why sockets went away and why reconnects were refused, by message: the figures alone cannot say. */
const reasons = new Map<string, number>();
const note = (what: string): void => {
  reasons.set(what, (reasons.get(what) ?? 0) + 1);
};
const total = new Histogram();
let windowHist = new Histogram();
let windowDeltas = 0;
let windowTickets = 0;
let windowCpu = process.cpuUsage();
let windowStart = epochMs();
const loop = monitorEventLoopDelay({ resolution: 10 });
loop.enable();
const STAMP = 'bench@';

function onDelta(t: Tracked, d: DeltaWire): void {
  const now = epochMs();
  if (t.seq === null) return; // waiting for a snapshot: nothing to check a delta against
  if (d.fromSeq === t.seq) {
    t.seq = d.toSeq;
    t.deltas += 1;
    windowDeltas += 1;
    const upserts = d.tickets?.upserts;
    if (upserts) {
      for (const ticket of upserts) {
        if (ticket.status !== 'received' || !ticket.title.startsWith(STAMP)) continue;
        const ms = now - Number(ticket.title.slice(STAMP.length));
        total.add(ms);
        windowHist.add(ms);
        windowTickets += 1;
      }
    }
  } else if (d.toSeq <= t.seq) {
    t.duplicates += 1;
  } else {
    // What LiveConnection does on a gap: the state is void until a fresh snapshot of the scope arrives.
    t.gaps += 1;
    t.seq = null;
    t.socket.emit('scope:follow', { key: t.scope }, () => undefined);
  }
}

let scopes: AreaKey[] = ['district:110112' as AreaKey];
/** Sockets made so far: the next one follows scopes[made % scopes.length]. */
let made = 0;

async function start(url: string, cookie: string, count: number, batch: number): Promise<void> {
  let failed = 0;
  let firstError = '';
  for (let first = 0; first < count; first += batch) {
    const connecting = Array.from({ length: Math.min(batch, count - first) }, () => {
      const t: Tracked = {
        socket: undefined as unknown as Client,
        scope: scopes[made++ % scopes.length]!,
        seq: null,
        gaps: 0,
        duplicates: 0,
        deltas: 0,
        snapshots: 0,
        disconnects: 0,
      };
      // A reconnect resumes from the seq held, as the browser's LiveConnection asks: missed deltas or a snapshot.
      const auth = (): HandshakeAuth => (t.seq === null ? { scope: t.scope } : { scope: t.scope, lastSeq: t.seq });
      const socket: Client = connectClient(url, {
        transports: ['websocket'],
        forceNew: true,
        extraHeaders: { cookie },
        auth: (cb) => cb(auth()),
        reconnectionDelay: 500,
        reconnectionDelayMax: 5000,
      });
      t.socket = socket;
      socket.on('state:snapshot', (s) => {
        t.seq = s.seq;
        t.snapshots += 1;
      });
      socket.on('state:delta', (d) => onDelta(t, d));
      let connectedOnce = false;
      let retryMs = 1000;
      socket.on('connect', () => {
        retryMs = 1000;
      });
      socket.on('disconnect', (reason) => {
        t.disconnects += 1;
        note(`disconnect: ${reason}`);
        if (reason === 'io server disconnect') setTimeout(() => socket.connect(), retryMs);
      });
      socket.on('connect_error', (error) => {
        if (!connectedOnce) return;
        note(`reconnect refused: ${error.message}`);
        // socket.io-client gives up on a refused handshake; LiveConnection retries with a backoff, so do the same.
        if (!socket.active) {
          setTimeout(() => socket.connect(), retryMs);
          retryMs = Math.min(15_000, retryMs * 2);
        }
      });
      return new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          failed += 1;
          firstError ||= 'no connect within 30 s';
          socket.close();
          resolve();
        }, 30_000);
        socket.once('connect', () => {
          clearTimeout(timer);
          connectedOnce = true;
          tracked.push(t);
          resolve();
        });
        socket.once('connect_error', (error) => {
          clearTimeout(timer);
          failed += 1;
          firstError ||= error.message;
          socket.close();
          resolve();
        });
      });
    });
    await Promise.all(connecting);
  }
  // Every socket holds a snapshot before the parent starts the load: otherwise its first deltas are not checked.
  const deadline = Date.now() + 60_000;
  while (tracked.some((t) => t.seq === null) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  send({
    type: 'connected',
    connected: tracked.length,
    failed,
    firstError,
    withSnapshot: tracked.filter((t) => t.seq !== null).length,
  });
}

function windowFigures(): ClientWindow {
  const cpu = process.cpuUsage(windowCpu);
  const now = epochMs();
  const w: ClientWindow = {
    type: 'window',
    seconds: (now - windowStart) / 1000,
    deltas: windowDeltas,
    tickets: windowTickets,
    p50: windowHist.quantile(0.5),
    p99: windowHist.quantile(0.99),
    max: windowHist.max,
    cpuShare: (cpu.user + cpu.system) / 1000 / (now - windowStart),
    loopP99Ms: loop.percentile(99) / 1e6,
    connectedNow: tracked.filter((t) => t.socket.connected).length,
    gaps: tracked.reduce((s, t) => s + t.gaps, 0),
    duplicates: tracked.reduce((s, t) => s + t.duplicates, 0),
    rssMb: process.memoryUsage.rss() / 2 ** 20,
  };
  windowHist = new Histogram();
  windowDeltas = 0;
  windowTickets = 0;
  windowCpu = process.cpuUsage();
  windowStart = now;
  loop.reset();
  return w;
}

function finalFigures(): ClientFinal {
  return {
    type: 'final',
    clients: tracked.length,
    connectedNow: tracked.filter((t) => t.socket.connected).length,
    withGaps: tracked.filter((t) => t.gaps > 0).length,
    withDuplicates: tracked.filter((t) => t.duplicates > 0).length,
    gaps: tracked.reduce((s, t) => s + t.gaps, 0),
    maxGaps: tracked.reduce((s, t) => Math.max(s, t.gaps), 0),
    duplicates: tracked.reduce((s, t) => s + t.duplicates, 0),
    maxDuplicates: tracked.reduce((s, t) => Math.max(s, t.duplicates), 0),
    deltas: tracked.reduce((s, t) => s + t.deltas, 0),
    snapshotsAfterFirst: tracked.reduce((s, t) => s + Math.max(0, t.snapshots - 1), 0),
    disconnects: tracked.reduce((s, t) => s + t.disconnects, 0),
    histogram: total.toPairs(),
    reasons: [...reasons].map(([k, n]) => `${k} ×${n}`).join('; '),
  };
}

process.on('message', (message: ToClusterClients) => {
  try {
    if (message.type === 'start') {
      scopes = message.scopes;
      start(message.url, message.cookie, message.count, message.batch).catch((error: unknown) =>
        send({ type: 'error', message: String(error) }),
      );
    } else if (message.type === 'reset') {
      total.clear();
      windowFigures();
      for (const t of tracked) {
        t.deltas = 0;
      }
      send({ type: 'reset-done' });
    } else if (message.type === 'window') {
      send(windowFigures());
    } else if (message.type === 'finish') {
      for (const t of tracked) t.socket.disconnect();
      // The totals are a large message: leave only once it is written, or the parent never gets it.
      process.send?.(finalFigures(), () => process.disconnect?.());
    }
  } catch (error) {
    send({ type: 'error', message: error instanceof Error ? (error.stack ?? error.message) : String(error) });
  }
});
// The parent's end is the end: never outlive it as an orphan holding a thousand sockets.
process.on('disconnect', () => process.exit(0));
