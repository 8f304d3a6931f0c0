// A town leader on a phone (390 × 844) and on a tablet held upright (768 × 1024), in real headless Chromium
// emulating a touch device, against the real server with the simulator: the landing, the map with its panels
// as sheets, the ticket detail and the alert inbox. Each screen is checked by the DOM (tests/helpers/layout.ts):
// no two visible texts overlap, no text is cut by the screen's edge or cut short, nothing scrolls sideways, and
// every button, link and field is at least 44 px each way. The map pans under one finger and zooms under two.
// An alert's title is worded in the reader's language (Chinese, then English on the toggle).
// Screenshots: test-results/e2e-phone-<screen>-<width>x<height>.png.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../server/config';
import { interiorPoint } from '../../server/geo/interior';
import { CHROMIUM_MISSING, NAME_SHIM, chromiumAvailable, launchChromium } from '../helpers/browser';
import { signIn } from '../helpers/browser-session';
import { ZHANGJIAWAN, principals } from '../helpers/auth';
import { postEvents } from '../helpers/callers';
import { describeLayout, measureLayout, type LayoutReport } from '../helpers/layout';
import { startTestServer, type TestServer } from '../helpers/server';

const ARTEFACTS = path.join(PROJECT_ROOT, 'test-results');
const LOAD_TIMEOUT_MS = 90_000;
const SIZES = [
  { name: 'phone', width: 390, height: 844 },
  { name: 'tablet', width: 768, height: 1024 },
] as const;

const RUN = chromiumAvailable() || process.env.CI === 'true';
if (!RUN) console.warn(`[e2e] skipped: ${CHROMIUM_MISSING}`);

/** Every check at once, so that a failure lists all that is wrong on the screen, not the first thing. */
function expectUsable(r: LayoutReport, where: string): void {
  const problems =
    r.overlaps.length +
    r.cut.length +
    r.truncated.length +
    r.wide.length +
    r.small.length +
    (r.scrollWidth > r.viewport.width ? 1 : 0);
  expect(problems, `${where}\n${describeLayout(r)}`).toBe(0);
}

async function shoot(page: Page, name: string): Promise<void> {
  mkdirSync(ARTEFACTS, { recursive: true });
  writeFileSync(path.join(ARTEFACTS, name), await page.screenshot({ type: 'png' }));
}

describe.skipIf(!RUN)(RUN ? 'phone and tablet' : `phone and tablet (skipped: ${CHROMIUM_MISSING})`, () => {
  let browser: Browser;
  let server: TestServer;
  let origin: string;

  beforeAll(async () => {
    browser = await launchChromium();
    server = await startTestServer({}, { SIMULATOR: 'on', SIM_SEED: '7' });
    origin = server.url;
    // Tickets in the town for the table and the landing's rankings.
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      const agg = server.app.services.live.aggregate(ZHANGJIAWAN);
      if (agg && agg.tickets.open > 3) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    // A fire risk in one of the town's forest clusters, so that the inbox has an alert to open.
    const cluster = server.app.services.geo.layers.forest.features.find(
      (f) => f.properties.townId === ZHANGJIAWAN.slice('town:'.length),
    )!;
    const [lon, lat] = interiorPoint(cluster.geometry as never);
    const res = await postEvents(server.app, [
      {
        id: 'ev-phone-fire-1',
        kind: 'patrol.incident',
        time: new Date(Date.now() - 60_000).toISOString(),
        source: 'ranger_app',
        rangerId: 'r-zjw-phone',
        incidentId: 'inc-phone-1',
        type: 'fire_risk',
        severity: 'high',
        description: '林下发现烟点，疑似焚烧秸秆',
        location: { lon, lat },
      },
    ]);
    expect(res.json()).toMatchObject({ accepted: 1 });
    await server.app.services.rules.idle();
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  /** A touch device of that size, signed in as the 张家湾镇 leader; fails on any request off the origin. */
  async function open(
    size: (typeof SIZES)[number],
  ): Promise<{ context: BrowserContext; page: Page; errors: string[]; requests: string[] }> {
    const context = await browser.newContext({
      viewport: { width: size.width, height: size.height },
      isMobile: true,
      hasTouch: true,
      deviceScaleFactor: 1,
      locale: 'zh-CN',
      timezoneId: 'Asia/Shanghai',
    });
    await context.addInitScript(NAME_SHIM);
    await signIn(context, server.app, origin, principals.townLeader);
    const errors: string[] = [];
    const requests: string[] = [];
    context.on('request', (r) => requests.push(r.url()));
    await context.route(
      (url) => url.protocol.startsWith('http') && url.origin !== origin,
      (route) => {
        errors.push(`request off the origin: ${route.request().url()}`);
        return route.abort('blockedbyclient');
      },
    );
    const page = await context.newPage();
    page.on('pageerror', (e) => errors.push(e.message));
    return { context, page, errors, requests };
  }

  async function openMap(page: Page): Promise<void> {
    await page.goto(`${origin}/?area=${ZHANGJIAWAN}`, { waitUntil: 'domcontentloaded' });
    await page.waitForSelector('.map-canvas[data-map-state="ready"]', { state: 'attached', timeout: LOAD_TIMEOUT_MS });
    await page.waitForFunction(() => Number(document.querySelector('.kpi-bar')?.getAttribute('data-seq')) > 0, null, {
      timeout: 30_000,
    });
  }

  for (const size of SIZES) {
    const tag = `${size.width}x${size.height}`;

    it(`${size.name} ${tag}: the leader's landing, in Chinese and in English, top to bottom`, async () => {
      const { context, page, errors, requests } = await open(size);
      await page.goto(origin, { waitUntil: 'domcontentloaded' });
      await page.waitForSelector('.landing[data-landing="ready"]', { timeout: LOAD_TIMEOUT_MS });
      await expect.poll(() => page.locator('.landing-units .landing-rank-row').count()).toBeGreaterThan(5);
      for (const lang of ['zh', 'en'] as const) {
        if (lang === 'en') {
          await page.locator('.landing .lang-toggle').click();
          await expect.poll(() => page.locator('.landing-units h2').textContent()).toBe('Villages and communities');
        }
        // The landing scrolls as one column: judge every screenful, from the top to the end.
        await page.evaluate(`document.querySelector('.landing').scrollTo(0, 0)`);
        for (let screen = 0; ; screen++) {
          expectUsable(await measureLayout(page), `landing (${lang}) ${tag}, screen ${screen + 1}`);
          if (screen === 0) await shoot(page, `e2e-phone-landing${lang === 'en' ? '-en' : ''}-${tag}.png`);
          if (screen === 2 && lang === 'zh') await shoot(page, `e2e-phone-landing-3-${tag}.png`);
          const moved = (await page.evaluate(
            `(() => { const el = document.querySelector('.landing'); const y = el.scrollTop; el.scrollBy(0, ${size.height - 100}); return el.scrollTop - y; })()`,
          )) as number;
          if (moved < 1) break;
        }
      }
      // Village names are there in full: the first row's name is the village's own name.
      const name = await page
        .locator('.landing-units .landing-rank-name')
        .first()
        .evaluate((e) => e.firstChild?.textContent);
      expect(name).toMatch(/村|社区|\S/);
      // The landing is a screen of its own: a leader's phone downloads no map, no deck.gl and no charts for it.
      const chunks = requests.filter((u) => u.includes('/assets/')).map((u) => new URL(u).pathname);
      expect(chunks.some((u) => /\/LeaderLanding-/.test(u))).toBe(true);
      expect(chunks.filter((u) => /\/(maplibre|deckgl|echarts|App)-/.test(u))).toEqual([]);
      expect(errors).toEqual([]);
      await context.close();
    }, 180_000);

    it(`${size.name} ${tag}: the map with its panels as sheets; one finger pans it, two zoom it`, async () => {
      const { context, page, errors } = await open(size);
      await openMap(page);
      expectUsable(await measureLayout(page), `map ${tag}`);
      await shoot(page, `e2e-phone-map-${tag}.png`);
      // Each panel opens as a sheet from the tab bar, one at a time, and the map stays usable above it.
      for (const sheet of ['layers', 'ranking', 'feed', 'table'] as const) {
        await page.locator(`.sheet-tabs [data-sheet="${sheet}"]`).tap();
        await page.waitForSelector(`.app-main[data-sheet="${sheet}"]`);
        const shown = {
          layers: '.map-side',
          ranking: '.side-pane .ranking',
          feed: '.side-pane .feed',
          table: '.table-pane .ticket-table',
        }[sheet];
        await page.waitForSelector(shown, { state: 'visible' });
        expectUsable(await measureLayout(page), `map with the ${sheet} sheet ${tag}`);
        await shoot(page, `e2e-phone-map-${sheet}-${tag}.png`);
      }
      await page.locator('.sheet-tabs [data-sheet="table"]').tap();
      await page.waitForSelector('.app-main[data-sheet="none"]');

      // Touch: a one-finger drag moves the map with it, a two-finger spread zooms in.
      const box = (await page.locator('.map-canvas').boundingBox())!;
      const cx = Math.round(box.x + box.width / 2);
      const cy = Math.round(box.y + box.height / 2);
      const seat = [116.68, 39.85] as const;
      const at = () => page.evaluate(`window.__OPSMAP__.project(${seat[0]}, ${seat[1]})`) as Promise<[number, number]>;
      const cdp = await context.newCDPSession(page);
      const touch = (type: 'touchStart' | 'touchMove' | 'touchEnd', points: [number, number][]) =>
        cdp.send('Input.dispatchTouchEvent', { type, touchPoints: points.map(([x, y], id) => ({ x, y, id })) });
      const before = await at();
      await touch('touchStart', [[cx, cy]]);
      for (let i = 1; i <= 8; i++) await touch('touchMove', [[cx + i * 10, cy + i * 6]]);
      await touch('touchEnd', []);
      await expect
        .poll(async () => {
          const now = await at();
          return Math.round(now[0] - before[0]);
        })
        .toBeGreaterThan(40);
      const spread = async () => {
        const [a, b] = [await at(), (await page.evaluate(`window.__OPSMAP__.project(116.7, 39.87)`)) as number[]];
        return Math.hypot(a[0] - b[0]!, a[1] - b[1]!);
      };
      const apart = await spread();
      await touch('touchStart', [
        [cx - 20, cy],
        [cx + 20, cy],
      ]);
      for (let i = 1; i <= 8; i++) {
        await touch('touchMove', [
          [cx - 20 - i * 12, cy],
          [cx + 20 + i * 12, cy],
        ]);
      }
      await touch('touchEnd', []);
      await expect.poll(spread).toBeGreaterThan(apart * 1.5);
      await shoot(page, `e2e-phone-map-touched-${tag}.png`);
      expect(errors).toEqual([]);
      await context.close();
    }, 180_000);

    it(`${size.name} ${tag}: a ticket's detail from the ticket sheet`, async () => {
      const { context, page, errors } = await open(size);
      await openMap(page);
      await page.locator('.sheet-tabs [data-sheet="table"]').tap();
      await page.waitForSelector('.ticket-row', { state: 'visible', timeout: 30_000 });
      const id = await page.locator('.ticket-row .ticket-id').first().textContent();
      await page.locator('.ticket-row').first().tap();
      // Picking the ticket closes the sheet: the detail and the map are in view.
      await page.waitForSelector(`.detail-panel[data-detail="ticket"][data-detail-id="${id}"]`, { state: 'visible' });
      await page.waitForSelector('.app-main[data-sheet="none"]');
      expectUsable(await measureLayout(page), `ticket detail ${tag}`);
      await shoot(page, `e2e-phone-ticket-${tag}.png`);
      expect(errors).toEqual([]);
      await context.close();
    }, 180_000);

    it(`${size.name} ${tag}: the alert inbox and an alert's detail`, async () => {
      const { context, page, errors } = await open(size);
      await openMap(page);
      await page.locator('.alert-badge').tap();
      const item = page.locator('.alert-list button').first();
      await item.waitFor({ state: 'visible', timeout: 30_000 });
      expectUsable(await measureLayout(page), `alert inbox ${tag}`);
      await shoot(page, `e2e-phone-inbox-${tag}.png`);
      await item.tap();
      await page.waitForSelector('.alert-detail', { state: 'visible' });
      expectUsable(await measureLayout(page), `alert detail ${tag}`);
      await shoot(page, `e2e-phone-alert-${tag}.png`);
      const title = page.locator('.alert-detail .alert-title');
      expect(await title.textContent()).toBe('火险：林下发现烟点，疑似焚烧秸秆');
      // In English the title is worded in English from the rule and its facts; the ranger's words stay as given.
      if (await page.locator('.header-more-toggle').isVisible()) await page.locator('.header-more-toggle').tap();
      await page.locator('.app-header .lang-toggle').tap();
      await expect.poll(() => title.textContent()).toBe('Fire risk: 林下发现烟点，疑似焚烧秸秆');
      expectUsable(await measureLayout(page), `alert detail in English ${tag}`);
      await shoot(page, `e2e-phone-alert-en-${tag}.png`);
      expect(errors).toEqual([]);
      await context.close();
    }, 180_000);
  }
});
