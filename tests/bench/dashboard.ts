// Browser figures of the dashboard (npm run bench -- dashboard, or `node --import tsx tests/bench/dashboard.ts`):
// time to the first full render of the embedded demo, main-thread ms per applied delta at full size, heap
// growth over an accelerated run, and the gzipped client bundle. All in Debian's headless Chromium with
// software WebGL: the tests' SwiftShader flags, and Mesa llvmpipe where it is cheap to compare.
import { createServer, type Server } from 'node:http';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { chromium, type Browser } from 'playwright-core';
import { loadConfig, PROJECT_ROOT } from '../../server/config';
import { startServer } from '../../server/main';
import type { App } from '../../server/app';
import { signIn } from '../helpers/browser-session';
import { CHROMIUM_ARGS, CHROMIUM_PATH, NAME_SHIM } from '../helpers/browser';
import type { DeltaTiming, RunOptions, RunResult } from './page/main';

/** Mesa llvmpipe through ANGLE's EGL backend: the same software rendering, about 5× faster than SwiftShader. */
export const LLVMPIPE_ARGS = [
  ...CHROMIUM_ARGS.filter(
    (a) => a !== '--disable-gpu' && a !== '--use-angle=swiftshader' && a !== '--enable-unsafe-swiftshader',
  ),
  '--use-angle=gl-egl',
];
export const RENDERERS = { swiftshader: CHROMIUM_ARGS, llvmpipe: LLVMPIPE_ARGS } as const;
export type RendererName = keyof typeof RENDERERS;

const VIEWPORT = { width: 1600, height: 900 };

export const median = (xs: readonly number[]): number => quantile(xs, 0.5);
export function quantile(xs: readonly number[], q: number): number {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
}

const launch = (renderer: RendererName): Promise<Browser> =>
  chromium.launch({ executablePath: CHROMIUM_PATH, args: [...RENDERERS[renderer]] });

// ---- builds, each into its own temporary folder (dist/client belongs to the product and the tests) ----

async function viteBuild(configFile: string, root: string, outDir: string): Promise<void> {
  const { build } = await import('vite');
  await build({ configFile, root, logLevel: 'error', build: { outDir, emptyOutDir: true } });
}

/** The product client, built with vite.config.ts exactly as `npx vite build` does, but into `outDir`. */
export const buildClientInto = (outDir: string): Promise<void> =>
  viteBuild(path.join(PROJECT_ROOT, 'vite.config.ts'), path.join(PROJECT_ROOT, 'client'), outDir);

/** The delta harness page (tests/bench/page). */
export const buildHarnessInto = (outDir: string): Promise<void> =>
  viteBuild(
    path.join(PROJECT_ROOT, 'tests/bench/page/vite.config.ts'),
    path.join(PROJECT_ROOT, 'tests/bench/page'),
    outDir,
  );

const TYPES: Record<string, string> = {
  '.html': 'text/html',
  '.js': 'text/javascript',
  '.mjs': 'text/javascript',
  '.css': 'text/css',
};

/** A static file server for a built folder on 127.0.0.1 (module scripts do not load from file://). */
async function serveFolder(dir: string): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    const rel = decodeURIComponent((req.url ?? '/').split('?')[0]!).replace(/^\/+/, '') || 'index.html';
    const file = path.join(dir, rel);
    if (!file.startsWith(dir) || !statSync(file, { throwIfNoEntry: false })?.isFile()) {
      res.writeHead(404).end();
      return;
    }
    res
      .writeHead(200, { 'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream' })
      .end(readFileSync(file));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('no port');
  return { url: `http://127.0.0.1:${address.port}/`, server };
}

// ---- the product server ----

export interface ProductServer {
  url: string;
  app: App;
  close(): Promise<void>;
}

/**
 * The embedded product as `npm start` runs it (simulator on, a day of backfill by default), on an in-memory
 * log, serving the client from `clientDir`. Resolves once the simulator's backfill is in.
 */
export async function startProduct(clientDir: string, env: Record<string, string> = {}): Promise<ProductServer> {
  const config = loadConfig({
    STORE: 'memory',
    ...env,
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'silent',
    NODE_ENV: 'production',
  });
  const { app, url } = await startServer(config, { clientDir });
  for (let i = 0; i < 600 && !app.services.simulator; i++) await new Promise((r) => setTimeout(r, 50));
  await app.services.simulator?.ready;
  return { url, app, close: () => app.close() };
}

// ---- 1. time to the first full render ----

/**
 * The page's own clock (ms from navigation start), checked every animation frame: when the map is ready,
 * when deck.gl has drawn the live values, when the KPI bar has data, and the first frame with all three.
 */
export const FULL_RENDER_PROBE = `
(() => {
  const marks = {};
  const mark = (name, ok) => { if (ok && marks[name] === undefined) marks[name] = performance.now(); };
  const check = () => {
    const map = document.querySelector('.map-canvas');
    const kpi = document.querySelector('.kpi-bar');
    const ready = !!map && map.getAttribute('data-map-state') === 'ready';
    const drawn = !!map && !!map.dataset.pendingVersion && map.dataset.deckVersion === map.dataset.pendingVersion;
    const data = !!kpi && Number(kpi.getAttribute('data-seq')) > 0;
    mark('mapReady', ready);
    mark('kpiData', data);
    mark('deckDrawn', drawn);
    if (ready && drawn && data) { marks.full = performance.now(); window.__fullRender = marks; return; }
    requestAnimationFrame(check);
  };
  requestAnimationFrame(check);
})();`;

interface RenderMarks {
  mapReady: number;
  kpiData: number;
  deckDrawn: number;
  full: number;
  domContentLoaded: number;
  load: number;
}

export interface FirstRenderResult {
  loadsMs: number[];
  medianMs: number;
  /** Median of each mark over the counted loads. */
  marks: RenderMarks;
  backfillHours: number;
}

export async function benchFirstRender(
  renderer: RendererName,
  clientDir: string,
  loads = 5,
  backfillHours = 24,
): Promise<FirstRenderResult> {
  const server = await startProduct(clientDir, { SIM_BACKFILL_HOURS: String(backfillHours) });
  const browser = await launch(renderer);
  const loadsMs: number[] = [];
  const marks: RenderMarks[] = [];
  try {
    // One load first, not counted: the server's and the OS's caches are warm for every counted load.
    for (let i = 0; i <= loads; i++) {
      const context = await browser.newContext({
        viewport: VIEWPORT,
        deviceScaleFactor: 1,
        locale: 'zh-CN',
        timezoneId: 'Asia/Shanghai',
      });
      // Logged in as a district duty officer before the first page opens: the dashboard needs a session.
      await signIn(context, server.app, new URL(server.url).origin);
      await context.addInitScript(NAME_SHIM);
      await context.addInitScript(FULL_RENDER_PROBE);
      const page = await context.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      await page.goto(server.url, { waitUntil: 'commit' });
      await page.waitForFunction(() => 'full' in ((window as { __fullRender?: object }).__fullRender ?? {}), null, {
        timeout: 120_000,
        polling: 100,
      });
      const m = await page.evaluate(() => {
        const nav = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming | undefined;
        const probe = (window as { __fullRender?: Record<string, number> }).__fullRender ?? {};
        return {
          ...probe,
          domContentLoaded: nav?.domContentLoadedEventEnd ?? NaN,
          load: nav?.loadEventEnd ?? NaN,
        } as RenderMarks;
      });
      if (errors.length > 0) throw new Error(`page errors: ${errors.join('; ')}`);
      if (i > 0) {
        loadsMs.push(m.full);
        marks.push(m);
      }
      await context.close();
    }
  } finally {
    await browser.close();
    await server.close();
  }
  const markMedian = (k: keyof RenderMarks) => median(marks.map((m) => m[k]));
  return {
    loadsMs,
    medianMs: median(loadsMs),
    marks: {
      mapReady: markMedian('mapReady'),
      kpiData: markMedian('kpiData'),
      deckDrawn: markMedian('deckDrawn'),
      full: markMedian('full'),
      domContentLoaded: markMedian('domContentLoaded'),
      load: markMedian('load'),
    },
    backfillHours,
  };
}

// ---- 2. main-thread ms per applied delta ----

export interface DeltaResult {
  run: RunResult;
  totalMedian: number;
  totalP95: number;
  totalMax: number;
  syncMedian: number;
  syncP95: number;
  withFrameMedian: number;
  withFrameP95: number;
  parts: Record<keyof Omit<DeltaTiming, 'loopFrameCount' | 'wireBytes'>, number>;
  loopFramesPerDelta: number;
  wireBytesMedian: number;
}

export async function benchDeltas(
  renderer: RendererName,
  harnessDir: string,
  options: RunOptions,
): Promise<DeltaResult> {
  const { url, server } = await serveFolder(harnessDir);
  const browser = await launch(renderer);
  try {
    const context = await browser.newContext({ viewport: VIEWPORT, deviceScaleFactor: 1 });
    await context.addInitScript(NAME_SHIM);
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(url);
    await page.waitForSelector('body[data-ready="true"]', { state: 'attached', timeout: 60_000 });
    const run = await page.evaluate((o) => window.__bench.run(o), options);
    if (errors.length > 0) throw new Error(`page errors: ${errors.join('; ')}`);
    const col = (k: keyof DeltaTiming) => run.timings.map((t) => t[k]);
    return {
      run,
      totalMedian: median(col('total')),
      totalP95: quantile(col('total'), 0.95),
      totalMax: Math.max(...col('total')),
      syncMedian: median(col('sync')),
      syncP95: quantile(col('sync'), 0.95),
      withFrameMedian: median(col('withFrame')),
      withFrameP95: quantile(col('withFrame'), 0.95),
      parts: {
        apply: median(col('apply')),
        publish: median(col('publish')),
        build: median(col('build')),
        setProps: median(col('setProps')),
        redraw: median(col('redraw')),
        sync: median(col('sync')),
        loopFrames: median(col('loopFrames')),
        total: median(col('total')),
        frame: median(col('frame')),
        withFrame: median(col('withFrame')),
      },
      loopFramesPerDelta: median(col('loopFrameCount')),
      wireBytesMedian: median(col('wireBytes')),
    };
  } finally {
    await browser.close();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

// ---- 3. heap growth over an accelerated run ----

export interface HeapResult {
  speed: number;
  simMinutes: number;
  realSeconds: number;
  startMb: number;
  endMb: number;
  growthPct: number;
  scenario: string;
  /** Samples (simulated minute, MB after a GC) along the run. */
  samples: [number, number][];
  deltasSeen: number;
  domNodesStart: number;
  domNodesEnd: number;
  /** The district's open tickets (KPI bar) at the start and the end: how much the live state itself grew. */
  openStart: number;
  openEnd: number;
}

export async function benchHeap(
  renderer: RendererName,
  clientDir: string,
  simMinutes: number,
  speed: number,
  scenario = 'rainstorm',
  warmupSimMinutes = 2,
): Promise<HeapResult> {
  const server = await startProduct(clientDir, {
    SIM_BACKFILL_HOURS: '24',
    SIM_SPEED: String(speed),
    SIM_SCENARIO: scenario,
  });
  const browser = await launch(renderer);
  try {
    const context = await browser.newContext({
      viewport: VIEWPORT,
      deviceScaleFactor: 1,
      locale: 'zh-CN',
      timezoneId: 'Asia/Shanghai',
    });
    await signIn(context, server.app, new URL(server.url).origin);
    await context.addInitScript(NAME_SHIM);
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(server.url, { waitUntil: 'load' });
    await page.waitForFunction(() => Number(document.querySelector('.kpi-bar')?.getAttribute('data-seq')) > 0, null, {
      timeout: 120_000,
    });
    const cdp = await context.newCDPSession(page);
    await cdp.send('Performance.enable');
    const seqOf = () => page.evaluate(() => Number(document.querySelector('.kpi-bar')?.getAttribute('data-seq')));
    const openOf = () =>
      page.evaluate(() => Number(document.querySelector('[data-kpi="open"] .kpi-value')?.textContent ?? NaN));
    const measure = async () => {
      // Twice: a first collection can leave garbage that only the second finds (weak maps, finalizers).
      await cdp.send('HeapProfiler.collectGarbage');
      await cdp.send('HeapProfiler.collectGarbage');
      const usage = await cdp.send('Runtime.getHeapUsage');
      const metrics = await cdp.send('Performance.getMetrics');
      const nodes = metrics.metrics.find((m) => m.name === 'Nodes')?.value ?? NaN;
      return { mb: usage.usedSize / 2 ** 20, nodes };
    };
    const realMsPerSimMinute = 60_000 / speed;
    await page.waitForTimeout(warmupSimMinutes * realMsPerSimMinute);
    const start = await measure();
    const seqStart = await seqOf();
    const openStart = await openOf();
    const samples: [number, number][] = [[0, start.mb]];
    const t0 = Date.now();
    const step = Math.max(1, Math.round(simMinutes / 6));
    let end = start;
    for (let m = Math.min(step, simMinutes); ; m = Math.min(m + step, simMinutes)) {
      await page.waitForTimeout(Math.max(0, t0 + m * realMsPerSimMinute - Date.now()));
      end = await measure();
      samples.push([m, end.mb]);
      if (m >= simMinutes) break;
    }
    const seqEnd = await seqOf();
    const openEnd = await openOf();
    if (errors.length > 0) throw new Error(`page errors: ${errors.join('; ')}`);
    return {
      speed,
      scenario,
      simMinutes,
      realSeconds: (Date.now() - t0) / 1000,
      startMb: start.mb,
      endMb: end.mb,
      growthPct: ((end.mb - start.mb) / start.mb) * 100,
      samples,
      deltasSeen: seqEnd - seqStart,
      domNodesStart: start.nodes,
      domNodesEnd: end.nodes,
      openStart,
      openEnd,
    };
  } finally {
    await browser.close();
    await server.close();
  }
}

// ---- 4. gzipped bundle ----

export interface BundleResult {
  files: { name: string; bytes: number; gzip: number }[];
  totalBytes: number;
  totalGzip: number;
  /** What the page loads at start: index.html, its scripts and styles (not the MapLibre worker). */
  initialGzip: number;
  /** The start bundle's files (index.html and what it names). */
  initial: string[];
  /**
   * Each lazily loaded screen (client/Root.tsx): its chunk and the chunks and styles Vite loads with it, over
   * the start bundle; and the start bundle plus those. What a screen loads later (the first chart's ECharts, the
   * MapLibre worker, history mode's replay) is not counted.
   */
  screens: { name: string; files: string[]; addedGzip: number; withStartGzip: number }[];
}

export function measureBundle(dir: string): BundleResult {
  const files: BundleResult['files'] = [];
  const walk = (d: string) => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, entry.name);
      if (entry.isDirectory()) walk(p);
      else {
        const data = readFileSync(p);
        files.push({ name: path.relative(dir, p), bytes: data.length, gzip: gzipSync(data, { level: 9 }).length });
      }
    }
  };
  walk(dir);
  files.sort((a, b) => b.gzip - a.gzip);
  const sum = (xs: typeof files, k: 'bytes' | 'gzip') => xs.reduce((s, f) => s + f[k], 0);
  const html = readFileSync(path.join(dir, 'index.html'), 'utf8');
  const initial = files.filter((f) => f.name === 'index.html' || html.includes(f.name));
  const gzipOf = new Map(files.map((f) => [f.name, f.gzip]));
  const start = new Set(initial.map((f) => f.name));
  // The entry's lazy screens: `import(`./App-….js`)…__vite__mapDeps([4,5,…])`, the indices naming the files
  // Vite loads with the chunk (itself included) in the list at the top of the entry.
  const screens: BundleResult['screens'] = [];
  const entry = initial.find((f) => /^assets\/index-.*\.js$/.test(f.name));
  if (entry) {
    const code = readFileSync(path.join(dir, entry.name), 'utf8');
    const deps = JSON.parse(/m\.f=(\[[^\]]*\])/.exec(code)?.[1] ?? '[]') as string[];
    for (const m of code.matchAll(/import\(`\.\/([^`]+)`\)[^;]*?__vite__mapDeps\(\[([\d,]+)\]\)/g)) {
      const own = m[2]!.split(',').map((i) => deps[Number(i)]!);
      const added = own.filter((f) => !start.has(f));
      const addedGzip = added.reduce((t, f) => t + (gzipOf.get(f) ?? 0), 0);
      screens.push({
        name: m[1]!.replace(/-[\w-]{8}\.js$/, ''),
        files: added,
        addedGzip,
        withStartGzip: sum(initial, 'gzip') + addedGzip,
      });
    }
  }
  return {
    files,
    totalBytes: sum(files, 'bytes'),
    totalGzip: sum(files, 'gzip'),
    initialGzip: sum(initial, 'gzip'),
    initial: [...start],
    screens,
  };
}

/** The bundle's rows of npm run bench: the whole build, the start bundle, and each screen with what it loads. */
export function bundleRows(row: Row, b: BundleResult): void {
  const largest = b.files
    .slice(0, 3)
    .map((f) => `${f.name.replace(/^assets\//, '')} ${kb(f.gzip)}`)
    .join(', ');
  row(
    'bundle: client build, gzip -9 (node:zlib)',
    `${kb(b.totalGzip)} (start bundle ${kb(b.initialGzip)})`,
    `raw ${kb(b.totalBytes)}; largest: ${largest}`,
  );
  const name = (f: string) => f.replace(/^assets\//, '').replace(/-[\w-]{8}\.(js|css)$/, '.$1');
  row(
    'bundle: start bundle (index.html, its scripts and styles), gzip',
    kb(b.initialGzip),
    `goal ≤ 450 KB; ${b.initial.map(name).join(', ')}`,
  );
  for (const s of b.screens) {
    row(
      `bundle: screen ${s.name}, start bundle + what it loads with it, gzip`,
      kb(s.withStartGzip),
      `+${kb(s.addedGzip)}: ${s.files.map(name).join(', ')}`,
    );
  }
}

// ---- the section of npm run bench ----

const kb = (b: number) => `${(b / 1024).toFixed(0)} KB`;
const ms = (x: number) => `${x.toFixed(x < 10 ? 2 : 0)} ms`;

type Row = (...cells: (string | number)[]) => void;

/** npm run bench -- bundle: the build's rows alone (a build, no browser; seconds). */
export async function benchBundleRows(row: Row): Promise<void> {
  const work = mkdtempSync(path.join(tmpdir(), 'opsmap-bench-bundle-'));
  try {
    await buildClientInto(work);
    bundleRows(row, measureBundle(work));
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/**
 * Env: BENCH_DASHBOARD_RENDERERS (swiftshader,llvmpipe), BENCH_HEAP_SIM_MINUTES (30), BENCH_HEAP_SPEED (10),
 * BENCH_SWIFTSHADER_DELTAS (10), BENCH_HEAP_SCENARIO (rainstorm), BENCH_DASHBOARD_ONLY (bundle,render,deltas,heap).
 */
export async function benchDashboardRows(row: Row): Promise<void> {
  const renderers = (process.env.BENCH_DASHBOARD_RENDERERS ?? 'swiftshader,llvmpipe')
    .split(',')
    .map((r) => r.trim()) as RendererName[];
  for (const r of renderers) if (!(r in RENDERERS)) throw new Error(`BENCH_DASHBOARD_RENDERERS: unknown renderer ${r}`);
  const simMinutes = Number(process.env.BENCH_HEAP_SIM_MINUTES ?? 30);
  const speed = Number(process.env.BENCH_HEAP_SPEED ?? 10);
  const swiftshaderDeltas = Number(process.env.BENCH_SWIFTSHADER_DELTAS ?? 10);
  const heapScenario = process.env.BENCH_HEAP_SCENARIO ?? 'rainstorm';
  const only = new Set(
    (process.env.BENCH_DASHBOARD_ONLY ?? 'bundle,render,deltas,heap').split(',').map((x) => x.trim()),
  );
  const work = mkdtempSync(path.join(tmpdir(), 'opsmap-bench-dashboard-'));
  const clientDir = path.join(work, 'client');
  const harnessDir = path.join(work, 'harness');
  try {
    await buildClientInto(clientDir);
    await buildHarnessInto(harnessDir);
    const browser = await launch(renderers[0]!);
    console.log(`chromium: ${browser.version()} (${CHROMIUM_PATH})`);
    await browser.close();

    if (only.has('bundle')) bundleRows(row, measureBundle(clientDir));

    for (const r of only.has('render') ? renderers : []) {
      const fr = await benchFirstRender(r, clientDir);
      const m = fr.marks;
      row(
        `page: time to first full render (${r})`,
        ms(fr.medianMs),
        `median of ${fr.loadsMs.length} cold loads (${fr.loadsMs.map((x) => x.toFixed(0)).join(', ')} ms), ${fr.backfillHours} h backfill; medians from navigation start: DOMContentLoaded ${ms(m.domContentLoaded)}, load ${ms(m.load)}, KPI data ${ms(m.kpiData)}, map ready ${ms(m.mapReady)}, deck.gl drawn ${ms(m.deckDrawn)}`,
      );
    }

    // Each delta row is bounded in time: the colour transitions stall the page on a GPU read-back, which
    // software rendering makes seconds long (see BENCHMARKS.md), so a row stops after its budget.
    const plans: {
      r: RendererName;
      tickets: 'points' | 'heatmap';
      withoutTransitions: boolean;
      warmup: number;
      deltas: number;
      budgetMs: number;
    }[] = [];
    for (const r of only.has('deltas') ? renderers : []) {
      if (r === 'swiftshader')
        plans.push({
          r,
          tickets: 'points',
          withoutTransitions: false,
          warmup: 3,
          deltas: swiftshaderDeltas,
          budgetMs: 120_000,
        });
      else {
        plans.push({ r, tickets: 'points', withoutTransitions: false, warmup: 10, deltas: 200, budgetMs: 150_000 });
        plans.push({ r, tickets: 'points', withoutTransitions: true, warmup: 10, deltas: 200, budgetMs: 90_000 });
        plans.push({ r, tickets: 'heatmap', withoutTransitions: false, warmup: 10, deltas: 200, budgetMs: 60_000 });
      }
    }
    for (const { r, tickets, withoutTransitions, ...plan } of plans) {
      const d = await benchDeltas(r, harnessDir, { tickets, withoutTransitions, ...plan, intervalMs: 150 });
      const p = d.parts;
      row(
        `page: main-thread ms per applied delta, 5,000 cells / 10,000 tickets (${tickets}) / 200 rangers (${r}${withoutTransitions ? ', transitions off' : ''})`,
        `${ms(d.totalMedian)} median / ${ms(d.totalP95)} p95`,
        `${d.run.timings.length} deltas after ${plan.warmup}, one per 150 ms; synchronous part ${ms(d.syncMedian)} / ${ms(d.syncP95)} p95 (apply ${ms(p.apply)}, publish ${ms(p.publish)}, layers ${ms(p.build)}, setProps ${ms(p.setProps)}, redraw ${ms(p.redraw)}), animation-loop frames after it ${ms(p.loopFrames)} (${d.loopFramesPerDelta} frames); with the frame's commit (the software compositor's read-back) ${ms(d.withFrameMedian)} median / ${ms(d.withFrameP95)} p95, the commit ${ms(p.frame)}; max ${ms(d.totalMax)}; ${kb(d.wireBytesMedian)} of JSON, ${d.run.patchesPerDelta.toFixed(0)} patches; snapshot applied in ${ms(d.run.snapshotMs)}, first layers + draw ${ms(d.run.firstDrawMs)}; ${d.run.renderer}`,
      );
    }

    if (!only.has('heap')) return;
    const h = await benchHeap(renderers[0]!, clientDir, simMinutes, speed, heapScenario);
    row(
      `page: JS heap growth over ${h.simMinutes} simulated minutes at ${h.speed}×, ${h.scenario} (${renderers[0]})`,
      `${h.growthPct.toFixed(1)} %`,
      `${h.startMb.toFixed(1)} → ${h.endMb.toFixed(1)} MB after GC, ${h.realSeconds.toFixed(0)} s real, +${h.deltasSeen.toLocaleString('en')} events (seq); samples ${h.samples.map(([m, mb]) => `${m}′ ${mb.toFixed(1)}`).join(', ')}; DOM nodes ${h.domNodesStart} → ${h.domNodesEnd}; open tickets ${h.openStart} → ${h.openEnd}`,
    );
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(PROJECT_ROOT, 'tests/bench/dashboard.ts')) {
  await benchDashboardRows((...cells) => console.log(cells.join(' | ')));
}
