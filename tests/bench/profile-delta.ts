// A CPU profile of the delta harness (tests/bench/page): where one applied delta's main-thread time goes.
// `node --import tsx tests/bench/profile-delta.ts [--renderer llvmpipe] [--deltas 100] [--harness DIR]`
// builds the harness (or takes a built one), runs it under the V8 sampling profiler from the first measured
// delta on, and prints the samples' time by step (the harness's timed calls) and by function (self time).
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';
import { NAME_SHIM, CHROMIUM_PATH } from '../helpers/browser';
import { PROJECT_ROOT } from '../../server/config';
import { median, RENDERERS, type RendererName } from './dashboard';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const { values } = parseArgs({
  options: {
    renderer: { type: 'string', default: 'llvmpipe' },
    deltas: { type: 'string', default: '100' },
    harness: { type: 'string' },
    out: { type: 'string' },
    tickets: { type: 'string', default: 'points' },
  },
});

// --harness DIR: built there once and reused by later runs (a second worktree's build, for before/after).
const own = !values.harness;
const dir = values.harness ?? mkdtempSync(path.join(tmpdir(), 'opsmap-profile-delta-'));
if (own || !existsSync(path.join(dir, 'index.html'))) {
  // Not minified, so that the profile names deck.gl's and the client's functions.
  const { build } = await import('vite');
  await build({
    configFile: path.join(PROJECT_ROOT, 'tests/bench/page/vite.config.ts'),
    root: path.join(PROJECT_ROOT, 'tests/bench/page'),
    logLevel: 'error',
    build: { outDir: dir, emptyOutDir: true, minify: false },
  });
}
const server = createServer((req, res) => {
  const rel = (req.url ?? '/').split('?')[0]!.replace(/^\/+/, '') || 'index.html';
  const file = path.join(dir, rel);
  if (!statSync(file, { throwIfNoEntry: false })?.isFile()) return void res.writeHead(404).end();
  res
    .writeHead(200, { 'content-type': file.endsWith('.html') ? 'text/html' : 'text/javascript' })
    .end(readFileSync(file));
});
await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
const port = (server.address() as { port: number }).port;
const browser = await chromium.launch({
  executablePath: CHROMIUM_PATH,
  args: [...RENDERERS[values.renderer as RendererName]],
});
try {
  const page = await browser.newPage({ viewport: { width: 1600, height: 900 }, deviceScaleFactor: 1 });
  await page.addInitScript(NAME_SHIM);
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.setSamplingInterval', { interval: 100 });
  await page.exposeFunction('__benchMeasuring', () => cdp.send('Profiler.start'));
  await page.goto(`http://127.0.0.1:${port}/`);
  await page.waitForSelector('body[data-ready="true"]', { state: 'attached' });
  const deltas = Number(values.deltas);
  const run = await page.evaluate((o) => window.__bench.run(o), {
    tickets: values.tickets as 'points' | 'heatmap',
    warmup: 10,
    deltas,
    intervalMs: 150,
    layerTimes: true,
  });
  const { profile } = (await cdp.send('Profiler.stop')) as unknown as { profile: Profile };
  if (values.out) writeFileSync(values.out, JSON.stringify(profile));
  const col = (k: keyof (typeof run.timings)[number]) => median(run.timings.map((t) => t[k]));
  console.log(
    `${run.renderer}: ${run.timings.length} deltas; median total ${col('total').toFixed(2)} ms, sync ${col('sync').toFixed(2)} (apply ${col('apply').toFixed(2)}, publish ${col('publish').toFixed(2)}, build ${col('build').toFixed(2)}, setProps ${col('setProps').toFixed(2)}, redraw ${col('redraw').toFixed(2)}), loop frames ${col('loopFrames').toFixed(2)}`,
  );

  const perLayer = Object.entries(run.layers ?? {}).sort((a, b) => b[1].draw + b[1].update - a[1].draw - a[1].update);
  console.log('deck.gl per layer, ms per delta (update / draw; sublayers also count in their parent):');
  for (const [id, t] of perLayer)
    console.log(
      `  ${(t.update / run.timings.length).toFixed(3).padStart(7)} / ${(t.draw / run.timings.length).toFixed(3).padStart(7)}  ${id}`,
    );
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  // The harness's steps, outermost first: a sample counts to the first of these on its stack.
  const STEPS = ['applyDelta', 'publish', 'build', 'setProps', 'redraw', '_onRenderFrame', 'encodeDelta', 'nextDelta'];
  const steps = new Map<string, number>();
  const self = new Map<string, number>();
  const inclusive = new Map<string, number>();
  let busy = 0;
  const n = run.timings.length;
  profile.samples.forEach((id, i) => {
    const dt = (profile.timeDeltas[i + 1] ?? 0) / 1000;
    const node = byId.get(id)!;
    const name = node.callFrame.functionName || '(anonymous)';
    if (name === '(idle)') return;
    busy += dt;
    const where = `${name} ${node.callFrame.url.split('/').pop()}:${node.callFrame.lineNumber}`;
    self.set(where, (self.get(where) ?? 0) + dt);
    let step = 'other';
    for (let k: number | undefined = id; k !== undefined; k = parent.get(k)) {
      const f = byId.get(k)!.callFrame.functionName;
      if (STEPS.includes(f)) step = f;
    }
    steps.set(step, (steps.get(step) ?? 0) + dt);
    const seen = new Set<string>();
    for (let k: number | undefined = id; k !== undefined; k = parent.get(k)) {
      const f = byId.get(k)!.callFrame.functionName || '(anonymous)';
      if (seen.has(f)) continue;
      seen.add(f);
      inclusive.set(f, (inclusive.get(f) ?? 0) + dt);
    }
  });
  console.log(`busy main thread: ${(busy / n).toFixed(2)} ms per delta (${n} deltas)`);
  const top = (m: Map<string, number>, k: number) =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, k)
      .map(([f, ms]) => `  ${(ms / n).toFixed(3).padStart(7)} ms  ${f}`)
      .join('\n');
  console.log('by step (outermost on the stack):\n' + top(steps, 20));
  console.log('self time per delta:\n' + top(self, 45));
  console.log('inclusive per delta:\n' + top(inclusive, 70));
} finally {
  await browser.close();
  server.close();
  if (own) rmSync(dir, { recursive: true, force: true });
}
