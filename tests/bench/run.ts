// npm run bench: prints the figures docs/BENCHMARKS.md records. Each section warms up, then measures several
// rounds and reports the median, because this machine is noisy; compare approaches as ratios within one run.
import { performance } from 'node:perf_hooks';
import { cpus, totalmem } from 'node:os';
import { validateEvent, type OpsEvent } from '../../server/contract/events';
import * as turf from '@turf/turf';
import { loadGeo, type Geo } from '../../server/geo/load';
import { createLocator } from '../../server/geo/locate';
import { createRng } from '../../server/sim/prng';
import { GEO_DIR } from '../helpers/paths';

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const rows: string[][] = [];
const row = (...cells: (string | number)[]) => {
  rows.push(cells.map(String));
  console.log(cells.join(' | '));
};

function ticket(i: number): OpsEvent {
  return {
    id: `bench-${i}`,
    kind: 'ticket.created',
    time: '2026-07-20T14:30:00+08:00',
    source: 'hotline_12345',
    ticketId: `T${i}`,
    category: 'e_bike',
    urgency: 'normal',
    channel: 'hotline_12345',
    title: '楼道内电动车充电',
    location: { lon: 116.68 + (i % 100) * 1e-4, lat: 39.89, crs: 'gcj02' },
  } as OpsEvent;
}

async function benchGeoLoad(): Promise<void> {
  const times: number[] = [];
  for (let i = 0; i < 5; i++) {
    const t = performance.now();
    await loadGeo(GEO_DIR);
    times.push(performance.now() - t);
  }
  row('geo: load + validate all layers (data/geo)', `${median(times).toFixed(0)} ms`, 'median of 5');
}

function benchValidate(): void {
  const N = 100_000;
  const good = Array.from({ length: N }, (_, i) => ticket(i));
  const bad = good.map((e, i) => ({ ...e, location: { lon: 'x', lat: 39.9 }, id: `bad-${i}` }));
  for (const [label, items] of [
    ['valid ticket.created', good],
    ['invalid ticket.created (with reasons)', bad],
  ] as const) {
    for (const e of items.slice(0, 5000)) validateEvent(e); // warm-up
    const rates: number[] = [];
    for (let r = 0; r < 5; r++) {
      const t = performance.now();
      for (const e of items) validateEvent(e);
      rates.push(N / ((performance.now() - t) / 1000));
    }
    row(
      `contract: validateEvent, ${label}`,
      `${Math.round(median(rates)).toLocaleString('en')} events/s`,
      'median of 5 × 100k',
    );
  }
}

/**
 * Random points over the district's bounding box; with `inside`, only those in the district (what a real feed
 * sends), otherwise about a third fall outside (what a broken feed sends).
 */
function points(geo: Geo, n: number, seed: number, inside: boolean): Float64Array {
  const district = geo.layers.district.features[0] as never;
  const [w, s, e, nn] = turf.bbox(district);
  const random = createRng(seed);
  const rnd = () => random.next();
  const out = new Float64Array(n * 2);
  for (let i = 0; i < n;) {
    const p = [w + (e - w) * rnd(), s + (nn - s) * rnd()];
    if (inside && !turf.booleanPointInPolygon(p, district)) continue;
    out[2 * i] = p[0]!;
    out[2 * i + 1] = p[1]!;
    i++;
  }
  return out;
}

function rate(locate: (x: number, y: number) => unknown, pts: Float64Array): number {
  for (let i = 0; i < Math.min(pts.length, 200_000); i += 2) locate(pts[i]!, pts[i + 1]!); // warm-up
  const rates: number[] = [];
  for (let r = 0; r < 3; r++) {
    const t = performance.now();
    for (let i = 0; i < pts.length; i += 2) locate(pts[i]!, pts[i + 1]!);
    rates.push(pts.length / 2 / ((performance.now() - t) / 1000));
  }
  return median(rates);
}

async function benchLocate(): Promise<void> {
  const geo = await loadGeo(GEO_DIR);
  const polygons: { properties: unknown }[] = [
    geo.layers.towns,
    geo.layers.grid,
    geo.layers.property,
    geo.layers.forest,
  ].flatMap((l): { properties: unknown }[] => l.features);
  // Naive: turf.booleanPointInPolygon against every polygon of every layer, the loop the index replaces.
  const few = points(geo, 300, 3, true);
  const t = performance.now();
  let hits = 0;
  for (let i = 0; i < few.length; i += 2) {
    for (const f of polygons) if (turf.booleanPointInPolygon([few[i]!, few[i + 1]!], f as never)) hits++;
  }
  const naiveRate = few.length / 2 / ((performance.now() - t) / 1000);
  const locator = createLocator(geo);
  const locate = (x: number, y: number) => locator.locate(x, y);
  const indexed = rate(locate, points(geo, 1_000_000, 5, true));
  const mixed = rate(locate, points(geo, 1_000_000, 9, false));
  row(
    `locate: naive turf loop over ${polygons.length} polygons`,
    `${Math.round(naiveRate).toLocaleString('en')} points/s`,
    `300 points in the district (${hits} hits)`,
  );
  row(
    'locate: grid arithmetic + Flatbush + exact test',
    `${Math.round(indexed).toLocaleString('en')} points/s`,
    'median of 3 × 1M points in the district',
  );
  row('locate: indexed / naive', `${Math.round(indexed / naiveRate).toLocaleString('en')}×`, 'same points, same run');
  row(
    'locate: indexed, a third of the points outside',
    `${Math.round(mixed).toLocaleString('en')} points/s`,
    'median of 3 × 1M points over the bbox',
  );
}

async function benchEndToEnd(): Promise<void> {
  const { benchIngest } = await import('./ingest');
  const { benchStoreAppend } = await import('./store');
  // Ingest and the raw append it is a share of, alternately, three rounds: on a shared machine one round of
  // either moves a lot; the medians and the share come from the same minutes.
  const rounds: { ingest: Awaited<ReturnType<typeof benchIngest>>; append: number }[] = [];
  for (let i = 0; i < 3; i++) {
    const ingest = await benchIngest({ events: 200_000, batch: 1000, concurrency: 8 });
    rounds.push({ ingest, append: (await benchStoreAppend()).rowsPerSecond });
  }
  const k = (n: number) => `${(n / 1000).toFixed(1)}k`;
  const ingest = median(rounds.map((r) => r.ingest.eventsPerSecond));
  const append = median(rounds.map((r) => r.append));
  const cpu = median(rounds.map((r) => r.ingest.cpuMicrosPerEvent.process));
  const cpuMain = median(rounds.map((r) => r.ingest.cpuMicrosPerEvent.main));
  row(
    'durable ingest, one node: HTTP batches of 1,000 → validate, WGS84, locate, SQLite (WAL, synchronous FULL), fold',
    `${Math.round(ingest).toLocaleString('en')} events/s`,
    `median of ${rounds.map((r) => k(r.ingest.eventsPerSecond)).join(', ')}; ${rounds[0]!.ingest.accepted.toLocaleString('en')} ` +
      `simulated events, 8 concurrent posts from another process; server CPU ${cpu.toFixed(1)} µs/event, its event ` +
      `loop thread ${cpuMain.toFixed(1)} µs`,
  );
  row(
    'raw SQLite append (WAL, synchronous FULL, 1,000-event transactions, one thread)',
    `${Math.round(append).toLocaleString('en')} events/s`,
    `median of ${rounds.map((r) => k(r.append)).join(', ')}; 200,000 ranger positions serialised and appended by the store, each round after an ingest round`,
  );
  row(
    'durable ingest / raw SQLite append, same run',
    `${((100 * ingest) / append).toFixed(0)} %`,
    `the medians above; per round ${rounds.map((r) => `${((100 * r.ingest.eventsPerSecond) / r.append).toFixed(0)} %`).join(', ')}`,
  );
  await benchFoldRow();
}

/** npm run bench -- fold: the fold alone (also the last row of the ingest section), without the ingest rounds. */
async function benchFoldRow(): Promise<void> {
  const { benchFold } = await import('./fold');
  const fold = benchFold(await loadGeo(GEO_DIR));
  row(
    'ingest stage: fold alone (live state, batches of 256)',
    `${fold.eventsPerSecond.toLocaleString('en')} events/s`,
    `${fold.events.toLocaleString('en')} synthetic events, best of 3`,
  );
}

async function benchMemoryRow(): Promise<void> {
  const { benchMemory } = await import('./ingest');
  for (const events of [546_000, 1_000_000]) {
    const r = await benchMemory(events);
    const log = `a ${r.events.toLocaleString('en')}-event log (a simulated week)`;
    row(
      `restart on ${log}, the whole log folded (KEYFRAMES=off): ready / RSS`,
      `${r.startSeconds.toFixed(1)} s / ${Math.round(r.rssMb)} MB`,
      'fresh server process; /readyz polled every 100 ms; RSS from /metrics 2 s after ready',
    );
    row(
      `restart on ${log}, from the keyframe the graceful stop wrote: ready / RSS`,
      `${r.keyframe.startSeconds.toFixed(1)} s / ${Math.round(r.keyframe.rssMb)} MB`,
      `same log, same run; ${(r.startSeconds / r.keyframe.startSeconds).toFixed(1)}× faster to ready`,
    );
  }
}

async function benchFanoutRow(): Promise<void> {
  const { benchFanoutReal } = await import('./fanout');
  const r = await benchFanoutReal({ clients: 1000, eventsPerSec: 2000, durationMs: 20_000 });
  row(
    'fan-out: 1,000 clients, 2,000 events/s (rainstorm mix): event → client latency p50 / p99',
    `${r.latencyP50Ms.toFixed(0)} / ${r.latencyP99Ms.toFixed(0)} ms`,
    `${r.deltasDelivered.toLocaleString('en')} deltas delivered in ${r.durationMs / 1000} s; clients in a child process`,
  );
  row(
    'fan-out: server CPU per delivered delta (flush: diff, encode, write)',
    `${r.serverCpuMicrosPerDelivered.toFixed(1)} µs`,
    `whole server process: ${r.processCpuMicrosPerDelivered.toFixed(0)} µs; client process: ${r.clientCpuMicrosPerDelivered.toFixed(0)} µs`,
  );
  row(
    'wire: bytes per changed aggregate in a delta',
    `${r.bytesPerAggregate.toFixed(1)} B`,
    `frame bytes per delivered delta: ${Math.round(r.bytesPerDelivered).toLocaleString('en')} B`,
  );
}

/** npm run bench -- bundle: the client build's sizes only (the dashboard section prints them too). */
async function benchBundleSection(): Promise<void> {
  const { benchBundleRows } = await import('./dashboard');
  await benchBundleRows(row);
}

/** npm run bench -- geo: the area layers and the tree on the wire, bytes and decode time, before and after. */
async function benchGeoWireSection(): Promise<void> {
  const { benchGeoWireRows } = await import('./geo-wire');
  await benchGeoWireRows(row);
}

async function benchDashboardSection(): Promise<void> {
  const { benchDashboardRows } = await import('./dashboard');
  await benchDashboardRows(row);
}

/** npm run bench -- wall [--minutes 5 --speed 10 --tour-seconds 5 --scenario rainstorm --renderer llvmpipe] */
async function benchWallSection(): Promise<void> {
  const { benchWallRows } = await import('./wall');
  await benchWallRows(row, process.argv.slice(3));
}

/** npm run bench -- cluster [--minutes 10 --clients 1000 --rate 2000]: needs NATS and PostgreSQL on 127.0.0.1. */
async function benchClusterSection(explicit: boolean): Promise<void> {
  const { natsAvailable } = await import('../helpers/nats');
  const { POSTGRES_PROBLEM, TEST_DATABASE_URL } = await import('../helpers/store');
  const missing = !(await natsAvailable())
    ? 'NATS does not answer'
    : POSTGRES_PROBLEM !== undefined
      ? `PostgreSQL at ${TEST_DATABASE_URL}: ${POSTGRES_PROBLEM}`
      : '';
  if (missing) {
    // Asked for by name it is an error; in the full run the other sections' figures still count.
    if (explicit) throw new Error(`cluster bench: ${missing}`);
    row('cluster: skipped', '—', missing);
    return;
  }
  const { benchClusterRows } = await import('./cluster');
  await benchClusterRows(row, explicit ? process.argv.slice(3) : []);
}

/** npm run bench -- storm [--sockets 1000 --tickets 5000 --principals 1,20,1000 --cache 0,5]: not in the full run. */
async function benchStormSection(): Promise<void> {
  const { POSTGRES_PROBLEM, TEST_DATABASE_URL } = await import('../helpers/store');
  const { natsAvailable } = await import('../helpers/nats');
  if (POSTGRES_PROBLEM !== undefined)
    throw new Error(`storm bench: PostgreSQL at ${TEST_DATABASE_URL}: ${POSTGRES_PROBLEM}`);
  if (!(await natsAvailable())) throw new Error('storm bench: NATS does not answer');
  const { benchStormRows } = await import('./storm');
  await benchStormRows(row, process.argv.slice(3));
}

/** npm run bench -- replay: history mode's start time over a simulated day (and a week) of events. */
async function benchReplaySection(): Promise<void> {
  const { benchReplayRows } = await import('./replay');
  await benchReplayRows(row);
}

/** npm run bench -- retention: the fold's heap over 10 simulated minutes closing 1,600 tickets a second. */
async function benchRetentionSection(geo: Geo): Promise<void> {
  const { benchRetention } = await import('./retention');
  for (const [label, max] of [
    ['with the count limit (default, 100,000 closed tickets)', undefined],
    ['without it (the 7-day limit only)', Number.MAX_SAFE_INTEGER],
  ] as const) {
    const r = benchRetention(geo, max);
    row(
      `retention: heap of the fold, 1,600 tickets created and closed a second, ${label}: minute 2 → minute 10`,
      `${r.firstMb.toFixed(0)} → ${r.lastMb.toFixed(0)} MB (${((r.lastMb / r.firstMb - 1) * 100).toFixed(0)} %)`,
      `${r.tickets.toLocaleString('en')} tickets in 10 simulated minutes, folded in ${r.seconds.toFixed(1)} s; heap after a full GC each simulated minute`,
    );
  }
}

/** npm run bench -- soak [--minutes 10 --rate 2000]: one node's RSS over a long steady load. */
async function benchSoakSection(geo: Geo): Promise<void> {
  const { benchSoak } = await import('./soak');
  const arg = (name: string, fallback: number) => {
    const i = process.argv.indexOf(`--${name}`);
    return i > 0 ? Number(process.argv[i + 1]) : fallback;
  };
  const minutes = arg('minutes', 10);
  const rate = arg('rate', 2000);
  const r = await benchSoak(geo, { minutes, rate });
  // From minute 6 on: at 2,000 events/s the first minutes fill the count bounds (100,000 closed tickets in the
  // live state by about minute 4, 150,000 closed Open311 requests by about minute 5); what grows after that grows
  // with the events taken.
  const from = r.samples.find(([s]) => s >= 360) ?? r.samples[0]!;
  const last = r.samples[r.samples.length - 1]!;
  const after = r.samples.filter(([s]) => s >= from[0]).map(([, mb]) => mb);
  row(
    `soak: server RSS over ${minutes} min at ${rate.toLocaleString('en')} events/s offered, one node (SQLite, keyframes on), a steady state (tickets closed a minute after they open): minute ${Math.round(from[0] / 60)} → the end`,
    `${from[1].toFixed(0)} → ${last[1].toFixed(0)} MB (${((last[1] / from[1] - 1) * 100).toFixed(1)} %; ${Math.min(...after).toFixed(0)}–${Math.max(...after).toFixed(0)} MB along the way)`,
    `${r.accepted.toLocaleString('en')} of ${r.sent.toLocaleString('en')} events accepted (${(r.accepted / r.seconds).toFixed(0)}/s); samples every 30 s (s: RSS/heap MB): ${r.samples.map(([s, mb, heap]) => `${s}:${mb.toFixed(0)}/${heap.toFixed(0)}`).join(' ')}`,
  );
}

async function main(): Promise<void> {
  console.log(
    `machine: ${cpus().length} × ${cpus()[0]?.model ?? '?'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`,
  );
  console.log('benchmark | figure | how');
  await benchGeoLoad();
  await benchLocate();
  benchValidate();
  const only = process.argv[2];
  if (!only || only === 'ingest') await benchEndToEnd();
  if (only === 'fold') await benchFoldRow();
  if (!only || only === 'fanout') await benchFanoutRow();
  if (!only || only === 'memory') await benchMemoryRow();
  if (only === 'bundle') await benchBundleSection();
  if (!only || only === 'geo') await benchGeoWireSection();
  if (!only || only === 'dashboard') await benchDashboardSection();
  if (!only || only === 'wall') await benchWallSection();
  if (!only || only === 'cluster') await benchClusterSection(only === 'cluster');
  if (only === 'storm') await benchStormSection();
  if (only === 'soak') await benchSoakSection(await loadGeo(GEO_DIR));
  if (!only || only === 'replay') await benchReplaySection();
  if (!only || only === 'retention') await benchRetentionSection(await loadGeo(GEO_DIR));
}

await main();
