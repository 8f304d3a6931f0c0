// The rates' window on the desk, in headless Chromium against the real server with the simulator: the month
// by default (chosen in the KPI bar, kept in the URL), the year fetched on request (the socket leaves it out)
// and shown with its sample, the ranking saying its window and its floor, and the leader's landing in the same
// window. Screenshots: test-results/e2e-rates-<view>.png.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../server/config';
import type { Principal } from '../../server/contract/auth';
import { CHROMIUM_MISSING, NAME_SHIM, chromiumAvailable, launchChromium } from '../helpers/browser';
import { principals } from '../helpers/auth';
import { signIn } from '../helpers/browser-session';
import { startTestServer, type TestServer } from '../helpers/server';

const ARTEFACTS = path.join(PROJECT_ROOT, 'test-results');
const RUN = chromiumAvailable() || process.env.CI === 'true';
if (!RUN) console.warn(`[e2e] skipped: ${CHROMIUM_MISSING}`);
const DISTRICT = 'district:110112';

async function shoot(page: Page, name: string): Promise<void> {
  mkdirSync(ARTEFACTS, { recursive: true });
  writeFileSync(path.join(ARTEFACTS, name), await page.screenshot({ type: 'png' }));
}

/** The number under a KPI (its sample), or null when it shows none. */
const sampleOf = (page: Page, kpi: string) =>
  page.evaluate((k) => {
    const text = document.querySelector(`[data-kpi="${k}"] .kpi-sample`)?.textContent ?? '';
    const digits = text.replace(/[^\d]/g, '');
    return digits === '' ? null : Number(digits);
  }, kpi);

/** A desk-sized Chinese page signed in as `p`. */
async function deskPage(browser: Browser, server: TestServer, p: Principal) {
  const context = await browser.newContext({
    viewport: { width: 1920, height: 1080 },
    locale: 'zh-CN',
    timezoneId: 'Asia/Shanghai',
  });
  await context.addInitScript(NAME_SHIM);
  await signIn(context, server.app, server.url, p);
  return { context, page: await context.newPage() };
}

describe.skipIf(!RUN)(RUN ? 'rate windows' : `rate windows (skipped: ${CHROMIUM_MISSING})`, () => {
  let browser: Browser;
  let server: TestServer;

  beforeAll(async () => {
    browser = await launchChromium();
    // Two days behind it: closes and follow-ups in the month and the year.
    server = await startTestServer({}, { SIMULATOR: 'on', SIM_BACKFILL_HOURS: '48', SIM_SEED: '7' });
    const deadline = Date.now() + 120_000;
    while (Date.now() < deadline) {
      const t = server.app.services.live.aggregate(DISTRICT)?.tickets;
      if (t && t.month.sample.resolution > 20) break;
      await new Promise((r) => setTimeout(r, 500));
    }
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('reads the rates in the month, then the year on request, and says what they rest on', async () => {
    const origin = server.url;
    const { context, page } = await deskPage(browser, server, principals.admin);
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    const aggregates: string[] = [];
    page.on('request', (r) => {
      if (r.url().includes('/api/v1/aggregates')) aggregates.push(r.url());
    });
    await page.goto(`${origin}/?metric=resolutionRate`, { waitUntil: 'domcontentloaded' });
    await page.waitForSelector('.kpi-bar[data-rates="month"]', { timeout: 90_000 });
    await page.waitForSelector('.status[data-freshness="fresh"]', { timeout: 30_000 });

    // The month by default: its button is the chosen one, the samples are the server's month.
    await expect.poll(() => page.locator('.kpi-window [aria-checked="true"]').getAttribute('data-rates')).toBe('month');
    const month = server.app.services.live.aggregate(DISTRICT)!.tickets.month;
    await expect.poll(() => sampleOf(page, 'resolutionRate'), { timeout: 15_000 }).toBeGreaterThan(0);
    // Live: the page's figure trails the server's by at most the deltas in flight.
    expect(Math.abs((await sampleOf(page, 'resolutionRate'))! - month.sample.resolution)).toBeLessThan(30);
    await expect(page.locator('.ranking .panel-sub').innerText()).resolves.toContain('按本月解决率');
    await expect(page.locator('.ranking-rule').innerText()).resolves.toContain('10 件');
    expect(aggregates).toEqual([]); // the month comes with the socket
    await shoot(page, 'e2e-rates-month.png');

    // The year: chosen in the bar, kept in the URL, fetched from the REST API and shown with its sample.
    await page.locator('.kpi-window [data-rates="year"]').click();
    await page.waitForSelector('.kpi-bar[data-rates="year"]');
    expect(new URL(page.url()).searchParams.get('rates')).toBe('year');
    await expect.poll(() => aggregates.length, { timeout: 15_000 }).toBeGreaterThan(0);
    const year = server.app.services.live.aggregate(DISTRICT)!.tickets.year!;
    await expect.poll(() => sampleOf(page, 'resolutionRate'), { timeout: 15_000 }).toBeGreaterThan(0);
    expect(Math.abs((await sampleOf(page, 'resolutionRate'))! - year.sample.resolution)).toBeLessThan(30);
    await expect(page.locator('.ranking .panel-sub').innerText()).resolves.toContain('按本年解决率');
    await shoot(page, 'e2e-rates-year.png');

    // Today: the morning's handful; the link keeps the choice.
    await page.locator('.kpi-window [data-rates="today"]').click();
    await page.waitForSelector('.kpi-bar[data-rates="today"]');
    await page.reload({ waitUntil: 'domcontentloaded' });
    await page.waitForSelector('.kpi-bar[data-rates="today"]', { timeout: 90_000 });
    expect(errors).toEqual([]);
    await context.close();
  }, 300_000);

  it('shows a town leader the landing in the month, with the window to choose and the floor said', async () => {
    const origin = server.url;
    const { context, page } = await deskPage(browser, server, principals.townLeader);
    await page.goto(origin, { waitUntil: 'domcontentloaded' });
    await page.waitForSelector('.landing[data-landing="ready"]', { timeout: 90_000 });
    await expect(page.locator('.landing-body').getAttribute('data-rates')).resolves.toBe('month');
    await expect(page.locator('.landing-floor').innerText()).resolves.toContain('10');
    await shoot(page, 'e2e-rates-landing-month.png');
    await page.locator('.landing-window [data-rates="rolling30d"]').click();
    await page.waitForSelector('.landing-body[data-rates="rolling30d"]', { timeout: 15_000 });
    expect(new URL(page.url()).searchParams.get('rates')).toBe('rolling30d');
    await context.close();
  }, 300_000);
});
