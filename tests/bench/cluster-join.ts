// npm run bench -- cluster: a new node joining a cluster whose stream already holds `--join-events` events.
// One node (BUS=nats, STORE=postgres, default keyframes) takes the events as fast as it can; how far its archive
// trails the stream when the posting stops is timed. Then a second node starts: the time from its spawn to
// /readyz 200 (it restores the newest keyframe the archive covers and folds the rest) and to its fold at the
// stream's head; and, for comparison in the same run, a third node with KEYFRAMES=off (a full fold).
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { connect } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import { quoteIdent } from '../../server/store/postgres';
import { startNodeProcess, type ClusterSpace } from '../helpers/cluster';
import { loginOverHttp } from '../helpers/login';
import { NATS_URL } from '../helpers/nats';
import { TEST_DATABASE_URL } from '../helpers/store';
import {
  asFastAsPossible,
  EventMaker,
  fmt,
  load,
  sleep,
  startCluster,
  type Places,
  type Resources,
  type Row,
} from './cluster';

async function streamHead(space: ClusterSpace): Promise<number> {
  const nc = await connect({ servers: space.env.NATS_URL ?? NATS_URL, timeout: 2000, reconnect: false });
  try {
    return (await (await jetstreamManager(nc)).streams.info(space.stream)).state.last_seq;
  } finally {
    await nc.close();
  }
}

async function archiveState(space: ClusterSpace): Promise<{ maxSeq: number; keyframeSeq: number }> {
  const db = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await db.connect();
  try {
    const s = quoteIdent(space.schema);
    const r = await db.query<{ hi: string | null; kf: string | null }>(
      `SELECT (SELECT max(seq) FROM ${s}.events) AS hi, (SELECT max(seq) FROM ${s}.keyframes) AS kf`,
    );
    return { maxSeq: Number(r.rows[0]!.hi ?? 0), keyframeSeq: Number(r.rows[0]!.kf ?? 0) };
  } finally {
    await db.end();
  }
}

/** The last seq a node has folded, from its /metrics. */
async function foldedSeq(base: string): Promise<number> {
  try {
    const text = await (await fetch(`${base}/metrics`, { signal: AbortSignal.timeout(10_000) })).text();
    return Number(/^opsmap_log_last_seq(?:\{[^}]*\})? ([0-9.e+-]+)$/m.exec(text)?.[1] ?? NaN);
  } catch {
    return NaN;
  }
}

async function until(check: () => Promise<boolean>, timeoutMs: number): Promise<number> {
  const t0 = performance.now();
  while (!(await check())) {
    if (performance.now() - t0 > timeoutMs) return NaN;
    await sleep(50);
  }
  return performance.now() - t0;
}

/** Spawn → /readyz 200, then → folded the stream's head; the node is left running for the run's cleanup. */
async function join(space: ClusterSpace, res: Resources, head: number, env: Record<string, string> = {}) {
  const t0 = performance.now();
  // A loaded machine folds slowly: a full fold may take minutes there.
  const node = await startNodeProcess({ ...space.env, ...env }, undefined, 900_000);
  res.nodes.push(node);
  const readyMs = performance.now() - t0;
  const more = await until(async () => (await foldedSeq(node.base)) >= head, 300_000);
  return { readyMs, headMs: readyMs + more };
}

export async function newNodeJoins(row: Row, joinEvents: number, p: Places, res: Resources): Promise<void> {
  const { space, nodes } = await startCluster(res, 1);
  const base = nodes[0]!.base;
  const headers = await loginOverHttp(base);
  const maker = new EventMaker(p, `J${Date.now().toString(36)}`);
  const fill = await asFastAsPossible([base], headers, maker, {
    seconds: 3600,
    batch: 500,
    concurrency: 8,
    events: joinEvents,
  });
  const head = await streamHead(space);
  const archiveLagMs = await until(async () => (await archiveState(space)).maxSeq >= head, 300_000);
  // A keyframe of the whole stream, as a cluster that has run a while has (every KEYFRAME_EVERY_EVENTS and
  // every KEYFRAME_EVERY_MINUTES): wait for the first node's next one, at most a minute.
  await until(async () => (await archiveState(space)).keyframeSeq > 0, 60_000);
  const { keyframeSeq } = await archiveState(space);
  const withKeyframe = await join(space, res, head);
  console.error(`cluster join: with a keyframe ready in ${fmt(withKeyframe.readyMs)} ms; now KEYFRAMES=off`);
  const fullFold = await join(space, res, head, { KEYFRAMES: 'off' });
  const s = (ms: number) => `${fmt(ms / 1000, 1)} s`;
  row(
    `cluster: a new node joining a stream of ${fmt(head)} events: ready (/readyz) / folded to the head`,
    `**${s(withKeyframe.readyMs)}** / ${s(withKeyframe.headMs)}`,
    `newest keyframe at seq ${fmt(keyframeSeq)} (restored, then ${fmt(head - keyframeSeq)} events folded from the archive and the stream); ` +
      `the same with KEYFRAMES=off (full fold): ${s(fullFold.readyMs)} / ${s(fullFold.headMs)}; ` +
      `filled by one node at ${fmt(fill.stats.accepted / fill.seconds)} events/s (batches of 500, 8 posters, ${fill.stats.failed} failed requests), ` +
      `its archive at the stream's head ${s(archiveLagMs)} after the last ack; load average ${load()}`,
  );
}
