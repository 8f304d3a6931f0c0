// npm run bench -- storm: a reconnect storm against one node with STORE=postgres (server/main.ts as its own
// process, BUS=nats, on a fresh stream and schema): N sockets open at once, as when a node restarts or the proxy
// fails over, and every handshake needs its principal's record. Counted: handshakes refused (connect_error, by
// message), the time until every socket had connected or been refused, and the user store's reads
// (PostgreSQL's own counters of the users and devices tables). The same storm with PRINCIPAL_CACHE_S=0 (every
// handshake asks PostgreSQL, as before the principal cache) and with the default 5 s, in one run.
//
// The principals: one admin session for every socket (what the cluster bench's clients use), a few walls sharing
// the sockets (a district's screens), and one wall device per socket (nothing for the cache to share).
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { io as connectSocket, type Socket } from 'socket.io-client';
import type { ClientToServerEvents, ServerToClientEvents } from '../../server/contract/socket';
import { ticket } from '../helpers/app';
import { clusterSpace, startNodeProcess, type NodeProcess } from '../helpers/cluster';
import { loginOverHttp } from '../helpers/login';
import { TEST_DATABASE_URL } from '../helpers/store';

type Row = (...cells: (string | number)[]) => void;
type Client = Socket<ServerToClientEvents, ClientToServerEvents>;

interface StormOptions {
  sockets: number;
  /** Open tickets in the node's state before the storm, so that each snapshot costs what a real one does. */
  tickets: number;
  /** Principals the sockets are spread over, one storm each; 1 is the admin session, more are wall devices. */
  principals: number[];
  cacheSeconds: string[];
}

function parse(argv: string[]): StormOptions {
  const options: StormOptions = { sockets: 1000, tickets: 5000, principals: [1, 20, 1000], cacheSeconds: ['0', '5'] };
  for (let i = 0; i < argv.length; i += 2) {
    const [flag, value] = [argv[i], argv[i + 1] ?? ''];
    if (flag === '--sockets') options.sockets = Number(value);
    else if (flag === '--tickets') options.tickets = Number(value);
    else if (flag === '--principals') options.principals = value.split(',').map(Number);
    else if (flag === '--cache') options.cacheSeconds = value.split(',');
    else
      throw new Error(
        `storm bench: unknown option ${flag} (--sockets, --tickets, --principals 1,20,1000, --cache 0,5)`,
      );
  }
  return options;
}

/** Index and sequential scans of the users and devices tables: one per principal lookup (a primary-key read). */
async function userStoreReads(schema: string): Promise<number> {
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await client.connect();
  try {
    const { rows } = await client.query<{ n: string | null }>(
      `SELECT sum(coalesce(idx_scan, 0) + seq_scan) AS n FROM pg_stat_user_tables
        WHERE schemaname = $1 AND relname IN ('users', 'devices')`,
      [schema],
    );
    return Number(rows[0]?.n ?? 0);
  } finally {
    await client.end();
  }
}

/** PostgreSQL publishes a backend's counters when it goes idle, at most every 10 s: read until they settle. */
async function settledReads(schema: string): Promise<number> {
  let last = await userStoreReads(schema);
  for (let i = 0; i < 12; i++) {
    await new Promise((r) => setTimeout(r, 1000));
    const now = await userStoreReads(schema);
    if (now === last && i >= 10) return now;
    last = now;
  }
  return last;
}

async function postJson(base: string, path: string, headers: Record<string, string>, body: unknown) {
  const res = await fetch(`${base}${path}`, {
    method: 'POST',
    headers: { ...headers, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${path} answered ${res.status}: ${await res.text()}`);
  return res.json() as Promise<unknown>;
}

interface StormResult {
  connected: number;
  refused: Map<string, number>;
  settledMs: number;
  reads: number;
}

async function storm(principals: number, cacheSeconds: string, options: StormOptions): Promise<StormResult> {
  const space = clusterSpace({ PRINCIPAL_CACHE_S: cacheSeconds, LOG_LEVEL: 'error' });
  let node: NodeProcess | undefined;
  const sockets: Client[] = [];
  try {
    node = await startNodeProcess(space.env);
    const base = node.base;
    const admin = await loginOverHttp(base);
    const feed = (await postJson(base, '/api/v1/admin/devices', admin, {
      name: 'storm feed',
      role: 'feed',
      scope: 'district:110112',
    })) as { token: string };
    for (let i = 0; i < options.tickets; i += 500) {
      const batch = Array.from({ length: Math.min(500, options.tickets - i) }, (_, j) => ticket(`storm-${i + j}`));
      await postJson(base, '/api/v1/events', { authorization: `Bearer ${feed.token}` }, batch);
    }
    // Each socket's credentials: the admin's cookie, or the token of one of the walls, round the sockets.
    const walls: string[] = [];
    for (let i = 0; principals > 1 && i < principals; i++) {
      const wall = (await postJson(base, '/api/v1/admin/devices', admin, {
        name: `storm wall ${i}`,
        role: 'wall',
        scope: 'district:110112',
      })) as { token: string };
      walls.push(wall.token);
    }
    await new Promise((r) => setTimeout(r, 11_000));
    const readsBefore = await settledReads(space.schema);

    const refused = new Map<string, number>();
    let connected = 0;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: options.sockets }, (_, i) => {
        const socket: Client = connectSocket(base, {
          transports: ['websocket'],
          reconnection: false,
          timeout: 60_000,
          ...(walls.length > 0
            ? { auth: { token: walls[i % walls.length]! } }
            : { extraHeaders: { cookie: admin.cookie } }),
        });
        sockets.push(socket);
        return new Promise<void>((resolve) => {
          let settled = false;
          const settle = (refusal?: string) => {
            if (settled) return;
            settled = true;
            clearTimeout(timer);
            if (refusal === undefined) connected += 1;
            else refused.set(refusal, (refused.get(refusal) ?? 0) + 1);
            resolve();
          };
          // A socket whose connection closes before the namespace answers gets neither event below.
          const timer = setTimeout(() => settle('no answer in 120 s'), 120_000);
          socket.once('connect', () => settle());
          socket.once('connect_error', (e) => settle(e.message));
          socket.once('disconnect', (reason) => settle(`closed before connecting: ${reason}`));
        });
      }),
    );
    const settledMs = performance.now() - started;
    const reads = (await settledReads(space.schema)) - readsBefore;
    return { connected, refused, settledMs, reads };
  } finally {
    for (const s of sockets) s.disconnect();
    if (node && node.child.exitCode === null) {
      node.child.kill('SIGTERM');
      await node.exited;
    }
    await space.dispose();
  }
}

export async function benchStormRows(row: Row, argv: string[]): Promise<void> {
  const options = parse(argv);
  for (const principals of options.principals) {
    for (const cache of options.cacheSeconds) {
      const r = await storm(principals, cache, options);
      const refusedCount = [...r.refused.values()].reduce((a, b) => a + b, 0);
      const who = principals === 1 ? 'one admin session' : `${principals} wall devices`;
      row(
        `storm: ${options.sockets.toLocaleString('en')} sockets at once on one node (STORE=postgres), ${who}, PRINCIPAL_CACHE_S=${cache}`,
        `**${refusedCount} refused**`,
        `${r.connected} connected, all settled in ${(r.settledMs / 1000).toFixed(1)} s; user store reads ${r.reads.toLocaleString('en')}; ${options.tickets.toLocaleString('en')} open tickets in the state` +
          (refusedCount > 0 ? `; ${[...r.refused].map(([m, n]) => `${n} × "${m}"`).join(', ')}` : ''),
      );
    }
  }
}

// `node --import tsx tests/bench/storm.ts [options]`, without the rest of npm run bench.
if (process.argv[1]?.endsWith('storm.ts')) {
  const print: Row = (...cells) => console.log(cells.join(' | '));
  await benchStormRows(print, process.argv.slice(2));
}
