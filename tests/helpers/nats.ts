// NATS JetStream for the bus tests: the machine's server (127.0.0.1:4222, or TEST_NATS_URL), a fresh stream
// per test, and a private nats-server process for the tests that stop and restart it.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { connect } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';

export const NATS_URL = process.env.TEST_NATS_URL ?? 'nats://127.0.0.1:4222';
const NATS_SERVER = process.env.NATS_SERVER_BIN ?? '/usr/sbin/nats-server';

/** A stream name no other test uses. */
export const freshStream = (prefix = 'T'): string =>
  `${prefix}_${process.pid}_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`.toUpperCase();

/** True when NATS answers; under CI=true a missing NATS is an error, never a skip. */
export async function natsAvailable(url = NATS_URL): Promise<boolean> {
  try {
    const nc = await connect({ servers: url, timeout: 1500, reconnect: false });
    await nc.close();
    return true;
  } catch (error) {
    if (process.env.CI === 'true')
      throw new Error(`NATS does not answer at ${url} (CI needs it): ${(error as Error).message}`, {
        cause: error,
      });
    return false;
  }
}

export async function deleteStreams(names: string[], url = NATS_URL): Promise<void> {
  if (names.length === 0) return;
  const nc = await connect({ servers: url, timeout: 2000, reconnect: false });
  try {
    const jsm = await jetstreamManager(nc);
    for (const name of names.splice(0)) await jsm.streams.delete(name).catch(() => false);
  } finally {
    await nc.close();
  }
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** A nats-server of the test's own, with JetStream in a temp folder that outlives stop() until dispose(). */
export interface PrivateNats {
  url: string;
  start(): Promise<void>;
  /** SIGKILL: the server goes away as in a crash; its stream files stay. */
  stop(): Promise<void>;
  dispose(): Promise<void>;
}

export const natsServerInstalled = (): boolean => existsSync(NATS_SERVER);

export async function privateNats(): Promise<PrivateNats> {
  const port = await freePort();
  const dir = mkdtempSync(path.join(tmpdir(), 'opsmap-nats-'));
  let child: ChildProcess | undefined;
  const url = `nats://127.0.0.1:${port}`;
  const waitUp = async (): Promise<void> => {
    const start = Date.now();
    while (Date.now() - start < 15_000) {
      try {
        const nc = await connect({ servers: url, timeout: 500, reconnect: false });
        const jsm = await jetstreamManager(nc);
        await jsm.getAccountInfo();
        await nc.close();
        return;
      } catch {
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    throw new Error(`private nats-server on ${url} did not start`);
  };
  const nats: PrivateNats = {
    url,
    async start() {
      child = spawn(NATS_SERVER, ['-a', '127.0.0.1', '-p', String(port), '-js', '-sd', dir], { stdio: 'ignore' });
      await waitUp();
    },
    async stop() {
      const c = child;
      child = undefined;
      if (!c || c.exitCode !== null) return;
      await new Promise<void>((resolve) => {
        c.once('exit', () => resolve());
        c.kill('SIGKILL');
      });
    },
    async dispose() {
      await nats.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  await nats.start();
  return nats;
}
