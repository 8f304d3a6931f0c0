// A CPU profile of the dashboard's first full render (the row of tests/bench/dashboard.ts): where the page's
// main thread spends the time from navigation to the first frame with map, deck.gl and KPI data, as a
// timeline of busy time per slice and the functions that take it.
// `node --import tsx tests/bench/profile-render.ts [--renderer swiftshader] [--loads 3] [--client DIR]`
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';
import { PROJECT_ROOT } from '../../server/config';
import { signIn } from '../helpers/browser-session';
import { CHROMIUM_PATH, NAME_SHIM } from '../helpers/browser';
import { FULL_RENDER_PROBE, RENDERERS, startProduct, type RendererName } from './dashboard';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
}

const { values } = parseArgs({
  options: {
    renderer: { type: 'string', default: 'swiftshader' },
    loads: { type: 'string', default: '3' },
    client: { type: 'string' },
    slice: { type: 'string', default: '500' },
  },
});
const own = !values.client;
const dir = values.client ?? mkdtempSync(path.join(tmpdir(), 'opsmap-profile-render-'));
if (own || !existsSync(path.join(dir, 'index.html'))) {
  const { build } = await import('vite');
  await build({
    configFile: path.join(PROJECT_ROOT, 'vite.config.ts'),
    root: path.join(PROJECT_ROOT, 'client'),
    logLevel: 'error',
    build: { outDir: dir, emptyOutDir: true, minify: false },
  });
}
const server = await startProduct(dir, { SIM_BACKFILL_HOURS: '24' });
const browser = await chromium.launch({
  executablePath: CHROMIUM_PATH,
  args: [...RENDERERS[values.renderer as RendererName]],
});
const slice = Number(values.slice);
try {
  for (let i = 0; i <= Number(values.loads); i++) {
    const context = await browser.newContext({
      viewport: { width: 1600, height: 900 },
      deviceScaleFactor: 1,
      locale: 'zh-CN',
      timezoneId: 'Asia/Shanghai',
    });
    await signIn(context, server.app, new URL(server.url).origin);
    await context.addInitScript(NAME_SHIM);
    await context.addInitScript(FULL_RENDER_PROBE);
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    await cdp.send('Profiler.enable');
    await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
    await cdp.send('Profiler.start');
    const t0 = Date.now();
    await page.goto(server.url, { waitUntil: 'commit' });
    await page.waitForFunction(() => 'full' in ((window as { __fullRender?: object }).__fullRender ?? {}), null, {
      timeout: 120_000,
      polling: 100,
    });
    const { profile } = (await cdp.send('Profiler.stop')) as unknown as { profile: Profile };
    const marks = await page.evaluate(() => {
      const nav = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming;
      const res = (performance.getEntriesByType('resource') as PerformanceResourceTiming[]).map(
        (r) => `${r.name.replace(/^https?:\/\/[^/]+/, '')} ${r.startTime.toFixed(0)}→${r.responseEnd.toFixed(0)}`,
      );
      const probe = (
        window as unknown as { __fullRender: Record<'full' | 'kpiData' | 'deckDrawn' | 'mapReady', number> }
      ).__fullRender;
      return { ...probe, dcl: nav.domContentLoadedEventEnd, res };
    });
    await context.close();
    if (i === 0) continue;
    console.log(
      `load ${i}: full ${marks.full?.toFixed(0)} ms (wall ${Date.now() - t0}); DCL ${marks.dcl.toFixed(0)}, kpi ${marks.kpiData?.toFixed(0)}, deck ${marks.deckDrawn?.toFixed(0)}, map ${marks.mapReady?.toFixed(0)}`,
    );
    console.log('  resources: ' + marks.res.join('; '));
    // Slices count from the profile's first sample (the profiler starts just before navigation).
    const byId = new Map(profile.nodes.map((n) => [n.id, n]));
    const parent = new Map<number, number>();
    for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
    const buckets = new Map<number, { busy: number; fns: Map<string, number> }>();
    const inclusive = new Map<string, number>();
    let t = profile.startTime;
    let busy = 0;
    profile.samples.forEach((id, k) => {
      t += profile.timeDeltas[k] ?? 0;
      const dt = (profile.timeDeltas[k + 1] ?? 0) / 1000;
      const node = byId.get(id)!;
      const name = node.callFrame.functionName || '(anonymous)';
      if (name === '(idle)') return;
      busy += dt;
      const ms = (t - profile.startTime) / 1000;
      const b = buckets.get(Math.floor(ms / slice)) ?? { busy: 0, fns: new Map() };
      buckets.set(Math.floor(ms / slice), b);
      b.busy += dt;
      const seen = new Set<string>();
      for (let k2: number | undefined = id; k2 !== undefined; k2 = parent.get(k2)) {
        const f = byId.get(k2)!.callFrame;
        const file = f.url.split('/').pop() ?? '';
        const fn = `${f.functionName || '(anon)'}@${file.replace(/-[\w-]{8}\.js$/, '')}`;
        if (!seen.has(fn)) {
          seen.add(fn);
          inclusive.set(fn, (inclusive.get(fn) ?? 0) + dt);
        }
      }
      const file =
        node.callFrame.url
          .split('/')
          .pop()
          ?.replace(/-[\w-]{8}\.js$/, '') ?? '';
      const label = `${name}@${file}`;
      b.fns.set(label, (b.fns.get(label) ?? 0) + dt);
    });
    console.log(`  busy main thread ${busy.toFixed(0)} ms of ${((t - profile.startTime) / 1000).toFixed(0)}`);
    for (const [k, b] of [...buckets.entries()].sort((a, b) => a[0] - b[0])) {
      const top = [...b.fns.entries()]
        .sort((a, b) => b[1] - a[1])
        .slice(0, 4)
        .map(([f, ms]) => `${f} ${ms.toFixed(0)}`)
        .join(', ');
      console.log(`  ${String(k * slice).padStart(6)} ms: busy ${b.busy.toFixed(0).padStart(4)}  ${top}`);
    }
    console.log(
      '  inclusive: ' +
        [...inclusive.entries()]
          .sort((a, b) => b[1] - a[1])
          .slice(0, 60)
          .map(([f, ms]) => `${f} ${ms.toFixed(0)}`)
          .join('; '),
    );
  }
} finally {
  await browser.close();
  await server.close();
  if (own) rmSync(dir, { recursive: true, force: true });
}
