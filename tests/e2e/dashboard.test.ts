// The dashboard as its users meet it, in real headless Chromium against the real server: drill-down with
// breadcrumb, URL and rankings following; the back button going up; the language toggle; recovery after a
// server restart without anyone touching the page; screenshots at desk (1920×1080) and wall (3840×2160)
// sizes; and, all along, not one request to any host but the page's own.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AreaTree } from '../../server/contract/areas';
import { PROJECT_ROOT } from '../../server/config';
import type { TownProps } from '../../server/contract/areas';
import { FAMILY_OF, FAMILY_RGBA } from '../../client/map/palette';
import {
  CHROMIUM_MISSING,
  NAME_SHIM,
  chromiumAvailable,
  decodePng,
  launchChromium,
  type RgbaImage,
  waitCameraStill,
} from '../helpers/browser';
import { signIn } from '../helpers/browser-session';
import { bearerHeaders, principals } from '../helpers/auth';
import type { App } from '../../server/app';
import { startTestServer, type TestServer } from '../helpers/server';

const ARTEFACTS = path.join(PROJECT_ROOT, 'test-results');
const DESK = { width: 1920, height: 1080 };
const LOAD_TIMEOUT_MS = 90_000;

const RUN = chromiumAvailable() || process.env.CI === 'true';
if (!RUN) console.warn(`[e2e] skipped: ${CHROMIUM_MISSING}`);

/** A browser context that records every request and stops any that would leave the origin. */
/** …logged in as a district duty officer (the dashboard needs a session). */
async function openContext(
  browser: Browser,
  origin: string,
  app: App,
  options: Parameters<Browser['newContext']>[0] = {},
) {
  const context = await browser.newContext({
    viewport: DESK,
    locale: 'zh-CN',
    timezoneId: 'Asia/Shanghai',
    ...options,
  });
  await signIn(context, app, origin);
  await context.addInitScript(NAME_SHIM);
  const requests: string[] = [];
  context.on('request', (r) => requests.push(r.url()));
  await context.route(
    (url) => url.protocol.startsWith('http') && url.origin !== origin,
    (route) => route.abort('blockedbyclient'),
  );
  const foreign = () =>
    requests.filter((u) => {
      const url = new URL(u);
      return url.protocol !== 'data:' && url.protocol !== 'blob:' && url.origin !== origin;
    });
  return { context, requests, foreign };
}

function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => {
    // A refused websocket while the server is down is expected in the restart test; nothing else is.
    if (m.type() === 'error' && !/WebSocket|ERR_CONNECTION_REFUSED|net::ERR/.test(m.text()))
      errors.push(`console: ${m.text()}`);
  });
  return errors;
}

/** Waits until the map is drawn and the live state has arrived. */
async function waitLive(page: Page): Promise<void> {
  await page.waitForSelector('.map-canvas[data-map-state="ready"]', { state: 'attached', timeout: LOAD_TIMEOUT_MS });
  await page.waitForFunction(() => Number(document.querySelector('.kpi-bar')?.getAttribute('data-seq')) > 0, null, {
    timeout: 30_000,
  });
}

/** Waits until deck.gl has drawn what the store holds now (the map sets these attributes). */
async function waitDrawn(page: Page): Promise<void> {
  await page.waitForFunction(
    () => {
      const el = document.querySelector<HTMLElement>('.map-canvas');
      return !!el?.dataset.pendingVersion && el.dataset.deckVersion === el.dataset.pendingVersion;
    },
    null,
    { timeout: 30_000 },
  );
}

const kpi = async (page: Page, key: string) =>
  Number((await page.locator(`[data-kpi="${key}"] .kpi-value`).innerText()).replace(/[^\d]/g, ''));

async function screenshot(page: Page, name: string): Promise<Buffer> {
  const png = await page.screenshot({ type: 'png' });
  mkdirSync(ARTEFACTS, { recursive: true });
  writeFileSync(path.join(ARTEFACTS, name), png);
  return png;
}

/** Share of pixels in the region that are not the page background: a blank map would be ~0. */
function paintedShare(
  png: Buffer,
  region: { x: number; y: number; width: number; height: number },
  background: readonly [number, number, number],
): number {
  const img = decodePng(png);
  let painted = 0;
  for (let y = region.y; y < region.y + region.height; y++) {
    for (let x = region.x; x < region.x + region.width; x++) {
      const i = (y * img.width + x) * 4;
      const d =
        Math.abs(img.data[i]! - background[0]) +
        Math.abs(img.data[i + 1]! - background[1]) +
        Math.abs(img.data[i + 2]! - background[2]);
      if (d > 24) painted++;
    }
  }
  return painted / (region.width * region.height);
}

describe.skipIf(!RUN)(RUN ? 'the dashboard in Chromium' : `the dashboard (skipped: ${CHROMIUM_MISSING})`, () => {
  let browser: Browser;
  let server: TestServer;
  let tree: AreaTree;

  beforeAll(async () => {
    browser = await launchChromium();
    server = await startTestServer();
    tree = (await (
      await fetch(`${server.url}/api/v1/areas/tree`, { headers: await bearerHeaders(server.app, principals.wall) })
    ).json()) as AreaTree;
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('drills down from the district to a town and a grid cell; breadcrumb, URL and ranking follow; back goes up', async () => {
    const origin = new URL(server.url).origin;
    const { context, foreign } = await openContext(browser, origin, server.app);
    const page = await context.newPage();
    const errors = watchErrors(page);
    await page.goto(server.url);
    await waitLive(page);

    // District level: the ranking lists the 22 towns.
    const towns = Object.values(tree.nodes).filter((n) => n.level === 'town');
    await page.waitForSelector('.ranking [data-area^="town:"]');
    expect(await page.locator('.ranking [data-area^="town:"]').count()).toBe(towns.length);
    await expect(page.locator('.breadcrumb [aria-current]').innerText()).resolves.toBe('通州区');

    // Click the first-ranked town: the page follows it.
    const first = page.locator('.ranking [data-area^="town:"]').first();
    const townKey = (await first.getAttribute('data-area'))!;
    const townName = tree.nodes[townKey]!.name;
    await first.click();
    await page.waitForFunction((k) => new URL(location.href).searchParams.get('area') === k, townKey);
    await expect(page.locator('.breadcrumb [aria-current]').innerText()).resolves.toBe(townName);
    await expect(page.locator('.breadcrumb li').first().innerText()).resolves.toContain('通州区');
    // The KPI bar and the ranking now speak of the town and its grid cells.
    await page.waitForFunction((k) => document.querySelector('.kpi-bar')?.getAttribute('data-area') === k, townKey);
    await page.waitForSelector('.ranking [data-area^="grid:"]', { timeout: 30_000 });
    const cells = tree.children[townKey]!.filter((k) => k.startsWith('grid:'));
    expect(await page.locator('.ranking [data-area^="grid:"]').count()).toBe(cells.length);
    expect(await page.locator('.ranking [data-area^="town:"]').count()).toBe(0);
    await waitDrawn(page);
    await screenshot(page, 'e2e-dashboard-town.png');

    // Into one grid cell: the breadcrumb has three levels.
    const cellRow = page.locator('.ranking [data-area^="grid:"]').first();
    const cellKey = (await cellRow.getAttribute('data-area'))!;
    await cellRow.click();
    await page.waitForFunction((k) => new URL(location.href).searchParams.get('area') === k, cellKey);
    await expect(page.locator('.breadcrumb li[data-area]').count()).resolves.toBe(3);

    // The link reproduces the view in a fresh page.
    const link = page.url();
    const second = await context.newPage();
    await second.goto(link);
    await waitLive(second);
    await expect(second.locator('.breadcrumb [aria-current]').innerText()).resolves.toBe(tree.nodes[cellKey]!.name);
    await second.close();

    // Back: up to the town, then to the district, with the ranking following.
    await page.goBack();
    await page.waitForFunction((k) => new URL(location.href).searchParams.get('area') === k, townKey);
    await expect(page.locator('.breadcrumb [aria-current]').innerText()).resolves.toBe(townName);
    await page.goBack();
    await page.waitForFunction(() => !new URL(location.href).searchParams.has('area'));
    await page.waitForSelector('.ranking [data-area^="town:"]');
    await expect(page.locator('.breadcrumb [aria-current]').innerText()).resolves.toBe('通州区');

    expect(foreign(), foreign().join('\n')).toEqual([]);
    expect(errors, errors.join('\n')).toEqual([]);
    await context.close();
  }, 180_000);

  it('on the map: hovering a town shows its card, clicking it drills down, and the detail panel opens', async () => {
    const origin = new URL(server.url).origin;
    const { context, foreign } = await openContext(browser, origin, server.app);
    const page = await context.newPage();
    const errors = watchErrors(page);
    // Areas only: a ticket point or a checkpoint under the pointer would be picked first.
    await page.goto(`${server.url}/?layers=`);
    await waitLive(page);
    await waitDrawn(page);
    const towns = (await (
      await fetch(`${origin}/api/v1/areas/towns`, { headers: await bearerHeaders(server.app, principals.wall) })
    ).json()) as { features: { properties: TownProps }[] };
    const town = towns.features.find((f) => f.properties.name === '宋庄镇')!.properties;
    // Beside the seat, where the town's own name label sits.
    const [lon, lat] = [town.seat[0] + 0.012, town.seat[1] + 0.008];
    const [x, y] = await page.evaluate(
      ([a, b]) =>
        (
          window as unknown as { __OPSMAP__: { project(lon: number, lat: number): [number, number] } }
        ).__OPSMAP__.project(a, b),
      [lon, lat] as const,
    );
    const box = (await page.locator('.map-canvas').boundingBox())!;
    await page.mouse.move(box.x + x, box.y + y);
    await page.waitForSelector('.map-tooltip', { timeout: 10_000 });
    await expect(page.locator('.map-tooltip').innerText()).resolves.toContain('宋庄镇');
    await page.mouse.click(box.x + x, box.y + y);
    await page.waitForFunction((k) => new URL(location.href).searchParams.get('area') === k, `town:${town.id}`);
    await expect(page.locator('.breadcrumb [aria-current]').innerText()).resolves.toBe('宋庄镇');
    await expect(page.locator('.detail-panel').innerText()).resolves.toContain('宋庄镇');
    expect(foreign()).toEqual([]);
    expect(errors, errors.join('\n')).toEqual([]);
    await context.close();
  }, 120_000);

  it('switches the whole page between Chinese and English, and remembers the choice', async () => {
    const origin = new URL(server.url).origin;
    const { context, foreign } = await openContext(browser, origin, server.app);
    const page = await context.newPage();
    await page.goto(server.url);
    await waitLive(page);
    await expect(page.locator('h1').innerText()).resolves.toContain('运行一张图');
    await expect(page.locator('[data-kpi="resolutionRate"] .kpi-label').innerText()).resolves.toBe('解决率');
    await expect(page.locator('html').getAttribute('lang')).resolves.toBe('zh-CN');

    await page.locator('.lang-toggle').click();
    await expect(page.locator('h1').innerText()).resolves.toContain('Ops Map');
    await expect(page.locator('[data-kpi="resolutionRate"] .kpi-label').innerText()).resolves.toBe('Resolution');
    await expect(page.locator('html').getAttribute('lang')).resolves.toBe('en');
    // No Chinese left in the chrome of the page (area names stay Chinese: they are names).
    // The language toggle itself reads 中文 then: it offers the way back.
    for (const part of ['.kpi-bar', '.status', '.toggle-group', '.clock', '.ranking h2', '.ticket-table thead']) {
      const text =
        (await page
          .locator(part)
          .first()
          .innerText()
          .catch(() => '')) || '';
      expect(text, part).not.toMatch(/[\u4e00-\u9fff]/);
    }
    // Numbers and the clock are formatted for the language.
    await expect(page.locator('.clock').innerText()).resolves.toMatch(/[A-Z][a-z]{2}/);
    await screenshot(page, 'e2e-dashboard-en.png');

    await page.reload();
    await waitLive(page);
    await expect(page.locator('h1').innerText()).resolves.toContain('Ops Map');
    await page.locator('.lang-toggle').click();
    await expect(page.locator('h1').innerText()).resolves.toContain('运行一张图');
    expect(foreign()).toEqual([]);
    await context.close();
  }, 120_000);

  it('fills a desk screen (1920×1080, dark and light) and a 4K wall (3840×2160) with a drawn map and panels', async () => {
    const origin = new URL(server.url).origin;
    for (const [name, options, theme, background] of [
      ['desk-1920x1080', { viewport: DESK, deviceScaleFactor: 1 }, 'wall', [6, 13, 24]],
      ['desk-day-1920x1080', { viewport: DESK, deviceScaleFactor: 1 }, 'day', [238, 241, 245]],
      // A 4K wall runs its browser at 200 % scaling: the same layout, every pixel doubled.
      ['wall-3840x2160', { viewport: DESK, deviceScaleFactor: 2 }, 'wall', [6, 13, 24]],
    ] as const) {
      const { context, foreign } = await openContext(browser, origin, server.app, options);
      const page = await context.newPage();
      const errors = watchErrors(page);
      await page.goto(`${server.url}/?theme=${theme}`);
      await waitLive(page);
      await waitDrawn(page);
      await page.waitForTimeout(300); // the frame after the last delta is on screen
      const png = await screenshot(page, `e2e-dashboard-${name}.png`);
      const img = decodePng(png);
      expect([img.width, img.height]).toEqual([
        DESK.width * options.deviceScaleFactor,
        DESK.height * options.deviceScaleFactor,
      ]);

      const box = (await page.locator('.map-pane').boundingBox())!;
      const s = options.deviceScaleFactor;
      const region = {
        x: Math.round(box.x * s),
        y: Math.round(box.y * s),
        width: Math.round(box.width * s),
        height: Math.round(box.height * s),
      };
      expect(region.width * region.height).toBeGreaterThan(0.3 * img.width * img.height);
      expect(paintedShare(png, region, background)).toBeGreaterThan(0.25);
      // Panels are there and not empty.
      expect(await page.locator('.ranking [data-area]').count()).toBeGreaterThan(10);
      expect(await page.locator('[data-ticket-id]').count()).toBeGreaterThan(0);
      expect(foreign()).toEqual([]);
      expect(errors, errors.join('\n')).toEqual([]);
      await context.close();
    }
  }, 240_000);
});

describe.skipIf(!RUN)(
  RUN ? 'the dashboard across a server restart' : 'the dashboard across a server restart (skipped)',
  () => {
    let browser: Browser;
    let dir: string;

    beforeAll(async () => {
      browser = await launchChromium();
      dir = mkdtempSync(path.join(tmpdir(), 'opsmap-restart-'));
    }, 60_000);

    afterAll(async () => {
      await browser?.close();
      rmSync(dir, { recursive: true, force: true });
    });

    it('says it lost the connection, then recovers by itself when the server is back', async () => {
      const env = { STORE: 'sqlite', DATABASE_PATH: path.join(dir, 'log.sqlite') };
      let server = await startTestServer({}, env);
      const port = new URL(server.url).port;
      const origin = new URL(server.url).origin;
      const { context, foreign }: { context: BrowserContext; foreign: () => string[] } = await openContext(
        browser,
        origin,
        server.app,
      );
      const page = await context.newPage();
      const errors = watchErrors(page);
      await page.goto(server.url);
      await waitLive(page);
      await page.waitForSelector('.status[data-freshness="fresh"]');
      const before = Number(await page.locator('.kpi-bar').getAttribute('data-seq'));

      await server.close();
      await page.waitForSelector('.status[data-freshness="offline"]', { timeout: 30_000 });
      await expect(page.locator('.status').innerText()).resolves.toContain('连接中断');

      // Same port, same log: the server rebuilds its state from the log and the page resumes on its own.
      server = await startTestServer({}, { ...env, PORT: port });
      try {
        await page.waitForSelector('.status[data-freshness="fresh"]', { timeout: 60_000 });
        // The state rebuilt from the log is on the page again. The simulator's resumed run is not waited for:
        // at night (CI at 04:00 in Beijing) it may send nothing for minutes; the posted ticket below proves live.
        await page.waitForFunction(
          (s) => Number(document.querySelector('.kpi-bar')?.getAttribute('data-seq')) >= s,
          before,
          { timeout: 30_000 },
        );
        // And it is live again, not just reconnected: a ticket posted now reaches the page.
        const res = await fetch(`${server.url}/api/v1/events`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...(await bearerHeaders(server.app, principals.feed)) },
          body: JSON.stringify([
            {
              id: 'e2e-restart-1',
              kind: 'ticket.created',
              time: new Date().toISOString(),
              source: 'hotline_12345',
              ticketId: 'E2E-RESTART-1',
              category: 'road',
              urgency: 'normal',
              channel: 'hotline_12345',
              title: '路面塌陷',
              location: { lon: 116.6842, lat: 39.8875 },
            },
          ]),
        });
        const seq = ((await res.json()) as { results: { seq: number }[] }).results[0]!.seq;
        await page.waitForFunction(
          (s) => Number(document.querySelector('.kpi-bar')?.getAttribute('data-seq')) >= s,
          seq,
          { timeout: 15_000 },
        );
        expect(foreign()).toEqual([]);
        expect(errors, errors.join('\n')).toEqual([]);
      } finally {
        await context.close();
        await server.close();
      }
    }, 240_000);
  },
);

/** Pixels within `radius` of (x, y) (device pixels) that are within `tolerance` of `rgb`. */
function hitsNear(
  img: RgbaImage,
  x: number,
  y: number,
  radius: number,
  rgb: readonly number[],
  tolerance = 40,
): number {
  let hits = 0;
  for (let yy = Math.max(0, Math.round(y - radius)); yy <= Math.min(img.height - 1, Math.round(y + radius)); yy++) {
    for (let xx = Math.max(0, Math.round(x - radius)); xx <= Math.min(img.width - 1, Math.round(x + radius)); xx++) {
      const i = (yy * img.width + xx) * 4;
      if (
        Math.abs(img.data[i]! - rgb[0]!) <= tolerance &&
        Math.abs(img.data[i + 1]! - rgb[1]!) <= tolerance &&
        Math.abs(img.data[i + 2]! - rgb[2]!) <= tolerance
      )
        hits++;
    }
  }
  return hits;
}

describe.skipIf(!RUN)(RUN ? 'a ticket reaching the dashboard' : 'a ticket reaching the dashboard (skipped)', () => {
  let browser: Browser;
  let server: TestServer;

  beforeAll(async () => {
    browser = await launchChromium();
    // A quiet server: every change on the page is the one this test makes.
    server = await startTestServer({}, { SIMULATOR: 'off' });
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('appears at its place on the map in its category colour, in the table and the feed, and moves the KPI', async () => {
    const origin = new URL(server.url).origin;
    const towns = (await (
      await fetch(`${origin}/api/v1/areas/towns`, { headers: await bearerHeaders(server.app, principals.wall) })
    ).json()) as { features: { properties: TownProps }[] };
    const town = towns.features.find((f) => f.properties.name === '宋庄镇')!.properties;
    // Beside the seat, not on it: the town's name label sits on the seat.
    const [lon, lat] = [town.seat[0] + 0.012, town.seat[1] + 0.008];
    const { context, foreign } = await openContext(browser, origin, server.app);
    const page = await context.newPage();
    const errors = watchErrors(page);
    await page.goto(`${server.url}/?area=town:${town.id}&layers=tickets`);
    await page.waitForSelector('.map-canvas[data-map-state="ready"]', { state: 'attached', timeout: LOAD_TIMEOUT_MS });
    await page.waitForSelector('.status[data-freshness="fresh"]', { timeout: 30_000 });
    await waitDrawn(page);
    await waitCameraStill(page, [lon, lat]);
    const openBefore = await kpi(page, 'open');

    const category = 'safety_hazard';
    const colour = FAMILY_RGBA[FAMILY_OF[category]];
    const point = async () => {
      const [x, y] = await page.evaluate(
        ([a, b]) =>
          (
            window as unknown as { __OPSMAP__: { project(lon: number, lat: number): [number, number] } }
          ).__OPSMAP__.project(a, b),
        [lon, lat] as const,
      );
      const box = (await page.locator('.map-canvas').boundingBox())!;
      return { x: box.x + x, y: box.y + y };
    };
    const at = await point();
    const before = decodePng(await screenshot(page, 'e2e-ticket-before.png'));
    expect(hitsNear(before, at.x, at.y, 6, colour), 'the place is clear before the ticket').toBeLessThan(4);

    const res = await fetch(`${origin}/api/v1/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(await bearerHeaders(server.app, principals.feed)) },
      body: JSON.stringify([
        {
          id: 'e2e-place-1',
          kind: 'ticket.created',
          time: new Date().toISOString(),
          source: 'hotline_12345',
          ticketId: 'E2E-PLACE-1',
          category,
          urgency: 'urgent',
          channel: 'hotline_12345',
          title: '燃气管道异味',
          location: { lon, lat, crs: 'wgs84' },
        },
      ]),
    });
    expect(res.status).toBe(200);
    const inTown = (await (
      await fetch(`${origin}/api/v1/tickets?area=town:${town.id}`, {
        headers: await bearerHeaders(server.app, principals.wall),
      })
    ).json()) as { items: { id: string }[] };
    expect(
      inTown.items.map((x) => x.id),
      'the test point lies in the town',
    ).toContain('E2E-PLACE-1');

    await page.waitForFunction(
      (n) => Number(document.querySelector('[data-kpi="open"] .kpi-value')?.textContent?.replace(/[^\d]/g, '')) === n,
      openBefore + 1,
      { timeout: 15_000 },
    );
    await waitDrawn(page);
    await page.waitForTimeout(600);
    const after = decodePng(await screenshot(page, 'e2e-ticket-after.png'));
    const here = await point();
    expect(
      hitsNear(after, here.x, here.y, 6, colour),
      `the ticket is drawn at ${here.x.toFixed(0)},${here.y.toFixed(0)}`,
    ).toBeGreaterThanOrEqual(4);
    await expect(page.locator('[data-ticket-id="E2E-PLACE-1"]').count()).resolves.toBe(1);
    await expect(page.locator('.feed').innerText()).resolves.toContain('燃气管道异味');
    expect(foreign()).toEqual([]);
    expect(errors, errors.join('\n')).toEqual([]);
    await context.close();
  }, 180_000);
});
