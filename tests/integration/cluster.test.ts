// Several nodes, one product: three Ops Map servers (real processes) on one NATS JetStream stream and one
// PostgreSQL schema. An event posted to one node reaches a client of another; all fold the same log; a node
// killed with SIGKILL under load loses no acknowledged event and stores none twice, its clients resume on
// another node with no gap, and the two left still agree. Loopback only, bounded in count and time.
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import pg from 'pg';
import type { AreaKey } from '../../server/contract/areas';
import { ticket } from '../helpers/app';
import { clusterSpace, liveClient, startNodeProcess, type ClusterSpace, type NodeProcess } from '../helpers/cluster';
import { loginOverHttp } from '../helpers/login';
import { natsAvailable } from '../helpers/nats';
import { RUN_POSTGRES, TEST_DATABASE_URL } from '../helpers/store';
import { tcpProxy, type TcpProxy } from '../helpers/tcp-proxy';

const DISTRICT = 'district:110112' as AreaKey;
const run = RUN_POSTGRES && (await natsAvailable());

const spaces: ClusterSpace[] = [];
const nodes: NodeProcess[] = [];
const proxies: TcpProxy[] = [];
const clients: { close(): void }[] = [];

afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  for (const n of nodes.splice(0)) {
    if (n.child.exitCode === null && n.child.signalCode === null) {
      n.child.kill('SIGTERM');
      await n.exited;
    }
  }
  for (const p of proxies.splice(0)) await p.close();
  for (const s of spaces.splice(0)) await s.dispose();
});

/**
 * Polls until check() holds. The bounds are generous on purpose: they catch a node that never converges, not a
 * slow one (speed is the cluster benchmark's); CI runs these three processes beside other test files on two cores.
 * `state` says what was seen last, so a failure tells a stuck node from a slow one.
 */
async function until(
  check: () => boolean | Promise<boolean>,
  timeoutMs: number,
  what: string,
  state: () => string = () => '',
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what}: not reached in ${timeoutMs} ms ${state()}`.trimEnd());
    await new Promise((r) => setTimeout(r, 100));
  }
}

type Headers = Awaited<ReturnType<typeof loginOverHttp>>;
interface PostResult {
  status: number;
  results: { status: string; seq?: number }[];
}

async function post(base: string, headers: Headers, events: unknown[]): Promise<PostResult> {
  const res = await fetch(`${base}/api/v1/events`, {
    method: 'POST',
    headers: { ...headers, 'content-type': 'application/json' },
    body: JSON.stringify(events),
  });
  const body = res.headers.get('content-type')?.includes('json')
    ? ((await res.json()) as { results?: PostResult['results'] })
    : {};
  return { status: res.status, results: body.results ?? [] };
}

/** opsmap_archive_lease of a node's /metrics: 1 on the node that archives the stream into PostgreSQL. */
async function archiveLease(base: string): Promise<number> {
  const text = await (await fetch(`${base}/metrics`)).text();
  return Number(/^opsmap_archive_lease (\d+)$/m.exec(text)?.[1] ?? NaN);
}

async function aggregates(base: string, headers: Headers): Promise<{ seq: number; aggregates: unknown[] }> {
  const res = await fetch(`${base}/api/v1/aggregates?scope=${encodeURIComponent(DISTRICT)}`, { headers });
  expect(res.status).toBe(200);
  return (await res.json()) as { seq: number; aggregates: unknown[] };
}

/**
 * n nodes on a fresh stream and schema. All at once: the first migrates the empty schema and creates the stream,
 * the others start on them. `firstAlone`: the first is ready before the others start, so it holds the archive
 * lease (the first node to ask for it keeps it while it lives).
 */
async function cluster(n: number, firstAlone = false): Promise<{ space: ClusterSpace; nodes: NodeProcess[] }> {
  const space = clusterSpace();
  spaces.push(space);
  const started: NodeProcess[] = [];
  // Three processes starting at once on a loaded 2-core machine can take longer than the helper's minute.
  const start = () => startNodeProcess(space.env, undefined, 120_000);
  if (firstAlone) {
    started.push(await start());
    nodes.push(...started);
  }
  const rest = await Promise.all(Array.from({ length: n - started.length }, start));
  nodes.push(...rest);
  started.push(...rest);
  return { space, nodes: started };
}

describe.skipIf(!run)('three nodes on one bus and one PostgreSQL', () => {
  afterAll(async () => {
    for (const s of spaces.splice(0)) await s.dispose();
  });

  it('an event posted to node A reaches a client of node B, and all three nodes fold the same state after a burst', async () => {
    const {
      nodes: [a, b, c],
    } = await cluster(3);
    // One login on A: the session is valid on B too (one AUTH_SECRET, one user table).
    const headers = await loginOverHttp(a!.base);
    const client = liveClient(b!.base, headers.cookie, DISTRICT);
    clients.push(client);
    await until(() => client.store.seq !== null, 20_000, 'snapshot from B');

    const marked = ticket('cross-node-1', { title: '跨节点工单' });
    const first = await post(a!.base, headers, [marked]);
    expect(first.status).toBe(200);
    expect(first.results[0]!.status).toBe('accepted');
    await until(
      () => [...client.view().tickets.values()].some((t) => t.title === '跨节点工单'),
      10_000,
      'ticket from A on B',
    );

    // A burst to the three nodes at once, 2,000 tickets in 40 requests.
    const burst = await Promise.all(
      Array.from({ length: 40 }, (_, k) =>
        post(
          [a!, b!, c!][k % 3]!.base,
          headers,
          Array.from({ length: 50 }, (_, i) => ticket(`burst-${k}-${i}`)),
        ),
      ),
    );
    expect(burst.every((r) => r.status === 200 && r.results.every((x) => x.status === 'accepted'))).toBe(true);
    const seqs = burst.flatMap((r) => r.results.map((x) => x.seq!));
    expect(new Set(seqs).size).toBe(2000);
    const last = Math.max(...seqs);
    const all = [a!, b!, c!];
    let seen: number[] = [];
    await until(
      async () => {
        seen = (await Promise.all(all.map((n) => aggregates(n.base, headers)))).map((x) => x.seq);
        return seen.every((seq) => seq === last);
      },
      90_000,
      `every node at the last seq ${last}`,
      () => `(the nodes were at ${seen.join(', ')})`,
    );
    const [sa, sb, sc] = await Promise.all(all.map((n) => aggregates(n.base, headers)));
    expect(sb).toEqual(sa);
    expect(sc).toEqual(sa);
    // The client of B holds what B holds.
    await until(
      () => client.store.seq === last,
      30_000,
      'client at the last seq',
      () => `(at ${client.store.seq})`,
    );
    expect(client.view().tickets.size).toBe(2001);
    expect(client.view().gaps).toBe(0);
  }, 300_000);

  it("kill -9 of node A, the archiving node, under load: every acknowledged event is archived once by another, A's clients resume on B with no gap, B and C agree", async () => {
    const {
      space,
      nodes: [a, b, c],
    } = await cluster(3, true);
    const headers = await loginOverHttp(a!.base);
    // The reverse proxy in front of the nodes: A's clients reach A through it until A dies, then B.
    const front = await tcpProxy(a!.port);
    proxies.push(front);
    const frontBase = `http://127.0.0.1:${front.port}`;
    const client = liveClient(frontBase, headers.cookie, DISTRICT);
    clients.push(client);
    await until(() => client.store.seq !== null, 20_000, 'snapshot from A');

    const acked = new Map<string, number>();
    let batch = 0;
    let stop = false;
    // The load generator posts to A, batches of 50 back to back, until A is gone.
    const load = (async () => {
      while (!stop) {
        const events = Array.from({ length: 50 }, (_, i) => ticket(`kill-${batch}-${i}`));
        batch++;
        try {
          const r = await post(a!.base, headers, events);
          if (r.status !== 200) continue;
          r.results.forEach((x, i) => x.status === 'accepted' && acked.set(events[i]!.id as string, x.seq!));
        } catch {
          // the connection died with the process: never acknowledged
        }
      }
    })();
    await until(() => acked.size >= 2000, 60_000, '2,000 events acknowledged by A');
    // A archives (it took the lease first); B and C only fold.
    expect(await Promise.all([a!, b!, c!].map((n) => archiveLease(n.base)))).toEqual([1, 0, 0]);
    const seqAtKill = client.store.seq;
    a!.child.kill('SIGKILL');
    await a!.exited;
    stop = true;
    await load;
    front.target(b!.port);

    // Every acknowledged event, exactly once, under the seq A answered: in PostgreSQL, the shared log.
    const db = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await db.connect();
    try {
      await until(
        async () => {
          const r = await db.query<{ n: string }>(
            `SELECT count(*) AS n FROM "${space.schema}".events WHERE event::json->>'id' LIKE 'kill-%'`,
          );
          return Number(r.rows[0]!.n) >= acked.size;
        },
        60_000,
        'the survivors archived what A acknowledged',
      );
      const rows = await db.query<{ id: string; seq: string; n: string }>(
        `SELECT event::json->>'id' AS id, min(seq) AS seq, count(*) AS n FROM "${space.schema}".events
         WHERE event::json->>'id' LIKE 'kill-%' GROUP BY 1`,
      );
      const inLog = new Map(rows.rows.map((r) => [r.id, { seq: Number(r.seq), n: Number(r.n) }]));
      for (const [id, seq] of acked) expect(inLog.get(id)).toEqual({ seq, n: 1 });
      // The archive catches up with the whole stream (B or C took the lease): no gap, no key twice.
      const head = Math.max(...acked.values());
      let g = { n: '0', lo: '0', hi: '0', keys: '0' };
      await until(
        async () => {
          g = (
            await db.query<typeof g>(
              `SELECT count(*) AS n, min(seq) AS lo, max(seq) AS hi, count(DISTINCT event_key) AS keys
               FROM "${space.schema}".events`,
            )
          ).rows[0]!;
          return Number(g.hi) >= head;
        },
        60_000,
        'the archive at the last acknowledged seq',
        () => `(the archive ends at ${g.hi}, the last acknowledged is ${head})`,
      );
      expect(Number(g.lo)).toBe(1);
      expect(Number(g.n)).toBe(Number(g.hi));
      expect(Number(g.keys)).toBe(Number(g.n));
    } finally {
      await db.end();
    }

    // Exactly one of B and C took the lease over.
    await until(
      async () => (await archiveLease(b!.base)) + (await archiveLease(c!.base)) === 1,
      10_000,
      'a survivor holds the archive lease',
    );

    // The client reconnects through the proxy to B and resumes from its seq: no gap met, the state is B's.
    await until(
      () =>
        client.view().connection === 'live' &&
        client.store.seq !== null &&
        client.store.seq >= Math.max(...acked.values()),
      30_000,
      'client resumed on B',
    );
    const fromB = await aggregates(b!.base, headers);
    // The third node's producers carry on; what it takes reaches the client on B.
    const after = await post(c!.base, headers, [ticket('after-failover', { title: '切换后工单' })]);
    expect(after.results[0]!.status).toBe('accepted');
    await until(
      () => [...client.view().tickets.values()].some((t) => t.title === '切换后工单'),
      10_000,
      'a later ticket on the resumed client',
    );
    expect(client.view().gaps).toBe(0);
    expect(seqAtKill).not.toBeNull();
    expect(fromB.seq).toBeGreaterThanOrEqual(Math.max(...acked.values()));
    // Every ticket A acknowledged is on the screen of the client that followed A.
    const onScreen = new Set([...client.view().tickets.values()].map((t) => t.id));
    const missing = [...acked.keys()].filter((id) => !onScreen.has(`T-${id}`));
    expect(missing).toEqual([]);
    // The two survivors fold the same log to the same state.
    const afterSeq = after.results[0]!.seq!;
    let survivors: { seq: number; aggregates: unknown[] }[] = [];
    await until(
      async () => {
        survivors = await Promise.all([b!, c!].map((n) => aggregates(n.base, headers)));
        return survivors[0]!.seq >= afterSeq && survivors[0]!.seq === survivors[1]!.seq;
      },
      60_000,
      `B and C at one seq past the last ticket ${afterSeq}`,
      () => `(B at ${survivors[0]?.seq}, C at ${survivors[1]?.seq})`,
    );
    expect(survivors[1]).toEqual(survivors[0]);
  }, 360_000);
});
