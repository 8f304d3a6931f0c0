// The daily brief in real headless Chromium against the real server with the simulator: a 张家湾镇 leader
// follows the landing's "日报" link to yesterday's brief of their town: the town's name, the day's figures as
// the API gives them, every section, Chinese by default and English on the toggle; the print stylesheet hides
// the toolbar, and the page prints to a non-empty PDF. Not one request leaves the origin.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../server/config';
import type { Brief } from '../../server/contract/brief';
import { SESSION_COOKIE } from '../../server/contract/auth';
import { CHROMIUM_MISSING, NAME_SHIM, chromiumAvailable, launchChromium } from '../helpers/browser';
import { principals, sessionHeaders } from '../helpers/auth';
import { startTestServer, type TestServer } from '../helpers/server';

const ARTEFACTS = path.join(PROJECT_ROOT, 'test-results');
const LOAD_TIMEOUT_MS = 90_000;
const HOUR = 3600_000;

const RUN = chromiumAvailable() || process.env.CI === 'true';
if (!RUN) console.warn(`[e2e] skipped: ${CHROMIUM_MISSING}`);

// The server's clock runs at real speed but is set back to 00:30 Beijing time of today, so a backfill of 25 h
// gives "yesterday" a whole simulated day whatever the hour the test runs.
const shift = (() => {
  const local = (Date.now() + 8 * HOUR) % (24 * HOUR);
  return local - 30 * 60_000 + (local < 30 * 60_000 ? 24 * HOUR : 0);
})();

describe.skipIf(!RUN)(RUN ? 'the daily brief in Chromium' : `the daily brief (skipped: ${CHROMIUM_MISSING})`, () => {
  let browser: Browser;
  let server: TestServer;

  beforeAll(async () => {
    browser = await launchChromium();
    server = await startTestServer(
      { now: () => Date.now() - shift },
      { SIMULATOR: 'on', SIM_BACKFILL_HOURS: '25', SIM_SEED: '7' },
    );
    await server.app.services.simulator?.ready;
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it("shows a 张家湾镇 leader yesterday's brief of their town, prints it, and nothing leaves the origin", async () => {
    const origin = server.url;
    const { cookie } = await sessionHeaders(server.app, principals.townLeader);
    const value = cookie.slice(`${SESSION_COOKIE}=`.length);
    const context = await browser.newContext({
      viewport: { width: 1280, height: 1800 },
      locale: 'zh-CN',
      timezoneId: 'Asia/Shanghai',
    });
    await context.addInitScript(NAME_SHIM);
    await context.addCookies([{ name: SESSION_COOKIE, value, url: origin, httpOnly: true, sameSite: 'Strict' }]);
    const requests: string[] = [];
    context.on('request', (r) => requests.push(r.url()));
    await context.route(
      (url) => url.protocol.startsWith('http') && url.origin !== origin,
      (route) => route.abort('blockedbyclient'),
    );
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));

    // The landing's link.
    await page.goto(origin, { waitUntil: 'domcontentloaded' });
    await page.waitForSelector('.landing [data-brief-link]', { timeout: LOAD_TIMEOUT_MS });
    expect(await page.locator('.landing [data-brief-link]').textContent()).toBe('日报');
    await page.locator('.landing [data-brief-link]').click();
    await page.waitForSelector('.brief[data-brief="ready"]', { timeout: LOAD_TIMEOUT_MS });
    expect(new URL(page.url()).pathname).toBe('/brief');

    // The same figures as the API's.
    const api = (await (await context.request.get(`${origin}/api/v1/brief?area=town:110112105`)).json()) as Brief;
    expect(api.area.name).toBe('张家湾镇');
    expect(api.tickets.day.created).toBeGreaterThan(0);
    expect(await page.locator('.brief h1').textContent()).toContain('张家湾镇');
    expect(await page.locator('.brief-date').textContent()).toContain(api.date);
    const cell = (figure: string) => page.locator(`.brief-kpis tr[data-figure="${figure}"] td`).first().textContent();
    expect(await cell('created')).toBe(String(api.tickets.day.created));
    expect(await cell('closed')).toBe(String(api.tickets.day.closed));
    expect(await cell('overdue')).toBe(String(api.tickets.day.overdue));
    // 未诉先办: the day's share, and what it rests on.
    const { proactive, created } = api.tickets.day;
    expect(await cell('proactive')).toContain(`（${proactive}/${created} 件）`);
    if (created > 0) expect(await cell('proactive')).toContain(`${((proactive / created) * 100).toFixed(1)}%`);
    expect(await page.locator('.brief-bar-day').count()).toBe(8);
    for (const s of ['tickets', 'overdue', 'worst', 'flood', 'patrol', 'alerts'])
      expect(await page.locator(`.brief-${s}`).count(), s).toBe(1);
    expect(await page.locator('.brief-worst tbody tr').count()).toBe(api.worstCells.items.length);
    expect(await page.locator('.brief-tile[data-tile="raised"] .brief-tile-value').textContent()).toBe(
      String(api.alerts.raised),
    );
    const text = (await page.locator('.brief').textContent()) ?? '';
    expect(text).toContain('上周同日');
    expect(text).not.toContain('宋庄');

    mkdirSync(ARTEFACTS, { recursive: true });
    writeFileSync(path.join(ARTEFACTS, 'e2e-brief.png'), await page.screenshot({ type: 'png', fullPage: true }));

    // Printed: no toolbar, and a PDF with pages in it.
    await page.emulateMedia({ media: 'print' });
    expect(await page.locator('.brief-toolbar').isVisible()).toBe(false);
    const pdf = await page.pdf({ format: 'A4', printBackground: true });
    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect(pdf.length).toBeGreaterThan(20_000);
    writeFileSync(path.join(ARTEFACTS, 'e2e-brief.pdf'), pdf);
    await page.emulateMedia({ media: 'screen' });

    // English on the toggle.
    await page.locator('.brief-toolbar [data-lang]').click();
    await expect.poll(() => page.locator('.brief-tickets h2').textContent()).toBe('Citizen tickets');
    expect(await page.locator('.brief-print').textContent()).toBe('Print / PDF');

    expect(errors).toEqual([]);
    expect(requests.filter((u) => !/^(data|blob):/.test(u) && new URL(u).origin !== origin)).toEqual([]);
    await context.close();
  }, 300_000);
});
