// When the bus (NATS) or the store (PostgreSQL) goes away for a few seconds under three nodes: ingest answers
// 503 and never a false 2xx, the servers stay up, and everything carries on by itself when the service is back,
// every node folding the same events. NATS is a
// server of this test's own, killed and restarted; PostgreSQL is reached through a TCP proxy that this test
// cuts, so the machine's PostgreSQL keeps serving the other test files.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../server/app';
import { testApp, ticket } from '../helpers/app';
import { bearerHeaders, principals } from '../helpers/auth';
import { getAsAdmin } from '../helpers/callers';
import { CLUSTER_SECRET } from '../helpers/cluster';
import { deleteStreams, freshStream, NATS_URL, natsAvailable, privateNats, type PrivateNats } from '../helpers/nats';
import { dropSchema, randomSchema, RUN_POSTGRES, TEST_DATABASE_URL } from '../helpers/store';
import { tcpProxy, type TcpProxy } from '../helpers/tcp-proxy';

const run = RUN_POSTGRES && (await natsAvailable());
const apps: App[] = [];
const schemas: string[] = [];
const streams: { name: string; url: string }[] = [];

afterEach(async () => {
  while (apps.length > 0) await apps.pop()!.close();
  for (const s of schemas.splice(0)) await dropSchema(s);
  for (const s of streams.splice(0)) await deleteStreams([s.name], s.url).catch(() => undefined);
});

/** Three nodes (apps in this process) on one stream and one schema of their own. */
async function cluster(natsUrl: string, databaseUrl: string): Promise<App[]> {
  const schema = randomSchema();
  schemas.push(schema);
  const stream = freshStream('O');
  streams.push({ name: stream, url: natsUrl });
  const env = {
    BUS: 'nats',
    NATS_URL: natsUrl,
    NATS_STREAM: stream,
    STORE: 'postgres',
    DATABASE_URL: databaseUrl,
    DATABASE_SCHEMA: schema,
    AUTH_SECRET: CLUSTER_SECRET,
  };
  const nodes = await Promise.all([testApp(env), testApp(env), testApp(env)]);
  apps.push(...nodes);
  return nodes;
}

// Bounds that catch a node that never gets there, not a slow one: CI runs this beside other test files on two cores.
async function until(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what}: not reached in ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

// One feed device in the shared user store: its token is valid on every node (asFeed per node would give each
// node a token of its own for the same device, and the last one written would win).
let feed: { authorization: string };
const postEvents = (app: App, events: unknown[]) =>
  app.inject({
    method: 'POST',
    url: '/api/v1/events',
    headers: { ...feed, 'content-type': 'application/json' },
    payload: JSON.stringify(events),
  });

const openTickets = async (app: App): Promise<number> => {
  const res = await getAsAdmin(app, '/api/v1/aggregates?scope=district:110112');
  const body = res.json() as { aggregates: { key: string; tickets?: { open?: number } }[] };
  return body.aggregates.find((a) => a.key === 'district:110112')?.tickets?.open ?? -1;
};

describe.skipIf(!run)('outages of the bus and the store', () => {
  let nats: PrivateNats;
  let pgProxy: TcpProxy;
  beforeAll(async () => {
    nats = await privateNats();
    pgProxy = await tcpProxy(Number(new URL(TEST_DATABASE_URL).port || 5432), new URL(TEST_DATABASE_URL).hostname);
  });
  afterAll(async () => {
    await nats?.dispose();
    await pgProxy?.close();
  });

  it('NATS down: ingest answers 503 on every node, they stay up; NATS back: ingest and the live state carry on', async () => {
    const nodes = await cluster(nats.url, TEST_DATABASE_URL);
    const [a, b, c] = nodes as [App, App, App];
    feed = await bearerHeaders(a, principals.feed);
    expect((await postEvents(a, [ticket('before-1')])).statusCode).toBe(200);
    await until(
      async () => (await Promise.all(nodes.map(openTickets))).every((n) => n === 1),
      60_000,
      'every node folds the first ticket',
    );

    await nats.stop();
    const started = Date.now();
    const during = await Promise.all(nodes.map((n) => postEvents(n, [ticket('during-1'), ticket('during-2')])));
    for (const d of during) {
      expect(d.statusCode).toBe(503);
      expect((d.json() as { message: string }).message).toMatch(/retry/i);
    }
    expect(Date.now() - started).toBeLessThan(10_000);
    for (const n of nodes) expect((await n.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
    // Still ready (it answers reads from its live state), and says the shared bus is gone.
    const shared = async (app: App) => {
      const r = await app.inject({ method: 'GET', url: '/readyz' });
      return { code: r.statusCode, bus: (r.json() as { shared?: { bus?: boolean } }).shared?.bus };
    };
    await until(async () => (await shared(b)).bus === false, 15_000, 'readyz reports the bus down');
    expect((await shared(b)).code).toBe(200);
    expect((await getAsAdmin(c, '/api/v1/aggregates?scope=district:110112')).statusCode).toBe(200);

    await nats.start();
    // The producer retries as a producer would, on another node; the first answers may still be 503 while the
    // clients reconnect.
    let retried = 0;
    await until(
      async () => {
        retried++;
        return (await postEvents(b, [ticket('during-1'), ticket('during-2')])).statusCode === 200;
      },
      60_000,
      'ingest back after NATS restarts',
    );
    // Each node reconnects on its own: C's ingest is back too (or soon).
    await until(
      async () => (await postEvents(c, [ticket('after-1')])).statusCode === 200,
      60_000,
      'ingest back on the third node',
    );
    await until(
      async () => (await Promise.all(nodes.map(openTickets))).every((n) => n === 4),
      60_000,
      'every node folds what came after',
    );
    for (const n of nodes) await until(async () => (await shared(n)).bus === true, 15_000, 'readyz: the bus back');
    expect(retried).toBeGreaterThanOrEqual(1);
  }, 300_000);

  it('PostgreSQL down: ingest still answers on every node (the PubAck), all fold it; PostgreSQL back: the archive catches up, nothing lost, nothing twice', async () => {
    const nodes = await cluster(
      NATS_URL,
      `postgres://postgres@127.0.0.1:${pgProxy.port}/${new URL(TEST_DATABASE_URL).pathname.slice(1)}`,
    );
    const [a, b, c] = nodes as [App, App, App];
    feed = await bearerHeaders(a, principals.feed);
    expect((await postEvents(a, [ticket('pg-before')])).statusCode).toBe(200);
    // Every node has read the feed device and the admin (its principal cache serves them while PostgreSQL is away).
    for (const n of nodes) {
      expect((await postEvents(n, [ticket('pg-before')])).statusCode).toBe(200);
      expect(await openTickets(n)).toBe(1);
    }

    pgProxy.cut();
    const during = await Promise.all(nodes.map((n, i) => postEvents(n, [ticket(`pg-during-${i}`)])));
    expect(during.map((d) => d.statusCode)).toEqual([200, 200, 200]);
    await until(
      async () => (await Promise.all(nodes.map(openTickets))).every((n) => n === 4),
      60_000,
      'every node folds what came during the outage',
    );
    // A retry of an event not yet archived is known from the fold, without PostgreSQL.
    const retry = await postEvents(b, [ticket('pg-during-0')]);
    expect(retry.statusCode).toBe(200);
    expect((retry.json() as { results: { status: string }[] }).results[0]!.status).toBe('duplicate');
    for (const n of nodes) expect((await n.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);

    pgProxy.restore();
    const again = await postEvents(c, [ticket('pg-during-1'), ticket('pg-after')]);
    expect(again.statusCode).toBe(200);
    expect((again.json() as { results: { status: string }[] }).results.map((r) => r.status)).toEqual([
      'duplicate',
      'accepted',
    ]);
    await until(
      async () => (await Promise.all(nodes.map(openTickets))).every((n) => n === 5),
      60_000,
      'five tickets folded on every node',
    );
    // The log's archive catches up by itself: every event once.
    const logIds = async () => {
      const log = await getAsAdmin(a, '/api/v1/events?limit=100');
      return log.statusCode === 200
        ? (log.json() as { events: { event: { id: string } }[] }).events.map((e) => e.event.id).sort()
        : [];
    };
    const tickets = async () => (await logIds()).filter((id) => id.startsWith('pg-'));
    await until(async () => (await tickets()).length >= 5, 30_000, 'the archive caught up');
    expect(await tickets()).toEqual(['pg-after', 'pg-before', 'pg-during-0', 'pg-during-1', 'pg-during-2']);
    // The alert the five tickets raised (decided on every node) is in the log once too.
    const all = await logIds();
    expect(new Set(all).size).toBe(all.length);
  }, 300_000);
});
