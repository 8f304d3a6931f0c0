// 治理类 and 零诉求 starts in headless Chromium against the real server with the simulator and the default
// settings (张家湾镇 treated since 2019-07-01; 后青山村 15 months without a complaint before the log began):
// a 张家湾镇 leader's landing shows the 三升四降 strip with the same figures as the API, and the streaks list
// 后青山村 from its configured start unless the simulator has put a ticket there before today.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../server/config';
import { SESSION_COOKIE } from '../../server/contract/auth';
import type { Landing } from '../../server/contract/landing';
import { CHROMIUM_MISSING, NAME_SHIM, chromiumAvailable, launchChromium } from '../helpers/browser';
import { principals, sessionHeaders } from '../helpers/auth';
import { startTestServer, type TestServer } from '../helpers/server';

const ARTEFACTS = path.join(PROJECT_ROOT, 'test-results');
const RUN = chromiumAvailable() || process.env.CI === 'true';
if (!RUN) console.warn(`[e2e] skipped: ${CHROMIUM_MISSING}`);

describe.skipIf(!RUN)(RUN ? '治理类 on the landing' : `治理类 on the landing (skipped: ${CHROMIUM_MISSING})`, () => {
  let browser: Browser;
  let server: TestServer;

  beforeAll(async () => {
    browser = await launchChromium();
    // Two weeks of backfill: the previous month has days behind it for most of the month's days.
    server = await startTestServer({}, { SIMULATOR: 'on', SIM_BACKFILL_HOURS: '336', SIM_SEED: '7' });
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('shows the 三升四降 strip of a treated town and the configured streaks', async () => {
    const origin = server.url;
    const headers = await sessionHeaders(server.app, principals.townLeader);
    const deadline = Date.now() + 120_000;
    for (;;) {
      const agg = server.app.services.live.aggregate('town:110112105');
      if ((agg && agg.tickets.month.created > 0) || Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    const context = await browser.newContext({
      viewport: { width: 1920, height: 1080 },
      locale: 'zh-CN',
      timezoneId: 'Asia/Shanghai',
    });
    await context.addInitScript(NAME_SHIM);
    const value = headers.cookie.slice(`${SESSION_COOKIE}=`.length);
    await context.addCookies([{ name: SESSION_COOKIE, value, url: origin, httpOnly: true, sameSite: 'Strict' }]);
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(origin, { waitUntil: 'domcontentloaded' });
    await page.waitForSelector('.landing[data-landing="ready"]', { timeout: 90_000 });

    const strip = page.locator('.landing-treatment');
    await expect.poll(() => strip.count()).toBe(1);
    expect(await strip.locator('.landing-treatment-tag').textContent()).toBe('治理类 · 2019-07-01 起');
    expect(await strip.locator('.landing-treatment-item').count()).toBe(4);

    const res = await server.app.inject({ method: 'GET', url: '/api/v1/landing', headers });
    const body = res.json<Landing>();
    expect(body.treatment?.since).toBe('2019-07-01');
    expect(await strip.getAttribute('data-met')).toBe(String(body.treatment!.pair.met));
    // 后青山村: from 15 months before the log's first day while the log has no ticket of it before today.
    const hqs = body.units.find((u) => u.name === '后青山村')!;
    const streaks = (await page.locator('.landing-streaks').textContent()) ?? '';
    if (hqs.zeroComplaintDays > 400) expect(streaks).toContain('后青山村');

    mkdirSync(ARTEFACTS, { recursive: true });
    writeFileSync(path.join(ARTEFACTS, 'e2e-landing-treatment.png'), await page.screenshot({ type: 'png' }));
    expect(errors).toEqual([]);
    await context.close();
  }, 300_000);

  it('tags the treated town in the desk ranking of the district', async () => {
    const origin = server.url;
    const headers = await sessionHeaders(server.app, principals.admin);
    const context = await browser.newContext({
      viewport: { width: 1920, height: 1080 },
      locale: 'zh-CN',
      timezoneId: 'Asia/Shanghai',
    });
    await context.addInitScript(NAME_SHIM);
    const value = headers.cookie.slice(`${SESSION_COOKIE}=`.length);
    await context.addCookies([{ name: SESSION_COOKIE, value, url: origin, httpOnly: true, sameSite: 'Strict' }]);
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${origin}/?metric=satisfactionRate`, { waitUntil: 'domcontentloaded' });
    await page.waitForSelector('.ranking [data-area^="town:"]', { timeout: 90_000 });
    // The live state has arrived: the ranking shows values, not the waiting mark.
    await page.waitForFunction(() => Number(document.querySelector('.kpi-bar')?.getAttribute('data-seq')) > 0, null, {
      timeout: 60_000,
    });
    const tagged = page.locator('.ranking [data-treated="true"]');
    await expect.poll(() => tagged.count(), { timeout: 30_000 }).toBe(1);
    expect(await tagged.getAttribute('data-area')).toBe('town:110112105');
    // 治理类 and four marks, one per figure of the pair.
    expect(await tagged.locator('.ranking-treated').textContent()).toMatch(/^治理类 [↑→↓·]{4}$/);
    expect(await tagged.locator('.ranking-treated').getAttribute('title')).toContain('2019-07-01');
    await tagged.scrollIntoViewIfNeeded();
    writeFileSync(path.join(ARTEFACTS, 'e2e-ranking-treatment.png'), await page.screenshot({ type: 'png' }));
    expect(errors).toEqual([]);
    await context.close();
  }, 300_000);
});
