// A CPU profile of the dashboard living on its deltas: the embedded product in time-lapse (SIM_SPEED, the
// rainstorm), the page signed in as a district duty officer, profiled for a while once it is drawn; the
// main thread's busy time per second and per part (React, the live store, deck.gl, MapLibre, the panels,
// the browser's own work), and the deltas that came in.
// `node --import tsx tests/bench/profile-live.ts [--client DIR] [--seconds 20] [--speed 10] [--renderer swiftshader]`
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';
import { PROJECT_ROOT } from '../../server/config';
import { signIn } from '../helpers/browser-session';
import { CHROMIUM_PATH, NAME_SHIM } from '../helpers/browser';
import { RENDERERS, startProduct, type RendererName } from './dashboard';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const { values } = parseArgs({
  options: {
    renderer: { type: 'string', default: 'swiftshader' },
    seconds: { type: 'string', default: '20' },
    speed: { type: 'string', default: '10' },
    client: { type: 'string' },
  },
});
const own = !values.client;
const dir = values.client ?? mkdtempSync(path.join(tmpdir(), 'opsmap-profile-live-'));
if (own || !existsSync(path.join(dir, 'index.html'))) {
  const { build } = await import('vite');
  await build({
    configFile: path.join(PROJECT_ROOT, 'vite.config.ts'),
    root: path.join(PROJECT_ROOT, 'client'),
    logLevel: 'error',
    build: { outDir: dir, emptyOutDir: true, minify: false },
  });
}
const server = await startProduct(dir, {
  SIM_BACKFILL_HOURS: '24',
  SIM_SPEED: values.speed!,
  SIM_SCENARIO: 'rainstorm',
});
const browser = await chromium.launch({
  executablePath: CHROMIUM_PATH,
  args: [...RENDERERS[values.renderer as RendererName]],
});
/** The chunk a script came from (Vite's names: react, deckgl, maplibre, live, panels, App, …). */
const chunkOf = (url: string) => (url.split('/').pop() ?? '').replace(/-[\w-]{8}\.m?js$/, '') || '(native)';
try {
  const context = await browser.newContext({
    viewport: { width: 1600, height: 900 },
    deviceScaleFactor: 1,
    locale: 'zh-CN',
    timezoneId: 'Asia/Shanghai',
  });
  await signIn(context, server.app, new URL(server.url).origin);
  await context.addInitScript(NAME_SHIM);
  const page = await context.newPage();
  await page.goto(server.url);
  await page.waitForSelector('.map-canvas[data-map-state=ready]', { timeout: 120_000 });
  await page.waitForTimeout(5000);
  const seq = () => page.evaluate(() => Number(document.querySelector('.kpi-bar')?.getAttribute('data-seq')));
  const cdp = await context.newCDPSession(page);
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
  const seq0 = await seq();
  // Publishes the page saw: the KPI bar's seq changes once per applied publish.
  await page.evaluate(() => {
    const w = window as unknown as { __publishes: number };
    w.__publishes = 0;
    const bar = document.querySelector('.kpi-bar');
    if (bar) new MutationObserver(() => w.__publishes++).observe(bar, { attributeFilter: ['data-seq'] });
  });
  await cdp.send('Profiler.start');
  await page.waitForTimeout(Number(values.seconds) * 1000);
  const { profile } = (await cdp.send('Profiler.stop')) as unknown as { profile: Profile };
  const publishes = await page.evaluate(() => (window as unknown as { __publishes: number }).__publishes);
  const seq1 = await seq();
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const parts = new Map<string, number>();
  const self = new Map<string, number>();
  let busy = 0;
  let total = 0;
  profile.samples.forEach((id, k) => {
    const dt = (profile.timeDeltas[k + 1] ?? 0) / 1000;
    total += dt;
    const node = byId.get(id)!;
    if (node.callFrame.functionName === '(idle)') return;
    busy += dt;
    // The part: the outermost chunk of our own code on the stack below the event loop (React's scheduler
    // counts as React), else the leaf's name ((program): the browser's own work, paint and GPU waits).
    let part = node.callFrame.url ? chunkOf(node.callFrame.url) : node.callFrame.functionName;
    for (let p: number | undefined = id; p !== undefined; p = parent.get(p)) {
      const f = byId.get(p)!.callFrame;
      if (f.url) part = chunkOf(f.url);
    }
    parts.set(part, (parts.get(part) ?? 0) + dt);
    const where = `${node.callFrame.functionName || '(anon)'}@${chunkOf(node.callFrame.url)}`;
    self.set(where, (self.get(where) ?? 0) + dt);
  });
  const s = total / 1000;
  console.log(
    `${s.toFixed(1)} s profiled: main thread busy ${((busy / total) * 100).toFixed(0)} %; ${publishes} publishes, seq +${seq1 - seq0}; busy ms per publish ${(busy / Math.max(1, publishes)).toFixed(1)}`,
  );
  const top = (m: Map<string, number>, n: number) =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([f, ms]) => `  ${(ms / s).toFixed(1).padStart(7)} ms/s  ${f}`)
      .join('\n');
  console.log('by outermost chunk:\n' + top(parts, 15));
  console.log('self time:\n' + top(self, 30));
} finally {
  await browser.close();
  await server.close();
  if (own) rmSync(dir, { recursive: true, force: true });
}
