// Ops Map nodes for the cluster tests: each a real server (`server/main.ts` as a child process, or the app in
// this process), all on one NATS stream and one PostgreSQL schema of their own, on loopback ports.
import { spawn, type ChildProcess } from 'node:child_process';
import { io as connectSocket, type Socket } from 'socket.io-client';
import type { ClientToServerEvents, HandshakeAuth, ServerToClientEvents } from '../../server/contract/socket';
import type { AreaKey } from '../../server/contract/areas';
import { LiveStore } from '../../client/live/store';
import { LiveConnection } from '../../client/live/connection';
import { ROOT } from './paths';
import { TEST_ADMIN_PASSWORD } from './login';
import { freePort, freshStream, NATS_URL } from './nats';
import { dropSchema, randomSchema, TEST_DATABASE_URL } from './store';

/** One key for every node of a test cluster: a session made on one node is valid on the others. */
export const CLUSTER_SECRET = 'cluster-test-secret-0123456789abcdef0123456789';

export interface ClusterSpace {
  stream: string;
  schema: string;
  /** The environment every node of this cluster shares. */
  env: Record<string, string>;
  dispose(): Promise<void>;
}

/** A fresh stream and schema; the nodes started with `env` form one cluster. */
export function clusterSpace(overrides: Record<string, string> = {}): ClusterSpace {
  const stream = freshStream('C');
  const schema = randomSchema();
  const env: Record<string, string> = {
    BUS: 'nats',
    NATS_URL,
    NATS_STREAM: stream,
    STORE: 'postgres',
    DATABASE_URL: TEST_DATABASE_URL,
    DATABASE_SCHEMA: schema,
    AUTH_SECRET: CLUSTER_SECRET,
    ADMIN_PASSWORD: TEST_ADMIN_PASSWORD,
    SIMULATOR: 'off',
    LOG_LEVEL: 'warn',
    HOST: '127.0.0.1',
    ...overrides,
  };
  return {
    stream,
    schema,
    env,
    dispose: async () => {
      const { deleteStreams } = await import('./nats');
      await deleteStreams([stream], env.NATS_URL);
      await dropSchema(schema);
    },
  };
}

export interface NodeProcess {
  port: number;
  base: string;
  child: ChildProcess;
  /** Resolves with the exit once the process is gone. */
  exited: Promise<unknown>;
}

export async function waitReady(base: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const r = await fetch(`${base}/readyz`);
      if (r.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${base} did not become ready in ${timeoutMs} ms`);
}

/** `server/main.ts` as its own process, as a deployment runs a node. */
export async function startNodeProcess(
  env: Record<string, string>,
  port?: number,
  readyTimeoutMs = 60_000,
): Promise<NodeProcess> {
  const p = port ?? (await freePort());
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
    cwd: ROOT,
    env: { ...process.env, ...env, PORT: String(p), NODE_NAME: `node-${p}` },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const base = `http://127.0.0.1:${p}`;
  try {
    await waitReady(base, readyTimeoutMs);
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  return { port: p, base, child, exited };
}

export type ClusterSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/**
 * The dashboard's own live logic (LiveStore and LiveConnection from client/live) over a real socket.io-client:
 * it resumes with its last seq after a drop and asks for a snapshot on a gap, as the browser does.
 */
export function liveClient(base: string, cookie: string, scope: AreaKey) {
  const store = new LiveStore(scope);
  let socket: ClusterSocket | undefined;
  const connection = new LiveConnection(
    store,
    (auth: () => HandshakeAuth) => {
      socket = connectSocket(base, {
        transports: ['websocket'],
        extraHeaders: { cookie },
        auth: (cb) => cb(auth()),
        reconnectionDelay: 200,
        reconnectionDelayMax: 1000,
      });
      return socket;
    },
    { publishMs: 0 },
  );
  /** The view as the screen would read it now (publishing is on a timer in the browser; here on demand). */
  const view = () => {
    store.publish();
    return store.getView();
  };
  return { store, view, connection, socket: () => socket!, close: () => connection.close() };
}
