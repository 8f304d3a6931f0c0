// The wall over a long run (npm run bench -- wall [--minutes 5] [--speed 10] [--tour-seconds 5]
// [--scenario rainstorm] [--renderer llvmpipe], or `node --expose-gc --import tsx tests/bench/wall.ts …`):
// the /wall kiosk with its tour turning every few seconds against the embedded product with the simulator in
// time-lapse, for a bounded wall-clock run. A duty officer acknowledges each severe alert a few seconds after
// it takes the wall over, as the command center would, so the tour keeps turning. Sampled after a forced GC
// (CDP HeapProfiler.collectGarbage), always on the district's overview so that start and end show the same
// thing: the JS heap, DOM nodes (document and CDP's count, detached ones included) and deck.gl layers.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { chromium, type Page } from 'playwright-core';
import { loadConfig, PROJECT_ROOT } from '../../server/config';
import { startServer } from '../../server/main';
import type { AlertList } from '../../server/contract/alerts';
import { CHROMIUM_PATH, NAME_SHIM } from '../helpers/browser';
import { deviceToken, principals, sessionHeaders } from '../helpers/auth';
import { buildClientInto, RENDERERS, type RendererName } from './dashboard';
// window.__OPSMAP__, the map's test handle (declared by the map view).
import type {} from '../../client/map/MapView';

const VIEWPORT = { width: 1920, height: 1080 };
/** How long a severe alert holds the wall before the (simulated) officer acknowledges it. */
const ACK_AFTER_MS = 8_000;

export interface WallRunOptions {
  /** Wall-clock minutes of the measured run (after the warm-up). */
  minutes: number;
  /** SIM_SPEED: simulated minutes per real minute. */
  speed: number;
  tourSeconds: number;
  scenario: string;
  renderer: RendererName;
}

export interface WallSample {
  /** Real seconds since the measured run began. */
  at: number;
  heapMb: number;
  /** Elements in the document. */
  domElements: number;
  /** CDP Performance "Nodes": every DOM node the renderer holds, detached ones included. */
  domNodes: number;
  deckLayers: number;
  /** The district's open tickets (KPI bar): how much the live state itself grew. */
  openTickets: number;
  /** Scene changes seen since the page opened. */
  scenes: number;
}

export interface WallRunResult {
  options: WallRunOptions;
  realSeconds: number;
  samples: WallSample[];
  heapGrowthPct: number;
  /** Scene changes seen over the measured run, and the severe alerts that took the wall over. */
  sceneChanges: number;
  takeovers: number;
  acknowledged: number;
  /** Events the wall's state moved over (its seq), and the tour's length. */
  events: number;
  tourLength: number;
}

/** Counts, in the page, every scene change and take-over the wall shows (checked four times a second). */
const TOUR_PROBE = `
(() => {
  const w = (window.__wallRun = { scenes: 0, takeovers: 0, scene: null, takeover: '' });
  setInterval(() => {
    const el = document.querySelector('.wall');
    if (!el) return;
    const scene = el.getAttribute('data-scene') + '#' + el.getAttribute('data-scene-index');
    const takeover = el.getAttribute('data-takeover') || '';
    if (w.scene !== null && scene !== w.scene) w.scenes++;
    if (takeover && takeover !== w.takeover) w.takeovers++;
    w.scene = scene;
    w.takeover = takeover;
  }, 250);
})();`;

interface Probe {
  scenes: number;
  takeovers: number;
}

export async function benchWall(
  options: WallRunOptions,
  clientDir: string,
  log: (line: string) => void = () => {},
): Promise<WallRunResult> {
  const config = loadConfig({
    STORE: 'memory',
    SIM_BACKFILL_HOURS: '24',
    SIM_SPEED: String(options.speed),
    SIM_SCENARIO: options.scenario,
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'silent',
    NODE_ENV: 'production',
  });
  const { app, url } = await startServer(config, { clientDir });
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: [...RENDERERS[options.renderer]] });
  let officer: ReturnType<typeof setInterval> | null = null;
  try {
    for (let i = 0; i < 600 && !app.services.simulator; i++) await new Promise((r) => setTimeout(r, 50));
    await app.services.simulator?.ready;
    const token = await deviceToken(app, principals.wall);
    const duty = await sessionHeaders(app, principals.districtOfficer);

    // The duty officer: acknowledges what has held the wall for ACK_AFTER_MS.
    let acknowledged = 0;
    const seenAt = new Map<string, number>();
    let busy = false;
    officer = setInterval(() => {
      if (busy) return;
      busy = true;
      void (async () => {
        const res = await fetch(`${url}/api/v1/alerts?status=open`, { headers: duty });
        const list = (await res.json()) as AlertList;
        const now = Date.now();
        for (const a of list.items) {
          if (a.severity !== 'severe' || a.status !== 'open') continue;
          const first = seenAt.get(a.id) ?? now;
          seenAt.set(a.id, first);
          if (now - first < ACK_AFTER_MS) continue;
          const ack = await fetch(`${url}/api/v1/alerts/${encodeURIComponent(a.id)}/acknowledge`, {
            method: 'POST',
            headers: { ...duty, 'content-type': 'application/json' },
            body: JSON.stringify({ note: '已处置' }),
          });
          if (ack.ok) acknowledged++;
        }
      })()
        .catch((e: unknown) => log(`officer: ${String(e)}`))
        .finally(() => {
          busy = false;
        });
    }, 2_000);

    const context = await browser.newContext({
      viewport: VIEWPORT,
      deviceScaleFactor: 1,
      locale: 'zh-CN',
      timezoneId: 'Asia/Shanghai',
    });
    await context.addInitScript(NAME_SHIM);
    await context.addInitScript(TOUR_PROBE);
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${url}/wall?device=${encodeURIComponent(token)}&tourSeconds=${options.tourSeconds}`);
    await page.waitForSelector('.wall .map-canvas[data-map-state="ready"]', { state: 'attached', timeout: 180_000 });
    await page.waitForFunction(() => Number(document.querySelector('.kpi-bar')?.getAttribute('data-seq')) > 0, null, {
      timeout: 120_000,
    });
    const tourLength = Number(
      (
        await page
          .locator('.wall-scene-count')
          .innerText()
          .catch(() => '/1')
      )
        .split('/')
        .pop()
        ?.replace(/[^\d]/g, '') || 1,
    );

    const cdp = await context.newCDPSession(page);
    await cdp.send('Performance.enable');
    const seqOf = () => page.evaluate(() => Number(document.querySelector('.kpi-bar')?.getAttribute('data-seq')));
    const probe = () => page.evaluate(() => (window as unknown as { __wallRun: Probe }).__wallRun);
    const t0 = { ms: Date.now() };
    const measure = async (): Promise<WallSample> => {
      // The same scene each time, and no take-over: the district's overview. The tour may turn during the
      // collection (a loaded machine); then the sample is taken again at the overview's next turn.
      for (let attempt = 1; ; attempt++) {
        await onOverview(page, options.tourSeconds * tourLength * 2_000 + 60_000);
        // Read in one task with the check: the overview is still on screen (a loaded page may answer late).
        const inPage = await page.evaluate(() => {
          const wall = document.querySelector('.wall');
          const values = [...document.querySelectorAll('.wall-side .ranking-value')];
          return {
            still:
              wall?.getAttribute('data-scene-kind') === 'overview' &&
              wall.getAttribute('data-takeover') === '' &&
              values.length > 0 &&
              values.every((v) => v.textContent !== '…'),
            scenes: (window as unknown as { __wallRun: Probe }).__wallRun.scenes,
            domElements: document.getElementsByTagName('*').length,
            deckLayers: window.__OPSMAP__?.deckLayers() ?? NaN,
            open: Number(
              document.querySelector('[data-kpi="open"] .kpi-value')?.textContent?.replace(/[^\d]/g, '') ?? NaN,
            ),
            shown: `${wall?.getAttribute('data-scene')} ${wall?.getAttribute('data-area')}, ${document.querySelectorAll('.wall-side .ranking-row').length} ranked`,
          };
        });
        if (!inPage.still) continue;
        await cdp.send('HeapProfiler.collectGarbage');
        await cdp.send('HeapProfiler.collectGarbage');
        const usage = await cdp.send('Runtime.getHeapUsage');
        const metrics = await cdp.send('Performance.getMetrics');
        const after = await probe();
        // The tour turned during the collection: the heap is not the overview's; take it at its next turn.
        if (after.scenes !== inPage.scenes && attempt < 10) continue;
        log(`  on ${inPage.shown} (attempt ${attempt})`);
        return {
          at: (Date.now() - t0.ms) / 1000,
          heapMb: usage.usedSize / 2 ** 20,
          domElements: inPage.domElements,
          domNodes: metrics.metrics.find((m) => m.name === 'Nodes')?.value ?? NaN,
          deckLayers: inPage.deckLayers,
          openTickets: inPage.open,
          scenes: after.scenes,
        };
      }
    };

    // Warm-up: two rounds of the tour, so every scene's layers, geography and fonts are loaded once.
    await page.waitForTimeout(Math.max(30_000, 2 * tourLength * options.tourSeconds * 1000));
    const first = await measure();
    t0.ms = Date.now();
    first.at = 0;
    const startProbe = await probe();
    const seqStart = await seqOf();
    const samples: WallSample[] = [first];
    log(
      `wall: start ${first.heapMb.toFixed(1)} MB, ${first.domElements} elements, ${first.domNodes} nodes, ${first.deckLayers} layers, ${first.openTickets} open`,
    );
    const totalMs = options.minutes * 60_000;
    const step = totalMs / 5;
    for (let k = 1; k <= 5; k++) {
      await page.waitForTimeout(Math.max(0, t0.ms + k * step - Date.now()));
      const s = await measure();
      samples.push(s);
      log(
        `wall: ${s.at.toFixed(0)} s ${s.heapMb.toFixed(1)} MB, ${s.domElements} elements, ${s.domNodes} nodes, ${s.deckLayers} layers, ${s.openTickets} open, ${s.scenes} scene changes`,
      );
    }
    const endProbe = await probe();
    const seqEnd = await seqOf();
    if (errors.length > 0) throw new Error(`page errors: ${errors.join('; ')}`);
    const last = samples.at(-1)!;
    return {
      options,
      realSeconds: (Date.now() - t0.ms) / 1000,
      samples,
      heapGrowthPct: ((last.heapMb - first.heapMb) / first.heapMb) * 100,
      sceneChanges: endProbe.scenes - startProbe.scenes,
      takeovers: endProbe.takeovers - startProbe.takeovers,
      acknowledged,
      events: seqEnd - seqStart,
      tourLength,
    };
  } finally {
    if (officer) clearInterval(officer);
    await browser.close();
    await app.close();
  }
}

/**
 * Waits until the tour shows the whole district's overview with nothing taking it over and its snapshot in
 * (the ranking has values): the one scene whose content does not depend on which town is worst. Not "drawn by
 * deck.gl": at 10× the deltas keep the map a draw behind under software WebGL.
 */
async function onOverview(page: Page, timeoutMs: number): Promise<void> {
  await page
    .waitForFunction(
      () => {
        const wall = document.querySelector('.wall');
        const map = document.querySelector<HTMLElement>('.map-canvas');
        const values = [...document.querySelectorAll('.wall-side .ranking-value')];
        return (
          wall?.getAttribute('data-scene-kind') === 'overview' &&
          wall.getAttribute('data-area')?.startsWith('district:') === true &&
          wall.getAttribute('data-takeover') === '' &&
          values.length > 0 &&
          values.every((v) => v.textContent !== '…') &&
          map?.getAttribute('data-map-state') === 'ready'
        );
      },
      null,
      { timeout: timeoutMs, polling: 200 },
    )
    .catch(async (e: unknown) => {
      const state = await page.evaluate(() => {
        const wall = document.querySelector('.wall');
        const values = [...document.querySelectorAll('.wall-side .ranking-value')]
          .slice(0, 3)
          .map((v) => v.textContent);
        return `scene ${wall?.getAttribute('data-scene')} (${wall?.getAttribute('data-scene-kind')}, #${wall?.getAttribute('data-scene-index')}), area ${wall?.getAttribute('data-area')}, take-over '${wall?.getAttribute('data-takeover')}', ranking ${values.join('/')}, link ${document.querySelector('.wall-link')?.getAttribute('data-link')}`;
      });
      throw new Error(`the wall never showed the district overview: ${state}`, { cause: e });
    });
}

// ---- the section of npm run bench ----

type Row = (...cells: (string | number)[]) => void;

export function wallOptions(argv: readonly string[]): WallRunOptions {
  const { values } = parseArgs({
    args: [...argv],
    strict: false,
    allowPositionals: true,
    options: {
      minutes: { type: 'string' },
      speed: { type: 'string' },
      'tour-seconds': { type: 'string' },
      scenario: { type: 'string' },
      renderer: { type: 'string' },
    },
  });
  const num = (v: unknown, fallback: number) =>
    typeof v === 'string' && Number.isFinite(Number(v)) && Number(v) > 0 ? Number(v) : fallback;
  const renderer = (typeof values.renderer === 'string' ? values.renderer : 'llvmpipe') as RendererName;
  if (!(renderer in RENDERERS)) throw new Error(`--renderer: one of ${Object.keys(RENDERERS).join(', ')}`);
  return {
    minutes: num(values.minutes, 5),
    speed: num(values.speed, 10),
    tourSeconds: num(values['tour-seconds'], 5),
    scenario: typeof values.scenario === 'string' ? values.scenario : 'rainstorm',
    renderer,
  };
}

const pct = (a: number, b: number) => `${(((b - a) / a) * 100).toFixed(1)} %`;

export async function benchWallRows(row: Row, argv: readonly string[] = process.argv.slice(2)): Promise<void> {
  const options = wallOptions(argv);
  const work = mkdtempSync(path.join(tmpdir(), 'opsmap-bench-wall-'));
  try {
    const clientDir = path.join(work, 'client');
    await buildClientInto(clientDir);
    const r = await benchWall(options, clientDir, (line) => console.log(line));
    const [a, b] = [r.samples[0]!, r.samples.at(-1)!];
    // Caches that fill once (geometry, glyphs, MapLibre's tiles) raise the first samples; a leak keeps rising.
    const mid = r.samples[Math.floor((r.samples.length - 1) / 2)]!;
    const how = `${options.minutes} min real at SIM_SPEED ${options.speed} (${options.scenario}), tour every ${options.tourSeconds} s over ${r.tourLength} scenes, 1920×1080, ${options.renderer}`;
    row(
      `wall: JS heap growth over a long run (after GC, on the district overview)`,
      `${r.heapGrowthPct.toFixed(1)} %`,
      `${a.heapMb.toFixed(1)} → ${b.heapMb.toFixed(1)} MB (from ${mid.at.toFixed(0)} s on: ${pct(mid.heapMb, b.heapMb)}); samples ${r.samples.map((s) => `${s.at.toFixed(0)} s ${s.heapMb.toFixed(1)}`).join(', ')}; ${how}; ${r.sceneChanges} scene changes, ${r.takeovers} take-overs (${r.acknowledged} acknowledged), +${r.events.toLocaleString('en')} events (seq)`,
    );
    row(
      'wall: DOM elements / DOM nodes (CDP, detached included)',
      `${pct(a.domElements, b.domElements)} / ${pct(a.domNodes, b.domNodes)}`,
      `${a.domElements} → ${b.domElements} elements, ${a.domNodes} → ${b.domNodes} nodes`,
    );
    row(
      'wall: deck.gl layers drawn (sublayers included)',
      pct(a.deckLayers, b.deckLayers),
      `${a.deckLayers} → ${b.deckLayers}; open tickets in the district ${a.openTickets} → ${b.openTickets}`,
    );
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(PROJECT_ROOT, 'tests/bench/wall.ts')) {
  await benchWallRows((...cells) => console.log(cells.join(' | ')));
}
