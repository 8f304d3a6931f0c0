// npm run bench -- cluster [--minutes 10] [--clients 1000] [--rate 2000] [--compare-seconds 60] [--skip-load]
// [--skip-compare] [--join-events 1000000] [--skip-join]: Ops Map as several nodes, each a real `server/main.ts` process with BUS=nats and
// STORE=postgres on one fresh JetStream stream and one fresh PostgreSQL schema (tests/helpers/cluster.ts).
//
// 1. Load across two nodes: `--clients` Socket.IO clients (half on each node, in two client processes:
//    cluster-clients.ts) follow the district and check their seq chains, while this process posts `--rate`
//    events/s in batches every 50 ms, alternating between the nodes, for `--minutes`. Each node's memory and
//    event loop, every process's CPU and the clients' latency are sampled every 30 s.
// 2. One node against two: ingest as fast as possible, and fan-out latency at a fixed rate, on one cluster of
//    one node and one of two, in the same run, so that the ratio is the number of nodes only.
// 3. A new node joining a stream of `--join-events` events: ready, and folded to the head (cluster-join.ts).
//
// Everything on 127.0.0.1; every child is killed and the stream and schema are removed at the end, also when a
// step fails or the run is interrupted.
import { fork, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { freemem, loadavg } from 'node:os';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import pg from 'pg';
import { connect } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import type { AreaKey } from '../../server/contract/areas';
import type { OpsEvent, TicketCategory } from '../../server/contract/events';
import { loadGeo, type Geo } from '../../server/geo/load';
import { interiorPoint } from '../../server/geo/interior';
import { quoteIdent } from '../../server/store/postgres';
import { streamSubject } from '../../server/bus/jetstream';
import { clusterSpace, startNodeProcess, type ClusterSpace, type NodeProcess } from '../helpers/cluster';
import { loginOverHttp } from '../helpers/login';
import { NATS_URL } from '../helpers/nats';
import { GEO_DIR } from '../helpers/paths';
import { createRng } from '../../server/sim/prng';
import { TEST_DATABASE_URL } from '../helpers/store';
import {
  Histogram,
  type ClientFinal,
  type ClientWindow,
  type FromClusterClients,
  type ToClusterClients,
} from './cluster-protocol';

export type Row = (...cells: (string | number)[]) => void;
export type Headers = Awaited<ReturnType<typeof loginOverHttp>>;

const DISTRICT = 'district:110112' as AreaKey;
const TICK_MS = 50;
const SAMPLE_MS = 30_000;
/** Hard limits that end the load early rather than let a saturated run take the shared machine down. */
const MAX_NODE_RSS = 8 * 2 ** 30;
const MIN_FREE_MEMORY = 2 * 2 ** 30;
const MAX_WINDOW_P99_MS = 120_000;

export const fmt = (n: number, digits = 0): string =>
  Number.isFinite(n) ? n.toLocaleString('en', { maximumFractionDigits: digits, minimumFractionDigits: digits }) : '—';
const mb = (bytes: number): string => `${fmt(bytes / 2 ** 20)} MB`;
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface ClusterOptions {
  minutes: number;
  clients: number;
  rate: number;
  compareSeconds: number;
  skipLoad: boolean;
  skipCompare: boolean;
  /** Events in the stream before a new node joins (cluster-join.ts). */
  joinEvents: number;
  skipJoin: boolean;
}

export function parseClusterArgs(argv: string[]): ClusterOptions {
  const o: ClusterOptions = {
    minutes: 10,
    clients: 1000,
    rate: 2000,
    compareSeconds: 60,
    skipLoad: false,
    skipCompare: false,
    joinEvents: 1_000_000,
    skipJoin: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const num = (): number => {
      const v = Number(argv[++i]);
      if (!Number.isFinite(v) || v <= 0) throw new Error(`${a} needs a positive number`);
      return v;
    };
    if (a === '--minutes') o.minutes = num();
    else if (a === '--clients') o.clients = Math.round(num());
    else if (a === '--rate') o.rate = num();
    else if (a === '--compare-seconds') o.compareSeconds = num();
    else if (a === '--skip-load') o.skipLoad = true;
    else if (a === '--skip-compare') o.skipCompare = true;
    else if (a === '--join-events') o.joinEvents = Math.round(num());
    else if (a === '--skip-join') o.skipJoin = true;
    else
      throw new Error(
        `unknown option ${a} (cluster: --minutes, --clients, --rate, --compare-seconds, --join-events, --skip-load, --skip-compare, --skip-join)`,
      );
  }
  return o;
}

// ---- events ----

const CATEGORIES: TicketCategory[] = [
  'e_bike',
  'parking',
  'sanitation',
  'noise',
  'road',
  'lighting',
  'property_management',
  'heating',
];
const RANGERS = 160;
export const STAMP = 'bench@';

export interface Places {
  cells: [number, number][];
  towns: string[];
  gauges: { id: string; base: number; blue: number }[];
  rangerHomes: [number, number][];
}

export function places(geo: Geo): Places {
  const cells = geo.layers.grid.features.map((f) => interiorPoint(f.geometry as never));
  const clusters = geo.layers.forest.features.map((f) => interiorPoint(f.geometry as never));
  return {
    cells,
    towns: geo.layers.towns.features.map((f) => f.properties.id),
    gauges: geo.layers.checkpoints.features
      .filter((f) => f.properties.kind === 'gauge')
      .map((f) => ({ id: f.properties.id, base: f.properties.baseLevel, blue: f.properties.thresholds.blue })),
    rangerHomes: Array.from({ length: RANGERS }, (_, k) => clusters[k % clusters.length]!),
  };
}

/**
 * The mix per batch: 80 % tickets (creations, and for tickets acknowledged earlier a dispatch after 2 s for
 * half of them and a closing after 10 s for all, so the open tickets stay bounded as in operation), 12 % water
 * readings of the real gauges below their blue level, 8 % positions of 160 rangers near their forest
 * cluster's interior point. A ticket's title carries the time its batch was posted.
 */
export class EventMaker {
  private n = 0;
  private toUpdate: { id: string; at: number }[] = [];
  private toClose: { id: string; at: number }[] = [];
  private updateHead = 0;
  private closeHead = 0;
  private rangerTurn = 0;
  private acks = 0;
  private readonly random = createRng(12345);
  constructor(
    private readonly p: Places,
    private readonly tag: string,
  ) {}

  private rnd(): number {
    return this.random.next();
  }

  batch(size: number, now: number): OpsEvent[] {
    const time = new Date(now).toISOString();
    const stamp = `${STAMP}${(performance.timeOrigin + performance.now()).toFixed(1)}`;
    const tickets = Math.round(size * 0.8);
    const flood = Math.round(size * 0.12);
    const positions = size - tickets - flood;
    const out: OpsEvent[] = [];
    const id = () => `cb-${this.tag}-${this.n++}`;
    let closes = 0;
    while (
      closes < Math.round(tickets * 0.5) &&
      this.closeHead < this.toClose.length &&
      now - this.toClose[this.closeHead]!.at >= 10_000
    ) {
      const t = this.toClose[this.closeHead++]!;
      out.push({ id: id(), kind: 'ticket.closed', time, source: 'hotline_12345', ticketId: t.id, resolved: true });
      closes++;
    }
    let updates = 0;
    while (
      updates < Math.round(tickets * 0.2) &&
      this.updateHead < this.toUpdate.length &&
      now - this.toUpdate[this.updateHead]!.at >= 2_000
    ) {
      const t = this.toUpdate[this.updateHead++]!;
      const assignee = this.p.towns[Math.floor(this.rnd() * this.p.towns.length)]!;
      out.push({
        id: id(),
        kind: 'ticket.updated',
        time,
        source: 'hotline_12345',
        ticketId: t.id,
        status: 'dispatched',
        assignee,
      });
      updates++;
    }
    for (let i = closes + updates; i < tickets; i++) {
      const [lon, lat] = this.p.cells[Math.floor(this.rnd() * this.p.cells.length)]!;
      const k = this.n;
      out.push({
        id: id(),
        kind: 'ticket.created',
        time,
        source: 'hotline_12345',
        ticketId: `CB-${this.tag}-${k}`,
        category: CATEGORIES[k % CATEGORIES.length]!,
        urgency: 'normal',
        channel: 'hotline_12345',
        title: stamp,
        location: { lon, lat },
      });
    }
    for (let i = 0; i < flood; i++) {
      const g = this.p.gauges[Math.floor(this.rnd() * this.p.gauges.length)]!;
      const level = Math.round((g.base + (g.blue - g.base) * 0.8 * this.rnd()) * 100) / 100;
      out.push({
        id: id(),
        kind: 'flood.reading',
        time,
        source: 'sensor',
        checkpointId: g.id,
        level,
        rainfall: Math.round(this.rnd() * 200) / 10,
      });
    }
    for (let i = 0; i < positions; i++) {
      const r = this.rangerTurn++ % RANGERS;
      const [lon, lat] = this.p.rangerHomes[r]!;
      // A walk of a few metres around the interior point keeps every position inside the cluster.
      const location = { lon: lon + (this.rnd() - 0.5) * 2e-4, lat: lat + (this.rnd() - 0.5) * 2e-4 };
      out.push({
        id: id(),
        kind: 'patrol.position',
        time,
        source: 'ranger_app',
        rangerId: `cb-${this.tag}-ranger-${r}`,
        location,
        battery: 80,
      });
    }
    return out;
  }

  /** Tickets the log holds (their creation acknowledged) become due for a dispatch and a closing. */
  acknowledged(events: OpsEvent[], results: { status: string }[], now: number): void {
    events.forEach((e, i) => {
      if (e.kind !== 'ticket.created' || results[i]?.status !== 'accepted') return;
      if (this.acks++ % 2 === 0) this.toUpdate.push({ id: e.ticketId, at: now });
      this.toClose.push({ id: e.ticketId, at: now });
    });
    if (this.closeHead > 100_000) {
      this.toClose = this.toClose.slice(this.closeHead);
      this.closeHead = 0;
    }
    if (this.updateHead > 100_000) {
      this.toUpdate = this.toUpdate.slice(this.updateHead);
      this.updateHead = 0;
    }
  }

  get open(): number {
    return this.toClose.length - this.closeHead;
  }
}

// ---- posting ----

interface PostStats {
  requests: number;
  failed: number;
  firstFailure: string;
  sent: number;
  accepted: number;
  duplicates: number;
  rejected: number;
  firstRejection: string;
  /** Batches that were due while MAX_IN_FLIGHT requests were still unanswered: never sent. */
  skippedBatches: number;
  ack: Histogram;
}

const newStats = (): PostStats => ({
  requests: 0,
  failed: 0,
  firstFailure: '',
  sent: 0,
  accepted: 0,
  duplicates: 0,
  rejected: 0,
  firstRejection: '',
  skippedBatches: 0,
  ack: new Histogram(),
});

async function post(
  base: string,
  headers: Headers,
  events: OpsEvent[],
  maker: EventMaker,
  stats: PostStats,
): Promise<void> {
  const t = performance.now();
  stats.requests++;
  stats.sent += events.length;
  try {
    const res = await fetch(`${base}/api/v1/events`, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json' },
      body: JSON.stringify(events),
      signal: AbortSignal.timeout(60_000),
    });
    const body = (await res.json()) as {
      accepted?: number;
      duplicates?: number;
      rejected?: number;
      results?: { status: string; errors?: unknown }[];
      message?: string;
    };
    stats.ack.add(performance.now() - t);
    if (res.status !== 200) {
      stats.failed++;
      stats.firstFailure ||= `${res.status} ${body.message ?? ''}`;
      return;
    }
    stats.accepted += body.accepted ?? 0;
    stats.duplicates += body.duplicates ?? 0;
    stats.rejected += body.rejected ?? 0;
    if ((body.rejected ?? 0) > 0 && !stats.firstRejection)
      stats.firstRejection = JSON.stringify(body.results?.find((r) => r.status === 'rejected')).slice(0, 300);
    maker.acknowledged(events, body.results ?? [], Date.now());
  } catch (error) {
    stats.failed++;
    stats.firstFailure ||= error instanceof Error ? error.message : String(error);
  }
}

const MAX_IN_FLIGHT = 32;

/**
 * `rate` events/s as batches every TICK_MS, alternating between the targets. A batch due while MAX_IN_FLIGHT
 * requests are unanswered is skipped and counted (the cluster is not keeping up): the achieved rate shows it,
 * instead of a backlog piling up in this process.
 */
function fixedRate(targets: string[], headers: Headers, maker: EventMaker, rate: number) {
  const perBatch = Math.max(1, Math.round((rate * TICK_MS) / 1000));
  const stats = newStats();
  const t0 = performance.now();
  let due = 0;
  let inFlight = 0;
  let stopped = false;
  const pending = new Set<Promise<void>>();
  const timer = setInterval(() => {
    if (stopped) return;
    const shouldHave = Math.floor((performance.now() - t0) / TICK_MS);
    while (due < shouldHave) {
      const k = due++;
      if (inFlight >= MAX_IN_FLIGHT) {
        stats.skippedBatches++;
        continue;
      }
      inFlight++;
      const p = post(targets[k % targets.length]!, headers, maker.batch(perBatch, Date.now()), maker, stats).finally(
        () => {
          inFlight--;
          pending.delete(p);
        },
      );
      pending.add(p);
    }
  }, 10);
  return {
    stats,
    perBatch,
    async stop(): Promise<number> {
      stopped = true;
      clearInterval(timer);
      const seconds = (performance.now() - t0) / 1000;
      await Promise.all(pending);
      return seconds;
    },
  };
}

/** Posts batches back to back from `concurrency` posters (poster i to target i mod n) for `seconds` (or `events`). */
export async function asFastAsPossible(
  targets: string[],
  headers: Headers,
  maker: EventMaker,
  o: { seconds: number; batch: number; concurrency: number; events?: number },
) {
  const stats = newStats();
  const t0 = performance.now();
  const end = t0 + o.seconds * 1000;
  const events = o.events ?? Infinity;
  await Promise.all(
    Array.from({ length: o.concurrency }, async (_, i) => {
      while (performance.now() < end && stats.sent < events)
        await post(targets[i % targets.length]!, headers, maker.batch(o.batch, Date.now()), maker, stats);
    }),
  );
  return { stats, seconds: (performance.now() - t0) / 1000 };
}

// ---- processes ----

const CLIENT_SCRIPT = fileURLToPath(new URL('./cluster-clients.ts', import.meta.url));

class ClientProcess {
  readonly child: ChildProcess;
  private readonly waiting = new Map<
    string,
    { resolve: (m: FromClusterClients) => void; reject: (e: Error) => void }
  >();
  private failure: Error | undefined;

  constructor(readonly label: string) {
    const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
    // Heap room for a thousand sockets' buffers when the process falls behind.
    this.child = fork(CLIENT_SCRIPT, [], {
      execArgv: ['--import', tsx, '--max-old-space-size=4096'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    this.child.on('message', (m: FromClusterClients) => {
      if (m.type === 'error') return this.fail(new Error(`${label}: ${m.message}`));
      const w = this.waiting.get(m.type);
      if (w) {
        this.waiting.delete(m.type);
        w.resolve(m);
      }
    });
    this.child.once('exit', (code, signal) => this.fail(new Error(`${label} exited (${code ?? signal})`)));
  }

  private fail(error: Error): void {
    this.failure ??= error;
    for (const w of this.waiting.values()) w.reject(error);
    this.waiting.clear();
  }

  ask<T extends FromClusterClients['type']>(
    message: ToClusterClients,
    answer: T,
    timeoutMs: number,
  ): Promise<Extract<FromClusterClients, { type: T }>> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(answer);
        reject(new Error(`${this.label}: no '${answer}' within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiting.set(answer, {
        resolve: (m) => {
          clearTimeout(timer);
          resolve(m as Extract<FromClusterClients, { type: T }>);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
      this.child.send(message);
    });
  }

  kill(): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
  }
}

/** Whatever a run started, so that one cleanup (also on SIGINT) stops it. */
export class Resources {
  nodes: NodeProcess[] = [];
  clients: ClientProcess[] = [];
  spaces: ClusterSpace[] = [];

  async stopClients(): Promise<void> {
    for (const c of this.clients.splice(0)) c.kill();
  }

  async release(): Promise<void> {
    await this.stopClients();
    for (const n of this.nodes.splice(0)) {
      if (n.child.exitCode !== null || n.child.signalCode !== null) continue;
      n.child.kill('SIGTERM');
      const gone = await Promise.race([n.exited.then(() => true), sleep(10_000).then(() => false)]);
      if (!gone) {
        n.child.kill('SIGKILL');
        await n.exited;
      }
    }
    for (const s of this.spaces.splice(0))
      await s
        .dispose()
        .catch((e: unknown) => console.error(`cluster bench: cleanup of ${s.stream}/${s.schema} failed: ${String(e)}`));
  }
}

export async function startCluster(res: Resources, n: number): Promise<{ space: ClusterSpace; nodes: NodeProcess[] }> {
  const space = clusterSpace();
  res.spaces.push(space);
  const nodes: NodeProcess[] = [];
  // One after the other: the first migrates the schema and makes the stream, which the test does at once too;
  // sequential starts keep the start's CPU spike off a machine that others share.
  for (let i = 0; i < n; i++) {
    const node = await startNodeProcess(space.env);
    res.nodes.push(node);
    nodes.push(node);
  }
  return { space, nodes };
}

/**
 * What the clients follow, as a deployment's screens do: one in ten the district (the command centre's walls and
 * desks), the others a town each, round the 22 towns (town officers, leaders, town walls).
 */
async function clientScopes(): Promise<AreaKey[]> {
  const tree = (await loadGeo(GEO_DIR)).tree;
  const towns = (tree.children[DISTRICT] ?? []) as AreaKey[];
  const out: AreaKey[] = [];
  for (let i = 0; i < 10 * towns.length; i++) out.push(i % 10 === 0 ? DISTRICT : towns[i % towns.length]!);
  return out;
}

async function connectClients(
  res: Resources,
  bases: string[],
  cookie: string,
  perProcess: number[],
): Promise<{ procs: ClientProcess[]; connected: number; failed: number; firstError: string }> {
  const procs = bases.map((_, i) => new ClientProcess(`clients ${i + 1}`));
  res.clients.push(...procs);
  const scopes = await clientScopes();
  const answers = await Promise.all(
    procs.map((p, i) =>
      p.ask({ type: 'start', url: bases[i]!, cookie, count: perProcess[i]!, batch: 50, scopes }, 'connected', 300_000),
    ),
  );
  return {
    procs,
    connected: answers.reduce((s, a) => s + a.withSnapshot, 0),
    failed: answers.reduce((s, a) => s + a.failed, 0),
    firstError: answers.map((a) => a.firstError).find(Boolean) ?? '',
  };
}

// ---- sampling ----

const CLK_TCK = 100;

/** utime + stime of a process in seconds (/proc/<pid>/stat fields 14 and 15), or NaN when it is gone. */
export function cpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
  } catch {
    return NaN;
  }
}

/**
 * CPU seconds of every process of one command name (PostgreSQL runs a backend per connection), as a running
 * total of what each process used while it was watched: backends that exit between two reads (other people's
 * tests) would otherwise make the difference negative.
 */
export function commandCpu(name: string, argFilter?: string): () => number {
  const seen = new Map<number, number>();
  let total = 0;
  return () => {
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        if (readFileSync(`/proc/${entry}/comm`, 'utf8').trim() !== name) continue;
        if (argFilter && !readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(argFilter)) continue;
        const pid = Number(entry);
        const v = cpuSeconds(pid);
        if (!Number.isFinite(v)) continue;
        const before = seen.get(pid);
        if (before !== undefined) total += v - before;
        seen.set(pid, v);
      } catch {
        // gone between the listing and the read
      }
    }
    return total;
  };
}

interface NodeMetrics {
  rss: number;
  heapUsed: number;
  heapTotal: number;
  loopP99Ms: number;
  logLastSeq: number;
  sockets: number;
}

async function nodeMetrics(base: string): Promise<NodeMetrics> {
  try {
    const text = await (await fetch(`${base}/metrics`, { signal: AbortSignal.timeout(15_000) })).text();
    const read = (name: string): number =>
      Number(new RegExp(`^opsmap_${name}(?:\\{[^}]*\\})? ([0-9.e+-]+)$`, 'm').exec(text)?.[1] ?? NaN);
    return {
      rss: read('process_resident_memory_bytes'),
      heapUsed: read('nodejs_heap_size_used_bytes'),
      heapTotal: read('nodejs_heap_size_total_bytes'),
      loopP99Ms: read('nodejs_eventloop_lag_p99_seconds') * 1000,
      logLastSeq: read('log_last_seq'),
      sockets: read('sockets'),
    };
  } catch {
    return { rss: NaN, heapUsed: NaN, heapTotal: NaN, loopP99Ms: NaN, logLastSeq: NaN, sockets: NaN };
  }
}

/** CPU in cores of each watched process since the previous call. */
export function cpuMeter(watch: Record<string, () => number>) {
  let last = Object.fromEntries(Object.entries(watch).map(([k, f]) => [k, f()]));
  let at = performance.now();
  return () => {
    const now = performance.now();
    const current = Object.fromEntries(Object.entries(watch).map(([k, f]) => [k, f()]));
    const seconds = (now - at) / 1000;
    const out: Record<string, number> = {};
    for (const k of Object.keys(watch)) out[k] = (current[k]! - last[k]!) / seconds;
    last = current;
    at = now;
    return out;
  };
}

export const selfCpu = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

async function logLength(space: ClusterSpace): Promise<{
  rows: number;
  maxSeq: number;
  tableBytes: number;
  others: string;
  streamMessages: number;
  streamBytes: number;
}> {
  const db = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await db.connect();
  let rows: number;
  let maxSeq: number;
  let tableBytes: number;
  let others: string;
  try {
    const table = `${quoteIdent(space.schema)}.events`;
    const r = await db.query<{ n: string; hi: string | null; bytes: string }>(
      `SELECT count(*) AS n, max(seq) AS hi, pg_total_relation_size('${table.replace(/'/g, "''")}') AS bytes FROM ${table}`,
    );
    rows = Number(r.rows[0]!.n);
    maxSeq = Number(r.rows[0]!.hi ?? 0);
    tableBytes = Number(r.rows[0]!.bytes);
    // What the nodes wrote themselves (alert lifecycle events), beside what the generator posted.
    const k = await db.query<{ kind: string; rule: string | null; n: string }>(
      `SELECT event::json->>'kind' AS kind, event::json->>'rule' AS rule, count(*) AS n FROM ${table} WHERE event::json->>'id' NOT LIKE 'cb-%' GROUP BY 1, 2 ORDER BY 3 DESC`,
    );
    others = k.rows.map((x) => `${x.kind}${x.rule ? ` ${x.rule}` : ''} ${fmt(Number(x.n))}`).join(', ');
  } finally {
    await db.end();
  }
  const nc = await connect({ servers: space.env.NATS_URL ?? NATS_URL, timeout: 2000, reconnect: false });
  try {
    const info = await (await jetstreamManager(nc)).streams.info(space.stream);
    return { rows, maxSeq, tableBytes, others, streamMessages: info.state.messages, streamBytes: info.state.bytes };
  } finally {
    await nc.close();
  }
}

/**
 * A plain NATS subscriber on the stream's subject sees each event when the stream has stored it: post → there
 * is the producer's half of the way (HTTP, validation, the node's duplicate check, publish); the rest of the
 * ack is the node's consumer archiving the event to PostgreSQL and folding it.
 */
async function streamTap(space: ClusterSpace) {
  const nc = await connect({ servers: space.env.NATS_URL ?? NATS_URL, timeout: 2000, reconnect: false });
  const hist = new Histogram();
  const decoder = new TextDecoder();
  nc.subscribe(streamSubject(space.stream), {
    callback: (_error, m) => {
      const now = performance.timeOrigin + performance.now();
      const record = JSON.parse(decoder.decode(m.data)) as { event: { kind: string; title?: string } };
      if (record.event.kind === 'ticket.created' && record.event.title?.startsWith(STAMP))
        hist.add(now - Number(record.event.title.slice(STAMP.length)));
    },
  });
  return { hist, close: () => nc.close() };
}

const mergeFinals = (finals: ClientFinal[]) => {
  const h = new Histogram();
  for (const f of finals) h.merge(f.histogram);
  const sum = (k: keyof Omit<ClientFinal, 'type' | 'histogram' | 'reasons'>) => finals.reduce((s, f) => s + f[k], 0);
  const max = (k: keyof Omit<ClientFinal, 'type' | 'histogram' | 'reasons'>) =>
    finals.reduce((s, f) => Math.max(s, f[k]), 0);
  return {
    h,
    clients: sum('clients'),
    connectedNow: sum('connectedNow'),
    withGaps: sum('withGaps'),
    withDuplicates: sum('withDuplicates'),
    gaps: sum('gaps'),
    maxGaps: max('maxGaps'),
    duplicates: sum('duplicates'),
    maxDuplicates: max('maxDuplicates'),
    deltas: sum('deltas'),
    snapshotsAfterFirst: sum('snapshotsAfterFirst'),
    disconnects: sum('disconnects'),
  };
};

export const load = () =>
  loadavg()
    .map((v) => v.toFixed(2))
    .join(' ');

// ---- 1. load across two nodes ----

async function loadAcrossTwoNodes(row: Row, o: ClusterOptions, p: Places, res: Resources): Promise<void> {
  const loadAtStart = load();
  const { space, nodes } = await startCluster(res, 2);
  const headers = await loginOverHttp(nodes[0]!.base);
  const half = Math.floor(o.clients / 2);
  const tConnect = performance.now();
  const c = await connectClients(
    res,
    nodes.map((n) => n.base),
    headers.cookie,
    [half, o.clients - half],
  );
  const connectSeconds = (performance.now() - tConnect) / 1000;
  console.log(
    `cluster load: ${c.connected} of ${o.clients} clients connected with a snapshot in ${connectSeconds.toFixed(0)} s (${c.failed} failed${c.firstError ? `: ${c.firstError}` : ''}); load average ${loadAtStart} → ${load()}`,
  );

  const pids = {
    nodeA: nodes[0]!.child.pid!,
    nodeB: nodes[1]!.child.pid!,
    clients1: c.procs[0]!.child.pid!,
    clients2: c.procs[1]!.child.pid!,
  };
  const meter = cpuMeter({
    'node A': () => cpuSeconds(pids.nodeA),
    'node B': () => cpuSeconds(pids.nodeB),
    'clients 1': () => cpuSeconds(pids.clients1),
    'clients 2': () => cpuSeconds(pids.clients2),
    'load gen': selfCpu,
    postgres: commandCpu('postgres'),
    nats: commandCpu('nats-server', '4222'),
  });
  const ownLoop = monitorEventLoopDelay({ resolution: 10 });
  ownLoop.enable();
  const bases = nodes.map((n) => n.base);
  const start = await Promise.all(bases.map(nodeMetrics));
  const samples: { t: number; nodes: NodeMetrics[] }[] = [{ t: 0, nodes: start }];
  console.log(
    `cluster load: t 0 s  A rss ${mb(start[0]!.rss)} heap ${mb(start[0]!.heapUsed)}  B rss ${mb(start[1]!.rss)} heap ${mb(start[1]!.heapUsed)}`,
  );
  await Promise.all(c.procs.map((cp) => cp.ask({ type: 'reset' }, 'reset-done', 30_000)));
  meter();

  const tap = await streamTap(space);
  const maker = new EventMaker(p, `L${Date.now().toString(36)}`);
  const gen = fixedRate(bases, headers, maker, o.rate);
  const t0 = performance.now();
  const endAt = t0 + o.minutes * 60_000;
  let stoppedEarly = '';
  let lastAccepted = 0;
  let lastSent = 0;
  const windows: ClientWindow[][] = [];
  while (performance.now() < endAt && !stoppedEarly) {
    await sleep(Math.min(SAMPLE_MS, endAt - performance.now()));
    const t = (performance.now() - t0) / 1000;
    const [m, w] = await Promise.all([
      Promise.all(bases.map(nodeMetrics)),
      Promise.all(c.procs.map((cp) => cp.ask({ type: 'window' }, 'window', 60_000).catch((e: Error) => e))),
    ]);
    const cpu = meter();
    samples.push({ t, nodes: m });
    const ws = w.filter((x): x is ClientWindow => !(x instanceof Error));
    windows.push(ws);
    const dt = t - (samples.length > 1 ? samples[samples.length - 2]!.t : 0);
    const accRate = (gen.stats.accepted - lastAccepted) / dt;
    const sentRate = (gen.stats.sent - lastSent) / dt;
    lastAccepted = gen.stats.accepted;
    lastSent = gen.stats.sent;
    const p99 = Math.max(...ws.map((x) => x.p99));
    console.log(
      `cluster load: t ${fmt(t)} s  sent ${fmt(sentRate)}/s acked ${fmt(accRate)}/s skipped ${gen.stats.skippedBatches} batches, failed ${gen.stats.failed}, open tickets ${fmt(maker.open)}, ack p99 ${fmt(gen.stats.ack.quantile(0.99))} ms, gen loop p99 ${fmt(ownLoop.percentile(99) / 1e6)} ms` +
        `\n  nodes: ${m.map((x, i) => `${'AB'[i]} rss ${mb(x.rss)} heap ${mb(x.heapUsed)}/${mb(x.heapTotal)} loop p99 ${fmt(x.loopP99Ms)} ms seq ${fmt(x.logLastSeq)} sockets ${fmt(x.sockets)}`).join(' | ')}` +
        `\n  clients: ${ws.map((x, i) => `${i + 1}: ${x.connectedNow} up, ${fmt(x.deltas / x.seconds)} deltas/s, latency p50 ${fmt(x.p50)} p99 ${fmt(x.p99)} max ${fmt(x.max)} ms (${fmt(x.tickets)} tickets), loop p99 ${fmt(x.loopP99Ms)} ms, rss ${mb(x.rssMb * 2 ** 20)}, gaps ${x.gaps} dup ${x.duplicates}`).join(' | ')}${w.length > ws.length ? ' (a client process did not answer)' : ''}` +
        `\n  cpu (cores): ${Object.entries(cpu)
          .map(([k, v]) => `${k} ${v.toFixed(2)}`)
          .join(', ')}; load average ${load()}`,
    );
    ownLoop.reset();
    if (m.some((x) => x.rss > MAX_NODE_RSS)) stoppedEarly = `a node's RSS passed ${mb(MAX_NODE_RSS)}`;
    else if (freemem() < MIN_FREE_MEMORY) stoppedEarly = `free memory fell below ${mb(MIN_FREE_MEMORY)}`;
    else if (p99 > MAX_WINDOW_P99_MS)
      stoppedEarly = `client latency p99 passed ${MAX_WINDOW_P99_MS / 1000} s in a window (the clients or nodes fell behind)`;
  }
  const seconds = await gen.stop();
  // The last batches' tickets are still on their way to the sockets.
  await sleep(5_000);
  const end = await Promise.all(bases.map(nodeMetrics));
  samples.push({ t: (performance.now() - t0) / 1000, nodes: end });
  // A client process that fails at the end must not cost the figures of the other and of the nodes.
  const answered = await Promise.all(
    c.procs.map((cp) => cp.ask({ type: 'finish' }, 'final', 120_000).catch((e: Error) => e)),
  );
  const finals = answered.filter((x): x is ClientFinal => !(x instanceof Error));
  const lost = answered.filter((x): x is Error => x instanceof Error).map((e) => e.message);
  await res.stopClients();
  await tap.close();
  const f = mergeFinals(finals);
  const log = await logLength(space);
  const s = gen.stats;

  row(
    `cluster: 2 nodes, ${fmt(o.clients)} clients (a tenth on the district, the rest on towns), ${fmt(o.rate)} events/s target — clients connected`,
    `${fmt(c.connected)} of ${fmt(o.clients)}`,
    `half on each node, websocket, one session; connected with a snapshot in ${connectSeconds.toFixed(0)} s; ${c.failed} failed; still connected at the end: ${f.connectedNow}; disconnects ${f.disconnects}${
      finals.some((x) => x.reasons)
        ? ` (${finals
            .map((x) => x.reasons)
            .filter(Boolean)
            .join(' | ')})`
        : ''
    }`,
  );
  row(
    'cluster: events sent / acknowledged, achieved rate',
    `${fmt(s.sent)} / ${fmt(s.accepted)}, ${fmt(s.accepted / seconds)} events/s`,
    `${fmt(seconds)} s${stoppedEarly ? ` (stopped early: ${stoppedEarly})` : ''}; batches of ${gen.perBatch} every ${TICK_MS} ms alternating A/B; ${s.skippedBatches} batches skipped (${MAX_IN_FLIGHT} unanswered); ${s.failed} failed requests${s.firstFailure ? ` (${s.firstFailure})` : ''}; ${s.rejected} rejected${s.firstRejection ? ` (${s.firstRejection})` : ''}; ${s.duplicates} duplicates; ack p50 / p99 ${fmt(s.ack.quantile(0.5))} / ${fmt(s.ack.quantile(0.99))} ms`,
  );
  row(
    'cluster: per-client gaps / duplicates',
    `${f.gaps} / ${f.duplicates}`,
    `${lost.length ? `NOT COUNTED: ${lost.join('; ')}; ` : ''}over ${fmt(f.clients)} clients: ${f.withGaps} with a gap (most ${f.maxGaps}), ${f.withDuplicates} with a duplicate (most ${f.maxDuplicates}); ${fmt(f.deltas)} deltas applied in sequence; ${f.snapshotsAfterFirst} snapshots after the first`,
  );
  row(
    'cluster: event → client latency p50 / p99 / max',
    `${fmt(f.h.quantile(0.5))} / ${fmt(f.h.quantile(0.99))} / ${fmt(f.h.max)} ms`,
    `${fmt(f.h.count)} ticket arrivals (every new ticket on every socket): post time in the title → the socket's 'state:delta' handler`,
  );
  row(
    'cluster: where the time goes: post → on the stream, post → ack (p50 / p99)',
    `${fmt(tap.hist.quantile(0.5))} / ${fmt(tap.hist.quantile(0.99))} ms, ${fmt(s.ack.quantile(0.5))} / ${fmt(s.ack.quantile(0.99))} ms`,
    'on the stream: a plain NATS subscriber on the subject; the ack waits for the posting node to have archived (PostgreSQL) and folded the batch; then the flush (≤ 150 ms) and the socket',
  );
  for (const [i, label] of ['A', 'B'].entries()) {
    const trend = samples
      .map((x) => `${fmt(x.t)} s ${fmt(x.nodes[i]!.rss / 2 ** 20)}/${fmt(x.nodes[i]!.heapUsed / 2 ** 20)}`)
      .join(', ');
    row(
      `cluster: node ${label} RSS / heap used, start → end`,
      `${mb(start[i]!.rss)} → ${mb(end[i]!.rss)} / ${mb(start[i]!.heapUsed)} → ${mb(end[i]!.heapUsed)}`,
      `every 30 s (MB rss/heap): ${trend}`,
    );
  }
  row(
    'cluster: log length at the end',
    `${fmt(log.rows)} events`,
    `PostgreSQL rows (max seq ${fmt(log.maxSeq)}, table + indexes ${mb(log.tableBytes)}); stream ${fmt(log.streamMessages)} messages, ${mb(log.streamBytes)}; nodes at seq ${end.map((x) => fmt(x.logLastSeq)).join(' / ')}; not from the generator: ${log.others || 'none'}`,
  );
  row('cluster: load average at start / end', `${loadAtStart} / ${load()}`, '1, 5, 15 min; the machine is shared');
  await res.release();
}

// ---- 2. one node against two ----

interface CompareResult {
  ingestRate: number;
  ingest: PostStats;
  ingestSeconds: number;
  ingestCpu: Record<string, number>;
  fanoutP50: number;
  fanoutP99: number;
  fanoutMax: number;
  fanoutSamples: number;
  fanoutAcked: number;
  fanoutSeconds: number;
  fanoutStages: string;
  gaps: number;
  duplicates: number;
  connected: number;
  cpu: Record<string, number>;
  load: string;
}

async function compareOne(n: number, o: ClusterOptions, p: Places, res: Resources): Promise<CompareResult> {
  const { space, nodes } = await startCluster(res, n);
  const bases = nodes.map((x) => x.base);
  const headers = await loginOverHttp(bases[0]!);
  // Two client processes in both set-ups (100 sockets each), so that only the number of nodes differs.
  const clientBases = n === 1 ? [bases[0]!, bases[0]!] : bases;
  const c = await connectClients(res, clientBases, headers.cookie, [100, 100]);
  const watch: Record<string, () => number> = {};
  nodes.forEach((x, i) => (watch[`node ${'AB'[i]}`] = () => cpuSeconds(x.child.pid!)));
  c.procs.forEach((x, i) => (watch[`clients ${i + 1}`] = () => cpuSeconds(x.child.pid!)));
  watch['load gen'] = selfCpu;
  watch.postgres = commandCpu('postgres');
  watch.nats = commandCpu('nats-server', '4222');

  // Fan-out first, on a small log, so the clients' snapshots are small; then ingest on the same cluster.
  const tap = await streamTap(space);
  const fanMaker = new EventMaker(p, `F${n}${Date.now().toString(36)}`);
  const gen = fixedRate(bases, headers, fanMaker, 1000);
  await sleep(10_000);
  await Promise.all(c.procs.map((cp) => cp.ask({ type: 'reset' }, 'reset-done', 30_000)));
  const meter = cpuMeter(watch);
  tap.hist.clear();
  gen.stats.ack.clear();
  const acceptedBefore = gen.stats.accepted;
  const tf = performance.now();
  await sleep(o.compareSeconds * 1000);
  const fanoutAcked = gen.stats.accepted - acceptedBefore;
  const fanoutSeconds = (performance.now() - tf) / 1000;
  await gen.stop();
  await sleep(3_000);
  const cpu = meter();
  const f = mergeFinals(await Promise.all(c.procs.map((cp) => cp.ask({ type: 'finish' }, 'final', 120_000))));
  await res.stopClients();
  await tap.close();
  const fanoutStages = `post → on the stream p50 / p99 ${fmt(tap.hist.quantile(0.5))} / ${fmt(tap.hist.quantile(0.99))} ms, post → ack ${fmt(gen.stats.ack.quantile(0.5))} / ${fmt(gen.stats.ack.quantile(0.99))} ms, ${gen.stats.skippedBatches} batches skipped`;

  const ingestMaker = new EventMaker(p, `I${n}${Date.now().toString(36)}`);
  const ingestMeter = cpuMeter(Object.fromEntries(Object.entries(watch).filter(([k]) => !k.startsWith('clients'))));
  const ingest = await asFastAsPossible(bases, headers, ingestMaker, { seconds: 20, batch: 500, concurrency: 8 });
  const ingestCpu = ingestMeter();
  const result: CompareResult = {
    ingestRate: ingest.stats.accepted / ingest.seconds,
    ingest: ingest.stats,
    ingestSeconds: ingest.seconds,
    ingestCpu,
    fanoutP50: f.h.quantile(0.5),
    fanoutP99: f.h.quantile(0.99),
    fanoutMax: f.h.max,
    fanoutSamples: f.h.count,
    fanoutAcked,
    fanoutSeconds,
    fanoutStages,
    gaps: f.gaps,
    duplicates: f.duplicates,
    connected: c.connected,
    cpu,
    load: load(),
  };
  await res.release();
  return result;
}

async function oneVersusTwo(row: Row, o: ClusterOptions, p: Places, res: Resources): Promise<void> {
  const one = await compareOne(1, o, p, res);
  const two = await compareOne(2, o, p, res);
  const cpuOf = (c: Record<string, number>) =>
    Object.entries(c)
      .map(([k, v]) => `${k} ${v.toFixed(2)}`)
      .join(', ');
  const cpu = (r: CompareResult) =>
    Object.entries(r.cpu)
      .map(([k, v]) => `${k} ${v.toFixed(2)}`)
      .join(', ');
  const ing = (r: CompareResult) =>
    `${fmt(r.ingest.accepted)} acknowledged in ${r.ingestSeconds.toFixed(1)} s; ${r.ingest.failed} failed requests${r.ingest.firstFailure ? ` (${r.ingest.firstFailure})` : ''}, ${r.ingest.rejected} rejected; ack p50 / p99 ${fmt(r.ingest.ack.quantile(0.5))} / ${fmt(r.ingest.ack.quantile(0.99))} ms; cpu (cores) ${cpuOf(r.ingestCpu)}`;
  row(
    'cluster: ingest, 1 node (BUS=nats, STORE=postgres)',
    `${fmt(one.ingestRate)} events/s`,
    `batches of 500, 8 concurrent posters, 20 s; ${ing(one)}`,
  );
  row(
    'cluster: ingest, 2 nodes',
    `${fmt(two.ingestRate)} events/s`,
    `posters alternate between the nodes; ${ing(two)}`,
  );
  row('cluster: ingest, 2 nodes / 1 node', `${(two.ingestRate / one.ingestRate).toFixed(2)}×`, 'same run');
  const fan = (r: CompareResult) =>
    `${r.connected} clients connected, ${fmt(r.fanoutAcked / r.fanoutSeconds)} events/s acknowledged over ${fmt(r.fanoutSeconds)} s after 10 s warm-up, ${fmt(r.fanoutSamples)} ticket arrivals, max ${fmt(r.fanoutMax)} ms; ${r.fanoutStages}; gaps ${r.gaps}, duplicates ${r.duplicates}; cpu (cores) ${cpu(r)}; load average ${r.load}`;
  row(
    'cluster: fan-out latency p50 / p99, 1 node, 200 clients, 1,000 events/s',
    `${fmt(one.fanoutP50)} / ${fmt(one.fanoutP99)} ms`,
    fan(one),
  );
  row(
    'cluster: fan-out latency p50 / p99, 2 nodes (100 clients each)',
    `${fmt(two.fanoutP50)} / ${fmt(two.fanoutP99)} ms`,
    fan(two),
  );
  row(
    'cluster: fan-out latency, 2 nodes / 1 node (p50, p99)',
    `${(two.fanoutP50 / one.fanoutP50).toFixed(2)}× / ${(two.fanoutP99 / one.fanoutP99).toFixed(2)}×`,
    'same run',
  );
}

export async function benchClusterRows(row: Row, argv: string[]): Promise<void> {
  const o = parseClusterArgs(argv);
  const p = places(await loadGeo(GEO_DIR));
  const res = new Resources();
  // An interrupted run still kills its children and removes its stream and schema.
  const onSignal = (signal: NodeJS.Signals) => {
    console.error(`cluster bench: ${signal}, cleaning up`);
    void res.release().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    if (!o.skipLoad) await loadAcrossTwoNodes(row, o, p, res);
    if (!o.skipCompare) await oneVersusTwo(row, o, p, res);
    if (!o.skipJoin) {
      await res.release();
      const { newNodeJoins } = await import('./cluster-join');
      await newNodeJoins(row, o.joinEvents, p, res);
    }
  } finally {
    await res.release();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
