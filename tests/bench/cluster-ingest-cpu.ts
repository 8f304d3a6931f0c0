// Node CPU per ingested event with BUS=nats STORE=postgres: one `server/main.ts` process on a fresh stream and
// schema, 8 posters of 500-event batches (the cluster bench's mix) for `--seconds`, then the wait until the node
// has folded and archived everything. CPU time, not wall time: robust to a machine shared with others.
// With `--profile DIR` the node runs under `--cpu-prof` and the hottest functions (self time) are listed.
// `node --import tsx tests/bench/cluster-ingest-cpu.ts [--seconds 20] [--batch 500] [--posters 8] [--profile DIR]`
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadGeo } from '../../server/geo/load';
import { GEO_DIR } from '../helpers/paths';
import { loginOverHttp } from '../helpers/login';
import {
  asFastAsPossible,
  commandCpu,
  cpuSeconds,
  EventMaker,
  places,
  Resources,
  sleep,
  startCluster,
} from './cluster';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '20' },
    batch: { type: 'string', default: '500' },
    posters: { type: 'string', default: '8' },
    profile: { type: 'string' },
  },
});

// Preloaded into the node (NODE_OPTIONS=--require …, where --cpu-prof is not allowed): the first SIGUSR2 starts a
// CPU profile, the second writes it to CPU_PROFILE_FILE, so that the profile covers the measured window only.
const PROFILE_ON_SIGNAL = `const { Session } = require('node:inspector');
const { writeFileSync } = require('node:fs');
const session = new Session();
session.connect();
let running = false;
process.on('SIGUSR2', () => {
  if (!running) {
    running = true;
    session.post('Profiler.enable', () =>
      session.post('Profiler.setSamplingInterval', { interval: 200 }, () => session.post('Profiler.start')),
    );
    return;
  }
  running = false;
  session.post('Profiler.stop', (error, result) => {
    if (!error) writeFileSync(process.env.CPU_PROFILE_FILE, JSON.stringify(result.profile));
  });
});
`;

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

async function metric(base: string, name: string): Promise<number> {
  const text = await (await fetch(`${base}/metrics`)).text();
  return Number(new RegExp(`^opsmap_${name}(?:\\{[^}]*\\})? ([0-9.e+-]+)$`, 'm').exec(text)?.[1] ?? NaN);
}

function summarise(dir: string): void {
  const file = readdirSync(dir)
    .filter((f) => f.endsWith('.cpuprofile'))
    .map((f) => path.join(dir, f))
    .sort()
    .pop();
  if (!file) return console.log(`no .cpuprofile in ${dir}`);
  const p = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const self = new Map<string, number>();
  let total = 0;
  p.samples.forEach((id, i) => {
    const n = byId.get(id)!;
    const dt = p.timeDeltas[i] ?? 0;
    total += dt;
    const url = n.callFrame.url.replace(/^.*node_modules\//, '').replace(/^file:\/\/.*?\/(server|tests)\//, '$1/');
    const k = `${n.callFrame.functionName || '(anon)'} ${url}:${n.callFrame.lineNumber + 1}`;
    self.set(k, (self.get(k) ?? 0) + dt);
  });
  console.log(`profile ${file}: ${(total / 1e6).toFixed(1)} s sampled`);
  for (const [k, v] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 45))
    console.log(`${((100 * v) / total).toFixed(1).padStart(5)} %  ${k}`);
}

async function main(): Promise<void> {
  const seconds = Number(values.seconds);
  const p = places(await loadGeo(GEO_DIR));
  const res = new Resources();
  const profileFile = values.profile ? path.join(values.profile, `node-${Date.now()}.cpuprofile`) : undefined;
  if (profileFile) {
    mkdirSync(values.profile!, { recursive: true });
    const preload = path.join(values.profile!, 'profile-on-signal.cjs');
    writeFileSync(preload, PROFILE_ON_SIGNAL);
    process.env.NODE_OPTIONS = `--require ${preload}`;
    process.env.CPU_PROFILE_FILE = profileFile;
  }
  try {
    const { nodes } = await startCluster(res, 1);
    delete process.env.NODE_OPTIONS;
    const node = nodes[0]!;
    const headers = await loginOverHttp(node.base);
    const maker = new EventMaker(p, `P${Date.now().toString(36)}`);
    // A short warm-up: the JIT and the first consumers, out of the figure.
    await asFastAsPossible([node.base], headers, maker, { seconds: 3, batch: Number(values.batch), concurrency: 2 });
    await sleep(1000);
    const pg = commandCpu('postgres');
    const nats = commandCpu('nats-server', '4222');
    const pid = node.child.pid!;
    const n0 = cpuSeconds(pid);
    const pg0 = pg();
    const nats0 = nats();
    const load0 = loadavg()[0]!;
    const t0 = performance.now();
    if (profileFile) node.child.kill('SIGUSR2');
    const run = await asFastAsPossible([node.base], headers, maker, {
      seconds,
      batch: Number(values.batch),
      concurrency: Number(values.posters),
    });
    const nPost = cpuSeconds(pid);
    // Folded and archived: the node's work for these events is done.
    const head = await metric(node.base, 'log_last_seq');
    for (let i = 0; i < 600; i++) {
      if ((await metric(node.base, 'archive_last_seq')) >= head) break;
      await sleep(100);
    }
    const wall = (performance.now() - t0) / 1000;
    const n1 = cpuSeconds(pid);
    if (profileFile) {
      node.child.kill('SIGUSR2');
      for (let i = 0; i < 100 && !existsSync(profileFile); i++) await sleep(100);
    }
    const s = run.stats;
    const perEvent = (cpu: number) => `${((cpu / s.accepted) * 1e6).toFixed(1)} µs`;
    console.log(
      `accepted ${s.accepted} in ${run.seconds.toFixed(1)} s (${Math.round(s.accepted / run.seconds)} events/s), ` +
        `${s.failed} failed${s.firstFailure ? ` (${s.firstFailure})` : ''}, ${s.rejected} rejected, ${s.duplicates} duplicates; ` +
        `ack p50 / p99 ${s.ack.quantile(0.5).toFixed(0)} / ${s.ack.quantile(0.99).toFixed(0)} ms`,
    );
    console.log(
      `node CPU per event: ${perEvent(n1 - n0)} (during posting ${perEvent(nPost - n0)}; ${((n1 - n0) / wall).toFixed(2)} cores over ${wall.toFixed(1)} s incl. archive catch-up); ` +
        `postgres ${perEvent(pg() - pg0)}, nats ${perEvent(nats() - nats0)}; load average ${load0.toFixed(1)} → ${loadavg()[0]!.toFixed(1)}`,
    );
  } finally {
    await res.release();
  }
  if (values.profile) summarise(values.profile);
}

await main();
