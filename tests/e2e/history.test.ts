// History mode in real headless Chromium against the embedded product (simulator with two hours of backfill): the
// duty officer picks "last hour" under the map, the whole dashboard shows the district as it was (the KPI bar's
// seq is the replay's, behind the live one), an amber HISTORY state is on screen, playing at 600× moves the
// moment and the state forward, and one click goes back to live. Screenshot: test-results/e2e-history.png.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../server/config';
import { CHROMIUM_MISSING, NAME_SHIM, chromiumAvailable, decodePng, launchChromium } from '../helpers/browser';
import { signIn } from '../helpers/browser-session';
import { startTestServer, type TestServer } from '../helpers/server';

const ARTEFACTS = path.join(PROJECT_ROOT, 'test-results');
const LOAD_TIMEOUT_MS = 90_000;
const RUN = chromiumAvailable() || process.env.CI === 'true';
if (!RUN) console.warn(`[e2e] skipped: ${CHROMIUM_MISSING}`);

function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error' && !/WebSocket|ERR_CONNECTION_REFUSED|net::ERR/.test(m.text()))
      errors.push(`console: ${m.text()}`);
  });
  return errors;
}

const seqOf = async (page: Page, selector: string): Promise<number> =>
  Number(await page.locator(selector).getAttribute('data-seq'));

describe.skipIf(!RUN)(RUN ? 'history mode in Chromium' : `history mode (skipped: ${CHROMIUM_MISSING})`, () => {
  let browser: Browser;
  let server: TestServer;

  beforeAll(async () => {
    browser = await launchChromium();
    server = await startTestServer();
    await server.app.services.simulator?.ready;
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('replays the last hour over the whole dashboard, plays at 600×, and goes back to live', async () => {
    const origin = new URL(server.url).origin;
    const context = await browser.newContext({
      viewport: { width: 1920, height: 1080 },
      locale: 'zh-CN',
      timezoneId: 'Asia/Shanghai',
    });
    await signIn(context, server.app, origin);
    await context.addInitScript(NAME_SHIM);
    const page = await context.newPage();
    const errors = watchErrors(page);
    await page.goto(`${server.url}/`);
    await page.waitForSelector('.map-canvas[data-map-state="ready"]', { state: 'attached', timeout: LOAD_TIMEOUT_MS });
    await page.waitForSelector('.status[data-freshness="fresh"]', { timeout: 30_000 });
    await page.waitForSelector('.time-bar[data-mode="live"]');
    const liveSeq = await seqOf(page, '.kpi-bar');
    expect(liveSeq).toBeGreaterThan(0);

    await page.click('.time-bar button[data-preset="hour"]');
    await page.waitForSelector('.time-bar[data-mode="history"] .history-badge', { timeout: 30_000 });
    // The KPI bar reads the replay's store: the log as it stood an hour ago, behind the live seq.
    await page.waitForFunction(
      () => {
        const seq = Number(document.querySelector('.kpi-bar')?.getAttribute('data-seq'));
        return seq > 0;
      },
      null,
      { timeout: 30_000 },
    );
    const startSeq = await seqOf(page, '.kpi-bar');
    expect(startSeq).toBeLessThan(liveSeq);
    const startAt = await page.locator('[data-testid="history-at"]').textContent();
    expect(await page.locator('.history-badge').textContent()).toContain('历史回放');

    await page.click('.history-speeds button:has-text("600×")');
    await page.click('.history-play');
    await page.waitForFunction(
      (s) => Number(document.querySelector('.kpi-bar')?.getAttribute('data-seq')) > s,
      startSeq,
      { timeout: 30_000 },
    );
    // Pause at once, for a steady screenshot: at 600× the hour is over in six seconds, and on a loaded machine the
    // replay may already have ended (the button is then disabled, and the replay stands still anyway).
    // Checked and clicked in one step in the page: between a separate check and click the replay can end.
    await page.evaluate(() => {
      const play = document.querySelector<HTMLButtonElement>('.history-play');
      if (play && !play.disabled) play.click();
    });
    const playedSeq = await seqOf(page, '.kpi-bar');
    expect(playedSeq).toBeGreaterThan(startSeq);
    expect(await page.locator('[data-testid="history-at"]').textContent()).not.toBe(startAt);
    mkdirSync(ARTEFACTS, { recursive: true });
    writeFileSync(path.join(ARTEFACTS, 'e2e-history.png'), await page.screenshot({ type: 'png' }));

    await page.click('.history-live');
    await page.waitForSelector('.time-bar[data-mode="live"]', { timeout: 10_000 });
    await page.waitForFunction(
      (s) => Number(document.querySelector('.kpi-bar')?.getAttribute('data-seq')) >= s,
      liveSeq,
      { timeout: 30_000 },
    );
    expect(await page.locator('.history-badge').count()).toBe(0);
    expect(errors).toEqual([]);
    await context.close();
  }, 240_000);

  it('exports the map view as a PNG with the map drawn in it (export, issue §3)', async () => {
    const origin = new URL(server.url).origin;
    const context = await browser.newContext({
      viewport: { width: 1600, height: 900 },
      locale: 'zh-CN',
      timezoneId: 'Asia/Shanghai',
      acceptDownloads: true,
    });
    await signIn(context, server.app, origin);
    await context.addInitScript(NAME_SHIM);
    const page = await context.newPage();
    const errors = watchErrors(page);
    await page.goto(`${server.url}/`);
    await page.waitForSelector('.map-canvas[data-map-state="ready"]', { state: 'attached', timeout: LOAD_TIMEOUT_MS });
    await page.waitForSelector('.status[data-freshness="fresh"]', { timeout: 30_000 });
    await page.waitForTimeout(1500);
    const [download] = await Promise.all([
      page.waitForEvent('download', { timeout: 30_000 }),
      page.click('[data-export="png"]'),
    ]);
    expect(download.suggestedFilename()).toMatch(/\.png$/);
    const file = await download.path();
    const image = decodePng(readFileSync(file!));
    expect(image.width).toBeGreaterThan(400);
    expect(image.height).toBeGreaterThan(300);
    // Not a blank canvas: the basemap, the district's areas and the layers give many colours.
    const colours = new Set<number>();
    for (let i = 0; i < image.data.length; i += 4 * 97)
      colours.add((image.data[i]! << 16) | (image.data[i + 1]! << 8) | image.data[i + 2]!);
    expect(colours.size).toBeGreaterThan(20);
    writeFileSync(path.join(ARTEFACTS, 'e2e-export-map.png'), readFileSync(file!));
    expect(errors).toEqual([]);
    await context.close();
  }, 180_000);
});
