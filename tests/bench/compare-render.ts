// Time to the first full render of two or more client builds, loaded alternately in one browser against
// servers started alike (the dashboard row's measure, tests/bench/dashboard.ts), so that a noisy machine
// weighs on each build the same: `node --import tsx tests/bench/compare-render.ts DIR_A DIR_B [--loads 5]
// [--renderer swiftshader]`. Prints each build's loads, medians of the marks, and the ratio of the medians.
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';
import { signIn } from '../helpers/browser-session';
import { CHROMIUM_PATH, NAME_SHIM } from '../helpers/browser';
import { FULL_RENDER_PROBE, median, RENDERERS, startProduct, type RendererName } from './dashboard';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { loads: { type: 'string', default: '5' }, renderer: { type: 'string', default: 'swiftshader' } },
});
const servers = [];
for (const dir of positionals) servers.push(await startProduct(dir, { SIM_BACKFILL_HOURS: '24' }));
const browser = await chromium.launch({
  executablePath: CHROMIUM_PATH,
  args: [...RENDERERS[values.renderer as RendererName]],
});
type Marks = Record<'full' | 'kpiData' | 'deckDrawn' | 'mapReady', number>;
const marks: Marks[][] = positionals.map(() => []);
try {
  // Round 0 warms each server and the browser's shader cache and is not counted.
  for (let round = 0; round <= Number(values.loads); round++) {
    for (const [i, server] of servers.entries()) {
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
      await page.goto(server.url, { waitUntil: 'commit' });
      await page.waitForFunction(() => 'full' in ((window as { __fullRender?: object }).__fullRender ?? {}), null, {
        timeout: 120_000,
        polling: 100,
      });
      const m = await page.evaluate(() => (window as unknown as { __fullRender: Marks }).__fullRender);
      await context.close();
      if (round > 0) marks[i]!.push(m);
      console.log(`round ${round} ${positionals[i]}: full ${m.full.toFixed(0)} ms`);
    }
  }
} finally {
  await browser.close();
  for (const s of servers) await s.close();
}
const medians = marks.map((ms) => median(ms.map((m) => m.full)));
for (const [i, ms] of marks.entries()) {
  const med = (k: keyof Marks) => median(ms.map((m) => m[k])).toFixed(0);
  console.log(
    `${positionals[i]}: full ${med('full')} ms (${ms.map((m) => m.full.toFixed(0)).join(', ')}); KPI data ${med('kpiData')}, deck.gl drawn ${med('deckDrawn')}, map ready ${med('mapReady')}; ratio to the first ${(medians[i]! / medians[0]!).toFixed(2)}`,
  );
}
